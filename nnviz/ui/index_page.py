"""The HTML page a browser loads first (Streamlit's ``index.html``), served with one script more:
where the server is, so that a page opened at its own address connects at once.

Streamlit's frontend does not know which part of the address is the app and which the page. At
``/playground`` it first asks ``/playground/_stcore/health`` and ``host-config`` (both 404), waits
100 ms, then asks ``/_stcore/health``, and only then opens its websocket (Streamlit 1.67's
``index.*.js``; CONTRIBUTING.md). That cost a return visit to the playground about 0.1-0.2 s of its
1.0-1.4 s, every deep link and every reload of a page. The script sets
``window.__streamlit.BACKEND_BASE_URL``, the frontend's own setting for where the server is (read
once as its code starts), to the address without a trailing page name of this app: the one place
the frontend would have found after its probes. Any other address (the home page, an unknown path)
is left as it is, so the frontend searches as before; a host that set the value already keeps it.

``IndexPageMiddleware`` wraps the app's ASGI server (``app.py``: ``st.App(..., middleware=...)``).
Only a ``GET`` or ``HEAD`` of a page address is touched: not ``_stcore``, media, components or any
file. Its request goes on without ``Accept-Encoding`` (the page is 8 kB; unzipped it can be edited)
and an HTML answer gets the script as the first thing in ``<head>``. A ``HEAD`` is asked as a ``GET``
and answered with the same headers, its length the edited page's, and no body.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from nnviz.ui.asgi import (
    ASGIApp,
    Receive,
    Scope,
    Send,
    answer_header,
    send_answer,
    whole_answer,
    with_length,
    without_header,
)

#: Streamlit's own routes and files: never a page (``/_stcore/...``, ``/media/...``, ``/component/...``
#: and ``/static/...``; the app's own ``/app/static/...`` too, as ``static`` follows ``app`` there).
NOT_PAGES = ("_stcore", "media", "component", "static")
MARK = "data-nnviz-backend"  # the script's attribute (tests look for it)


def backend_script(page_slugs: Iterable[str]) -> str:
    """A ``<script>`` that sets ``window.__streamlit.BACKEND_BASE_URL`` to the page's address less a
    trailing ``/<slug>`` of ``page_slugs`` (``/nnviz/playground`` -> ``/nnviz/``); at any other
    address it sets nothing. A value already set (by a host that embeds the app) is kept."""
    slugs = sorted(set(page_slugs))
    if any(not s or "/" in s or "<" in s for s in slugs):
        raise ValueError(f"page slugs must be non-empty path segments, got {slugs!r}")
    return (
        f"<script {MARK}>(() => {{ const pages = {json.dumps(slugs)};"
        " const path = location.pathname.replace(/\\/+$/, ''), last = path.slice(path.lastIndexOf('/') + 1);"
        " const config = window.__streamlit = window.__streamlit || {};"
        " if (pages.includes(last) && !config.BACKEND_BASE_URL)"
        " config.BACKEND_BASE_URL = location.origin + path.slice(0, path.length - last.length); })();</script>"
    )


def is_page_request(scope: Scope) -> bool:
    """Whether ``scope`` is a ``GET`` or ``HEAD`` of an address Streamlit answers with its ``index.html``:
    an HTTP request whose path has no file name (no dot in its last part) and none of ``NOT_PAGES``
    (a base path may hold any other segment, ``app`` too)."""
    if scope.get("type") != "http" or scope.get("method") not in ("GET", "HEAD"):
        return False
    parts = [p for p in str(scope.get("path", "")).split("/") if p]
    return not any(p in NOT_PAGES for p in parts) and not (parts and "." in parts[-1])


def with_script(html: bytes, script: str) -> bytes:
    """``html`` with ``script`` right after its ``<head>`` (unchanged if it has none)."""
    return html.replace(b"<head>", b"<head>" + script.encode(), 1)


class IndexPageMiddleware:
    """ASGI middleware: the pages' HTML gets ``backend_script(page_slugs)`` and then ``head`` (the
    app's style and scripts: HTML for the ``<head>``); all else passes as it is."""

    def __init__(self, app: ASGIApp, page_slugs: Iterable[str], head: str = "") -> None:
        self.app = app
        self.script = backend_script(page_slugs) + head

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not is_page_request(scope):
            await self.app(scope, receive, send)
            return
        asked = {**without_header(scope, b"accept-encoding"), "method": "GET"}  # a HEAD's headers are a GET's
        status, headers, body = await whole_answer(self.app, asked, receive)
        if status == 200 and (answer_header(headers, b"content-type") or b"").startswith(b"text/html"):
            body = with_script(body, self.script)
            headers = with_length(headers, body)
        await send_answer(send, status, headers, b"" if scope["method"] == "HEAD" else body)
