"""The functions and backpropagation pages open in real Chromium: no exception, the charts are
drawn (Vega-Lite on the functions page's default tab, plotly on backpropagation), the LaTeX renders (no KaTeX error), and a screenshot of each is saved. (The widgets'
behaviour is covered by the AppTests in tests/pages/; this stays short because Chromium is slow.)"""

from __future__ import annotations

import pytest

from tests.browser.conftest import assert_no_exception, open_page, screenshot


@pytest.fixture(scope="module")
def warm_app(app_url, browser) -> str:
    """Run app.py once (its st.navigation) before any deep link: on a fresh server a deep link can
    otherwise be served as a bare page, without the app's shell and layout."""
    context = browser.new_context()
    page = context.new_page()
    open_page(page, app_url, "")
    context.close()
    return app_url


def _drawn(page, charts: int = 1) -> None:
    page.wait_for_function(  # plotly has drawn this many visible charts
        "n => [...document.querySelectorAll('[data-testid=stPlotlyChart] .main-svg')]"
        ".filter(e => e.getBoundingClientRect().width > 0).length >= n", arg=charts, timeout=30_000)
    assert_no_exception(page)
    assert page.locator(".katex-error").count() == 0, page.locator(".katex-error").first.inner_text()


def _vega_drawn(page, charts: int) -> None:
    """This many visible Vega canvases with curves on them (coloured pixels, not just grey axes)."""
    page.wait_for_function(
        """n => [...document.querySelectorAll('[data-testid=stVegaLiteChart] canvas')].filter(c => {
            if (c.getBoundingClientRect().width === 0) return false;
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            let coloured = 0;
            for (let i = 0; i < d.length; i += 4)
                if (d[i + 3] > 0 && Math.max(d[i], d[i + 1], d[i + 2]) - Math.min(d[i], d[i + 1], d[i + 2]) > 60) coloured++;
            return coloured > 200;
        }).length >= n""", arg=charts, timeout=30_000)


def test_functions_page(page, warm_app):
    page.set_viewport_size({"width": 1400, "height": 1300})  # Streamlit scrolls inside: show more
    open_page(page, warm_app, "functions")
    page.get_by_text("The notes' comparison table").wait_for()
    _vega_drawn(page, 2)  # f(z) and f'(z): Vega-Lite, the default tab loads no plotly
    assert page.locator("[data-testid=stPlotlyChart]").count() == 0
    assert_no_exception(page)
    assert page.locator(".katex-error").count() == 0, page.locator(".katex-error").first.inner_text()
    assert page.locator(".katex:visible").count() >= 6  # f and f' of each default activation
    screenshot(page, "functions")


def test_backprop_page(page, warm_app):
    page.set_viewport_size({"width": 1400, "height": 1300})
    open_page(page, warm_app, "backprop")
    page.get_by_text("A common slip").wait_for()
    _vega_drawn(page, 1)  # the loss slice: Vega-Lite, the default tab loads no plotly (issue #16)
    assert page.locator("[data-testid=stPlotlyChart]").count() == 0
    assert_no_exception(page)
    assert page.locator(".katex-error").count() == 0, page.locator(".katex-error").first.inner_text()
    assert page.locator("[data-testid=stMetricValue]", has_text="0.2238").count() == 1  # the corrected weight
    page.locator("[data-testid=stVegaLiteChart]").first.scroll_into_view_if_needed()  # the chart, in the shot
    screenshot(page, "backprop")
