"""``manage.py djust_clearstate``: remove expired LiveView states from the state
backend (``DJUST["STATE_BACKEND"]``), as Django's ``clearsessions`` does for sessions.
Redis expires states by itself; the command removes any key left without an expiry.
The memory backend lives inside each server process, which drops expired states as it
reads them and the oldest beyond ``STATE_MAX_ENTRIES``: a command (another process)
has nothing of theirs to clear. ``--stats`` prints what is kept."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from djust import state_backends


class Command(BaseCommand):
    help = "Remove expired LiveView states from the state backend (DJUST['STATE_BACKEND'])."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--stats", action="store_true", help="Print how many states are kept and their size.")

    def handle(self, *args: Any, **options: Any) -> None:
        store = state_backends.backend()
        if store is None:
            raise CommandError("DJUST['STATE_BACKEND'] is None: no states are kept.")
        try:
            gone = store.clear_expired()
            stats = store.stats()
        except state_backends.BackendUnavailable as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Removed {gone} expired state(s).")
        if options["stats"]:
            self.stdout.write(f"Kept: {stats.entries} state(s), {stats.bytes} bytes.")
