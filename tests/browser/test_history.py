"""Back leaves a page in one press (issue 13 item 7): the playground writes its experiment into
the address bar, which Streamlit's frontend made a second history entry (one more per change)."""

from __future__ import annotations

from urllib.parse import urlparse

from tests.browser.conftest import assert_no_exception, open_page, wait_for_app

PLAYGROUND_TITLE = "Train a small neural network on 2D data"


def _nav(page, title: str) -> None:
    page.locator("[data-testid=stSidebarNav] a").filter(has_text=title).first.click()


def _path(page) -> str:
    return urlparse(page.url).path.rstrip("/")


def test_back_from_the_playground_takes_one_press(page, app_url):
    open_page(page, app_url, "")
    page.get_by_text("See how a neural network learns").wait_for()
    at_home = page.evaluate("() => history.length")
    _nav(page, "Playground")
    page.get_by_text(PLAYGROUND_TITLE).wait_for()
    page.wait_for_function("() => location.search.includes('lr=')")  # the experiment is in the address bar
    wait_for_app(page)
    # A setting changed on the page: still the same history entry, the address bar follows it.
    before = page.evaluate("() => location.search")
    page.locator("[data-testid=stSidebar]").get_by_text("x1²", exact=True).click()
    page.wait_for_function("(q) => location.search !== q", arg=before)
    wait_for_app(page)
    assert page.evaluate("() => history.length") == at_home + 1, "the playground added history entries"
    page.go_back()
    page.get_by_text("See how a neural network learns").wait_for(timeout=20_000)
    assert _path(page) == urlparse(app_url).path.rstrip("/")
    assert_no_exception(page)


def test_back_and_forward_between_two_pages(page, app_url):
    open_page(page, app_url, "descent")
    _nav(page, "Playground")
    page.get_by_text(PLAYGROUND_TITLE).wait_for()
    page.wait_for_function("() => location.search.includes('lr=')")
    wait_for_app(page)
    page.go_back()
    page.wait_for_function("() => location.pathname.endsWith('/descent')", timeout=20_000)
    wait_for_app(page)
    page.go_forward()
    page.get_by_text(PLAYGROUND_TITLE).wait_for(timeout=20_000)
    assert _path(page).endswith("/playground")
    assert_no_exception(page)
