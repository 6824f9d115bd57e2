"""Central finite differences, to check analytic gradients: (f(x + h) - f(x - h)) / 2h."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def numerical_gradient(f: Callable[[], float], x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """d f / d x by central differences, perturbing ``x`` in place (and restoring it).

    ``f`` takes no arguments and reads ``x``; use float64 arrays for meaningful results.
    """
    grad = np.zeros(x.shape, dtype=np.float64)
    flat = x.reshape(-1)  # a view: writes reach x
    gflat = grad.reshape(-1)
    for i in range(flat.size):  # one coordinate at a time, by definition of the method
        old = flat[i]
        flat[i] = old + h
        f_plus = f()
        flat[i] = old - h
        f_minus = f()
        flat[i] = old
        gflat[i] = (f_plus - f_minus) / (2 * h)
    return grad


def relative_error(analytic: np.ndarray, numeric: np.ndarray) -> float:
    """||a - n|| / max(||a|| + ||n||, 1e-12): 0 when identical, ~1e-8 or less for a correct
    float64 gradient. Norm-based, so entries that are nearly zero do not dominate."""
    a = np.asarray(analytic, dtype=np.float64).ravel()
    n = np.asarray(numeric, dtype=np.float64).ravel()
    return float(np.linalg.norm(a - n) / max(np.linalg.norm(a) + np.linalg.norm(n), 1e-12))


def check_network(net, loss, X: np.ndarray, y: np.ndarray, l1: float = 0.0, l2: float = 0.0,
                  training: bool = False, h: float = 1e-6) -> dict[str, float]:
    """Backprop against finite differences for every parameter of ``net`` (use float64).

    Returns the relative error per parameter key.
    """
    from nnviz.nn import regularization

    def objective() -> float:
        out = net.forward(X, training=training)
        return loss.value(out, y) + regularization.penalty(net, l1, l2)

    out = net.forward(X, training=training)
    net.loss_backward(loss, out, y)
    regularization.add_gradients(net, l1, l2)
    analytic = {k: g.copy() for k, g in net.grads.items()}
    return {k: relative_error(analytic[k], numerical_gradient(objective, p, h)) for k, p in net.params.items()}
