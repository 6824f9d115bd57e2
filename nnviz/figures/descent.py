"""Figures of the gradient-descent lab: trajectories in, figures (or canvas payloads) out; no widgets.

- ``map_payload`` (2D), ``curve_payload`` (1D) and ``loss_payload``: what the page's main view
  and its default tab draw on <canvas> (``nnviz/ui/descent_map``), one ``nnviz.labs.packing``
  blob each: the contour picture as PNG bytes, every run's path and every step's heads and
  overlays (arrows, tangents, steps) as float32 arrays, statuses and legend in a JSON header.
  The browser animates the whole race from it, loads no plotly, and sends back only a click on
  the map. Six runs of 200 steps with every overlay: ~110 kB.
- ``contour_figure`` (2D, the plotly map the page drew before the canvas one; kept for
  bench/bench_descent.py): the surface with every run's path,
  animated in the browser (Play/Pause and a step slider). All frames are computed here once;
  each frame carries only the moving parts (the heads with a short trail, the arrows, the
  tangents), at most ``MAX_FRAMES`` frames (longer runs are subsampled). The whole path of
  every run is drawn once, faintly, underneath. The 2D map is a picture in the layout
  (``contour_image``), not a contour trace: plotly.js blanks a contour trace while frames
  play and a 200x200 one never comes back before the animation ends. Frames play with
  ``redraw=True``: after a redraw-less animation a click on the map raises in plotly.js
  ("Cannot read properties of undefined (reading 'selectAll')") and picks no start point.
- ``surface3d_figure``: the same paths on a 3D surface (static).
- ``loss_figure``, ``distance_figure``: f - f* and the distance to the nearest minimum
  against the step, log scale, with diverged runs marked in red where they stopped.
- ``learning_rate_figure``: each run's learning rate against the stability limit of a
  quadratic surface (plain gradient descent converges only for η < 2/L).

What is drawn for a run comes from its optimizer's class, never from its name: the momentum
arrow from ``velocity``, the step-size cross from ``step_scale``, the bands from
``stability_limit`` and ``zigzag_limit``.

Sizes: the map is a ~25 kB PNG, paths and frames are float32 binary arrays; six runs of 500
steps on a 200x200 grid are about 0.45 MB of JSON, 0.65 MB with every arrow on
(bench/bench_descent.py measures it).
"""

from __future__ import annotations

import base64
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

from nnviz.figures import common
from nnviz.labs.descent.runs import RunStatus, Trajectory, declared_velocities, nearest_minimum_distance, status
from nnviz.labs.descent.stability import stability_limit, zigzag_limit
from nnviz.labs.descent.surfaces import Surface
from nnviz.labs.packing import finite, pack

#: One colour per run (up to six), saturated enough to stand out on the pale contour map.
RUN_COLORS = ("#e4572e", "#1f6fd1", "#17a34a", "#9b30d9", "#f0a202", "#e01e84")
#: Contour colours: deep blue-grey valleys rising to a pale sand.
CONTOUR_SCALE = [[0.0, "#2f4b6e"], [0.25, "#5f86a8"], [0.5, "#a9c4d6"], [0.75, "#dfe6dd"], [1.0, "#f7f1e1"]]
#: Frames of the animations (longer runs are subsampled). 100, not 200: the slider draws a step per frame,
#: and 200 of them cost the browser about half a second more on the first render.
MAX_FRAMES = 100
#: Steps of trail drawn behind each moving head.
TRAIL = 8
#: Arrow length as a fraction of the domain's larger side.
ARROW = 0.09
#: Name of the invisible scatter grid that makes clicks on the 2D map work (see ``picked_start``).
PICK_NAME = "pick a start point"
#: Points per side of that grid. Every point is an SVG marker the browser builds: 41 x 41 cost about
#: 0.6 s of the page's first render; at 25 x 25 (23 px apart on the map) hover still reaches a point
#: from anywhere (plotly's hover distance is 20 px), and a typed start stays exact.
PICK_GRID = 25
DIVERGED_RED = "#d62728"
FLOOR = 1e-16  # log-scale floor for a loss or distance of exactly 0


def run_color(i: int) -> str:
    return common.cycle(RUN_COLORS, i)


# ---- an animated figure that does not validate its frames ------------------------------------


def _typed(a: np.ndarray) -> dict[str, str]:
    """A float array as plotly.js's binary typed-array spec (what plotly itself sends for NumPy)."""
    arr = np.ascontiguousarray(a, dtype=np.float32)
    return {"dtype": "f4", "bdata": base64.b64encode(arr.tobytes()).decode("ascii")}


def _encode(obj: Any) -> Any:
    if isinstance(obj, np.ndarray):
        return _typed(obj) if obj.dtype.kind == "f" else obj.tolist()
    if isinstance(obj, dict):
        return {k: _encode(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_encode(v) for v in obj]
    return obj


class AnimatedFigure(go.Figure):
    """A ``go.Figure`` whose animation frames are plain dicts, not validated ``go.Frame`` objects.

    Validating 200 frames of several traces costs ~0.3 ms per trace (over 100 ms a figure), the
    200 steps of the slider another 40 ms, and ``to_dict`` deep-copies them all again. These
    frames and the animation controls (``raw_layout``: sliders, updatemenus) are built from
    arrays by the functions below, checked once by the tests (``go.Figure(fig.to_dict())``
    validates everything), and added by ``to_dict`` (which ``st.plotly_chart`` and ``to_json``
    call), binary-encoded. ``frame_dicts`` and ``raw_layout`` hold them as built, for tests.
    """

    def __init__(self, data: Any = None, layout: Any = None, frame_dicts: Sequence[dict] = (),
                 raw_layout: dict[str, Any] | None = None, **kwargs: Any) -> None:
        if isinstance(data, dict) and "frames" in data:  # rebuilt from to_dict (copy, pickle)
            data = dict(data)
            frame_dicts = data.pop("frames")
        super().__init__(data=data, layout=layout, **kwargs)
        self._frame_dicts = list(frame_dicts)
        self._raw_layout = dict(raw_layout or {})

    @property
    def frame_dicts(self) -> list[dict]:
        return self._frame_dicts

    @property
    def raw_layout(self) -> dict[str, Any]:
        return self._raw_layout

    def to_dict(self) -> dict:
        out = super().to_dict()
        out["layout"].update(self._raw_layout)
        if self._frame_dicts:
            out["frames"] = [_encode(f) for f in self._frame_dicts]
        return out


# ---- shared pieces -------------------------------------------------------------------------------


def frame_steps(n_steps: int, max_frames: int = MAX_FRAMES) -> np.ndarray:
    """The steps shown as frames: every step up to ``max_frames``, else evenly subsampled (0 and last kept)."""
    if n_steps + 1 <= max_frames:
        return np.arange(n_steps + 1)
    return np.unique(np.round(np.linspace(0, n_steps, max_frames)).astype(int))


def _f32(a: Any) -> np.ndarray:
    return np.asarray(a, dtype=np.float32)


def _arrow_trace(name: str, color: str, n_runs: int, dash: str = "solid", legend: bool = True) -> go.Scatter:
    """An arrow trace: shaft lines with a head (marker 'arrow' pointing along the segment) per run."""
    return go.Scatter(
        x=[], y=[], mode="lines+markers", name=name, showlegend=legend, hoverinfo="skip",
        line={"color": color, "width": 2.5, "dash": dash},
        marker={"symbol": "arrow", "angleref": "previous", "size": [0, 13, 0] * n_runs,
                "color": [c for i in range(n_runs) for c in (color, run_color(i), color)],
                "line": {"width": 0}},
    )


def _frame_index(trajs: Sequence[Trajectory], steps: np.ndarray, surface: Surface) -> np.ndarray:
    """(frames, runs): the index of the point each run shows at each frame's step.

    A run that stopped early stays at its last point; one that flies off the plot stays at its
    first point far off it, so its trail leaves the plot instead of sweeping wild lines across it.
    """
    last = np.array([_on_plot(t.points, surface) - 1 for t in trajs], dtype=np.int64)
    return np.minimum(steps[:, None], last[None, :]) if len(trajs) else np.zeros((len(steps), 0), dtype=np.int64)


def _trails(values: np.ndarray, idx: np.ndarray, ys: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """x and y (frames, TRAIL + 1) of the last TRAIL steps up to idx[f] (repeating the start early on).

    ``values`` is (n, 2) points, or (n, 1) x-coordinates with ``ys`` (n,) their heights.
    """
    window = np.clip(idx[:, None] + np.arange(-TRAIL, 1)[None, :], 0, None)
    if ys is None:
        return _f32(values[window, 0]), _f32(values[window, 1])
    return _f32(values[window, 0]), _f32(ys[window])


def _scaled(v: np.ndarray) -> np.ndarray:
    """(frames, runs, 2) vectors -> arrow vectors of length <= 1 along v, NaN where |v| is 0 or not finite.

    The length saturates, |v| / (|v| + r) * 1.1 with r a tenth of the run's largest |v|: the
    arrow is long while the vector is near its largest, and shrinks to nothing as it fades
    (a run settling into a minimum), instead of pointing every which way at full length.
    """
    n = np.linalg.norm(v, axis=-1, keepdims=True)
    ok = np.isfinite(n) & (n > 0)
    ref = 0.1 * np.max(np.where(ok, n, 0.0), axis=0, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = v / n * np.minimum(1.0, 1.1 * n / (n + ref))
    return np.where(ok, out, np.nan)


def _arrow_series(tails: np.ndarray, heads: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(frames, runs, 2) tails and heads -> x, y (frames, 3 * runs): tail, head, gap per run."""
    F, R, _ = tails.shape
    seg = np.full((F, R, 3, 2), np.nan)
    seg[:, :, 0], seg[:, :, 1] = tails, heads
    bad = ~np.all(np.isfinite(heads), axis=-1)
    seg[bad] = np.nan  # no head, no shaft
    return _f32(seg[..., 0].reshape(F, 3 * R)), _f32(seg[..., 1].reshape(F, 3 * R))


def _frames(steps: np.ndarray, series: Sequence[tuple[np.ndarray, np.ndarray]], first: int) -> list[dict[str, Any]]:
    """One frame per step: for each animated trace (indices first, first + 1, ...) its x and y row."""
    traces = list(range(first, first + len(series)))
    return [
        {"name": str(int(s)), "data": [{"x": xs[f], "y": ys[f]} for xs, ys in series], "traces": traces}
        for f, s in enumerate(steps)
    ]


def _slider_and_buttons(steps: np.ndarray, redraw: bool = True) -> dict[str, Any]:
    """Play/Pause buttons and a step slider over the frames (named by step), starting at the last frame."""
    duration = int(np.clip(8000 / max(len(steps), 1), 30, 150))
    play = {"frame": {"duration": duration, "redraw": redraw}, "transition": {"duration": 0},
            "fromcurrent": False, "mode": "immediate"}
    pause = {"frame": {"duration": 0, "redraw": redraw}, "transition": {"duration": 0}, "mode": "immediate"}
    slider_steps = [
        {"method": "animate", "label": str(int(s)),
         "args": [[str(int(s))], {"frame": {"duration": 0, "redraw": redraw}, "mode": "immediate",
                                  "transition": {"duration": 0}}]}
        for s in steps
    ]
    return {
        "updatemenus": [{
            "type": "buttons", "direction": "left", "showactive": False, "x": 0.0, "y": 0.0,
            "xanchor": "left", "yanchor": "top", "pad": {"t": 52, "r": 10},
            "buttons": [
                {"label": "▶ Play", "method": "animate", "args": [None, play]},
                {"label": "❚❚ Pause", "method": "animate", "args": [[None], pause]},
            ],
        }],
        "sliders": [{
            "active": len(steps) - 1, "x": 0.2, "len": 0.8, "y": 0.0, "yanchor": "top",
            "pad": {"t": 40, "b": 0}, "ticklen": 0, "minorticklen": 0,
            "font": {"color": "rgba(0,0,0,0)", "size": 1},  # 200 tick labels would overlap: the value shows above
            "currentvalue": {"prefix": "step ", "font": {"size": 13, "color": "#333333"}, "xanchor": "right"},
            "steps": slider_steps,
        }],
    }


def _legend_top() -> dict[str, Any]:
    return {"orientation": "h", "x": 0.0, "xanchor": "left", "y": 1.01, "yanchor": "bottom",
            "bgcolor": "rgba(255,255,255,0.85)", "font": {"size": 12}}


def titles_of(trajs: Sequence[Trajectory]) -> list[str]:
    return [t.spec.title for t in trajs]


def velocity_name() -> str:
    """The momentum arrow's legend, from what the registered optimizers declare as ``velocity``: the
    array most of them use, then the others with their optimizers, e.g. "momentum: −v (Adam: −m)"."""
    users = declared_velocities()
    if not users:
        return "momentum"
    main = max(users, key=lambda k: len(users[k]))  # the first of the most used
    others = [f"{', '.join(labels)}: −{key}" for key, labels in users.items() if key != main]
    return f"momentum: −{main}" + (f" ({'; '.join(others)})" if others else "")


# ---- 2D: contour map -------------------------------------------------------------------------------


def color_values(surface: Surface, Z: np.ndarray) -> tuple[np.ndarray, dict[str, Any]]:
    """What the contour colours: f itself, or log10(f - f*) where the surface wants a log scale.

    Returns the values and the colour-bar settings (log ticks labelled with f - f*).
    """
    if not surface.log_color:
        return Z, {"title": {"text": "f", "side": "right"}}
    fmin = surface.min_value if surface.min_value is not None else float(np.nanmin(Z))
    gap = np.maximum(Z - fmin, 0.0)
    span = float(np.nanmax(gap)) or 1.0
    floor = span * 1e-6
    L = np.log10(gap + floor)
    lo, hi = math.ceil(float(np.nanmin(L))), math.floor(float(np.nanmax(L)))
    ticks = list(range(lo, hi + 1))
    bar = {"title": {"text": "f − f* (log)", "side": "right"}, "tickvals": ticks,
           "ticktext": [f"{10.0**k:g}" for k in ticks]}
    return L, bar


def _scale_rgb(t: np.ndarray) -> np.ndarray:
    """Colours of ``CONTOUR_SCALE`` (evenly spaced stops) at positions t in [0, 1]: (..., 3) uint8."""
    return common.ramp(t, [c for _, c in CONTOUR_SCALE]).round().astype(np.uint8)


def _resize_bilinear(a: np.ndarray, height: int, width: int) -> np.ndarray:
    """Bilinear resampling of a 2D array to (height, width), corners kept (separable, vectorized)."""
    def weights(n_in: int, n_out: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        pos = np.linspace(0.0, n_in - 1.0, n_out)
        i0 = np.minimum(pos.astype(np.int64), n_in - 2) if n_in > 1 else np.zeros(n_out, dtype=np.int64)
        w = (pos - i0).astype(np.float32) if n_in > 1 else np.zeros(n_out, dtype=np.float32)
        return i0, np.minimum(i0 + 1, n_in - 1), w
    a = np.asarray(a, dtype=np.float32)
    r0, r1, wr = weights(a.shape[0], height)
    c0, c1, wc = weights(a.shape[1], width)
    rows = a[r0] * (1 - wr)[:, None] + a[r1] * wr[:, None]
    return rows[:, c0] * (1 - wc)[None, :] + rows[:, c1] * wc[None, :]


def contour_image(C: np.ndarray, crange: tuple[float, float], levels: int = 28, width: int = 560) -> str:
    """``contour_png`` as a data URI (the plotly map's layout image)."""
    return "data:image/png;base64," + base64.b64encode(contour_png(C, crange, levels, width)).decode("ascii")


def contour_png(C: np.ndarray, crange: tuple[float, float], levels: int = 28, width: int = 560) -> bytes:
    """A filled-contour picture of ``C`` (rows: y ascending) as PNG bytes.

    ``levels`` colour bands of ``CONTOUR_SCALE`` over ``crange`` with a thin darker line
    between bands, drawn at ``width`` pixels (the grid is interpolated bilinearly).
    A banded picture compresses well: ~30 kB against ~210 kB for a 200x200 float32 grid.
    """
    ny, nx = C.shape
    height = max(2, int(round(width * ny / nx)))
    lo, hi = crange
    u = (np.where(np.isfinite(C), C, hi) - lo) * (levels / ((hi - lo) or 1.0))  # in band units
    v = _resize_bilinear(u, height, width)[::-1]  # image rows run from the top (largest y)
    q = np.clip(v, 0, levels - 1).astype(np.uint8)
    band = _scale_rgb((np.arange(levels) + 0.5) / levels)
    return common.banded_png(q, band, (band * 0.78).astype(np.uint8))  # lines: darker than their band


def _outside(points: np.ndarray, surface: Surface, margin: float = 0.0) -> np.ndarray:
    """(n,) whether each point lies outside the domain widened by ``margin`` of its size on each side."""
    b = surface.bounds()
    pad = margin * (b[:, 1] - b[:, 0])
    return np.any((points < b[:, 0] - pad) | (points > b[:, 1] + pad), axis=1)


def _on_plot(points: np.ndarray, surface: Surface) -> int:
    """How many points of a path to draw: up to the first one far off the plot (included, so the
    line leaves the plot), not the wild rest of a diverging run."""
    far = np.flatnonzero(_outside(points, surface, margin=0.5))
    return len(points) if far.size == 0 else int(far[0]) + 1


def _exit_point(points: np.ndarray, surface: Surface) -> np.ndarray:
    """Where a diverging path leaves the domain (its last point inside before the first outside), or its end."""
    out = np.flatnonzero(_outside(points, surface))
    if out.size == 0:
        return points[-1]
    return points[max(int(out[0]) - 1, 0)]


def contour_figure(
    surface: Surface,
    trajs: Sequence[Trajectory],
    *,
    show_gradient: bool = True,
    show_velocity: bool = False,
    show_step_size: bool = False,
    resolution: int = 200,
    max_frames: int = MAX_FRAMES,
    pick_grid: int = PICK_GRID,
    height: int = 700,
    statuses: Sequence[RunStatus] | None = None,
) -> AnimatedFigure:
    """The 2D surface as a contour map with every run's path, animated (Play/Pause, step slider).

    Static traces, in order: contour, the click grid (``PICK_NAME``), minima, each run's whole
    path (faint; legend entry), the start. Animated: each run's head with its last ``TRAIL``
    steps, then optionally the arrows: -∇f (downhill direction), the momentum (-velocity, for
    runs whose optimizer declares one: -v, Adam's -m), and the adaptive optimizers'
    per-coordinate step size (``Trajectory.step_scale``, e.g. η/(√v̂ + ε)) as a cross with arms
    along x and along y. Arrows show the direction; their length shrinks as the vector fades
    (``_scaled``); the cross shows the ratio of its two arms (the longer has a fixed length).
    """
    if surface.dim != 2:
        raise ValueError(f"contour_figure needs a 2D surface, got {surface.name} ({surface.dim}D)")
    x, y, Z = surface.grid(resolution)
    C, colorbar = color_values(surface, Z)
    (x0, x1), (y0, y1) = surface.domain
    size = max(x1 - x0, y1 - y0)
    ell = ARROW * size
    n_runs = len(trajs)
    titles = titles_of(trajs)

    C = np.asarray(C, dtype=np.float64)
    cmin, cmax = float(np.nanmin(C)), float(np.nanmax(C))
    # The map is a picture in the layout, not a contour trace: plotly.js removes a contour trace
    # while frames play and redraws it only when a frame leaves it time (about 50x50 points at
    # 25 frames a second; a 200x200 contour is never seen again until the animation ends).
    # A layout image is no trace, so the animation never touches it.
    images = [{"source": contour_image(C, (cmin, cmax)), "xref": "x", "yref": "y", "x": x0, "y": y1,
               "sizex": x1 - x0, "sizey": y1 - y0, "sizing": "stretch", "layer": "below"}]
    data: list[Any] = [go.Scatter(  # carries the colour bar of the picture
        x=[None], y=[None], mode="markers", name="f", showlegend=False, hoverinfo="skip",
        marker={"color": [cmin], "cmin": cmin, "cmax": cmax, "colorscale": CONTOUR_SCALE, "showscale": True,
                "colorbar": {**colorbar, "thickness": 12, "len": 0.8}},
    )]
    # The click grid: contour traces report no clicks; near-invisible markers do (STREAMLIT_NOTES.md).
    nx = pick_grid
    ny = max(3, int(round(pick_grid * (y1 - y0) / (x1 - x0))))
    gx, gy = np.meshgrid(np.linspace(x0, x1, nx), np.linspace(y0, y1, ny))
    fg = surface.f(gx, gy)
    data.append(go.Scatter(
        x=_f32(gx.ravel()), y=_f32(gy.ravel()), customdata=_f32(fg.ravel()), mode="markers", name=PICK_NAME,
        showlegend=False, marker={"size": 9, "color": "rgba(255,255,255,0.01)"},
        hovertemplate="(%{x:.2f}, %{y:.2f})  f = %{customdata:.3g}<br>click: start here<extra></extra>",
    ))
    minima = np.asarray(surface.minima, dtype=np.float64).reshape(-1, 2)
    if len(minima):
        values = [surface.value(m) for m in minima]
        kinds = ["global minimum" if surface.min_value is not None and abs(v - surface.min_value) < 1e-9
                 else "local minimum" for v in values]
        data.append(go.Scatter(
            x=minima[:, 0], y=minima[:, 1], mode="markers", name="minimum", showlegend=False,
            marker={"symbol": "star", "size": 15, "color": "white", "line": {"color": "black", "width": 1.2}},
            text=kinds, hovertemplate="%{text} (%{x:.3g}, %{y:.3g})<extra></extra>",
        ))
    statuses = statuses if statuses is not None else [status(t, surface) for t in trajs]
    for i, (traj, title, st) in enumerate(zip(trajs, titles, statuses, strict=True)):
        shown = traj.points[: _on_plot(traj.points, surface)]
        data.append(go.Scatter(
            x=_f32(shown[:, 0]), y=_f32(shown[:, 1]), mode="lines", name=title,
            legendgroup=f"run{i}", line={"color": run_color(i), "width": 1.6}, opacity=0.55,
            hovertemplate=f"{title}<br>{st.text}<extra></extra>",
        ))
    if trajs:
        p0 = trajs[0].points[0]
        data.append(go.Scatter(
            x=[p0[0]], y=[p0[1]], mode="markers", name="start", showlegend=False,
            marker={"symbol": "circle-open", "size": 16, "color": "black", "line": {"width": 2.5}},
            hovertemplate="start (%{x:.3g}, %{y:.3g})<extra></extra>",
        ))
    gone = [(i, t) for i, t in enumerate(trajs) if t.diverged_at is not None]
    if gone:  # a red x where a diverged run leaves the plot (or stops, if that is on the plot)
        exits = [_exit_point(t.points, surface) for _, t in gone]
        data.append(go.Scatter(
            x=[p[0] for p in exits], y=[p[1] for p in exits], mode="markers",
            name="diverged", showlegend=False,
            marker={"symbol": "x", "size": 14, "color": DIVERGED_RED, "line": {"width": 1, "color": "white"}},
            text=[f"{titles[i]}: diverged at step {t.diverged_at}" for i, t in gone],
            hovertemplate="%{text}<extra></extra>",
        ))

    # Animated traces (their data comes from the frames).
    first_animated = len(data)
    sizes = [0.0] * TRAIL + [13.0]
    for i, title in enumerate(titles):
        data.append(go.Scatter(
            x=[], y=[], mode="lines+markers", name=title, legendgroup=f"run{i}", showlegend=False,
            line={"color": run_color(i), "width": 3.5},
            marker={"size": sizes, "color": run_color(i), "line": {"color": "white", "width": 1.5}},
            hovertemplate=f"{title}<br>(%{{x:.3g}}, %{{y:.3g}})<extra></extra>",
        ))
    kinds: list[str] = []
    if show_gradient:
        data.append(_arrow_trace("−∇f: downhill", "#111111", n_runs))
        kinds.append("gradient")
    velocities = [t.velocity for t in trajs]
    if show_velocity and any(v is not None for v in velocities):
        data.append(_arrow_trace(velocity_name(), "#6a1b9a", n_runs, dash="dot"))
        kinds.append("velocity")
    scales = [t.step_scale() for t in trajs]
    if show_step_size and any(s is not None for s in scales):
        data.append(go.Scatter(
            x=[], y=[], mode="lines", name="step size per coordinate", hoverinfo="skip",
            line={"color": "#8d6e00", "width": 3},
        ))
        kinds.append("scale")

    steps = frame_steps(max((t.n_steps for t in trajs), default=0), max_frames)
    idx = _frame_index(trajs, steps, surface)  # (frames, runs)
    series: list[tuple[np.ndarray, np.ndarray]] = [_trails(t.points, idx[:, r]) for r, t in enumerate(trajs)]
    here = np.stack([t.points[idx[:, r]] for r, t in enumerate(trajs)], axis=1) if trajs else np.zeros((len(steps), 0, 2))
    for kind in kinds if trajs else []:
        if kind == "gradient":
            heads = here + ell * _scaled(np.stack([-t.grads[idx[:, r]] for r, t in enumerate(trajs)], axis=1))
            series.append(_arrow_series(here, heads))
        elif kind == "velocity":
            vel = np.full_like(here, np.nan)
            for r, v in enumerate(velocities):
                if v is not None:
                    vel[:, r] = -v[idx[:, r]]
            series.append(_arrow_series(here, here + ell * _scaled(vel)))
        else:  # the adaptive optimizers' step size per coordinate: a cross with arms ∝ η_x, η_y
            h = np.full_like(here, np.nan)
            for r, sc in enumerate(scales):
                if sc is not None:
                    h[:, r] = sc[idx[:, r]]
            with np.errstate(invalid="ignore", divide="ignore"):
                h = 0.6 * ell * h / np.max(h, axis=2, keepdims=True)
            # x arm: (-hx, 0) to (hx, 0), gap, y arm: (0, -hy) to (0, hy), gap
            ends = np.array([[-1, 0], [1, 0], [np.nan, np.nan], [0, -1], [0, 1], [np.nan, np.nan]])
            cross = here[:, :, None, :] + h[:, :, None, :] * ends[None, None]  # (frames, runs, 6, 2)
            F = len(steps)
            series.append((_f32(cross[..., 0].reshape(F, -1)), _f32(cross[..., 1].reshape(F, -1))))
    frames = _frames(steps, series, first_animated) if trajs else []
    # The figure opens on the last frame: the finished race; Play replays it from step 0.
    if frames:
        for j, d in enumerate(frames[-1]["data"]):
            data[first_animated + j].update(x=d["x"], y=d["y"])

    layout: dict[str, Any] = {
        "height": height, "margin": {"l": 10, "r": 10, "t": 80, "b": 105},
        "xaxis": {"range": [x0, x1], "title": {"text": "x"}, "constrain": "domain", "showgrid": False, "zeroline": False},
        "yaxis": {"range": [y0, y1], "title": {"text": "y"}, "scaleanchor": "x", "scaleratio": 1,
                  "constrain": "domain", "showgrid": False, "zeroline": False},
        "legend": _legend_top(), "hovermode": "closest", "uirevision": surface.name,
        "plot_bgcolor": "white", "images": images,
    }
    return AnimatedFigure(data=data, layout=layout, frame_dicts=frames,
                          raw_layout=_slider_and_buttons(steps) if frames else None)


# ---- 2D on canvas: one binary payload for nnviz/ui/descent_map ---------------------------------------

#: What the map's overlays draw, by kind: legend name (a function: the velocity's depends on the
#: registry), colour, dashed or not.
OVERLAYS = {
    "gradient": (lambda: "−∇f: downhill", "#111111", False),
    "velocity": (velocity_name, "#6a1b9a", True),
    "scale": (lambda: "step size per coordinate", "#8d6e00", False),
}


def _color_bar(surface: Surface, C: np.ndarray, bar: dict[str, Any]) -> dict[str, Any]:
    """The colour bar of the map: title, range of the coloured values, stops, ticks (None: the browser
    picks nice ticks of f itself; on a log scale the labels of log10(f - f*))."""
    cmin, cmax = float(np.nanmin(C)), float(np.nanmax(C))
    ticks = None
    if "tickvals" in bar:
        ticks = [[float(v), t] for v, t in zip(bar["tickvals"], bar["ticktext"], strict=True)]
    return {"title": bar["title"]["text"], "range": [cmin, cmax], "stops": [c for _, c in CONTOUR_SCALE],
            "ticks": ticks}


def map_payload(
    surface: Surface,
    trajs: Sequence[Trajectory],
    *,
    show_gradient: bool = True,
    show_velocity: bool = False,
    show_step_size: bool = False,
    statuses: Sequence[RunStatus] | None = None,
    resolution: int = 200,
    hover_resolution: int = 101,
) -> bytes:
    """Everything the canvas map (``nnviz/ui/descent_map``) draws, as one ``pack`` blob.

    Header (JSON): ``kind`` "descent-map", ``race`` (an id of the paths shown), ``image_id`` (of the
    picture: the browser decodes a new one only), ``domain``
    [[x0, x1], [y0, y1]], ``color`` (colour bar: title, range, stops, ticks), ``minima``
    [[x, y, kind]], ``start`` [x, y] or None, ``steps`` (the longest run's), ``trail``, ``runs``
    (per run: title, colour, status kind and text, ``last`` index shown, ``exit`` [x, y] and
    ``diverged`` text for a diverged run) and ``overlays`` (legend entries of the arrays below).

    Arrays: ``image`` (uint8, the contour PNG of ``contour_png``), ``fgrid`` (float32 (ny, nx):
    f on a ``hover_resolution`` grid over the domain, for the hover readout), per run ``path{r}``
    (float32 (n, 2): the points up to the first far off the plot, as the figure draws them) and
    ``f{r}`` (their values); ``head`` (float32 (steps + 1, runs, 2): where each run is at each
    step, a stopped run at its last point, see ``_frame_index``); per overlay shown, (steps + 1,
    runs, 2) float32: ``gradient`` and ``velocity`` the arrow's offset from the head (NaN: none),
    ``scale`` the half-arms of the step-size cross. Every step is there: the browser animates
    without asking the server.
    """
    if surface.dim != 2:
        raise ValueError(f"map_payload needs a 2D surface, got {surface.name} ({surface.dim}D)")
    _, _, Z = surface.grid(resolution)
    C, bar = color_values(surface, Z)
    C = np.asarray(C, dtype=np.float64)
    color = _color_bar(surface, C, bar)
    png = contour_png(C, tuple(color["range"]))
    _, _, F = surface.grid(hover_resolution)
    (x0, x1), (y0, y1) = surface.domain
    ell = ARROW * max(x1 - x0, y1 - y0)
    statuses = statuses if statuses is not None else [status(t, surface) for t in trajs]
    titles = titles_of(trajs)

    minima = np.asarray(surface.minima, dtype=np.float64).reshape(-1, 2)
    marks = []
    for m in minima:
        v = surface.value(m)
        glob = surface.min_value is not None and abs(v - surface.min_value) < 1e-9
        marks.append([float(m[0]), float(m[1]), "global minimum" if glob else "local minimum"])

    arrays: dict[str, np.ndarray] = {"image": np.frombuffer(png, dtype=np.uint8),
                                     "fgrid": _f32(np.where(np.isfinite(F), F, np.nan))}
    runs = []
    for i, (t, title, st) in enumerate(zip(trajs, titles, statuses, strict=True)):
        n = _on_plot(t.points, surface)
        arrays[f"path{i}"] = _f32(t.points[:n])
        arrays[f"f{i}"] = _f32(np.where(np.isfinite(t.values[:n]), t.values[:n], np.nan))
        run: dict[str, Any] = {"title": title, "color": run_color(i), "kind": st.kind, "status": st.text,
                               "last": n - 1, "exit": None, "diverged": None}
        if t.diverged_at is not None:
            ex = _exit_point(t.points, surface)
            run["exit"] = [finite(ex[0]), finite(ex[1])]
            run["diverged"] = f"{title}: diverged at step {t.diverged_at}"
        runs.append(run)

    n_steps = max((t.n_steps for t in trajs), default=0)
    steps = np.arange(n_steps + 1)
    idx = _frame_index(trajs, steps, surface)  # (steps + 1, runs)
    R = len(trajs)
    here = np.stack([t.points[idx[:, r]] for r, t in enumerate(trajs)], axis=1) if R else np.zeros((len(steps), 0, 2))
    arrays["head"] = _f32(here)
    kinds = []
    if show_gradient and R:
        arrays["gradient"] = _f32(ell * _scaled(np.stack([-t.grads[idx[:, r]] for r, t in enumerate(trajs)], axis=1)))
        kinds.append("gradient")
    velocities = [t.velocity for t in trajs]
    if show_velocity and any(v is not None for v in velocities):
        vel = np.full_like(here, np.nan)
        for r, v in enumerate(velocities):
            if v is not None:
                vel[:, r] = -v[idx[:, r]]
        arrays["velocity"] = _f32(ell * _scaled(vel))
        kinds.append("velocity")
    scales = [t.step_scale() for t in trajs]
    if show_step_size and any(s is not None for s in scales):
        h = np.full_like(here, np.nan)
        for r, sc in enumerate(scales):
            if sc is not None:
                h[:, r] = sc[idx[:, r]]
        with np.errstate(invalid="ignore", divide="ignore"):
            h = 0.6 * ell * h / np.max(h, axis=2, keepdims=True)
        arrays["scale"] = _f32(h)
        kinds.append("scale")
    overlays = [{"kind": k, "name": OVERLAYS[k][0](), "color": OVERLAYS[k][1], "dash": OVERLAYS[k][2]} for k in kinds]

    start = [float(trajs[0].points[0, 0]), float(trajs[0].points[0, 1])] if trajs else None
    header = {
        "kind": "descent-map", "race": common.content_id(surface.name, repr(sorted(surface.params.items())), *titles,
                                            *(arrays[f"path{i}"].tobytes() for i in range(R))),
        "domain": [[float(x0), float(x1)], [float(y0), float(y1)]], "color": color, "minima": marks,
        "start": start, "steps": int(n_steps), "trail": TRAIL, "runs": runs, "overlays": overlays,
        "image_id": common.content_id(png),
    }
    return pack(header, arrays)


def _curves_payload(trajs: Sequence[Trajectory], series: Sequence[np.ndarray], statuses: Sequence[RunStatus],
                    title: str, log: bool) -> bytes:
    """Per-run curves for the canvas chart: header ``kind`` "descent-curves", ``title``, ``log``,
    ``steps`` (the x range), ``runs`` (name, colour, ``mark``: [step, value, "diverged" | "converged",
    text] or None); arrays ``x{r}`` (int32 steps, downsampled as the plotly figure) and ``y{r}`` (float32)."""
    arrays: dict[str, np.ndarray] = {}
    runs = []
    longest = max((len(y) - 1 for y in series), default=1) or 1
    for i, (t, y, st) in enumerate(zip(trajs, series, statuses, strict=True)):
        y = np.asarray(y, dtype=np.float64)
        sel = _downsample(len(y))
        arrays[f"x{i}"] = sel.astype(np.int32)
        arrays[f"y{i}"] = _f32(np.where(np.isfinite(y[sel]), y[sel], np.nan))
        mark = None
        last = len(y) - 1
        if st.kind == "diverged" and last >= 0 and finite(y[last]) is not None:
            mark = [last, float(y[last]), "diverged", f"diverged at step {st.step}"]
        elif st.kind == "converged" and st.step is not None and finite(y[st.step]) is not None:
            mark = [int(st.step), float(y[st.step]), "converged", f"converged at step {st.step}"]
        runs.append({"name": t.spec.title, "color": run_color(i), "mark": mark})
    header = {"kind": "descent-curves", "title": title, "log": bool(log), "steps": int(longest), "runs": runs,
              "floor": FLOOR}
    return pack(header, arrays)


def loss_payload(surface: Surface, trajs: Sequence[Trajectory], statuses: Sequence[RunStatus] | None = None) -> bytes:
    """``loss_figure``'s curves for the canvas chart: f(x_k) - f* (log scale), or f itself (linear)
    on a surface with no minimum; a red x where a run diverged, a dot where it converged."""
    statuses = statuses if statuses is not None else [status(t, surface) for t in trajs]
    if surface.min_value is None:
        return _curves_payload(trajs, [np.asarray(t.values) for t in trajs], statuses, "f(x)", False)
    series = [np.maximum(np.asarray(t.values) - surface.min_value, FLOOR) for t in trajs]
    return _curves_payload(trajs, series, statuses, "f − f*  (log scale)", True)


# ---- 1D: the curve ----------------------------------------------------------------------------------


def curve_payload(surface: Surface, trajs: Sequence[Trajectory], *, resolution: int = 400,
                  statuses: Sequence[RunStatus] | None = None) -> bytes:
    """``curve_figure`` for the canvas view (``nnviz/ui/descent_map``), one ``pack`` blob.

    Header: ``kind`` "descent-curve", ``race``, ``domain`` [lo, hi], ``yrange``, ``minima``
    [[x, f]], ``start`` [x, f] or None, ``steps``, ``trail``, ``runs`` (title, colour, status,
    ``last``, ``diverged``) and ``overlays`` (the tangent's and the step's legend entries). Arrays:
    ``curve_x``, ``curve_f`` (float32, the curve), per run ``path{r}`` (float32 (n, 2): x and f
    up to the first point far off the plot); (steps + 1, runs, 2) float32: ``head`` (x, f at each
    step), ``tangent_a`` and ``tangent_b`` (the ends of the tangent there), ``step_to`` (the next
    point's x at the head's height; NaN after a run's last point).
    """
    if surface.dim != 1:
        raise ValueError(f"curve_payload needs a 1D surface, got {surface.name} ({surface.dim}D)")
    x, fx = surface.grid(resolution)
    lo, hi = surface.domain
    fmin, fmax = float(np.min(fx)), float(np.max(fx))
    pad = 0.08 * (fmax - fmin or 1.0)
    yr = (fmin - pad, fmax + 2 * pad)
    width = hi - lo
    titles = titles_of(trajs)
    statuses = statuses if statuses is not None else [status(t, surface) for t in trajs]
    arrays: dict[str, np.ndarray] = {"curve_x": _f32(x), "curve_f": _f32(fx)}
    runs = []
    for i, (t, title, st) in enumerate(zip(trajs, titles, statuses, strict=True)):
        n = _on_plot(t.points, surface)
        arrays[f"path{i}"] = _f32(np.stack([t.points[:n, 0], t.values[:n]], axis=1))
        runs.append({"title": title, "color": run_color(i), "kind": st.kind, "status": st.text, "last": n - 1,
                     "diverged": f"{title}: diverged at step {t.diverged_at}" if t.diverged_at is not None else None})
    n_steps = max((t.n_steps for t in trajs), default=0)
    idx = _frame_index(trajs, np.arange(n_steps + 1), surface)
    F, R = idx.shape
    xk = np.stack([t.points[idx[:, r], 0] for r, t in enumerate(trajs)], axis=1) if R else np.zeros((F, 0))
    fk = np.stack([t.values[idx[:, r]] for r, t in enumerate(trajs)], axis=1) if R else np.zeros((F, 0))
    gk = np.stack([t.grads[idx[:, r], 0] for r, t in enumerate(trajs)], axis=1) if R else np.zeros((F, 0))
    h = np.minimum(0.1 * width, 0.5 * (yr[1] - yr[0]) / np.maximum(np.abs(gk), 1e-12))  # as curve_figure
    nxt = np.full((F, R), np.nan)
    for r, t in enumerate(trajs):
        has_next = idx[:, r] + 1 < len(t.points)
        nxt[has_next, r] = t.points[idx[has_next, r] + 1, 0]
    arrays["head"] = _f32(np.stack([xk, fk], axis=-1))
    arrays["tangent_a"] = _f32(np.stack([xk - h, fk - gk * h], axis=-1))
    arrays["tangent_b"] = _f32(np.stack([xk + h, fk + gk * h], axis=-1))
    arrays["step_to"] = _f32(np.stack([nxt, fk], axis=-1))
    minima = np.asarray(surface.minima, dtype=np.float64).reshape(-1)
    header = {
        "kind": "descent-curve",
        "race": common.content_id(surface.name, repr(sorted(surface.params.items())), *titles,
                     *(arrays[f"path{i}"].tobytes() for i in range(R))),
        "domain": [float(lo), float(hi)], "yrange": [float(yr[0]), float(yr[1])],
        "minima": [[float(m), float(surface.value([m]))] for m in minima],
        "start": [float(trajs[0].points[0, 0]), float(surface.value([trajs[0].points[0, 0]]))] if trajs else None,
        "steps": int(n_steps), "trail": TRAIL, "runs": runs,
        "overlays": [{"kind": "tangent", "name": "tangent: slope f′(x)", "color": "#555555", "dash": True},
                     {"kind": "step", "name": "step taken: Δx = x_next − x", "color": "#111111", "dash": False}],
    }
    return pack(header, arrays)


# ---- 3D -----------------------------------------------------------------------------------------------


def surface3d_figure(surface: Surface, trajs: Sequence[Trajectory], *, resolution: int = 90,
                     height: int = 620) -> go.Figure:
    """The 2D surface in 3D (height log10(1 + f - f*) where the map uses a log scale) with every path.

    Points outside the domain are left out, so a diverged run does not stretch the axes.
    """
    if surface.dim != 2:
        raise ValueError(f"surface3d_figure needs a 2D surface, got {surface.name} ({surface.dim}D)")
    x, y, Z = surface.grid(resolution)
    fmin = surface.min_value if surface.min_value is not None else float(np.min(Z))

    def height_of(f: np.ndarray) -> np.ndarray:
        return np.log10(1.0 + np.maximum(f - fmin, 0.0)) if surface.log_color else f

    H = height_of(Z)
    zlo, zhi = float(np.min(H)), float(np.max(H))
    lift = 0.01 * (zhi - zlo or 1.0)
    ztitle = "log₁₀(1 + f − f*)" if surface.log_color else "f"
    data: list[Any] = [go.Surface(x=_f32(x), y=_f32(y), z=_f32(H), colorscale=CONTOUR_SCALE, showscale=False,
                                  name="f", hoverinfo="skip",
                                  contours={"z": {"show": True, "usecolormap": True, "project": {"z": False}}})]
    b = surface.bounds()
    for i, (t, title) in enumerate(zip(trajs, titles_of(trajs), strict=True)):
        P = t.points
        inside = np.all((P >= b[:, 0]) & (P <= b[:, 1]), axis=1)
        stride = max(1, len(P) // 600)
        sel = np.arange(0, len(P), stride)
        px = np.where(inside[sel], P[sel, 0], np.nan)
        py = np.where(inside[sel], P[sel, 1], np.nan)
        pz = np.where(inside[sel], height_of(t.values[sel]) + lift, np.nan)
        data.append(go.Scatter3d(x=_f32(px), y=_f32(py), z=_f32(pz), mode="lines", name=title,
                                 line={"color": run_color(i), "width": 6}, hoverinfo="name"))
        if inside[-1]:
            data.append(go.Scatter3d(x=[P[-1, 0]], y=[P[-1, 1]], z=[float(height_of(t.values[-1:])[0]) + lift],
                                     mode="markers", showlegend=False, name=title, hoverinfo="name",
                                     marker={"size": 5, "color": run_color(i), "line": {"color": "white", "width": 1}}))
    if trajs:
        p0, f0 = trajs[0].points[0], trajs[0].values[0]
        data.append(go.Scatter3d(x=[p0[0]], y=[p0[1]], z=[float(height_of(np.array([f0]))[0]) + lift], mode="markers",
                                 name="start", showlegend=False, marker={"size": 6, "color": "black"}))
    layout = {
        "height": height, "margin": {"l": 0, "r": 0, "t": 30, "b": 0},
        "scene": {"xaxis": {"title": {"text": "x"}, "range": list(b[0])},
                  "yaxis": {"title": {"text": "y"}, "range": list(b[1])},
                  "zaxis": {"title": {"text": ztitle}, "range": [zlo, zhi + 2 * lift]},
                  "camera": {"eye": {"x": -0.8, "y": -1.35, "z": 2.3}}, "aspectmode": "manual",
                  "aspectratio": {"x": 1, "y": float((b[1, 1] - b[1, 0]) / (b[0, 1] - b[0, 0])), "z": 0.6}},
        "legend": _legend_top(), "uirevision": surface.name,
    }
    return go.Figure(data=data, layout=layout)


# ---- per-run curves ------------------------------------------------------------------------------


def _downsample(n: int, most: int = 600) -> np.ndarray:
    if n <= most:
        return np.arange(n)
    return np.unique(np.round(np.linspace(0, n - 1, most)).astype(int))


def _curves_figure(trajs: Sequence[Trajectory], series: Sequence[np.ndarray], statuses: Sequence[RunStatus],
                   ytitle: str, log: bool, height: int) -> go.Figure:
    data: list[Any] = []
    longest = max((len(y) - 1 for y in series), default=1) or 1
    for i, (t, y, st) in enumerate(zip(trajs, series, statuses, strict=True)):
        sel = _downsample(len(y))
        title = t.spec.title
        data.append(go.Scatter(x=sel, y=_f32(y[sel]), mode="lines", name=title, legendgroup=f"run{i}",
                               line={"color": run_color(i), "width": 2},
                               hovertemplate=f"{title}<br>step %{{x}}: %{{y:.3g}}<extra></extra>"))
        last = len(y) - 1
        if st.kind == "diverged":
            data.append(go.Scatter(
                x=[last], y=[float(y[last])], mode="markers+text", showlegend=False, legendgroup=f"run{i}",
                marker={"symbol": "x", "size": 13, "color": DIVERGED_RED, "line": {"width": 1, "color": "white"}},
                text=[f"diverged at step {st.step}"],
                textposition="middle right" if last < 0.6 * longest else "middle left",
                textfont={"color": DIVERGED_RED, "size": 12}, name=title,
                hovertemplate=f"{title}: diverged at step {st.step}<extra></extra>",
            ))
        elif st.kind == "converged" and st.step is not None:
            data.append(go.Scatter(
                x=[st.step], y=[float(y[st.step])], mode="markers", showlegend=False, legendgroup=f"run{i}",
                marker={"symbol": "circle", "size": 9, "color": run_color(i), "line": {"width": 1.5, "color": "white"}},
                name=title, hovertemplate=f"{title}: converged at step {st.step}<extra></extra>",
            ))
    layout = {
        "height": height, "margin": {"l": 10, "r": 10, "t": 30, "b": 10},
        "xaxis": {"title": {"text": "step"}, "rangemode": "tozero"},
        "yaxis": {"title": {"text": ytitle}, "type": "log" if log else "linear", "exponentformat": "power"},
        "legend": _legend_top(), "hovermode": "closest", "showlegend": False,
    }
    return go.Figure(data=data, layout=layout)


def loss_figure(surface: Surface, trajs: Sequence[Trajectory], statuses: Sequence[RunStatus] | None = None,
                height: int = 330) -> go.Figure:
    """f(x_k) - f* against the step (log scale); f itself (linear) on a surface with no minimum.

    A diverged run ends in a red x labelled "diverged at step k"; a converged run has a dot at
    the step it converged.
    """
    statuses = statuses if statuses is not None else [status(t, surface) for t in trajs]
    if surface.min_value is None:
        series = [np.asarray(t.values) for t in trajs]
        return _curves_figure(trajs, series, statuses, "f(x)", False, height)
    series = [np.maximum(np.asarray(t.values) - surface.min_value, FLOOR) for t in trajs]
    return _curves_figure(trajs, series, statuses, "f − f*  (log scale)", True, height)


def distance_figure(surface: Surface, trajs: Sequence[Trajectory], statuses: Sequence[RunStatus] | None = None,
                    height: int = 330) -> go.Figure | None:
    """Distance from x_k to the nearest known minimum against the step (log scale); None without minima."""
    if not surface.minima:
        return None
    statuses = statuses if statuses is not None else [status(t, surface) for t in trajs]
    series = []
    for t in trajs:
        d = nearest_minimum_distance(t, surface)
        assert d is not None
        series.append(np.maximum(d, FLOOR))
    return _curves_figure(trajs, series, statuses, "distance to nearest minimum  (log)", True, height)


# ---- learning rate against the stability limit ----------------------------------------------------


def learning_rate_figure(surface: Surface, trajs: Sequence[Trajectory], curvature: float | None = None,
                         height: int | None = None) -> go.Figure | None:
    """Where each run's learning rate sits against the stability limit of a quadratic surface.

    One row per run, on a log η axis, from what its optimizer's class declares: green up to its
    ``zigzag_limit`` (steady), amber from there to its ``stability_limit`` (zigzags, still
    converges), red above (diverges): 1/L and 2/L for plain gradient descent; green then red for
    an optimizer with a limit and no zigzag limit (momentum, Nesterov); grey for one with no fixed
    limit (the adaptive optimizers). L is ``curvature`` if given (e.g. the curvature at a minimum,
    ``stability.curvature_at``: the limit then holds near it), else the surface's constant
    curvature; None if there is neither.
    """
    L = curvature if curvature is not None else surface.lipschitz
    if L is None or not trajs:
        return None
    rates = [t.spec.learning_rate for t in trajs]
    limits = [stability_limit(t.spec, L) for t in trajs]
    calm = [zigzag_limit(t.spec, L) for t in trajs]
    known = [v for v in limits if v is not None]
    lo = min([*rates, 1.0 / L]) / 4.0
    hi = max([*rates, *known, 2.0 / L]) * 4.0
    bands = {"steady": "#cfe8cf", "zigzags": "#fbe3b0", "diverges": "#f6c4c4", "no fixed limit": "#e6e6e6"}
    shown: set[str] = set()
    data: list[Any] = []

    def band(row: int, a: float, b: float, kind: str) -> None:
        data.append(go.Scatter(
            x=[a, b, b, a, a], y=[row - 0.38, row - 0.38, row + 0.38, row + 0.38, row - 0.38], mode="lines",
            fill="toself", fillcolor=bands[kind], line={"width": 0}, name=kind, legendgroup=kind,
            showlegend=kind not in shown, hoverinfo="name",
        ))
        shown.add(kind)

    titles = titles_of(trajs)
    for row, (limit, zigzag) in enumerate(zip(limits, calm, strict=True)):
        if limit is not None and zigzag is not None:
            band(row, lo, zigzag, "steady")
            band(row, zigzag, limit, "zigzags")
            band(row, limit, hi, "diverges")
        elif limit is not None:
            band(row, lo, limit, "steady")
            band(row, limit, hi, "diverges")
        else:
            band(row, lo, hi, "no fixed limit")
    for row, (t, limit) in enumerate(zip(trajs, limits, strict=True)):
        eta = t.spec.learning_rate
        where = ("" if limit is None else
                 f"<br>η = {eta / limit:.2g} × its limit {limit:.3g}")
        data.append(go.Scatter(
            x=[eta], y=[row], mode="markers+text", name=titles[row], showlegend=False,
            marker={"size": 14, "color": run_color(row), "line": {"color": "white", "width": 1.5},
                    "symbol": "diamond"},
            text=[f"η = {eta:g}"], textposition="middle right", textfont={"size": 12},
            hovertemplate=f"{titles[row]}{where}<extra></extra>",
        ))
    n = len(trajs)
    data.append(go.Scatter(x=[2.0 / L, 2.0 / L], y=[-0.6, n - 0.4], mode="lines", name="2/L: plain GD limit",
                           line={"color": DIVERGED_RED, "width": 2, "dash": "dash"}, hoverinfo="name"))
    data.append(go.Scatter(x=[1.0 / L, 1.0 / L], y=[-0.6, n - 0.4], mode="lines", name="1/L: fastest without zigzag",
                           line={"color": "#8a6d00", "width": 1.5, "dash": "dot"}, hoverinfo="name"))
    layout = {
        "height": height or 90 + 46 * n, "margin": {"l": 10, "r": 10, "t": 30, "b": 40},
        "xaxis": {"type": "log", "title": {"text": f"learning rate η   (curvature L = {L:g})"},
                  "range": [math.log10(lo), math.log10(hi)], "exponentformat": "power"},
        "yaxis": {"tickvals": list(range(n)), "ticktext": titles, "range": [n - 0.4, -0.6], "showgrid": False,
                  "zeroline": False},
        "legend": _legend_top(), "hovermode": "closest", "plot_bgcolor": "white",
    }
    return go.Figure(data=data, layout=layout)
