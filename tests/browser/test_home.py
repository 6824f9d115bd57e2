"""The home page opens in real Chromium, at / and at /home (also as a fresh server's first request), links
every page and needs no host but its own."""

import re
from urllib.parse import parse_qs, urlparse

from nnviz.ui import frontend_warmup
from tests.browser.conftest import assert_no_exception, open_page, screenshot, serve_app, wait_for_app


def test_home_page_renders(page, app_url):
    open_page(page, app_url, "")
    page.get_by_text("See how a neural network learns").wait_for()
    assert_no_exception(page)
    screenshot(page, "home")


def _host(url: str) -> str:
    """The host a request goes to: a ``blob:`` URL's is its creator's (one of Streamlit's chunks makes
    one), a ``data:`` URL is inline."""
    if url.startswith("data:"):
        return "(inline)"
    return urlparse(url.removeprefix("blob:")).netloc


def test_the_page_loads_nothing_from_other_hosts(page, app_url):
    """Offline (a classroom network) the page must be whole: the favicon is shipped, not fetched
    from a font host."""
    hosts = []
    page.on("request", lambda request: hosts.append(_host(request.url)))
    open_page(page, app_url, "")
    page.get_by_text("See how a neural network learns").wait_for()
    page.wait_for_timeout(500)
    icon = page.evaluate("() => document.querySelector('link[rel~=icon]')?.href || ''")
    assert urlparse(icon).netloc in ("", urlparse(app_url).netloc), icon
    page.wait_for_selector(frontend_warmup.DONE, state="attached", timeout=60_000)  # the warm-up's chunks too
    assert set(hosts) <= {urlparse(app_url).netloc, "(inline)"}, sorted(set(hosts))


def _opens_home(page, url: str) -> None:
    """``url`` shows the home page at /, with no "Page not found" dialog and one Home entry in the sidebar."""
    page.goto(url)
    wait_for_app(page)
    page.get_by_text("See how a neural network learns").wait_for()
    page.wait_for_timeout(500)  # a dialog sent with the first run would be up by now
    assert page.get_by_text("Page not found").count() == 0
    assert urlparse(page.url).path == "/", page.url
    items = [item.split("\n")[-1] for item in page.locator("[data-testid=stSidebarNavItems] a").all_inner_texts()]
    assert items.count("Home") == 1, items
    assert page.locator("[data-testid=stSidebarNavItems] a[aria-current=page]").inner_text().endswith("Home")
    assert_no_exception(page)


def test_slash_home_opens_the_home_page(page, app_url):
    _opens_home(page, f"{app_url}/home?lang=en")
    assert parse_qs(urlparse(page.url).query) == {"lang": ["en"]}  # the link's parameters are kept
    screenshot(page, "home_from_slash_home")


def test_back_from_the_home_page_reached_by_slash_home_leaves_it(page, app_url):
    """/home is replaced by / in the browser's history: Back goes to the page before, not to /home (which
    would send the visitor to / again)."""
    open_page(page, app_url, "functions")
    _opens_home(page, f"{app_url}/home")
    page.go_back()
    page.wait_for_url(re.compile(rf"^{re.escape(app_url)}/functions(\?.*)?$"))  # the page's link follows
    wait_for_app(page)
    page.get_by_role("heading", name="Functions").first.wait_for()
    assert_no_exception(page)


def test_slash_home_as_the_first_request_of_a_fresh_server(page):
    """A fresh server answers its first request in Streamlit's old pages/ mode, before app.py ran."""
    with serve_app("streamlit-fresh-home") as url:
        _opens_home(page, f"{url}/home")


def test_the_home_page_loads_the_other_pages_code_once_it_is_done(page, app_url):
    """The frontend warm-up (nnviz/ui/frontend_warmup.py): after the home page's run, the browser
    fetches every chunk it names, with no error, and the next page opens with them."""
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    open_page(page, app_url, "")
    page.wait_for_selector(frontend_warmup.DONE, state="attached", timeout=60_000)
    fetched = page.evaluate("() => performance.getEntriesByType('resource').map(e => e.name.split('/').pop())")
    assert set(frontend_warmup.chunk_files()) <= set(fetched)
    assert errors == []
    page.locator("[data-testid=stSidebarNav] a").filter(has_text="Gradient descent").first.click()
    page.get_by_role("heading", name="Gradient descent").first.wait_for()
    wait_for_app(page)
    assert_no_exception(page)
    assert page.locator(frontend_warmup.DONE).count() == 1  # the next page's element: done already (once per tab)
