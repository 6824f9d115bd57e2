"""The loss-landscape page in real Chromium: the paths view, the honesty check and the side-by-side
slices render (plotly draws its SVG), with screenshots to look at."""

from __future__ import annotations

from tests.browser.conftest import assert_no_exception, open_page, screenshot, wait_for_app


def _plot_drawn(page, count: int = 1) -> None:
    page.wait_for_function(
        f"document.querySelectorAll('[data-testid=stPlotlyChart] .main-svg').length >= {count}", timeout=30_000)


def _open_tab(page, name: str) -> None:
    """Click a tab (stateful tabs: the click reruns the page, which computes and draws only that tab)."""
    page.get_by_role("tab", name=name).click()
    page.wait_for_timeout(300)
    wait_for_app(page)
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=stPlotlyChart] .main-svg')]"
        ".some(e => e.getBoundingClientRect().width > 0)", timeout=30_000)
    page.wait_for_timeout(400)  # let plotly finish its transitions


def test_landscape_comparison_views(page, app_url):
    page.set_viewport_size({"width": 1400, "height": 1700})  # Streamlit scrolls inside: show the whole view
    # Home first: on a fresh server a deep link can arrive before app.py's st.navigation has run once,
    # and Streamlit then serves the page without the app's shell (see the report).
    open_page(page, app_url, "")
    open_page(page, app_url, "landscape")
    page.get_by_text("Paths on the landscape").first.wait_for()
    _plot_drawn(page)
    assert_no_exception(page)
    # The default compares four learning rates; the largest diverges and says so.
    page.get_by_text("diverged at step").first.wait_for()
    page.wait_for_timeout(500)  # let plotly finish its transitions
    screenshot(page, "landscape_paths")

    _open_tab(page, "Is the picture honest?")
    screenshot(page, "landscape_honesty")

    _open_tab(page, "Sharp or flat?")
    assert_no_exception(page)
    screenshot(page, "landscape_slices")

    _open_tab(page, "Initial to final")
    screenshot(page, "landscape_interpolation")

    _open_tab(page, "Loss curves")
    screenshot(page, "landscape_curves")

    _open_tab(page, "Paths on the landscape")
    page.get_by_role("radio", name="3D", exact=True).click()
    wait_for_app(page)
    page.wait_for_timeout(1200)
    assert_no_exception(page)
    screenshot(page, "landscape_surface")
