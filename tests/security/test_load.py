"""The load test's CI version (issue 22, point 6; the full one: ``python
tests/security/load.py --clients 200 --seconds 60``): 24 clients on two server processes
sharing Redis for 12 s, worker ``a`` restarted halfway. Every reply shows the count its
client expects, every client of the stopped worker gets its view back on the other one
without a remount, and each client's page (its mount with every patch applied) equals a
fresh render of its kept state on the other worker at the end."""

from __future__ import annotations

import asyncio
import json

from conftest import launch
from load import run_load


def test_two_workers_a_restart_and_no_lost_patches(workers, capsys) -> None:
    a, b = workers

    async def restart() -> None:
        a.proc.terminate()
        await asyncio.to_thread(a.proc.wait, 20)
        port = int(a.base.rsplit(":", 1)[1])
        a.proc, _, _ = await asyncio.to_thread(launch, a.env, a.log_path, port)

    report = asyncio.run(run_load([a.base, b.base], clients=24, seconds=12, rate=2.0, restart=restart))
    summary = report.summary()
    with capsys.disabled():
        print("\nload test (CI version):", json.dumps(summary))
    assert not report.errors, report.errors[:5]
    assert not report.mismatches, report.mismatches[:5]
    assert summary["remounted"] == 0
    # Half the clients were on worker a when it stopped: each came back restored.
    assert summary["reconnects"] >= 12 and summary["restored_without_remount"] >= 12, summary
    assert summary["events"] >= 24 * 10, summary
    # Every client's page (mount + patches, applied) equals a fresh render at the end.
    assert summary["pages_equal_to_a_fresh_render"] == 24, summary
