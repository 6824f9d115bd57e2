"""The images a digits-page run trains and validates on: one fixed shuffle of a data set's training
images, shared read-only, and each run's sets as slices of it (views, no copy).

``shuffled(X, y)`` reorders images (N, 28, 28) and labels (N,) by ``default_rng(SEED).permutation(N)``
and makes the copies read-only. ``sets(Xs, ys, requested)`` takes the first n = min(requested, N)
images of that order: validation the first n_val = min(MAX_VALIDATION, max(1, n // 10)), training the
next n - n_val. A permutation's first n entries do not depend on n, so a run on n images sees
``permutation(N)[:n]`` of the original images, in that order, whatever n the other runs asked for.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: The seed of the one order every run takes its images from.
SEED = 0
#: The most images held out for validation.
MAX_VALIDATION = 1000


@dataclass(frozen=True, eq=False)
class Split:
    """A run's images: training X (n - n_val, 28, 28), y (n - n_val,); validation X (n_val, 28, 28),
    y (n_val,); read-only views of the shared shuffled arrays."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray


def validation_size(n: int) -> int:
    """Images of n held out for validation: min(MAX_VALIDATION, max(1, n // 10))."""
    return min(MAX_VALIDATION, max(1, n // 10))


def shuffled(X: np.ndarray, y: np.ndarray, seed: int = SEED) -> tuple[np.ndarray, np.ndarray]:
    """(X[order], y[order]) with order = default_rng(seed).permutation(N), both read-only copies."""
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} images but y has {len(y)} labels")
    order = np.random.default_rng(seed).permutation(len(y))
    Xs, ys = X[order], y[order]
    Xs.flags.writeable = False
    ys.flags.writeable = False
    return Xs, ys


def sets(Xs: np.ndarray, ys: np.ndarray, requested: int) -> Split:
    """The first min(requested, N) of the shuffled images: validation Xs[:n_val], training
    Xs[n_val:n] (slices, read-only like their base)."""
    n = min(int(requested), len(ys))
    if n < 2:
        raise ValueError(f"a run needs at least 2 images (1 to validate, 1 to train), got {requested}")
    n_val = validation_size(n)
    views = (Xs[n_val:n], ys[n_val:n], Xs[:n_val], ys[:n_val])
    for view in views:
        view.flags.writeable = False  # a view of a writable array would be writable
    return Split(*views)
