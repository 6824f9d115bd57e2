"""The pages' HTML tells Streamlit's frontend where the server is (nnviz/ui/index_page.py): the
script's rule in Chromium at made-up addresses, and a page opened at its own address connecting
without probing that address first."""

import pytest

from nnviz.ui import index_page
from nnviz.ui.common import PAGES
from tests.browser.conftest import assert_no_exception, open_page

SLUGS = ["home", *(p.slug for p in PAGES)]


@pytest.mark.parametrize(("href", "expected"), [
    ("http://127.0.0.1:8501/playground", "http://127.0.0.1:8501/"),
    ("http://127.0.0.1:8501/playground/?x=1#y", "http://127.0.0.1:8501/"),
    ("https://school.example/nnviz/digits", "https://school.example/nnviz/"),
    ("http://127.0.0.1:8501/home", "http://127.0.0.1:8501/"),
    ("http://127.0.0.1:8501/", None),  # the frontend's own search finds / at once
    ("http://127.0.0.1:8501/nnviz/", None),
    ("http://127.0.0.1:8501/playgroundx", None),  # not one of ours: searched as before
])
def test_the_server_address_is_the_page_address_less_our_page_name(page, href, expected):
    html = f"<!DOCTYPE html><html><head>{index_page.backend_script(SLUGS)}</head><body></body></html>"
    page.route("**/*", lambda route: route.fulfill(status=200, content_type="text/html", body=html))
    page.goto(href)
    assert page.evaluate("() => window.__streamlit.BACKEND_BASE_URL ?? null") == expected


def test_a_value_set_by_a_host_is_kept(page):
    html = ("<!DOCTYPE html><html><head><script>window.__streamlit = {BACKEND_BASE_URL: 'http://other/', LIGHT_THEME: 1}"
            f"</script>{index_page.backend_script(SLUGS)}</head><body></body></html>")
    page.route("**/*", lambda route: route.fulfill(status=200, content_type="text/html", body=html))
    page.goto("http://h.example/playground")
    assert page.evaluate("() => window.__streamlit") == {"BACKEND_BASE_URL": "http://other/", "LIGHT_THEME": 1}


@pytest.mark.parametrize("slug", ["playground", "backprop"])
def test_a_page_opened_at_its_own_address_connects_without_probing_it(page, app_url, slug):
    """Without the script the frontend first asks /<slug>/_stcore/health (404) and waits 100 ms."""
    asked = []
    page.on("request", lambda request: asked.append(request.url))
    open_page(page, app_url, slug)
    assert_no_exception(page)
    assert page.evaluate("() => window.__streamlit.BACKEND_BASE_URL") == f"{app_url}/"
    health = [u for u in asked if u.endswith("/_stcore/health")]
    assert health == [f"{app_url}/_stcore/health"], health
    assert page.locator("[data-testid=stSidebarNav]").get_by_text("Playground").count() == 1  # the navigation ran


def test_the_apps_style_and_history_rule_are_in_place_from_the_first_frame(page, app_url):
    """The app's style and the history rule come in the page's HTML (app.py), not as elements of a run:
    the title's top is where the style puts it before the script has run, and the page holds no
    ``st.html`` element of ours."""
    tops = []
    page.expose_function("reportTop", lambda top: tops.append(top))
    page.add_init_script("""new MutationObserver((_, obs) => {
      const main = document.querySelector('[data-testid=stMainBlockContainer]');
      if (main) { window.reportTop(getComputedStyle(main).paddingTop); obs.disconnect(); }
    }).observe(document, {subtree: true, childList: true});""")
    open_page(page, app_url, "descent")
    assert_no_exception(page)
    assert page.evaluate("() => window.__nnvizHistory === true")
    assert page.locator("head style[data-nnviz-style]").count() == 1
    assert tops[:1] == ["40px"]  # 2.5rem from the container's first frame (Streamlit's own is 6rem)
    assert page.evaluate("() => getComputedStyle(document.querySelector('[data-testid=stMainBlockContainer]'))"
                         ".paddingTop") == "40px"
    assert page.locator("[data-testid=stHtml]").count() == 0
