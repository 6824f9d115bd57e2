"""The Digits page's link (nnviz.labs.digits.link): exact round trip of non-default training and
convolution settings, every bad value reported and replaced by its default, the architecture and
the 1D shift checked against the other settings, unknown keys reported, junk never raises."""

from __future__ import annotations

import numpy as np
import pytest

from nnviz.labs import share
from nnviz.labs.digits import link
from nnviz.labs.digits.size import MAX_PARAMETERS
from nnviz.labs.explain import convolution as conv
from nnviz.nn import optimizers
from nnviz.ui.common import LEARNING_RATES
from nnviz.ui.digits import BATCH_SIZES, DATA_SOURCES, DENSE_CHOICES, FILTER_CHOICES, MAX_EPOCHS, SPEEDS, link_defaults

KERNELS = [*conv.KERNELS, "filter 1", "filter 8", "type your own"]
FIELDS = link.fields(kernels=KERNELS, filters=list(FILTER_CHOICES), dense=DENSE_CHOICES, rates=LEARNING_RATES,
                     batches=BATCH_SIZES, speeds=SPEEDS, max_epochs=MAX_EPOCHS, data=list(DATA_SOURCES))
DEFAULTS = link_defaults()


def _open(params: dict[str, str]) -> tuple[dict, list[str]]:
    values, messages = share.decode(FIELDS, params)
    values, more = link.resolve(values, DEFAULTS, FILTER_CHOICES)
    return values, messages + more


CHANGED = {
    "dg_kind": "cnn", "dg_hidden": "256, 64", "dg_filters": "16 → 32", "dg_dense": 0, "dg_activation": "tanh",
    "dg_optimizer": "momentum", "dg_momentum_beta": 0.75, "dg_lr": 0.03, "dg_batch": 256, "dg_epochs": 37,
    "dg_augment": True, "dg_speed": 500, "dg_data": "download", "dg_n_train": 25_000,
    "dg_cv_f": "1, -2, 0.25, 4", "dg_cv_g": "3", "dg_cv_n": 3, "dg_cv_source": "test", "dg_cv_index": 9876,
    "dg_cv_kernel": "filter 8", "dg_cv_custom": "0.5 0 -1e-05\n1 1 1\n-3 2 1000", "dg_cv_padding": "valid",
    "dg_cv_stride": 3, "dg_cv_flip": True, link.CELL: (4, 27),
}


def test_non_default_settings_round_trip_exactly():
    assert all(CHANGED[k] != DEFAULTS[k] for k in CHANGED if k in DEFAULTS)
    assert "beta" in optimizers.get("momentum").hyperparams
    query = share.encode(FIELDS, CHANGED)
    values, messages = _open(query)
    assert messages == []
    assert {k: values[k] for k in CHANGED} == CHANGED
    assert all(type(values[k]) is type(v) for k, v in CHANGED.items())
    assert share.encode(FIELDS, values) == query
    assert query["filters"] == "16-32" and query["kernel"] == "filter-8"  # readable words in the address


def test_what_a_link_leaves_out_takes_its_default():
    values, messages = _open({"opt": "rmsprop"})
    assert messages == [] and values[link.CELL] is None
    assert {k: values[k] for k in DEFAULTS if k != "dg_optimizer"} == {k: v for k, v in DEFAULTS.items() if k != "dg_optimizer"}
    assert values["dg_rmsprop_rho"] == optimizers.get("rmsprop").hyperparams["rho"][0]
    assert "dg_rmsprop_eps" not in values  # no slider: the registry's value applies


def test_softmax_regression_is_an_empty_hidden_list():
    values, messages = _open({"arch": "mlp", "hidden": "none"})
    assert messages == [] and values["dg_hidden"] == ""
    assert share.encode(FIELDS, values)["hidden"] == "none"


BAD = [
    ("arch", "rnn"), ("hidden", "128,abc"), ("hidden", "0"), ("filters", "8-32"), ("dense", "48"), ("act", "softmax"),
    ("opt", "lbfgs"), ("adam.beta_1", "1"), ("lr", "0.5"), ("batch", "100"), ("epochs", "0"), ("epochs", "101"),
    ("aug", "2"), ("speed", "1000"), ("f", ""), ("g", ",".join(["1"] * 13)), ("shift", "-1"), ("input", "camera"),
    ("image", "10000"), ("kernel", "emboss"), ("kernel", "filter-9"), ("typed", "1 2 3; 4 5 6"), ("typed", "1e4 0 0;0 0 0;0 0 0"),
    ("pad", "full"), ("stride", "4"), ("flip", "x"), ("pixel", "3"), ("pixel", "1,28"),
]


@pytest.mark.parametrize("key,text", BAD)
def test_a_bad_value_is_reported_and_replaced_by_its_default(key, text):
    field = next(f for f in FIELDS if f.query == key)
    values, messages = _open({key: text})
    assert len(messages) == 1 and messages[0].startswith(f"ignored {key}=") and "default" in messages[0]
    expected = DEFAULTS.get(field.name, link.optimizer_defaults(values["dg_optimizer"]).get(field.name))
    assert values.get(field.name) == expected


@pytest.mark.parametrize("params,what", [
    ({"arch": "mlp", "hidden": "1024,1024,1024"}, f"more than the {MAX_PARAMETERS:,}"),
    ({"arch": "mlp", "hidden": ",".join(["8"] * 40)}, "hidden"),
])
def test_an_architecture_that_cannot_be_trained_here_is_reported(params, what):
    values, messages = _open({**params, "act": "tanh", "lr": "0.1"})
    assert len(messages) == 1 and "architecture" in messages[0] and what in messages[0]
    assert {k: values[k] for k in link.ARCHITECTURE} == {k: DEFAULTS[k] for k in link.ARCHITECTURE}
    assert values["dg_lr"] == 0.1  # the other settings stay the link's


def test_a_shift_past_the_last_output_is_reported_and_set_to_the_last():
    values, messages = _open({"f": "1,2", "g": "1", "shift": "5"})
    assert messages == ["ignored shift=5 (f and g give outputs 0 to 1); using 1"] and values["dg_cv_n"] == 1
    values, messages = _open({"f": "1", "g": "1"})  # the default shift 2 past the end: set quietly
    assert messages == [] and values["dg_cv_n"] == 0


def test_unknown_keys_are_reported():
    _, messages = _open({"speed": "10", "drawing": "data:image/png;base64,AAAA", "hide": "lr"})
    assert messages == ["ignored unknown link parameter drawing='data:image/png;base64,AAAA'"]


JUNK = ["", " ", "-", "none", "nan", "inf", "1e999", ",", ";;", "%", "[1]", "x" * 5000, "9" * 400, "True", "\x00",
        "1,2,3;4,5,6;7,8,9"]


@pytest.mark.parametrize("text", JUNK)
def test_hand_edited_junk_never_raises(text):
    values, messages = _open({f.query: text for f in FIELDS})
    assert isinstance(messages, list) and set(DEFAULTS) <= set(values)
    link.architecture(values, FILTER_CHOICES)  # what the page builds is valid


@pytest.mark.parametrize("padding", conv.PADDINGS)
@pytest.mark.parametrize("stride", conv.STRIDES)
def test_the_start_pixel_is_the_centre_of_the_map(padding, stride):
    h, w = conv.feature_map(np.zeros((28, 28)), conv.KERNELS["identity"][0], padding, stride).shape
    assert link.centre(padding, stride) == (h // 2, w // 2)
