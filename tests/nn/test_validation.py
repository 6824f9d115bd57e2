"""The engine's public API refuses what it cannot use with a ValueError naming the value (no
OverflowError, format-code error, silent truncation or warning that escapes)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from nnviz.nn import losses, optimizers
from nnviz.nn.network import Network
from nnviz.nn.training import TrainConfig, Trainer

X = np.random.default_rng(0).normal(size=(20, 2))
Y = (X[:, 0] > 0).astype(int)


def trainer(**config) -> Trainer:
    return Trainer(Network.mlp([2, 3, 2], output="softmax"), TrainConfig(**config), X, Y)


@pytest.mark.parametrize("kwargs, match", [
    ({"steps": float("inf")}, "steps must be a finite number"),
    ({"steps": -1}, "steps must be"),
    ({"epochs": float("inf")}, "epochs must be a finite number"),
    ({"epochs": float("nan")}, "epochs"),
])
def test_run_lengths(kwargs, match):
    with pytest.raises(ValueError, match=match):
        trainer().run(**kwargs)


@pytest.mark.parametrize("config, match", [
    ({"learning_rate": "-1"}, "learning rate must be a number, got '-1'"),
    ({"optimizer": "adam", "optimizer_params": {"beta_1": "x"}}, "adam beta_1 must be a number, got 'x'"),
    ({"optimizer": "adam", "optimizer_params": {"eps": 0.0}}, "eps must be in"),
    ({"l2": "a"}, "L2 strength must be a number, got 'a'"),
    ({"l1": float("inf")}, "L1 strength"),
])
def test_config_values(config, match):
    with pytest.raises(ValueError, match=match):
        TrainConfig(**config)


def test_predict_batch_size():
    with pytest.raises(ValueError, match="batch size must be >= 1, got 0"):
        Network.mlp([2, 3, 1]).predict(X, batch_size=0)


@pytest.mark.parametrize("sizes", [[True, True], [2, True, 1], [2.0, 3]])
def test_mlp_sizes_are_integers(sizes):
    with pytest.raises(ValueError, match="sizes must be"):
        Network.mlp(sizes)


@pytest.mark.parametrize("dropout", [float("nan"), -0.1, 1.5, None])
def test_mlp_dropout_is_a_rate(dropout):
    with pytest.raises(ValueError, match="dropout"):
        Network.mlp([2, 3, 1], dropout=dropout)


@pytest.mark.parametrize("X_bad, y_bad, match", [
    (X, Y.astype(bool), "y must hold real numbers, got dtype bool"),
    (X.astype(complex) + 1j, Y, "X must hold real numbers, got dtype complex128"),
    (X * 1e300, Y, "beyond float32's range"),
])
def test_training_data_kinds(X_bad, y_bad, match):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing escapes as a warning either
        with pytest.raises(ValueError, match=match):
            Trainer(Network.mlp([2, 3, 2], output="softmax"), TrainConfig(), X_bad, y_bad)


@pytest.mark.parametrize("name", [n for n in losses.names() if losses.LOSSES.get(n).target_range is not None])
def test_targets_outside_a_loss_range_are_refused(name):
    loss = losses.get(name)
    low, high = loss.target_range
    out = np.full((3, 2), 0.5)
    for bad in (low - 1, high + 1):
        y = np.full((3, 2), (low + high) / 2)
        y[1, 0] = bad
        for method in (loss.value, loss.grad):
            with pytest.raises(ValueError, match="needs targets in"):
                method(out, y)


def test_binary_cross_entropy_trainer_refuses_minus_one_labels():
    net = Network.mlp([2, 3, 1], output="sigmoid")
    with pytest.raises(ValueError, match="needs targets in \\[0, 1\\]"):
        Trainer(net, TrainConfig(loss="binary_cross_entropy"), X, np.where(Y == 1, 1, -1))


def test_optimizer_settings_that_are_not_numbers():
    with pytest.raises(ValueError, match="momentum beta must be a number, got None"):
        optimizers.get("momentum")(learning_rate=0.1, beta=None)
