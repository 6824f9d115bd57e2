"""The loss-landscape page in real Chromium: the paths view is a canvas map (no plotly loaded on a first
visit) that draws, reads out a path point on hover and replays the runs on Play; the side-by-side slices
are canvas maps too, the loss curves a canvas chart with a hover readout; the honesty check, the
interpolations and the 3D surface render (plotly draws its SVG or WebGL), with screenshots to look at."""

from __future__ import annotations

import pytest

from tests.browser.conftest import ARTIFACTS, DEVICES, assert_no_exception, open_page, painted, screenshot, wait_for_app

MAP = "[data-nnviz=descent-map]"


def _plot_drawn(page, count: int = 1) -> None:
    page.wait_for_function(
        f"document.querySelectorAll('[data-testid=stPlotlyChart] .main-svg').length >= {count}", timeout=30_000)


def _maps_ready(page, count: int) -> None:
    page.wait_for_function(
        f"document.querySelectorAll(\"{MAP}[data-kind=landscape-map][data-ready='1']\").length >= {count}",
        timeout=60_000)


def _open_tab(page, name: str, plotly: bool = True) -> None:
    """Click a tab (stateful tabs: the click reruns the page, which computes and draws only that tab)."""
    page.get_by_role("tab", name=name).click()
    page.wait_for_timeout(300)
    wait_for_app(page)
    if plotly:
        page.wait_for_function(
            "() => [...document.querySelectorAll('[data-testid=stPlotlyChart] .main-svg')]"
            ".some(e => e.getBoundingClientRect().width > 0)", timeout=30_000)
        page.wait_for_timeout(400)  # let plotly finish its transitions


def _plotly_loaded(page) -> bool:
    return page.evaluate("() => performance.getEntriesByType('resource').some(e => /plotly/i.test(e.name))")


def test_landscape_comparison_views(page, app_url):
    page.set_viewport_size({"width": 1400, "height": 1700})  # Streamlit scrolls inside: show the whole view
    # Home first: on a fresh server a deep link can arrive before app.py's st.navigation has run once,
    # and Streamlit then serves the page without the app's shell (see the report).
    open_page(page, app_url, "")
    open_page(page, app_url, "landscape")
    page.get_by_text("Paths on the landscape").first.wait_for()
    _maps_ready(page, 1)  # the contour picture is drawn under the paths
    assert_no_exception(page)
    # The default compares four learning rates; the largest diverges and says so, in the legend too.
    page.get_by_text("diverged at step").first.wait_for()
    legend = page.locator(f"{MAP} .gdm-legend").inner_text()
    assert "η = 0.1" in legend and "η = 30 (diverged at step" in legend and "on the plane of the paths" in legend
    assert painted(page, f"{MAP} canvas.gdm-base") > 0.3
    # The default view needs no plotly: no chart of it, and its bundle is not even fetched.
    assert page.locator("[data-testid=stPlotlyChart]").count() == 0 and not _plotly_loaded(page)
    steps = int(page.locator(MAP).get_attribute("data-step"))
    assert steps > 10  # a frame per snapshot, opened on the finished runs
    page.wait_for_timeout(300)
    screenshot(page, "landscape_paths")

    # Hover on the plot: the plane's loss under the pointer.
    canvas = page.locator(f"{MAP} canvas[data-nnviz=map-plot]")
    box = canvas.bounding_box()
    left, top, width, height = (float(v) for v in canvas.get_attribute("data-plot").split(","))
    page.mouse.move(box["x"] + left + 0.05 * width, box["y"] + top + 0.95 * height)
    tip = page.locator(f"{MAP} .gdm-tip")
    tip.wait_for(state="visible")
    assert "loss on the plane" in tip.inner_text()

    # Play replays the runs snapshot by snapshot in the browser; the readout shows training steps.
    page.locator(f"{MAP} [data-nnviz=play]").click()
    page.wait_for_function(f"() => +document.querySelector('{MAP}').dataset.step > 2")
    page.locator(f"{MAP} [data-nnviz=play]").click()  # Pause
    held = int(page.locator(MAP).get_attribute("data-step"))
    assert 0 < held < steps
    label = int(page.locator(f"{MAP} [data-nnviz=step]").inner_text())
    assert label >= held  # a training step, not the frame's index
    page.mouse.move(5, 5)
    page.locator(MAP).first.screenshot(path=str(ARTIFACTS / "landscape_paths_playing.png"))

    _open_tab(page, "Is the picture honest?")
    screenshot(page, "landscape_honesty")

    _open_tab(page, "Sharp or flat?", plotly=False)
    _maps_ready(page, 4)  # one slice per run, on canvas
    assert_no_exception(page)
    titles = page.locator(f"{MAP} .gdm-title").all_inner_texts()
    assert titles[:3] == ["η = 0.1", "η = 0.3", "η = 1"] and "diverged at step" in titles[3]
    screenshot(page, "landscape_slices")

    _open_tab(page, "Initial to final")
    screenshot(page, "landscape_interpolation")

    _open_tab(page, "Loss curves", plotly=False)
    curves = "[data-nnviz=descent-curves][data-kind=landscape-curves]"
    page.wait_for_selector(f"{curves}[data-ready='1']")
    assert painted(page, f"{curves} canvas") > 0.02
    # Hover the first snapshot (step 0, the same loss for every run, at the plot's left edge).
    box = page.locator(f"{curves} canvas").bounding_box()
    tip = page.locator(f"{curves} .gdm-tip")
    for fy in [k / 40 for k in range(2, 38)]:  # down the left edge, past the faint mini-batch spikes
        page.mouse.move(box["x"] + 52, box["y"] + fy * box["height"])
        if tip.is_visible() and "training-set loss" in tip.inner_text():
            break
    assert "step 0" in tip.inner_text() and "training-set loss" in tip.inner_text()
    screenshot(page, "landscape_curves")

    _open_tab(page, "Paths on the landscape", plotly=False)
    _maps_ready(page, 1)
    page.get_by_role("radio", name="3D", exact=True).click()
    wait_for_app(page)
    page.wait_for_selector("[data-testid=stPlotlyChart] .gl-container canvas", timeout=60_000)
    page.wait_for_timeout(1200)
    assert_no_exception(page)
    screenshot(page, "landscape_surface")


#: For each chosen value (its label): whether it is shown whole inside its control, not cut short (an
#: ellipsis) or clipped by a box that hides overflow. A chosen value is a pressed pill or a select chip.
CHOSEN_SHOWN = """([key, labels]) => {
  const box = document.querySelector(`.st-key-${key}`);
  const clipped = (el) => {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.left < 0 || r.right > window.innerWidth + 0.5) return true;
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      const style = getComputedStyle(a);
      if (style.overflowX === 'visible' && style.overflowY === 'visible') continue;
      const c = a.getBoundingClientRect();
      const outside = r.left < c.left - 0.5 || r.right > c.right + 0.5 || r.top < c.top - 0.5 || r.bottom > c.bottom + 0.5;
      if (outside) return true;
    }
    return el.scrollWidth > el.clientWidth + 1;
  };
  const out = {};
  for (const label of labels) {
    const found = [...box.querySelectorAll('*')].filter(e => e.children.length === 0 && e.textContent.trim() === label
      && e.closest('button[aria-pressed=true], [data-tag]'));
    out[label] = found.some(e => !clipped(e));
  }
  return out;
}"""


def chosen_shown(page, key: str, labels: list[str], device: str) -> dict[str, bool]:
    """``CHOSEN_SHOWN`` for the control ``key`` scrolled into view (Streamlit's main area scrolls), with a
    picture of it."""
    control = page.locator(f".st-key-{key}")
    control.locator("button[aria-pressed=true], [data-tag]").first.wait_for()
    control.scroll_into_view_if_needed()
    control.screenshot(path=str(ARTIFACTS / f"landscape_{key}_{device}.png"))
    return page.evaluate(CHOSEN_SHOWN, [key, labels])


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_every_chosen_run_is_readable(browser, app_url, device):
    """The runs to compare: four learning rates (the default) and four optimizers, every chosen value shown
    whole at 390x844 and in the desktop's narrow settings column (a multiselect hid the fourth chip)."""
    context = browser.new_context(**DEVICES[device])
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        open_page(page, app_url, "")
        open_page(page, app_url, "landscape")
        rates = chosen_shown(page, "ls_rates", ["0.1", "0.3", "1", "30"], device)
        assert all(rates.values()), rates
        page.get_by_text("optimizers", exact=True).click()  # the Compare radio
        wait_for_app(page)
        page.locator(".st-key-ls_optimizers").locator("button[aria-pressed=true], [data-tag]").first.wait_for()
        if page.locator(".st-key-ls_optimizers button[aria-pressed]").count():  # pills: add a fourth optimizer
            page.locator(".st-key-ls_optimizers").get_by_role("button", name="Nesterov").click()
        else:  # the multiselect this replaced
            page.locator(".st-key-ls_optimizers input").click()
            page.get_by_role("option", name="Nesterov").click()
            page.keyboard.press("Escape")
        page.wait_for_timeout(300)
        wait_for_app(page)
        chosen = chosen_shown(page, "ls_optimizers", ["SGD", "Momentum", "Nesterov", "Adam"], device)
        assert all(chosen.values()), chosen
        assert_no_exception(page)
    finally:
        context.close()
