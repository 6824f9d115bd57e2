"""A link for every experiment, in real Chromium, for the descent, landscape and sequences pages:
settings changed in the page, the copy block's link read, then opened in a fresh browser context on a
fresh server (the first page that server sees) restores the settings and what is drawn; a hand-edited
bad link shows the warning and no exception. Screenshots: tests/artifacts/link_*.png."""

from __future__ import annotations

import contextlib
import os
import urllib.parse
from collections.abc import Iterator

import pytest

from tests.browser import conftest
from tests.browser.conftest import assert_no_exception, screenshot, serve_app, wait_for_app

MAP = "[data-nnviz=descent-map]"


@contextlib.contextmanager
def _server(name: str) -> Iterator[str]:
    """A fresh server (``serve_app``); on a shared machine NNVIZ_TEST_PORTS=8610-8619 keeps it on
    the given ports (conftest picks any free one)."""
    ports = os.environ.get("NNVIZ_TEST_PORTS")
    if not ports:
        with serve_app(name) as url:
            yield url
        return
    low, high = (int(p) for p in ports.split("-"))
    taken = getattr(_server, "used", set())
    port = next(p for p in range(low, high + 1) if p not in taken)
    taken.add(port)
    _server.used = taken  # type: ignore[attr-defined]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(conftest, "_free_port", lambda: port)
        with serve_app(name) as url:
            yield url


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
    page.locator(f".st-key-{key}").click()
    page.get_by_role("option", name=option, exact=True).click()
    _rerun_done(page)


def _shown(page, key: str) -> str:
    """What the select box with widget key ``key`` shows."""
    return page.evaluate("""(key) => { const el = document.querySelector('.st-key-' + key);
      const input = el.querySelector('input');
      return (input && input.value) || el.querySelector('[data-baseweb=select] div[value], [data-baseweb=select]').innerText; }""", key).strip()


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
    with _server("link-descent-a") as first:
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
        assert _query(link) == _query(page.url)  # the address bar holds the same settings
        q = _query(link)
        assert q["surface"] == "rosenbrock" and q["start"] == "-1.2,2.6" and q["preset"] == "learning_rates"
        assert q["vel"] == "1" and q["view"] == "distance" and len(q["runs"].split(",")) == 4
        assert_no_exception(page)

    with _server("link-descent-b") as second:
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
