"""Streamlit's frontend files sent gzip-compressed: what a new visitor's browser downloads before the
app can start, 2.3-3.1 MB of JavaScript, is about a third of that on the wire.

Streamlit 1.67 sends its static files as they are: its gzip middleware skips ``/static/`` (compressing
every response anew cost its load tests time and memory). On the loopback that costs nothing; on a
classroom's shared Wi-Fi every new visitor's few megabytes wait their turn. These files cannot change
while the server runs (their names carry a hash of their content, and Streamlit sends them as
``immutable``), so ``CompressedAssetsMiddleware`` compresses each one once, in a worker thread, the
first time a browser that accepts gzip asks for it, keeps it (at most Streamlit's whole frontend,
about 7 MB compressed) and sends the kept bytes to every later browser without asking Streamlit.

Only a ``GET`` of a text file (``COMPRESSIBLE``: scripts, styles, JSON, SVG) under a ``static/``
folder of the frontend is touched, and only when the request accepts gzip and asks for no byte
range; a response that is not a plain 200, is already encoded or does not shrink passes unchanged.
"""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import MutableMapping

from nnviz.ui.asgi import (
    ASGIApp,
    Headers,
    Receive,
    Scope,
    Send,
    answer_header,
    header,
    send_answer,
    whole_answer,
    with_length,
    without_header,
)

#: File endings worth compressing (fonts and images are compressed already).
COMPRESSIBLE = (".js", ".mjs", ".css", ".json", ".svg", ".map", ".txt")
LEVEL = 6  # zlib's default: plotly's 4.7 MB bundle in about 0.2 s, once per server
MIN_BYTES = 1024  # smaller files gain less than the headers cost


def is_asset_request(scope: Scope) -> bool:
    """A ``GET`` of a compressible file of Streamlit's frontend (``[base/]static/...``; not the app's
    own ``app/static`` files), from a browser that accepts gzip and asks for no range."""
    if scope.get("type") != "http" or scope.get("method") != "GET":
        return False
    parts = [p for p in str(scope.get("path", "")).split("/") if p]
    if "static" not in parts or (parts.index("static") > 0 and parts[parts.index("static") - 1] == "app"):
        return False
    if not parts[-1].lower().endswith(COMPRESSIBLE) or header(scope, b"range"):
        return False
    for coding in header(scope, b"accept-encoding").lower().split(b","):
        name, _, params = coding.partition(b";")
        if name.strip() == b"gzip":
            return params.replace(b" ", b"") not in (b"q=0", b"q=0.0", b"q=0.00", b"q=0.000")
    return False


class CompressedAssetsMiddleware:
    """ASGI middleware: Streamlit's frontend files gzip-compressed, each compressed once per process."""

    def __init__(self, app: ASGIApp, level: int = LEVEL) -> None:
        if not 1 <= level <= 9:
            raise ValueError(f"gzip level must be 1-9, got {level!r}")
        self.app = app
        self.level = level
        self.kept: MutableMapping[str, tuple[Headers, bytes]] = {}  # path -> headers, gzip

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not is_asset_request(scope):
            await self.app(scope, receive, send)
            return
        path = str(scope["path"])
        kept = self.kept.get(path)
        if kept is None:
            status, headers, body = await whole_answer(self.app, without_header(scope, b"accept-encoding"), receive)
            names = {k.lower() for k, _ in headers}
            if status != 200 or b"content-encoding" in names or len(body) < MIN_BYTES:
                await send_answer(send, status, headers, body)
                return
            zipped = await asyncio.to_thread(gzip.compress, body, self.level, mtime=0)  # zlib frees the GIL
            if len(zipped) >= len(body):
                await send_answer(send, status, headers, body)
                return
            keep = [(k, v) for k, v in headers if k.lower() not in (b"content-length", b"etag", b"vary")]
            etag = answer_header(headers, b"etag")
            if etag is not None:  # another representation, another tag
                keep.append((b"etag", etag[:-1] + b'-gzip"' if etag.endswith(b'"') else etag + b"-gzip"))
            keep += [(b"content-encoding", b"gzip"), (b"vary", b"Accept-Encoding")]
            kept = self.kept.setdefault(path, (keep, zipped))
        headers, zipped = kept
        etag = answer_header(headers, b"etag")
        if etag is not None and etag in [t.strip() for t in header(scope, b"if-none-match").split(b",")]:
            await send_answer(send, 304, [(k, v) for k, v in headers if k != b"content-encoding"], b"")
            return
        await send_answer(send, 200, with_length(headers, zipped), zipped)

