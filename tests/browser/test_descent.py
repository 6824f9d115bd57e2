"""The gradient-descent page in real Chromium: the 2D map is a canvas (no plotly on the default view),
it draws, Play animates it in the browser (its step attribute moves), Pause holds it, the 3D view draws
in its tab, a click on the map moves the start point (shown rounded in the start box), which survives a
visit to another page, the learning-rate preset shows a divergence in red, and the 1D view (a canvas too)
draws and plays.
Screenshots: tests/artifacts/descent_*.png."""

from __future__ import annotations

from nnviz.ui import first_paint
from tests.browser.conftest import ARTIFACTS, assert_no_exception, open_page, screenshot, wait_for_app

MAP = "[data-nnviz=descent-map]"
REST = f".st-key-{first_paint.KEY_PREFIX}descent"  # the element holding the page's rest on a first visit
PLOT = f"{MAP} canvas[data-nnviz=map-plot]"
START = 'input[aria-label="Start point (x, y)"]'


def _shoot(page, selector: str, name: str) -> None:
    """A screenshot of one element (cheaper than the whole page)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.locator(selector).first.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def _step(page) -> int:
    return int(page.locator(MAP).get_attribute("data-step"))


def _rerun_done(page) -> None:
    page.wait_for_timeout(400)
    wait_for_app(page)


def _plot_point(page, fx: float, fy: float) -> tuple[float, float]:
    """Page coordinates of the point at fractions (fx, fy) of the map's plot area (from its top left)."""
    canvas = page.locator(PLOT)
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    left, top, width, height = (float(v) for v in canvas.get_attribute("data-plot").split(","))
    return box["x"] + left + fx * width, box["y"] + top + fy * height


def _drawn_pixels(page) -> int:
    """How many of the plot's pixels are not white on the base canvas (the contour picture is drawn)."""
    return page.evaluate("""() => {
      const c = document.querySelector('[data-nnviz=descent-map] canvas.gdm-base');
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let n = 0; for (let i = 0; i < d.length; i += 4) if (d[i] < 240 || d[i + 1] < 240 || d[i + 2] < 240) n++;
      return n; }""")


def test_descent_race_plays_and_responds(page, app_url):
    page.set_viewport_size({"width": 1500, "height": 3300})  # Streamlit scrolls inside: show the whole page
    # Home first: a deep link to a fresh server can arrive before app.py's st.navigation ran once.
    open_page(page, app_url, "")
    page.locator("[data-testid=stSidebarNav] a", has_text="Gradient descent").click()
    page.get_by_text("Gradient descent lab").first.wait_for()
    page.wait_for_selector(f"{MAP}[data-ready='1']")  # the contour picture is drawn
    page.wait_for_selector("[data-nnviz=descent-curves][data-ready='1']")  # the loss chart too
    wait_for_app(page)
    assert_no_exception(page)
    assert _step(page) == 200  # the map opens on the finished race
    assert _drawn_pixels(page) > 100_000
    legend = page.locator(f"{MAP} .gdm-legend").inner_text()
    assert "SGD, η = 0.15" in legend and "−∇f: downhill" in legend
    # The default view needs no plotly: no chart of it, and its bundle is not even fetched.
    assert page.locator("[data-testid=stPlotlyChart]").count() == 0
    assert not page.evaluate("() => performance.getEntriesByType('resource').some(e => /plotly/i.test(e.name))")
    page.wait_for_timeout(300)
    screenshot(page, "descent_initial")

    # Hover: a readout of (x, y) and f; on a run's head, that run's point.
    page.mouse.move(*_plot_point(page, 0.25, 0.8))
    tip = page.locator(f"{MAP} .gdm-tip")
    tip.wait_for(state="visible")
    assert "f = " in tip.inner_text() and "click: start here" in tip.inner_text()
    _shoot(page, MAP, "descent_hover")

    # Play: the heads go back to step 0 and move at the browser's pace; Pause holds them.
    page.locator(f"{MAP} [data-nnviz=play]").click()
    page.wait_for_function(f"() => +document.querySelector('{MAP}').dataset.step > 5")
    playing = _step(page)
    assert 0 < playing < 200
    page.wait_for_timeout(400)
    assert _step(page) > playing  # still moving
    _shoot(page, MAP, "descent_playing")
    page.locator(f"{MAP} [data-nnviz=play]").click()  # Pause
    paused = _step(page)
    page.wait_for_timeout(600)
    assert _step(page) == paused and page.locator(MAP).get_attribute("data-playing") == "0"

    # The detail views sit in tabs drawn when opened: the 3D surface with the paths (plotly).
    page.get_by_role("tab", name="In 3D").click()
    page.wait_for_selector("[data-testid=stPlotlyChart] .gl-container canvas", timeout=60_000)
    _rerun_done(page)
    assert_no_exception(page)
    page.wait_for_timeout(500)
    screenshot(page, "descent_3d")
    page.get_by_role("tab", name="Loss").click()
    _rerun_done(page)
    _shoot(page, "[data-nnviz=descent-curves]", "descent_loss")

    # A click on the map (top right of the plot area) moves the start point there, rounded.
    page.mouse.click(*_plot_point(page, 0.8, 0.2))
    page.wait_for_function(
        f"() => {{ const i = document.querySelector('{START}'); return i && i.value !== '-2.5, 2'; }}", timeout=30_000)
    _rerun_done(page)
    text = page.locator(START).input_value()
    x, y = (float(v) for v in text.split(","))
    assert abs(x - 1.8) < 0.1 and abs(y - 1.8) < 0.1  # the bowl's domain is [-3, 3]^2: 0.8 across, 0.2 down
    assert all(len(v.strip().split(".")[-1]) <= 2 or "." not in v for v in text.split(","))  # rounded
    page.wait_for_selector(f"{MAP}[data-ready='1']")
    assert _step(page) == 200  # a new race opens finished
    page.mouse.move(5, 5)
    _shoot(page, MAP, "descent_picked")

    # Another page and back (same session): the start point and the runs are kept.
    page.locator("[data-testid=stSidebarNav] a", has_text="Home").click()
    page.get_by_text("See how a neural network learns").wait_for()
    page.locator("[data-testid=stSidebarNav] a", has_text="Gradient descent").click()
    page.wait_for_selector(f"{MAP}[data-ready='1']")
    _rerun_done(page)
    assert page.locator(START).input_value() == text

    # The learning-rate preset: one run diverges, shown in red as a result, not an exception.
    page.get_by_role("button", name="Learning rates compared").click()
    page.get_by_text("diverged at step").first.wait_for()
    _rerun_done(page)
    page.mouse.move(5, 5)  # no tooltip in the screenshot
    assert_no_exception(page)
    assert page.locator("[data-testid=stAlertContainer]").count() == 0
    screenshot(page, "descent_learning_rates")
    _shoot(page, MAP, "descent_learning_rates_map")

    # 1D: the curve with tangents and steps, on canvas too; Play slides the points along it.
    page.get_by_text("1D curve").click()
    page.get_by_text("Dashed: the tangent").first.wait_for()
    _rerun_done(page)
    curve = f"{MAP}[data-kind=descent-curve]"
    page.wait_for_selector(f"{curve}[data-ready='1']")
    assert_no_exception(page)
    assert page.locator("[data-testid=stPlotlyChart]").count() == 0
    assert _step(page) == 50
    page.mouse.move(*_plot_point(page, 0.5, 0.9))  # over the valley: the curve's x and f
    page.locator(f"{curve} .gdm-tip").wait_for(state="visible")
    screenshot(page, "descent_1d")
    page.locator(f"{curve} [data-nnviz=play]").click()
    page.wait_for_function(f"() => +document.querySelector('{curve}').dataset.step > 3")
    page.locator(f"{curve} [data-nnviz=play]").click()
    _shoot(page, curve, "descent_1d_playing")


def test_a_first_visit_shows_the_map_first_then_the_runs(browser, app_url):
    """A new visitor's first run draws the controls and the map and says the runs are on their way;
    the browser then asks for them, once, and the page becomes whole (nnviz/ui/first_paint.py)."""
    first_tab = browser.new_page()
    open_page(first_tab, app_url, "")  # a fresh server's first request is app.py's
    first_tab.close()
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    sent: list[int] = []  # messages the page sent (reruns asked for among them)
    page.on("websocket", lambda ws: ws.on("framesent", lambda payload: sent.append(len(payload))))
    try:
        page.goto(f"{app_url}/descent")
        page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]")
        page.wait_for_selector(f"{MAP}[data-ready='1']")
        first = page.evaluate("""(rest) => ({
          pending: document.querySelector(rest) !== null,
          cards: document.querySelector('.st-key-gd_opt_0') !== null })""", REST)
        assert first["pending"] or first["cards"]
        wait_for_app(page)
        assert page.locator(".st-key-gd_opt_0").count() == 1, "the run cards never came"
        assert page.locator(REST).count() == 0
        assert page.locator("[data-nnviz=descent-curves]").count() == 1
        assert_no_exception(page)
        # The controls drawn in the first run show the values the script used in the second
        # (a rerun asked for while a widget was still loading redrew it at its default).
        assert page.locator(START).input_value() == "-2.5, 2"
        steps = page.locator("[data-testid=stSlider]").filter(has_text="Steps")
        assert steps.locator("[data-testid=stSliderThumbValue]").inner_text() == "200"
        assert page.locator("[data-testid=stCheckbox]").filter(has_text="−∇f arrow").locator("input").is_checked()
        page.wait_for_timeout(1000)
        asked = len(sent)
        page.wait_for_timeout(1000)
        assert len(sent) == asked, "the page kept asking for reruns"
        # A later visit in the same session draws the page whole in one run.
        # Each page's own heading first, so that what is checked is that page (and, should the cards
        # not come, the message says where the page is).
        page.locator("[data-testid=stSidebarNav] a", has_text="Functions").click()
        page.get_by_role("heading", name="Functions").first.wait_for()
        wait_for_app(page)
        page.locator("[data-testid=stSidebarNav] a", has_text="Gradient descent").click()
        page.get_by_role("heading", name="Gradient descent lab").first.wait_for()
        wait_for_app(page)
        assert page.locator(REST).count() == 0
        cards = page.locator(".st-key-gd_opt_0")
        where = f"{page.url}\n{page.locator('[data-testid=stMain]').inner_text()[:600]}"
        assert cards.count() == 1 and cards.is_visible(), f"no run cards on the return visit: {where}"
    finally:
        context.close()
