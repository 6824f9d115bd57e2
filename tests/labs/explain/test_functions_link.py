"""The Functions page's link (nnviz.labs.explain.functions_link): exact round trip of non-default
settings of every tab, every bad value reported and replaced by its default, unknown keys
reported, hand-edited junk never raises."""

from __future__ import annotations

import pytest

from nnviz.labs import share
from nnviz.labs.explain import functions_link as link
from nnviz.ui.common import LOG_OPTIONS
from nnviz.ui.functions import TABS, TEMPERATURES, Z_RANGES, link_defaults

FIELDS = link.fields(TABS, Z_RANGES, TEMPERATURES, LOG_OPTIONS)
DEFAULTS = link_defaults()


def _open(params: dict[str, str]) -> tuple[dict, list[str]]:
    values, messages = share.decode(FIELDS, params)
    values, more = link.resolve(values, DEFAULTS, LOG_OPTIONS)
    return values, messages + more


CHANGED = {
    "fn_tab": TABS[3], "fn_acts": ["elu", "leaky_relu", "softmax"], "fn_zrange": 50,
    "fn_hp_elu_alpha": 2.5, "fn_hp_leaky_relu_alpha": 0.35, "fn_hp_softmax_temperature": 0.3,
    "fn_chain_acts": ["gelu"], "fn_chain_depth": 7, "fn_chain_w": 1.7, "fn_chain_x0": -0.3,
    "fn_init_act": "tanh", "fn_inits": ["he_uniform"], "fn_init_depth": 25, "fn_init_width": 16,
    "fn_bn_act": "relu", "fn_bn_init": "random_uniform", "fn_bn_depth": 3, "fn_bn_width": 128,
    "fn_reg_losses": ["huber"], "fn_reg_target": -2.3, "fn_loss_huber_delta": 0.1,
    "fn_cls_losses": [], "fn_bce_target": 0.7, "fn_ce_classes": 10, "fn_logits": "1000, 0, -1e-05",
    "fn_temperature": 0.001,
}


def test_non_default_settings_round_trip_exactly():
    assert all(CHANGED[k] != DEFAULTS[k] for k in CHANGED if k in DEFAULTS)
    query = share.encode(FIELDS, CHANGED)
    values, messages = _open(query)
    assert messages == []
    assert {k: values[k] for k in CHANGED} == CHANGED
    assert all(type(values[k]) is type(v) for k, v in CHANGED.items())  # an int slider stays int
    assert share.encode(FIELDS, values) == query


def test_what_a_link_leaves_out_takes_its_default():
    values, messages = _open({"tab": "softmax", "acts": "leaky_relu"})
    assert messages == [] and values["fn_tab"] == "Softmax"
    assert {k: values[k] for k in DEFAULTS if k not in ("fn_tab", "fn_acts")} == \
        {k: v for k, v in DEFAULTS.items() if k not in ("fn_tab", "fn_acts")}
    assert values["fn_hp_leaky_relu_alpha"] == 0.1  # where the page's slider starts (plot_params)


BAD = [
    ("tab", "maths"), ("acts", "sigmoid,nope"), ("acts", "relu,relu"), ("zr", "4"), ("leaky_relu.alpha", "1.5"),
    ("softmax.temperature", "0.002"), ("chain", "softmax"), ("n", "0"), ("n", "2.5"), ("cw", "0"), ("a0", "nan"),
    ("iact", "step"), ("inits", "ones"), ("idepth", "31"), ("iwidth", "48"), ("bnact", "softmax"),
    ("bninit", "x"), ("bndepth", "1"), ("bnwidth", ""), ("rloss", "binary_cross_entropy"), ("ry", "4"),
    ("huber.delta", "2e6"), ("closs", "mse"), ("by", "-0.1"), ("k", "11"), ("logits", "1,,x"),
    ("logits", ",".join(["1"] * 13)), ("T", "0"),
]


@pytest.mark.parametrize("key,text", BAD)
def test_a_bad_value_is_reported_and_replaced_by_its_default(key, text):
    field = next(f for f in FIELDS if f.query == key)
    values, messages = _open({key: text})
    assert len(messages) == 1 and messages[0].startswith(f"ignored {key}=") and "default" in messages[0]
    if field.name in DEFAULTS:
        assert values[field.name] == DEFAULTS[field.name]
    else:  # a parameter: the slider's own start, if the page shows it
        assert values.get(field.name) == link.hyperparameter_defaults(values["fn_acts"], LOG_OPTIONS).get(field.name)


def test_empty_choices_are_allowed_and_unknown_keys_reported():
    values, messages = _open({"acts": "none", "rloss": "", "x": "1", "hide": "acts"})
    assert values["fn_acts"] == [] and values["fn_reg_losses"] == []
    assert messages == ["ignored unknown link parameter x='1'"]


JUNK = ["", " ", "-", "nan", "inf", "1e999", ",", "sigmoid,,", "%", "[1]", "x" * 5000, "0.5;1", "True", "\x00"]


@pytest.mark.parametrize("text", JUNK)
def test_hand_edited_junk_never_raises(text):
    values, messages = _open({f.query: text for f in FIELDS})
    assert isinstance(messages, list) and set(DEFAULTS) <= set(values)
