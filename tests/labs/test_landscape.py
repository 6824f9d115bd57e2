"""Loss landscapes: filter-normalized directions, 1D/2D grids (fast and fallback paths agree, the
weights stay untouched), interpolation, training with snapshots, PCA projection of trajectories."""

from __future__ import annotations

import numpy as np
import pytest

from nnviz.data import datasets
from nnviz.labs import landscape
from nnviz.nn import layers, losses
from nnviz.nn.layers import Activation, BatchNorm, Dense, Dropout
from nnviz.nn.network import Network
from nnviz.nn.training import TrainConfig


@pytest.fixture(scope="module")
def moons():
    ds = datasets.get("moons")(200, 0.5, 0)
    return ds.X.astype(np.float32), ds.y


def _mlp(**kw) -> Network:
    args = {"activation": "tanh", "output": "softmax", "seed": 0} | kw
    return Network.mlp([2, 16, 16, 2], **args)


def _trained(X, y, lr=0.3, steps=60) -> Network:
    net = _mlp()
    landscape.train_with_snapshots(net, TrainConfig(optimizer="sgd", learning_rate=lr, eval_every=0), X, y, steps, 3)
    return net


def _loss_at(net, loss, X, y) -> float:
    return losses.get(loss).value(net.predict(X), y)


# ---- directions ---------------------------------------------------------------------------------
def test_filter_normalized_direction_matches_each_filter_norm_and_zeroes_biases():
    net = _mlp()
    d = landscape.random_direction(net, seed=1, normalization="filter")
    assert list(d) == list(net.params)
    for key, w in net.params.items():
        assert d[key].shape == w.shape and d[key].dtype == w.dtype
        if w.ndim == 1:
            assert not np.any(d[key]), f"{key} should be zero"
        else:  # Dense (in, out): each output neuron's incoming weights are one filter
            np.testing.assert_allclose(landscape.filter_norms(d[key]), landscape.filter_norms(w), rtol=1e-5)
            np.testing.assert_allclose(np.linalg.norm(d[key][:, 1]), np.linalg.norm(w[:, 1]), rtol=1e-5)


def test_batchnorm_parameters_get_zero():
    net = Network.mlp([2, 8, 2], batchnorm=True, output="softmax")
    d = landscape.random_direction(net, 3)
    bn = [k for k in net.params if k.startswith("batchnorm")]
    assert bn and all(not np.any(d[k]) for k in bn)


@pytest.mark.skipif("conv2d" not in layers.LAYERS.names(), reason="Conv2D not in this engine")
def test_conv_filters_are_output_channels():
    conv = layers.get("conv2d")(4, kernel_size=3)
    net = Network([conv, Activation("relu"), layers.get("flatten")(), Dense(3), Activation("softmax")],
                  input_shape=(6, 6, 2), seed=0)
    d = landscape.random_direction(net, 5)
    W = net.params["conv2d0.W"]  # (kh, kw, C_in, filters)
    np.testing.assert_allclose(landscape.filter_norms(d["conv2d0.W"]), landscape.filter_norms(W), rtol=1e-5)
    assert landscape.filter_norms(W).shape == (4,)
    assert not np.any(d["conv2d0.b"])


def test_direction_modes_and_seeds():
    net = _mlp()
    a, b = landscape.random_direction(net, 1), landscape.random_direction(net, 1)
    assert all(np.array_equal(a[k], b[k]) for k in a)
    c = landscape.random_direction(net, 2)
    assert not np.array_equal(a["dense0.W"], c["dense0.W"])
    layer = landscape.random_direction(net, 1, "layer")
    for key, w in net.params.items():
        if w.ndim > 1:
            np.testing.assert_allclose(np.linalg.norm(layer[key]), np.linalg.norm(w), rtol=1e-5)
    raw = landscape.random_direction(net, 1, "none")
    assert np.any(raw["dense0.b"])
    with pytest.raises(ValueError, match="normalization"):
        landscape.random_direction(net, 1, "unit")


def test_flatten_unflatten_round_trip():
    net = _mlp()
    d = landscape.random_direction(net, 1)
    v = landscape.flatten(net, d)
    assert v.shape == (net.n_params,)
    back = landscape.unflatten(net, v)
    assert all(np.array_equal(back[k], d[k]) for k in d)


# ---- grids --------------------------------------------------------------------------------------
def test_grid_centre_is_the_loss_at_the_weights_and_weights_unchanged(moons):
    X, y = moons
    net = _trained(X, y)
    before = net.get_flat()
    d1, d2 = landscape.random_plane(net, 1)
    progress = []
    a, b, Z = landscape.loss_grid_2d(net, "cross_entropy", X, y, d1, d2, span=1.0, resolution=21,
                                     progress=lambda done, total: progress.append((done, total)))
    assert a.shape == b.shape == (21,) and Z.shape == (21, 21)
    assert a[10] == 0 and b[10] == 0
    np.testing.assert_allclose(Z[10, 10], _loss_at(net, "cross_entropy", X, y), rtol=1e-5)
    np.testing.assert_array_equal(net.get_flat(), before)
    assert progress[-1] == (441, 441)
    assert np.all(np.isfinite(Z)) and Z.min() <= Z[10, 10] + 1e-6 + 0.5  # a basin, roughly


def test_grid_axis_convention_against_setting_the_weights(moons):
    X, y = moons
    net = _mlp()
    d1, d2 = landscape.random_plane(net, 4)
    a, b, Z = landscape.loss_grid_2d(net, "cross_entropy", X, y, d1, d2, resolution=5,
                                     bounds=((-1.0, 0.5), (0.0, 2.0)))
    i, j = 3, 1  # Z[i, j] is at (a[j], b[i])
    probe = net.copy()
    for k, p in probe.params.items():
        p[...] = net.params[k] + a[j] * d1[k] + b[i] * d2[k]
    np.testing.assert_allclose(Z[i, j], _loss_at(probe, "cross_entropy", X, y), rtol=1e-5)


NETS = {
    "tanh-softmax": (lambda: _mlp(), "cross_entropy"),
    "relu-sigmoid-bce": (lambda: Network.mlp([2, 8, 8, 1], activation="relu", output="sigmoid", seed=1),
                         "binary_cross_entropy"),
    "batchnorm-dropout": (lambda: Network.mlp([2, 8, 2], batchnorm=True, dropout=0.3, output="softmax", seed=2),
                          "cross_entropy"),
}


@pytest.mark.parametrize("name", list(NETS))
def test_fast_path_equals_the_point_by_point_fallback(moons, monkeypatch, name):
    X, y = moons
    make, loss = NETS[name]
    net = make()
    assert landscape._fast_path(net)
    for layer in net.layers:  # non-trivial running statistics for batch norm
        if isinstance(layer, BatchNorm):
            layer.buffers["running_mean"][...] = 0.3
            layer.buffers["running_var"][...] = 2.0
    d1, d2 = landscape.random_plane(net, 7, normalization="none")  # biases and BN parameters move too
    before = net.get_flat()
    fast = landscape.loss_grid_2d(net, loss, X, y, d1, d2, span=0.7, resolution=7, return_accuracy=True)
    monkeypatch.setattr(landscape, "_fast_path", lambda net: False)
    slow = landscape.loss_grid_2d(net, loss, X, y, d1, d2, span=0.7, resolution=7, return_accuracy=True)
    np.testing.assert_allclose(fast[2], slow[2], rtol=2e-5, atol=1e-6)
    np.testing.assert_allclose(fast[3], slow[3], atol=1 / len(X) + 1e-9)
    np.testing.assert_array_equal(net.get_flat(), before)


def test_regression_grid_and_nan_accuracy():
    ds = datasets.get("sine")(100, 0.5, 0)
    net = Network.mlp([2, 8, 1], activation="tanh", output="linear", seed=0)
    d = landscape.random_direction(net, 1)
    a, values, acc = landscape.loss_grid_1d(net, "mse", ds.X, ds.y, d, span=0.5, resolution=11, return_accuracy=True)
    np.testing.assert_allclose(values[5], _loss_at(net, "mse", ds.X, ds.y), rtol=1e-5)
    assert np.all(np.isnan(acc))


def test_fallback_restores_weights_even_when_the_loss_fails(moons, monkeypatch):
    X, y = moons
    net = _mlp()
    before = net.get_flat()
    d1, d2 = landscape.random_plane(net, 1)
    monkeypatch.setattr(landscape, "_fast_path", lambda net: False)
    with pytest.raises(ValueError):
        landscape.loss_grid_2d(net, "cross_entropy", X, np.full(len(X), 7), d1, d2, resolution=3)
    np.testing.assert_array_equal(net.get_flat(), before)


def test_grid_rejects_bad_input(moons):
    X, y = moons
    net = _mlp()
    d1, d2 = landscape.random_plane(net, 1)
    with pytest.raises(ValueError, match="resolution"):
        landscape.loss_grid_2d(net, "cross_entropy", X, y, d1, d2, resolution=1)
    with pytest.raises(ValueError, match="span"):
        landscape.loss_grid_2d(net, "cross_entropy", X, y, d1, d2, span=0)
    with pytest.raises(ValueError, match="bounds"):
        landscape.loss_grid_2d(net, "cross_entropy", X, y, d1, d2, bounds=((1, 0), (0, 1)))
    bad = dict(d1)
    del bad["dense0.W"]
    with pytest.raises(ValueError, match="missing"):
        landscape.loss_grid_2d(net, "cross_entropy", X, y, bad, d2)
    nan = {k: v.copy() for k, v in d1.items()}
    nan["dense1.W"][0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        landscape.loss_grid_2d(net, "cross_entropy", X, y, nan, d2)
    with pytest.raises(ValueError, match="rows"):
        landscape.loss_grid_2d(net, "cross_entropy", X, y[:-1], d1, d2)


def test_huge_span_gives_a_result_not_an_exception(moons):
    X, y = moons
    net = Network.mlp([2, 8, 1], activation="relu", output="linear", seed=0)
    d1, d2 = landscape.random_plane(net, 1, "none")
    _, _, Z = landscape.loss_grid_2d(net, "mse", X, y.astype(float), d1, d2, span=1e30, resolution=3)
    assert Z.shape == (3, 3)  # overflow shows as inf/NaN values, to be drawn as "off the scale"


def test_interpolate_ends_are_the_two_networks(moons):
    X, y = moons
    start = _mlp()
    end = _trained(X, y)
    a0, b0 = start.get_flat(), end.get_flat()
    line = landscape.interpolate(start, end, "cross_entropy", X, y, resolution=13, margin=0.25)
    assert line.alphas[0] == -0.25 and line.alphas[-1] == 1.25
    i0, i1 = np.argmin(np.abs(line.alphas)), np.argmin(np.abs(line.alphas - 1))
    np.testing.assert_allclose(line.loss[i0], _loss_at(start, "cross_entropy", X, y), rtol=1e-5)
    np.testing.assert_allclose(line.loss[i1], _loss_at(end, "cross_entropy", X, y), rtol=1e-4)
    np.testing.assert_array_equal(start.get_flat(), a0)
    np.testing.assert_array_equal(end.get_flat(), b0)
    with pytest.raises(ValueError):
        landscape.interpolate(start, Network.mlp([2, 4, 2]), "cross_entropy", X, y)


# ---- training with snapshots and PCA ------------------------------------------------------------
def test_snapshot_steps():
    np.testing.assert_array_equal(landscape.snapshot_steps(10, 5), [0, 2, 4, 6, 8, 10])
    np.testing.assert_array_equal(landscape.snapshot_steps(3, 30), [0, 1, 2, 3])
    with pytest.raises(ValueError):
        landscape.snapshot_steps(0, 3)


def test_compare_runs_share_the_start_and_leave_the_net_alone(moons):
    X, y = moons
    net = _mlp()
    before = net.get_flat()
    configs = [TrainConfig(optimizer="sgd", learning_rate=lr, eval_every=0) for lr in (0.1, 1.0)]
    runs = landscape.compare_runs(net, configs, X, y, steps=40, n_snapshots=8, labels=["slow", "fast"])
    np.testing.assert_array_equal(net.get_flat(), before)
    for run in runs:
        np.testing.assert_array_equal(run.initial, before)
        assert run.steps[0] == 0 and run.steps[-1] == 40 and len(run.steps) == 9
        assert run.snapshots.shape == (9, net.n_params) and len(run.batch_loss) == 40
        assert run.diverged is None
    assert runs[1].loss[-1] < runs[0].loss[0]


def test_a_huge_learning_rate_is_a_diverged_run_not_a_crash(moons):
    X, y = moons
    net = _mlp()
    run = landscape.train_with_snapshots(net, TrainConfig(optimizer="sgd", learning_rate=1e4, eval_every=0),
                                         X, y, 60, 12)
    assert run.diverged is not None and run.diverged_reason
    assert run.steps[-1] == run.diverged and len(run.batch_loss) == run.diverged
    assert np.all(np.isfinite(run.snapshots))
    # A regression net with a huge rate overflows to inf: the trainer's divergence.
    ds = datasets.get("sine")(100, 0.5, 0)
    reg = Network.mlp([2, 8, 1], activation="relu", output="linear", seed=0)
    run = landscape.train_with_snapshots(reg, TrainConfig(loss="mse", optimizer="sgd", learning_rate=1e12,
                                                          eval_every=0), ds.X, ds.y, 50, 10)
    assert run.diverged is not None and np.all(np.isfinite(run.snapshots))


def test_pca_plane_projection_of_the_final_snapshot_is_the_origin():
    rng = np.random.default_rng(0)
    S = rng.normal(size=(12, 40)).cumsum(axis=0)
    plane = landscape.pca_plane(S, S[-1])
    coords, off = landscape.project(plane, S)
    np.testing.assert_allclose(coords[-1], [0.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(plane.directions @ plane.directions.T, np.eye(2), atol=1e-10)
    assert 0 < plane.explained[1] <= plane.explained[0] and plane.explained.sum() <= 1 + 1e-12
    assert np.all(coords[0] <= 0)
    # A path that lies in a plane is reproduced exactly, with nothing off the plane.
    basis = np.linalg.qr(rng.normal(size=(40, 2)))[0].T
    flat = rng.normal(size=(10, 2)) @ basis + 5.0
    plane = landscape.pca_plane(flat, flat[-1])
    coords, off = landscape.project(plane, flat)
    np.testing.assert_allclose(off, 0, atol=1e-9)
    np.testing.assert_allclose(plane.explained.sum(), 1.0)
    np.testing.assert_allclose(np.linalg.norm(coords - coords[-1], axis=1), np.linalg.norm(flat - flat[-1], axis=1))
    with pytest.raises(ValueError):
        landscape.pca_plane(S[:1], S[0])
    straight = np.outer(np.arange(5.0), np.ones(40))  # a straight line: the second direction is still valid
    plane = landscape.pca_plane(straight, straight[-1])
    np.testing.assert_allclose(plane.directions @ plane.directions.T, np.eye(2), atol=1e-10)


def test_path_landscape_centre_and_paths(moons):
    X, y = moons
    net = _mlp()
    before = net.get_flat()
    configs = [TrainConfig(optimizer="sgd", learning_rate=lr, eval_every=0) for lr in (0.3, 1.0, 1e4)]
    runs = landscape.compare_runs(net, configs, X, y, steps=40, n_snapshots=8, labels=["a", "b", "wild"])
    assert runs[2].diverged is not None
    pl = landscape.path_landscape(net, "cross_entropy", X, y, runs, resolution=9)
    np.testing.assert_array_equal(net.get_flat(), before)
    assert pl.fit == (0, 1) and not pl.paths[2].in_fit
    ref = pl.paths[pl.reference]
    np.testing.assert_allclose(ref.coords[-1], [0, 0], atol=1e-9)
    np.testing.assert_allclose(ref.plane_loss[-1], ref.loss[-1], rtol=1e-4)  # on the plane: exact
    assert pl.loss.shape == (9, 9) and pl.a[0] <= 0 <= pl.a[-1] and pl.b[0] <= 0 <= pl.b[-1]
    for path, run in zip(pl.paths, runs, strict=True):
        assert path.coords.shape == (len(run.steps), 2) and path.off_plane.shape == (len(run.steps),)
    own = landscape.path_landscape(net, "cross_entropy", X, y, runs, reference=1, resolution=5, fit=[1])
    assert own.reference == 1 and own.fit == (1,)


def test_random_slices_and_interpolations_per_run(moons):
    X, y = moons
    net = _mlp()
    configs = [TrainConfig(optimizer="sgd", learning_rate=lr, eval_every=0) for lr in (0.3, 1.0)]
    runs = landscape.compare_runs(net, configs, X, y, steps=20, n_snapshots=4)
    grids = landscape.random_slices(net, "cross_entropy", X, y, runs, resolution=5)
    assert len(grids) == 2 and grids[0].loss.shape == (5, 5)
    for grid, run in zip(grids, runs, strict=True):
        twin = net.copy()
        twin.set_flat(run.final)
        np.testing.assert_allclose(grid.loss[2, 2], run.loss[-1], rtol=1e-4)
    lines = landscape.interpolations(net, "cross_entropy", X, y, runs, resolution=9)
    assert [len(line.alphas) for line in lines] == [9, 9]


def test_fast_path_covers_the_layers_it_claims():
    net = Network([Dense(4), Activation("relu"), Dropout(0.2), BatchNorm(), Dense(2), Activation("softmax")],
                  input_shape=(3,))
    assert landscape._fast_path(net)
    if "flatten" in layers.LAYERS.names():
        other = Network([layers.get("flatten")(), Dense(2)], input_shape=(2, 2))
        assert not landscape._fast_path(other)
