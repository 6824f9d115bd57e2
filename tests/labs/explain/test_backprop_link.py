"""The Backpropagation page's link (nnviz.labs.explain.backprop_link): exact round trip of
non-default settings, every bad value reported and replaced by its default, settings that depend
on each other checked together, unknown keys reported, and hand-edited junk never raises."""

from __future__ import annotations

import numpy as np
import pytest

from nnviz.labs import share
from nnviz.labs.explain import backprop_link as link
from nnviz.labs.explain import tiny_network
from nnviz.ui.backprop import DEFAULTS, TABS
from nnviz.ui.common import LEARNING_RATES, LOG_OPTIONS

FIELDS = link.fields(TABS, LEARNING_RATES, LOG_OPTIONS)


def _open(params: dict[str, str]) -> tuple[dict, list[str]]:
    values, messages = share.decode(FIELDS, params)
    values, more = link.resolve(values, DEFAULTS, LOG_OPTIONS)
    return values, messages + more


#: Every setting away from its default, consistent with the others (a softmax neuron, a 2-2-2 net).
CHANGED = {
    "bp_tab": TABS[1], "bp_preset": "custom", "bp_x": "1, -2.5, 0.125", "bp_w": "0.3, -0.2, 1e-07",
    "bp_b": -0.75, "bp_act": "softmax", "bp_loss": "cross_entropy", "bp_target": 0.25, "bp_class": 2,
    "bp_lr": 3.0, "bp_act_softmax_temperature": 0.3,
    "bp_tiny_head": "softmax_ce", "bp_tiny_hidden": "tanh", "bp_tiny_x1": -3.5, "bp_tiny_x2": 0.1,
    "bp_tiny_target": 0.5, "bp_tiny_class": 0, "bp_tiny_init": "he_normal", "bp_tiny_seed": 42,
    "bp_tiny_lr": 0.03, "bp_tiny_step": 4, "bp_gc_slip": True,
    link.TINY_PARAMS: tuple(np.linspace(-1, 1, 12) / 3),
}


def test_non_default_settings_round_trip_exactly():
    assert all(CHANGED[k] != DEFAULTS[k] for k in CHANGED if k in DEFAULTS)
    query = share.encode(FIELDS, CHANGED)
    values, messages = _open(query)
    assert messages == []
    assert {k: values[k] for k in CHANGED} == CHANGED
    assert share.encode(FIELDS, values) == query  # and the link reads back into the same link


def test_an_empty_link_is_the_default_page():
    values, messages = _open({"ex": "sigmoid_ce"})
    assert messages == [] and values[link.TINY_PARAMS] is None
    assert {k: values[k] for k in DEFAULTS} == DEFAULTS


def test_what_a_link_leaves_out_takes_its_default():
    values, _ = _open({"act": "leaky_relu", "lr": "1"})
    assert values["bp_act"] == "leaky_relu" and values["bp_lr"] == 1.0
    assert values["bp_act_leaky_relu_alpha"] == 0.01  # the registry's default
    assert values["bp_x"] == DEFAULTS["bp_x"] and values["bp_tiny_seed"] == DEFAULTS["bp_tiny_seed"]


BAD = [
    ("tab", "sideways"), ("ex", "example_4"), ("x", "1, two"), ("x", "1,2,3,4,5,6,7,8,9"), ("w", "inf"),
    ("b", "2e6"), ("b", "nan"), ("act", "not-an-activation"), ("loss", "hinge"), ("y", "1e999"),
    ("cls", "1.5"), ("cls", "9"), ("lr", "0.2"), ("lr", "-1"), ("leaky_relu.alpha", "2"),
    ("softmax.temperature", "0.25"), ("huber.delta", "0"), ("net", "3-3-3"), ("g", "softmax"),
    ("x1", "101"), ("x2", ""), ("ty", "x"), ("tcls", "2"), ("init", "ones"), ("seed", "-1"),
    ("seed", "3.5"), ("tlr", "1e9"), ("stage", "7"), ("tw", "1,2"), ("tw", "a,b"), ("slip", "maybe"),
]


@pytest.mark.parametrize("key,text", BAD)
def test_a_bad_value_is_reported_and_replaced_by_its_default(key, text):
    field = next(f for f in FIELDS if f.query == key)
    values, messages = _open({key: text})
    assert len(messages) == 1 and messages[0].startswith(f"ignored {key}=") and "default" in messages[0]
    default = DEFAULTS.get(field.name)
    if field.name.startswith(("bp_act_", "bp_loss_")):
        assert field.name not in values or values[field.name] == link.hyperparameter_defaults(values, LOG_OPTIONS).get(field.name)
    else:
        assert values[field.name] == default


@pytest.mark.parametrize("params,what", [
    ({"x": "1,2", "w": "0.5"}, "one weight per input"),
    ({"act": "softmax", "x": "1", "w": "1"}, "at least 2 inputs"),
    ({"act": "softmax", "x": "1,2", "w": "1,1", "cls": "5"}, "target class"),
    ({"act": "sigmoid", "loss": "binary_cross_entropy", "y": "3"}, "needs a target in [0, 1]"),
])
def test_a_neuron_that_cannot_be_built_is_reported_and_the_default_used(params, what):
    values, messages = _open(params)
    assert len(messages) == 1 and "single neuron" in messages[0] and what in messages[0]
    assert {k: values[k] for k in link.NEURON} == {k: DEFAULTS[k] for k in link.NEURON}
    link.neuron_config(values.get)  # the page's neuron builds


def test_the_tiny_network_is_checked_as_a_whole():
    values, messages = _open({"net": "sigmoid_bce", "ty": "-2", "seed": "7"})
    assert len(messages) == 1 and "tiny network" in messages[0] and "[0, 1]" in messages[0]
    assert values["bp_tiny_seed"] == DEFAULTS["bp_tiny_seed"]
    values, messages = _open({"net": "linear_mse", "ty": "-2"})  # MSE takes any target
    assert messages == [] and values["bp_tiny_target"] == -2.0


@pytest.mark.parametrize("head", list(tiny_network.TINY_OUTPUTS))
def test_tiny_weights_must_fit_the_network(head):
    units = tiny_network.TINY_OUTPUTS[head].units
    right = ",".join(["0.5"] * link.tiny_param_count(units))
    wrong = ",".join(["0.5"] * link.tiny_param_count(3 - units))
    values, messages = _open({"net": head, "tw": right})
    assert messages == [] and len(values[link.TINY_PARAMS]) == link.tiny_param_count(units)
    values, messages = _open({"net": head, "tw": wrong})
    assert len(messages) == 1 and messages[0].startswith("ignored tw") and values[link.TINY_PARAMS] is None


def test_unknown_keys_are_reported_and_app_keys_kept_quietly():
    _, messages = _open({"lr": "0.1", "color": "red", "hide": "lr", "lesson": "1", "embed": "true"})
    assert messages == ["ignored unknown link parameter color='red'"]


JUNK = ["", " ", "-", "none", "nan", "-inf", "1e999", "0x10", "1,", ",,,", "１", "\x00", "%", "[1]", "x" * 5000,
        "1;2", "True", "-0", "1e-400", "9" * 400]


@pytest.mark.parametrize("text", JUNK)
def test_hand_edited_junk_never_raises(text):
    params = {f.query: text for f in FIELDS}
    values, messages = _open(params)
    link.neuron_config(values.get)
    link.tiny_config(values.get)
    assert isinstance(messages, list)


def test_a_link_that_changes_the_neuron_without_naming_an_example_is_custom():
    values, _ = _open({"x": "1.5"})
    assert values["bp_preset"] == "custom" and values["bp_x"] == "1.5"
    values, _ = _open({"x": "0.5", "tlr": "1"})  # the default example's own input: still the example
    assert values["bp_preset"] == DEFAULTS["bp_preset"]
    values, _ = _open({"ex": "relu_ce", "w": "0.9"})  # named: kept (the weights after steps)
    assert values["bp_preset"] == "relu_ce"


def test_a_link_naming_an_example_gets_that_examples_values():
    values, messages = _open({"ex": "softmax_ce"})
    assert messages == [] and values["bp_act"] == "softmax" and values["bp_x"] == "1, 2"
    assert values["bp_w"] == "0.3, -0.2" and values["bp_class"] == 1
    link.neuron_config(values.get)


def test_an_example_that_cannot_be_built_falls_back_to_the_default_example_whole():
    values, messages = _open({"ex": "softmax_ce", "cls": "5"})
    assert len(messages) == 1 and "single neuron" in messages[0]
    assert {k: values[k] for k in link.NEURON} == {k: DEFAULTS[k] for k in link.NEURON}
