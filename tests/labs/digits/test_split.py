"""A digits-page run's images: one read-only shuffle of the training images (seed 0), each run's
validation and training sets as slices of it, in the order the page drew them from before (the
first n of ``permutation(N)``: n_val to validate, the rest to train)."""

from __future__ import annotations

import numpy as np
import pytest

from nnviz.labs.digits import split


def _images(n: int = 300) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(7)
    X = rng.random((n, 28, 28), dtype=np.float32)
    X.flags.writeable = False  # as MNIST's arrays are
    return X, rng.integers(0, 10, n)


def _before(X: np.ndarray, y: np.ndarray, requested: int) -> tuple[np.ndarray, ...]:
    """What the page did before the shared copy: copies of the images at permutation(N)[:n]."""
    n = min(requested, len(y))
    n_val = min(1000, max(1, n // 10))
    order = np.random.default_rng(0).permutation(len(y))[:n]
    val, train = order[:n_val], order[n_val:]
    return X[train], y[train], X[val], y[val]


@pytest.mark.parametrize("requested", [2, 10, 99, 250, 300, 5000])
def test_the_sets_are_the_images_the_page_drew_before(requested):
    X, y = _images()
    Xs, ys = split.shuffled(X, y)
    got = split.sets(Xs, ys, requested)
    expected = _before(X, y, requested)
    for a, b in zip((got.X_train, got.y_train, got.X_val, got.y_val), expected, strict=True):
        assert a.shape == b.shape and np.array_equal(a, b)


def test_the_shuffled_copy_and_every_set_are_read_only_views_of_it():
    X, y = _images()
    Xs, ys = split.shuffled(X, y)
    assert not Xs.flags.writeable and not ys.flags.writeable
    assert not np.shares_memory(Xs, X)  # its own copy: the original order is left as it was
    got = split.sets(Xs, ys, 200)
    for view, base in ((got.X_train, Xs), (got.X_val, Xs), (got.y_train, ys), (got.y_val, ys)):
        assert view.base is base and not view.flags.writeable
        with pytest.raises(ValueError, match="read-only"):
            view[0] = 0


def test_views_of_a_writable_array_are_made_read_only_too():
    X, y = np.zeros((50, 28, 28), np.float32), np.zeros(50, np.int64)
    got = split.sets(X, y, 50)
    assert not got.X_train.flags.writeable and not got.y_val.flags.writeable and X.flags.writeable


def test_runs_of_any_size_share_one_order():
    X, y = _images()
    Xs, ys = split.shuffled(X, y)
    small, large = split.sets(Xs, ys, 100), split.sets(Xs, ys, 300)
    assert len(small.y_val) == 10 and len(large.y_val) == 30
    assert np.array_equal(large.X_train[: 100 - 30], Xs[30:100])  # every set is a slice of the one order
    assert np.array_equal(small.X_val, large.X_val[:10])


def test_validation_is_a_tenth_of_the_images_between_1_and_1000():
    assert [split.validation_size(n) for n in (2, 9, 10, 4999, 5000, 60_000)] == [1, 1, 1, 499, 500, 1000]


def test_bad_input_is_refused_naming_it():
    X, y = _images(20)
    with pytest.raises(ValueError, match="20 images but y has 19"):
        split.shuffled(X, y[:19])
    with pytest.raises(ValueError, match="at least 2 images.*got 1"):
        split.sets(*split.shuffled(X, y), 1)
