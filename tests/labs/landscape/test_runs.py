"""Training with snapshots: snapshot steps, runs from one start, divergence as a result."""

from __future__ import annotations

import numpy as np
import pytest

from nnviz.data import toy_sets
from nnviz.labs.landscape.runs import compare_runs, snapshot_steps, train_with_snapshots
from nnviz.nn.network import Network
from nnviz.nn.training import TrainConfig
from tests.labs.landscape.nets import mlp


def test_snapshot_steps():
    np.testing.assert_array_equal(snapshot_steps(10, 5), [0, 2, 4, 6, 8, 10])
    np.testing.assert_array_equal(snapshot_steps(3, 30), [0, 1, 2, 3])
    with pytest.raises(ValueError):
        snapshot_steps(0, 3)


def test_compare_runs_share_the_start_and_leave_the_net_alone(moons):
    X, y = moons
    net = mlp()
    before = net.get_flat()
    configs = [TrainConfig(optimizer="sgd", learning_rate=lr, eval_every=0) for lr in (0.1, 1.0)]
    runs = compare_runs(net, configs, X, y, steps=40, n_snapshots=8, labels=["slow", "fast"])
    np.testing.assert_array_equal(net.get_flat(), before)
    for run in runs:
        np.testing.assert_array_equal(run.initial, before)
        assert run.steps[0] == 0 and run.steps[-1] == 40 and len(run.steps) == 9
        assert run.snapshots.shape == (9, net.n_params) and len(run.batch_loss) == 40
        assert run.diverged is None
    assert runs[1].loss[-1] < runs[0].loss[0]


def test_a_huge_learning_rate_is_a_diverged_run_not_a_crash(moons):
    X, y = moons
    net = mlp()
    run = train_with_snapshots(net, TrainConfig(optimizer="sgd", learning_rate=1e4, eval_every=0),
                                         X, y, 60, 12)
    assert run.diverged is not None and run.diverged_reason
    assert run.steps[-1] == run.diverged and len(run.batch_loss) == run.diverged
    assert np.all(np.isfinite(run.snapshots))
    # A regression net with a huge rate overflows to inf: the trainer's divergence.
    ds = toy_sets.get("sine")(100, 0.5, 0)
    reg = Network.mlp([2, 8, 1], activation="relu", output="linear", seed=0)
    run = train_with_snapshots(reg, TrainConfig(loss="mse", optimizer="sgd", learning_rate=1e12,
                                                          eval_every=0), ds.X, ds.y, 50, 10)
    assert run.diverged is not None and np.all(np.isfinite(run.snapshots))
