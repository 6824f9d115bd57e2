"""The start point of a race, as a student types it: parsing, checking against the domain, showing."""

from __future__ import annotations

import math
from typing import Any

from nnviz.labs.descent.surfaces import Surface


def format_point(p: Any) -> str:
    """A point as the start box shows it: "-1.5, 2"."""
    return ", ".join(f"{float(v):.4g}" for v in p)


def parse_start(text: Any, dim: int) -> tuple[float, ...]:
    """The typed start point: ``dim`` numbers separated by commas or spaces; ValueError saying what is wrong."""
    parts = [p for p in str(text).replace(",", " ").replace("(", " ").replace(")", " ").split() if p]
    if len(parts) != dim:
        example = "-1.5, 2" if dim == 2 else "2.5"
        raise ValueError(f"The start point needs {dim} number{'s' if dim > 1 else ''} (like {example}); "
                         f"got {str(text).strip() or 'nothing'!r}.")
    values = []
    for p in parts:
        try:
            values.append(float(p))
        except ValueError:
            raise ValueError(f"{p!r} in the start point is not a number.") from None
    if not all(math.isfinite(v) for v in values):
        raise ValueError(f"The start point {str(text).strip()!r} is not a finite number: type coordinates like "
                         f"{'-1.5, 2' if dim == 2 else '2.5'}" + (", or click on the map." if dim == 2 else "."))
    return tuple(values)


def check_start(surface: Surface, text: Any) -> str | None:
    """None if ``text`` is a finite point of the domain, else the message to show."""
    try:
        start = parse_start(text, surface.dim)
    except ValueError as err:
        return str(err)
    if not surface.in_domain(start):
        b = surface.bounds()
        box = ", ".join(f"{n} in [{lo:g}, {hi:g}]" for n, (lo, hi) in zip("xy", b, strict=False))
        return f"The start point ({format_point(start)}) is outside the plotted domain ({box})."
    return None


def clicked_start(surface: Surface, point: Any, digits: int = 2) -> str | None:
    """The start box's text for a click on the map at ``point`` (x, y): rounded to ``digits``
    decimals and kept inside the domain (a click on the frame's edge); None for no usable point."""
    try:
        values = [float(v) for v in point]
    except (TypeError, ValueError):
        return None
    if len(values) != surface.dim or not all(math.isfinite(v) for v in values):
        return None
    b = surface.bounds()
    inside = [min(max(round(v, digits), lo), hi) for v, (lo, hi) in zip(values, b, strict=True)]
    return format_point(inside)
