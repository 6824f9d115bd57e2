"""The descent lab's link: exact round trips, every bad value reported and replaced by its default,
values checked against each other (surface and dimension, parameters, start, rates), junk never raises."""

from __future__ import annotations

import pytest

from nnviz.labs import share
from nnviz.labs.descent import link, surfaces
from nnviz.labs.descent.runs import MAX_RUNS, RunSpec
from nnviz.labs.descent.stability import LEARNING_RATE_GRID
from nnviz.nn import optimizers


def _read(params: dict[str, str], current: dict | None = None) -> tuple[dict, list[str]]:
    values, messages = share.decode(link.FIELDS, params)
    out, more = link.resolve(values, current or dict(link.DEFAULTS))
    return out, messages + more


SETTINGS = {
    "dim": 2, "surface": "rosenbrock", "params": {"b": 200.0}, "start": (-1.25, 2.125), "steps": 370,
    "runs": [RunSpec("adam", 0.02, {"beta_1": 0.8}), RunSpec("momentum", 0.005, {"beta": 0.95}), RunSpec("sgd", 1e-05)],
    "preset": None, "ladder": "rmsprop", "tol": 1e-06, "grad": False, "vel": True, "scale": True, "view": "3d",
}


def test_non_default_settings_round_trip_exactly():
    query = share.encode(link.FIELDS, SETTINGS)
    assert set(query) == {f.query for f in link.FIELDS}
    out, messages = _read(query)
    assert messages == []
    assert out == SETTINGS
    assert share.encode(link.FIELDS, out) == query  # the same link again


def test_a_1d_link_round_trips_and_reads_as_a_curve():
    settings = {**SETTINGS, "dim": 1, "surface": "quadratic", "params": {"curvature": 5.0}, "start": (-2.75,),
                "steps": 50, "view": "distance", "preset": "learning_rates"}
    out, messages = _read(share.encode(link.FIELDS, settings))
    assert messages == [] and out == settings


def test_runs_keep_only_settings_that_differ_from_the_defaults():
    assert link.run_text(RunSpec("momentum", 0.05, {"beta": 0.9})) == "momentum:0.05"
    assert link.run_text(RunSpec("momentum", 0.05, {"beta": 0.95})) == "momentum:0.05:beta=0.95"
    assert link.parse_run("Momentum:0.05:beta=0.95") == RunSpec("momentum", 0.05, {"beta": 0.95})


@pytest.mark.parametrize("key, bad", [
    ("dim", "3"), ("dim", "two"), ("surface", "not-a-surface"), ("sp", "b"), ("sp", "b:x"),
    ("start", "x,1"), ("start", "1,2,3"), ("steps", "15"), ("steps", "5000"), ("steps", "2.5"), ("steps", "nan"),
    ("runs", "none"), ("preset", "fastest"), ("ladder", "not-an-optimizer"), ("tol", "0.5"), ("tol", "inf"),
    ("grad", "maybe"), ("vel", "2"), ("scale", ""), ("view", "4d"),
])
def test_every_bad_value_is_reported_and_replaced_by_its_default(key, bad):
    out, messages = _read({key: bad})
    assert len(messages) == 1 and messages[0].startswith(f"ignored {key}={bad!r}"), messages
    assert "using the default" in messages[0]
    assert out == {**link.DEFAULTS, "params": {"condition": 10.0}, "runs": None}


def test_unknown_keys_are_reported_and_the_app_keys_kept_quiet():
    out, messages = _read({"lr": "0.1", "hide": "runs", "lesson": "one", "embed": "true"})
    assert messages == ["ignored unknown link parameter lr='0.1'"]


@pytest.mark.parametrize("params, says", [
    ({"dim": "2", "surface": "quadratic"}, "ignored surface='quadratic' (a 1D curve, not 2D)"),
    ({"surface": "bowl", "sp": "condition:7"}, "not one of the page's values"),
    ({"surface": "bowl", "sp": "condition:5000"}, "must be in [0.01, 1000]"),
    ({"surface": "bowl", "sp": "kappa:5"}, "has no parameter 'kappa'"),
    ({"surface": "rosenbrock", "start": "-1.5,5"}, "outside the plotted domain: x in [-2, 2], y in [-1, 3]"),
    ({"surface": "rosenbrock", "start": "1"}, "a 2D start needs 2 numbers"),
    ({"dim": "1", "view": "3d"}, "a 1D curve has no 3D view"),
    ({"runs": "adam:0.003:beta_1=1"}, "beta_1 must be at most 0.9999"),
    ({"runs": "not-an-optimizer:0.1"}, "unknown optimizer"),
    ({"runs": "adam:-1"}, "learning rate must be > 0"),
    ({"runs": "adam"}, "expected optimizer:learning_rate"),
])
def test_values_that_do_not_fit_the_others_are_reported(params, says):
    out, messages = _read(params)
    assert any(says in m for m in messages), messages
    surface = surfaces.get(out["surface"], **out["params"])
    assert surface.dim == out["dim"] and surface.in_domain(out["start"])


def test_a_surface_without_dim_sets_the_dimension_and_its_defaults():
    out, messages = _read({"surface": "ripples"})
    assert messages == [] and out["dim"] == 1 and out["start"] == (5.0,) and out["steps"] == 50


def test_rastrigins_capital_parameter_is_found_in_any_case():
    out, messages = _read({"surface": "rastrigin", "sp": "a:2.5"})
    assert messages == [] and out["params"] == {"A": 2.5}


def test_a_rate_off_the_scale_is_snapped_and_a_bad_run_drops_only_itself():
    off = 0.0123
    assert off not in LEARNING_RATE_GRID
    out, messages = _read({"runs": f"sgd:{off},nope:1,adam:0.01"})
    assert [s.optimizer for s in out["runs"]] == ["sgd", "adam"]
    assert out["runs"][0].learning_rate in LEARNING_RATE_GRID
    assert any("not on the page's scale" in m for m in messages) and any("run 2 'nope:1'" in m for m in messages)


def test_more_runs_than_a_race_holds_are_cut():
    out, messages = _read({"runs": ",".join(["sgd:0.01"] * (MAX_RUNS + 2))})
    assert len(out["runs"]) == MAX_RUNS and any(f"first {MAX_RUNS}" in m for m in messages)


def test_what_the_link_leaves_out_comes_from_the_page_unless_the_surface_changed():
    current = {**link.DEFAULTS, "surface": "rosenbrock", "params": {"b": 500.0}, "start": (0.5, 0.5), "steps": 600}
    out, _ = _read({"tol": "0.01"}, current)
    assert out["params"] == {"b": 500.0} and out["start"] == (0.5, 0.5) and out["steps"] == 600
    out, _ = _read({"surface": "bowl"}, current)
    assert out["params"] == {"condition": 10.0} and out["start"] == (-2.5, 2.0) and out["steps"] == 600


JUNK = ["", " ", "-", ",", ":", "::", "=", "nan", "-inf", "1e999", "0x10", "%00", "☃", "a" * 10_000,
        "1,2,3,4,5", "sgd:0.1:beta=", "adam:0.1:=1", "sgd:1e-400", "momentum:0.1:beta=nan", ",,,,"]


@pytest.mark.parametrize("key", [f.query for f in link.FIELDS])
@pytest.mark.parametrize("junk", JUNK)
def test_hand_edited_junk_never_raises(key, junk):
    out, messages = _read({key: junk, "dim": "1"} if key != "dim" else {key: junk})
    surface = surfaces.get(out["surface"], **out["params"])
    assert surface.in_domain(out["start"]) and out["steps"] % 10 == 0
    for spec in out["runs"] or []:
        assert spec.learning_rate in LEARNING_RATE_GRID and spec.optimizer in optimizers.names()
