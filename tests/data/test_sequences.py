"""Toy sequence tasks: seeded, shaped, and their targets what their docstrings say."""

from __future__ import annotations

import numpy as np
import pytest

from nnviz.data import sequences


@pytest.mark.parametrize("task", sequences.names())
def test_every_task_is_seeded_and_shaped(task):
    a, b = sequences.make(task, 8, 20, seed=3), sequences.make(task, 8, 20, seed=3)
    assert a.X.shape == a.y.shape == (8, 20, 1) and a.X.dtype == np.float32 and a.mask.shape == (20,)
    np.testing.assert_array_equal(a.X, b.X)
    assert not np.array_equal(a.X, sequences.make(task, 8, 20, seed=4).X)
    assert a.kind in ("regression", "bits")


def test_the_targets_are_what_each_task_asks():
    r = sequences.make("remember", 5, 12, seed=0, lag=4)
    np.testing.assert_array_equal(r.y[:, 4:], r.X[:, :-4])
    assert not r.mask[:4].any() and r.mask[4:].all()
    p = sequences.make("parity", 5, 12, seed=0)
    np.testing.assert_array_equal(p.y[..., 0], np.cumsum(p.X[..., 0], axis=1) % 2)
    clean = sequences.make("sine", 5, 12, seed=0, noise=0.0)
    np.testing.assert_allclose(clean.y[:, :-1], clean.X[:, 1:], atol=1e-6)  # the target is the next value


@pytest.mark.parametrize(("kwargs", "words"), [
    ({"task": "nope"}, "unknown sequence task"), ({"length": 0}, "sequence length must be in \\[2, 200\\], got 0"),
    ({"n": 0}, "number of sequences"), ({"lag": 20}, "lag"), ({"noise": -1}, "noise"),
])
def test_bad_values_are_value_errors_naming_them(kwargs, words):
    args = {"task": "remember", "n": 4, "length": 20, **kwargs}
    with pytest.raises(ValueError, match=words):
        sequences.make(args.pop("task"), args.pop("n"), args.pop("length"), **args)
