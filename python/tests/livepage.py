"""Test helpers: a LiveView page loaded with Django's test client, and WebSockets to the
real consumer (``channels.testing.WebsocketCommunicator``) opened as that page's
browser would open them (its origin, its cookies, its ``dj-session`` token)."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

from channels.testing import WebsocketCommunicator
from django.test import Client

from djust.consumer import LiveViewConsumer

ORIGIN = "http://testserver"


class Page:
    """``url`` loaded by ``client`` (a fresh browser by default)."""

    def __init__(self, url: str, client: Client | None = None) -> None:
        self.client = client or Client()
        self.url = url
        self.response = self.client.get(url)
        html = self.response.content.decode()
        found = re.search(r'dj-session="([^"]+)"', html)
        self.token = found.group(1) if found else None
        self.html = html

    def cookie_header(self) -> str:
        return "; ".join(f"{name}={morsel.value}" for name, morsel in self.client.cookies.items())

    def headers(self, origin: str | None = ORIGIN, cookie: str | None = None) -> list[tuple[bytes, bytes]]:
        """The handshake headers a browser showing this page sends."""
        out = [(b"host", b"testserver"), (b"cookie", (self.cookie_header() if cookie is None else cookie).encode())]
        if origin is not None:
            out.append((b"origin", origin.encode()))
        return out

    def mount(self, ref: int | None = 1, **extra: Any) -> dict[str, Any]:
        """The mount message this page's client sends."""
        message = {"type": "mount", "view": "ignored.by.the.server", "url": self.url, "session": self.token, **extra}
        if ref is not None:
            message["ref"] = ref
        return message

    def talk(self, *messages: Any, **kwargs: Any) -> list[dict[str, Any]]:
        """``talk`` with this page's handshake headers."""
        kwargs.setdefault("headers", self.headers())
        return talk(*messages, **kwargs)


def talk(*messages: Any, headers: list[tuple[bytes, bytes]] | None = None) -> list[dict[str, Any]]:
    """Open one WebSocket, send each message (a dict as JSON, a ``str`` as a raw text
    frame, ``bytes`` as a binary frame) and collect one reply per message. Fails when
    the handshake is refused or the socket closes."""

    async def run() -> list[dict[str, Any]]:
        communicator = WebsocketCommunicator(LiveViewConsumer.as_asgi(), "/ws/djust/", headers=headers or [])
        connected, _ = await communicator.connect()
        assert connected, "the handshake was refused"
        replies = []
        for m in messages:
            if isinstance(m, bytes):
                await communicator.send_to(bytes_data=m)
            elif isinstance(m, str):
                await communicator.send_to(text_data=m)
            else:
                await communicator.send_json_to(m)
            out = await communicator.receive_output(timeout=5)
            assert out["type"] == "websocket.send", f"the socket closed: {out}"
            replies.append(json.loads(out["text"]))
        await communicator.disconnect()
        return replies

    return asyncio.run(run())


def handshake(headers: list[tuple[bytes, bytes]]) -> bool:
    """Whether the consumer accepts a handshake with ``headers``."""

    async def run() -> bool:
        communicator = WebsocketCommunicator(LiveViewConsumer.as_asgi(), "/ws/djust/", headers=headers)
        connected, _ = await communicator.connect()
        if connected:
            await communicator.disconnect()
        return connected

    return asyncio.run(run())
