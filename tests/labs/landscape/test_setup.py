"""The landscape page's experiment without streamlit: the setup's checks and labels, hidden sizes,
the tasks (toy sets and MNIST digits) with the loss and output their classes pick, the network and
one training config per run."""

from __future__ import annotations

import numpy as np
import pytest

from nnviz.data import mnist_files, toy_sets
from nnviz.labs.landscape import setup
from nnviz.labs.landscape.setup import DIGITS, Setup
from nnviz.nn import activations, losses, optimizers


def test_default_setup_compares_four_learning_rates_of_one_optimizer():
    s = Setup()
    assert len(s.runs) == setup.MAX_RUNS
    assert s.labels == ["η = 0.1", "η = 0.3", "η = 1", "η = 30"]


def test_labels_name_what_differs():
    same_rate = Setup(runs=(("sgd", 0.1), ("adam", 0.1)))
    assert same_rate.labels == [optimizers.get("sgd").label, optimizers.get("adam").label]
    both = Setup(runs=(("sgd", 0.1), ("adam", 0.3)))
    assert both.labels == [f"{optimizers.get('sgd').label} η = 0.1", f"{optimizers.get('adam').label} η = 0.3"]


@pytest.mark.parametrize(("change", "message"), [
    ({"runs": ()}, "between 1 and 4 runs"),
    ({"runs": (("sgd", 0.1),) * 2}, "same optimizer and learning rate"),
    ({"runs": (("not-an-optimizer", 0.1),)}, "not-an-optimizer"),
    ({"runs": (("sgd", -1.0),)}, "learning rate"),
    ({"activation": "not-an-activation"}, "not-an-activation"),
    ({"task": "not-a-task"}, "unknown task"),
    ({"hidden": ()}, "hidden layers"),
    ({"hidden": (2000,)}, "hidden layers"),
    ({"hidden": (4,) * 7}, "hidden layers"),
    ({"steps": 0}, "positive"),
    ({"batch_size": 0}, "positive"),
])
def test_setup_rejects_bad_values(change, message):
    with pytest.raises(ValueError, match=message):
        Setup(**change)


def test_parse_hidden():
    assert setup.parse_hidden("16, 16") == (16, 16)
    assert setup.parse_hidden("8;4 2") == (8, 4, 2)
    for text, message in [("", "at least one"), ("16, lots", "whole numbers"), ("0", "1 to 1024"),
                          ("1,1,1,1,1,1,1", "at most 6")]:
        with pytest.raises(ValueError, match=message):
            setup.parse_hidden(text)


def test_hidden_defaults_per_kind_of_task():
    assert setup.task_kind(DIGITS) == DIGITS and setup.task_kind("moons") == "toy"
    assert setup.HIDDEN_DEFAULT[setup.task_kind("moons")] == "16, 16"
    assert setup.parse_hidden(setup.HIDDEN_DEFAULT[DIGITS]) == (64,)


def test_hidden_activations_are_the_elementwise_ones():
    offered = setup.hidden_activations()
    assert "tanh" in offered and Setup().activation in offered
    for name in activations.names():
        assert (name in offered) == activations.ACTIVATIONS.get(name).elementwise


def test_the_classes_pick_each_kind_of_tasks_loss_and_output():
    for kind in toy_sets.TASKS:
        loss = setup.loss_for(kind)
        assert losses.LOSSES.get(loss).default_for == kind
        output = setup.output_for(loss, kind)
        fused = losses.LOSSES.get(loss).fused_activation
        assert (output == fused) if fused else (kind in activations.ACTIVATIONS.get(output).default_output_for)
    # What the page trained before the classes were asked: softmax + cross-entropy, linear + MSE.
    assert setup.loss_for("classification") == "cross_entropy"
    assert setup.output_for("cross_entropy", "classification") == "softmax"
    assert setup.loss_for("regression") == "mse"
    assert setup.output_for("mse", "regression") == "linear"
    with pytest.raises(ValueError, match="not-a-kind"):
        setup.loss_for("not-a-kind")


def test_toy_tasks():
    moons = setup.load_task("moons", 120, 1.0, 1000, 0)
    assert moons.X.shape == (120, 2) and moons.X.dtype == np.float32 and moons.y.shape == (120,)
    assert (moons.n_in, moons.n_out, moons.loss, moons.output, moons.kind) == (
        2, 2, "cross_entropy", "softmax", "classification")
    assert "120 points of 'moons', 2 classes" == moons.description
    sine = setup.load_task("sine", 100, 0.5, 1000, 0)
    assert (sine.n_out, sine.loss, sine.output, sine.kind) == (1, "mse", "linear", "regression")
    assert sine.y.dtype == np.float32
    again = setup.load_task("moons", 120, 1.0, 1000, 0)
    np.testing.assert_array_equal(again.X, moons.X)


def test_digits_task(mnist_folder):
    mnist = mnist_files.load_mnist(mnist_folder)
    task = setup.load_task(DIGITS, 300, 1.0, 250, 0, mnist)
    assert task.X.shape == (250, 784) and task.X.dtype == np.float32
    assert (task.n_in, task.n_out, task.loss, task.output) == (784, 10, "cross_entropy", "softmax")
    np.testing.assert_array_equal(task.y, mnist.y_train[:250])


def test_network_and_configs_follow_the_setup():
    s = Setup(hidden=(8, 4), activation="relu", runs=(("sgd", 0.1), ("adam", 0.01)), batch_size=16, seed=3)
    task = setup.load_task("moons", 100, 1.0, 1000, s.seed)
    net = setup.build_network(s, task)
    assert net.predict(task.X).shape == (100, 2)
    assert [p.shape for k, p in net.params.items() if k.endswith(".W")] == [(2, 8), (8, 4), (4, 2)]
    again = setup.build_network(s, task)
    np.testing.assert_array_equal(again.get_flat(), net.get_flat())  # every run starts here
    configs = setup.train_configs(s, task)
    assert [(c.optimizer, c.learning_rate) for c in configs] == list(s.runs)
    assert all(c.loss == task.loss and c.batch_size == 16 and c.seed == 3 for c in configs)
