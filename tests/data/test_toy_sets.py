"""nnviz.data.toy_sets: the toy 2D sets, their features and the train/test split."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nnviz.data import toy_sets

CLASSIFICATION = [name for name in toy_sets.names() if toy_sets.get(name)(10, 0.0, 0).task == "classification"]
#: The sets with more than two classes; every other classification set has two.
N_CLASSES = {"spiral_3": 3, "blobs_4": 4}


# --------------------------------------------------------------------------------------------
# Toy datasets
# --------------------------------------------------------------------------------------------


def test_registry_order_and_unknown_name() -> None:
    assert toy_sets.names() == ["circles", "xor", "gaussians", "spiral", "moons", "spiral_3", "blobs_4", "plane", "sine"]
    with pytest.raises(ValueError, match="unknown dataset 'nope'.*circles"):
        toy_sets.get("nope")


@pytest.mark.parametrize("name", toy_sets.names())
@pytest.mark.parametrize("n", [200, 201])
def test_shapes_dtypes_task(name: str, n: int) -> None:
    ds = toy_sets.get(name)(n, 0.3, 0)
    assert isinstance(ds, toy_sets.Dataset2D)
    assert ds.name == name
    assert ds.X.shape == (n, 2) and ds.X.dtype == np.float64
    assert ds.y.shape == (n,)
    assert np.all(np.isfinite(ds.X)) and np.all(np.isfinite(ds.y))
    if ds.task == "classification":
        assert ds.y.dtype == np.int64 and ds.n_classes == N_CLASSES.get(name, 2)
        counts = np.bincount(ds.y, minlength=ds.n_classes)
        assert counts.sum() == n and counts.max() - counts.min() <= 1, counts
    else:
        assert ds.task == "regression"
        assert ds.y.dtype == np.float64 and ds.n_classes == 0


@pytest.mark.parametrize("name", toy_sets.names())
def test_inside_domain(name: str) -> None:
    low, high = toy_sets.DOMAIN
    clean = toy_sets.get(name)(500, 0.0, 1).X
    assert np.all((clean >= low) & (clean <= high))
    noisy = toy_sets.get(name)(2000, 1.0, 1).X
    assert np.mean(np.all((noisy >= low) & (noisy <= high), axis=1)) > 0.9


@pytest.mark.parametrize("name", toy_sets.names())
def test_deterministic_per_seed(name: str) -> None:
    make = toy_sets.get(name)
    a, b, c = make(100, 0.2, 7), make(100, 0.2, 7), make(100, 0.2, 8)
    np.testing.assert_array_equal(a.X, b.X)
    np.testing.assert_array_equal(a.y, b.y)
    assert not np.array_equal(a.X, c.X)


@pytest.mark.parametrize("name", toy_sets.names())
def test_noise_changes_data(name: str) -> None:
    make = toy_sets.get(name)
    clean, noisy = make(100, 0.0, 3), make(100, 0.5, 3)
    assert not (np.array_equal(clean.X, noisy.X) and np.array_equal(clean.y, noisy.y))


@pytest.mark.parametrize("name", CLASSIFICATION)
def test_clean_classes_are_separable(name: str) -> None:
    """Leave-one-out 1-nearest-neighbour accuracy at noise 0: a proxy for "a small MLP fits it"."""
    ds = toy_sets.get(name)(400, 0.0, 0)
    dist = ((ds.X[:, None, :] - ds.X[None, :, :]) ** 2).sum(-1)
    np.fill_diagonal(dist, np.inf)
    accuracy = np.mean(ds.y[dist.argmin(1)] == ds.y)
    assert accuracy >= 0.97, accuracy


def test_regression_noise_scale() -> None:
    clean, noisy = toy_sets.get("plane")(5000, 0.0, 0), toy_sets.get("plane")(5000, 1.0, 0)
    np.testing.assert_array_equal(clean.X, noisy.X)  # noise goes on the targets only
    np.testing.assert_allclose(clean.y, clean.X.sum(1) / 2)
    assert abs(np.std(noisy.y - clean.y) - toy_sets.NOISE_SCALE) < 0.02


def test_arrays_are_read_only() -> None:
    ds = toy_sets.get("circles")(10, 0.0, 0)
    with pytest.raises(ValueError):
        ds.X[0, 0] = 5.0
    with pytest.raises(AttributeError):
        ds.name = "other"  # type: ignore[misc]


@pytest.mark.parametrize("n", [1, 0, -5, 2.5, "10", None, True, toy_sets.MAX_SAMPLES + 1])
def test_bad_n(n: object) -> None:
    with pytest.raises(ValueError, match="n must be"):
        toy_sets.get("xor")(n, 0.1, 0)  # type: ignore[arg-type]


@pytest.mark.parametrize("noise", [-0.1, math.nan, math.inf, "lots", None])
def test_bad_noise(noise: object) -> None:
    with pytest.raises(ValueError, match="noise must be"):
        toy_sets.get("moons")(50, noise, 0)  # type: ignore[arg-type]


@pytest.mark.parametrize("seed", [-1, 1.5, "0"])
def test_bad_seed(seed: object) -> None:
    with pytest.raises(ValueError, match="seed must be"):
        toy_sets.get("spiral")(50, 0.0, seed)  # type: ignore[arg-type]


def test_n_two_and_numpy_int() -> None:
    assert toy_sets.get("circles")(2, 0.0, 0).y.tolist() in ([0, 1], [1, 0])
    assert toy_sets.get("sine")(np.int64(5), np.float32(0.1), np.int32(2)).X.shape == (5, 2)


# --------------------------------------------------------------------------------------------
# features and split
# --------------------------------------------------------------------------------------------


def test_features_columns() -> None:
    X = np.array([[0.5, -1.0], [2.0, 3.0]])
    F = toy_sets.features(X, toy_sets.FEATURE_NAMES)
    x1, x2 = X[:, 0], X[:, 1]
    expected = np.column_stack([x1, x2, x1**2, x2**2, x1 * x2, np.sin(x1), np.sin(x2)])
    np.testing.assert_allclose(F, expected)
    np.testing.assert_array_equal(toy_sets.features(X, ["x1*x2", "x1"]), np.column_stack([x1 * x2, x1]))
    assert toy_sets.features(np.zeros((0, 2)), ["x2"]).shape == (0, 1)


@pytest.mark.parametrize(
    "names, message",
    [([], "at least one"), (["x1", "x3"], "unknown feature 'x3'"), ("x1", "list"), (["x1", "x1"], "repeat")],
)
def test_features_bad_names(names: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        toy_sets.features(np.zeros((3, 2)), names)  # type: ignore[arg-type]


def test_features_bad_shape() -> None:
    with pytest.raises(ValueError, match=r"\(n, 2\)"):
        toy_sets.features(np.zeros((3, 3)), ["x1"])


@pytest.mark.parametrize(
    "n, fraction, n_test", [(100, 0.2, 20), (101, 0.2, 21), (10, 0.3, 3), (5, 0.0, 0), (2, 0.01, 1)]
)
def test_split_sizes(n: int, fraction: float, n_test: int) -> None:
    ds = toy_sets.get("gaussians")(n, 0.1, 0)
    X_train, y_train, X_test, y_test = toy_sets.split(ds, fraction, seed=1)
    assert X_test.shape == (n_test, 2) and y_test.shape == (n_test,)
    assert X_train.shape == (n - n_test, 2) and y_train.shape == (n - n_test,)
    # a partition of the rows, labels kept with their points
    together = np.concatenate([np.column_stack([X_train, y_train]), np.column_stack([X_test, y_test])])
    original = np.column_stack([ds.X, ds.y])
    np.testing.assert_array_equal(together[np.lexsort(together.T)], original[np.lexsort(original.T)])
    X_train[...] = 0  # copies, writable
    again = toy_sets.split(ds, fraction, seed=1)
    np.testing.assert_array_equal(again[2], X_test)


@pytest.mark.parametrize("fraction", [-0.1, 1.0, 1.5, math.nan, "half"])
def test_split_bad_fraction(fraction: object) -> None:
    with pytest.raises(ValueError, match="test_fraction"):
        toy_sets.split(toy_sets.get("xor")(10, 0.0, 0), fraction, 0)  # type: ignore[arg-type]


@pytest.mark.parametrize(("name", "k"), list(N_CLASSES.items()))
def test_the_multi_class_sets_have_every_class_in_its_own_place(name: str, k: int) -> None:
    ds = toy_sets.get(name)(600, 0.0, 4)
    assert sorted(set(ds.y.tolist())) == list(range(k))
    means = np.array([ds.X[ds.y == c].mean(axis=0) for c in range(k)])
    if name == "blobs_4":  # one blob per quadrant, counter-clockwise from (+, +)
        np.testing.assert_allclose(means, 0.6 * np.array([[1, 1], [-1, 1], [-1, -1], [1, -1]]), atol=0.05)
    else:  # three arms turned by a third of a turn: rotating the points by 120 degrees maps arm k onto arm k + 1
        t = 2 * np.pi / 3
        rot = np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]])
        turned = ds.X @ rot.T
        dist = ((turned[:, None, :] - ds.X[None, :, :]) ** 2).sum(-1)
        assert np.mean(ds.y[dist.argmin(1)] == (ds.y + 1) % k) > 0.95
