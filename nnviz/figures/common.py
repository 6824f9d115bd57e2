"""What every page's figures share: one Vega-Lite line chart, one colour ramp, one category palette.

Data in, spec (a dict) or RGB array out; no widgets. Line charts keep their data in ``"datasets"``
as a small Arrow table and their spec depends only on the series names and the options, so Vega
updates them in place while a model trains (STREAMLIT_NOTES.md: plotly remounts and flashes).
"""

from __future__ import annotations

import io
import json
import zlib
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pyarrow as pa
from PIL import Image

#: Vega's "tableau10" category colours. Pages pick from it, skipping colours that already mean
#: something there (the playground's orange class, the digits page's red top digit).
TABLEAU10: tuple[str, ...] = ("#4c78a8", "#f58518", "#e45756", "#72b7b2", "#54a24b", "#eeca3b", "#b279a2",
                              "#ff9da6", "#9d755d", "#bab0ac")
#: Plain views: no frame, no grid lines.
CONFIG: dict[str, Any] = {"view": {"stroke": None}, "axis": {"grid": False}}
#: Draw on a canvas: Streamlit picks SVG for charts under 2000 rows, which is slower to update.
CANVAS: dict[str, Any] = {"embedOptions": {"renderer": "canvas"}}
#: Stretched charts: fit the container's width; the height stays the plot's height (Streamlit's
#: default "fit" squeezes the plot into ``height`` minus legend, title and axes).
FIT_X: dict[str, Any] = {"type": "fit-x", "contains": "padding"}


def cycle(palette: Sequence[str], i: int) -> str:
    """The ``i``-th colour of ``palette``, starting over after the last."""
    return palette[i % len(palette)]


def rgb(colors: Sequence[str] | np.ndarray) -> np.ndarray:
    """(k, 3) float64 RGB in 0..255 from "#rrggbb" strings (or RGB rows, passed through)."""
    if isinstance(colors, np.ndarray):
        return colors.astype(np.float64, copy=False)
    return np.array([[int(c[i:i + 2], 16) for i in (1, 3, 5)] for c in colors], dtype=np.float64)


def ramp(t: np.ndarray, stops: Sequence[str] | np.ndarray) -> np.ndarray:
    """Values t in [0, 1] -> (..., 3) float64 RGB, linear between evenly spaced colour ``stops``
    ("#rrggbb" strings or (k, 3) RGB rows); values outside are clipped, NaN counts as 0."""
    colors = rgb(stops)
    t = np.clip(np.nan_to_num(np.asarray(t, dtype=np.float64), nan=0.0), 0.0, 1.0) * (len(colors) - 1)
    i = np.minimum(t.astype(np.int64), len(colors) - 2)
    f = (t - i)[..., None]
    return colors[i] * (1 - f) + colors[i + 1] * f


# ---- line charts -----------------------------------------------------------------------------

def curves_frame(x: np.ndarray, series: Mapping[str, np.ndarray], log: bool = False,
                 log_floor: float | None = 1e-8) -> pa.Table:
    """Wide format: ``step`` (the x values: int32 if whole numbers, else float32) and one float32
    column per series, named s0, s1, ...: NaN is null (a gap; the lines skip infinities too), a
    series shorter than x is padded with nulls, a longer one cut; on a log scale values are
    clipped at ``log_floor`` and infinities are nulls, or with ``log_floor=None`` values <= 0 are
    nulls and the columns float64 (values far below float32's range, e.g. vanishing gradients)."""
    x = np.asarray(x)
    n = len(x)
    cols: dict[str, Any] = {"step": x.astype(np.int32 if np.issubdtype(x.dtype, np.integer) else np.float32)}
    for k, name in enumerate(series):
        v = np.full(n, np.nan)
        given = np.asarray(series[name], dtype=np.float64)[:n]
        v[: len(given)] = given
        if log and log_floor is None:
            with np.errstate(invalid="ignore"):
                v = np.where(np.isfinite(v) & (v > 0), v, np.nan)
        elif log:
            v = np.where(np.isfinite(v), np.maximum(v, log_floor), np.nan)
        keep64 = log and log_floor is None
        cols[f"s{k}"] = pa.array(v if keep64 else v.astype(np.float32), from_pandas=True)  # NaN -> null
    return pa.table(cols)


def lines_chart(x: np.ndarray, series: Mapping[str, np.ndarray], *, y_title: str, x_title: str = "step",
                log: bool = False, y_domain: Sequence[float] | None = None, height: int = 200,
                colors: Sequence[str] | None = None, title: str | None = None, fmt: str = ".4g",
                x_axis_format: str = "~s", x_format: str | None = None, x_step: float | None = 1,
                points: float = 0, x_scale: Mapping[str, Any] | None = None, x_rules: Sequence[float] = (),
                y_rules: Sequence[float] = (), dashed: Sequence[str] = (),
                log_floor: float | None = 1e-8, legend: Mapping[str, Any] | None = None,
                y_axis: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Lines over training, one per series, with a hover rule listing every value at an x.

    ``fmt``: the values' format in the tooltip; ``x_axis_format``/``x_format``: the x axis labels'
    and the tooltip's x format (None: as it is); ``x_step``: the smallest step between x ticks
    (1 for whole training steps; None: any); ``points``: size of a marker on each value (0: none);
    ``x_scale``: the x scale (default: from 0, nice), e.g. ``{"type": "log"}`` or a domain for x < 0;
    ``x_rules``/``y_rules``: thin grey lines under the curves at these x/y values (zero lines);
    ``dashed``: names of series drawn dotted and thinner (e.g. a bound beside a curve);
    ``log_floor``: on a log scale, where values are clipped (None: values <= 0 are gaps, see
    ``curves_frame``); ``legend``: more legend properties, e.g. ``{"columns": 3}`` to wrap many
    or long names (a horizontal legend does not wrap: what overflows the chart is cut); ``y_axis``:
    y axis properties, e.g. ``{"format": "~e"}`` for decades on a log scale.
    Series names stay out of the field names (s0, s1, ...) and are mapped back in the browser.
    """
    names = [str(n) for n in series]
    keys = [f"s{k}" for k in range(len(names))]
    colors = list(colors or TABLEAU10)[: len(names)]
    y_scale: dict[str, Any] = {"type": "log"} if log else {"zero": False}
    if y_domain is not None:
        y_scale["domain"] = list(y_domain)
    axis: dict[str, Any] = {"format": x_axis_format, "tickCount": 8}
    if x_step is not None:
        axis["tickMinStep"] = x_step
    x_enc = {"field": "step", "type": "quantitative", "title": x_title,
             "scale": dict(x_scale) if x_scale is not None else {"domainMin": 0, "nice": True}, "axis": axis}
    hover = {"name": "hover", "select": {"type": "point", "fields": ["step"], "nearest": True,
                                         "on": "pointerover", "clear": "pointerout"}}
    folded = [
        {"fold": keys, "as": ["key", "value"]},
        {"filter": "isValid(datum.value) && isFinite(datum.value)"},
        {"calculate": f"{json.dumps(names, ensure_ascii=False)}[indexof({json.dumps(keys)}, datum.key)]", "as": "series"},
    ]
    line: dict[str, Any] = {"type": "line", "strokeWidth": 2, "interpolate": "linear"}
    if points:
        line["point"] = {"size": points}
    x_tip: dict[str, Any] = {"field": "step", "type": "quantitative", "title": x_title}
    if x_format:
        x_tip["format"] = x_format
    line_enc: dict[str, Any] = {
        "x": x_enc, "y": {"field": "value", "type": "quantitative", "title": y_title, "scale": y_scale,
                          **({"axis": dict(y_axis)} if y_axis else {})},
        "color": {"field": "series", "type": "nominal", "title": None, "scale": {"domain": names, "range": colors},
                  "legend": {"orient": "top", "direction": "horizontal", **(legend or {})}}}
    if dashed:
        test = f"indexof({json.dumps([str(n) for n in dashed], ensure_ascii=False)}, datum.series) >= 0"
        line_enc["strokeDash"] = {"condition": {"test": test, "value": [2, 3]}, "value": [1, 0]}
        line_enc["strokeWidth"] = {"condition": {"test": test, "value": 1.5}, "value": 2}
    rules = [{"data": {"values": [{}]}, "mark": {"type": "rule", "color": "#bbb", "strokeWidth": 1},
              "encoding": {ch: {"datum": float(v), "type": "quantitative"}}}
             for ch, values in (("x", x_rules), ("y", y_rules)) for v in values]
    layers = [
        *rules,
        {"transform": folded,
         "mark": line,
         "encoding": line_enc},
        {"transform": [{"filter": {"param": "hover", "empty": False}}, *folded],
         "mark": {"type": "point", "filled": True, "size": 40},
         "encoding": {"x": x_enc, "y": {"field": "value", "type": "quantitative"},
                      "color": {"field": "series", "type": "nominal"}}},
        {"mark": {"type": "rule", "color": "#888", "strokeWidth": 1},
         "params": [hover],
         "encoding": {"x": x_enc,
                      "opacity": {"condition": {"param": "hover", "empty": False, "value": 0.7}, "value": 0},
                      "tooltip": [x_tip, *[{"field": k, "type": "quantitative", "format": fmt, "title": n}
                                           for k, n in zip(keys, names, strict=True)]]}},
    ]
    spec: dict[str, Any] = {"height": height, "autosize": FIT_X, "usermeta": CANVAS,
                            "datasets": {"curves": curves_frame(x, series, log, log_floor)},
                            "data": {"name": "curves"}, "layer": layers, "config": CONFIG}
    if title:
        spec["title"] = {"text": title, "fontSize": 13, "anchor": "start"}
    return spec


def content_id(*parts: bytes | str) -> int:
    """A short id of what a canvas payload shows (CRC-32 of its parts): the browser keeps its step
    and picture while it stays the same."""
    c = 0
    for p in parts:
        c = zlib.crc32(p.encode() if isinstance(p, str) else p, c)
    return c


def banded_png(q: np.ndarray, band: np.ndarray, lines: np.ndarray) -> bytes:
    """A filled-contour picture as PNG bytes: ``q`` (h, w) uint8 band indices (rows from the top),
    each band drawn in ``band`` (levels, 3) uint8 and the cells where the band changes (to the right
    or below) in ``lines`` (levels, 3) uint8. A banded palette image compresses well (~30 kB for a
    200x200 grid against ~210 kB of float32)."""
    levels = len(band)
    edge = np.zeros(q.shape, dtype=bool)
    edge[:, :-1] |= q[:, :-1] != q[:, 1:]
    edge[:-1, :] |= q[:-1, :] != q[1:, :]
    pic = Image.fromarray(q + np.uint8(levels) * edge.astype(np.uint8), mode="P")
    pic.putpalette(np.concatenate([band, lines]).astype(np.uint8).ravel().tolist())
    buf = io.BytesIO()
    pic.save(buf, format="PNG", compress_level=6)
    return buf.getvalue()
