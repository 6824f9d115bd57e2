"""Gradient-norm clipping: every gradient scaled by min(1, c / ‖g‖), ‖g‖ the norm of all of them
together, so a step keeps its direction but never exceeds length c (what keeps an RNN's exploding
gradients from throwing its weights away)."""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from nnviz.nn.hyperparams import check_number


def global_norm(grads: Mapping[str, np.ndarray]) -> float:
    """‖g‖ = sqrt(Σ over every array of Σ g²)."""
    return math.sqrt(sum(float(np.vdot(g, g)) for g in grads.values()))


def clip_global_norm(grads: Mapping[str, np.ndarray], max_norm: float) -> float:
    """Scale ``grads`` in place so their global norm is at most ``max_norm`` (> 0); returns the norm
    before clipping. A non-finite norm leaves the gradients as they are (the trainer refuses the step)."""
    max_norm = check_number(max_norm, "gradient clipping norm", 1e-12)
    norm = global_norm(grads)
    if math.isfinite(norm) and norm > max_norm:
        scale = max_norm / norm
        for g in grads.values():
            g *= g.dtype.type(scale)
    return norm
