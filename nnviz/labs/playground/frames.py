"""Live frames: train a tick's worth of steps as a few snapshots, and pack them compactly.

The live view (a canvas component in the browser) plays a *batch* of frames per server tick at
animation-frame pace: ``train_frames`` trains ``steps`` mini-batch steps split into ``n_frames``
chunks and after each chunk records the model's state (``Frame``: step, epoch, metrics, the
decision surface and the neuron thumbnails as uint8 grids, the weights). The last frame of a
batch is the model's true state at its step; with ``steps=0`` the batch is that one frame.

Payloads are ``nnviz.labs.packing.pack`` blobs (a JSON header and 8-aligned arrays).
``main_payload`` (metrics, surfaces, curves, points) and
``network_payload`` (thumbnails, weights, layout) are what the two views receive.

Plain NumPy: no streamlit, no figures.
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from nnviz.labs.pacing import chunks
from nnviz.labs.packing import finite, pack, unpack
from nnviz.labs.playground.experiment import eval_every_at
from nnviz.labs.playground.run import Data, Run
from nnviz.labs.playground.views import (
    confusion_matrix,
    curves,
    decision_surface,
    grid_features,
    neuron_labels,
    neuron_maps,
    score,
    weights,
)
from nnviz.nn import activations
from nnviz.nn.losses import Loss
from nnviz.nn.training import accuracy_of, class_labels, predicted_classes

#: Grid of the decision surface in a frame (the browser smooths it when scaling up).
FRAME_SURFACE_RES = 50
#: Grid of each compared run's surface: drawn 200 px wide, half the main view's 400 px, so 25 cells
#: are the main view's 8 px a cell. Against 50, a comparison tick computed 4x fewer grid points
#: and sent 150 kB instead of 490 kB (three runs, 60 frames): the server's cost, measured.
COMPARE_SURFACE_RES = 25
#: Grid of each neuron thumbnail in a frame.
FRAME_NEURON_RES = 16
#: Frames the browser shows per second while training (it plays a batch over one tick).
FPS = 30
#: Thumbnail bytes per batch above which thumbnails are sent only every k-th frame (large networks).
THUMB_BUDGET = 60_000
METRIC_KEYS = ("train_loss", "test_loss", "train_accuracy", "test_accuracy")


@dataclass(frozen=True, eq=False)
class Frame:
    """The model at one step: metrics, surface (res, res) uint8, thumbnails (neurons, r, r) uint8
    or None, and every Dense layer's (W, b) as float32 copies (or None with the thumbnails); with
    more than two classes the test points' confusion matrix (K, K) (``points_confusion``)."""

    step: int
    epoch: float
    metrics: dict[str, float]
    surface: np.ndarray
    thumbs: np.ndarray | None
    weights: list[tuple[np.ndarray, np.ndarray]] | None
    confusion: np.ndarray | None = None


# ---- frames -------------------------------------------------------------------------------

def _codes(run: Run, s: np.ndarray) -> np.ndarray:
    u = np.clip(s, 0.0, 1.0) if run.experiment.task == "classification" else (np.clip(s, -1.0, 1.0) + 1.0) * 0.5
    return np.round(u * 255.0).astype(np.uint8)


def multi_class(run: Run) -> bool:
    """Whether the run has more than two classes (its surface and points use ``class_codes``)."""
    return run.experiment.task == "classification" and run.experiment.n_classes > 2


def class_levels(n_classes: int) -> int:
    """Codes per class in a ``class_codes`` byte: 256 // K (85 for 3 classes, 64 for 4)."""
    return 256 // int(n_classes)


def class_codes(out: np.ndarray) -> np.ndarray:
    """(n,) uint8 for K > 2 class probabilities ``out`` (n, K): the class k of highest probability
    and how sure, u = (p_max − 1/K) / (1 − 1/K) in [0, 1], as k·L + round(u·(L − 1)) with
    L = ``class_levels(K)``: one byte a cell, like the two-class surface. Non-finite: class 0, u = 0."""
    n_classes = out.shape[1]
    levels = class_levels(n_classes)
    p = np.nan_to_num(np.asarray(out, np.float64), nan=0.0, posinf=0.0, neginf=0.0)
    k = predicted_classes(p)
    top = p[np.arange(len(p)), k]
    u = np.clip((top - 1.0 / n_classes) / (1.0 - 1.0 / n_classes), 0.0, 1.0)
    return (k * levels + np.round(u * (levels - 1))).astype(np.uint8)


def decode_class_codes(codes: np.ndarray, n_classes: int) -> tuple[np.ndarray, np.ndarray]:
    """``class_codes`` back to (class, u) arrays, as the live view reads them."""
    levels = class_levels(n_classes)
    c = np.asarray(codes, np.int64)
    return c // levels, (c % levels) / (levels - 1)


def _surface(run: Run, out: np.ndarray, res: int) -> np.ndarray:
    """The grid's outputs (res*res, n_out) as the frame's (res, res) uint8 surface."""
    if multi_class(run):
        return class_codes(out).reshape(res, res)
    return _codes(run, score(run.experiment, out).reshape(res, res))


def surface_codes(run: Run, res: int = FRAME_SURFACE_RES) -> np.ndarray:
    """(res, res) uint8: the surface (rows x2 low -> high) on 0..255. Two classes: P(blue) in
    [0, 1]; more: ``class_codes``; regression: the prediction clipped to [-1, 1]."""
    if multi_class(run):
        with np.errstate(all="ignore"):
            return _surface(run, run.net.forward(grid_features(run.experiment.features, res), training=False), res)
    return _codes(run, decision_surface(run, res))


def surface_and_metrics(run: Run, res: int = FRAME_SURFACE_RES) -> tuple[np.ndarray, dict[str, float]]:
    """``surface_codes`` and ``metrics`` from one forward pass over the grid, the training and the
    test points stacked (a frame's work: one pass instead of three, the same values)."""
    surface, values, _ = _evaluate(run, res)
    return surface, values


#: Data -> {(loss class, outputs, dtype): prepared targets}, for as long as the data set lives.
_PREPARED: weakref.WeakKeyDictionary[Data, dict[tuple, tuple]] = weakref.WeakKeyDictionary()


def _prepared(data: Data, loss: Loss, out: np.ndarray) -> tuple[np.ndarray, Any, np.ndarray, Any]:
    """(train targets, train labels, test targets, test labels) of ``data`` for ``loss`` and
    outputs like ``out``: ``loss.targets_for`` and ``class_labels``, made once per data set (every
    frame measures the same points; one-hot rows cost a frame ~40 us to rebuild)."""
    cache = _PREPARED.setdefault(data, {})
    key = (type(loss), out.shape[1:], out.dtype.str)
    if key not in cache:
        def one(y: np.ndarray) -> tuple[np.ndarray, Any]:
            if not len(y):
                return np.zeros((0, *out.shape[1:]), out.dtype), None
            return loss.targets_for(y, out), class_labels(y)
        cache[key] = (*one(data.y_train), *one(data.y_test))
    return cache[key]


def _evaluate(run: Run, res: int) -> tuple[np.ndarray, dict[str, float], np.ndarray | None]:
    """``surface_and_metrics`` and, with more than two classes, the points' confusion matrix."""
    exp, data, tr = run.experiment, run.data, run.trainer
    grid = grid_features(exp.features, res)
    n_grid, n_train = len(grid), len(data.F_train)
    X = np.concatenate([grid, data.F_train, data.F_test]).astype(run.net.dtype, copy=False)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        out = run.net.forward(X, training=False)
        surface = _surface(run, out[:n_grid], res)
        out_train, out_test = out[n_grid:n_grid + n_train], out[n_grid + n_train:]
        t_train, labels_train, t_test, labels_test = _prepared(data, tr.loss, out)
        if n_train:
            train_loss, train_acc = tr.loss.value_of_targets(out_train, t_train), accuracy_of(out_train, labels_train)
        else:  # your own points, cleared: nothing to measure
            train_loss = train_acc = math.nan
        if len(data.F_test):
            test_loss, test_acc = tr.loss.value_of_targets(out_test, t_test), accuracy_of(out_test, labels_test)
        else:
            test_loss = test_acc = math.nan
    confusion = None
    if multi_class(run):  # the test points' (the training points' without a test set), as views.points_confusion
        out_c, y_c = (out_test, data.y_test) if len(data.F_test) else (out_train, data.y_train)
        confusion = confusion_matrix(y_c, predicted_classes(out_c), exp.n_classes)
    return surface, {"train_loss": train_loss, "test_loss": test_loss, "train_accuracy": train_acc,
                     "test_accuracy": test_acc}, confusion


def thumb_codes(run: Run, res: int = FRAME_NEURON_RES) -> np.ndarray:
    """(neurons, res, res) uint8 on a diverging scale (128 is 0; rows x2 low -> high), inputs first,
    outputs last. Inputs are scaled by their largest |value|, hidden units by max(1, largest
    |value|) so saturation shows, outputs map their range ([0, 1] or [-1, 1]) to the full scale."""
    maps = neuron_maps(run, res)
    lo, hi = (0.0, 1.0) if run.experiment.task == "classification" else (-1.0, 1.0)
    out = []
    last = len(maps) - 1
    for c, m in enumerate(maps):
        if c == last:
            u = (m - (lo + hi) / 2) / ((hi - lo) / 2)
        else:
            peak = np.abs(m).reshape(len(m), -1).max(axis=1) if m.size else np.zeros(len(m))
            scale = np.maximum(peak, 1e-6) if c == 0 else np.maximum(peak, 1.0)
            u = m / scale[:, None, None]
        out.append(np.round((np.clip(u, -1.0, 1.0) + 1.0) * 127.5).astype(np.uint8))
    return np.concatenate(out)


def frame(run: Run, *, surface_res: int = FRAME_SURFACE_RES, neuron_res: int = FRAME_NEURON_RES,
          thumbs: bool = True) -> Frame:
    """The run as it is now."""
    surface, values, confusion = _evaluate(run, surface_res)
    return Frame(
        step=run.step, epoch=run.epoch, metrics=values, surface=surface, confusion=confusion,
        thumbs=thumb_codes(run, neuron_res) if thumbs else None,
        weights=[(np.array(W, np.float32), np.array(b, np.float32)) for W, b in weights(run)] if thumbs else None,
    )


def thumb_every(run: Run, n_frames: int, neuron_res: int = FRAME_NEURON_RES, budget: int = THUMB_BUDGET) -> int:
    """Thumbnails (and weights) go with every k-th frame, so that a batch's stay near ``budget`` bytes
    (the last frame always has them)."""
    per_frame = sum(run.experiment.sizes) * neuron_res * neuron_res + 4 * run.net.n_params
    return max(1, math.ceil(per_frame * max(n_frames, 1) / budget))


def train_frames(run: Run, steps: int, n_frames: int, *, surface_res: int = FRAME_SURFACE_RES,
                 neuron_res: int = FRAME_NEURON_RES, thumbs: bool = True) -> list[Frame]:
    """Train ``steps`` steps in ``n_frames`` chunks, a frame after each (fewer if it diverges).
    No steps (or a diverged run): one frame of the current state. The last frame always has
    thumbnails (when ``thumbs``) and is the run's state when this returns. Meanwhile the trainer
    evaluates at ``eval_every_at`` the steps per frame (its history is sparser at high speeds; the
    weights are the same), and its settings are as before when this returns."""
    parts = chunks(steps, n_frames) if run.diverged is None else []
    if not parts:
        return [frame(run, surface_res=surface_res, neuron_res=neuron_res, thumbs=thumbs)]
    every = thumb_every(run, len(parts), neuron_res)
    config = run.trainer.config
    cadence = eval_every_at(steps / len(parts))
    if config.eval_every and cadence > config.eval_every:
        run.trainer.configure(config.replace(eval_every=cadence))
    out = []
    try:
        for i, k in enumerate(parts):
            done = run.train(k)
            last = i == len(parts) - 1 or run.diverged is not None
            out.append(frame(run, surface_res=surface_res, neuron_res=neuron_res,
                             thumbs=thumbs and (last or (i + 1) % every == 0)))
            if last or done < k:
                break
    finally:
        if run.trainer.config is not config:
            run.trainer.configure(config)
    return out


# ---- payloads -----------------------------------------------------------------------------

def _frame_rows(frames: Sequence[Frame]) -> list[dict[str, Any]]:
    return [{"step": f.step, "epoch": round(f.epoch, 4), **{k: finite(f.metrics[k]) for k in METRIC_KEYS}}
            for f in frames]


def main_payload(run: Run, frames: Sequence[Frame], base: Mapping[str, np.ndarray], *, batch: int, running: bool,
                 tick_seconds: float, show_test: bool = False, discretize: bool = False,
                 log: bool = False, edit: Mapping[str, Any] | None = None) -> bytes:
    """What the main live view draws: per frame the step, epoch and metrics (header) and the surface
    (``surfaces`` (F, res, res) uint8); the curves up to the batch (``base``, from ``curves``, to
    which the frames' metrics are appended as they play); the data points, how many there are
    (``points``: n_train, n_test, custom) and, with ``edit``, what a click on the plot does (header
    ``edit``: mode "add" or "erase", the label to add, the eraser's radius, the last edit applied);
    with more than two classes ``n_classes`` > 2 says the surfaces are ``class_codes`` and
    ``confusion`` (F, K, K) uint16 holds the test points' confusion matrix per frame
    (``confusion_of``: "test" or "train")."""
    exp = run.experiment
    data = run.data
    X = [data.X_train] + ([data.X_test] if show_test and len(data.X_test) else [])
    y = [data.y_train] + ([data.y_test] if show_test and len(data.y_test) else [])
    t = [np.zeros(len(data.X_train), np.uint8)] + ([np.ones(len(data.X_test), np.uint8)] if len(X) > 1 else [])
    P = np.concatenate(X).astype(np.float32)
    header = {
        "kind": "main", "batch": int(batch), "running": bool(running), "tick": float(tick_seconds),
        "task": exp.task, "discretize": bool(discretize), "log": bool(log), "diverged": run.diverged,
        "n_params": int(run.net.n_params), "loss": exp.loss, "has_test": bool(len(data.X_test)),
        "n_classes": exp.n_classes, "frames": _frame_rows(frames),
        "points": {"n_train": int(len(data.X_train)), "n_test": int(len(data.X_test)),
                   "custom": exp.points is not None},
        "edit": dict(edit) if edit else None,
    }
    arrays = {
        "surfaces": np.stack([f.surface for f in frames]),
        "curve_step": np.asarray(base["step"], np.float64),
        **{f"curve_{k}": np.asarray(base[k], np.float32) for k in METRIC_KEYS},
        "px": P[:, 0].copy(), "py": P[:, 1].copy(),
        "pc": np.concatenate(y).astype(np.float32).reshape(-1), "pt": np.concatenate(t),
    }
    if multi_class(run):  # K x K counts per frame: a few bytes beside the surface's 2,500
        arrays["confusion"] = np.stack([f.confusion for f in frames]).astype(np.uint16)
        header["confusion_of"] = "test" if len(data.X_test) else "train"
    return pack(header, arrays)


def _act_label(name: str) -> str:
    return activations.ACTIVATIONS.get(name).label or name


def network_payload(run: Run, frames: Sequence[Frame], *, batch: int, running: bool, tick_seconds: float) -> bytes:
    """What the network view draws: for the frames that carry them (``thumb_frames``), every
    neuron's thumbnail (``thumbs`` (T, neurons, r, r) uint8), weights (``w`` (T, n_w)) and biases
    (``b`` (T, n_b)), Dense layers in order, W row-major (n_in, n_out); the layout and labels (a
    hidden column's title names its activation where the layers' activations differ)."""
    exp = run.experiment
    with_thumbs = [i for i, f in enumerate(frames) if f.thumbs is not None]
    picked = [frames[i] for i in with_thumbs]
    header = {
        "kind": "network", "batch": int(batch), "running": bool(running), "tick": float(tick_seconds),
        "sizes": list(exp.sizes), "labels": neuron_labels(exp), "task": exp.task, "n_classes": exp.n_classes,
        "titles": ["Input", *[f"Hidden {i}" + (f" · {_act_label(act)}" if exp.activations else "")
                              + (" · BN" if i in exp.batch_norm else "")
                              for i, act in enumerate(exp.layer_activations, start=1)], "Output"],
        "steps": [f.step for f in frames], "thumb_frames": with_thumbs,
    }
    arrays: dict[str, np.ndarray] = {}
    if picked:
        arrays["thumbs"] = np.stack([f.thumbs for f in picked])
        arrays["w"] = np.stack([np.concatenate([W.ravel() for W, _ in f.weights]) for f in picked])
        arrays["b"] = np.stack([np.concatenate([b.ravel() for _, b in f.weights]) for f in picked])
        for key in ("w", "b"):
            arrays[key] = np.nan_to_num(arrays[key], nan=0.0, posinf=0.0, neginf=0.0).astype(np.float32)
    return pack(header, arrays)


def payload(run: Run, frames: Sequence[Frame], base: Mapping[str, np.ndarray], *, batch: int, running: bool,
            tick_seconds: float, show_test: bool = False, discretize: bool = False, log: bool = False,
            network: bool = True, edit: Mapping[str, Any] | None = None) -> bytes:
    """One blob for the live view: ``main_payload``'s header and arrays, and with ``network`` the
    network view's header under ``"network"`` and its arrays prefixed ``net_``."""
    header, arrays = unpack(main_payload(run, frames, base, batch=batch, running=running, tick_seconds=tick_seconds,
                                         show_test=show_test, discretize=discretize, log=log, edit=edit))
    if network:
        net_header, net_arrays = unpack(network_payload(run, frames, batch=batch, running=running,
                                                        tick_seconds=tick_seconds))
        header["network"] = net_header
        arrays.update({f"net_{k}": v for k, v in net_arrays.items()})
    return pack(header, arrays)


def compare_frames(runs: Sequence[Run], steps: int, n_frames: int,
                   surface_res: int = COMPARE_SURFACE_RES) -> list[list[Frame]]:
    """``train_frames`` for each compared run (no thumbnails); a diverged run has fewer frames."""
    return [train_frames(run, steps, n_frames, surface_res=surface_res, thumbs=False) for run in runs]


def compare_payload(runs: Sequence[Run], batches: Sequence[Sequence[Frame]], bases: Sequence[Mapping[str, np.ndarray]],
                    *, batch: int, running: bool, tick_seconds: float) -> bytes:
    """What the comparison view draws: per run its label, divergence and frames (header ``runs``),
    surfaces ``s{i}`` (F_i, res, res), the training-loss curve so far ``c{i}_step``/``c{i}_loss``;
    the training points (shared by the runs)."""
    data = runs[0].data
    header = {
        "kind": "compare", "batch": int(batch), "running": bool(running), "tick": float(tick_seconds),
        "task": runs[0].experiment.task, "has_test": bool(len(data.X_test)), "n_classes": runs[0].experiment.n_classes,
        "runs": [{"label": run.label, "diverged": run.diverged, "frames": _frame_rows(frames)}
                 for run, frames in zip(runs, batches, strict=True)],
    }
    arrays: dict[str, np.ndarray] = {}
    for i, (frames, base) in enumerate(zip(batches, bases, strict=True)):
        arrays[f"s{i}"] = np.stack([f.surface for f in frames])
        arrays[f"c{i}_step"] = np.asarray(base["step"], np.float64)
        arrays[f"c{i}_loss"] = np.asarray(base["train_loss"], np.float32)
    P = np.asarray(data.X_train, np.float32)
    arrays.update({"px": P[:, 0].copy(), "py": P[:, 1].copy(),
                   "pc": np.asarray(data.y_train, np.float32).reshape(-1), "pt": np.zeros(len(P), np.uint8)})
    return pack(header, arrays)


def base_curves(run: Run, max_points: int = 300) -> dict[str, np.ndarray]:
    """The evaluation curves so far (from step 0), for ``main_payload``'s ``base``."""
    return curves(run.history, max_points=max_points, start=run.start)
