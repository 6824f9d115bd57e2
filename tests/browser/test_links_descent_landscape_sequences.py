"""A link for every experiment, in real Chromium, for the descent, landscape and sequences pages:
settings changed in the page, the copy block's link read, then opened in a fresh browser context on a
fresh server (the first page that server sees) restores the settings and what is drawn; a hand-edited
bad link shows the warning and no exception. Screenshots: tests/artifacts/link_*.png."""

from __future__ import annotations

import urllib.parse

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_no_exception, screenshot, serve_app, wait_for_app

MAP = "[data-nnviz=descent-map]"


@pytest.fixture
def fresh(browser):
    """New browser contexts (a user who has never opened nnviz), closed at the end."""
    contexts = []

    def new():
        ctx = browser.new_context(viewport={"width": 1400, "height": 2400})
        contexts.append(ctx)
        pg = ctx.new_page()
        pg.set_default_timeout(30_000)
        return pg
    yield new
    for ctx in contexts:
        ctx.close()


def _rerun_done(page) -> None:
    page.wait_for_timeout(400)
    wait_for_app(page)


def _select(page, key: str, option: str) -> None:
    """Pick ``option`` in the select box with widget key ``key``."""
    box = page.locator(f".st-key-{key} input")
    box.click()
    if not page.get_by_role("option", name=option, exact=True).is_visible():
        page.wait_for_timeout(500)  # a click while the widget was still arriving: open it again
        box.click()
    page.get_by_role("option", name=option, exact=True).click()
    _rerun_done(page)


def _shown(page, key: str) -> str:
    """What the select box with widget key ``key`` shows."""
    box = page.locator(f".st-key-{key} input")
    box.wait_for()
    return box.input_value().strip()


def _copied_link(page) -> str:
    """The link in the page's Share expander (Streamlit's code block)."""
    page.get_by_text("Share this experiment").click()
    code = page.locator("[data-testid=stExpander] [data-testid=stCode]").first
    code.wait_for()
    return code.inner_text().strip()


def _query(url: str) -> dict[str, str]:
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))


def _moved_to(link: str, base: str) -> str:
    """The same link on another server (its path and query on ``base``)."""
    parts = urllib.parse.urlsplit(link)
    return f"{base}{parts.path}?{parts.query}"


# ---- descent ----------------------------------------------------------------------------------------


def test_descent_link_restores_the_race_on_a_fresh_server(fresh):
    with serve_app("link-descent-a") as first:
        page = fresh()
        page.goto(f"{first}/")
        wait_for_app(page)
        page.locator("[data-testid=stSidebarNav] a", has_text="Gradient descent").click()
        page.wait_for_selector(f"{MAP}[data-ready='1']")
        wait_for_app(page)
        _select(page, "gd_surface_2", "Rosenbrock")
        start = page.locator('input[aria-label="Start point (x, y)"]')
        start.fill("-1.2, 2.6")
        start.press("Enter")
        _rerun_done(page)
        page.get_by_role("button", name="Learning rates compared").click()
        _rerun_done(page)
        page.locator(".st-key-gd_show_vel label").click()
        _rerun_done(page)
        page.get_by_role("tab", name="Distance to the nearest minimum").click()
        _rerun_done(page)
        legend = page.locator(f"{MAP} .gdm-legend").inner_text()
        link = _copied_link(page)
        screenshot(page, "link_descent_share")
        assert _query(link) == _query(page.url)  # the address bar holds the same settings
        q = _query(link)
        assert q["surface"] == "rosenbrock" and q["start"] == "-1.2,2.6" and q["preset"] == "learning_rates"
        assert q["vel"] == "1" and q["view"] == "distance" and len(q["runs"].split(",")) == 4
        assert_no_exception(page)

    with serve_app("link-descent-b") as second:
        page = fresh()
        page.goto(_moved_to(link, second))  # the first page this server sees
        page.wait_for_selector(f"{MAP}[data-ready='1']")
        wait_for_app(page)
        assert_no_exception(page)
        assert page.locator('input[aria-label="Start point (x, y)"]').input_value() == "-1.2, 2.6"
        screenshot(page, "link_descent_restored")
        assert _shown(page, "gd_surface_2") == "Rosenbrock"
        assert page.locator(".st-key-gd_show_vel input").is_checked()
        assert page.get_by_role("tab", name="Distance to the nearest minimum").get_attribute("aria-selected") == "true"
        assert page.locator(f"{MAP} .gdm-legend").inner_text() == legend  # the same runs, labels and all
        assert page.get_by_text("preset Learning rates compared").count() == 1
        assert _query(page.url) == _query(link)
        assert page.get_by_text("This link has settings nnviz cannot use").count() == 0
        page.wait_for_timeout(300)
        screenshot(page, "link_descent_restored")

        bad = fresh()
        bad.goto(f"{second}/descent?surface=nope&start=99,99&steps=15&runs=adam:x,sgd:0.1&view=3d&zz=1")
        wait_for_app(bad)
        bad.get_by_text("This link has settings nnviz cannot use").wait_for()
        text = bad.locator("[data-testid=stText]").first.inner_text()
        assert "ignored surface='nope'" in text and "ignored steps='15'" in text
        assert bad.locator('input[aria-label="Start point (x, y)"]').input_value() == "-2.5, 2"
        bad.wait_for_selector(f"{MAP}[data-ready='1']")
        assert_no_exception(bad)
        screenshot(bad, "link_descent_bad")


# ---- landscape --------------------------------------------------------------------------------------


def _metrics(page) -> list[str]:
    """Each run's final loss as shown ("Adam: final loss 0.123 accuracy 97%")."""
    return [" ".join(t.split()) for t in page.locator("[data-testid=stMetric]").all_inner_texts()]


def test_landscape_link_restores_the_runs_on_a_fresh_server(fresh):
    small = "points=100&steps=50&res=11&seed=7"  # a cheap start; the test changes the rest in the page
    with serve_app("link-landscape-a") as first:
        page = fresh()
        page.goto(f"{first}/")
        wait_for_app(page)
        page.goto(f"{first}/landscape?{small}")
        wait_for_app(page, 90_000)
        _select(page, "ls_task", "xor")
        wait_for_app(page, 90_000)
        _select(page, "ls_activation", "relu")
        wait_for_app(page, 90_000)
        page.locator(".st-key-ls_mode").get_by_text("optimizers").click()
        _rerun_done(page)
        wait_for_app(page, 90_000)
        page.get_by_role("tab", name="Loss curves").click()
        _rerun_done(page)
        page.locator("[data-nnviz=descent-curves][data-ready='1']").first.wait_for()
        metrics = _metrics(page)
        assert [m.split(":")[0] for m in metrics] == ["SGD", "Momentum", "Adam"]
        link = _copied_link(page)
        screenshot(page, "link_landscape_share")
        assert _query(link) == _query(page.url)
        q = _query(link)
        assert (q["task"], q["act"], q["mode"], q["tab"], q["points"], q["seed"]) == (
            "xor", "relu", "optimizers", "curves", "100", "7")
        assert_no_exception(page)

    with serve_app("link-landscape-b") as second:
        page = fresh()
        page.goto(_moved_to(link, second))  # the first page this server sees
        wait_for_app(page, 90_000)
        page.locator("[data-nnviz=descent-curves][data-ready='1']").first.wait_for()
        assert_no_exception(page)
        assert _shown(page, "ls_task") == "xor" and _shown(page, "ls_activation") == "relu"
        assert page.locator(".st-key-ls_mode input[type=radio]").nth(1).is_checked()
        # The Seed box is drawn in a first visit's second run: its default for a frame, then the link's.
        expect(page.get_by_label("Seed", exact=True)).to_have_value("7")
        assert page.get_by_role("tab", name="Loss curves").get_attribute("aria-selected") == "true"
        assert _metrics(page) == metrics  # the same runs trained the same way: the same final losses
        assert _query(page.url) == _query(link)
        assert page.get_by_text("This link has settings nnviz cannot use").count() == 0
        page.wait_for_timeout(300)
        screenshot(page, "link_landscape_restored")

        bad = fresh()
        bad.goto(f"{second}/landscape?{small}&task=nope&hidden=5000&centre=9&rates=0.2&tab=%3Cb%3Ex%3C/b%3E")
        wait_for_app(bad, 90_000)
        bad.get_by_text("This link has settings nnviz cannot use").wait_for()
        text = bad.locator("[data-testid=stText]").first.inner_text()
        assert "ignored task='nope'" in text and "ignored hidden='5000'" in text and "ignored centre='9'" in text
        assert _shown(bad, "ls_task") == "moons"
        bad.locator("[data-nnviz=descent-map][data-ready='1']").first.wait_for()
        assert_no_exception(bad)
        screenshot(bad, "link_landscape_bad")


# ---- sequences --------------------------------------------------------------------------------------


def _describe(page) -> str:
    """The caption under the views: the experiment and its parameter count."""
    return page.get_by_text("parameters.").last.inner_text()


def _ten_steps_loss(page) -> str:
    """Train 10 steps; the train loss then shown."""
    page.get_by_role("button", name="10 steps").click()
    page.get_by_text("10", exact=True).first.wait_for()
    _rerun_done(page)
    metric = page.locator("[data-testid=stMetric]").filter(has_text="Train loss")
    return metric.locator("[data-testid=stMetricValue]").inner_text()


def test_sequences_link_restores_the_model_on_a_fresh_server(fresh):
    with serve_app("link-sequences-a") as first:
        page = fresh()
        page.goto(f"{first}/")
        wait_for_app(page)
        page.locator("[data-testid=stSidebarNav] a", has_text="Sequences").click()
        page.get_by_role("heading", name="Sequences").first.wait_for()
        wait_for_app(page)
        _select(page, "sq_task", "Remember")
        hidden = page.locator(".st-key-sq_hidden input")
        hidden.fill("12")
        hidden.press("Enter")
        _rerun_done(page)
        page.locator(".st-key-sq_readout").get_by_text("last step").click()
        _rerun_done(page)
        described = _describe(page)
        assert "remember" in described and "1→12" in described
        link = _copied_link(page)
        screenshot(page, "link_sequences_share")
        assert _query(link) == _query(page.url)
        q = _query(link)
        assert (q["task"], q["hidden"], q["loss"]) == ("remember", "12", "last")
        loss = _ten_steps_loss(page)
        assert_no_exception(page)

    with serve_app("link-sequences-b") as second:
        page = fresh()
        page.goto(_moved_to(link, second))  # the first page this server sees
        page.get_by_role("heading", name="Sequences").first.wait_for()
        wait_for_app(page)
        assert_no_exception(page)
        assert _shown(page, "sq_task") == "Remember"
        # The Network section is drawn in a first visit's second run: its default for a frame, then the link's.
        expect(page.locator(".st-key-sq_hidden input")).to_have_value("12")
        expect(page.locator(".st-key-sq_readout input[type=radio]").nth(1)).to_be_checked()
        assert _describe(page) == described
        assert _query(page.url) == _query(link)
        assert page.get_by_text("This link has settings nnviz cannot use").count() == 0
        assert _ten_steps_loss(page) == loss  # the same model (same seed), trained the same way
        page.wait_for_timeout(300)
        screenshot(page, "link_sequences_restored")

        bad = fresh()
        bad.goto(f"{second}/sequences?len=10&lag=20&rho=0.33&hidden=999&speed=7&opt=%3Ci%3Ex")
        bad.get_by_role("heading", name="Sequences").first.wait_for()
        wait_for_app(bad)
        bad.get_by_text("This link has settings nnviz cannot use").wait_for()
        text = bad.locator("[data-testid=stText]").first.inner_text()
        assert "ignored hidden='999'" in text and "ignored lag='20'" in text
        assert bad.locator(".st-key-sq_length input").input_value() == "10"
        assert_no_exception(bad)
        screenshot(bad, "link_sequences_bad")
