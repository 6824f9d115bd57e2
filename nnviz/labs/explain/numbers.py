"""Numbers in and out of the calculators: parsing typed lists, and formatting for LaTeX and text.

``fmt`` and its relatives turn results into LaTeX (4 decimals, scientific when tiny or huge);
``fmt_in`` shows a given number as typed; ``fill`` puts numbers or symbols into a loss's LaTeX
templates (``@a``: the output, ``@y``: the target); ``indexed`` names a quantity in plain text
(w⁽¹⁾₁₂).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable

import numpy as np

#: The calculators' dtype: exact enough to compare with finite differences.
F64 = np.float64
#: Inputs, weights and biases the calculators accept (|v| <= this): keeps z, exp and squares finite.
MAX_ABS = 1e6


def parse_numbers(text: str, what: str = "values", min_count: int = 1, max_count: int = 20) -> tuple[float, ...]:
    """'1, 2.5 -3' -> (1.0, 2.5, -3.0); ``ValueError`` naming the offending entry otherwise."""
    if not isinstance(text, str):
        raise ValueError(f"{what} must be text like '1, 2, 3', got {text!r}")
    parts = [p for p in re.split(r"[,;\s]+", text.strip()) if p]
    values: list[float] = []
    for part in parts:
        try:
            v = float(part)
        except ValueError:
            raise ValueError(f"{what}: {part!r} is not a number (type numbers separated by commas)") from None
        if not math.isfinite(v):
            raise ValueError(f"{what}: {part!r} is not a finite number")
        if abs(v) > MAX_ABS:
            raise ValueError(f"{what}: {part} is too large (|value| must be at most {MAX_ABS:g})")
        values.append(v)
    if not (min_count <= len(values) <= max_count):
        need = f"exactly {min_count}" if min_count == max_count else f"between {min_count} and {max_count}"
        raise ValueError(f"{what}: {need} numbers needed, got {len(values)}")
    return tuple(values)


def fmt(v: float, digits: int = 4) -> str:
    """A number for LaTeX: fixed 4 decimals in [1e-3, 1e6), scientific otherwise."""
    v = float(v)
    if math.isnan(v):
        return r"\text{NaN}"
    if math.isinf(v):
        return r"\infty" if v > 0 else r"-\infty"
    if v == 0:
        return "0"
    if 1e-3 <= abs(v) < 1e6:
        return f"{v:.{digits}f}"
    mantissa, exponent = f"{v:.{digits - 1}e}".split("e")
    return rf"{mantissa} \times 10^{{{int(exponent)}}}"


def fmt_plain(v: float, digits: int = 4) -> str:
    """A number for plain text (tables, metrics): 4 decimals, or scientific when tiny or huge."""
    v = float(v)
    if not math.isfinite(v) or v == 0:
        return f"{v:g}"
    if 1e-3 <= abs(v) < 1e6:
        return f"{v:.{digits}f}"
    return f"{v:.{digits - 1}e}"


def fmt_in(v: float) -> str:
    """A given number (input, weight, target) for LaTeX, as typed: 0.5, not 0.5000."""
    v = float(v)
    if v == 0 or not (1e-4 <= abs(v) < 1e6):
        return fmt(v)
    return f"{v:.6g}"


def paren(v: float) -> str:
    """``fmt``, parenthesized when negative (for products and differences)."""
    s = fmt(v)
    return f"({s})" if s.startswith("-") else s


def paren_in(v: float) -> str:
    """``fmt_in``, parenthesized when negative."""
    s = fmt_in(v)
    return f"({s})" if s.startswith("-") else s


def latex_tuple(items: Iterable[str]) -> str:
    """(item1, item2, ...) in LaTeX, from LaTeX items."""
    return r"\left(" + r",\ ".join(items) + r"\right)"


def latex_vector(values) -> str:
    """(v1, v2, ...) in LaTeX, from numbers."""
    return latex_tuple(fmt(v) for v in np.ravel(values))


def latex_matrix(m: np.ndarray, number=None) -> str:
    """A matrix (k, k) as a LaTeX pmatrix, each entry written by ``number`` (default ``fmt``)."""
    number = number or fmt
    rows = r" \\ ".join(" & ".join(number(v) for v in row) for row in np.atleast_2d(m))
    return r"\begin{pmatrix} " + rows + r" \end{pmatrix}"


def plain_vector(v) -> str:
    """A number, or (v1, v2, ...), as plain text."""
    v = np.ravel(v)
    return fmt_plain(v[0]) if v.size == 1 else "(" + ", ".join(fmt_plain(t) for t in v) + ")"


def rhs(formula: str) -> str:
    """The right-hand side of a registry formula 'f(z) = ...'."""
    return formula.split("=", 1)[1].strip() if "=" in formula else formula


def fill(template: str, a: str, y: str) -> str:
    """A loss's LaTeX template with ``@a`` (the output) and ``@y`` (the target) replaced."""
    return template.replace("@a", a).replace("@y", y)


_SUP = str.maketrans("0123456789()", "⁰¹²³⁴⁵⁶⁷⁸⁹⁽⁾")
_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def indexed(symbol: str, layer: int | None = None, *idx: int) -> str:
    """Plain-text indexed name: indexed('w', 1, 1, 2) -> 'w⁽¹⁾₁₂'."""
    sup = f"({layer})".translate(_SUP) if layer else ""
    return symbol + sup + "".join(str(i) for i in idx).translate(_SUB)
