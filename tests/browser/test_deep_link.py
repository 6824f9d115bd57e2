"""A shared link opened first on a fresh server shows the page inside the app's navigation
(Streamlit's old automatic pages/ mode must not take over)."""

from tests.browser.conftest import assert_no_exception, screenshot, serve_app, wait_for_app


def test_deep_link_on_a_fresh_server_uses_the_app_navigation(page):
    with serve_app("streamlit-deep-link") as url:
        page.goto(f"{url}/functions")
        wait_for_app(page)
        page.get_by_role("heading", name="Functions").first.wait_for()
        items = page.locator("[data-testid=stSidebarNavItems] a").all_inner_texts()
        assert any("Home" in item for item in items), items
        assert not any(item.strip() in ("app", "functions") for item in items), items
        assert_no_exception(page)
        screenshot(page, "deep_link_functions")
