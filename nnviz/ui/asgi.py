"""The few ASGI pieces the app's middlewares share (app.py's ``st.App``: index_page,
compressed_assets): the types, and an answer taken whole from the app and sent on whole."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
Headers = list[tuple[bytes, bytes]]


def header(scope: Scope, name: bytes) -> bytes:
    """The request's header ``name`` (lower case), its values joined by ``, `` (b"" if absent)."""
    return b", ".join(v for k, v in scope.get("headers", []) if k.lower() == name)


def answer_header(headers: Headers, name: bytes) -> bytes | None:
    """The first value of the answer's header ``name`` (lower case), or None."""
    return next((v for k, v in headers if k.lower() == name), None)


def without_header(scope: Scope, name: bytes) -> Scope:
    """``scope`` with the request header ``name`` (lower case) left out."""
    return {**scope, "headers": [(k, v) for k, v in scope.get("headers", []) if k.lower() != name]}


async def whole_answer(app: ASGIApp, scope: Scope, receive: Receive) -> tuple[int, Headers, bytes]:
    """Run ``app`` for the HTTP request ``scope`` and collect its answer: (status, headers, body)."""
    start: Message = {}
    chunks: list[bytes] = []

    async def collect(message: Message) -> None:
        if message["type"] == "http.response.start":
            start.update(message)
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, collect)
    return int(start.get("status", 500)), list(start.get("headers", [])), b"".join(chunks)


async def send_answer(send: Send, status: int, headers: Headers, body: bytes) -> None:
    """Send an HTTP answer in one body message (``headers`` as they are: give the length)."""
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def with_length(headers: Headers, body: bytes) -> Headers:
    """``headers`` with ``Content-Length`` set to ``body``'s."""
    return [*((k, v) for k, v in headers if k.lower() != b"content-length"), (b"content-length", str(len(body)).encode())]
