"""The lessons in real Chromium: a click on a lesson of the home page opens its page in the lesson's
state with its text; class mode hides the controls the lesson does not need; the lesson's link,
copied from the address bar, opens the same in a fresh browser context."""

from __future__ import annotations

from tests.browser.conftest import assert_no_exception, screenshot, wait_for_app


def _open_from_home(page, app_url: str, title: str, link: str) -> None:
    page.goto(app_url)
    wait_for_app(page)
    card = page.locator("[data-testid=stVerticalBlock]").filter(has_text=title).last
    card.get_by_role("link", name=link).click()
    page.get_by_text(f"Lesson: {title}").first.wait_for(timeout=60_000)
    wait_for_app(page)


def test_home_lists_the_lessons(page, app_url):
    page.goto(app_url)
    wait_for_app(page)
    page.get_by_role("heading", name="Lessons").first.scroll_into_view_if_needed()
    assert page.get_by_role("link", name="Open the lesson").count() >= 8
    page.get_by_role("link", name="Open the lesson").first.scroll_into_view_if_needed()
    screenshot(page, "lessons-home")


def test_a_descent_lesson_opens_its_race_and_its_link_opens_it_again(page, browser, app_url):
    _open_from_home(page, app_url, "Learning rate: too small, right, too large", "Open the lesson")
    assert_no_exception(page)
    assert "lesson=learning-rate" in page.url and "surface=quadratic" in page.url
    legend = page.locator("[data-nnviz=descent-map]").first
    legend.wait_for(timeout=60_000)
    assert page.get_by_text("diverges").count() > 0  # the lesson's largest rate, measured on the page
    screenshot(page, "lesson-learning-rate")
    url = page.url
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        other = context.new_page()
        other.goto(url)
        other.get_by_text("Lesson: Learning rate").first.wait_for(timeout=60_000)
        wait_for_app(other)
        assert_no_exception(other)
        assert other.get_by_text("diverges").count() > 0
    finally:
        context.close()


def test_class_mode_hides_the_controls_the_lesson_does_not_need(page, app_url):
    _open_from_home(page, app_url, "Vanishing gradients: sigmoid against ReLU", "Class mode")
    assert_no_exception(page)
    assert "hide=" in page.url
    assert page.get_by_text("Class mode: the controls this lesson does not need are hidden").count() == 1
    page.get_by_text("Layers n").first.wait_for(timeout=60_000)  # the lesson's own control, drawn
    assert "20" in page.locator(".st-key-fn_chain_depth").inner_text().split()  # label, value, min, max
    assert page.locator(".st-key-fn_init_depth").count() == 0  # another part's, hidden
    screenshot(page, "lesson-vanishing-class-mode")
