"""nnviz.labs.share: query values as exact text, plain-words reasons, strict JSON."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from nnviz.labs import share


@pytest.mark.parametrize("value", [0.1, 1e-8, 3.0, 2.5e-5, 1 / 3, 0, 7, 2**32 - 1])
def test_numbers_round_trip_exactly(value):
    text = share.number(value)
    back = float(text) if isinstance(value, float) else int(text)
    assert back == value and type(back) is type(value)


def test_lists_round_trip_and_empty_lists_read_as_empty():
    assert share.join(["4", "4"]) == "4,4" and share.split("4, 4") == ["4", "4"]
    assert share.join([]) == "none"
    for empty in ("", "none", " NONE ", "-"):
        assert share.is_empty(empty) and share.split(empty) == []
    assert not share.is_empty("0")


def test_reason_says_not_a_number_for_parse_errors():
    for bad in ("fast", "1,5"):
        with pytest.raises(ValueError) as float_err:
            float(bad)
        with pytest.raises(ValueError) as int_err:
            int(bad)
        assert share.reason(float_err.value) == share.reason(int_err.value) == "not a number"
    assert share.reason(ValueError("learning rate must be > 0, got -1")) == "learning rate must be > 0, got -1"


def test_json_safe_turns_nan_and_numpy_scalars_into_strict_json():
    doc = {"a": math.nan, "b": [1.0, math.inf, (np.float32(2.5), np.int64(3))], "c": {"d": -math.inf}, "e": "x"}
    text = json.dumps(share.json_safe(doc), allow_nan=False)
    assert json.loads(text) == {"a": None, "b": [1.0, None, [2.5, 3]], "c": {"d": None}, "e": "x"}


def test_problem_lines_cut_long_values_and_count_the_rest():
    messages = [f"ignored unknown link parameter k{i}='v'" for i in range(300)]
    messages[0] = "ignored note=" + "x" * 100_000
    lines = share.problem_lines(messages)
    assert len(lines) == share.MAX_PROBLEMS_SHOWN + 1
    assert len(lines[0]) < 200 and "100,013 characters" in lines[0]
    assert lines[-1] == "and 295 more problems in this link"
    assert share.problem_lines(["a\nb"]) == ["a b"]
    assert share.problem_lines([]) == []


def test_count_reads_any_number_and_keeps_fractions():
    assert share.count("12") == 12 and isinstance(share.count("1e3"), int) and share.count("1000.0") == 1000
    assert share.count("2.5") == 2.5
    with pytest.raises(ValueError):
        share.count("twelve")


# ---- fields --------------------------------------------------------------------------------

FIELDS = (
    share.Field("lr", "gd_lr", share.bounded(1e-5, 30), share.number),
    share.Field("steps", "gd_steps", share.bounded(1, 500, whole=True), share.number),
    share.Field("opt", "gd_opt", share.choice(["sgd", "adam"])),
    share.Field("grad", "gd_grad", share.flag, share.flag_text),
)


def test_fields_round_trip_exactly():
    values = {"gd_lr": 0.003, "gd_steps": 120, "gd_opt": "adam", "gd_grad": False}
    query = share.encode(FIELDS, values)
    assert query == {"lr": "0.003", "steps": "120", "opt": "adam", "grad": "0"}
    assert share.decode(FIELDS, query) == (values, [])


def test_decode_reports_bad_and_unknown_values_and_keeps_the_rest():
    values, messages = share.decode(FIELDS, {"lr": "abc", "steps": "1e9", "opt": "ADAM", "grad": ["1", "x"],
                                             "zzz": "1", "embed": "true", "lesson": "momentum"})
    assert values == {"gd_opt": "adam"}
    assert messages == [
        "ignored lr='abc' (not a number); using the default",
        "ignored steps='1e9' (must be in [1, 500]); using the default",
        "ignored grad='x' (expected 1 or 0); using the default",
        "ignored unknown link parameter zzz='1'",
    ]


@pytest.mark.parametrize("text", ["2.5", "nan", "inf", "-1"])
def test_bounded_whole_refuses(text):
    with pytest.raises(ValueError):
        share.bounded(0, 10, whole=True)(text)


def test_choice_names_the_options():
    with pytest.raises(ValueError, match="expected one of sgd, adam"):
        share.choice(["sgd", "adam"])("rmsprop")
