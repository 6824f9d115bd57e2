"""Figures for the loss-landscape page: PCA-plane contour and surface with every run's path, the
plane's honesty check, random slices side by side, init-to-final interpolation, loss curves.

- ``path_map_payload`` and ``slice_payload``: the paths on the PCA plane and each random slice as
  canvas payloads (one ``nnviz.labs.packing`` blob each, kind "landscape-map", drawn by
  ``nnviz/ui/descent_map`` like the gradient-descent map, with no plotly): the banded loss picture
  as PNG bytes, the loss grid for the hover readout, every run's projected path with its per-snapshot
  readout (training step, real loss, loss at the projection, distance from the plane), start and end
  marks, and a frame per snapshot step for Play and the step slider.
- ``path_contour`` (the plotly figure the page drew before; kept for comparison), ``path_surface``
  (3D), ``path_honesty``, ``random_slices``, ``interpolation``, ``loss_curves``: Plotly figures.

Losses span decades and a wild learning rate sends them sky-high, so colours use log10(loss) by
default. Every map of one setup (the PCA plane, its 3D view, the random slices) colours the loss with
one scale (``LOSS_STOPS``, ``LEVELS`` bands over ``loss_scale(runs)``): set by the runs, which every tab
has, so a colour means the same loss in every tab (each view's own grid gave each its own range: the
slices' lightest colour was a loss of 0.40, the plane's 0.60, on the default setup). Colours saturate
outside the range: a diverged corner at the top colour instead of flattening everything else. Without
a scale, a figure falls back to a range set by the bulk of its own values (``colour_range``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go
from PIL import Image
from plotly.subplots import make_subplots

from nnviz.figures import common
from nnviz.labs.landscape.grids import Grid, Line
from nnviz.labs.landscape.paths import PathLandscape
from nnviz.labs.landscape.runs import TrainingRun
from nnviz.labs.packing import finite, pack

#: One colour per run (up to four runs; more cycle). Chosen to stand out on the blue contour.
PALETTE: tuple[str, ...] = ("#e4572e", "#f3a712", "#29bf12", "#d138bf", "#17becf", "#8c564b")
#: The loss colours of every view (plotly's Blues reversed): low loss dark, high loss light, so paths in
#: warm colours stand out.
LOSS_STOPS: tuple[str, ...] = ("#08306b", "#08519c", "#2171b5", "#4292c6", "#6baed6", "#9ecae1", "#c6dbef",
                               "#deebf7", "#f7fbff")
COLORSCALE = [[k / (len(LOSS_STOPS) - 1), c] for k, c in enumerate(LOSS_STOPS)]
LEVELS = 24  # colour bands of every contour
LOG_FLOOR = 1e-6  # losses below this show as this (log scale)
CLIP_QUANTILE = 0.97  # colours saturate above this quantile of the finite values
MAX_CURVE_POINTS = 600


def run_color(i: int) -> str:
    return common.cycle(PALETTE, i)


def _display(Z: np.ndarray, log: bool) -> np.ndarray:
    """The values colours are computed from: log10(loss) (floored) or the loss itself; non-finite
    values become +inf (clipped to the top of the colour range by the callers)."""
    Z = np.asarray(Z, dtype=np.float64)
    with np.errstate(all="ignore"):
        out = np.log10(np.maximum(Z, LOG_FLOOR)) if log else Z.copy()
    out[~np.isfinite(out)] = np.inf
    return out


def colour_range(arrays: Sequence[np.ndarray], log: bool = True) -> tuple[float, float]:
    """(low, high) display values for a colour scale shared by ``arrays`` (losses): from the lowest
    finite value to the ``CLIP_QUANTILE`` quantile, so a few huge values cannot wash out the rest."""
    vals = np.concatenate([_display(a, log).ravel() for a in arrays]) if arrays else np.zeros(0)
    vals = vals[np.isfinite(vals)]
    if vals.size == 0:
        return (0.0, 1.0)
    low = float(vals.min())
    high = float(np.quantile(vals, CLIP_QUANTILE))
    if not high > low:  # the bulk is flat: a narrow range; any outliers saturate
        high = low + (0.1 if log else max(abs(low) * 0.1, 1e-3))
    return low, high


#: How far below the lowest loss a run reached the colour scale goes, as a fraction of its span: a grid
#: point near a run's end can lie a little lower than any snapshot (a random slice of the default setup
#: with seed 3 went 8% of the span below).
SCALE_MARGIN = 0.1


def loss_scale(runs: Sequence[TrainingRun], log: bool = True) -> tuple[float, float]:
    """The one colour scale of a setup's maps, (low, high) display values (log10 losses with ``log``): the
    lightest colour is the loss at the runs' shared initial weights (step 0) and above, the darkest
    ``SCALE_MARGIN`` of the span below the lowest loss a run that did not diverge reached (every run's,
    when all diverged). When no run got below its start, the top is the highest loss a run had."""
    calm = [r for r in runs if r.diverged is None] or list(runs)
    vals = np.concatenate([_display(r.loss, log) for r in calm]) if calm else np.zeros(0)
    vals = vals[np.isfinite(vals)]
    if vals.size == 0:
        return (0.0, 1.0)
    low = float(vals.min())
    start = float(_display(np.asarray(runs[0].loss[:1]), log)[0])
    high = start if math.isfinite(start) and start > low else float(vals.max())
    if not high > low:
        high = low + (0.1 if log else max(abs(low) * 0.1, 1e-3))
    return low - SCALE_MARGIN * (high - low), high


def _clipped(Z: np.ndarray, log: bool, zrange: tuple[float, float]) -> np.ndarray:
    return np.clip(_display(Z, log), *zrange)


def _levels(zrange: tuple[float, float], n: int = LEVELS) -> dict:
    """Explicit contour levels: every panel and the colour bar use the same bands."""
    low, high = zrange
    return {"start": low, "end": high, "size": (high - low) / n}


def _log_ticks(low: float, high: float) -> tuple[list[float], list[str]]:
    """Colour-bar ticks at 1, 2, 5 x 10^k within [low, high] (display values are log10 losses)."""
    vals, text = [], []
    for e in range(math.floor(low) - 1, math.ceil(high) + 1):
        for m in (1, 2, 5):
            v = math.log10(m) + e
            if low - 1e-9 <= v <= high + 1e-9:
                vals.append(v)
                text.append(f"{m * 10.0**e:.3g}")
    if len(vals) > 8:  # keep the decades only
        keep = [i for i, t in enumerate(text) if t.lstrip("0.").startswith("1")]
        vals, text = [vals[i] for i in keep], [text[i] for i in keep]
    if len(vals) < 3:  # less than a decade: round loss values at a nice linear step
        lo, hi = 10.0**low, 10.0**high
        raw = (hi - lo) / 5
        step = min((m * 10.0 ** math.floor(math.log10(raw)) for m in (1, 2, 2.5, 5, 10)
                    if m * 10.0 ** math.floor(math.log10(raw)) >= raw), default=raw)
        ticks = np.arange(math.ceil(lo / step) * step, hi + 1e-12, step)
        vals = [math.log10(t) for t in ticks if t > 0]
        text = [f"{t:.3g}" for t in ticks if t > 0]
    return vals, text


def _loss_axis(arrays: Sequence[np.ndarray], log: bool) -> dict:
    """A y axis for losses: with ``log``, a log axis spanning the finite positive values of
    ``arrays`` with ticks at round loss values (1, 2, 5 x 10^k) written out in full."""
    if not log:
        return {"type": "linear"}
    vals = np.concatenate([np.ravel(np.asarray(a, dtype=np.float64)) for a in arrays]) if arrays else np.zeros(0)
    vals = vals[np.isfinite(vals) & (vals > 0)]
    if vals.size == 0:
        return {"type": "log"}
    low, high = math.log10(max(vals.min(), LOG_FLOOR)), math.log10(vals.max())
    pad = max(0.04 * (high - low), 0.02)
    low, high = low - pad, high + pad
    tickvals, ticktext = _log_ticks(low, high)
    return {"type": "log", "range": [low, high], "tickvals": [10.0**v for v in tickvals], "ticktext": ticktext}


def _colorbar(log: bool, zrange: tuple[float, float], title: str = "loss") -> dict:
    bar: dict = {"title": {"text": title}}
    if log:
        vals, text = _log_ticks(*zrange)
        bar.update(tickvals=vals, ticktext=text)
        bar["title"] = {"text": f"{title} (log scale)"}
    return bar


def _axis_title(k: int, explained: float) -> str:
    return f"PC{k + 1}: {100 * explained:.1f}% of path variance"


def _inside(coords: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (np.all(np.isfinite(coords), axis=1) & (coords[:, 0] >= a[0]) & (coords[:, 0] <= a[-1])
            & (coords[:, 1] >= b[0]) & (coords[:, 1] <= b[-1]))


def _path_name(label: str, diverged: int | None) -> str:
    return f"{label} (diverged at step {diverged})" if diverged is not None else label


def path_contour(pl: PathLandscape, log: bool = True, height: int = 560,
                 zrange: tuple[float, float] | None = None) -> go.Figure:
    """The loss on the PCA plane around the reference run's final weights, with every run's path
    (projected snapshots): start circle, end star, a cross where a run diverged. ``zrange``: the colour
    scale (``loss_scale``), else the plane's own."""
    zrange = zrange or colour_range([pl.loss], log)
    fig = go.Figure()
    fig.add_trace(go.Contour(
        x=pl.a, y=pl.b, z=_clipped(pl.loss, log, zrange), zmin=zrange[0], zmax=zrange[1], zauto=False,
        colorscale=COLORSCALE, autocontour=False, contours=_levels(zrange), line={"width": 0.5, "color": "rgba(255,255,255,0.35)"},
        colorbar=_colorbar(log, zrange), customdata=pl.loss, name="loss on the plane",
        hovertemplate="a %{x:.3g}, b %{y:.3g}<br>loss on the plane %{customdata:.4g}<extra></extra>",
    ))
    for i, path in enumerate(pl.paths):
        color = run_color(i)
        extra = np.column_stack([path.steps, path.loss, path.plane_loss, path.off_plane])
        name = _path_name(path.label, path.diverged)
        fig.add_trace(go.Scatter(
            x=path.coords[:, 0], y=path.coords[:, 1], mode="lines+markers", name=name, legendgroup=name,
            line={"color": color, "width": 2.5}, marker={"size": 5, "color": color}, customdata=extra,
            hovertemplate=(f"<b>{path.label}</b> step %{{customdata[0]:d}}<br>real loss %{{customdata[1]:.4g}}"
                           "<br>loss at its projection %{customdata[2]:.4g}<br>distance from the plane "
                           "%{customdata[3]:.3g}<extra></extra>"),
        ))
        ends = [(0, "circle-open", "start", 11)]
        ends.append((len(path.steps) - 1, "x-thin" if path.diverged is not None else "star",
                     "diverged" if path.diverged is not None else "end", 14))
        for idx, symbol, what, size in ends:
            fig.add_trace(go.Scatter(
                x=[path.coords[idx, 0]], y=[path.coords[idx, 1]], mode="markers", showlegend=False,
                legendgroup=name, marker={"symbol": symbol, "size": size, "color": color,
                                          "line": {"width": 2.5, "color": color}},
                hovertemplate=f"<b>{path.label}</b> {what} (step {int(path.steps[idx])})<extra></extra>",
            ))
    fig.update_layout(
        height=height, margin={"l": 10, "r": 10, "t": 70, "b": 10},
        title={"text": f"Loss around {pl.paths[pl.reference].label}'s final weights, on the plane of the paths",
               "y": 0.99, "yanchor": "top", "font": {"size": 14}},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0, "bgcolor": "rgba(255,255,255,0.7)"},
        xaxis={"title": {"text": _axis_title(0, pl.plane.explained[0])}, "range": [pl.a[0], pl.a[-1]]},
        yaxis={"title": {"text": _axis_title(1, pl.plane.explained[1])}, "range": [pl.b[0], pl.b[-1]]},
    )
    return fig


def path_surface(pl: PathLandscape, log: bool = True, height: int = 560,
                 zrange: tuple[float, float] | None = None) -> go.Figure:
    """The same plane as a 3D surface; paths drawn on it at the loss of their projections (up to
    where they leave the grid). ``zrange``: the colour scale and height range (``loss_scale``), else the
    plane's own."""
    zrange = zrange or colour_range([pl.loss], log)
    Zd = _clipped(pl.loss, log, zrange)
    fig = go.Figure(go.Surface(
        x=pl.a, y=pl.b, z=Zd, colorscale=COLORSCALE, cmin=zrange[0], cmax=zrange[1],
        colorbar=_colorbar(log, zrange), opacity=0.95, name="loss on the plane", customdata=pl.loss,
        hovertemplate="a %{x:.3g}, b %{y:.3g}<br>loss %{customdata:.4g}<extra></extra>",
    ))
    lift = 0.01 * (zrange[1] - zrange[0])
    for i, path in enumerate(pl.paths):
        inside = _inside(path.coords, pl.a, pl.b)
        stop = len(inside) if inside.all() else int(np.argmin(inside))  # up to where it leaves the grid
        if stop == 0:
            continue
        c = path.coords[:stop]
        z = _clipped(path.plane_loss[:stop], log, zrange) + lift
        fig.add_trace(go.Scatter3d(
            x=c[:, 0], y=c[:, 1], z=z, mode="lines+markers", name=_path_name(path.label, path.diverged),
            line={"color": run_color(i), "width": 6}, marker={"size": 3, "color": run_color(i)},
            customdata=np.column_stack([path.steps[:stop], path.plane_loss[:stop]]),
            hovertemplate=f"<b>{path.label}</b> step %{{customdata[0]:d}}<br>loss at projection "
                          "%{customdata[1]:.4g}<extra></extra>",
        ))
    fig.update_layout(
        height=height, margin={"l": 0, "r": 0, "t": 30, "b": 0},
        legend={"orientation": "h", "y": 1.0, "x": 0},
        scene={
            "xaxis": {"title": {"text": f"PC1 ({100 * pl.plane.explained[0]:.0f}%)"}},
            "yaxis": {"title": {"text": f"PC2 ({100 * pl.plane.explained[1]:.0f}%)"}},
            "zaxis": {"title": {"text": "loss"}, "range": list(zrange),
                      **(dict(zip(("tickvals", "ticktext"), _log_ticks(*zrange), strict=True)) if log else {})},
            "camera": {"eye": {"x": 1.5, "y": -1.5, "z": 1.0}},
        },
    )
    return fig


def path_honesty(pl: PathLandscape, log: bool = True, height: int = 520) -> go.Figure:
    """Per run and snapshot: the real loss beside the loss at its projection on the plane (what the
    contour shows there), and the snapshot's distance from the plane."""
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08, row_heights=[0.62, 0.38],
                        subplot_titles=("Real loss (solid) and the plane's loss at the projection (dashed)",
                                        "Distance of the weights from the plane"))
    for i, path in enumerate(pl.paths):
        color, name = run_color(i), _path_name(path.label, path.diverged)
        fig.add_trace(go.Scatter(x=path.steps, y=path.loss, mode="lines+markers", name=name, legendgroup=name,
                                 line={"color": color, "width": 2}, marker={"size": 4},
                                 hovertemplate=f"{path.label} step %{{x}}<br>real loss %{{y:.4g}}<extra></extra>"),
                      row=1, col=1)
        fig.add_trace(go.Scatter(x=path.steps, y=path.plane_loss, mode="lines", name=f"{path.label} on the plane",
                                 legendgroup=name, showlegend=False, line={"color": color, "width": 2, "dash": "dash"},
                                 hovertemplate=f"{path.label} step %{{x}}<br>loss at projection %{{y:.4g}}"
                                               "<extra></extra>"),
                      row=1, col=1)
        fig.add_trace(go.Scatter(x=path.steps, y=path.off_plane, mode="lines", name=name, legendgroup=name,
                                 showlegend=False, line={"color": color, "width": 2},
                                 hovertemplate=f"{path.label} step %{{x}}<br>distance %{{y:.3g}}<extra></extra>"),
                      row=2, col=1)
    # Both panels are scaled to the runs the plane was fitted to: a diverged run's values shoot off.
    fitted = [p for p in pl.paths if p.in_fit] or pl.paths
    fig.update_yaxes(title_text="loss", row=1, col=1,
                     **_loss_axis([a for p in fitted for a in (p.loss, p.plane_loss)], log))
    shown = [p.off_plane[np.isfinite(p.off_plane)] for p in pl.paths if p.in_fit] or [np.zeros(1)]
    top = float(max(np.max(v) if v.size else 0.0 for v in shown))
    fig.update_yaxes(title_text="distance", range=[0, 1.15 * top if top > 0 else 1.0], row=2, col=1)
    fig.update_xaxes(title_text="training step", row=2, col=1)
    fig.update_layout(height=height, margin={"l": 10, "r": 10, "t": 40, "b": 10},
                      legend={"orientation": "h", "y": -0.12, "x": 0})
    return fig


def random_slices(grids: Sequence[Grid], labels: Sequence[str], diverged: Sequence[int | None] | None = None,
                  log: bool = True, height: int = 330, zrange: tuple[float, float] | None = None) -> go.Figure:
    """The random filter-normalized slice around each run's final weights, side by side on one
    shared colour scale (``zrange``, ``loss_scale``; else one from the slices themselves): a narrow
    dark basin is a sharp minimum, a wide one a flat minimum."""
    n = len(grids)
    if n == 0:
        raise ValueError("no slices to show")
    diverged = list(diverged) if diverged is not None else [None] * n
    titles = [f"{lab} (diverged at step {d})" if d is not None else lab
              for lab, d in zip(labels, diverged, strict=True)]
    ncols = n if n <= 2 else 2  # two per row: each panel stays large enough to read
    nrows = math.ceil(n / ncols)
    fig = make_subplots(rows=nrows, cols=ncols, subplot_titles=titles, horizontal_spacing=0.08,
                        vertical_spacing=0.12)
    # Without a scale the range comes from the runs that did not diverge: a diverged run's plateau saturates.
    calm = [g.loss for g, d in zip(grids, diverged, strict=True) if d is None] or [g.loss for g in grids]
    zrange = zrange or colour_range(calm, log)
    for i, g in enumerate(grids):
        row, col = i // ncols + 1, i % ncols + 1
        fig.add_trace(go.Contour(
            x=g.a, y=g.b, z=_clipped(g.loss, log, zrange), coloraxis="coloraxis", autocontour=False,
            contours=_levels(zrange),
            line={"width": 0.4, "color": "rgba(255,255,255,0.3)"}, customdata=g.loss, name=labels[i],
            hovertemplate=f"<b>{labels[i]}</b><br>α %{{x:.2f}}, β %{{y:.2f}}<br>loss %{{customdata:.4g}}"
                          "<extra></extra>",
        ), row=row, col=col)
        fig.add_trace(go.Scatter(x=[0], y=[0], mode="markers", showlegend=False,
                                 marker={"symbol": "star", "size": 13, "color": run_color(i),
                                         "line": {"width": 1, "color": "white"}},
                                 hovertemplate=f"{labels[i]}: final weights<extra></extra>"), row=row, col=col)
        fig.update_xaxes(title_text="α" if row == nrows else None, row=row, col=col)
        fig.update_yaxes(title_text="β" if col == 1 else None, row=row, col=col)
    fig.update_layout(
        height=height * nrows, margin={"l": 10, "r": 10, "t": 40, "b": 10},
        coloraxis={"colorscale": COLORSCALE, "cmin": zrange[0], "cmax": zrange[1],
                   "colorbar": _colorbar(log, zrange)},
    )
    return fig


def interpolation(lines: Sequence[Line], labels: Sequence[str], diverged: Sequence[int | None] | None = None,
                  log: bool = True, height: int = 460) -> go.Figure:
    """Loss (and accuracy, for classification) along the straight line from each run's initial
    (alpha 0) to its final weights (alpha 1)."""
    diverged = list(diverged) if diverged is not None else [None] * len(lines)
    has_acc = any(np.any(np.isfinite(line.accuracy)) for line in lines)
    fig = make_subplots(rows=2 if has_acc else 1, cols=1, shared_xaxes=True, vertical_spacing=0.08,
                        row_heights=[0.65, 0.35] if has_acc else None)
    for i, line in enumerate(lines):
        name = _path_name(labels[i], diverged[i])
        fig.add_trace(go.Scatter(x=line.alphas, y=line.loss, mode="lines", name=name, legendgroup=name,
                                 line={"color": run_color(i), "width": 2.5},
                                 hovertemplate=f"{labels[i]} α %{{x:.2f}}<br>loss %{{y:.4g}}<extra></extra>"),
                      row=1, col=1)
        if has_acc:
            fig.add_trace(go.Scatter(x=line.alphas, y=line.accuracy, mode="lines", name=name, legendgroup=name,
                                     showlegend=False, line={"color": run_color(i), "width": 2},
                                     hovertemplate=f"{labels[i]} α %{{x:.2f}}<br>accuracy %{{y:.1%}}"
                                                   "<extra></extra>"),
                          row=2, col=1)
    for x, text in ((0.0, "initial"), (1.0, "final")):
        fig.add_vline(x=x, line={"dash": "dot", "color": "grey", "width": 1})
        fig.add_annotation(x=x, y=1.0, yref="paper", text=text, showarrow=False, yanchor="bottom",
                           font={"color": "grey"})
    fig.update_yaxes(title_text="loss", row=1, col=1, **_loss_axis([line.loss for line in lines], log))
    if has_acc:
        fig.update_yaxes(title_text="accuracy", tickformat=".0%", range=[0, 1.02], row=2, col=1)
    fig.update_xaxes(title_text="α: weights (1 - α)·θ_initial + α·θ_final", row=2 if has_acc else 1, col=1)
    fig.update_layout(height=height, margin={"l": 10, "r": 10, "t": 30, "b": 10},
                      legend={"orientation": "h", "y": -0.18, "x": 0})
    return fig


def _downsample(x: np.ndarray, y: np.ndarray, n: int = MAX_CURVE_POINTS) -> tuple[np.ndarray, np.ndarray]:
    if len(x) <= n:
        return x, y
    idx = np.unique(np.linspace(0, len(x) - 1, n).round().astype(int))
    return x[idx], y[idx]


def loss_curves(runs: Sequence[TrainingRun], log: bool = True, height: int = 420) -> go.Figure:
    """Every run's loss over training: mini-batch loss per step (faint) and the loss on the whole
    training set at each snapshot (bold); a cross where a run diverged."""
    fig = go.Figure()
    for i, run in enumerate(runs):
        color, name = run_color(i), _path_name(run.label, run.diverged)
        steps = np.arange(1, len(run.batch_loss) + 1)
        xs, ys = _downsample(steps, run.batch_loss)
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", name=f"{run.label} mini-batch", legendgroup=name,
                                 showlegend=False, opacity=0.3, line={"color": color, "width": 1},
                                 hovertemplate=f"{run.label} step %{{x}}<br>mini-batch loss %{{y:.4g}}<extra></extra>"))
        fig.add_trace(go.Scatter(x=run.steps, y=run.loss, mode="lines+markers", name=name, legendgroup=name,
                                 line={"color": color, "width": 2.5}, marker={"size": 4},
                                 hovertemplate=f"{run.label} step %{{x}}<br>training-set loss %{{y:.4g}}"
                                               "<extra></extra>"))
        if run.diverged is not None:
            fig.add_trace(go.Scatter(x=[run.steps[-1]], y=[run.loss[-1]], mode="markers", showlegend=False,
                                     legendgroup=name, marker={"symbol": "x-thin", "size": 16, "color": color,
                                                               "line": {"width": 3, "color": color}},
                                     hovertemplate=f"{run.label} diverged at step {run.diverged}<extra></extra>"))
    fig.update_layout(height=height, margin={"l": 10, "r": 10, "t": 30, "b": 10},
                      xaxis={"title": {"text": "training step"}},
                      yaxis={"title": {"text": "loss"},
                             **_loss_axis([a for r in runs for a in (r.loss, r.batch_loss)], log)},
                      legend={"orientation": "h", "y": -0.2, "x": 0})
    return fig


# ---- canvas payloads (drawn by nnviz/ui/descent_map, no plotly) ---------------------------------
#: Height in pixels of the canvas paths map (its axes are not to the same scale: PC1 usually dwarfs PC2).
MAP_HEIGHT = 470
#: What the hover readout of a path point shows: (label, array prefix, significant digits).
PATH_READOUT = (("real loss", "loss", 4), ("loss at its projection", "plane", 4), ("distance from the plane", "off", 3))


def _f32(a: Any) -> np.ndarray:
    """float32, NaN where not finite (the browser's typed arrays; JSON has no infinities)."""
    a = np.asarray(a, dtype=np.float64)
    return np.where(np.isfinite(a), a, np.nan).astype(np.float32)


def contour_png(D: np.ndarray, zrange: tuple[float, float], levels: int = LEVELS, width: int = 560) -> bytes:
    """The banded picture of display values ``D`` (rows: b ascending; ``_clipped``) as PNG bytes:
    ``levels`` bands of ``LOSS_STOPS`` over ``zrange`` with a thin light line between bands (the plotly
    contours' white lines), interpolated bilinearly to ``width`` pixels."""
    ny, nx = D.shape
    height = max(2, int(round(width * ny / nx)))
    lo, hi = zrange
    u = (np.clip(np.where(np.isfinite(D), D, hi), lo, hi) - lo) * (levels / ((hi - lo) or 1.0))  # band units
    v = np.asarray(Image.fromarray(u.astype(np.float32), mode="F").resize((width, height), Image.BILINEAR))
    q = np.clip(v[::-1], 0, levels - 1).astype(np.uint8)  # image rows run from the top (largest b)
    band = common.ramp((np.arange(levels) + 0.5) / levels, LOSS_STOPS)
    return common.banded_png(q, band.round().astype(np.uint8), (0.7 * band + 0.3 * 255).round().astype(np.uint8))


def colour_payload(log: bool, zrange: tuple[float, float], title: str = "loss") -> dict[str, Any]:
    """The canvas colour bar: title, range of the display values, ``LOSS_STOPS``, ticks ([value, text]
    at round losses on a log scale; None: the browser picks nice ticks of the loss itself)."""
    ticks = None
    if log:
        vals, text = _log_ticks(*zrange)
        ticks = [[float(v), t] for v, t in zip(vals, text, strict=True)]
    return {"title": f"{title} (log scale)" if log else title, "range": [float(zrange[0]), float(zrange[1])],
            "stops": list(LOSS_STOPS), "ticks": ticks}


def _domain(a: np.ndarray, b: np.ndarray) -> list[list[float]]:
    return [[float(a[0]), float(a[-1])], [float(b[0]), float(b[-1])]]


def _shown(coords: np.ndarray, domain: list[list[float]], margin: float = 0.5) -> int:
    """How many points of a path to draw: its finite prefix, up to the first point far off the plot
    (included, so the line leaves the picture), not the wild rest of a diverging run."""
    lo = np.array([domain[0][0], domain[1][0]])
    hi = np.array([domain[0][1], domain[1][1]])
    pad = margin * (hi - lo)
    with np.errstate(invalid="ignore"):
        bad = ~np.all(np.isfinite(coords), axis=1)
        far = np.any((coords < lo - pad) | (coords > hi + pad), axis=1)
    stop = int(np.argmax(bad)) if bad.any() else len(coords)
    far_at = np.flatnonzero(far[:stop])
    return stop if far_at.size == 0 else int(far_at[0]) + 1


def path_map_payload(pl: PathLandscape, log: bool = True, height: int = MAP_HEIGHT,
                     zrange: tuple[float, float] | None = None) -> bytes:
    """``path_contour`` for the canvas map (``nnviz/ui/descent_map``), one ``pack`` blob.

    Header: ``kind`` "landscape-map", ``race`` and ``image_id`` (ids of the paths and of the picture),
    ``domain`` [[a0, a1], [b0, b1]], ``color`` (``colour_payload``), ``title``, ``axes`` (the PCA axis
    titles), ``frame`` (axes not to the same scale, ``height`` px), ``hover`` (names of the axes and of
    the value under the pointer), ``start`` [a, b] (the shared initial weights), ``steps`` (frames - 1),
    ``trail`` (the whole path so far), ``runs`` (title, colour, ``last`` index drawn), ``marks`` ([a, b,
    "star" | "cross", colour, text]: each run's end, a cross where a diverged run stopped inside the picture),
    ``readout`` (``PATH_READOUT``) and ``point_step``.

    Arrays: ``image`` (uint8 PNG, ``contour_png``), ``fgrid`` (float32 (len(b), len(a)): the loss on the
    plane, for the hover readout), ``frame_step`` (int32 (frames,): the training step of each frame,
    every run's snapshot steps), per run ``path{r}`` (float32 (n, 2), up to where it flies off, see
    ``_shown``), ``steps{r}`` (int32), ``loss{r}``, ``plane{r}``, ``off{r}`` (float32 (n,)), ``index``
    (int32 (frames, runs): the point of each run shown at each frame, its latest snapshot at that step)
    and ``head`` (float32 (frames, runs, 2): that point). ``zrange``: the colour scale (``loss_scale``),
    else the plane's own.
    """
    zrange = zrange or colour_range([pl.loss], log)
    png = contour_png(_clipped(pl.loss, log, zrange), zrange)
    domain = _domain(pl.a, pl.b)
    frames = np.unique(np.concatenate([p.steps for p in pl.paths])) if pl.paths else np.zeros(1, dtype=np.int64)
    arrays: dict[str, np.ndarray] = {"image": np.frombuffer(png, dtype=np.uint8), "fgrid": _f32(pl.loss),
                                     "frame_step": frames.astype(np.int32)}
    head = np.full((len(frames), len(pl.paths), 2), np.nan)
    index = np.zeros((len(frames), len(pl.paths)), dtype=np.int32)
    runs: list[dict[str, Any]] = []
    marks: list[list[Any]] = []
    for i, path in enumerate(pl.paths):
        color, n = run_color(i), max(_shown(path.coords, domain), 1)
        coords, steps = path.coords[:n], path.steps[:n]
        arrays[f"path{i}"] = _f32(coords)
        arrays[f"steps{i}"] = steps.astype(np.int32)
        arrays[f"loss{i}"], arrays[f"plane{i}"], arrays[f"off{i}"] = (
            _f32(path.loss[:n]), _f32(path.plane_loss[:n]), _f32(path.off_plane[:n]))
        at = np.clip(np.searchsorted(steps, frames, side="right") - 1, 0, n - 1)
        head[:, i], index[:, i] = coords[at], at
        runs.append({"title": _path_name(path.label, path.diverged), "color": color, "status": "", "last": n - 1,
                     "exit": None, "diverged": None})
        if path.diverged is not None and n == len(path.steps) and _inside(coords[-1:], pl.a, pl.b)[0]:
            marks.append([finite(coords[-1, 0]), finite(coords[-1, 1]), "cross", color,  # off the plot: none
                          f"{path.label}: diverged at step {path.diverged}"])
        elif path.diverged is None and n == len(path.steps):
            marks.append([finite(coords[-1, 0]), finite(coords[-1, 1]), "star", color,
                          f"{path.label}: end (step {int(steps[-1])})"])
    start = pl.paths[0].coords[0] if pl.paths else None
    header = {
        "kind": "landscape-map", "race": common.content_id(*(arrays[f"path{i}"].tobytes() for i in range(len(pl.paths))),
                                              *(r["title"] for r in runs)),
        "image_id": common.content_id(png), "domain": domain, "color": colour_payload(log, zrange),
        "title": f"Loss around {pl.paths[pl.reference].label}'s final weights, on the plane of the paths",
        "axes": [_axis_title(0, pl.plane.explained[0]), _axis_title(1, pl.plane.explained[1])],
        "frame": {"equal": False, "height": int(height)},
        "hover": {"x": "a", "y": "b", "value": "loss on the plane"},
        "minima": [], "start": None if start is None else [finite(start[0]), finite(start[1])],
        "start_text": "start (step 0): every run's initial weights",
        "steps": len(frames) - 1, "trail": len(frames), "runs": runs, "overlays": [], "marks": marks,
        "readout": [list(r) for r in PATH_READOUT], "point_step": "steps", "dots": True,
    }
    arrays["head"], arrays["index"] = _f32(head), index
    return pack(header, arrays)


def slice_payloads(grids: Sequence[Grid], labels: Sequence[str], diverged: Sequence[int | None] | None = None,
                   log: bool = True, zrange: tuple[float, float] | None = None) -> list[bytes]:
    """``random_slices`` for the canvas map, one ``pack`` blob per run (kind "landscape-map", no runs
    to play, no controls), all on one colour range: ``zrange`` (``loss_scale``), else one set by the
    slices of the runs that did not diverge.

    Header as ``path_map_payload``'s with ``title`` (the run, and where it diverged), ``axes`` α and β,
    square ``frame``, one ``marks`` entry (the run's final weights, a star at the origin in its colour)
    and ``controls`` false. Arrays: ``image``, ``fgrid`` (the slice's loss), ``head`` (1, 0, 2)."""
    n = len(grids)
    if n == 0:
        raise ValueError("no slices to show")
    diverged = list(diverged) if diverged is not None else [None] * n
    calm = [g.loss for g, d in zip(grids, diverged, strict=True) if d is None] or [g.loss for g in grids]
    zrange = zrange or colour_range(calm, log)
    out = []
    for i, (g, label, d) in enumerate(zip(grids, labels, diverged, strict=True)):
        png = contour_png(_clipped(g.loss, log, zrange), zrange)
        header = {
            "kind": "landscape-map", "race": common.content_id(label, png), "image_id": common.content_id(png), "domain": _domain(g.a, g.b),
            "color": colour_payload(log, zrange), "title": _path_name(label, d), "axes": ["α", "β"],
            "frame": {"equal": True}, "hover": {"x": "α", "y": "β", "value": "loss"}, "minima": [],
            "start": None, "steps": 0, "trail": 0, "runs": [], "overlays": [], "controls": False,
            "marks": [[0.0, 0.0, "star", run_color(i), f"{label}: final weights"]],
        }
        out.append(pack(header, {"image": np.frombuffer(png, dtype=np.uint8), "fgrid": _f32(g.loss),
                                 "head": np.zeros((1, 0, 2), dtype=np.float32)}))
    return out


def curves_payload(runs: Sequence[TrainingRun], log: bool = True) -> bytes:
    """``loss_curves`` for the canvas chart (``nnviz/ui/descent_map``), one ``pack`` blob: kind
    "landscape-curves", ``title``, ``log``, ``steps`` (the x range), ``x_label``, ``dots`` (a dot per
    snapshot), ``faint`` (a mini-batch curve per run), ``readout`` (the two curves' names), ``floor``
    and ``runs`` (name, colour, ``mark``: [step, loss, "diverged", text] where a run diverged, else None).
    Arrays per run: ``x{r}``, ``y{r}`` (int32 snapshot steps, float32 training-set loss there) and
    ``bx{r}``, ``by{r}`` (the mini-batch loss of every step, downsampled to ``MAX_CURVE_POINTS``)."""
    arrays: dict[str, np.ndarray] = {}
    out = []
    for i, run in enumerate(runs):
        arrays[f"x{i}"], arrays[f"y{i}"] = run.steps.astype(np.int32), _f32(run.loss)
        xs, ys = _downsample(np.arange(1, len(run.batch_loss) + 1), np.asarray(run.batch_loss))
        arrays[f"bx{i}"], arrays[f"by{i}"] = xs.astype(np.int32), _f32(ys)
        mark = None
        if run.diverged is not None and finite(run.loss[-1]) is not None:
            mark = [int(run.steps[-1]), float(run.loss[-1]), "diverged", f"diverged at step {run.diverged}"]
        out.append({"name": run.label, "color": run_color(i), "mark": mark})
    longest = max((int(r.steps[-1]) for r in runs), default=1) or 1
    header = {"kind": "landscape-curves", "title": "loss on the training data" + (" (log scale)" if log else ""),
              "log": bool(log), "steps": longest, "x_label": "training step", "dots": True, "faint": True,
              "readout": ["training-set loss", "mini-batch loss"], "floor": LOG_FLOOR, "runs": out}
    return pack(header, arrays)
