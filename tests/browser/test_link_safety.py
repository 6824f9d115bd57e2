"""A hand-edited link cannot put Markdown into the page: an image (a tracking pixel), a link or
styled text in a link value is shown as plain text, cut short, and many bad keys make one notice."""

from urllib.parse import urlencode, urlparse

from tests.browser.conftest import assert_no_exception, open_page, screenshot, wait_for_app

HOSTILE = {
    "note": "![p](http://127.0.0.1:9/pixel.png)",
    "data": "[Open the real nnviz](http://127.0.0.1:9/phish)",
    "act": ":red[**SECURITY WARNING**]",
    "lr": "x" * 10_000,  # a long value (the AppTest tries 100 kB; the HTTP server caps a URL near 16 kB)
    **{f"k{i}": "v" for i in range(300)},
}


def test_link_values_are_plain_text(page, app_url):
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    open_page(page, app_url, "")  # the app's navigation first (a fresh server)
    page.goto(f"{app_url}/playground?{urlencode(HOSTILE)}")
    wait_for_app(page)
    page.get_by_text("This link has settings nnviz cannot use").wait_for()
    main = page.locator("[data-testid=stMain]")
    assert main.locator("img[src*='pixel']").count() == 0
    assert main.locator("a[href*='phish']").count() == 0
    assert main.locator("text=SECURITY WARNING").count() <= 1  # at most once, as plain text
    assert main.locator("span[style*='color'], [class*='red']").filter(has_text="SECURITY").count() == 0
    fetched = [urlparse(url).path for url in requested]  # the page's own URL carries them in its query
    assert not any("pixel.png" in path or "phish" in path for path in fetched), fetched
    notices = main.locator("[data-testid=stAlert]").filter(has_text="link")
    assert notices.count() == 1
    plain = main.locator("[data-testid=stText]").first.inner_text()
    assert "more problems in this link" in plain and len(plain) < 2000
    assert "unknown link parameter" not in plain.splitlines()[0]  # values meant for settings come first
    page.locator("[data-nnviz=step]").first.wait_for()
    assert_no_exception(page)
    screenshot(page, "playground_hostile_link")
