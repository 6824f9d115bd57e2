"""Cost of the live playground: one server tick in-process, and optionally a served page in Chromium.

A tick of the default experiment (circles, 500 points, 2-4-4-2 network) at a speed in steps per
second: the tick's training steps, the batch of frames (each: metrics, the 50x50 surface, every
neuron's thumbnail, the weights), and the packed blob the live view receives. Prints the median
tick CPU time split into training / frames / packing, the payload per tick and per second, and
the cost at the highest speed and for the largest network. CPU seconds (``time.process_time``),
not wall time: the machines are shared.

``--browser`` also serves the app and measures the page in headless Chromium after Play, at the
default and the highest speed, and the Compare runs tab (three runs) at the default speed: visible step-counter updates per second (``[data-nnviz=step]``),
training steps per second, the server's CPU and the CPU of *this* benchmark's Chromium processes
only (its process tree, so other browsers on the machine do not count), and the bytes received.

    python bench/bench_playground.py [--ticks 30] [--browser] [--seconds 8]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nnviz.labs import pacing  # noqa: E402
from nnviz.labs.playground import frames as fr  # noqa: E402
from nnviz.labs.playground.experiment import FEATURE_NAMES, Experiment  # noqa: E402
from nnviz.labs.playground.run import Run, build  # noqa: E402

TICK_SECONDS = 2.0  # nnviz.ui.playground.TICK_SECONDS (not imported: that imports streamlit)
DEFAULT_SPEED, TOP_SPEED = 100, 2000  # nnviz.ui.playground.DEFAULT_SPEED, SPEEDS[-1]


def tick(run: Run, speed: float, carry: float = 0.0) -> tuple[float, float, float, int, float]:
    """(train s, frames s, pack s, payload bytes, carry) of one tick at ``speed`` steps/s (CPU time)."""
    steps, n_frames, carry = pacing.plan(speed, TICK_SECONDS, carry)
    base = fr.base_curves(run)
    parts = pacing.chunks(steps, n_frames)
    t_train = t_frames = 0.0
    batch = []
    every = fr.thumb_every(run, len(parts))
    for i, k in enumerate(parts):  # as fr.train_frames, timed apart
        a = time.process_time()
        run.train(k)
        b = time.process_time()
        batch.append(fr.frame(run, thumbs=i == len(parts) - 1 or (i + 1) % every == 0))
        t_train += b - a
        t_frames += time.process_time() - b
    t1 = time.process_time()
    blob = fr.payload(run, batch, base, batch=1, running=True, tick_seconds=TICK_SECONDS)
    t2 = time.process_time()
    return t_train, t_frames, t2 - t1, len(blob), carry


def server_side(ticks: int) -> None:
    exp = Experiment()
    run = build(exp)
    print(f"experiment: {exp.dataset}, {exp.n_points} points ({len(run.data.X_train)} train), network "
          f"{'-'.join(map(str, exp.sizes))}, batch {exp.batch_size}; {TICK_SECONDS:g} s ticks of up to "
          f"{round(fr.FPS * TICK_SECONDS)} frames; surface {fr.FRAME_SURFACE_RES}x{fr.FRAME_SURFACE_RES}, "
          f"thumbnails {fr.FRAME_NEURON_RES}x{fr.FRAME_NEURON_RES}")
    for label, speed, net in (("default speed", DEFAULT_SPEED, exp), ("1,000 steps/s", 1000, exp),
                              ("highest speed", TOP_SPEED, exp),
                              ("largest network, default speed", DEFAULT_SPEED,
                               exp.replace(hidden=(16,) * 6, features=FEATURE_NAMES))):
        run = build(net)
        carry = 0.0
        for _ in range(2):
            *_, carry = tick(run, speed, carry)
        rows = []
        for _ in range(ticks):
            *row, carry = tick(run, speed, carry)
            rows.append(row)
        train, frames, pack, size = (list(c) for c in zip(*rows, strict=True))
        total = [a + b + c for a, b, c, _ in rows]
        med = statistics.median(total)
        print(f"\n{label} ({speed} steps/s, network {'-'.join(map(str, net.sizes))}): median tick "
              f"{1e3 * med:.1f} ms CPU = {med / TICK_SECONDS:.3f} core")
        tsum = sum(total)
        for name, col in (("training", train), ("frames", frames), ("packing", pack)):
            print(f"  {name:<10}{1e3 * statistics.median(col):7.1f} ms  {100 * sum(col) / tsum:5.1f} %")
        print(f"  payload {statistics.median(size) / 1e3:.1f} kB per tick = "
              f"{statistics.median(size) / 1e3 / TICK_SECONDS:.0f} kB/s")


# ---- in the browser ------------------------------------------------------------------------

def browser_side(seconds: float) -> None:
    from playwright.sync_api import sync_playwright

    from bench.bench_browser import STEP_PROBE, chromium_pids, cpu_seconds, server_pid, set_highest_speed
    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, serve_app

    print(f"\nserved page after Play, {seconds:g} s each (browser: this benchmark's Chromium processes only)")
    keys = ("updates/s", "steps/s", "frames/s", "server cpu/s", "browser cpu/s", "kB/s")
    print(f"{'speed':<10}" + "".join(f"{k:>15}" for k in keys))
    with serve_app("bench-playground-server") as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        server = server_pid(url)
        for label, highest in (("default", False), ("highest", True), ("compare", False)):
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            page = context.new_page()
            received = [0]

            def on_ws(ws, received=received) -> None:
                ws.on("framereceived", lambda payload: received.__setitem__(0, received[0] + len(payload)))

            page.on("websocket", on_ws)
            page.goto(f"{url}/playground")
            page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]", timeout=120_000)
            page.wait_for_selector("[data-nnviz=step]", timeout=120_000)
            if highest:
                set_highest_speed(page)
            if label == "compare":  # three runs at the default speed, on the Compare runs tab
                page.get_by_role("tab", name="Compare runs").click()
                page.get_by_text("Everything else as in the sidebar").wait_for()
                page.wait_for_selector(".nnv-cmp-run", timeout=60_000)
            page.get_by_role("button", name="Play", exact=True).click()
            page.wait_for_timeout(2500)
            page.evaluate(STEP_PROBE)
            own = chromium_pids()
            s0, b0, r0, t0 = cpu_seconds([server]), cpu_seconds(own), received[0], time.perf_counter()
            page.wait_for_timeout(seconds * 1000)
            probe = page.evaluate("() => window.__steps")
            s1, b1, r1, t1 = cpu_seconds([server]), cpu_seconds(own), received[0], time.perf_counter()
            page.get_by_role("button", name="Pause", exact=True).click()
            context.close()
            wall = t1 - t0
            steps = (probe["last"] - probe["first"]) if probe["first"] is not None else 0
            row = {"updates/s": probe["changes"] / wall, "steps/s": steps / wall, "frames/s": probe["frames"] / wall,
                   "server cpu/s": (s1 - s0) / wall, "browser cpu/s": (b1 - b0) / wall, "kB/s": (r1 - r0) / wall / 1e3}
            print(f"{label:<10}" + "".join(f"{row[k]:>15.2f}" for k in keys))
        browser.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ticks", type=int, default=30)
    ap.add_argument("--browser", action="store_true", help="also measure a served page in Chromium")
    ap.add_argument("--seconds", type=float, default=8.0)
    args = ap.parse_args()
    server_side(args.ticks)
    if args.browser:
        browser_side(args.seconds)


if __name__ == "__main__":
    main()
