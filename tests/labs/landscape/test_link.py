"""The landscape page's link: exact round trips, every bad value reported and replaced by its default,
values checked against each other (hidden layers and task, centre run and runs, a task the server
cannot load), junk never raises."""

from __future__ import annotations

import pytest

from nnviz.data import toy_sets
from nnviz.labs import share
from nnviz.labs.landscape import link
from nnviz.labs.landscape.setup import DIGITS, Setup, size_problem


def _read(params: dict[str, str], current: dict | None = None, tasks=None) -> tuple[dict, list[str]]:
    values, messages = share.decode(link.FIELDS, params)
    out, more = link.resolve(values, current or dict(link.DEFAULTS), tasks)
    return out, messages + more


SETTINGS = {
    "task": "spiral", "points": 450, "noise": 1.75, "digits": 250, "hidden": (8, 4, 2), "act": "relu",
    "mode": "optimizers", "opt": "momentum", "rates": [0.003, 3.0], "opts": ["adam", "rmsprop", "nesterov"],
    "lr": 0.001, "steps": 1000, "batch": 128, "seed": 4321, "res": 31, "span": 0.25, "log": False,
    "centre": 3, "fit": "centre", "shape": "3d", "tab": "honesty",
}


def test_non_default_settings_round_trip_exactly():
    query = share.encode(link.FIELDS, SETTINGS)
    assert set(query) == {f.query for f in link.FIELDS}
    out, messages = _read(query)
    assert messages == [] and out == SETTINGS
    assert share.encode(link.FIELDS, out) == query


def test_the_defaults_are_the_pages_first_setup():
    setup = Setup()
    assert link.runs_of(link.DEFAULTS) == setup.runs
    assert link.DEFAULTS["hidden"] == setup.hidden and link.DEFAULTS["task"] == setup.task


@pytest.mark.parametrize("key, bad", [
    ("task", "not-a-task"), ("points", "120"), ("points", "5000"), ("noise", "0.3"), ("noise", "-1"),
    ("digits", "300"), ("hidden", "a,b"), ("hidden", "0"), ("hidden", "2000"), ("hidden", "1,1,1,1,1,1,1"),
    ("hidden", ""), ("act", "softmax"), ("mode", "both"), ("opt", "not-an-optimizer"), ("rates", "0.2"),
    ("rates", "none"), ("rates", "0.1,0.3,1,3,10"), ("rates", "0.1,0.1"), ("opts", "sgd,nope"), ("lr", "0"),
    ("steps", "123"), ("batch", "7"), ("seed", "-1"), ("seed", "1.5"), ("res", "20"), ("span", "3"),
    ("log", "sometimes"), ("centre", "5"), ("centre", "worst"), ("fit", "none"), ("shape", "4d"), ("tab", "x"),
])
def test_every_bad_value_is_reported_and_replaced_by_its_default(key, bad):
    out, messages = _read({key: bad})
    assert len(messages) == 1 and messages[0].startswith(f"ignored {key}={bad!r}"), messages
    assert "using the default" in messages[0]
    assert out == link.DEFAULTS | {"hidden": tuple(link.DEFAULTS["hidden"])}


def test_unknown_keys_are_reported_and_the_app_keys_kept_quiet():
    _, messages = _read({"lr_": "0.1", "hide": "task", "lesson": "one"})
    assert messages == ["ignored unknown link parameter lr_='0.1'"]


def test_hidden_layers_too_large_for_the_task_fall_back_to_its_default():
    big = "250,250,250"
    assert size_problem(DIGITS, (250, 250, 250)) and not size_problem("moons", (250, 250, 250))
    out, messages = _read({"task": "digits", "hidden": big})
    assert out["hidden"] == (64,) and "ignored hidden='250,250,250'" in messages[0]
    out, messages = _read({"task": "moons", "hidden": big})
    assert out["hidden"] == (250, 250, 250) and messages == []


def test_a_new_kind_of_task_without_hidden_layers_takes_its_default_sizes():
    out, _ = _read({"task": "digits"})
    assert out["hidden"] == (64,)
    out, _ = _read({"task": "xor"}, {**link.DEFAULTS, "hidden": (5,)})
    assert out["hidden"] == (5,)  # the same kind: the page's own sizes stay


def test_a_centre_past_the_runs_compared_is_the_best_run():
    out, messages = _read({"mode": "optimizers", "opts": "sgd,adam", "centre": "3"})
    assert out["centre"] == link.BEST and "only 2 runs" in messages[0]
    out, messages = _read({"mode": "optimizers", "opts": "sgd,adam", "centre": "2"})
    assert out["centre"] == 2 and messages == []


def test_a_task_the_server_cannot_load_is_reported():
    out, messages = _read({"task": "digits"}, tasks=toy_sets.names())
    assert out["task"] == "moons" and "not available on this server" in messages[0]


JUNK = ["", " ", "-", ",", ":", "nan", "-inf", "1e999", "0x10", "%00", "☃", "a" * 10_000, "1,2,3,4,5",
        ",,,,", "best", "0", "1e-400", "1024,1024,1024"]


@pytest.mark.parametrize("key", [f.query for f in link.FIELDS])
@pytest.mark.parametrize("junk", JUNK)
def test_hand_edited_junk_never_raises(key, junk):
    out, _ = _read({key: junk, "task": "digits"} if key != "task" else {key: junk})
    setup = Setup(task=out["task"], n_points=out["points"], noise=out["noise"], n_digits=out["digits"],
                  hidden=out["hidden"], activation=out["act"], runs=link.runs_of(out), batch_size=out["batch"],
                  steps=out["steps"], seed=out["seed"])  # a setup the page can train
    assert out["centre"] == link.BEST or out["centre"] <= len(setup.runs)


def test_entries_registered_after_import_are_accepted_in_every_link():
    from nnviz.labs.descent import link as descent_link
    from nnviz.labs.sequences import link as sequences_link
    from tests import throwaway

    throwaway.register()
    try:
        opt, act, data = throwaway.OPTIMIZER, throwaway.ACTIVATION, throwaway.DATASET
        values, messages = share.decode(link.FIELDS, {"opt": opt, "opts": f"sgd,{opt}", "act": act, "task": data})
        assert messages == [] and values["opts"] == ["sgd", opt] and values["act"] == act and values["task"] == data
        values, messages = share.decode(sequences_link.FIELDS, {"opt": opt})
        assert messages == [] and values["optimizer"] == opt
        values, messages = share.decode(descent_link.FIELDS, {"surface": throwaway.SURFACE_2D, "ladder": opt})
        assert messages == [] and values["surface"] == throwaway.SURFACE_2D
    finally:
        throwaway.unregister()
