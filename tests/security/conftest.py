"""The security suite's server and clients: the example project served by a real ASGI
server (Daphne, on 127.0.0.1 only) with ``security_settings`` (DEBUG off, no origin
validator in ``asgi.py``), browsers made of an HTTP client with a cookie jar
(``httpx``) and real WebSockets (``websockets``)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Self

import httpx
import pytest
from websockets.sync.client import ClientConnection, connect

HERE = Path(__file__).resolve().parent
EXAMPLES = HERE.parent.parent / "examples"

# tests/redis_server.py, shared with python/tests.
sys.path.insert(0, str(HERE.parent))
from redis_server import free_port as _free_port
from redis_server import redis_server

#: The server's DJUST_PROFILE_TOKEN (the profile endpoint: test_profile.py).
PROFILE_TOKEN = "profile-token-for-the-suite-0123"

VICTIM = ("victim", "a long victim password", "victim@example.com")
STAFF = ("skipper", "a long staff password", "staff@example.com")

SETUP = f"""
import django
django.setup()
from django.contrib.auth import get_user_model
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)
User = get_user_model()
User.objects.create_user({VICTIM[0]!r}, {VICTIM[2]!r}, {VICTIM[1]!r})
User.objects.create_user({STAFF[0]!r}, {STAFF[2]!r}, {STAFF[1]!r}, is_staff=True)
"""


class Server:
    """The running server: its base URL and its log."""

    def __init__(self, base: str, proc: subprocess.Popen, log: Path, env: dict[str, str]) -> None:
        self.base = base
        self.ws_base = base.replace("http://", "ws://")
        self.proc = proc
        self.log_path = log
        self.env = env

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def assert_alive(self) -> None:
        """The process runs and still serves a page."""
        assert self.proc.poll() is None, f"the server died:\n{self.log()[-3000:]}"
        assert httpx.get(f"{self.base}/", timeout=10).status_code == 200

    def django(self, code: str) -> str:
        """Run Python with the project's settings (database checks); its stdout."""
        done = subprocess.run(
            [sys.executable, "-c", "import django; django.setup()\n" + code],
            env=self.env,
            cwd=EXAMPLES,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        return done.stdout.strip()

    def browser(self) -> Browser:
        return Browser(self)


class Browser:
    """A visitor: an HTTP client with a cookie jar, and the sockets its pages open."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.http = httpx.Client(base_url=server.base, timeout=10, follow_redirects=False)

    def login(self, username: str, password: str) -> None:
        page = self.http.get("/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert token, page.text[:500]
        done = self.http.post(
            "/accounts/login/",
            data={"username": username, "password": password, "csrfmiddlewaretoken": token.group(1)},
            headers={"Referer": f"{self.server.base}/accounts/login/"},
        )
        assert done.status_code == 302, done.text[:500]

    def page(self, path: str) -> str | None:
        """Load ``path``; the page's ``dj-session`` token (None when it has none)."""
        response = self.http.get(path)
        assert response.status_code == 200, (path, response.status_code)
        found = re.search(r'dj-session="([^"]+)"', response.text)
        return found.group(1) if found else None

    def cookie_header(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.http.cookies.jar)

    def socket(self, origin: str | None = "self") -> Socket:
        """A WebSocket to ``/ws/djust/`` with this browser's cookies and ``origin``
        (``"self"``: the server's own origin; ``None``: no Origin header)."""
        if origin == "self":
            origin = self.server.base
        opening = connect(
            f"{self.server.ws_base}/ws/djust/",
            origin=origin,  # type: ignore[arg-type]
            additional_headers=[("Cookie", self.cookie_header())],
            open_timeout=10,
            max_size=2**24,
        )
        return Socket(opening.__enter__())


class Socket:
    """A WebSocket that speaks the djust protocol."""

    def __init__(self, conn: ClientConnection) -> None:
        self.conn = conn

    def send(self, message: Any) -> None:
        if isinstance(message, (str, bytes)):
            self.conn.send(message)
        else:
            self.conn.send(json.dumps(message))

    def recv(self, timeout: float = 10) -> dict[str, Any]:
        return json.loads(self.conn.recv(timeout=timeout))

    def ask(self, message: Any) -> dict[str, Any]:
        self.send(message)
        return self.recv()

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def mount(path: str, token: str | None, **extra: Any) -> dict[str, Any]:
    return {"type": "mount", "url": path, "session": token, **extra}


def event(name: str, **params: Any) -> dict[str, Any]:
    return {"type": "event", "name": name, "params": params}


def launch(env: dict[str, str], log: Path, port: int | None = None) -> tuple[subprocess.Popen, str, Path]:
    """Start Daphne on 127.0.0.1 (``port``, else a free one) with ``env``; wait until it
    serves a page. ``(process, base URL, log)``; the caller stops the process."""
    port = port or _free_port()
    with log.open("a") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "security_asgi:application"],
            env=env,
            cwd=EXAMPLES,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{base}/", timeout=2).status_code == 200:
                return proc, base, log
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()  # a server that answers 500 is still running: do not leave it behind
            proc.wait(timeout=10)
            raise RuntimeError(f"the server did not start:\n{log.read_text()}")
        time.sleep(0.2)


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    work = tmp_path_factory.mktemp("security")
    env = {
        **os.environ,
        "DJUST_SECURITY_DB": str(work / "db.sqlite3"),
        "DJANGO_SETTINGS_MODULE": "security_settings",
        "PYTHONPATH": os.pathsep.join([str(HERE), str(EXAMPLES)]),
        "PYTHONUNBUFFERED": "1",
        "DJUST_PROFILE_TOKEN": PROFILE_TOKEN,
    }
    subprocess.run([sys.executable, "-c", SETUP], env=env, cwd=EXAMPLES, check=True, timeout=120)
    proc, base, log = launch(env, work / "server.log")
    try:
        yield Server(base, proc, log, env)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with redis_server(tmp_path_factory.mktemp("redis")) as url:
        yield url


@pytest.fixture(scope="session")
def workers(server, redis_url, tmp_path_factory) -> Iterator[list[Server]]:
    """Two processes of the same project, on their own ports, sharing the channel
    layer and the LiveView state backend on Redis (test_profile_workers.py,
    test_state_workers.py)."""
    work = tmp_path_factory.mktemp("workers")
    env = {**server.env, "DJUST_SECURITY_REDIS": redis_url}
    started = []
    try:
        for name in ("a", "b"):
            proc, base, log = launch(env, work / f"{name}.log")
            started.append(Server(base, proc, log, env))
        yield started
    finally:
        for s in started:
            s.proc.terminate()
            s.proc.wait(timeout=10)
