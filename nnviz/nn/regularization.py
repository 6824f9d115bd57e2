"""L1 and L2 weight penalties (biases and batch-norm parameters are not regularized).

L2 as in the source notes: J + lambda * sum(theta^2), so the gradient gains 2 * lambda * theta.
L1: J + lambda * sum(|theta|), gradient lambda * sign(theta).
"""

from __future__ import annotations

import numpy as np

from nnviz.nn.hyperparams import check_number
from nnviz.nn.network import Network


def check_strength(name: str, value: float) -> float:
    """A finite L1/L2 strength >= 0 (``ValueError`` naming ``value`` otherwise)."""
    return check_number(value, f"{name} strength")


def penalty(net: Network, l1: float = 0.0, l2: float = 0.0) -> float:
    """lambda_1 * sum|W| + lambda_2 * sum W^2 over the regularized weights."""
    if l1 == 0 and l2 == 0:
        return 0.0
    total = 0.0
    for key in net.regularized_keys():
        w = net.params[key]
        if l1:
            total += l1 * float(np.abs(w).sum())
        if l2:
            total += l2 * float(np.vdot(w, w))
    return total


def add_gradients(net: Network, l1: float = 0.0, l2: float = 0.0) -> None:
    """Add the penalty's gradient to ``net.grads`` in place."""
    if l1 == 0 and l2 == 0:
        return
    for key in net.regularized_keys():
        w, g = net.params[key], net.grads[key]
        if l1:
            g += l1 * np.sign(w)
        if l2:
            g += (2.0 * l2) * w
