"""Your own points in the playground, in real headless Chromium: a click on the surface adds a point
of the chosen class (the count under the plot and the points canvas show it), a drag paints several,
the eraser removes them, all while the network keeps training (the step count goes on, never back to
0); a CSV file replaces the points, and a malformed one is refused with its line number while the
points stay. The notices and errors that come and go above the view never make the browser build it
anew. Screenshots: tests/artifacts/playground-points-*.png."""

from __future__ import annotations

import time

from nnviz.labs.playground.points import DOMAIN
from tests.browser.conftest import ARTIFACTS, assert_no_exception, open_page, screenshot, wait_for_app

COUNT = "[data-nnviz=points-count]"
LO, HI = DOMAIN


def _count(page) -> tuple[int, int]:
    el = page.locator(COUNT).first
    return int(el.get_attribute("data-train") or -1), int(el.get_attribute("data-test") or -1)


def _wait_count(page, check, what: str, timeout: float = 30) -> tuple[int, int]:
    deadline = time.time() + timeout
    while time.time() < deadline:
        got = _count(page)
        if check(got):
            return got
        time.sleep(0.15)
    raise AssertionError(f"{what}: the count stayed at {_count(page)}")


def _step(page) -> int:
    return int(page.locator("[data-nnviz=step]").first.text_content(timeout=10_000).replace(",", ""))


def _screen(page, x1: float, x2: float) -> tuple[float, float]:
    """Screen position of the data point (x1, x2) on the surface."""
    box = page.locator("[data-nnviz=surface]").bounding_box()
    return (box["x"] + (x1 - LO) / (HI - LO) * box["width"], box["y"] + (HI - x2) / (HI - LO) * box["height"])


def _colour_at(page, x1: float, x2: float) -> list[int]:
    """RGBA of the points canvas at the data point (x1, x2)."""
    return page.evaluate("""([x1, x2, lo, hi]) => {
      const c = document.querySelector('[data-nnviz=points]'), s = document.querySelector('[data-nnviz=surface]');
      const cr = c.getBoundingClientRect(), sr = s.getBoundingClientRect(), k = c.width / cr.width;
      const x = (sr.left - cr.left + (x1 - lo) / (hi - lo) * sr.width) * k;
      const y = (sr.top - cr.top + (hi - x2) / (hi - lo) * sr.height) * k;
      return Array.from(c.getContext('2d').getImageData(Math.round(x), Math.round(y), 1, 1).data);
    }""", [x1, x2, LO, HI])


def _watch_rebuilds(page) -> None:
    """Count from now on each time the live view's DOM is taken out of the page (Streamlit builds it
    anew when an element above it comes or goes: the view blinks and replays its batch)."""
    page.evaluate("""() => { window.__nnvRebuilt = 0;
      new MutationObserver((ms) => { for (const m of ms) for (const n of m.removedNodes)
        if (n.nodeType === 1 && (n.matches('.nnv-root') || n.querySelector('.nnv-root'))) window.__nnvRebuilt++; })
      .observe(document.body, {childList: true, subtree: true}); }""")


def _rebuilds(page) -> int:
    return page.evaluate("window.__nnvRebuilt")


def _tool(page, label: str, edit: str) -> None:
    """Pick an edit tool and wait until the live view has it (``data-edit``: "add:1", "erase:")."""
    page.get_by_role("radio", name=label).click()
    page.locator(f"{COUNT}[data-edit='{edit}']").wait_for()


def _open_csv(page) -> None:
    """Open the CSV popover (its uploader and download) unless it is open."""
    if not page.locator("[data-testid=stFileUploaderDropzone]").first.is_visible():
        page.get_by_role("button", name="CSV").click()
    page.locator("[data-testid=stFileUploaderDropzone]").first.wait_for(state="visible")


def test_click_paint_erase_and_upload_while_training(page, app_url, tmp_path):
    page.set_viewport_size({"width": 1400, "height": 1300})
    open_page(page, app_url, "playground")
    page.locator(COUNT).first.wait_for()
    n_train, n_test = _wait_count(page, lambda c: c[0] > 0, "the generated points")
    assert (n_train, n_test) == (250, 250)  # circles, 500 points, half of them test
    screenshot(page, "playground-points-start")
    _watch_rebuilds(page)  # the notices and errors below come and go above the view: it stays

    # One click adds one blue point (class 1) where it lands: the corner is empty in the circles set.
    _tool(page, "Class 1 (blue)", "add:1")
    assert _colour_at(page, 1.25, 1.25)[3] == 0  # nothing drawn there yet
    page.mouse.click(*_screen(page, 1.25, 1.25))
    _wait_count(page, lambda c: c == (251, 250), "a click")
    r, g, b, a = _colour_at(page, 1.25, 1.25)
    assert a == 255 and b > 150 and r < 100, (r, g, b, a)  # the view's blue (8, 119, 189)
    page.get_by_text("Your own points", exact=False).first.wait_for()  # the sidebar says the data is yours
    page.get_by_text("the network now trains on the points you add").wait_for()  # the notice above the view
    assert_no_exception(page)
    assert _rebuilds(page) == 0

    # Training goes on while points are painted: Play, then drag a stroke of orange points.
    page.get_by_role("button", name="Play", exact=True).click()
    deadline = time.time() + 30
    while _step(page) < 20 and time.time() < deadline:
        time.sleep(0.2)
    before = _step(page)
    assert before >= 20
    _tool(page, "Class 0 (orange)", "add:0")
    page.mouse.move(*_screen(page, -1.35, 1.3))
    page.mouse.down()
    for k in range(1, 21):
        page.mouse.move(*_screen(page, -1.35 + k * 0.04, 1.3))  # 0.8 wide: ~107 px, a point every 8 px
    page.mouse.up()
    painted_train, _ = _wait_count(page, lambda c: c[0] >= 251 + 10, "a painted stroke")
    assert painted_train <= 251 + 21
    r, g, b, a = _colour_at(page, -1.35, 1.3)
    assert a == 255 and r > 200 and b < 100, (r, g, b, a)  # the view's orange (245, 147, 34)
    time.sleep(2.5)
    assert _step(page) > before  # still training, never reset to step 0
    screenshot(page, "playground-points-painted")
    page.get_by_role("button", name="Pause", exact=True).click()
    page.get_by_role("button", name="Play", exact=True).wait_for()
    wait_for_app(page)

    # The eraser removes the clicked point (and nothing far from it).
    _tool(page, "Erase", "erase:")
    page.mouse.click(*_screen(page, 1.25, 1.25))
    _wait_count(page, lambda c: c == (painted_train - 1, 250), "the eraser")
    assert _colour_at(page, 1.25, 1.25)[3] == 0

    # A CSV file replaces the points; a malformed one is refused with its line, the points stay.
    _open_csv(page)
    good = tmp_path / "points.csv"
    good.write_text("x1,x2,label,split\n0.5,0.5,1,train\n-0.5,-0.5,0,train\n0.5,-0.5,0,train\n-0.5,0.5,1,test\n")
    page.locator("[data-testid=stFileUploaderDropzoneInput]").first.set_input_files(str(good))
    _wait_count(page, lambda c: c == (3, 1), "the uploaded file")
    wait_for_app(page)
    bad = tmp_path / "bad.csv"
    bad.write_text("x1,x2,label\n0.1,0.2,1\na,b\n")
    _open_csv(page)  # the popover closes when the file's run ends
    page.locator("[data-testid=stFileUploaderDropzoneInput]").first.set_input_files(str(bad))
    page.get_by_text("That file was not loaded").wait_for()
    page.get_by_text("line 3: expected 3 comma-separated values").wait_for()
    wait_for_app(page)
    assert _count(page) == (3, 1)
    assert_no_exception(page)
    assert _rebuilds(page) == 0  # the notices and the file's error came and went above the view
    screenshot(page, "playground-points-bad-file")
    assert (ARTIFACTS / "playground-points-bad-file.png").exists()
