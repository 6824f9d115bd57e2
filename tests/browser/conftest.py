"""Browser tests: one Streamlit server for the session, real headless Chromium via Playwright.

Needs Debian's ``chromium`` (``apt-get install -y chromium chromium-driver``) and the
``playwright`` Python package (requirements-dev.txt); no ``playwright install`` download.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from deploy import loopback
from nnviz.ui import first_paint

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = os.environ.get("NNVIZ_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]

pytestmark = pytest.mark.browser


@contextlib.contextmanager
def serve_app(log_name: str = "streamlit-server", script: Path = ROOT / "app.py") -> Iterator[str]:
    """Start ``streamlit run app.py`` (or another ``script``) on 127.0.0.1, yield its URL, stop it by its PID."""
    (port,) = loopback.free_ports(1)
    cmd = [
        sys.executable, "-m", "streamlit", "run", str(script), "--server.headless", "true",
        "--server.address", "127.0.0.1", "--server.port", str(port), "--server.fileWatcherType", "none",
        "--browser.gatherUsageStats", "false",
    ]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log_path = ARTIFACTS / f"{log_name}.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.time() + 60
            while not loopback.healthy(url):
                if proc.poll() is not None or time.time() > deadline:
                    raise RuntimeError(f"streamlit did not start; see {log_path}")
                time.sleep(0.3)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


@pytest.fixture(scope="session")
def app_url() -> Iterator[str]:
    """One app server for the whole browser-test session."""
    with serve_app() as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium driven by Playwright; skips with the fix where it is missing."""
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not found at {CHROMIUM}: apt-get install -y chromium chromium-driver")
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install -r requirements-dev.txt")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    """A fresh browser context (one simulated user) and page."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    yield pg
    context.close()


#: The page is drawn whole: its run is done and no part of it is still on its way (a page's first
#: visit draws the rest in a second run, nnviz/ui/first_paint.py).
APP_IDLE = ("() => document.querySelector('[data-testid=stApp][data-test-script-state=notRunning]') !== null"
            f" && document.querySelector('{first_paint.PENDING}') === null")

#: Browser context options of the two screens the tests use: a phone (390x844, touch) and a desktop.
DEVICES = {
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
              "device_scale_factor": 2},
    "desktop": {"viewport": {"width": 1400, "height": 1000}},
}


def wait_for_app(page, timeout: float = 60_000) -> None:
    """Wait until the Streamlit script run is done and the page is whole (not while a fragment
    ticks: wait on text)."""
    page.wait_for_function(APP_IDLE, timeout=timeout)


def open_page(page, app_url: str, slug: str) -> None:
    page.goto(f"{app_url}/{slug}")
    wait_for_app(page)


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def assert_no_exception(page) -> None:
    errors = page.locator("[data-testid=stException]")
    assert errors.count() == 0, errors.first.inner_text()


def painted(page, selector: str) -> float:
    """Fraction of a canvas's pixels that are neither transparent nor white (it was drawn on)."""
    return page.evaluate("""(sel) => {
      const c = document.querySelector(sel);
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let ink = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 0 && (d[i] < 250 || d[i + 1] < 250 || d[i + 2] < 250)) ink++;
      return ink / (d.length / 4);
    }""", selector)
