"""The two presets of the gradient-descent page, as lists of ``RunSpec``s for a surface and start:
``learning_rate_ladder`` (one optimizer, from a rate that crawls to one that flies off: the
learning-rate figure of source note 001, each labelled with what it did on this surface and start) and ``optimizers_compared`` (the optimizers side by side at one learning rate);
``next_optimizer`` for a run added by hand."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from nnviz.labs.descent.runs import MAX_RUNS, RunSpec, Trajectory, escapes, race, status
from nnviz.labs.descent.stability import divergence_threshold, escape_threshold, snap_rate
from nnviz.labs.descent.surfaces import Surface
from nnviz.nn import optimizers
from nnviz.nn.optimizers import OPTIMIZERS

#: A run zigzags when at least this share of its consecutive steps turn back (negative dot product).
ZIGZAG_SHARE = 0.3


def outcome(traj: Trajectory, surface: Surface) -> str:
    """What a run did, measured: "diverges at step k", "flies off the plot", "crawls: still moving
    at step n", "converges at step k" or "zigzags, converges at step k" (the preset's labels came
    from fixed words before, and called a rate "too large" that converged faster than the
    "about right" one)."""
    if traj.diverged_at is not None:
        return f"diverges at step {traj.diverged_at}"
    if escapes(traj, surface):
        return "flies off the plot"
    st = status(traj, surface)
    if st.kind != "converged":
        return f"crawls: still moving at step {traj.n_steps}"
    d = traj.deltas[: max(st.step, 2)]
    turns = np.einsum("ij,ij->i", d[1:], d[:-1]) < 0
    zigzag = len(turns) > 0 and float(np.mean(turns)) >= ZIGZAG_SHARE
    return f"{'zigzags, ' if zigzag else ''}converges at step {st.step}"


def learning_rate_ladder(surface: Surface, optimizer: str = "sgd", start: Any = None, steps: int = 100,
                         settings: Mapping[str, float] | None = None) -> list[RunSpec]:
    """Four runs of one optimizer, from a rate that crawls to one that flies off (the figure of
    source note 001), each labelled with its measured ``outcome`` on this surface from ``start``.

    With an instability threshold η* (``divergence_threshold``), snapped to the grid: about
    0.02 η* (crawls), 0.4 η* (steady), 0.9 η* (zigzags; still converges near a minimum) and
    the first rate at or above 1.25 η* that diverges or flies off the plot. For an ``adaptive``
    optimizer (steps about η long, whatever the gradient), or without a threshold: 0.001,
    0.01, 0.1 and 1 times the domain's half-width (a large rate makes them bounce).
    """
    settings = dict(settings or {})
    optimizer = OPTIMIZERS.canonical(optimizer)
    cls = optimizers.get(optimizer)
    # Adaptive steps are about η long whatever the gradient: they bounce rather than diverge.
    threshold = None if cls.adaptive else divergence_threshold(surface, optimizer, start, steps, settings)
    if threshold is None:
        half = float(np.max(np.diff(surface.bounds(), axis=1))) / 2.0
        rates = [snap_rate(half * f) for f in (1e-3, 1e-2, 1e-1, 1.0)]
    else:
        rates = [snap_rate(threshold * 0.02, "down"), snap_rate(threshold * 0.4, "down"),
                 snap_rate(threshold * 0.9, "down")]
        # The last rate: the first at or above 1.25 η* that diverges or flies off the plot.
        big = escape_threshold(surface, optimizer, start, steps, settings, low=threshold * 1.25)
        rates.append(big if big is not None else snap_rate(threshold * 1.25, "up"))
    trajs = race(surface, [RunSpec(optimizer, lr, settings) for lr in rates], start, steps)
    return [
        RunSpec(optimizer, lr, settings, label=f"{cls.label}, η = {lr:g} ({outcome(traj, surface)})")
        for lr, traj in zip(rates, trajs, strict=True)
    ]


def next_optimizer(used: Sequence[str]) -> str:
    """The optimizer of a run added by hand: the first registered one that no run in ``used`` has,
    else the one after the last of ``used`` in registry order."""
    names = optimizers.names()
    fresh = [n for n in names if n not in set(used)]
    if fresh or not used:
        return (fresh or names)[0]
    return names[(names.index(OPTIMIZERS.canonical(used[-1])) + 1) % len(names)]


def compared_names() -> list[str]:
    """The optimizers ``optimizers_compared`` races: the first ``MAX_RUNS`` of the registry, in its order."""
    return optimizers.names()[:MAX_RUNS]


def optimizers_compared(surface: Surface, start: Any = None, steps: int = 100,
                        learning_rate: float | None = None) -> list[RunSpec]:
    """Every optimizer of ``compared_names`` (default settings) with one shared learning rate.

    The default rate is three quarters of plain gradient descent's instability threshold,
    snapped down to the grid (SGD still converges, zigzagging across steep directions, and the
    adaptive methods move visibly), capped at a twentieth of the domain's half-width.
    """
    if learning_rate is None:
        threshold = divergence_threshold(surface, "sgd", start, steps)
        half = float(np.max(np.diff(surface.bounds(), axis=1))) / 2.0
        cap = half / 20.0
        learning_rate = snap_rate(min(cap, 0.75 * threshold) if threshold else cap, "down")
    return [RunSpec(name, learning_rate) for name in compared_names()]
