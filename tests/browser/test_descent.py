"""The gradient-descent page in real Chromium: the race animates in the browser (the map stays drawn
while it plays), the 3D view draws in its tab, a click on the map moves the start point, which survives a visit to another page, the
learning-rate preset shows a divergence in red, and the 1D view draws. Screenshots:
tests/artifacts/descent_*.png."""

from __future__ import annotations

from tests.browser.conftest import ARTIFACTS, assert_no_exception, open_page, screenshot, wait_for_app

MAP = "[data-testid=stPlotlyChart] .js-plotly-plot"


def _shoot_map(page, name: str) -> None:
    """A screenshot of the map alone (cheaper than the whole page)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.locator("[data-testid=stPlotlyChart]").first.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def _step_shown(page) -> int:
    text = page.locator(f"{MAP} text.slider-label", has_text="step").first.text_content() or ""
    return int(text.replace("step", "").strip())


def _rerun_done(page) -> None:
    page.wait_for_timeout(400)
    wait_for_app(page)


def test_descent_race_plays_and_responds(page, app_url):
    page.set_viewport_size({"width": 1500, "height": 3300})  # Streamlit scrolls inside: show the whole page
    # Home first: a deep link to a fresh server can arrive before app.py's st.navigation ran once.
    open_page(page, app_url, "")
    page.locator("[data-testid=stSidebarNav] a", has_text="Gradient descent").click()
    page.get_by_text("Gradient descent lab").first.wait_for()
    page.wait_for_selector(f"{MAP} image")  # the contour map (a layout image)
    page.wait_for_selector(f"{MAP} g.updatemenu-button")
    assert_no_exception(page)
    last = _step_shown(page)
    assert last == 200  # the figure opens on the finished race
    page.wait_for_timeout(500)
    screenshot(page, "descent_initial")

    # The detail views sit in tabs drawn when opened: the 3D surface with the paths.
    page.get_by_role("tab", name="In 3D").click()
    page.wait_for_selector("[data-testid=stPlotlyChart] .gl-container canvas", timeout=60_000)
    _rerun_done(page)
    assert_no_exception(page)
    page.wait_for_timeout(500)
    screenshot(page, "descent_3d")
    page.get_by_role("tab", name="Loss").click()
    _rerun_done(page)

    # Play: the heads go back to step 0 and move; the map and the faint paths stay drawn.
    page.locator(f"{MAP} g.updatemenu-button").first.click()
    page.wait_for_timeout(1500)
    playing = _step_shown(page)
    assert 0 < playing < last
    assert page.locator(f"{MAP} image").count() == 1
    assert page.locator(f"{MAP} g.scatterlayer g.trace").count() >= 12
    _shoot_map(page, "descent_playing")
    page.locator(f"{MAP} g.updatemenu-button").nth(1).click()  # Pause
    page.wait_for_timeout(300)
    paused = _step_shown(page)
    page.wait_for_timeout(700)
    assert _step_shown(page) == paused

    # A click on the map (top right of the plot area) moves the start point there.
    box = page.locator(f"{MAP} .nsewdrag").first.bounding_box()
    px, py = box["x"] + 0.8 * box["width"], box["y"] + 0.2 * box["height"]
    page.mouse.move(px, py)  # plotly picks the hovered point of the click grid; the click selects it
    page.wait_for_timeout(400)
    page.mouse.click(px, py)
    start_box = page.locator('input[aria-label="Start point (x, y)"]')
    page.wait_for_function(
        "() => { const i = document.querySelector('input[aria-label=\"Start point (x, y)\"]');"
        " return i && i.value !== '-2.5, 2'; }", timeout=30_000)
    _rerun_done(page)
    x, y = (float(v) for v in start_box.input_value().split(","))
    assert x > 1.0 and y > 1.0  # the bowl's domain is [-3, 3]^2: top right
    page.wait_for_selector(f"{MAP} image")
    _shoot_map(page, "descent_picked")

    # Another page and back (same session): the start point and the runs are kept.
    picked = start_box.input_value()
    page.locator("[data-testid=stSidebarNav] a", has_text="Home").click()
    page.get_by_text("See how a neural network learns").wait_for()
    page.locator("[data-testid=stSidebarNav] a", has_text="Gradient descent").click()
    page.wait_for_selector(f"{MAP} image")
    _rerun_done(page)
    assert start_box.input_value() == picked

    # The learning-rate preset: one run diverges, shown in red as a result, not an exception.
    page.get_by_role("button", name="Learning rates compared").click()
    page.get_by_text("diverged at step").first.wait_for()
    _rerun_done(page)
    page.mouse.move(5, 5)  # no tooltip in the screenshot
    assert_no_exception(page)
    assert page.locator("[data-testid=stAlertContainer]").count() == 0
    screenshot(page, "descent_learning_rates")

    # 1D: the curve with tangents and steps.
    page.get_by_text("1D curve").click()
    page.get_by_text("Dashed: the tangent").first.wait_for()
    _rerun_done(page)
    page.wait_for_selector(f"{MAP} g.updatemenu-button")
    assert_no_exception(page)
    screenshot(page, "descent_1d")
