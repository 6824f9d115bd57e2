"""Toy sequence tasks for the simple RNN, with seeds: each a set of sequences (n, T, 1) and targets.

- ``sine``: a noisy sine wave (its frequency and phase drawn per sequence); the target at step t
  is the clean wave's next value: predict where the wave goes (regression).
- ``remember``: random bits; the target at step t is the bit seen ``lag`` steps before (steps
  t < lag have none and do not count). A plain RNN must carry the bit through ``lag`` steps of
  W_h, which is where it fails as the lag grows (bits: sigmoid and binary cross-entropy).
- ``parity``: random bits; the target is the running parity, 1 when the bits so far hold an odd
  number of ones (bits).

Deterministic: the same task, sizes and seed give the same arrays (float32). NumPy only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from nnviz.nn.hyperparams import check_integer, check_number

MAX_LENGTH = 200
MAX_SEQUENCES = 5000


@dataclass(frozen=True, eq=False)
class SequenceSet:
    """``X`` (n, T, 1) inputs, ``y`` (n, T, 1) targets, ``mask`` (T,) the steps whose targets count."""

    task: str
    X: np.ndarray
    y: np.ndarray
    mask: np.ndarray
    kind: str  # "regression" or "bits"

    @property
    def length(self) -> int:
        return int(self.X.shape[1])


def _sine(rng: np.random.Generator, n: int, length: int, lag: int, noise: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    omega = rng.uniform(0.15, 0.45, size=(n, 1))
    phase = rng.uniform(0, 2 * np.pi, size=(n, 1))
    t = np.arange(length + 1)[None, :]
    clean = np.sin(omega * t + phase)
    x = clean[:, :-1] + noise * rng.standard_normal((n, length))
    return x, clean[:, 1:], np.ones(length, bool)


def _remember(rng: np.random.Generator, n: int, length: int, lag: int, noise: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    bits = rng.integers(0, 2, size=(n, length)).astype(np.float64)
    y = np.zeros_like(bits)
    y[:, lag:] = bits[:, :-lag]
    mask = np.arange(length) >= lag
    return bits, y, mask


def _parity(rng: np.random.Generator, n: int, length: int, lag: int, noise: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    bits = rng.integers(0, 2, size=(n, length))
    return bits.astype(np.float64), (np.cumsum(bits, axis=1) % 2).astype(np.float64), np.ones(length, bool)


#: task -> (generator, kind, what it asks).
TASKS: dict[str, tuple[Callable, str, str]] = {
    "sine": (_sine, "regression", "predict the next value of a noisy sine wave"),
    "remember": (_remember, "bits", "output the bit seen lag steps ago"),
    "parity": (_parity, "bits", "output the running parity: 1 after an odd number of ones"),
}


def names() -> list[str]:
    return list(TASKS)


def make(task: str, n: int, length: int, seed: int = 0, *, lag: int = 3, noise: float = 0.1) -> SequenceSet:
    """``n`` sequences of ``length`` steps of ``task``; ``ValueError`` naming a bad value."""
    if task not in TASKS:
        raise ValueError(f"unknown sequence task {task!r}; known: {', '.join(TASKS)}")
    n = check_integer(n, "number of sequences", 1, MAX_SEQUENCES)
    length = check_integer(length, "sequence length", 2, MAX_LENGTH)
    lag = check_integer(lag, "lag (steps back)", 1, length - 1)
    noise = check_number(noise, "noise", 0.0, 1.0)
    generate, kind, _ = TASKS[task]
    x, y, mask = generate(np.random.default_rng(seed), n, length, lag, noise)
    return SequenceSet(task, x[..., None].astype(np.float32), y[..., None].astype(np.float32), mask, kind)
