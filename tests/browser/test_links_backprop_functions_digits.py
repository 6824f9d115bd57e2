"""A link for every experiment, in real Chromium, for the backpropagation, functions and digits
pages: settings changed in the page, the copy block's link opened in a fresh browser context on a
fresh server (so it is the first page that server sees) restores them and what is drawn; a
hand-edited bad link shows the warning and no exception. Screenshots in tests/artifacts/."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_no_exception, open_page, screenshot, serve_app, wait_for_app


@pytest.fixture(scope="module")
def warm_app(app_url, browser) -> str:
    """Run app.py once (its st.navigation) before any deep link on the session's server."""
    context = browser.new_context()
    page = context.new_page()
    open_page(page, app_url, "")
    context.close()
    return app_url


def _settle(page) -> None:
    """Wait for the rerun an action starts (it may not have begun when the action returns)."""
    page.wait_for_timeout(400)
    wait_for_app(page)


def _type(page, label: str, text: str) -> None:
    """Type ``text`` into the text or number box labelled ``label`` and apply it (Enter)."""
    box = page.get_by_label(label, exact=True)
    box.fill(text)
    box.press("Enter")
    _settle(page)


def _select(page, label: str, option: str) -> None:
    """Pick ``option`` in the select box labelled ``label``."""
    page.get_by_label(label, exact=True).click()  # Streamlit's select box: its input has the label
    page.get_by_role("option", name=option, exact=True).click()
    _settle(page)


def _chosen(page, label: str) -> str:
    """What the select box labelled ``label`` shows."""
    return page.get_by_label(label, exact=True).input_value()


def _copied_link(page, expander: str) -> str:
    """The link in the copy block of the expander titled ``expander``."""
    page.get_by_text(expander, exact=True).click()
    code = page.locator("[data-testid=stExpander]").filter(has_text=expander).locator("[data-testid=stCode]")
    return code.first.inner_text(timeout=15_000).strip()


def _metric(page, label: str) -> str:
    metric = page.locator("[data-testid=stMetric]").filter(has_text=label).first
    return metric.locator("[data-testid=stMetricValue]").inner_text()


def _in_fresh_server(browser, link: str, name: str, ready: str, check) -> None:
    """Open ``link``'s page and query on a fresh server in a fresh browser context, then ``check(page)``
    once the text ``ready`` (a control's label) is there (a fresh server's first page reports its script
    idle before the page's own run has begun)."""
    parts = urlparse(link)
    with serve_app(f"streamlit-server-{name}") as fresh:
        context = browser.new_context(viewport={"width": 1400, "height": 1300})
        try:
            page = context.new_page()
            page.set_default_timeout(30_000)
            page.goto(f"{fresh}{parts.path}?{parts.query}")
            page.get_by_text(ready, exact=True).first.wait_for(timeout=60_000)
            wait_for_app(page)
            check(page)
            assert_no_exception(page)
            screenshot(page, name)
        finally:
            context.close()


def _no_link_warning(page) -> None:
    assert page.get_by_text("This link has settings nnviz cannot use").count() == 0


def _bad_link(browser, url: str, name: str, expected: list[str]) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 1100})
    try:
        page = context.new_page()
        page.set_default_timeout(30_000)
        page.goto(url)
        wait_for_app(page)
        page.get_by_text("This link has settings nnviz cannot use").wait_for()
        problems = page.locator("[data-testid=stText]").first.inner_text()
        for part in expected:
            assert part in problems, problems
        assert_no_exception(page)
        screenshot(page, name)
    finally:
        context.close()


# ---- backpropagation ------------------------------------------------------------------------------

def test_backprop_link(page, browser, warm_app):
    page.set_viewport_size({"width": 1400, "height": 1300})
    open_page(page, warm_app, "backprop")
    _type(page, "Inputs x", "1.5")
    _type(page, "Weights w", "-0.4")
    _select(page, "Activation", "Tanh")
    _select(page, "Loss", "Mean squared error")
    page.get_by_role("button", name="Step").click()
    page.wait_for_function("() => document.querySelector('input[aria-label=\"Weights w\"]').value !== '-0.4'")
    _settle(page)  # the step moved the weight
    weights = page.get_by_label("Weights w", exact=True).input_value()
    loss = _metric(page, "Loss L")
    link = _copied_link(page, "Share these settings")
    query = parse_qs(urlparse(link).query)
    assert query["x"] == ["1.5"] and query["act"] == ["tanh"] and query["loss"] == ["mse"]
    assert query["w"] == [weights.replace(" ", "")]
    assert page.url.split("?", 1)[1] == urlparse(link).query  # the address bar holds the same settings
    screenshot(page, "link-backprop-source")

    def check(fresh):
        assert fresh.get_by_label("Inputs x", exact=True).input_value() == "1.5"
        assert fresh.get_by_label("Weights w", exact=True).input_value() == weights
        assert _chosen(fresh, "Activation") == "Tanh" and _chosen(fresh, "Loss") == "Mean squared error"
        assert _metric(fresh, "Loss L") == loss
        fresh.locator(".katex").first.wait_for()  # the derivation below is drawn too
        _no_link_warning(fresh)

    _in_fresh_server(browser, link, "link-backprop-opened", "Inputs x", check)
    _bad_link(browser, f"{warm_app}/backprop?x=1,two&act=nope&lr=7&tw=1,2&color=red", "link-backprop-bad",
              ["ignored x='1,two'", "ignored act='nope'", "ignored lr='7'", "unknown link parameter color"])


# ---- functions --------------------------------------------------------------------------------------

def _charts_ready(page, count: int) -> None:
    page.wait_for_function("n => document.querySelectorAll('[data-nnviz=chart][data-ready=\"1\"]').length >= n",
                           arg=count, timeout=30_000)


def test_functions_link(page, browser, warm_app):
    page.set_viewport_size({"width": 1400, "height": 1300})
    open_page(page, warm_app, "functions")
    page.get_by_role("tab", name="Softmax").click()
    _settle(page)
    _type(page, "Logits", "4, 0.5, -1")
    link = _copied_link(page, "Share these settings")
    query = parse_qs(urlparse(link).query)
    assert query["tab"] == ["softmax"] and query["logits"] == ["4,0.5,-1"]
    katex = page.locator(".katex").first.inner_text()

    def check(fresh):
        assert fresh.get_by_role("tab", name="Softmax").get_attribute("aria-selected") == "true"
        assert fresh.get_by_label("Logits", exact=True).input_value() == "4, 0.5, -1"
        _charts_ready(fresh, 3)  # e^z, the probabilities and the temperature sweep
        assert fresh.locator(".katex").first.inner_text() == katex  # the same numbers in the derivation
        _no_link_warning(fresh)

    _in_fresh_server(browser, link, "link-functions-opened", "Logits", check)
    _bad_link(browser, f"{warm_app}/functions?tab=softmax&logits=1,abc&T=0.25&foo=bar", "link-functions-bad",
              ["ignored logits='1,abc'", "ignored T='0.25'", "unknown link parameter foo"])


# ---- digits ---------------------------------------------------------------------------------------

def test_digits_link(page, browser, warm_app):
    page.set_viewport_size({"width": 1400, "height": 1600})
    open_page(page, warm_app, "digits")
    page.get_by_role("tab", name="Train your own model").click()
    _type(page, "Hidden layer sizes", "64, 32")
    _type(page, "Epochs", "3")
    page.get_by_role("tab", name="Inside a convolution").click()
    _select(page, "Stride", "2")
    page.get_by_text("Flip the kernel", exact=True).click()
    _settle(page)
    page.get_by_text("⌋ + 1 = 14").first.wait_for()  # same padding, stride 2: a 14x14 map
    link = _copied_link(page, "Share these settings")
    query = parse_qs(urlparse(link).query)
    assert query["hidden"] == ["64,32"] and query["epochs"] == ["3"] and query["stride"] == ["2"]
    assert query["flip"] == ["1"]
    screenshot(page, "link-digits-source")

    def check(fresh):
        fresh.get_by_role("tab", name="Train your own model").click()
        # A tab's widgets are built as it opens; one a page's second run drew first shows its default
        # for a frame, then the link's value (nnviz/ui/first_paint.py): the value must be there, not at once.
        expect(fresh.get_by_label("Hidden layer sizes", exact=True)).to_have_value("64, 32")
        expect(fresh.get_by_label("Epochs", exact=True)).to_have_value("3")
        fresh.get_by_text("MLP: 784 → 64 → 32 → 10").first.wait_for()  # the size said before Start is the link's model's
        fresh.get_by_role("tab", name="Inside a convolution").click()
        assert _chosen(fresh, "Stride") == "2"
        assert fresh.locator("[data-testid=stCheckbox]").filter(has_text="Flip the kernel").locator("input").is_checked()
        fresh.get_by_text("⌋ + 1 = 14").first.wait_for()  # the map drawn is the link's
        _no_link_warning(fresh)

    _in_fresh_server(browser, link, "link-digits-opened", "Pen width", check)
    _bad_link(browser, f"{warm_app}/digits?hidden=1024,1024,1024&lr=0.5&kernel=emboss&stride=9&drawing=x",
              "link-digits-bad", ["ignored lr='0.5'", "ignored kernel='emboss'", "ignored stride='9'",
                                  "unknown link parameter drawing", "ignored the link's architecture"])
