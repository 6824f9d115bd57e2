"""What a user waits for, measured in real headless Chromium against a served app.

Prints, for one fresh server on 127.0.0.1:
- each page's first render, timed in the page from navigation start: ``paint`` when its run is
  done and a chart is drawn (a page's first visit shows its controls and main chart, the rest
  follows in a second run, nnviz/ui/first_paint.py) and ``whole`` when nothing is left on its way;
  for the first visitor (the server's caches cold), a new visitor (a new browser context: an empty
  browser cache; medians of ``--repeat``) and a return visit (a context that opened another page
  first: the app's files are in the browser's cache, as for a student's second page), with the
  ratios to the home page's; for the new visitor also the work behind it, which is steadier than
  wall times on a busy machine: kB received over the websocket, kB of JavaScript on the wire
  (compressed: nnviz/ui/compressed_assets.py; plotly's bundle alone is 4.7 MB, 1.4 MB compressed),
  the longest main-thread task and the sum of the long ones; ``--network`` runs the first renders
  over Chromium's emulated network (a share of a classroom's Wi-Fi) instead of the loopback; the
  same for ``bare``, the floor: a page of a stock Streamlit server with nothing of ours
  (bench/bare_page.py), measured between the app's pages;
- the live views after Play (Start), over ``--seconds``: the playground at the default and at the
  highest speed, the comparison runs and the digits page's training (needs MNIST; skipped with
  the reason printed where it is absent): visible updates of the step counter per second,
  training steps per second, the server process's CPU seconds per second, the browser's (all
  Chromium processes), the tab's alone (its renderer process, as Chrome's task manager counts a
  tab; the rest is mostly the GPU process compositing the window) and the bytes per second the
  page received over the websocket; and a hidden tab (the playground while its page reports itself hidden): the server's CPU, which
  should be next to nothing, and the steps trained meanwhile (0).

The step counter is the element ``[data-nnviz=step]`` where the page has one, else the
"Step" metric. Never asserts on time: these machines are noisy; compare runs side by side.

    python bench/bench_browser.py [--seconds 15] [--pages home,playground,...] [--no-live] [--js-profile]
                                  [--repeat 3]
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

from nnviz.ui import first_paint  # noqa: E402
from nnviz.ui.common import PAGES as APP_PAGES  # noqa: E402
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, serve_app  # noqa: E402
from tests.browser.visibility import HIDE, SHOW  # noqa: E402

PAGES = ("home", *(page.slug for page in APP_PAGES))  # every page of the app, the home page first
BARE_PAGE = Path(__file__).with_name("bare_page.py")
BARE = "bare"  # its row
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


def renderer_pids() -> list[int]:
    """This benchmark's Chromium renderer processes: its tabs. Chrome's task manager shows a tab as
    its renderer (the page's scripts, style, layout, painting); compositing the window is the GPU
    process's, counted with the rest of the browser in ``chromium_pids``."""
    pids = []
    for pid in chromium_pids():
        try:
            if b"--type=renderer" in Path(f"/proc/{pid}/cmdline").read_bytes():
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


#: Records, in ms from navigation start, when the page first showed its run done with a chart drawn
#: (``paint``: for a page's first visit, the controls and the main chart; the rest may still be on
#: its way, nnviz/ui/first_paint.py) and when it was whole (``whole``: nothing left on its way).
#: A chart is drawn when it has a size and, for our canvas elements, ``data-ready="1"``. A first run
#: that holds no chart (backprop's: its chart is below the fold) has painted when every element of it
#: has drawn, which its first-paint element marks (``first_paint.SETTLED``).
PAINT_PROBE = """(() => {
  const marks = window.__paint = {};
  const CHARTS = __CHARTS__, HOME = '[data-testid=stPageLink]';
  const done = () => document.querySelector('[data-testid=stApp][data-test-script-state=notRunning]') !== null;
  const drawn = () => [...document.querySelectorAll(location.pathname === '/' ? HOME : CHARTS)]
    .some(e => e.getBoundingClientRect().height > 0 && (!e.hasAttribute('data-ready') || e.dataset.ready === '1'));
  const pending = () => document.querySelector(__PENDING__) !== null;
  const settled = () => document.querySelector(__SETTLED__) !== null;  // a first run without a chart
  function check() {
    if (!('paint' in marks) && done() && (drawn() || settled())) marks.paint = performance.now();
    if ('paint' in marks && !('whole' in marks) && done() && !pending() && drawn()) marks.whole = performance.now();
    if (!('whole' in marks)) requestAnimationFrame(check);
  }
  requestAnimationFrame(check);
})();""".replace("__CHARTS__", repr(CHARTS)).replace("__PENDING__", repr(first_paint.PENDING)).replace(
    "__SETTLED__", repr(first_paint.SETTLED))


def visitor_context(browser):
    """A new browser context (an empty cache) with the long-task and paint probes."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.add_init_script(LONG_TASKS)
    context.add_init_script(PAINT_PROBE)
    return context


def throttle(context, page, network: tuple[float, float] | None) -> None:
    """Chromium's network emulation on ``page``: ``network`` = (Mbit/s each way, round trip ms), as on a
    classroom's shared Wi-Fi; None: the loopback as it is."""
    if network is None:
        return
    mbit, rtt = network
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": rtt,
                                                   "downloadThroughput": mbit * 1e6 / 8, "uploadThroughput": mbit * 1e6 / 8})


def first_render(browser, url: str, slug: str, profile: bool = False, context=None, page=None,
                 network: tuple[float, float] | None = None) -> dict[str, float]:
    """Seconds from navigation until the page showed its first paint (its run done and a chart
    drawn) and until it was whole; with the kilobytes the page received over the websocket until
    then, the longest main-thread task and the sum of the long ones (ms), and the kilobytes of
    JavaScript it loaded. ``context``: an existing browser context (its HTTP cache warm: a return
    visit), else a new one (an empty cache: a first visit); ``page``: a tab of it to navigate on;
    ``network``: ``throttle``'s (Mbit/s, round trip ms), for a new page."""
    own = context is None
    if own:
        context = visitor_context(browser)
    own_page = page is None
    if own_page:
        page = context.new_page()
        throttle(context, page, network)
    received = [0]
    page.on("websocket", lambda ws: ws.on(
        "framereceived", lambda payload: received.__setitem__(0, received[0] + len(payload))))
    cdp = None
    if profile:  # the browser's JavaScript CPU profile (sampling, 0.5 ms)
        cdp = context.new_cdp_session(page)
        cdp.send("Profiler.enable")
        cdp.send("Profiler.setSamplingInterval", {"interval": 500})
        cdp.send("Profiler.start")
    # The home page is measured at / (where it is served; /home is a hidden page that sends you there).
    page.goto(f"{url}/{'' if slug == 'home' else slug}", wait_until="commit")
    page.wait_for_function("() => window.__paint && 'whole' in window.__paint", timeout=120_000, polling=100)
    marks = page.evaluate("() => window.__paint")
    long = page.evaluate("() => window.__long") or [0]
    js = page.evaluate("() => performance.getEntriesByType('resource').filter(e => e.name.endsWith('.js'))"
                       ".reduce((n, e) => n + e.encodedBodySize, 0)")
    scripts = js_profile(cdp.send("Profiler.stop")["profile"]) if cdp is not None else {}
    errors = page.locator("[data-testid=stException]").count()
    if own_page:
        page.close()
    if own:
        context.close()
    if errors:
        print(f"  ! {slug}: the page shows {errors} exception(s)")
    return {"s": marks["paint"] / 1e3, "whole": marks["whole"] / 1e3, "ws kB": received[0] / 1e3,
            "longest ms": max(long), "long ms": sum(long), "js kB": js / 1e3, "scripts": scripts}


def return_visit(browser, url: str, slug: str, network: tuple[float, float] | None = None,
                 before: str | None = None) -> dict[str, float]:
    """A return visit: the browser has the app's files cached (it opened another page first:
    ``before``, by default functions, or home for functions)."""
    context = visitor_context(browser)
    page = context.new_page()
    throttle(context, page, network)
    before = before or ("functions" if slug != "functions" else "home")
    first_render(browser, url, before, context=context, page=page)
    result = first_render(browser, url, slug, context=context, page=page)
    context.close()
    return result


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
    tabs = renderer_pids()
    s0, b0, r0, t0 = cpu_seconds([server]), cpu_seconds(chromium_pids()), received[0], time.perf_counter()
    p0 = cpu_seconds(tabs)
    page.wait_for_timeout(seconds * 1000)
    probe = page.evaluate("() => window.__steps")
    s1, b1, r1, t1 = cpu_seconds([server]), cpu_seconds(chromium_pids()), received[0], time.perf_counter()
    p1 = cpu_seconds(tabs)
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
           "server cpu/s": (s1 - s0) / wall, "browser cpu/s": (b1 - b0) / wall, "tab cpu/s": (p1 - p0) / wall,
           "kB/s": (r1 - r0) / wall / 1e3}
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
    ap.add_argument("--repeat", type=int, default=3, help="visits per page for the medians")
    ap.add_argument("--network", default="", metavar="MBIT,RTT_MS",
                    help="first renders over Chromium's emulated network (20,20: 20 Mbit/s each way, 20 ms round "
                         "trip, a share of a classroom's Wi-Fi); default: the loopback as it is")
    ap.add_argument("--js-profile", action="store_true",
                    help="profile the browser's JavaScript on the warm visit: busy ms per script file")
    args = ap.parse_args(argv)
    network = tuple(float(v) for v in args.network.split(",")) if args.network else None
    if network is not None and len(network) != 2:
        ap.error(f"--network takes MBIT,RTT_MS, got {args.network!r}")
    from playwright.sync_api import sync_playwright

    with (serve_app("bench-browser-server") as url, serve_app("bench-bare-page", BARE_PAGE) as bare_url,
          sync_playwright() as pw):
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        slugs = [s for s in args.pages.split(",") if s]
        cold = {slug: first_render(browser, url, slug, network=network) for slug in slugs}  # caches warm up
        first_render(browser, bare_url, "home", network=network)
        warm = {slug: [] for slug in [*slugs, BARE]}
        back = {slug: [] for slug in [*slugs, BARE]}
        for i in range(args.repeat):  # alternate the pages, so a busy moment is shared out
            for slug in slugs:
                warm[slug].append(first_render(browser, url, slug, args.js_profile and i == 0, network=network))
                back[slug].append(return_visit(browser, url, slug, network))
            warm[BARE].append(first_render(browser, bare_url, "home", network=network))
            back[BARE].append(return_visit(browser, bare_url, "home", network, before="home"))
        med = {slug: {k: statistics.median(r[k] for r in warm[slug]) for k in ("s", "whole", "ws kB", "js kB",
                                                                          "longest ms", "long ms")}
               for slug in warm}
        ret = {slug: statistics.median(r["s"] for r in back[slug]) for slug in back}
        home = med["home"]["s"] if "home" in med else float("nan")
        home_back = ret.get("home", float("nan"))
        where = (f"over an emulated {network[0]:g} Mbit/s, {network[1]:g} ms network" if network else "on the loopback")
        print(f"first render (s), server at {url} {where}, medians of {args.repeat}. paint: the page's run is done "
              "and a chart is drawn (a first visit shows its controls and main chart, the rest follows: "
              "whole). cold: the first visitor (the server's caches cold); new: a new visitor (an empty "
              "browser cache); return: a browser that has opened another page of the app before. "
              f"{BARE}: the floor, a page of a stock Streamlit with a title, a line and a link (bench/bare_page.py)")
        print("the new visitor's work: kB over the websocket, JavaScript kB on the wire, the browser's longest "
              "main-thread task and all its long tasks (ms)")
        print(f"{'page':<12}{'cold':>7}{'new':>7}{'x home':>8}{'whole':>7}{'return':>8}{'x home':>8}"
              f"{'ws kB':>8}{'js kB':>8}{'longest':>9}{'long':>7}")
        for slug in [*slugs, BARE]:  # the bare page has no cold visit of its own
            w = med[slug]
            first = f"{cold[slug]['s']:>7.2f}" if slug in cold else f"{'':>7}"
            print(f"{slug:<12}{first}{w['s']:>7.2f}{w['s'] / home:>8.2f}{w['whole']:>7.2f}"
                  f"{ret[slug]:>8.2f}{ret[slug] / home_back:>8.2f}{w['ws kB']:>8.0f}{w['js kB']:>8.0f}"
                  f"{w['longest ms']:>9.0f}{w['long ms']:>7.0f}")
        renders = {slug: (cold[slug], warm[slug][0]) for slug in slugs}
        times = {slug: (cold[slug]["s"], med[slug]["s"]) for slug in slugs}
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
            keys = ("updates/s", "steps/s", "frames/s", "server cpu/s", "browser cpu/s", "tab cpu/s", "kB/s")
            print(f"{'view':<20}" + "".join(f"{k:>15}" for k in keys))
            for label, r in live_rows(browser, url, args.seconds, [v for v in args.live.split(",") if v]):
                note = "" if "resumed" not in r else ("  (resumed when shown)" if r["resumed"] else "  ! did not resume")
                print(f"{label:<20}" + "".join(f"{r[k]:>15.2f}" for k in keys) + note)
        browser.close()
    others = [warm for slug, (_, warm) in times.items() if slug != "home"]
    if others:
        print(f"\nnew visitor's first paint of the other pages: median {statistics.median(others):.2f} s, "
              f"slowest {max(others):.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
