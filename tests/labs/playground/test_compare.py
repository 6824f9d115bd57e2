"""Compare runs: copies of one network from the same weights, one setting varied."""

from __future__ import annotations

import numpy as np
import pytest

from nnviz.labs.playground.compare import compare, comparison_key
from nnviz.labs.playground.experiment import Experiment
from nnviz.labs.playground.run import build, metrics

SMALL = Experiment(n_points=120)


def test_compare_starts_every_copy_from_the_same_weights():
    cmp = compare(SMALL, "learning_rate", [0.001, 0.03, 3.0])
    assert [r.label for r in cmp.runs] == ["η = 0.001", "η = 0.03", "η = 3"]
    first = cmp.runs[0].net.get_flat()
    for r in cmp.runs[1:]:
        np.testing.assert_array_equal(r.net.get_flat(), first)
        assert r.net is not cmp.runs[0].net and r.data is cmp.runs[0].data
    for r in cmp.runs:
        r.train(60)
    losses_ = [metrics(r)["train_loss"] for r in cmp.runs]
    assert len(set(losses_)) == 3 and losses_[1] < losses_[0]


def test_compare_identical_settings_give_identical_runs_and_optimizers_vary():
    cmp = compare(SMALL, "optimizer", ["sgd", "adam"])
    assert [r.experiment.optimizer for r in cmp.runs] == ["sgd", "adam"]
    a, b = compare(SMALL, "learning_rate", [0.03]).runs[0], build(SMALL)
    a.train(25)
    b.train(25)
    np.testing.assert_array_equal(a.net.get_flat(), b.net.get_flat())


@pytest.mark.parametrize(("vary", "values"), [
    ("learning_rate", []), ("learning_rate", [0.1] * 2), ("learning_rate", [0.1, 0.2, 0.3, 0.4, 0.5]),
    ("learning_rate", [-1.0]), ("batch_size", [1]), ("optimizer", ["nope"]),
])
def test_compare_rejects_bad_setups(vary, values):
    with pytest.raises(ValueError):
        compare(SMALL, vary, values)


def test_comparison_key_ignores_the_varied_setting():
    a = comparison_key(SMALL, "learning_rate", [0.1])
    assert a == comparison_key(SMALL.replace(learning_rate=0.5), "learning_rate", [0.1])
    assert a != comparison_key(SMALL.replace(hidden=(2,)), "learning_rate", [0.1])
