"""The Sequences page in real headless Chromium: Play trains live (the step and the loss chart move),
Pause holds the step, every view is drawn, hovering the hidden-state grid reads a unit's value."""

from __future__ import annotations

import time

from tests.browser.conftest import assert_no_exception, open_page, screenshot, wait_for_app


def _step(page) -> int:
    metric = page.locator("[data-testid=stMetric]").filter(has_text="Step").first
    return int(metric.locator("[data-testid=stMetricValue]").inner_text().replace(",", ""))


def test_play_trains_the_rnn_live_and_pause_holds_it(page, app_url):
    open_page(page, app_url, "sequences")
    page.get_by_text("simple recurrent network").first.wait_for()
    page.locator("[data-nnviz=chart][data-ready='1']").first.wait_for()
    page.locator("[data-nnviz=pixel-grids][data-ready='1']").wait_for()
    assert _step(page) == 0
    page.get_by_role("button", name="Play", exact=True).click()
    deadline = time.time() + 30
    while _step(page) < 60 and time.time() < deadline:
        page.wait_for_timeout(300)
    assert _step(page) >= 60
    page.get_by_role("button", name="Pause", exact=True).click()
    wait_for_app(page)
    held = _step(page)
    page.wait_for_timeout(1500)
    assert _step(page) == held
    assert page.locator("[data-nnviz=chart][data-ready='1']").count() >= 3
    grid = page.locator("canvas[data-nnviz=pixel-grid]").first
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.1)
    page.get_by_text("unit 1, step").wait_for()  # the second unit (units and steps count from 0)
    assert_no_exception(page)
    screenshot(page, "sequences")
