"""Your own points in the playground: a point set that replaces the generator's, edited by clicks.

``Points`` (frozen, compared by value) holds ``X`` (n, 2) float64 inside the plot's square
``toy_sets.DOMAIN``, ``y`` (n,) int64 class labels 0..K-1 or float64 regression targets, and
``test`` (n,) bool (True: a test point, never trained on). An ``Experiment`` whose ``points`` is a
``Points`` trains on them instead of generating its data set; the data set then only says the
task and the number of classes.

Points added by clicking go to the **training** set (a click says "learn this"); test points come
from the generated set or from a CSV file (``points_csv``). ``add``, ``erase`` and ``clear``
return a new ``Points``; the run keeps its network (``run.update`` applies new points live).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from nnviz.data import toy_sets

#: The plot's square: points must lie inside it (the surface is drawn over it).
DOMAIN: tuple[float, float] = toy_sets.DOMAIN
#: At most this many points in a set (the generator's largest set).
MAX_CUSTOM_POINTS = 5000
#: The eraser's radius, in the plane's units (about 16 px of the 400 px plot).
ERASE_RADIUS = 0.12


def check_label(value: float, task: str, n_classes: int) -> float | int:
    """One point's label: an integer class 0..n_classes-1, or a finite regression target."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"a label must be a number, got {value!r}") from None
    if task == "classification":
        if not (v.is_integer() and 0 <= v < n_classes):
            classes = " or ".join(map(str, range(n_classes))) if n_classes <= 4 else f"0..{n_classes - 1}"
            raise ValueError(f"a class label must be {classes}, got {value!r}")
        return int(v)
    if not math.isfinite(v):
        raise ValueError(f"a regression target must be a finite number, got {value!r}")
    return v


@dataclass(frozen=True, eq=False)
class Points:
    """A point set: ``X`` (n, 2) float64 in DOMAIN, ``y`` (n,) labels or targets, ``test`` (n,) bool.

    ``task`` and ``n_classes`` (0 for regression) say what ``y`` holds. Arrays are read-only
    copies; two sets are equal when every array is.
    """

    X: np.ndarray
    y: np.ndarray
    test: np.ndarray
    task: str
    n_classes: int

    def __post_init__(self) -> None:
        X = np.array(self.X, dtype=np.float64)
        if X.size == 0:
            X = X.reshape(0, 2)
        if X.ndim != 2 or X.shape[1] != 2:
            raise ValueError(f"X must have shape (n, 2), got {X.shape}")
        n = len(X)
        if n > MAX_CUSTOM_POINTS:
            raise ValueError(f"at most {MAX_CUSTOM_POINTS:,} points, got {n:,}")
        if not np.all(np.isfinite(X)):
            raise ValueError("point coordinates must be finite numbers")
        lo, hi = DOMAIN
        if n and (X.min() < lo or X.max() > hi):
            raise ValueError(f"points must lie inside the plot, {lo:g} to {hi:g} on both axes")
        classification = self.task == "classification"
        if self.task not in toy_sets.TASKS:
            raise ValueError(f"task must be one of {toy_sets.TASKS}, got {self.task!r}")
        y = np.array(self.y, dtype=np.float64).reshape(-1)
        if y.shape != (n,):
            raise ValueError(f"y must have shape ({n},), got {y.shape}")
        if classification:
            if self.n_classes < 2:
                raise ValueError(f"a classification set needs n_classes >= 2, got {self.n_classes}")
            bad = ~((y == np.round(y)) & (y >= 0) & (y < self.n_classes))
            if bad.any():
                check_label(float(y[bad.argmax()]), self.task, self.n_classes)  # raises, naming the value
            y = y.astype(np.int64)
        elif self.n_classes != 0:
            raise ValueError(f"a regression set has n_classes 0, got {self.n_classes}")
        elif not np.all(np.isfinite(y)):
            raise ValueError("regression targets must be finite numbers")
        test = np.array(self.test, dtype=bool).reshape(-1)
        if test.shape != (n,):
            raise ValueError(f"test must have shape ({n},), got {test.shape}")
        for a in (X, y, test):
            a.setflags(write=False)
        object.__setattr__(self, "X", X)
        object.__setattr__(self, "y", y)
        object.__setattr__(self, "test", test)
        object.__setattr__(self, "n_classes", int(self.n_classes))

    # Compared and hashed by value, so an Experiment holding points stays a value too.
    def _key(self) -> tuple:
        return (self.task, self.n_classes, self.X.tobytes(), self.y.tobytes(), self.test.tobytes())

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Points) and self._key() == other._key()

    def __hash__(self) -> int:
        return int.from_bytes(hashlib.blake2b(repr(self._key()).encode(), digest_size=8).digest(), "little")

    @property
    def n(self) -> int:
        return int(len(self.X))

    @property
    def n_train(self) -> int:
        return int((~self.test).sum())

    @property
    def n_test(self) -> int:
        return int(self.test.sum())

    def train_set(self) -> tuple[np.ndarray, np.ndarray]:
        """(X (n_train, 2), y (n_train,)) in the set's order."""
        return self.X[~self.test], self.y[~self.test]

    def test_set(self) -> tuple[np.ndarray, np.ndarray]:
        """(X (n_test, 2), y (n_test,)) in the set's order."""
        return self.X[self.test], self.y[self.test]

    def describe(self) -> str:
        """"12 points (10 training, 2 test)"."""
        return f"{self.n:,} point{'s' if self.n != 1 else ''} ({self.n_train:,} training, {self.n_test:,} test)"

    def __str__(self) -> str:
        return self.describe()

    def to_dict(self) -> dict[str, list]:
        """Plain lists, for JSON: x1, x2, label, split ("train"/"test")."""
        return {"x1": self.X[:, 0].tolist(), "x2": self.X[:, 1].tolist(), "label": self.y.tolist(),
                "split": ["test" if t else "train" for t in self.test]}


def empty(task: str, n_classes: int) -> Points:
    """No points (``clear``): the plot is empty until you add some."""
    return Points(np.zeros((0, 2)), np.zeros(0), np.zeros(0, bool), task, n_classes)


def from_split(X_train: np.ndarray, y_train: np.ndarray, X_test: np.ndarray, y_test: np.ndarray, task: str,
               n_classes: int) -> Points:
    """A set from a train/test split (the generated points, to edit them): training points first."""
    X = np.concatenate([np.reshape(X_train, (-1, 2)), np.reshape(X_test, (-1, 2))])
    y = np.concatenate([np.reshape(y_train, -1), np.reshape(y_test, -1)]).astype(np.float64)
    test = np.concatenate([np.zeros(len(X_train), bool), np.ones(len(X_test), bool)])
    return Points(X, y, test, task, n_classes)


def inside(X: np.ndarray) -> np.ndarray:
    """(k,) bool: which rows of X (k, 2) lie inside the plot (finite, within DOMAIN)."""
    X = np.asarray(X, np.float64).reshape(-1, 2)
    lo, hi = DOMAIN
    return np.all(np.isfinite(X) & (X >= lo) & (X <= hi), axis=1)


def add(points: Points, X_new: Sequence | np.ndarray, label: float) -> Points:
    """``points`` with the rows of ``X_new`` (k, 2) added to the training set, all with ``label``
    (a class or a target; checked). Rows outside the plot are dropped. Raises ``ValueError`` if
    the set would hold more than ``MAX_CUSTOM_POINTS``."""
    value = check_label(label, points.task, points.n_classes)
    X_new = np.asarray(X_new, np.float64).reshape(-1, 2)
    X_new = X_new[inside(X_new)]
    if points.n + len(X_new) > MAX_CUSTOM_POINTS:
        raise ValueError(f"at most {MAX_CUSTOM_POINTS:,} points: the set has {points.n:,}, "
                         f"{len(X_new):,} more would be too many")
    return Points(np.concatenate([points.X, X_new]), np.concatenate([points.y, np.full(len(X_new), value, np.float64)]),
                  np.concatenate([points.test, np.zeros(len(X_new), bool)]), points.task, points.n_classes)


def erase(points: Points, centres: Sequence | np.ndarray, radius: float = ERASE_RADIUS,
          include_test: bool = True) -> Points:
    """``points`` without those within ``radius`` of any of ``centres`` (k, 2); test points only
    with ``include_test`` (the page erases only the points it shows)."""
    radius = float(radius)
    if not (math.isfinite(radius) and radius > 0):
        raise ValueError(f"the eraser's radius must be > 0, got {radius!r}")
    C = np.asarray(centres, np.float64).reshape(-1, 2)
    if not len(C) or not points.n:
        return points
    d2 = ((points.X[:, None, :] - C[None, :, :]) ** 2).sum(axis=2).min(axis=1)
    gone = d2 <= radius * radius
    if not include_test:
        gone &= ~points.test
    keep = ~gone
    return Points(points.X[keep], points.y[keep], points.test[keep], points.task, points.n_classes)


def split_mask(n: int, test_ratio: float, seed: int) -> np.ndarray:
    """(n,) bool test mask of a random split like the generator's (``toy_sets.split``: m =
    ceil(n * test_ratio) test points, at least 1 when test_ratio > 0 and at most n - 1)."""
    if n < 2:
        return np.zeros(n, bool)
    ds = toy_sets.Dataset2D(np.zeros((n, 2)), np.arange(n, dtype=np.float64), "regression", 0, "split")
    _, ids_train, _, ids_test = toy_sets.split(ds, test_ratio, seed)
    mask = np.zeros(n, bool)
    mask[ids_test.astype(np.int64)] = True
    return mask


#: At most this many positions in one stroke (a message from the browser: bounded).
MAX_STROKE = 2000


def apply_edits(points: Points, edits: Sequence, after: int, *, include_test: bool = True,
                radius: float = ERASE_RADIUS) -> tuple[Points, int, list[str]]:
    """Apply the browser's edits numbered above ``after``, in order: ``{"seq": int, "mode": "add" |
    "erase", "label": class or target, "xy": [[x1, x2], ...]}``. Returns (points, the highest seq
    seen, problems). An edit that cannot be applied (a bad label, too many points, a malformed
    message) is skipped and named in the problems; the others still apply."""
    done, problems = after, []
    def seq_of(e: Any) -> int:
        s = e.get("seq") if isinstance(e, dict) else None
        return s if isinstance(s, int) and not isinstance(s, bool) else -1
    for edit in sorted((e for e in edits if seq_of(e) > after), key=seq_of):
        done = max(done, seq_of(edit))
        try:
            xy = np.asarray(edit.get("xy"), np.float64)
            if xy.ndim != 2 or xy.shape[1] != 2 or len(xy) > MAX_STROKE:
                raise ValueError(f"a stroke is a list of at most {MAX_STROKE} [x1, x2] pairs")
            if edit.get("mode") == "add":
                points = add(points, xy, edit.get("label"))
            elif edit.get("mode") == "erase":
                points = erase(points, xy[inside(xy)], radius, include_test=include_test)
            else:
                raise ValueError(f"unknown edit {edit.get('mode')!r}")
        except (ValueError, TypeError) as exc:
            problems.append(str(exc))
    return points, done, problems
