"""PCA planes of training paths: projection, the plane through the centre run, every path on it."""

from __future__ import annotations

import numpy as np
import pytest

from nnviz.labs.landscape import paths
from nnviz.labs.landscape.runs import compare_runs
from nnviz.nn.training import TrainConfig
from tests.labs.landscape.nets import mlp


def test_pca_plane_projection_of_the_final_snapshot_is_the_origin():
    rng = np.random.default_rng(0)
    S = rng.normal(size=(12, 40)).cumsum(axis=0)
    plane = paths.pca_plane(S, S[-1])
    coords, off = paths.project(plane, S)
    np.testing.assert_allclose(coords[-1], [0.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(plane.directions @ plane.directions.T, np.eye(2), atol=1e-10)
    assert 0 < plane.explained[1] <= plane.explained[0] and plane.explained.sum() <= 1 + 1e-12
    assert np.all(coords[0] <= 0)
    # A path that lies in a plane is reproduced exactly, with nothing off the plane.
    basis = np.linalg.qr(rng.normal(size=(40, 2)))[0].T
    flat = rng.normal(size=(10, 2)) @ basis + 5.0
    plane = paths.pca_plane(flat, flat[-1])
    coords, off = paths.project(plane, flat)
    np.testing.assert_allclose(off, 0, atol=1e-9)
    np.testing.assert_allclose(plane.explained.sum(), 1.0)
    np.testing.assert_allclose(np.linalg.norm(coords - coords[-1], axis=1), np.linalg.norm(flat - flat[-1], axis=1))
    with pytest.raises(ValueError):
        paths.pca_plane(S[:1], S[0])
    straight = np.outer(np.arange(5.0), np.ones(40))  # a straight line: the second direction is still valid
    plane = paths.pca_plane(straight, straight[-1])
    np.testing.assert_allclose(plane.directions @ plane.directions.T, np.eye(2), atol=1e-10)


def test_path_landscape_centre_and_paths(moons):
    X, y = moons
    net = mlp()
    before = net.get_flat()
    configs = [TrainConfig(optimizer="sgd", learning_rate=lr, eval_every=0) for lr in (0.3, 1.0, 1e4)]
    runs = compare_runs(net, configs, X, y, steps=40, n_snapshots=8, labels=["a", "b", "wild"])
    assert runs[2].diverged is not None
    pl = paths.path_landscape(net, "cross_entropy", X, y, runs, resolution=9)
    np.testing.assert_array_equal(net.get_flat(), before)
    assert pl.fit == (0, 1) and not pl.paths[2].in_fit
    ref = pl.paths[pl.reference]
    np.testing.assert_allclose(ref.coords[-1], [0, 0], atol=1e-9)
    np.testing.assert_allclose(ref.plane_loss[-1], ref.loss[-1], rtol=1e-4)  # on the plane: exact
    assert pl.loss.shape == (9, 9) and pl.a[0] <= 0 <= pl.a[-1] and pl.b[0] <= 0 <= pl.b[-1]
    for path, run in zip(pl.paths, runs, strict=True):
        assert path.coords.shape == (len(run.steps), 2) and path.off_plane.shape == (len(run.steps),)
    own = paths.path_landscape(net, "cross_entropy", X, y, runs, reference=1, resolution=5, fit=[1])
    assert own.reference == 1 and own.fit == (1,)


def test_which_runs_the_plane_is_fitted_to(moons):
    X, y = moons
    configs = [TrainConfig(optimizer="sgd", learning_rate=lr, eval_every=0) for lr in (0.1, 1.0, 1e4)]
    runs = compare_runs(mlp(), configs, X, y, steps=30, n_snapshots=5, labels=["slow", "fast", "wild"])
    assert runs[2].diverged is not None and runs[1].loss[-1] < runs[0].loss[-1]
    assert paths.default_fit(runs) == [0, 1]
    assert paths.default_fit(runs[2:]) == [0]  # every run diverged: all of them
    assert paths.best_run(runs, [0, 1]) == 1 and paths.best_run(runs, [0, 2]) == 0
    assert paths.centre_fit(runs) == [1]  # the best run that did not diverge
    assert paths.centre_fit(runs, reference=2) == [2]
    default = paths.path_landscape(mlp(), "cross_entropy", X, y, runs, resolution=3)
    assert default.fit == (0, 1) and default.reference == 1
