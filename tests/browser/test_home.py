"""The home page opens in real Chromium, links every page and needs no host but its own."""

from urllib.parse import urlparse

from tests.browser.conftest import assert_no_exception, open_page, screenshot


def test_home_page_renders(page, app_url):
    open_page(page, app_url, "")
    page.get_by_text("See how a neural network learns").wait_for()
    assert_no_exception(page)
    screenshot(page, "home")


def test_the_page_loads_nothing_from_other_hosts(page, app_url):
    """Offline (a classroom network) the page must be whole: the favicon is shipped, not fetched
    from a font host."""
    hosts = []
    page.on("request", lambda request: hosts.append(urlparse(request.url).netloc))
    open_page(page, app_url, "")
    page.get_by_text("See how a neural network learns").wait_for()
    page.wait_for_timeout(500)
    icon = page.evaluate("() => document.querySelector('link[rel~=icon]')?.href || ''")
    assert urlparse(icon).netloc in ("", urlparse(app_url).netloc), icon
    assert set(hosts) <= {urlparse(app_url).netloc}, sorted(set(hosts))
