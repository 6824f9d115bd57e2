"""The functions and backpropagation pages open in real Chromium: no exception, the canvas charts
are drawn (nnviz.ui.canvas_chart: no Vega-Lite, no plotly, no data grid on the default tabs), the
hover readout lists the curves' values, the LaTeX renders (no KaTeX error), and a screenshot of each
is saved. (The widgets'
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


def _charts_drawn(page, charts: int) -> None:
    """This many visible canvas charts drawn (data-ready="1") with curves or bars on them
    (coloured pixels, not just grey axes)."""
    page.wait_for_function(
        """n => [...document.querySelectorAll('[data-nnviz=chart][data-ready="1"] canvas.nnc-base')].filter(c => {
            if (c.getBoundingClientRect().width === 0) return false;
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            let coloured = 0;
            for (let i = 0; i < d.length; i += 4)
                if (Math.max(d[i], d[i + 1], d[i + 2]) - Math.min(d[i], d[i + 1], d[i + 2]) > 60) coloured++;
            return coloured > 200;
        }).length >= n""", arg=charts, timeout=30_000)


def _no_heavy_charts(page) -> None:
    """Neither Vega-Lite, plotly nor the data grid on the page (their bundles are the slow part)."""
    for testid in ("stVegaLiteChart", "stPlotlyChart", "stDataFrame"):
        assert page.locator(f"[data-testid={testid}]").count() == 0, testid


def _hover_readout(page, chart) -> str:
    """Move the pointer over the middle of ``chart``'s plot and return its readout's text."""
    box = chart.locator("canvas.nnc-over").bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.6, box["y"] + box["height"] * 0.4)
    tip = chart.locator(".nnc-tip")
    tip.wait_for(state="visible")
    return tip.inner_text()


def test_functions_page(page, warm_app):
    page.set_viewport_size({"width": 1400, "height": 1300})  # Streamlit scrolls inside: show more
    open_page(page, warm_app, "functions")
    page.get_by_text("The notes' comparison table").wait_for()
    _charts_drawn(page, 2)  # f(z) and f'(z)
    _no_heavy_charts(page)
    readout = _hover_readout(page, page.locator("[data-nnviz=chart]").first)
    assert readout.startswith("z = ") and all(n in readout for n in ("Sigmoid", "Tanh", "ReLU"))
    assert_no_exception(page)
    assert page.locator(".katex-error").count() == 0, page.locator(".katex-error").first.inner_text()
    assert page.locator(".katex:visible").count() >= 6  # f and f' of each default activation
    screenshot(page, "functions")
    page.get_by_role("tab", name="Softmax").click()
    page.get_by_text("probabilities against T").wait_for()
    _charts_drawn(page, 3)  # the exponentials' and probabilities' bars, the temperature sweep
    _no_heavy_charts(page)
    assert_no_exception(page)
    screenshot(page, "functions-softmax")


def test_backprop_page(page, warm_app):
    page.set_viewport_size({"width": 1400, "height": 1300})
    open_page(page, warm_app, "backprop")
    page.get_by_text("A common slip").wait_for()
    _charts_drawn(page, 1)  # the loss slice (issue 16: the default tab loads no Vega-Lite, plotly or data grid)
    _no_heavy_charts(page)
    assert_no_exception(page)
    assert page.locator(".katex-error").count() == 0, page.locator(".katex-error").first.inner_text()
    assert page.locator("[data-testid=stMetricValue]", has_text="0.2238").count() == 1  # the corrected weight
    chart = page.locator("[data-nnviz=chart]").first
    chart.scroll_into_view_if_needed()  # the chart, in the shot
    assert "L(w)" in chart.locator(".nnc-legend").inner_text()
    assert _hover_readout(page, chart).startswith("w = ")  # the curve's (w, L) at the pointer
    screenshot(page, "backprop")
    page.get_by_role("button", name="Step").first.click()
    _charts_drawn(page, 3)  # the slice, the loss and the weights after a step
    _no_heavy_charts(page)
    assert_no_exception(page)
