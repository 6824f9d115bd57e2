"""The pages' HTML carries the script that tells Streamlit's frontend where the server is
(nnviz/ui/index_page.py): the middleware around a stand-in ASGI app. The script itself runs in
Chromium in tests/browser/test_index_page.py."""

from __future__ import annotations

import gzip

import pytest

from nnviz.ui import history, index_page
from nnviz.ui.common import APP_STYLE, PAGES
from tests.ui.coroutines import run_apart

SLUGS = ["home", *(p.slug for p in PAGES)]
INDEX = b"<!DOCTYPE html><html><head><meta charset='UTF-8'></head><body><div id=root></div></body></html>"


def serve(scope: dict, body: bytes = INDEX, content_type: bytes = b"text/html", status: int = 200,
          chunked: bool = False, head: str = "") -> tuple[list[dict], dict]:
    """Run the middleware around an app answering ``body``: (the messages sent, the scope the app saw)."""
    seen: dict = {}

    async def app(scope, receive, send):
        seen.update(scope)
        zipped = any(k == b"accept-encoding" and b"gzip" in v for k, v in scope.get("headers", []))
        data = gzip.compress(body) if zipped else body
        headers = [(b"content-type", content_type), (b"content-length", str(len(data)).encode())]
        if zipped:
            headers.append((b"content-encoding", b"gzip"))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        if chunked:
            await send({"type": "http.response.body", "body": data[:10], "more_body": True})
            await send({"type": "http.response.body", "body": data[10:]})
        else:
            await send({"type": "http.response.body", "body": data})

    sent: list[dict] = []

    async def send(message):
        sent.append(message)

    async def receive():
        return {"type": "http.request", "body": b""}

    run_apart(index_page.IndexPageMiddleware(app, SLUGS, head=head)(scope, receive, send))
    return sent, seen


def http(path: str, method: str = "GET", gzip_ok: bool = True) -> dict:
    headers = [(b"host", b"127.0.0.1"), *([(b"accept-encoding", b"gzip, deflate, br")] if gzip_ok else [])]
    return {"type": "http", "method": method, "path": path, "headers": headers}


def body_and_length(sent: list[dict]) -> tuple[bytes, int]:
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return body, int(dict(start["headers"])[b"content-length"])


@pytest.mark.parametrize("path", ["/", "/playground", "/digits/", "/nnviz/descent", "/no-such-page"])
def test_a_page_address_gets_the_script_first_in_head_with_its_length(path):
    sent, seen = serve(http(path))
    body, length = body_and_length(sent)
    assert body.startswith(b"<!DOCTYPE html><html><head><script data-nnviz-backend>")
    assert body.count(b"data-nnviz-backend") == 1 and body.endswith(INDEX[len(b"<!DOCTYPE html><html><head>"):])
    assert length == len(body)
    assert all(k != b"accept-encoding" for k, _ in seen["headers"])  # asked unzipped, so it can be edited
    assert (b"host", b"127.0.0.1") in seen["headers"]


def test_a_body_in_parts_is_joined_before_the_script_goes_in():
    body, length = body_and_length(serve(http("/playground"), chunked=True)[0])
    assert body.count(b"data-nnviz-backend") == 1 and length == len(body)


@pytest.mark.parametrize("path", ["/_stcore/health", "/_stcore/host-config", "/static/js/index.DormvYxC.js",
                                  "/favicon.png", "/media/abc.png", "/component/x/index.html",
                                  "/app/static/a", "/playground/_stcore/health"])
def test_streamlit_routes_and_files_pass_as_they_are(path):
    sent, seen = serve(http(path))
    assert (b"accept-encoding", b"gzip, deflate, br") in seen["headers"]
    body, length = body_and_length(sent)
    assert b"data-nnviz-backend" not in gzip.decompress(body) and length == len(body)


@pytest.mark.parametrize(("status", "content_type"), [(404, b"text/html"), (304, b"text/html"),
                                                       (200, b"application/json")])
def test_other_answers_to_a_page_address_are_not_edited(status, content_type):
    body, length = body_and_length(serve(http("/playground"), status=status, content_type=content_type)[0])
    assert body == INDEX and length == len(INDEX)


def test_a_head_request_has_the_get_answers_length_and_no_body():
    got, _ = serve(http("/playground"))
    sent, seen = serve(http("/playground", method="HEAD"))
    body, length = body_and_length(sent)
    assert seen["method"] == "GET" and body == b""  # asked as a GET: the length is the edited page's
    assert length == body_and_length(got)[1] == len(body_and_length(got)[0])


def test_websockets_and_other_methods_pass_untouched():
    assert not index_page.is_page_request({"type": "websocket", "path": "/_stcore/stream"})
    assert not index_page.is_page_request(http("/playground", method="POST"))
    assert index_page.is_page_request(http("/")) and index_page.is_page_request(http("/", method="HEAD"))


@pytest.mark.parametrize("path", ["/app/playground", "/myapp/app/descent"])
def test_a_base_path_with_an_app_segment_still_gets_the_script(path):
    assert index_page.is_page_request(http(path))


def test_the_head_html_follows_the_script():
    head = APP_STYLE + history.SCRIPT
    body, length = body_and_length(serve(http("/descent"), head=head)[0])
    script_end = body.index(b"</script>") + len(b"</script>")
    assert body[script_end:].startswith(head.encode()) and length == len(body)
    assert body.count(b"data-nnviz-style") == 1 and body.endswith(INDEX[len(b"<!DOCTYPE html><html><head>"):])


@pytest.mark.parametrize("bad", [[""], ["a/b"], ["x<script>"]])
def test_a_slug_that_is_not_one_path_segment_is_refused(bad):
    with pytest.raises(ValueError, match="path segments"):
        index_page.backend_script(bad)
