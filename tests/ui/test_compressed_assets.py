"""Streamlit's frontend files sent gzip-compressed, each compressed once (nnviz/ui/compressed_assets.py):
the middleware around a stand-in for Streamlit's static files. The served app is checked in Chromium
in tests/browser/test_index_page.py."""

from __future__ import annotations

import gzip
import os

import pytest

from nnviz.ui.compressed_assets import CompressedAssetsMiddleware, is_asset_request
from tests.ui.coroutines import run_apart

SCRIPT = b"export function f(){return 1}\n" * 400  # 12 kB of JavaScript that compresses well
ETAG = b'"abc123"'


class Files:
    """A stand-in for Streamlit's static route: counts the requests it answers and what it saw."""

    def __init__(self, body: bytes = SCRIPT, status: int = 200, content_type: bytes = b"application/javascript",
                 extra: tuple[tuple[bytes, bytes], ...] = ()) -> None:
        self.body, self.status, self.content_type, self.extra = body, status, content_type, extra
        self.calls: list[dict] = []

    async def __call__(self, scope, receive, send):
        self.calls.append(scope)
        headers = [(b"content-type", self.content_type), (b"content-length", str(len(self.body)).encode()),
                   (b"etag", ETAG), (b"cache-control", b"public, immutable, max-age=31536000"), *self.extra]
        await send({"type": "http.response.start", "status": self.status, "headers": headers})
        await send({"type": "http.response.body", "body": self.body[:100], "more_body": True})
        await send({"type": "http.response.body", "body": self.body[100:]})


def request(path: str = "/static/js/index.DormvYxC.js", encoding: bytes | None = b"gzip, deflate, br",
            method: str = "GET", **headers: bytes) -> dict:
    hs = [(b"host", b"127.0.0.1")] + ([(b"accept-encoding", encoding)] if encoding is not None else [])
    hs += [(k.replace("_", "-").encode(), v) for k, v in headers.items()]
    return {"type": "http", "method": method, "path": path, "headers": hs}


def fetch(middleware, scope: dict) -> tuple[int, dict[bytes, bytes], bytes]:
    sent: list[dict] = []

    async def send(message):
        sent.append(message)

    async def receive():
        return {"type": "http.request", "body": b""}

    run_apart(middleware(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], {k.lower(): v for k, v in start["headers"]}, body


def test_a_script_is_sent_compressed_with_its_headers_and_compressed_once():
    files = Files()
    mw = CompressedAssetsMiddleware(files)
    for _ in range(3):
        status, headers, body = fetch(mw, request())
        assert status == 200 and headers[b"content-encoding"] == b"gzip"
        assert gzip.decompress(body) == SCRIPT and len(body) < len(SCRIPT) / 10
        assert int(headers[b"content-length"]) == len(body)
        assert headers[b"vary"] == b"Accept-Encoding"
        assert headers[b"content-type"] == b"application/javascript"
        assert headers[b"cache-control"] == b"public, immutable, max-age=31536000"
        assert headers[b"etag"] == b'"abc123-gzip"'  # another representation, another tag
    assert len(files.calls) == 1, "Streamlit was asked again for a file already kept"
    assert all(k != b"accept-encoding" for k, _ in files.calls[0]["headers"])  # asked for the plain file


def test_a_kept_file_is_answered_304_for_its_own_tag():
    mw = CompressedAssetsMiddleware(Files())
    fetch(mw, request())
    status, headers, body = fetch(mw, request(if_none_match=b'"abc123-gzip"'))
    assert status == 304 and body == b"" and headers[b"etag"] == b'"abc123-gzip"'
    status, _, body = fetch(mw, request(if_none_match=b'"other"'))
    assert status == 200 and gzip.decompress(body) == SCRIPT


@pytest.mark.parametrize("scope", [
    request(encoding=None),  # a client that takes no gzip
    request(encoding=b"br"),
    request(encoding=b"gzipx"),  # not gzip
    request(encoding=b"gzip;q=0, br"),  # gzip refused
    request(range=b"bytes=0-99"),
    request(method="HEAD"),
    request("/static/media/SourceSansVF-Upright.ttf.BsWL4Kly.woff2"),  # fonts are compressed already
    request("/app/static/data.json"),  # the app's own files (not immutable)
    request("/_stcore/health"),
    request("/playground"),
])
def test_other_requests_pass_unchanged(scope):
    files = Files()
    status, headers, body = fetch(CompressedAssetsMiddleware(files), scope)
    assert status == 200 and body == SCRIPT and b"content-encoding" not in headers
    assert files.calls and files.calls[0]["headers"] == scope["headers"]


@pytest.mark.parametrize("files", [
    Files(status=404, body=b"not found" * 200),
    Files(extra=((b"content-encoding", b"br"),)),  # encoded already
    Files(body=b"x = 1;"),  # too small to gain
    Files(body=os.urandom(4096)),  # does not shrink
])
def test_answers_worth_nothing_compressed_pass_unchanged_and_are_not_kept(files):
    mw = CompressedAssetsMiddleware(files)
    for _ in range(2):
        status, headers, body = fetch(mw, request())
        assert status == files.status and body == files.body
        assert headers.get(b"content-encoding") in (None, b"br")
    assert len(files.calls) == 2 and not mw.kept


def test_a_base_url_path_and_gzip_with_a_quality_count():
    assert is_asset_request(request("/nnviz/static/js/x.js", encoding=b"deflate, gzip;q=0.8"))
    assert is_asset_request(request("/static/css/index.C1JORDN2.css"))
    assert not is_asset_request({"type": "websocket", "path": "/_stcore/stream"})


def test_a_level_outside_gzip_is_refused():
    with pytest.raises(ValueError, match="level"):
        CompressedAssetsMiddleware(Files(), level=0)
