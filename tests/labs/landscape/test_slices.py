"""Per-run views: a random slice around each run's final weights, each run's init-to-final line."""

from __future__ import annotations

import numpy as np

from nnviz.labs.landscape import slices
from nnviz.labs.landscape.runs import compare_runs
from nnviz.nn.training import TrainConfig
from tests.labs.landscape.nets import mlp


def test_random_slices_and_interpolations_per_run(moons):
    X, y = moons
    net = mlp()
    configs = [TrainConfig(optimizer="sgd", learning_rate=lr, eval_every=0) for lr in (0.3, 1.0)]
    runs = compare_runs(net, configs, X, y, steps=20, n_snapshots=4)
    grids = slices.random_slices(net, "cross_entropy", X, y, runs, resolution=5)
    assert len(grids) == 2 and grids[0].loss.shape == (5, 5)
    for grid, run in zip(grids, runs, strict=True):
        twin = net.copy()
        twin.set_flat(run.final)
        np.testing.assert_allclose(grid.loss[2, 2], run.loss[-1], rtol=1e-4)
    lines = slices.interpolations(net, "cross_entropy", X, y, runs, resolution=9)
    assert [len(line.alphas) for line in lines] == [9, 9]
