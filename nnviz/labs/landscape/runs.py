"""Training runs with snapshots of the weights: the paths the landscape views draw.

``compare_runs`` trains copies of one network (same initial weights, same mini-batch order) with
several configs; each ``TrainingRun`` keeps about 30 flat weight vectors along its way, the loss
there, and where (and why) it diverged.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from nnviz.labs.landscape.evaluation import Progress
from nnviz.nn.network import Network
from nnviz.nn.training import BLOWUP_WINDOW, TrainConfig, Trainer, blowup_reason, exploded

#: A run whose loss exceeds this many times its initial loss has diverged (see train_with_snapshots).
BLOWUP = 3.0


@dataclass(frozen=True, eq=False)
class TrainingRun:
    """One training run with snapshots of its weights.

    ``steps`` (s,): the step of each snapshot (0: the initial weights); ``snapshots`` (s, P): the flat
    weights there (``net.get_flat()`` order); ``loss``/``accuracy`` (s,): on the evaluation data at
    each snapshot; ``batch_loss`` (t,): the mini-batch loss of each step taken; ``diverged``: the
    step where training diverged (its last snapshot), else None, and ``diverged_reason`` why.
    """

    label: str
    config: TrainConfig
    steps: np.ndarray
    snapshots: np.ndarray
    loss: np.ndarray
    accuracy: np.ndarray
    batch_loss: np.ndarray
    diverged: int | None
    diverged_reason: str = ""

    @property
    def initial(self) -> np.ndarray:
        """The flat weights at step 0 (P,)."""
        return self.snapshots[0]

    @property
    def final(self) -> np.ndarray:
        """The flat weights at the last snapshot (P,): the end of training, or where it diverged."""
        return self.snapshots[-1]


def snapshot_steps(steps: int, n_snapshots: int) -> np.ndarray:
    """About ``n_snapshots`` evenly spaced steps from 1 to ``steps`` (the last always included), plus 0."""
    if not isinstance(steps, (int, np.integer)) or steps < 1:
        raise ValueError(f"steps must be a positive integer, got {steps!r}")
    if not isinstance(n_snapshots, (int, np.integer)) or n_snapshots < 1:
        raise ValueError(f"n_snapshots must be a positive integer, got {n_snapshots!r}")
    return np.unique(np.round(np.linspace(0, steps, min(n_snapshots, steps) + 1)).astype(np.int64))


def train_with_snapshots(
    net: Network,
    config: TrainConfig,
    X: np.ndarray,
    y: np.ndarray,
    steps: int,
    n_snapshots: int = 30,
    X_eval: np.ndarray | None = None,
    y_eval: np.ndarray | None = None,
    label: str = "",
    progress: Progress | None = None,
    blowup: float | None = BLOWUP,
) -> TrainingRun:
    """Train ``net`` in place for ``steps`` steps, snapshotting its weights at ``snapshot_steps``.

    The loss and accuracy at each snapshot are measured on (X_eval, y_eval), by default (X, y).
    A run diverges when the trainer meets a non-finite loss or weight (training stops there), or
    (``blowup``) by the trainer's own blowup rule (``nnviz.nn.training.exploded``) applied to the
    snapshots' losses: with a saturating output (softmax and a clipped cross-entropy) a far too
    large learning rate never yields NaN, the weights just fly away. The record of a diverged run
    stops at the snapshot where it diverged (a passing spike that recovers is not divergence).
    ``progress(steps_done, steps)`` after each snapshot.
    """
    if blowup is not None and not (math.isfinite(blowup) and blowup > 1):
        raise ValueError(f"blowup must be > 1 (or None), got {blowup:g}")
    X_eval, y_eval = (X, y) if X_eval is None else (X_eval, y_eval)
    trainer = Trainer(net, config, X, y)
    marks = snapshot_steps(steps, n_snapshots)
    taken: list[int] = []
    flats: list[np.ndarray] = []
    measures: list[tuple[float, float]] = []

    def snap() -> None:
        taken.append(trainer.step)
        flats.append(net.get_flat())
        measures.append(trainer.evaluate(X_eval, y_eval))

    snap()
    for mark in marks[1:]:
        trainer.run(steps=int(mark - trainer.step))
        if trainer.step != taken[-1]:
            snap()
        if trainer.diverged is not None:
            break
        if progress is not None:
            progress(int(mark), steps)
    if progress is not None and trainer.diverged is not None:
        progress(steps, steps)
    loss_v, acc_v = (np.array(v, dtype=np.float64) for v in zip(*measures, strict=True))
    steps_v = np.array(taken, dtype=np.int64)
    S = np.stack(flats)
    batch_loss = np.array(trainer.history.loss, dtype=np.float64)
    diverged, reason = trainer.diverged, trainer.diverged_reason
    if diverged is None and blowup is not None:
        window = max(2, min(BLOWUP_WINDOW, (len(marks) - 1) // 3))  # snapshots are fewer than evaluations
        for i in range(1, len(loss_v)):
            if exploded(loss_v[1 : i + 1], float(loss_v[0]), blowup, window):
                diverged, reason = int(steps_v[i]), blowup_reason(float(loss_v[0]), blowup, window)
                steps_v, S, loss_v, acc_v = steps_v[: i + 1], S[: i + 1], loss_v[: i + 1], acc_v[: i + 1]
                batch_loss = batch_loss[:diverged]
                break
    return TrainingRun(
        label=label, config=config, steps=steps_v, snapshots=S, loss=loss_v, accuracy=acc_v,
        batch_loss=batch_loss, diverged=diverged, diverged_reason=reason,
    )


def compare_runs(
    net: Network,
    configs: Sequence[TrainConfig],
    X: np.ndarray,
    y: np.ndarray,
    steps: int,
    n_snapshots: int = 30,
    labels: Sequence[str] | None = None,
    X_eval: np.ndarray | None = None,
    y_eval: np.ndarray | None = None,
    progress: Progress | None = None,
) -> list[TrainingRun]:
    """Train a copy of ``net`` (same initial weights, same mini-batch order) per config.

    ``net`` itself is not changed. ``progress(steps_done, total_steps)`` over all runs.
    """
    if not configs:
        raise ValueError("give at least one training config")
    labels = list(labels) if labels is not None else [f"run {i + 1}" for i in range(len(configs))]
    if len(labels) != len(configs):
        raise ValueError(f"{len(labels)} labels for {len(configs)} configs")
    total = steps * len(configs)
    runs = []
    for i, (config, label) in enumerate(zip(configs, labels, strict=True)):
        report = None if progress is None else (lambda done, _t, i=i: progress(i * steps + done, total))
        runs.append(train_with_snapshots(net.copy(), config, X, y, steps, n_snapshots, X_eval, y_eval, label, report))
    return runs
