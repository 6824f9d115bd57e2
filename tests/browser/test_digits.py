"""The digits page in real Chromium: draw digits with the mouse, read the prediction; train in the
page (frames played between ticks, a hidden tab pauses and resumes, Pause, evaluation), screenshot."""

from __future__ import annotations

import re
import time

import pytest

from tests.browser.conftest import DEVICES, assert_no_exception, open_page, painted, screenshot, wait_for_app
from tests.browser.visibility import hide, show

CANVAS = "[data-testid=stBidiComponentIsolated] canvas.upper-canvas"


def draw(page, strokes: list[list[tuple[float, float]]]) -> None:
    """Each stroke is a polyline in canvas pixels (0..280), drawn with the mouse button held."""
    canvas = page.locator(CANVAS).first
    canvas.wait_for()
    box = canvas.bounding_box()
    for pts in strokes:
        page.mouse.move(box["x"] + pts[0][0], box["y"] + pts[0][1])
        page.mouse.down()
        for (x0, y0), (x1, y1) in zip(pts, pts[1:], strict=False):
            for t in range(1, 11):  # intermediate points, like a real hand movement
                page.mouse.move(box["x"] + x0 + (x1 - x0) * t / 10, box["y"] + y0 + (y1 - y0) * t / 10)
        page.mouse.up()


def prediction(page) -> str:
    metric = page.locator("[data-testid=stMetric]").filter(has_text="Default model says").first
    metric.wait_for()
    return metric.locator("[data-testid=stMetricValue]").inner_text().strip()


def wait_for_images(page) -> None:
    """Until every st.image on the page has loaded (they are fetched after the run ends)."""
    page.wait_for_function(
        "() => { const imgs = [...document.querySelectorAll('[data-testid=stImage] img')];"
        " return imgs.length >= 5 && imgs.every(i => i.complete && i.naturalWidth > 0); }", timeout=30_000)


def clear(page) -> None:
    page.get_by_role("button", name="Reset canvas & history").first.click()


def wait_for_prediction(page, digit: str) -> None:
    """Until the default model's metric shows ``digit`` (screenshot first if it never does)."""
    try:
        page.wait_for_function(
            "d => [...document.querySelectorAll('[data-testid=stMetric]')]"
            ".some(m => m.innerText.includes('Default model says') && m.innerText.split('\\n').includes(d))",
            arg=digit, timeout=30_000)
    except Exception:
        screenshot(page, f"digits-failed-{digit}")
        raise


def test_draw_digits_and_see_the_prediction(page, app_url):
    # Through the entry point first: a server whose first request is a page URL serves pages/
    # without app.py's navigation and layout.
    open_page(page, app_url, "")
    page.set_viewport_size({"width": 1400, "height": 1900})  # the whole page in the screenshots
    open_page(page, app_url, "digits")
    page.get_by_text("Draw a digit on the canvas").first.wait_for()
    assert_no_exception(page)
    screenshot(page, "digits-empty")

    draw(page, [[(85, 65), (195, 65), (125, 225)]])  # a 7
    wait_for_prediction(page, "7")
    assert prediction(page) == "7"
    assert_no_exception(page)
    page.get_by_text("What the network sees").first.wait_for()
    wait_for_images(page)
    screenshot(page, "digits-seven")

    clear(page)
    page.get_by_text("Draw a digit on the canvas").first.wait_for()
    draw(page, [[(125, 80), (145, 55), (145, 225)]])  # a 1 with a small flag
    wait_for_prediction(page, "1")
    assert prediction(page) == "1"
    assert_no_exception(page)
    wait_for_images(page)
    screenshot(page, "digits-one")


#: The drawing canvas's shadow root (streamlit-drawable-canvas renders inside one).
CANVAS_ROOT = ("[...document.querySelectorAll('[data-testid=stBidiComponentIsolated]')]"
               ".map(h => h.shadowRoot).find(r => r && r.querySelector('.dc-root'))")
#: What a touch-screen user must be able to see and press without hovering.
TOOLBAR = ("Undo", "Redo", "Reset canvas & history")


def toolbar(page) -> dict:
    """Per toolbar button: its box on screen, its toolbar's opacity, and whether a tap at its centre
    reaches it (nothing covers it); plus the drawing's ink (the fraction of white-ish pixels)."""
    return page.evaluate("""([names, rootJs]) => {
      const root = eval(rootJs);
      const bar = root.querySelector('.dc-toolbar');
      const buttons = {};
      for (const name of names) {
        const b = root.querySelector(`button[aria-label="${name}"]`);
        const r = b.getBoundingClientRect();
        const x = r.left + r.width / 2, y = r.top + r.height / 2;
        buttons[name] = {left: r.left, right: r.right, top: r.top, bottom: r.bottom, width: r.width, height: r.height,
                         reached: root.elementFromPoint(x, y)?.closest('button') === b};
      }
      const c = root.querySelector('canvas.dc-canvas.lower-canvas');
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let ink = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i] > 128) ink++;
      return {opacity: +getComputedStyle(bar).opacity, buttons, ink: ink / (d.length / 4),
              shown: [...root.querySelectorAll('.dc-toolbar button')].filter(b => b.offsetParent)
                       .map(b => b.ariaLabel)};
    }""", [list(TOOLBAR), CANVAS_ROOT])


def press(page, name: str, touch: bool) -> None:
    button = page.locator(f"[data-testid=stBidiComponentIsolated] button[aria-label='{name}']").first
    button.tap() if touch else button.click()


def wait_for_ink(page, below: float | None = None, above: float | None = None) -> float:
    page.wait_for_function("([rootJs, below, above]) => {"
                           " const c = eval(rootJs).querySelector('canvas.dc-canvas.lower-canvas');"
                           " const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let ink = 0;"
                           " for (let i = 0; i < d.length; i += 4) if (d[i] > 128) ink++; ink /= d.length / 4;"
                           " return (below === null || ink < below) && (above === null || ink > above); }",
                           arg=[CANVAS_ROOT, below, above])
    return toolbar(page)["ink"]


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_the_canvas_toolbar_is_always_shown_and_the_drawing_survives_reruns(browser, app_url, device):
    """Undo, Redo and Clear are shown without hovering (a touch screen cannot hover), fit the screen and
    work by tap; a rerun (the pen width changed) keeps every stroke, and undoing one stroke keeps the rest."""
    touch = device == "phone"
    context = browser.new_context(**DEVICES[device])
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        open_page(page, app_url, "")
        open_page(page, app_url, "digits")
        page.get_by_text("Draw a digit on the canvas").first.wait_for()
        page.locator(CANVAS).first.wait_for()
        page.wait_for_timeout(500)
        if not touch:
            page.mouse.move(5, 5)  # not over the canvas: no hover
        shown = toolbar(page)
        screenshot(page, f"digits-toolbar-{device}")
        assert shown["opacity"] == 1, shown
        width = DEVICES[device]["viewport"]["width"]
        for name, box in shown["buttons"].items():
            assert box["reached"] and 0 <= box["left"] and box["right"] <= width and box["top"] >= 0, (name, box)
            if touch:  # a finger-sized target
                assert min(box["width"], box["height"]) >= 40, (name, box)
        assert shown["shown"] == list(TOOLBAR), shown["shown"]  # no send or edit buttons to stumble on

        draw(page, [[(85, 65), (195, 65)], [(195, 65), (125, 225)]])  # a 7 in two strokes
        wait_for_prediction(page, "7")
        two = toolbar(page)["ink"]
        page.get_by_role("slider", name="Pen width").focus()
        page.keyboard.press("ArrowRight")  # a rerun with another pen width
        page.wait_for_timeout(300)
        wait_for_app(page)
        page.wait_for_timeout(500)
        assert toolbar(page)["ink"] == two and prediction(page) == "7"  # every stroke is still there

        press(page, "Undo", touch)  # the diagonal goes, the bar stays
        one = wait_for_ink(page, below=two * 0.8)
        assert one > 0.01
        press(page, "Undo", touch)  # the bar goes too: the page asks for a drawing again
        page.get_by_text("Draw a digit on the canvas").first.wait_for()
        press(page, "Redo", touch)
        press(page, "Redo", touch)
        wait_for_ink(page, above=two * 0.95)
        wait_for_prediction(page, "7")
        screenshot(page, f"digits-toolbar-{device}-redone")
        press(page, "Reset canvas & history", touch)
        page.get_by_text("Draw a digit on the canvas").first.wait_for()
        assert toolbar(page)["ink"] == 0
        assert_no_exception(page)
    finally:
        context.close()


def click_confusion_cell(page, true: int, predicted: int) -> None:
    """Click the confusion-matrix cell (true, predicted) where plotly draws it."""
    plot = page.locator(".js-plotly-plot").first
    plot.wait_for()
    x, y = plot.evaluate(
        """(el, [t, p]) => { const l = el._fullLayout; const r = el.getBoundingClientRect();
             return [r.left + l.xaxis._offset + l.xaxis.d2p(p), r.top + l.yaxis._offset + l.yaxis.d2p(t)]; }""",
        [true, predicted])
    page.mouse.click(x, y)


#: Counts the animation frames in which the training view's step counter changed.
STEP_PROBE = """() => {
  const probe = window.__dgSteps = {changes: 0, last: null};
  function frame() {
    const el = document.querySelector('.nnv-dg-progress [data-nnviz=step]');
    const now = el ? el.textContent : null;
    if (now !== probe.last) { probe.changes++; probe.last = now; }
    requestAnimationFrame(frame);
  }
  requestAnimationFrame(frame);
}"""


def _step(page) -> int:
    return int(page.locator(".nnv-dg-progress [data-nnviz=step]").first.text_content(timeout=10_000).replace(",", ""))


def test_train_pause_evaluate_and_compare_on_the_canvas(page, app_url):
    page.set_viewport_size({"width": 1400, "height": 2400})
    open_page(page, app_url, "")
    open_page(page, app_url, "digits")
    page.get_by_role("tab", name="Train your own model").click()
    page.get_by_text("Augment the training images").first.wait_for()  # off by default (its server cost)
    page.get_by_text("fresh random variant of its images").first.wait_for()
    epochs = page.get_by_label("Epochs", exact=True)  # not "Help for Epochs"
    epochs.fill("20")  # long enough that Pause comes before the end (about 24 s at the default speed)
    epochs.press("Enter")
    wait_for_app(page)
    page.get_by_role("button", name="Start").click()  # the default MLP
    page.get_by_text("Training: epoch").first.wait_for(timeout=30_000)
    page.evaluate(STEP_PROBE)
    deadline = time.time() + 60
    changes = 0
    while (_step(page) < 10 or changes < 5) and time.time() < deadline:
        time.sleep(0.2)
        changes = page.evaluate("() => window.__dgSteps.changes")
    sched = page.evaluate("() => [...window.__nnvizLiveClock.schedules.values()].map(s => [Math.round(s.dur), s.n])")
    assert _step(page) >= 10 and changes >= 5, (changes, sched)  # played frame by frame, not once a tick
    for canvas in ("loss", "accuracy"):
        assert painted(page, f".nnv-dg-charts [data-nnviz={canvas}]") > 0.005, canvas
    hide(page)  # a background tab: training pauses (the true state, at once) ...
    page.get_by_text("Paused: epoch").first.wait_for(timeout=30_000)
    hidden = _step(page)
    time.sleep(3.0)
    assert _step(page) == hidden and page.get_by_role("button", name="Start").is_enabled()
    show(page)  # ... and goes on when the tab is shown again
    page.get_by_text("Training: epoch").first.wait_for(timeout=30_000)
    deadline = time.time() + 60
    while _step(page) <= hidden and time.time() < deadline:
        time.sleep(0.2)
    assert _step(page) > hidden
    page.get_by_role("button", name="Pause").click()
    page.get_by_text("Paused: epoch").first.wait_for(timeout=30_000)
    paused = _step(page)
    time.sleep(2.0)
    assert _step(page) == paused and page.get_by_text("Paused: epoch").count() == 1
    assert_no_exception(page)
    page.get_by_text("Test accuracy").first.wait_for(timeout=60_000)  # evaluated while paused
    wait_for_app(page)
    page.locator(".js-plotly-plot").first.wait_for()
    wait_for_images(page)
    screenshot(page, "digits-paused")
    page.get_by_role("button", name="Start").click()
    page.get_by_text("Finished: epoch 20.00").first.wait_for(timeout=120_000)
    page.get_by_text("Test accuracy").first.wait_for(timeout=60_000)
    wait_for_app(page)
    click_confusion_cell(page, 4, 9)
    page.get_by_text(re.compile("True 4, predicted 9")).first.wait_for(timeout=30_000)  # not the tooltip
    wait_for_images(page)
    wait_for_app(page)
    assert_no_exception(page)
    screenshot(page, "digits-trained")

    page.get_by_role("tab", name="Draw and predict").click()
    draw(page, [[(85, 65), (195, 65), (125, 225)]])
    wait_for_prediction(page, "7")
    page.locator("[data-testid=stMetric]").filter(has_text="Your model says").first.wait_for()
    page.get_by_text("What the network sees").first.wait_for()  # the explanation below, drawn
    page.locator('[data-nnviz=chart][data-ready="1"]').nth(1).wait_for()  # both models' probabilities, drawn
    wait_for_app(page)
    wait_for_images(page)
    assert_no_exception(page)
    screenshot(page, "digits-compare")


def test_a_drawing_under_the_kernel_pixel_by_pixel(page, app_url):
    """Draw a 7, open Inside a convolution (the hidden layers point there): the drawing is the input;
    a click on it picks the window there, and the sum below is that output pixel's."""
    open_page(page, app_url, "digits")
    draw(page, [[(85, 65), (195, 65), (125, 225)]])
    wait_for_prediction(page, "7")
    page.get_by_text("How one of these feature maps is computed").wait_for()  # under the hidden layers
    page.get_by_role("tab", name="Inside a convolution").click()
    grids = page.locator("[data-nnviz=pixel-grids][data-ready='1']")
    grids.wait_for()
    page.get_by_text("Input: your drawing").wait_for()
    canvas = page.locator("canvas[data-nnviz=pixel-grid]").first
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    cell = box["width"] / 30  # 28 values and one cell of zero padding on each side ("same")
    page.mouse.click(box["x"] + (1 + 12.5) * cell, box["y"] + (1 + 9.5) * cell)  # input row 9, column 12
    page.wait_for_function("() => [...document.querySelectorAll('.katex-mathml annotation')]"
                           ".some(a => a.textContent.includes('K)[9, 12]'))", timeout=30_000)
    page.mouse.move(box["x"] + (1 + 3.5) * cell, box["y"] + (1 + 20.5) * cell)
    page.get_by_text("row 20, column 3:").wait_for()  # the hover readout
    assert_no_exception(page)
    screenshot(page, "digits-convolution")
