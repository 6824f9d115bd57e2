"""1D/2D loss grids (centre, axis convention, bad input, overflow) and interpolation between two
networks; the weights stay untouched."""

from __future__ import annotations

import numpy as np
import pytest

from nnviz.data import toy_sets
from nnviz.labs.landscape import directions, grids
from nnviz.nn.network import Network
from tests.labs.landscape.nets import loss_at, mlp, trained


def test_grid_centre_is_the_loss_at_the_weights_and_weights_unchanged(moons):
    X, y = moons
    net = trained(X, y)
    before = net.get_flat()
    d1, d2 = directions.random_plane(net, 1)
    progress = []
    a, b, Z = grids.loss_grid_2d(net, "cross_entropy", X, y, d1, d2, span=1.0, resolution=21,
                                     progress=lambda done, total: progress.append((done, total)))
    assert a.shape == b.shape == (21,) and Z.shape == (21, 21)
    assert a[10] == 0 and b[10] == 0
    np.testing.assert_allclose(Z[10, 10], loss_at(net, "cross_entropy", X, y), rtol=1e-5)
    np.testing.assert_array_equal(net.get_flat(), before)
    assert progress[-1] == (441, 441)
    assert np.all(np.isfinite(Z)) and Z.min() <= Z[10, 10] + 1e-6 + 0.5  # a basin, roughly


def test_grid_axis_convention_against_setting_the_weights(moons):
    X, y = moons
    net = mlp()
    d1, d2 = directions.random_plane(net, 4)
    a, b, Z = grids.loss_grid_2d(net, "cross_entropy", X, y, d1, d2, resolution=5,
                                     bounds=((-1.0, 0.5), (0.0, 2.0)))
    i, j = 3, 1  # Z[i, j] is at (a[j], b[i])
    probe = net.copy()
    for k, p in probe.params.items():
        p[...] = net.params[k] + a[j] * d1[k] + b[i] * d2[k]
    np.testing.assert_allclose(Z[i, j], loss_at(probe, "cross_entropy", X, y), rtol=1e-5)


def test_regression_grid_and_nan_accuracy():
    ds = toy_sets.get("sine")(100, 0.5, 0)
    net = Network.mlp([2, 8, 1], activation="tanh", output="linear", seed=0)
    d = directions.random_direction(net, 1)
    a, values, acc = grids.loss_grid_1d(net, "mse", ds.X, ds.y, d, span=0.5, resolution=11, return_accuracy=True)
    np.testing.assert_allclose(values[5], loss_at(net, "mse", ds.X, ds.y), rtol=1e-5)
    assert np.all(np.isnan(acc))


def test_grid_rejects_bad_input(moons):
    X, y = moons
    net = mlp()
    d1, d2 = directions.random_plane(net, 1)
    with pytest.raises(ValueError, match="resolution"):
        grids.loss_grid_2d(net, "cross_entropy", X, y, d1, d2, resolution=1)
    with pytest.raises(ValueError, match="span"):
        grids.loss_grid_2d(net, "cross_entropy", X, y, d1, d2, span=0)
    with pytest.raises(ValueError, match="bounds"):
        grids.loss_grid_2d(net, "cross_entropy", X, y, d1, d2, bounds=((1, 0), (0, 1)))
    bad = dict(d1)
    del bad["dense0.W"]
    with pytest.raises(ValueError, match="missing"):
        grids.loss_grid_2d(net, "cross_entropy", X, y, bad, d2)
    nan = {k: v.copy() for k, v in d1.items()}
    nan["dense1.W"][0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        grids.loss_grid_2d(net, "cross_entropy", X, y, nan, d2)
    with pytest.raises(ValueError, match="rows"):
        grids.loss_grid_2d(net, "cross_entropy", X, y[:-1], d1, d2)


def test_huge_span_gives_a_result_not_an_exception(moons):
    X, y = moons
    net = Network.mlp([2, 8, 1], activation="relu", output="linear", seed=0)
    d1, d2 = directions.random_plane(net, 1, "none")
    _, _, Z = grids.loss_grid_2d(net, "mse", X, y.astype(float), d1, d2, span=1e30, resolution=3)
    assert Z.shape == (3, 3)  # overflow shows as inf/NaN values, to be drawn as "off the scale"


def test_interpolate_ends_are_the_two_networks(moons):
    X, y = moons
    start = mlp()
    end = trained(X, y)
    a0, b0 = start.get_flat(), end.get_flat()
    line = grids.interpolate(start, end, "cross_entropy", X, y, resolution=13, margin=0.25)
    assert line.alphas[0] == -0.25 and line.alphas[-1] == 1.25
    i0, i1 = np.argmin(np.abs(line.alphas)), np.argmin(np.abs(line.alphas - 1))
    np.testing.assert_allclose(line.loss[i0], loss_at(start, "cross_entropy", X, y), rtol=1e-5)
    np.testing.assert_allclose(line.loss[i1], loss_at(end, "cross_entropy", X, y), rtol=1e-4)
    np.testing.assert_array_equal(start.get_flat(), a0)
    np.testing.assert_array_equal(end.get_flat(), b0)
    with pytest.raises(ValueError):
        grids.interpolate(start, Network.mlp([2, 4, 2]), "cross_entropy", X, y)


def test_the_package_exposes_the_public_api():
    from nnviz.labs.landscape import loss_grid_2d, random_direction

    assert random_direction is directions.random_direction and loss_grid_2d is grids.loss_grid_2d
