"""The frontend's files reach a new visitor gzip-compressed and the app runs on them
(nnviz/ui/compressed_assets.py), in Chromium against the served app."""

from tests.browser.conftest import assert_no_exception, open_page


def test_a_new_visitor_gets_the_scripts_compressed_and_the_page_runs(page, app_url):
    encodings: dict[str, str] = {}
    page.on("response", lambda r: encodings.__setitem__(r.url, r.headers.get("content-encoding", "")))
    open_page(page, app_url, "playground")
    assert_no_exception(page)
    page.locator("[data-nnviz=step]").first.wait_for()
    scripts = page.evaluate("""() => performance.getEntriesByType('resource')
      .filter(e => e.name.includes('/static/js/') && e.name.endsWith('.js'))
      .map(e => ({url: e.name, wire: e.encodedBodySize, size: e.decodedBodySize}))""")
    main = [s for s in scripts if "/static/js/index." in s["url"]]
    assert main and encodings[main[0]["url"]] == "gzip"
    assert main[0]["wire"] < main[0]["size"] / 2, main[0]
    wire, size = sum(s["wire"] for s in scripts), sum(s["size"] for s in scripts)
    assert size > 1_000_000 and wire < size / 2, (wire, size)  # megabytes of JavaScript, under half on the wire
