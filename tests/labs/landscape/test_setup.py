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
    assert setup.task_shape(DIGITS) == (task.n_in, task.n_out)  # known before the data is loaded


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


# ---- the network's size --------------------------------------------------------------------------


def _digits_task(n: int = 8) -> setup.Task:
    """A digits-shaped task without MNIST: n random 784-pixel rows, 10 classes."""
    rng = np.random.default_rng(0)
    return setup._task(rng.random((n, setup.DIGIT_INPUTS), dtype=np.float32), rng.integers(0, 10, n),
                       "classification", setup.DIGIT_CLASSES, "random digits")


@pytest.mark.parametrize("name", toy_sets.names())
def test_a_toy_tasks_shape_is_known_before_its_data(name):
    task = setup.load_task(name, 50, 1.0, 1000, 0)
    assert setup.task_shape(name) == (task.n_in, task.n_out)


@pytest.mark.parametrize(("name", "hidden"), [("moons", (16, 16)), ("sine", (8,)), ("spiral", (199,) * 6),
                                              (DIGITS, (64,)), (DIGITS, (251,)), (DIGITS, (135,) * 6)])
def test_the_count_is_the_built_networks(name, hidden):
    task = _digits_task() if name == DIGITS else setup.load_task(name, 50, 1.0, 1000, 0)
    net = setup.build_network(Setup(task=name, hidden=hidden), task)
    assert setup.parameter_count(task.n_in, hidden, task.n_out) == net.n_params <= setup.MAX_PARAMETERS


def test_the_largest_network_the_sizes_allow_is_refused_naming_its_size_and_what_fits():
    with pytest.raises(ValueError) as err:
        Setup(task=DIGITS, hidden=(1024,) * 6)
    message = str(err.value)
    assert "6,062,090 parameters" in message and f"{setup.MAX_PARAMETERS:,}" in message
    assert message.startswith("784 → 6 × 1024 → 10 has") and "(3,007 MB)" in message
    assert "6 of at most 135 units each fit, or one of at most 251" in message
    assert "784 → 300 → 10 has 238,510" in setup.size_problem(DIGITS, (300,))
    assert "one of at most 251 units fits" in setup.size_problem(DIGITS, (300,))
    assert "6 of at most 199 units each" in setup.size_problem("moons", (1024,) * 6)


@pytest.mark.parametrize(("name", "layers"), [(DIGITS, 1), (DIGITS, 6), ("moons", 6), ("sine", 3)])
def test_the_limit_itself_is_allowed_and_one_unit_more_is_not(name, layers):
    n_in, n_out = setup.task_shape(name)
    width = setup.widest(n_in, layers, n_out)
    assert setup.size_problem(name, (width,) * layers) is None
    Setup(task=name, hidden=(width,) * layers)  # no error
    if width < setup.MAX_UNITS:
        assert setup.parameter_count(n_in, (width + 1,) * layers, n_out) > setup.MAX_PARAMETERS
        assert setup.size_problem(name, (width + 1,) * layers) is not None


def test_build_network_refuses_an_oversized_network_naming_its_size():
    """A setup within the limit on its own task, asked to build on a task with more inputs."""
    s = Setup(task="moons", hidden=(199,) * 6)
    with pytest.raises(ValueError, match="784 → 6 × 199 → 10 would have 357,215 parameters"):
        setup.build_network(s, _digits_task())


def test_a_setups_runs_at_the_limit_take_at_most_about_100_mb():
    """The bytes per parameter the limit is worked out from are what the runs really keep: float32
    snapshots at the start and N_SNAPSHOTS points, for each of MAX_RUNS runs."""
    from nnviz.labs.landscape.runs import compare_runs

    s = Setup(runs=(("sgd", 0.1), ("sgd", 0.3), ("sgd", 1.0), ("adam", 0.01)), steps=40)
    task = setup.load_task(s.task, 60, s.noise, s.n_digits, s.seed)
    net = setup.build_network(s, task)
    runs = compare_runs(net, setup.train_configs(s, task), task.X, task.y, 40, setup.N_SNAPSHOTS)
    kept = sum(r.snapshots.nbytes for r in runs)
    assert len(runs) == setup.MAX_RUNS and kept == setup.SNAPSHOT_BYTES_PER_PARAMETER * net.n_params
    assert setup.MAX_PARAMETERS * setup.SNAPSHOT_BYTES_PER_PARAMETER <= 100e6


def test_the_layer_label_writes_a_run_of_equal_layers_once():
    assert setup.layer_label(2, (16, 16), 2) == "2 → 2 × 16 → 2"
    assert setup.layer_label(784, (256, 128, 128, 64), 10) == "784 → 256 → 2 × 128 → 64 → 10"
    assert setup.layer_label(2, (8,), 1) == "2 → 8 → 1"
