"""The gradient-descent page's server-side work for one rerun: six runs of 500 steps on Rosenbrock,
a 200x200 grid, the animated contour figure, and its serialization as st.plotly_chart does it
(``fig.to_dict()`` then ``plotly.io.to_json(validate=False)``). Budget: under 150 ms in all, the
figure message under 1 MB. Also prints what the two shortcuts buy: the lockstep race against six
separate runs, and plain-dict frames against validated ``go.Frame`` objects. Medians of repeats.

    python bench/bench_descent.py [--repeats 7] [--steps 500]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import plotly.graph_objects as go
import plotly.io as pio

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nnviz.figures.descent import (  # noqa: E402
    contour_figure,
    distance_figure,
    learning_rate_figure,
    loss_figure,
    surface3d_figure,
)
from nnviz.labs.descent import RunSpec, race, run, surfaces  # noqa: E402
from nnviz.labs.descent.runs import status  # noqa: E402

SPECS = [RunSpec("sgd", 0.0015), RunSpec("momentum", 0.002), RunSpec("nesterov", 0.002),
         RunSpec("adagrad", 0.5), RunSpec("rmsprop", 0.01), RunSpec("adam", 0.02)]


CPU: dict[str, float] = {}  # label -> median CPU seconds (less sensitive than wall time to a busy machine)


def timed(fn, repeats: int, label: str = "") -> tuple[float, object]:
    """Median wall-clock seconds of ``fn()`` over ``repeats`` calls (CPU seconds go to ``CPU[label]``)."""
    times, cpu, out = [], [], None
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    CPU[label] = statistics.median(cpu)
    return statistics.median(times), out


def message(fig) -> str:
    """What st.plotly_chart puts in the protobuf spec for ``fig``."""
    return pio.to_json(fig.to_dict(), validate=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--steps", type=int, default=500)
    args = parser.parse_args()
    s = surfaces.get("rosenbrock")
    steps, reps = args.steps, args.repeats
    race(s, SPECS, None, 10)  # warm up imports and caches
    contour_figure(s, race(s, SPECS, None, 10))

    t_race, trajs = timed(lambda: race(s, SPECS, None, steps), reps, "race")
    t_runs, _ = timed(lambda: [run(s, spec, None, steps) for spec in SPECS], reps, "runs")
    t_grid, _ = timed(lambda: s.grid(200), reps, "grid")
    t_fig, fig = timed(lambda: contour_figure(s, trajs, resolution=200), reps, "fig")
    t_json, spec = timed(lambda: message(fig), reps, "json")
    t_fig_all, fig_all = timed(lambda: contour_figure(s, trajs, show_velocity=True, show_step_size=True), reps, "fig_all")
    t_json_all, spec_all = timed(lambda: message(fig_all), reps, "json_all")
    total = t_race + t_fig + t_json  # the figure computes its own 200x200 grid
    total_all = t_race + t_fig_all + t_json_all

    def rest_of_page() -> int:
        statuses = [status(t, s) for t in trajs]
        figs = [loss_figure(s, trajs, statuses), distance_figure(s, trajs, statuses),
                learning_rate_figure(s, trajs, curvature=1001.6), surface3d_figure(s, trajs)]
        return sum(len(message(f)) for f in figs)

    t_rest, rest_bytes = timed(rest_of_page, reps, "rest")

    long_trajs = race(s, SPECS, None, 1000)
    spec_long = message(contour_figure(s, long_trajs, show_velocity=True, show_step_size=True))

    # What validated plotly frames would cost: the same figure rebuilt through go.Figure/go.Frame.
    d = fig.to_dict()
    t_validated, _ = timed(lambda: message(go.Figure(d)), max(1, reps // 3), "validated")

    ms = 1e3
    print(f"Rosenbrock, {len(SPECS)} runs x {steps} steps, 200x200 grid, {len(fig.frame_dicts)} frames "
          f"(median of {reps})")
    print(f"  race (lockstep)                 {t_race * ms:7.1f} ms   (6 separate runs: {t_runs * ms:.1f} ms, "
          f"{t_runs / t_race:.1f}x)")
    print(f"  200x200 grid alone              {t_grid * ms:7.1f} ms   (inside the figure below)")
    print(f"  contour figure                  {t_fig * ms:7.1f} ms")
    print(f"  serialize (as st.plotly_chart)  {t_json * ms:7.1f} ms")
    cpu_total = CPU["race"] + CPU["fig"] + CPU["json"]
    print(f"  total server-side               {total * ms:7.1f} ms   budget 150 ms: {total / 0.150:.2f} of it "
          f"(CPU time {cpu_total * ms:.1f} ms: {cpu_total / 0.150:.2f})")
    cpu_all = CPU["race"] + CPU["fig_all"] + CPU["json_all"]
    print(f"  total, all arrows and boxes on  {total_all * ms:7.1f} ms   (CPU time {cpu_all * ms:.1f} ms)")
    print(f"  figure message                  {len(spec) / 1e6:7.3f} MB  (all toggles {len(spec_all) / 1e6:.3f} MB, "
          f"1000 steps with all toggles {len(spec_long) / 1e6:.3f} MB; budget 1 MB)")
    print(f"  the page's other charts         {t_rest * ms:7.1f} ms   (loss, distance, learning rate, 3D: "
          f"{rest_bytes / 1e6:.3f} MB)")
    print(f"  validated go.Frame figure       {t_validated * ms:7.1f} ms   ({t_validated / (t_fig + t_json):.1f}x the "
          f"plain-dict frames)")


if __name__ == "__main__":
    main()
