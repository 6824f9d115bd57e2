"""Every page is usable on a phone (390x844, touch) and on a small laptop (1280x720): nothing
widens the page past the screen, the canvas views fit, and the playground's Play button and its
decision surface are on screen together on the laptop. Screenshots: tests/artifacts/small_*.png."""

from __future__ import annotations

import pytest

from nnviz.ui.common import PAGES
from tests.browser.conftest import DEVICES, assert_no_exception, screenshot, wait_for_app

SLUGS = ["", *(page.slug for page in PAGES)]


@pytest.fixture
def phone(browser):
    context = browser.new_context(**DEVICES["phone"])
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    yield pg
    context.close()


def overflow(page) -> dict:
    """How far the main area scrolls sideways, and the canvas views that end past the screen."""
    return page.evaluate("""() => {
      const main = document.querySelector('[data-testid=stMain]');
      const wide = [...document.querySelectorAll('[data-nnviz] canvas, canvas[data-nnviz]')]
        .filter(c => c.getBoundingClientRect().width > 0 && c.getBoundingClientRect().right > window.innerWidth + 1)
        .map(c => (c.getAttribute('data-nnviz') || c.className) + ' ' + Math.round(c.getBoundingClientRect().right));
      return {sideways: main.scrollWidth - main.clientWidth, wide};
    }""")


@pytest.mark.parametrize("slug", SLUGS, ids=lambda s: s or "home")
def test_page_fits_a_phone(phone, app_url, slug):
    phone.goto(f"{app_url}/{slug}")
    wait_for_app(phone)
    phone.wait_for_timeout(1500)  # canvas views size themselves once mounted
    assert_no_exception(phone)
    found = overflow(phone)
    screenshot(phone, f"small_phone_{slug or 'home'}")
    assert found["sideways"] <= 1, f"the page scrolls sideways by {found['sideways']} px on a phone"
    assert not found["wide"], f"canvas views wider than a phone: {found['wide']}"


def test_playground_play_and_surface_together_on_a_laptop(browser, app_url):
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    try:
        page.goto(f"{app_url}/playground")
        wait_for_app(page)
        surface = page.locator("[data-nnviz=surface]")
        surface.wait_for()
        play = page.get_by_role("button", name="Play")
        top_of_play = play.bounding_box()["y"]
        box = surface.bounding_box()
        screenshot(page, "small_laptop_playground")
        assert top_of_play >= 0
        # at least half the decision surface is on screen below the toolbar, without scrolling
        assert box["y"] + box["height"] / 2 <= 720, f"surface at y={box['y']:.0f}, Play at y={top_of_play:.0f}"
    finally:
        context.close()
