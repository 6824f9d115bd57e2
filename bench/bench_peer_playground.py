"""TensorFlow Playground next to nnviz's live playground, in the same headless Chromium (issue #16).

Prints one table: visible updates of the step counter per second, training (mini-batch) steps
per second, animation frames per second and the browser's CPU seconds per second (this
benchmark's own Chromium processes only), for the peer and for nnviz at its default and highest
speed, all measured in one run with the same in-page requestAnimationFrame probe.

The peer is not part of this project and nothing here builds it: pass the ``dist`` folder of a
copy you built yourself from https://github.com/tensorflow/playground (``npm install``, then
``mkdir -p dist && npm run build``, outside this checkout). Without ``--peer-dir`` only nnviz is
measured. The peer's counter (``#iter-number``) counts epochs: each frame runs one epoch over all
training points, updating the weights every ``batch size`` points, so steps per epoch =
floor(training points / batch size). The ratio of training data, the batch size and the problem
type are read from the page's controls; the number of generated points (500 for classification,
1200 for regression) is the peer's source constant, not shown on the page. The script prints
which values it used and how many training points the page drew (points outside the plot's
range are not drawn, so that count can be a little lower).

Never asserts on time: these machines are noisy; compare the rows of one run.

    python bench/bench_peer_playground.py [--peer-dir /tmp/tfpg/dist] [--seconds 15] [--no-nnviz]
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_browser import chromium_pids, counter_probe, cpu_seconds, live, renderer_pids  # noqa: E402

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, serve_app  # noqa: E402

#: Points the peer generates per data set (its source's constants; the page does not show them).
PEER_POINTS = {"classification": 500, "regression": 1200}
BUILD_HINT = ("build the peer outside this checkout: git clone https://github.com/tensorflow/playground "
              "/tmp/tfpg && cd /tmp/tfpg && npm install && mkdir -p dist && npm run build; "
              "then pass --peer-dir /tmp/tfpg/dist")

#: Runs in the peer's page: count every animation frame in which its epoch counter's text changed.
PEER_PROBE = counter_probe("""\
  const read = () => { const el = document.querySelector('#iter-number'); return el ? el.textContent.trim() : null; };
""")

#: The peer's training settings as its controls show them, and the training points it drew.
PEER_SETTINGS = """() => ({
  percTrainData: Number(document.querySelector('#percTrainData').value),
  batchSize: Number(document.querySelector('#batchSize').value),
  problem: document.querySelector('#problem').value,
  drawn: document.querySelectorAll('#heatmap g.train circle').length,
})"""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # no request log on stderr
        pass


@contextlib.contextmanager
def serve_dir(folder: Path) -> Iterator[str]:
    """Serve ``folder`` with http.server on 127.0.0.1 (a free port); yield its URL; stop it."""
    handler = functools.partial(_Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def peer_built(folder: Path | None) -> bool:
    return folder is not None and (folder / "index.html").is_file() and (folder / "bundle.js").is_file()


def peer_live(browser, url: str, seconds: float) -> dict[str, float]:
    """Press the peer's play button and measure its counter over ``seconds``."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    # Offline machine: the peer's fonts and analytics are external; refuse them at once.
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(url)
                  else route.abort())
    page = context.new_page()
    page.goto(url, wait_until="load")
    page.wait_for_selector("#play-pause-button", timeout=60_000)
    page.wait_for_function("() => document.querySelectorAll('#heatmap g.train circle').length > 0",
                           timeout=60_000)
    settings = page.evaluate(PEER_SETTINGS)
    page.click("#play-pause-button")
    page.wait_for_timeout(2000)  # let it reach steady state
    page.evaluate(PEER_PROBE)
    tabs = renderer_pids()
    b0, p0, t0 = cpu_seconds(chromium_pids()), cpu_seconds(tabs), time.perf_counter()
    page.wait_for_timeout(seconds * 1000)
    probe = page.evaluate("() => window.__steps")
    b1, p1, t1 = cpu_seconds(chromium_pids()), cpu_seconds(tabs), time.perf_counter()
    page.click("#play-pause-button")
    context.close()
    wall = t1 - t0
    points = PEER_POINTS.get(settings["problem"], PEER_POINTS["classification"])
    train = int(points * settings["percTrainData"] / 100)
    per_epoch = train // max(1, settings["batchSize"])
    epochs = (probe["last"] - probe["first"]) if probe["first"] is not None else 0
    return {"updates/s": probe["changes"] / wall, "steps/s": epochs * per_epoch / wall,
            "epochs/s": epochs / wall, "frames/s": probe["frames"] / wall,
            "browser cpu/s": (b1 - b0) / wall, "tab cpu/s": (p1 - p0) / wall,
            "settings": settings, "train": train, "per_epoch": per_epoch}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--peer-dir", type=Path, help="the dist folder of a built TensorFlow Playground")
    ap.add_argument("--seconds", type=float, default=15.0)
    ap.add_argument("--no-nnviz", action="store_true", help="measure only the peer")
    args = ap.parse_args(argv)
    from playwright.sync_api import sync_playwright

    peer_dir = args.peer_dir.resolve() if args.peer_dir else None
    if not peer_built(peer_dir):
        where = f"{peer_dir} has no built index.html and bundle.js" if peer_dir else "no --peer-dir given"
        print(f"TensorFlow Playground not measured ({where}): {BUILD_HINT}")
        peer_dir = None
    rows: list[tuple[str, dict]] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        if peer_dir is not None:
            with serve_dir(peer_dir) as url:
                r = peer_live(browser, url, args.seconds)
            s = r["settings"]
            print(f"TensorFlow Playground from {peer_dir} at {url}: {s['problem']}, ratio of training data "
                  f"{s['percTrainData']}% and batch size {s['batchSize']} (read from its controls) of "
                  f"{PEER_POINTS.get(s['problem'], 500)} points (its source's constant) -> {r['train']} "
                  f"training points ({s['drawn']} drawn), {r['per_epoch']} mini-batch steps per epoch; "
                  f"{r['epochs/s']:.1f} epochs/s")
            rows.append(("TF Playground", r))
        if not args.no_nnviz:
            with serve_app("bench-peer-server") as url:
                for label, highest in (("nnviz default", False), ("nnviz highest", True)):
                    rows.append((label, live(browser, url, args.seconds, highest)))
        browser.close()
    print(f"\nlive training after Play, {args.seconds:g} s each, same headless Chromium")
    keys = ("updates/s", "steps/s", "frames/s", "browser cpu/s", "tab cpu/s")
    print(f"{'':<16}" + "".join(f"{k:>15}" for k in keys))
    for label, r in rows:
        print(f"{label:<16}" + "".join(f"{r[k]:>15.2f}" for k in keys))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
