"""What the playground shows of a run, each in one vectorized forward pass: the decision surface on
a ``SURFACE_RES`` x ``SURFACE_RES`` grid over ``DOMAIN``, every neuron's activation on a coarser
``NEURON_RES`` grid, the weights and their histograms, gradient norms and downsampled curves.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import numpy as np

from nnviz.data import toy_sets
from nnviz.labs.playground.experiment import Experiment
from nnviz.labs.playground.run import Run
from nnviz.nn import activations
from nnviz.nn.layers import Activation, Dense
from nnviz.nn.network import Network
from nnviz.nn.training import History, predicted_classes

DOMAIN: tuple[float, float] = tuple(toy_sets.DOMAIN)  # type: ignore[assignment]
SURFACE_RES = 100
NEURON_RES = 30
#: The classes' colours, by name (the live view has their RGB: orange and blue as the TensorFlow
#: Playground's, then Okabe and Ito's colour-blind-safe palette); more classes repeat them.
CLASS_COLORS: tuple[str, ...] = ("orange", "blue", "green", "pink", "yellow", "vermillion", "sky blue", "black")


def class_color(k: int) -> str:
    """The name of class ``k``'s colour."""
    return CLASS_COLORS[k % len(CLASS_COLORS)]


def grid_centers(res: int, domain: tuple[float, float] = DOMAIN) -> np.ndarray:
    """(res,) cell centres along one axis of the square domain."""
    lo, hi = domain
    return lo + (np.arange(res) + 0.5) * ((hi - lo) / res)


@lru_cache(maxsize=8)
def grid_points(res: int) -> np.ndarray:
    """(res*res, 2) cell centres, row-major: row i is x2 = centres[i], column j is x1 = centres[j]."""
    c = grid_centers(res)
    x1, x2 = np.meshgrid(c, c)
    pts = np.column_stack([x1.ravel(), x2.ravel()])
    pts.setflags(write=False)
    return pts


@lru_cache(maxsize=64)
def grid_features(features: tuple[str, ...], res: int) -> np.ndarray:
    """(res*res, k) float32 feature columns of ``grid_points(res)`` (cached, read-only)."""
    f = toy_sets.features(grid_points(res), list(features)).astype(np.float32)
    f.setflags(write=False)
    return f


def score(exp: Experiment, out: np.ndarray) -> np.ndarray:
    """(n,) what the surface shows: P(blue) (or the thresholded output) for classification, the
    prediction for regression. Non-finite values become 0.5 / 0."""
    if activations.ACTIVATIONS.get(exp.output).per_class:
        s = out[:, 1] if out.shape[1] == 2 else out.argmax(axis=1) / max(out.shape[1] - 1, 1)
    else:
        s = out[:, 0]
    fill = 0.5 if exp.task == "classification" else 0.0
    return np.nan_to_num(s.astype(np.float32), nan=fill, posinf=fill, neginf=fill)


def confusion_matrix(y: np.ndarray, pred: np.ndarray, n_classes: int) -> np.ndarray:
    """(K, K) int64 counts: row = true class, column = predicted class."""
    k = int(n_classes)
    idx = np.asarray(y, np.int64).reshape(-1) * k + np.asarray(pred, np.int64).reshape(-1)
    return np.bincount(idx, minlength=k * k).reshape(k, k)


def points_confusion(run: Run) -> tuple[np.ndarray, str]:
    """The confusion matrix (K, K) of the test points (of the training points when there are no
    test points) and which ("test" or "train"); one forward pass. Its diagonal over its sum is the
    accuracy (the same ``predicted_classes``)."""
    d = run.data
    which = "test" if len(d.F_test) else "train"
    F, y = (d.F_test, d.y_test) if which == "test" else (d.F_train, d.y_train)
    with np.errstate(all="ignore"):
        out = run.net.forward(F, training=False)
    return confusion_matrix(y, predicted_classes(out), run.experiment.n_classes), which


def decision_surface(run: Run, res: int = SURFACE_RES) -> np.ndarray:
    """(res, res) float32 network output over the plane (rows x2 low->high, columns x1): one forward pass."""
    with np.errstate(all="ignore"):
        out = run.net.forward(grid_features(run.experiment.features, res), training=False)
        return score(run.experiment, out).reshape(res, res)


def neuron_maps(run: Run, res: int = NEURON_RES) -> list[np.ndarray]:
    """One (units, res, res) float32 array per column of the network drawing: the input features,
    each hidden layer's activations, then the outputs. One forward pass over a res x res grid."""
    F = grid_features(run.experiment.features, res)
    with np.errstate(all="ignore"):
        outs = run.net.layer_outputs(F, training=False)
    cols = [F.T.reshape(-1, res, res)]
    acts = [o for layer, o in zip(run.net.layers, outs, strict=True) if isinstance(layer, Activation)]
    for o in acts:
        m = np.nan_to_num(np.asarray(o, dtype=np.float32), nan=0.0, posinf=0.0, neginf=0.0)
        cols.append(m.T.reshape(-1, res, res))
    return cols


def dense_layers(net: Network) -> list[Dense]:
    """The network's Dense layers, input to output."""
    return [layer for layer in net.layers if isinstance(layer, Dense)]


def weights(run: Run) -> list[tuple[np.ndarray, np.ndarray]]:
    """(W (n_in, n_out), b (n_out,)) per Dense layer, input to output."""
    return [(d.params["W"], d.params["b"]) for d in dense_layers(run.net)]


def layer_labels(exp: Experiment) -> list[str]:
    """A label per Dense layer: "hidden 1 (2→4)", ..., "output (4→2)"."""
    sizes = exp.sizes
    labels = [f"hidden {i + 1} ({sizes[i]}→{sizes[i + 1]})" for i in range(len(exp.hidden))]
    return [*labels, f"output ({sizes[-2]}→{sizes[-1]})"]


def neuron_labels(exp: Experiment) -> list[list[str]]:
    """Labels per column of the drawing: features, hidden neurons, outputs."""
    output = activations.ACTIVATIONS.get(exp.output)
    cols = [[toy_sets.feature_label(f) for f in exp.features]]
    cols += [[f"layer {i + 1}, neuron {j + 1}" for j in range(h)] for i, h in enumerate(exp.hidden)]
    if exp.task == "regression":
        out = ["prediction"]
    elif output.per_class:
        out = (["P(orange)", "P(blue)"] if exp.n_outputs == 2
               else [f"P(class {k}, {class_color(k)})" for k in range(exp.n_outputs)])
    else:
        out = ["P(blue)" if output.gives_probabilities else "output (blue > 0.5)"]
    return [*cols, out]


def weight_histograms(run: Run, bins: int | None = None) -> list[dict[str, Any]]:
    """Per Dense layer: {"label", "edges" (bins+1,), "now" (bins,), "initial" (bins,)} weight counts
    on shared bin edges (by default about one bin per two weights, 5 to 24 bins)."""
    out = []
    for label, dense in zip(layer_labels(run.experiment), dense_layers(run.net), strict=True):
        now = dense.params["W"].ravel()
        n_bins = bins or int(min(24, max(5, now.size // 2)))
        init = run.initial[f"{dense.name}.W"].ravel()
        both = np.concatenate([now, init]).astype(np.float64)
        both = both[np.isfinite(both)]
        lo, hi = (float(both.min()), float(both.max())) if both.size else (-1.0, 1.0)
        if hi - lo < 1e-6:
            lo, hi = lo - 0.5, hi + 0.5
        edges = np.linspace(lo, hi, n_bins + 1)
        out.append({"label": label, "edges": edges, "now": np.histogram(now, edges)[0],
                     "initial": np.histogram(init, edges)[0]})
    return out


def gradient_norms(run: Run, max_points: int = 300) -> dict[str, np.ndarray]:
    """{"step": (m,), label: (m,) per Dense layer}: each layer's gradient norm at evaluation steps."""
    h = run.history
    idx = downsample_index(len(h.eval_steps), max_points)
    out: dict[str, np.ndarray] = {"step": np.asarray(h.eval_steps, dtype=np.int64)[idx]}
    for label, dense in zip(layer_labels(run.experiment), dense_layers(run.net), strict=True):
        out[label] = np.asarray(h.grad_norms.get(dense.name, []), dtype=np.float64)[idx]
    return out


def downsample_index(n: int, max_points: int) -> np.ndarray:
    """Indices of at most ``max_points`` evenly spread samples of n, first and last included."""
    if n <= max_points:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, max_points).round().astype(np.int64))


def curves(history: History, max_points: int = 300, start: Mapping[str, float] | None = None) -> dict[str, np.ndarray]:
    """Evaluation curves downsampled to at most ``max_points``: step, train/test loss, accuracy, dead
    ReLUs; with ``start`` (``metrics`` at step 0, e.g. ``run.start``) they begin at step 0."""
    idx = downsample_index(len(history.eval_steps), max_points - (start is not None))

    def pick(values: list[float], first: float = math.nan) -> np.ndarray:
        v = np.asarray(values, dtype=np.float64)[idx] if values else np.zeros(len(idx))
        return np.concatenate([[first], v]) if start is not None else v

    steps = np.asarray(history.eval_steps, dtype=np.int64)[idx]
    s = start or {}
    return {
        "step": np.concatenate([[0], steps]) if start is not None else steps,
        "train_loss": pick(history.train_loss, s.get("train_loss", math.nan)),
        "test_loss": pick(history.val_loss, s.get("test_loss", math.nan)),
        "train_accuracy": pick(history.train_accuracy, s.get("train_accuracy", math.nan)),
        "test_accuracy": pick(history.val_accuracy, s.get("test_accuracy", math.nan)),
        "dead_relu": pick(history.dead_relu),
    }
