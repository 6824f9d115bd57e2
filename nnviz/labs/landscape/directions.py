"""Directions in weight space: dicts keyed like ``net.params``, drawn at random and normalized.

A direction ``d`` moves the weights to ``theta + a * d``. Random Gaussian directions are
filter-normalized as in Li et al. 2018 ("Visualizing the Loss Landscape of Neural Nets"), so a
step of one unit means as much to a layer with small weights as to one with large weights.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from nnviz.nn.network import Network

Direction = dict[str, np.ndarray]

NORMALIZATIONS: tuple[str, ...] = ("filter", "layer", "none")


def random_direction(net: Network, seed: int = 1, normalization: str = "filter") -> Direction:
    """A Gaussian direction shaped like ``net.params``, keyed the same way.

    ``"filter"`` (Li et al. 2018): for each weight array with 2 or more axes, every filter (a slice
    along the last axis: one output neuron's incoming weights of a Dense (in, out) matrix, one
    output channel of a Conv2D (kh, kw, in, out) kernel) is rescaled to the norm of the same filter
    of the weights, d_j <- d_j * |W_j| / |d_j|; biases and batch-norm parameters (1-D) get zero.
    ``"layer"``: each weight array is rescaled to the norm of the weights; 1-D parameters zero.
    ``"none"``: the raw standard normal draws, biases included.
    """
    if normalization not in NORMALIZATIONS:
        raise ValueError(f"unknown normalization {normalization!r}; known: {', '.join(NORMALIZATIONS)}")
    rng = np.random.default_rng(seed)
    direction: Direction = {}
    for key, w in net.params.items():
        d = rng.standard_normal(w.shape)  # always drawn, so a key's draw does not depend on the mode
        if normalization != "none":
            if w.ndim < 2:
                d = np.zeros_like(d)
            elif normalization == "filter":
                axes = tuple(range(w.ndim - 1))
                w_norm = np.sqrt(np.sum(np.square(w, dtype=np.float64), axis=axes, keepdims=True))
                d_norm = np.sqrt(np.sum(np.square(d), axis=axes, keepdims=True))
                d = d * (w_norm / np.maximum(d_norm, 1e-300))
            else:
                d = d * (np.linalg.norm(w.astype(np.float64)) / max(np.linalg.norm(d), 1e-300))
        direction[key] = d.astype(net.dtype)
    return direction


def random_plane(net: Network, seed: int = 1, normalization: str = "filter") -> tuple[Direction, Direction]:
    """Two random directions (seeds ``seed`` and ``seed + 1``)."""
    return random_direction(net, seed, normalization), random_direction(net, seed + 1, normalization)


def flatten(net: Network, direction: Mapping[str, np.ndarray]) -> np.ndarray:
    """A direction dict as one float64 vector (P,), in ``net.get_flat()`` order."""
    check_direction(net, direction, "direction")
    return np.concatenate([np.asarray(direction[k], dtype=np.float64).ravel() for k in net.params])


def unflatten(net: Network, vector: np.ndarray) -> Direction:
    """A vector (P,) in ``net.get_flat()`` order as a dict keyed like ``net.params`` (net's dtype)."""
    vector = np.asarray(vector)
    if vector.shape != (net.n_params,):
        raise ValueError(f"vector must have shape ({net.n_params},), got {vector.shape}")
    out: Direction = {}
    offset = 0
    for key, p in net.params.items():
        out[key] = vector[offset : offset + p.size].reshape(p.shape).astype(net.dtype)
        offset += p.size
    return out


def filter_norms(array: np.ndarray) -> np.ndarray:
    """Norms of the filters (slices along the last axis) of a weight array with >= 2 axes: (filters,)."""
    array = np.asarray(array, dtype=np.float64)
    return np.sqrt(np.sum(np.square(array), axis=tuple(range(array.ndim - 1))))


def check_direction(net: Network, direction: Mapping[str, np.ndarray], what: str) -> None:
    """A ``ValueError`` naming ``what`` unless ``direction`` has net's keys and shapes, all finite."""
    if not isinstance(direction, Mapping):
        raise ValueError(f"{what} must be a dict keyed like net.params, got {type(direction).__name__}")
    if set(direction) != set(net.params):
        missing = sorted(set(net.params) - set(direction))
        extra = sorted(set(direction) - set(net.params))
        raise ValueError(f"{what} does not match the network's parameters (missing {missing}, extra {extra})")
    for key, p in net.params.items():
        d = np.asarray(direction[key])
        if d.shape != p.shape:
            raise ValueError(f"{what}[{key!r}] has shape {d.shape}, expected {p.shape}")
        if not np.all(np.isfinite(d)):
            raise ValueError(f"{what}[{key!r}] contains NaN or infinite values")
