"""Server-side cost of one live playground tick, and the chart payload it sends.

A tick of the default experiment (circles, 500 points, 2-4-4-2 network): 20 training steps, the
decision surface at 100x100, every neuron's heatmap, then the chart data (metrics, curves,
Vega-Lite specs and their datasets serialized to Arrow, as Streamlit does). Prints the median
tick time, the share spent in each part, and the payload per tick. Never asserts on time.

    python bench/bench_playground.py [--ticks 60] [--steps 20]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nnviz.figures import playground as figs  # noqa: E402
from nnviz.labs.playground import views  # noqa: E402
from nnviz.labs.playground.experiment import FEATURE_NAMES, Experiment  # noqa: E402
from nnviz.labs.playground.run import Run, build, metrics  # noqa: E402


def chart_specs(run: Run, surface, maps) -> list[dict]:
    """Every chart the live panel draws in one tick (as nnviz.ui.playground.draw builds them)."""
    exp = run.experiment
    metrics(run)
    curves = views.curves(run.history, start=run.start)
    data = run.data
    points = figs.points_frame(data.X_train, data.y_train, data.X_test, data.y_test)
    specs = [
        figs.surface_chart(surface, points, exp.task),
        figs.loss_chart(curves),
        figs.accuracy_chart(curves),
        figs.network_chart(maps, views.weights(run), views.neuron_labels(exp), output_range=(0.0, 1.0)),
        figs.gradient_norm_chart(views.gradient_norms(run)),
        figs.histogram_chart(views.weight_histograms(run)),
    ]
    return specs


def tick(run: Run, steps: int) -> tuple[float, float, float, int]:
    """(train s, surface+neurons s, chart data s, payload bytes) of one tick."""
    t0 = time.perf_counter()
    run.train(steps)
    t1 = time.perf_counter()
    surface = views.decision_surface(run, views.SURFACE_RES)
    maps = views.neuron_maps(run, figs.neuron_resolution(run.experiment.sizes))
    t2 = time.perf_counter()
    specs = chart_specs(run, surface, maps)
    payload = sum(figs.payload_bytes(s) for s in specs)  # includes the Arrow serialization
    t3 = time.perf_counter()
    return t1 - t0, t2 - t1, t3 - t2, payload


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ticks", type=int, default=60)
    ap.add_argument("--steps", type=int, default=20)
    args = ap.parse_args()

    exp = Experiment()
    run = build(exp)
    print(f"experiment: {exp.dataset}, {exp.n_points} points ({len(run.data.X_train)} train), "
          f"network {'-'.join(map(str, exp.sizes))}, batch {exp.batch_size}; {args.steps} steps per tick; "
          f"surface {views.SURFACE_RES}x{views.SURFACE_RES}, neuron maps "
          f"{figs.neuron_resolution(exp.sizes)}x{figs.neuron_resolution(exp.sizes)}")
    for _ in range(5):  # warm-up: caches (grid features), first allocations
        tick(run, args.steps)
    rows = [tick(run, args.steps) for _ in range(args.ticks)]
    train, surf, charts, payload = (list(col) for col in zip(*rows, strict=True))
    total = [a + b + c for a, b, c in rows_times(rows)]
    med = statistics.median(total)
    print(f"ticks: {args.ticks} (steps {run.step - args.ticks * args.steps} -> {run.step})")
    print(f"median tick: {1e3 * med:.1f} ms  (p90 {1e3 * sorted(total)[int(0.9 * len(total))]:.1f} ms; "
          f"target < 50 ms)")
    tsum = sum(train) + sum(surf) + sum(charts)
    print(f"  training      {1e3 * statistics.median(train):6.1f} ms  {100 * sum(train) / tsum:5.1f} %")
    print(f"  surface+maps  {1e3 * statistics.median(surf):6.1f} ms  {100 * sum(surf) / tsum:5.1f} %")
    print(f"  chart data    {1e3 * statistics.median(charts):6.1f} ms  {100 * sum(charts) / tsum:5.1f} %")
    print(f"payload per tick: median {statistics.median(payload) / 1e3:.1f} kB, max {max(payload) / 1e3:.1f} kB "
          f"(target < 300 kB)")

    # A long run: curves are downsampled, so the payload stays flat.
    run.train(5000)
    _, _, _, late = tick(run, args.steps)
    print(f"payload after {run.step:,} steps: {late / 1e3:.1f} kB")

    # The largest network the page allows: 6 hidden layers of 16, all 7 features.
    big = build(exp.replace(hidden=(16,) * 6, features=FEATURE_NAMES))
    for _ in range(3):
        tick(big, args.steps)
    big_rows = [tick(big, args.steps) for _ in range(15)]
    big_total = [a + b + c for a, b, c in rows_times(big_rows)]
    print(f"largest network ({'-'.join(map(str, big.experiment.sizes))}): median tick "
          f"{1e3 * statistics.median(big_total):.1f} ms, payload {statistics.median(r[3] for r in big_rows) / 1e3:.1f} kB")


def rows_times(rows):
    return [(a, b, c) for a, b, c, _ in rows]


if __name__ == "__main__":
    main()
