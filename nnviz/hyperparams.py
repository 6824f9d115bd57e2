"""Named numeric settings of registry entries (leaky ReLU's alpha, Huber's delta, a surface's
curvature): one spec format and one validation for all of them."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

#: name -> (default, low, high, help); values must lie in [low, high].
HyperSpec = dict[str, tuple[float, float, float, str]]


def resolve_hyperparams(kind: str, name: str, spec: HyperSpec, params: Mapping[str, Any]) -> dict[str, float]:
    """Every setting of ``spec``, from ``params`` or its default, validated.

    ``ValueError`` names an unknown setting (with the known ones), a non-number, or a value
    outside its range: e.g. "leaky_relu alpha must be in [0, 1], got -1".
    """
    unknown = set(params) - set(spec)
    if unknown:
        raise ValueError(f"{kind} {name!r} has no parameter {sorted(unknown)[0]!r}; it takes {sorted(spec) or 'none'}")
    values: dict[str, float] = {}
    for key, (default, low, high, _) in spec.items():
        raw = params.get(key, default)
        if isinstance(raw, bool):
            raise ValueError(f"{name} {key} must be a number, got {raw!r}")
        try:
            value = float(raw)
        except (TypeError, ValueError):
            raise ValueError(f"{name} {key} must be a number, got {raw!r}") from None
        if not (math.isfinite(value) and low <= value <= high):
            raise ValueError(f"{name} {key} must be in [{low:g}, {high:g}], got {raw!r}")
        values[key] = value
    return values
