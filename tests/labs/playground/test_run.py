"""Building and training playground runs; live changes versus resets; divergence."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nnviz.data import toy_sets
from nnviz.labs.playground.experiment import Experiment, activation_note, losses_for, outputs_for, task_of
from nnviz.labs.playground.run import build, metrics, update
from nnviz.labs.playground.views import decision_surface
from nnviz.nn import activations, initializers, optimizers
from nnviz.nn.layers import Dropout

DEFAULT = Experiment()
SMALL = Experiment(n_points=120)


def _combos():
    for name in toy_sets.names():
        task, n_classes = task_of(name)
        for loss in losses_for(task, n_classes):
            for output in outputs_for(task, loss):
                yield name, loss, output


@pytest.mark.parametrize(("dataset", "loss", "output"), list(_combos()))
def test_every_offered_dataset_loss_output_combination_trains(dataset, loss, output):
    exp = Experiment(dataset=dataset, loss=loss, output=output, n_points=80)
    run = build(exp)
    assert run.net.output_shape == (exp.n_outputs,)
    assert run.train(5) == 5 and run.diverged is None
    m = metrics(run)
    assert math.isfinite(m["train_loss"])
    assert math.isnan(m["train_accuracy"]) == (exp.task == "regression")


@pytest.mark.parametrize("activation", activations.names())
def test_every_hidden_activation_builds_trains_and_has_a_note(activation):
    run = build(SMALL.replace(activation=activation))
    run.train(5)
    assert run.step == 5 and activation_note(activation)
    assert np.isfinite(decision_surface(run, 20)).all()


def test_step_activation_freezes_the_hidden_layers():
    run = build(SMALL.replace(activation="step"))
    first = run.net.params["dense0.W"].copy()
    run.train(20)
    np.testing.assert_array_equal(run.net.params["dense0.W"], first)
    assert not np.array_equal(run.net.params["dense2.W"], run.initial["dense2.W"])


@pytest.mark.parametrize("init", initializers.names())
def test_every_initializer_builds(init):
    run = build(SMALL.replace(init=init))
    assert run.net.layers[0].init == init


@pytest.mark.parametrize("name", optimizers.names())
def test_every_optimizer_builds_with_its_settings(name):
    exp = SMALL.with_optimizer(name)
    assert set(exp.opt_params) == set(optimizers.get(name).hyperparams)
    run = build(exp)
    run.train(3)
    assert type(run.trainer.optimizer).__name__.lower() == type(optimizers.get(name)()).__name__.lower()


def test_builds_are_deterministic():
    a, b = build(DEFAULT), build(DEFAULT)
    for key in a.net.params:
        np.testing.assert_array_equal(a.net.params[key], b.net.params[key])
    a.train(30)
    b.train(30)
    np.testing.assert_array_equal(a.net.get_flat(), b.net.get_flat())
    np.testing.assert_array_equal(a.data.X_train, b.data.X_train)


def test_default_experiment_learns_circles_within_a_few_hundred_steps():
    run = build(DEFAULT)
    before = metrics(run)
    run.train(200)
    after = metrics(run)
    assert after["train_loss"] < 0.5 * before["train_loss"]
    assert after["test_accuracy"] > 0.9


def test_data_split_and_features():
    run = build(DEFAULT.replace(features=("x1", "x2", "x1*x2"), test_ratio=0.2))
    d = run.data
    assert len(d.X_train) + len(d.X_test) == 500 and len(d.X_test) == 100
    np.testing.assert_allclose(d.F_train[:, 2], d.X_train[:, 0] * d.X_train[:, 1], rtol=1e-6)
    assert run.net.input_shape == (3,)
    no_test = build(SMALL.replace(test_ratio=0.0))
    assert len(no_test.data.X_test) == 0 and math.isnan(metrics(no_test)["test_loss"])
    no_test.train(10)


@pytest.mark.parametrize(("changes", "field"), [
    ({"learning_rate": 0.1}, "learning rate"),
    ({"batch_size": 25}, "batch size"),
    ({"l2": 0.01}, "L2"),
    ({"l1": 0.001}, "L1"),
    ({"dropout": 0.2}, "dropout"),
    ({"optimizer": "sgd", "optimizer_params": ()}, "optimizer"),
    ({"optimizer_params": {"beta_1": 0.8}}, "optimizer settings"),
])
def test_live_changes_keep_the_model_and_the_step_count(changes, field):
    run = build(SMALL)
    run.train(12)
    weights = run.net.get_flat()
    new = SMALL.replace(**changes)
    same, change = update(run, new)
    assert same is run and change.kind == "live" and field in change.message
    assert run.step == 12 and run.experiment == new
    np.testing.assert_array_equal(run.net.get_flat(), weights)
    assert run.trainer.config.learning_rate == new.learning_rate
    assert run.trainer.config.batch_size == new.batch_size and run.trainer.config.l2 == new.l2
    assert all(layer.rate == new.dropout for layer in run.net.layers if isinstance(layer, Dropout))
    run.train(3)
    assert run.step == 15


@pytest.mark.parametrize(("changes", "what"), [
    ({"hidden": (4, 4, 4)}, "architecture"),
    ({"activation": "relu"}, "architecture"),
    ({"features": ("x1", "x2", "x1^2")}, "architecture"),
    ({"init": "he_normal"}, "architecture"),
    ({"batch_norm": (2,)}, "architecture"),
    ({"loss": "binary_cross_entropy", "output": "sigmoid"}, "architecture"),
    ({"seed": 3}, "data"),
    ({"noise": 0.5}, "data"),
    ({"dataset": "xor"}, "data"),
    ({"n_points": 200}, "data"),
    ({"test_ratio": 0.3}, "data"),
])
def test_architecture_or_data_changes_reset_and_say_so(changes, what):
    run = build(SMALL)
    run.train(10)
    new_run, change = update(run, SMALL.replace(**changes))
    assert change.kind == "reset" and new_run is not run and new_run.step == 0
    assert what in change.message and "reset" in change.message
    assert (new_run.data is run.data) == (what == "architecture" and "features" not in changes)


def test_batch_norm_sits_before_the_activation_and_test_time_uses_running_averages():
    exp = SMALL.replace(hidden=(4, 4, 4), batch_norm=(1, 3))
    run = build(exp)
    kinds = [layer.kind for layer in run.net.layers]
    assert kinds == ["dense", "batchnorm", "activation", "dropout", "dense", "activation", "dropout",
                     "dense", "batchnorm", "activation", "dropout", "dense", "activation"]
    bn = run.net.layers[1]
    assert np.array_equal(bn.buffers["running_mean"], np.zeros(4))
    run.train(50)
    assert not np.allclose(bn.buffers["running_mean"], 0.0)  # the batches' means were averaged in
    # Test-time outputs use the running averages: the same for one point alone as inside a batch,
    # which batch statistics would not give.
    X = run.data.F_test
    one = run.net.forward(X[:1], training=False)
    np.testing.assert_allclose(one, run.net.forward(X, training=False)[:1], rtol=1e-5, atol=1e-6)
    loss, _ = run.trainer.evaluate(X, run.data.y_test)
    assert loss == pytest.approx(metrics(run)["test_loss"])
    assert not np.allclose(run.net.forward(X[:2], training=True)[:1], one, atol=1e-3)  # (moves the averages)


def test_no_change_is_none():
    run = build(SMALL)
    assert update(run, SMALL)[1].kind == "none"


def test_a_huge_learning_rate_diverges_as_a_result_with_finite_weights():
    exp = Experiment(dataset="plane", loss="mse", output="linear", optimizer="sgd", learning_rate=30.0)
    run = build(exp)
    done = run.train(200)
    assert run.diverged is not None and done < 200 and run.step == run.diverged - 1
    assert all(np.isfinite(p).all() for p in run.net.params.values())
    assert np.isfinite(decision_surface(run, 20)).all()
    assert run.train(10) == 0  # stays diverged


def test_each_hidden_layer_gets_its_own_activation():
    run = build(SMALL.replace(hidden=(4, 3, 2), activations=("relu", "sigmoid", "tanh"), batch_norm=(2,)))
    functions = [layer.function for layer in run.net.layers if layer.kind == "activation"]
    assert functions == ["relu", "sigmoid", "tanh", "softmax"]
    run.train(5)
    assert run.step == 5 and np.isfinite(decision_surface(run, 10)).all()


def test_a_new_activation_for_one_layer_resets_and_says_so():
    run = build(SMALL)
    new = SMALL.replace(activations=("relu", "tanh"))
    rebuilt, change = update(run, new)
    assert change.kind == "reset" and "activation per layer" in change.message and rebuilt is not run
