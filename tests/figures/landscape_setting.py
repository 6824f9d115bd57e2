"""The loss-landscape figure tests' one training setting: the moons set (150 points), a 2-8-8-2 tanh
network and three SGD runs from its weights (η = 0.3, 1 and 10⁴; the last diverges)."""

from __future__ import annotations

import numpy as np

from nnviz.data import toy_sets
from nnviz.labs.landscape.runs import TrainingRun, compare_runs
from nnviz.nn.network import Network
from nnviz.nn.training import TrainConfig


def moons_runs() -> tuple[Network, np.ndarray, np.ndarray, list[TrainingRun]]:
    """(network, X (150, 2) float32, y (150,), runs "slow", "fast", "wild") after 30 steps, 6 snapshots."""
    ds = toy_sets.get("moons")(150, 0.5, 0)
    X = ds.X.astype(np.float32)
    net = Network.mlp([2, 8, 8, 2], activation="tanh", output="softmax", seed=0)
    configs = [TrainConfig(optimizer="sgd", learning_rate=lr, eval_every=0) for lr in (0.3, 1.0, 1e4)]
    runs = compare_runs(net, configs, X, ds.y, steps=30, n_snapshots=6, labels=["slow", "fast", "wild"])
    return net, X, ds.y, runs
