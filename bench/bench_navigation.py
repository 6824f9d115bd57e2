"""What a student waits for after the first page: in-app navigation, measured in headless Chromium.

``bench/bench_browser.py`` times each page in a *new* browser context (nothing cached: the
Streamlit frontend and plotly's 4.7 MB bundle are fetched and compiled every time). A student
opens the home page once and then clicks a page in the sidebar: the frontend is already running
and plotly, once loaded, stays loaded. This prints, for one fresh server, for every page:

- ``click``: from the sidebar click (on the home page, in a context that has only seen the home
  page, after ``--read`` seconds on it, as a student reads it first) until the page's run is done
  and a chart is drawn; ``no warm-up``: the same with the frontend warm-up turned off in that
  context (nnviz/ui/frontend_warmup.py), side by side (``--read 0`` clicks as soon as the home
  page's run is done, as this benchmark did before the warm-up);
- ``revisit``: the same click again after visiting every page once (plotly loaded and compiled,
  the server's caches warm);
- ``fresh``: a new context opening the page's URL directly (as ``bench_browser.py`` does), for
  the side-by-side ratio;

with each figure's ratio to the home page's fresh load in the same run. Never asserts on time.

    python bench/bench_navigation.py [--pages playground,descent,...] [--repeat 2] [--read 2]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_browser import CHARTS, first_render  # noqa: E402

from nnviz.ui import frontend_warmup  # noqa: E402
from nnviz.ui.common import PAGES  # noqa: E402
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, serve_app  # noqa: E402

READY = "[data-testid=stApp][data-test-script-state=notRunning]"


def click_to(page, title: str) -> float:
    """Seconds from clicking ``title`` in the sidebar until its run is done and a chart is drawn."""
    page.wait_for_selector(READY, timeout=120_000)
    link = page.locator("[data-testid=stSidebarNav] a").filter(has_text=title).first
    page.evaluate("() => { for (const e of document.querySelectorAll('" + CHARTS + "')) e.dataset.benchOld = 1; }")
    t0 = time.perf_counter()
    link.click()
    page.wait_for_selector(CHARTS.replace(",", ":not([data-bench-old]),") + ":not([data-bench-old])",
                           timeout=120_000)
    page.wait_for_selector(READY, timeout=120_000)
    return time.perf_counter() - t0


def read_home(browser, url: str, seconds: float, warmup: bool = True):
    """A new context (an empty cache) on the home page, ``seconds`` after its run is done, with
    the frontend warm-up on or off: (context, page)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    if not warmup:
        context.add_init_script(frontend_warmup.TURN_OFF)
    page = context.new_page()
    page.goto(f"{url}/")
    page.wait_for_selector(READY, timeout=120_000)
    page.wait_for_timeout(seconds * 1000)
    return context, page


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", default=",".join(p.slug for p in PAGES))
    ap.add_argument("--repeat", type=int, default=2, help="runs per figure; the median is printed")
    ap.add_argument("--read", type=float, default=2.0, help="seconds on the home page before the first click")
    args = ap.parse_args(argv)
    titles = {p.slug: p.title for p in PAGES}
    slugs = [s for s in args.pages.split(",") if s in titles]
    from playwright.sync_api import sync_playwright

    with serve_app("bench-navigation-server") as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        for slug in slugs:  # warm the server's caches once, as a first visitor would
            first_render(browser, url, slug)
        home = statistics.median(first_render(browser, url, "home")["s"] for _ in range(args.repeat))
        rows = {}
        for slug in slugs:
            clicks, cold, revisits, fresh = [], [], [], []
            for _ in range(args.repeat):
                context, page = read_home(browser, url, args.read, warmup=False)
                cold.append(click_to(page, titles[slug]))
                context.close()
                context, page = read_home(browser, url, args.read)
                clicks.append(click_to(page, titles[slug]))
                for other in slugs:  # every page once: plotly and Vega loaded, then back home
                    if other != slug:
                        click_to(page, titles[other])
                page.goto(f"{url}/")
                page.wait_for_selector(READY, timeout=120_000)
                page.wait_for_timeout(300)
                for other in slugs:
                    if other != slug:
                        click_to(page, titles[other])
                        break
                revisits.append(click_to(page, titles[slug]))
                errors = page.locator("[data-testid=stException]").count()
                if errors:
                    print(f"  ! {slug}: the page shows {errors} exception(s)")
                context.close()
                fresh.append(first_render(browser, url, slug)["s"])
            rows[slug] = tuple(statistics.median(v) for v in (clicks, cold, revisits, fresh))
        browser.close()
    print(f"home page, fresh context: {home:.2f} s (median of {args.repeat})")
    print(f"first click after {args.read:g} s on the home page; no warm-up: the same with the frontend warm-up off")
    print(f"{'page':<12}{'click':>8}{'/home':>7}{'no warm-up':>12}{'revisit':>9}{'/home':>7}{'fresh':>8}{'/home':>7}")
    for slug, (click, cold, revisit, fresh) in rows.items():
        print(f"{slug:<12}{click:>8.2f}{click / home:>7.2f}{cold:>12.2f}{revisit:>9.2f}{revisit / home:>7.2f}"
              f"{fresh:>8.2f}{fresh / home:>7.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
