"""The home page opens in real Chromium and links every page."""

from tests.browser.conftest import assert_no_exception, open_page, screenshot


def test_home_page_renders(page, app_url):
    open_page(page, app_url, "")
    page.get_by_text("See how a neural network learns").wait_for()
    assert_no_exception(page)
    screenshot(page, "home")
