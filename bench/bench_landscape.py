"""Loss-landscape grids: a 41 x 41 grid (1,681 forward passes over the data) for a 2-16-16-2 MLP
on 500 toy points (target under 2 s) and a 784-64-10 MLP on 1,000 MNIST images (target under
10 s). Prints the batched evaluator's time (median of repeats) against the plain loop that sets
the weights and runs ``net.predict`` point by point (timed on a sample of points, scaled up).

With ``--first-render N`` it measures the page instead, in headless Chromium against a served app:
N rounds of a warm visit (new browser context, results cached on the server) to the home page and
to the landscape page, each until its run is done and, on the landscape, until the paths map has
drawn its picture (``[data-nnviz=descent-map][data-ready="1"]``, or plotly's SVG in an older checkout;
stricter than bench_browser.py's "a chart element exists"); medians, kB of JavaScript loaded and whether plotly's bundle was fetched.

    python bench/bench_landscape.py [--data ../shared/data/mnist] [--repeats 3] [--first-render 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nnviz.data import mnist_files, toy_sets
from nnviz.labs.landscape import directions, evaluation, grids  # noqa: E402
from nnviz.nn.network import Network  # noqa: E402

RESOLUTION = 41


def _time(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def _loop_estimate(net, loss, X, y, d1, d2, points: int) -> float:
    """Seconds for the whole grid with the point-by-point fallback, from ``points`` of its points."""
    rng = np.random.default_rng(0)
    coords = rng.uniform(-1, 1, size=(points, 2))
    fast_path = evaluation._fast_path
    evaluation._fast_path = lambda net: False
    try:
        t0 = time.perf_counter()
        evaluation.evaluate_points(net, loss, X, y, [d1, d2], coords)
        elapsed = time.perf_counter() - t0
    finally:
        evaluation._fast_path = fast_path
    return elapsed * RESOLUTION**2 / points


def bench(name: str, net: Network, loss: str, X: np.ndarray, y: np.ndarray, target: float, repeats: int,
          loop_points: int) -> None:
    d1, d2 = directions.random_plane(net, 1)
    before = net.get_flat()
    grid = lambda: grids.loss_grid_2d(net, loss, X, y, d1, d2, span=1.0, resolution=RESOLUTION)  # noqa: E731
    grid()  # warm-up
    fast = _time(grid, repeats)
    loop = _loop_estimate(net, loss, X, y, d1, d2, loop_points)
    assert np.array_equal(before, net.get_flat())
    verdict = "OK" if fast < target else "SLOWER THAN TARGET"
    print(f"{name:<34} {RESOLUTION}x{RESOLUTION} grid: {fast:7.3f} s  (target < {target:g} s: {verdict});"
          f"  point-by-point loop ~{loop:7.2f} s  -> {loop / fast:5.1f}x faster;"
          f"  {RESOLUTION**2 / fast:,.0f} forward passes/s")


#: The paths view is drawn: the canvas map with its picture, or (a checkout before the canvas map) plotly's SVG.
PATHS_DRAWN = '[data-nnviz=descent-map][data-ready="1"], [data-testid=stPlotlyChart] .main-svg'


def _visit(browser, url: str, slug: str) -> tuple[float, float, bool]:
    """(seconds until the page is ready, kB of JavaScript loaded, plotly fetched) for a new browser context."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    done = "[data-testid=stApp][data-test-script-state=notRunning]"
    t0 = time.perf_counter()
    page.goto(f"{url}/{slug}", wait_until="commit")
    page.wait_for_selector(done, timeout=120_000)
    if slug:
        page.wait_for_selector(PATHS_DRAWN, timeout=120_000)
    else:
        page.wait_for_selector("[data-testid=stPageLink]", timeout=120_000)
    page.wait_for_selector(done, timeout=120_000)
    elapsed = time.perf_counter() - t0
    js, plotly = page.evaluate("""() => { const r = performance.getEntriesByType('resource');
      return [r.filter(e => e.name.endsWith('.js')).reduce((n, e) => n + e.encodedBodySize, 0),
              r.some(e => /plotly/i.test(e.name))]; }""")
    context.close()
    return elapsed, js / 1e3, bool(plotly)


def first_render(rounds: int) -> None:
    """Warm first render of home and landscape, ``rounds`` times each, alternating; prints medians."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, serve_app

    with serve_app("bench-landscape-server") as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        _visit(browser, url, "")
        _visit(browser, url, "landscape")  # cold: trains the runs and fits the plane once
        times: dict[str, list[float]] = {"home": [], "landscape": []}
        extra: dict[str, tuple[float, bool]] = {}
        for _ in range(rounds):
            for name, slug in (("home", ""), ("landscape", "landscape")):
                s, js, plotly = _visit(browser, url, slug)
                times[name].append(s)
                extra[name] = (js, plotly)
        browser.close()
    home = statistics.median(times["home"])
    for name, ts in times.items():
        med = statistics.median(ts)
        js, plotly = extra[name]
        print(f"{name:<10} warm first render: median {med:5.2f} s of {len(ts)} ({min(ts):.2f}-{max(ts):.2f});"
              f"  {med / home:4.2f}x home;  JavaScript {js:,.0f} kB;  plotly fetched: {'yes' if plotly else 'no'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=None, help="MNIST folder (default: mnist_files.default_mnist_folder())")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--first-render", type=int, default=0, metavar="N",
                        help="measure the page's warm first render in Chromium (N rounds) instead of the grids")
    args = parser.parse_args()
    if args.first_render:
        first_render(args.first_render)
        return

    ds = toy_sets.get("moons")(500, 1.0, 0)
    toy = Network.mlp([2, 16, 16, 2], activation="tanh", output="softmax", seed=0)
    bench("2-16-16-2 MLP, 500 toy points", toy, "cross_entropy", ds.X.astype(np.float32), ds.y, 2.0,
          args.repeats, loop_points=400)

    try:
        mnist = mnist_files.load_mnist(args.data)
    except mnist_files.MnistUnavailable as exc:
        print(f"784-64-10 MLP skipped: {exc}")
        return
    X = mnist.X_train[:1000].reshape(1000, -1)
    digits = Network.mlp([784, 64, 10], activation="relu", output="softmax", init="he_normal", seed=0)
    bench("784-64-10 MLP, 1,000 MNIST images", digits, "cross_entropy", X, mnist.y_train[:1000], 10.0,
          args.repeats, loop_points=120)


if __name__ == "__main__":
    main()
