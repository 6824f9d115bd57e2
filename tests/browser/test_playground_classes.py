"""The playground with more than two classes, in real headless Chromium: pick the three-arm spiral
in the sidebar and Play; the decision surface takes one colour per class (each class's region
grows), the test accuracy passes chance and the confusion matrix shows beside the accuracy. A
two-class set shows no confusion matrix (it looks as before)."""

from __future__ import annotations

import re
import time

from nnviz.data import toy_sets
from tests.browser.conftest import ARTIFACTS, assert_no_exception, open_page, screenshot, wait_for_app

TITLE = "Train a small neural network on 2D data"

#: Runs in the page: the share of the surface's cells whose colour leans to each of the first
#: three classes' colours (orange, blue, green), and to none (the unsure grey).
CLASS_SHARES = """() => {
  const c = document.querySelector('[data-nnviz=surface]');
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  const n = [0, 0, 0, 0];
  for (let i = 0; i < d.length; i += 4) {
    const r = d[i], g = d[i + 1], b = d[i + 2];
    if (r > g && r > b + 40) n[0]++;
    else if (b > g && b > r + 40) n[1]++;
    else if (g > b && g > r + 40) n[2]++;
    else n[3]++;
  }
  return n.map((k) => k / (d.length / 4));
}"""


def _step(page) -> int:
    return int(page.locator("[data-nnviz=step]").first.text_content(timeout=10_000).replace(",", ""))


def test_the_three_arm_spiral_draws_a_colour_per_class_and_a_confusion_matrix(page, app_url):
    page.set_viewport_size({"width": 1400, "height": 1500})  # the surface and the matrix on screen
    open_page(page, app_url, "playground")
    page.get_by_text(TITLE).wait_for()
    page.locator("[data-nnviz=step]").first.wait_for()
    assert not page.locator("[data-nnviz=confusion]").first.is_visible()  # two classes: as before
    page.locator(".st-key-pg_dataset input").click()
    page.get_by_role("option", name=toy_sets.label("spiral_3"), exact=True).click()
    # The pick reaches the address bar with its run (idle right after the click is the run before it).
    page.wait_for_url(re.compile(r"[?&]data=spiral_3(&|$)"), timeout=30_000)
    wait_for_app(page)
    page.locator("[data-nnviz=confusion]").first.wait_for(state="visible")
    page.get_by_role("button", name="Play", exact=True).click()
    page.mouse.move(1, 1)
    deadline = time.time() + 60
    while _step(page) < 1000 and time.time() < deadline:
        page.wait_for_timeout(500)
    page.get_by_role("button", name="Pause", exact=True).click()
    page.mouse.move(1, 1)
    wait_for_app(page)
    assert _step(page) >= 1000
    accuracy = float(page.locator("[data-nnviz=last]").first.text_content().rstrip("%")) / 100
    assert accuracy > 0.6, accuracy  # chance is 1/3
    shares = page.evaluate(CLASS_SHARES)
    assert min(shares[:3]) > 0.1, shares  # each arm's class has its own region, in its own colour
    screenshot(page, "playground-classes-spiral3")
    page.locator("[data-nnviz=confusion]").first.screenshot(path=str(ARTIFACTS / "playground-classes-confusion.png"))
    assert_no_exception(page)
