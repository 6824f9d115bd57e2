"""The Sequences page's link: exact round trips, every bad value reported and replaced by its default,
a lag and a truncation checked against the sequence length, junk never raises."""

from __future__ import annotations

import pytest

from nnviz.labs import share
from nnviz.labs.sequences import link
from nnviz.labs.sequences.experiment import SequenceExperiment


def _read(params: dict[str, str], current: dict | None = None) -> tuple[dict, list[str]]:
    values, messages = share.decode(link.FIELDS, params)
    out, more = link.resolve(values, current or dict(link.DEFAULTS))
    return out, messages + more


SETTINGS = {
    "task": "remember", "length": 57, "lag": 41, "noise": 0.35, "seed": 2**32 - 1, "hidden": 64,
    "activation": "relu", "readout": "last step", "spectral_radius": 2.3, "truncate": 9, "clip": 0.75,
    "optimizer": "nesterov", "learning_rate": 0.0042, "batch_size": 256, "speed": 300,
}


def test_non_default_settings_round_trip_exactly():
    query = share.encode(link.FIELDS, SETTINGS)
    assert set(query) == {f.query for f in link.FIELDS}
    out, messages = _read(query)
    assert messages == [] and out == SETTINGS
    assert share.encode(link.FIELDS, out) == query
    assert link.experiment(out) == SequenceExperiment(**{k: v for k, v in SETTINGS.items() if k != "speed"})


def test_the_defaults_are_the_pages_first_experiment():
    assert link.experiment(link.DEFAULTS) == SequenceExperiment()


@pytest.mark.parametrize("key, bad", [
    ("task", "not-a-task"), ("len", "1"), ("len", "101"), ("len", "2.5"), ("lag", "0"), ("noise", "0.33"),
    ("noise", "2"), ("seed", "-1"), ("hidden", "0"), ("hidden", "65"), ("act", "gelu"), ("loss", "all"),
    ("rho", "0.05"), ("rho", "0.33"), ("rho", "3.1"), ("trunc", "-1"), ("clip", "-0.5"), ("clip", "inf"),
    ("opt", "not-an-optimizer"), ("lr", "0"), ("lr", "nan"), ("batch", "0"), ("batch", "257"), ("speed", "7"),
])
def test_every_bad_value_is_reported_and_replaced_by_its_default(key, bad):
    out, messages = _read({key: bad})
    assert len(messages) == 1 and messages[0].startswith(f"ignored {key}={bad!r}"), messages
    assert "using the default" in messages[0]
    assert out == link.DEFAULTS


def test_unknown_keys_are_reported_and_the_app_keys_kept_quiet():
    _, messages = _read({"steps": "10", "hide": "lr", "lesson": "rnn", "embed": "true"})
    assert messages == ["ignored unknown link parameter steps='10'"]


@pytest.mark.parametrize("params, lag, trunc, says", [
    ({"len": "10", "lag": "20"}, 3, 0, "ignored lag='20' (a sequence of 10 steps allows a lag of at most 9); using 3"),
    ({"len": "3", "lag": "5"}, 2, 0, "at most 2); using 2"),
    ({"len": "10", "trunc": "11"}, 3, 0, "ignored trunc='11' (longer than the sequence, 10 steps)"),
    ({"len": "10", "lag": "9", "trunc": "10"}, 9, 10, None),
])
def test_a_lag_and_truncation_must_fit_the_sequence(params, lag, trunc, says):
    out, messages = _read(params)
    assert (out["lag"], out["truncate"]) == (lag, trunc)
    assert (messages == []) if says is None else (says in messages[0]), messages
    link.experiment(out)  # valid


def test_a_shorter_length_from_the_link_pulls_the_pages_lag_in():
    out, messages = _read({"len": "4"}, {**link.DEFAULTS, "lag": 30, "length": 60})
    assert out["lag"] == 3 and messages == []  # the page's own lag did not fit: quietly the default


JUNK = ["", " ", "-", ",", ":", "nan", "-inf", "1e999", "0x10", "%00", "☃", "a" * 10_000, "1,2", "0", "1e-400",
        "99999999999999999999"]


@pytest.mark.parametrize("key", [f.query for f in link.FIELDS])
@pytest.mark.parametrize("junk", JUNK)
def test_hand_edited_junk_never_raises(key, junk):
    out, _ = _read({key: junk, "len": "2"} if key != "len" else {key: junk})
    link.experiment(out)
    assert out["speed"] in link.SPEEDS
