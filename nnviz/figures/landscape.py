"""Figures for the loss-landscape page: PCA-plane contour and surface with every run's path, the
plane's honesty check, random slices side by side, init-to-final interpolation, loss curves.

Losses span decades and a wild learning rate sends them sky-high, so colours use log10(loss) by
default and are clipped to a range set by the bulk of the values (``colour_range``): a diverged
corner saturates at the top colour instead of flattening everything else.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from nnviz.figures import common
from nnviz.labs.landscape.grids import Grid, Line
from nnviz.labs.landscape.paths import PathLandscape
from nnviz.labs.landscape.runs import TrainingRun

#: One colour per run (up to four runs; more cycle). Chosen to stand out on the blue contour.
PALETTE: tuple[str, ...] = ("#e4572e", "#f3a712", "#29bf12", "#d138bf", "#17becf", "#8c564b")
COLORSCALE = "Blues_r"  # low loss dark, high loss light: paths in warm colours stand out
SLICE_COLORSCALE = "Viridis"
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


def _clipped(Z: np.ndarray, log: bool, zrange: tuple[float, float]) -> np.ndarray:
    return np.clip(_display(Z, log), *zrange)


def _levels(zrange: tuple[float, float], n: int = 20) -> dict:
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


def path_contour(pl: PathLandscape, log: bool = True, height: int = 560) -> go.Figure:
    """The loss on the PCA plane around the reference run's final weights, with every run's path
    (projected snapshots): start circle, end star, a cross where a run diverged."""
    zrange = colour_range([pl.loss], log)
    fig = go.Figure()
    fig.add_trace(go.Contour(
        x=pl.a, y=pl.b, z=_clipped(pl.loss, log, zrange), zmin=zrange[0], zmax=zrange[1], zauto=False,
        colorscale=COLORSCALE, autocontour=False, contours=_levels(zrange, 24), line={"width": 0.5, "color": "rgba(255,255,255,0.35)"},
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


def path_surface(pl: PathLandscape, log: bool = True, height: int = 560) -> go.Figure:
    """The same plane as a 3D surface; paths drawn on it at the loss of their projections (up to
    where they leave the grid)."""
    zrange = colour_range([pl.loss], log)
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
                  log: bool = True, height: int = 330) -> go.Figure:
    """The random filter-normalized slice around each run's final weights, side by side on one
    shared colour scale (a narrow dark basin is a sharp minimum, a wide one a flat minimum)."""
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
    # The range comes from the runs that did not diverge: a diverged run's plateau saturates.
    calm = [g.loss for g, d in zip(grids, diverged, strict=True) if d is None] or [g.loss for g in grids]
    zrange = colour_range(calm, log)
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
        coloraxis={"colorscale": SLICE_COLORSCALE, "cmin": zrange[0], "cmax": zrange[1],
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
