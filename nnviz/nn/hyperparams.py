"""Validated numbers: single settings (``check_number``, ``check_integer``) and the named
settings of registry entries (leaky ReLU's alpha, Huber's delta, a surface's curvature), one
spec format and one validation for all of them."""

from __future__ import annotations

import math
import operator
from collections.abc import Mapping
from typing import Any

#: name -> (default, low, high, help); values must lie in [low, high].
HyperSpec = dict[str, tuple[float, float, float, str]]


def check_number(value: Any, what: str, low: float = 0.0, high: float = math.inf) -> float:
    """``value`` as a finite float in [low, high]; ``ValueError`` naming ``what`` and the value."""
    if isinstance(value, bool):
        raise ValueError(f"{what} must be a number, got {value!r}")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{what} must be a number, got {value!r}") from None
    if not (math.isfinite(number) and low <= number <= high):
        bound = f"a finite number >= {low:g}" if high == math.inf else f"in [{low:g}, {high:g}]"
        raise ValueError(f"{what} must be {bound}, got {value!r}")
    return number


def check_integer(value: Any, what: str, low: int, high: int | None = None) -> int:
    """``value`` as an int in [low, high] (no upper bound when ``high`` is None); booleans and
    floats are not integers here."""
    if isinstance(value, bool):
        raise ValueError(f"{what} must be an integer, got {value!r}")
    try:
        number = operator.index(value)
    except TypeError:
        raise ValueError(f"{what} must be an integer, got {value!r}") from None
    if number < low or (high is not None and number > high):
        bound = f">= {low}" if high is None else f"in [{low}, {high}]"
        raise ValueError(f"{what} must be {bound}, got {number}")
    return int(number)


def resolve_hyperparams(kind: str, name: str, spec: HyperSpec, params: Mapping[str, Any]) -> dict[str, float]:
    """Every setting of ``spec``, from ``params`` or its default, validated.

    ``ValueError`` names an unknown setting (with the known ones), a non-number, or a value
    outside its range: e.g. "leaky_relu alpha must be in [0, 1], got -1".
    """
    unknown = set(params) - set(spec)
    if unknown:
        raise ValueError(f"{kind} {name!r} has no parameter {sorted(unknown)[0]!r}; it takes {sorted(spec) or 'none'}")
    return {key: check_number(params.get(key, default), f"{name} {key}", low, high)
            for key, (default, low, high, _) in spec.items()}
