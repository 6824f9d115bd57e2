"""What a user waits for, measured in real headless Chromium against a served app.

Prints, for one fresh server on 127.0.0.1:
- each page's first render (navigation until the script run is done and the page's charts are
  drawn), cold (first visitor) and warm (a second visitor, new browser context), and the warm
  time's ratio to the home page's; for the warm visit also the work behind it, which is steadier
  than wall times on a busy machine: kB received over the websocket, kB of JavaScript loaded
  (plotly's bundle alone is 4.7 MB), the longest main-thread task and the sum of the long ones;
- the live views after Play (Start), over ``--seconds``: the playground at the default and at the
  highest speed, the comparison runs and the digits page's training (needs MNIST; skipped with
  the reason printed where it is absent): visible updates of the step counter per second,
  training steps per second, the server process's CPU seconds per second, the browser's (all
  Chromium processes) and the bytes per second the page received over the websocket; and a
  hidden tab (the playground while its page reports itself hidden): the server's CPU, which
  should be next to nothing, and the steps trained meanwhile (0).

The step counter is the element ``[data-nnviz=step]`` where the page has one, else the
"Step" metric. Never asserts on time: these machines are noisy; compare runs side by side.

    python bench/bench_browser.py [--seconds 15] [--pages home,playground,...] [--no-live] [--js-profile]
                                  [--live playground,compare,digits]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, serve_app  # noqa: E402
from tests.browser.visibility import HIDE, SHOW  # noqa: E402

PAGES = ("home", "playground", "descent", "landscape", "digits", "functions", "backprop")
CHARTS = ("[data-testid=stPlotlyChart], [data-testid=stVegaLiteChart], [data-testid=stImage], "
          "[data-testid=stBidiComponentIsolated], [data-nnviz]")
TICKS = os.sysconf("SC_CLK_TCK")

def counter_probe(read_js: str) -> str:
    """A page script that counts every animation frame in which a counter's text changed and how
    far the number in it moved (into ``window.__steps``); ``read_js`` defines ``read()``."""
    return """() => {
  const probe = window.__steps = {changes: 0, first: null, last: null, frames: 0};
""" + read_js + """  let prev = read();
  function frame() {
    probe.frames++;
    const now = read();
    if (now !== null && now !== prev) {
      probe.changes++;
      const n = parseInt(now.replace(/[^0-9]/g, ''), 10);
      if (probe.first === null) probe.first = n;
      probe.last = n;
      prev = now;
    }
    requestAnimationFrame(frame);
  }
  requestAnimationFrame(frame);
}"""


#: Our step counter: ``[data-nnviz=step]``, else the "Step" metric, else "step N" in a progress bar
#: (the digits training before its canvas view, for before/after runs).
STEP_PROBE = counter_probe("""\
  function read() {
    const own = document.querySelector('[data-nnviz=step]');
    if (own) return own.textContent.trim();
    for (const m of document.querySelectorAll('[data-testid=stMetric]')) {
      if (m.innerText.startsWith('Step')) {
        const v = m.querySelector('[data-testid=stMetricValue]');
        return v ? v.textContent.trim() : null;
      }
    }
    const bar = document.querySelector('[data-testid=stProgress]');  // the older digits training
    const m = bar && bar.innerText.match(/step ([0-9,]+)/);
    return m ? m[1] : null;
  }
""")


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds of the processes ``pids`` (those still alive)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / TICKS


def descendants(root: int) -> list[int]:
    """Every process below ``root`` in the process tree."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                pass
    out, frontier = [], [root]
    while frontier:
        parent = frontier.pop()
        kids = [c for c, p in parents.items() if p == parent]
        out += kids
        frontier += kids
    return out


def chromium_pids() -> list[int]:
    """This benchmark's own Chromium processes (not other browsers on the machine)."""
    pids = []
    for pid in descendants(os.getpid()):
        try:
            if "chrom" in Path(f"/proc/{pid}/comm").read_text():
                pids.append(pid)
        except OSError:
            pass
    return pids


def server_pid(url: str) -> int:
    port = url.rsplit(":", 1)[1]
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmd = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"streamlit" in b" ".join(cmd) and port.encode() in cmd:
                return int(entry.name)
    raise RuntimeError("streamlit server process not found")


#: Runs before the page's scripts: records the browser's long main-thread tasks (over 50 ms).
LONG_TASKS = """window.__long = [];
new PerformanceObserver(l => { for (const e of l.getEntries()) window.__long.push(e.duration); })
  .observe({type: 'longtask', buffered: true});"""


def js_profile(prof: dict) -> dict[str, float]:
    """A CDP CPU profile -> milliseconds of self time per script file (plus "(idle)", "(program)", GC)."""
    nodes = {n["id"]: n["callFrame"] for n in prof["nodes"]}
    by_script: dict[str, float] = {}
    for sample, dt in zip(prof["samples"], prof["timeDeltas"], strict=False):
        frame = nodes[sample]
        name = frame["url"].rsplit("/", 1)[-1].split("?")[0] or frame["functionName"] or "(native)"
        by_script[name] = by_script.get(name, 0.0) + dt / 1000
    return by_script


def first_render(browser, url: str, slug: str, profile: bool = False) -> dict[str, float]:
    """Seconds from navigation until the run is done and at least one chart is drawn; with the
    kilobytes the page received over the websocket until then, the longest main-thread task and
    the sum of the long ones (ms), and the kilobytes of JavaScript it loaded."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.add_init_script(LONG_TASKS)
    page = context.new_page()
    received = [0]
    page.on("websocket", lambda ws: ws.on(
        "framereceived", lambda payload: received.__setitem__(0, received[0] + len(payload))))
    cdp = None
    if profile:  # the browser's JavaScript CPU profile (sampling, 0.5 ms)
        cdp = context.new_cdp_session(page)
        cdp.send("Profiler.enable")
        cdp.send("Profiler.setSamplingInterval", {"interval": 500})
        cdp.send("Profiler.start")
    t0 = time.perf_counter()
    # The home page is measured at / (where it is served; /home is a hidden page that sends you there).
    page.goto(f"{url}/{'' if slug == 'home' else slug}", wait_until="commit")
    page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]", timeout=120_000)
    if slug == "home":
        page.wait_for_selector("[data-testid=stPageLink]", timeout=120_000)
    else:
        page.wait_for_selector(CHARTS, timeout=120_000)
    page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]", timeout=120_000)
    elapsed = time.perf_counter() - t0
    long = page.evaluate("() => window.__long") or [0]
    js = page.evaluate("() => performance.getEntriesByType('resource').filter(e => e.name.endsWith('.js'))"
                       ".reduce((n, e) => n + e.encodedBodySize, 0)")
    scripts = js_profile(cdp.send("Profiler.stop")["profile"]) if cdp is not None else {}
    errors = page.locator("[data-testid=stException]").count()
    context.close()
    if errors:
        print(f"  ! {slug}: the page shows {errors} exception(s)")
    return {"s": elapsed, "ws kB": received[0] / 1e3, "longest ms": max(long), "long ms": sum(long),
            "js kB": js / 1e3, "scripts": scripts}


def set_highest_speed(page) -> bool:
    """Move the playground's speed control to its last option (keyboard End on its slider)."""
    slider = page.locator("[data-testid=stSlider]").filter(has_text="Speed").locator("input")
    if slider.count() == 0:
        return False
    slider.first.focus()
    page.keyboard.press("End")
    page.wait_for_timeout(1500)
    return True


#: The live views measured: how to open each and its start and pause buttons.
VIEWS = ("playground", "compare", "digits")


def open_live(page, url: str, view: str) -> tuple[str, str]:
    """Open ``view`` and return the names of its start and pause buttons."""
    page.goto(f"{url}/{'digits' if view == 'digits' else 'playground'}")
    page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]", timeout=120_000)
    if view == "compare":
        page.get_by_role("tab", name="Compare runs").click()
        page.get_by_text("Everything else as in the sidebar").wait_for(timeout=60_000)
    elif view == "digits":
        page.get_by_role("tab", name="Train your own model").click()
        page.get_by_text("Augment the training images").first.wait_for(timeout=60_000)
        epochs = page.get_by_label("Epochs", exact=True)  # long enough not to finish while measured
        epochs.fill("20")
        epochs.press("Enter")
        page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]", timeout=60_000)
        return "Start", "Pause"
    page.wait_for_selector(CHARTS, timeout=120_000)
    return "Play", "Pause"


def live(browser, url: str, seconds: float, highest: bool = False, view: str = "playground",
         hidden: bool = False) -> dict[str, float]:
    """Start ``view``'s training, let it settle, then measure over ``seconds``: visible updates of
    the step counter, training steps, animation frames, server and browser CPU and websocket kB,
    each per second. ``hidden``: the page reports itself hidden for the measurement (headless
    Chromium still draws it, so the counter shows whether the server trained on), then visible
    again: ``resumed`` is 1.0 if training went on by itself."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    received = [0]

    def on_ws(ws) -> None:
        ws.on("framereceived", lambda payload: received.__setitem__(0, received[0] + len(payload)))

    page.on("websocket", on_ws)
    start, pause = open_live(page, url, view)
    if highest and not set_highest_speed(page):
        print("  ! no speed control found; measuring the default speed")
    page.get_by_role("button", name=start, exact=True).click()
    page.wait_for_timeout(3000)  # let it reach steady state
    server = server_pid(url)
    step = "() => { const e = document.querySelector('[data-nnviz=step]'); return e ? +e.textContent.replace(/[^0-9]/g, '') : 0; }"
    if hidden:
        page.evaluate(HIDE)
        page.wait_for_timeout(2000)  # the server hears of it, pauses and sends the true state
    page.evaluate(STEP_PROBE)
    s0, b0, r0, t0 = cpu_seconds([server]), cpu_seconds(chromium_pids()), received[0], time.perf_counter()
    page.wait_for_timeout(seconds * 1000)
    probe = page.evaluate("() => window.__steps")
    s1, b1, r1, t1 = cpu_seconds([server]), cpu_seconds(chromium_pids()), received[0], time.perf_counter()
    wall = t1 - t0
    if hidden:
        before = page.evaluate(step)
        page.evaluate(SHOW)
        page.wait_for_timeout(5000)
        resumed = page.evaluate(step) > before  # shown again: training goes on by itself
    button = page.get_by_role("button", name=pause, exact=True)
    if button.is_enabled():
        button.click()
    context.close()
    steps = (probe["last"] - probe["first"]) if probe["first"] is not None else 0
    out = {"updates/s": probe["changes"] / wall, "steps/s": steps / wall, "frames/s": probe.get("frames", 0) / wall,
           "server cpu/s": (s1 - s0) / wall, "browser cpu/s": (b1 - b0) / wall, "kB/s": (r1 - r0) / wall / 1e3}
    if hidden:
        out["resumed"] = float(resumed)
    return out


def live_rows(browser, url: str, seconds: float, views: list[str], hidden: bool = True) -> list[tuple[str, dict]]:
    """(label, figures) for each live view measured; the digits training needs MNIST (else skipped
    with the reason printed), and a last row for a hidden tab of the playground."""
    rows = []
    for view in views:
        if view == "digits":
            from nnviz.data import mnist_files

            if mnist_files.default_mnist_folder() is None:
                print("  ! digits training skipped: no MNIST files found (NNVIZ_MNIST or ../shared/data/mnist)")
                continue
        rows.append((f"{view} default", live(browser, url, seconds, view=view)))
        if view == "playground":
            rows.append(("playground highest", live(browser, url, seconds, highest=True)))
    if hidden:
        rows.append(("hidden tab", live(browser, url, seconds, hidden=True)))
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=15.0)
    ap.add_argument("--pages", default=",".join(PAGES))
    ap.add_argument("--no-live", action="store_true")
    ap.add_argument("--live", default=",".join(VIEWS), help="live views to measure: playground,compare,digits")
    ap.add_argument("--js-profile", action="store_true",
                    help="profile the browser's JavaScript on the warm visit: busy ms per script file")
    args = ap.parse_args(argv)
    from playwright.sync_api import sync_playwright

    with serve_app("bench-browser-server") as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        slugs = [s for s in args.pages.split(",") if s]
        renders = {slug: (first_render(browser, url, slug), first_render(browser, url, slug, args.js_profile))
                   for slug in slugs}
        times = {slug: (cold["s"], warm["s"]) for slug, (cold, warm) in renders.items()}
        home = times.get("home", (float("nan"),) * 2)[1]
        print(f"first render (s), server at {url}; a page is ready when its run is done and a chart is drawn")
        print("the warm visit's work: kB over the websocket, JavaScript kB loaded, the browser's longest "
              "main-thread task and all its long tasks (ms)")
        print(f"{'page':<12}{'cold':>8}{'warm':>8}{'warm / home':>13}{'ws kB':>9}{'js kB':>9}{'longest':>9}"
              f"{'long':>8}")
        for slug, (cold, warm) in times.items():
            w = renders[slug][1]
            print(f"{slug:<12}{cold:>8.2f}{warm:>8.2f}{warm / home:>13.2f}{w['ws kB']:>9.0f}{w['js kB']:>9.0f}"
                  f"{w['longest ms']:>9.0f}{w['long ms']:>8.0f}")
        if args.js_profile:
            print("\nthe warm visit's JavaScript: busy ms (not idle) and the five busiest script files")
            for slug, (_, warm) in renders.items():
                scripts = warm["scripts"]
                busy = sum(v for k, v in scripts.items() if k != "(idle)")
                top = sorted(((v, k) for k, v in scripts.items() if k != "(idle)"), reverse=True)[:5]
                print(f"{slug:<12}{busy:>7.0f}  " + ", ".join(f"{k} {v:.0f}" for v, k in top))
        if not args.no_live:
            print(f"\nlive views after Play (Start), {args.seconds:g} s each; 'hidden tab': the playground while "
                  "its page reports itself hidden (steps/s: trained while hidden)")
            keys = ("updates/s", "steps/s", "frames/s", "server cpu/s", "browser cpu/s", "kB/s")
            print(f"{'view':<20}" + "".join(f"{k:>15}" for k in keys))
            for label, r in live_rows(browser, url, args.seconds, [v for v in args.live.split(",") if v]):
                note = "" if "resumed" not in r else ("  (resumed when shown)" if r["resumed"] else "  ! did not resume")
                print(f"{label:<20}" + "".join(f"{r[k]:>15.2f}" for k in keys) + note)
        browser.close()
    others = [warm for slug, (_, warm) in times.items() if slug != "home"]
    if others:
        print(f"\nwarm first render of the other pages: median {statistics.median(others):.2f} s, "
              f"slowest {max(others):.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
