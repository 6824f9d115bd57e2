"""The playground's experiment: defaults, validation, and which loss and output fit which task."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import pytest

from nnviz.data import toy_sets
from nnviz.labs.playground.experiment import (
    Experiment,
    default_loss,
    losses_for,
    losses_not_offered,
    output_units,
    outputs_for,
    task_of,
)
from nnviz.nn import activations, losses

ROOT = Path(__file__).resolve().parents[3]

DEFAULT = Experiment()


def test_defaults_are_the_documented_experiment():
    e = DEFAULT
    assert (e.dataset, e.n_points, e.hidden, e.activation, e.loss, e.output) == (
        "circles", 500, (4, 4), "tanh", "cross_entropy", "softmax")
    assert e.sizes == [2, 4, 4, 2]
    assert e.task == "classification" and e.n_classes == 2
    assert dict(e.optimizer_params) == {"beta_1": 0.9, "beta_2": 0.999, "eps": 1e-8}
    assert "2 → 4 → 4 → 2" in e.describe()


@pytest.mark.parametrize(("changes", "words"), [
    ({"dataset": "nope"}, "dataset"),
    ({"noise": -0.1}, "noise"),
    ({"noise": float("nan")}, "noise"),
    ({"n_points": 5}, "number of points"),
    ({"n_points": 10.5}, "number of points"),
    ({"test_ratio": 0.95}, "test share"),
    ({"seed": -1}, "seed"),
    ({"features": ()}, "at least one"),
    ({"features": ("x3",)}, "x3"),
    ({"features": "x1"}, "string"),
    ({"hidden": (0,)}, "neurons per layer"),
    ({"hidden": (17,)}, "neurons per layer"),
    ({"hidden": (2,) * 7}, "at most 6"),
    ({"activation": "not-an-activation"}, "not-an-activation"),
    ({"init": "ones"}, "ones"),
    ({"l1": -1}, "L1"),
    ({"l2": math.inf}, "L2"),
    ({"dropout": 0.95}, "dropout"),
    ({"learning_rate": 0}, "learning rate"),
    ({"learning_rate": -1}, "learning rate"),
    ({"batch_size": 0}, "batch size"),
    ({"optimizer": "not-an-optimizer"}, "not-an-optimizer"),
    ({"optimizer_params": {"gamma": 0.5}}, "gamma"),
    ({"optimizer_params": {"beta_1": 1.5}}, "beta_1"),
    ({"output": "sigmoid"}, "sigmoid"),  # cross-entropy needs softmax
    ({"dataset": "sine"}, "cross_entropy"),  # the default loss does not fit regression
    ({"batch_norm": (3,)}, "hidden layer 3, but the network has 2 hidden layers"),
    ({"batch_norm": (0,)}, "batch-normalized layer"),
    ({"batch_norm": (1.5,)}, "batch-normalized layer"),
    ({"batch_norm": "1"}, "list of hidden layer numbers"),
    ({"hidden": (4,), "batch_norm": (1, 2)}, "has 1 hidden layer$"),
])
def test_bad_values_raise_value_error_naming_them(changes, words):
    with pytest.raises(ValueError, match=words.replace("(", r"\(")):
        DEFAULT.replace(**changes)


def test_batch_norm_layers_are_sorted_unique_and_described():
    e = DEFAULT.replace(hidden=(4, 4, 4), batch_norm=[3, 1, 3, 1.0])
    assert e.batch_norm == (1, 3) and "batch norm on layer 1, 3" in e.describe()
    assert DEFAULT.batch_norm == () and "batch norm" not in DEFAULT.describe()
    assert e.to_dict()["batch_norm"] == [1, 3]


def test_features_are_kept_in_canonical_order_and_names_canonical():
    e = DEFAULT.replace(features=("sin x2", "x1"), activation="RELU", optimizer="Adam")
    assert e.features == ("x1", "sin x2") and e.activation == "relu" and e.optimizer == "adam"


@pytest.mark.parametrize("name", toy_sets.names())
def test_losses_offered_fit_the_task(name):
    task, n_classes = task_of(name)
    offered = losses_for(task, n_classes)
    not_offered = losses_not_offered(task, n_classes)
    assert set(offered) | set(not_offered) == set(losses.names())
    assert all(why for why in offered.values()) and all(why for why in not_offered.values())
    if task == "regression":
        assert "cross_entropy" not in offered and "binary_cross_entropy" not in offered
        assert all(losses.LOSSES.get(n).task == "regression" for n in offered)
    elif n_classes == 2:
        assert {"cross_entropy", "binary_cross_entropy", "mse"} <= set(offered)
    else:  # one output per class: softmax and cross-entropy only
        assert list(offered) == ["cross_entropy"]
        assert f"cannot tell {n_classes} classes apart" in not_offered["binary_cross_entropy"]
        assert f"cannot tell {n_classes} classes apart" in not_offered["mse"]


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_the_classes_decide_the_outputs_and_the_default_loss(task):
    for name in losses.names():
        loss = losses.LOSSES.get(name)
        outs = [activations.ACTIVATIONS.get(o) for o in outputs_for(task, name)]
        assert outs and all(o.output_meaning for o in outs)
        if loss.fused_activation is not None:
            assert [o.name for o in outs] == [loss.fused_activation]
            continue
        assert not any(o.per_class for o in outs)  # one output unit
        if loss.needs_probabilities:
            assert all(o.gives_probabilities for o in outs)
        if task == "regression":
            assert not any(o.gives_probabilities for o in outs)
        firsts = [o for o in outs if task in o.default_output_for]
        assert not firsts or outs[0] is firsts[0]
    assert losses.LOSSES.get(default_loss(task)).default_for == task
    assert default_loss(task) in losses_for(task)


@pytest.mark.parametrize("name", activations.names())
def test_output_units_ask_the_activation(name):
    per_class = activations.ACTIVATIONS.get(name).per_class
    assert output_units(name, 3) == (3 if per_class else 1)


def test_a_new_output_activation_is_offered_and_ranked_by_its_class():
    @activations.ACTIVATIONS.register("test-output-unit")
    class Throwaway(activations.Activation):
        output_meaning = "one output for testing"
        default_output_for = ("regression",)

        def forward(self, z):
            return z

    try:
        assert list(outputs_for("regression", "mse")) == ["linear", "test-output-unit", "tanh"]  # first choices first
        assert "test-output-unit" in outputs_for("classification", "mse")
        assert "test-output-unit" not in outputs_for("classification", "cross_entropy")
    finally:
        activations.ACTIVATIONS.unregister("test-output-unit")


@pytest.mark.parametrize("module", ["experiment", "run", "views", "compare", "link", "export"])
def test_engine_module_imports_neither_streamlit_nor_plotly(module):
    code = (f"import sys, nnviz.labs.playground.{module}; "
            "print(any(m.split('.')[0] in ('streamlit', 'plotly') for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "False"


def test_activations_per_layer_are_one_per_hidden_layer_and_canonical():
    mixed = DEFAULT.replace(hidden=(4, 4, 3), activations=("ReLU", "tanh", "relu"))
    assert mixed.activations == ("relu", "tanh", "relu") and mixed.activation == "tanh"
    assert mixed.layer_activations == ("relu", "tanh", "relu") and "relu / tanh / relu" in mixed.describe()
    assert mixed.to_dict()["activations"] == ["relu", "tanh", "relu"]
    # One activation on every layer is the plain experiment: the same network, the same link.
    same = DEFAULT.replace(activations=("relu", "relu"))
    assert same == DEFAULT.replace(activation="relu") and same.activations == ()
    assert DEFAULT.layer_activations == ("tanh", "tanh") and DEFAULT.replace(hidden=()).layer_activations == ()


@pytest.mark.parametrize(("changes", "words"), [
    ({"activations": ("relu",)}, "1 activation per layer, but the network has 2 hidden layers"),
    ({"hidden": (4,), "activations": ("relu", "tanh")}, "2 activations per layer, but the network has 1 hidden layer$"),
    ({"activations": ("relu", "not-an-activation")}, "not-an-activation"),
    ({"activations": "relu"}, "list of activation names"),
])
def test_bad_activations_per_layer_raise_naming_them(changes, words):
    with pytest.raises(ValueError, match=words):
        DEFAULT.replace(**changes)


@pytest.mark.parametrize(("name", "k"), [("spiral_3", 3), ("blobs_4", 4)])
def test_more_than_two_classes_take_softmax_with_one_output_per_class(name, k):
    exp = DEFAULT.replace(loss="binary_cross_entropy", output="sigmoid").with_dataset(name)
    assert (exp.loss, exp.output, exp.n_classes, exp.sizes[-1]) == ("cross_entropy", "softmax", k, k)
    with pytest.raises(ValueError, match=f"cannot tell {k} classes apart"):
        exp.replace(loss="mse", output="sigmoid")
