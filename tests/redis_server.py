"""A real ``redis-server`` (Debian's; scripts/test.sh installs it) for a test session,
on a free loopback port, without persistence: shared by python/tests (the Redis state
backend) and tests/security (the channel layer and state of two server processes)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def redis_server(work: Path, timeout: float = 20) -> Iterator[str]:
    """Start ``redis-server`` in ``work``; its URL (``redis://127.0.0.1:PORT/0``) once
    it answers ``PING``; stopped on exit."""
    import redis

    server = shutil.which("redis-server")
    assert server, "redis-server is not installed: scripts/test.sh installs Debian's redis-server"
    port = free_port()
    proc = subprocess.Popen(
        [server, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no", "--dir", str(work)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    client = redis.Redis(host="127.0.0.1", port=port)
    deadline = time.monotonic() + timeout
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            assert proc.poll() is None and time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.1)
    try:
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
