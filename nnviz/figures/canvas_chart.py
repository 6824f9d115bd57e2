"""Chart descriptions for the canvas chart element (``nnviz.ui.canvas_chart``): lines, points, rules
and bars in, one packed blob out; no widgets, no browser.

    blob = chart(Line("sigmoid", z, f, "#4c78a8"), Rule(x=0.0),
                 title="f(z)", x=Axis("z", fmt="g3"), y=Axis("f(z)"), height=300)

Marks (drawn in this order: rules, bars, lines, points, whatever order they were given in within
each kind):

- ``Line(name, x, y, color, dash=False, width=2, markers=False, legend=True, hover=True)``: x
  ascending; NaN or infinite y (and y <= 0 on a log axis) are gaps. The hover readout lists every
  ``hover`` line's value at the sample nearest the pointer's x.
- ``Points(name, x, y, color, shape="circle"|"diamond"|"cross", size=7, tips=())``: markers;
  hovering one shows its tip (one string per point, HTML-escaped; default "name: x, y").
- ``Rule(x=... | y=..., color, dash, label)``: a thin line across the plot, its label at the end.
- ``Bars(labels, values, colors, text=(), tips=(), base=None)``: one bar per label on a category
  x axis, ``text`` written above each bar, ``tips`` shown on hover; ``base``: where bars start
  (default 0; on a log axis give the floor). A bar chart takes rules at y, no lines or points.

``Axis(title, log=False, domain=None, whole=False, fmt="g4", pad=0.0, nice=False, short="")``: ``domain``
fixes the range (else the data's and the rules', widened by ``pad`` of its span on each side, then
to the next ticks if ``nice``; decades on a log axis); ``whole`` keeps only whole-number ticks;
``short`` names the axis in the readout (default: its title); ``fmt`` formats the readout's numbers: "g<n>" (n significant digits), "e<n>" (n digits,
exponential), "f<n>" (n decimals), "d" (whole numbers).

The blob is ``nnviz.labs.packing.pack``: a JSON header (``kind`` "chart", ``title``, ``height`` of
the canvas in CSS px, ``x``/``y`` axes, ``lines``/``points``/``rules``/``bars``) and the arrays
``x<k>`` (each distinct x of the lines, named by the line's ``x``), ``ly<i>``, ``px<i>``/``py<i>``
and ``bars``, float32 where that holds the values (``compact``), else float64. ``read(blob)``
unpacks it for tests.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from nnviz.figures.common import TABLEAU10
from nnviz.labs.packing import finite, pack, unpack

FORMAT = re.compile(r"^(d|[gef][0-9]{1,2})$")
SHAPES = ("circle", "diamond", "cross")
GRID = "#bbbbbb"  # a rule's default colour: the zero lines under the curves


def _floats(values: Any) -> np.ndarray:
    return np.asarray(values, dtype=np.float64).ravel()


def compact(values: np.ndarray) -> np.ndarray:
    """float32 where it holds every finite value to ~7 digits (half the bytes), else float64
    (a vanishing gradient of 1e-60 is 0 in float32, a value over 3e38 infinite)."""
    finite_abs = np.abs(values[np.isfinite(values) & (values != 0)])
    if finite_abs.size and (finite_abs.min() < 1e-30 or finite_abs.max() > 1e30):
        return values
    return values.astype(np.float32)


def _check_format(fmt: str) -> None:
    if not FORMAT.match(fmt):
        raise ValueError(f"format must be d, g<n>, e<n> or f<n>, got {fmt!r}")


@dataclass(frozen=True)
class Axis:
    """One axis: its title, scale and how its numbers are written (see the module docstring)."""
    title: str = ""
    log: bool = False
    domain: tuple[float, float] | None = None
    whole: bool = False
    fmt: str = "g4"
    pad: float = 0.0
    nice: bool = False
    short: str = ""

    def __post_init__(self) -> None:
        _check_format(self.fmt)
        if self.domain is not None:
            lo, hi = self.domain
            if not (np.isfinite(lo) and np.isfinite(hi) and hi > lo):
                raise ValueError(f"axis domain must be finite with high > low, got {self.domain}")
            if self.log and lo <= 0:
                raise ValueError(f"a log axis's domain must be > 0, got {self.domain}")
        if self.pad < 0:
            raise ValueError(f"axis pad must be >= 0, got {self.pad}")

    def header(self) -> dict[str, Any]:
        return {"title": self.title, "log": self.log, "whole": self.whole, "fmt": self.fmt, "pad": self.pad, "nice": self.nice,
                "short": self.short,
                "domain": None if self.domain is None else [float(self.domain[0]), float(self.domain[1])]}


@dataclass(frozen=True)
class Line:
    """A line through (x, y), x ascending; non-finite y are gaps."""
    name: str
    x: Any
    y: Any
    color: str = TABLEAU10[0]
    dash: bool = False
    width: float = 2.0
    markers: bool = False
    legend: bool = True
    hover: bool = True


@dataclass(frozen=True)
class Points:
    """Markers at (x, y), with an optional tip per point."""
    name: str
    x: Any
    y: Any
    color: str = TABLEAU10[0]
    shape: str = "circle"
    size: float = 7.0
    legend: bool = True
    tips: Sequence[str] = ()

    def __post_init__(self) -> None:
        if self.shape not in SHAPES:
            raise ValueError(f"point shape must be one of {', '.join(SHAPES)}, got {self.shape!r}")


@dataclass(frozen=True)
class Rule:
    """A line across the plot at x (vertical) or y (horizontal)."""
    x: float | None = None
    y: float | None = None
    color: str = GRID
    dash: bool = False
    label: str = ""
    width: float = 1.0

    def __post_init__(self) -> None:
        if (self.x is None) == (self.y is None):
            raise ValueError("a rule takes exactly one of x and y")


@dataclass(frozen=True)
class Bars:
    """One bar per label; ``colors`` one for all or one per bar."""
    labels: Sequence[str]
    values: Any
    colors: Sequence[str] | str = TABLEAU10[0]
    text: Sequence[str] = ()
    tips: Sequence[str] = ()
    base: float | None = None

    def __post_init__(self) -> None:
        n = len(self.labels)
        if len(_floats(self.values)) != n:
            raise ValueError(f"bars: {n} labels but {len(_floats(self.values))} values")
        for what in ("text", "tips"):
            given = getattr(self, what)
            if given and len(given) != n:
                raise ValueError(f"bars: {n} labels but {len(given)} {what}")
        if not isinstance(self.colors, str) and len(self.colors) != n:
            raise ValueError(f"bars: {n} labels but {len(self.colors)} colours")


def chart(*marks: Line | Points | Rule | Bars, title: str = "", x: Axis = Axis(), y: Axis = Axis(),
          height: int = 280, legend: bool = True) -> bytes:
    """The packed description of one chart (see the module docstring); ``height`` in CSS px."""
    if height < 80:
        raise ValueError(f"chart height must be >= 80 px, got {height}")
    header: dict[str, Any] = {"kind": "chart", "title": title, "height": int(height), "legend": legend,
                              "x": x.header(), "y": y.header(), "lines": [], "points": [], "rules": [],
                              "bars": None}
    arrays: dict[str, np.ndarray] = {}
    xs: dict[str, np.ndarray] = {}
    for m in marks:
        if isinstance(m, Line):
            lx, ly = _floats(m.x), _floats(m.y)
            if len(lx) != len(ly):
                raise ValueError(f"line {m.name!r}: {len(lx)} x but {len(ly)} y values")
            if np.any(np.diff(lx) < 0):
                raise ValueError(f"line {m.name!r}: x must be ascending")
            i = len(header["lines"])
            # Lines over the same x share one array (a chart of k activations sends z once).
            x_name = next((k for k, v in xs.items() if np.array_equal(v, lx)), f"x{len(xs)}")
            xs.setdefault(x_name, lx)
            header["lines"].append({"name": m.name, "color": m.color, "dash": m.dash, "width": m.width,
                                    "markers": m.markers, "legend": m.legend, "hover": m.hover, "x": x_name})
            arrays[f"ly{i}"] = compact(ly)
        elif isinstance(m, Points):
            px, py = _floats(m.x), _floats(m.y)
            if len(px) != len(py) or (m.tips and len(m.tips) != len(px)):
                raise ValueError(f"points {m.name!r}: x, y and tips differ in length")
            i = len(header["points"])
            header["points"].append({"name": m.name, "color": m.color, "shape": m.shape, "size": m.size,
                                     "legend": m.legend, "tips": list(m.tips)})
            arrays[f"px{i}"], arrays[f"py{i}"] = px, py
        elif isinstance(m, Rule):
            axis, value = ("x", m.x) if m.x is not None else ("y", m.y)
            if finite(value) is None:
                continue  # a rule at infinity (or NaN) is nowhere on the plot
            header["rules"].append({"axis": axis, "value": float(value), "color": m.color, "dash": m.dash,
                                    "label": m.label, "width": m.width})
        elif isinstance(m, Bars):
            if header["bars"] is not None:
                raise ValueError("a chart has at most one set of bars")
            n = len(m.labels)
            colors = [m.colors] * n if isinstance(m.colors, str) else list(m.colors)
            header["bars"] = {"labels": [str(v) for v in m.labels], "colors": colors, "text": list(m.text),
                              "tips": list(m.tips), "base": finite(m.base)}
            arrays["bars"] = _floats(m.values)
        else:
            raise TypeError(f"not a chart mark: {m!r}")
    arrays.update({k: compact(v) for k, v in xs.items()})
    if header["bars"] is not None and (header["lines"] or header["points"]):
        raise ValueError("bars have a category x axis: a bar chart takes no lines or points")
    return pack(header, arrays)


def read(blob: bytes) -> dict[str, Any]:
    """A chart blob back as plain Python (for tests): the header, and ``lines``/``points`` as
    name -> (x, y) arrays and ``bars`` as label -> value (empty without bars)."""
    header, arrays = unpack(blob)
    lines = {s["name"]: (arrays[s["x"]], arrays[f"ly{i}"]) for i, s in enumerate(header["lines"])}
    points = {p["name"]: (arrays[f"px{i}"], arrays[f"py{i}"]) for i, p in enumerate(header["points"])}
    bars = dict(zip(header["bars"]["labels"], arrays["bars"], strict=True)) if header["bars"] else {}
    return {"header": header, "lines": lines, "points": points, "bars": bars}
