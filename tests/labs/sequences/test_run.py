"""The Sequences lab: settings validated, each task learned, the gradient's reach through time,
one step's numbers against the engine's backward pass, live changes, divergence."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nnviz.labs.sequences.experiment import SequenceExperiment
from nnviz.labs.sequences.run import build, evaluate, gradient_reach, step_numbers, train, update


@pytest.mark.parametrize(("changes", "words"), [
    ({"hidden": 10_000}, "hidden size must be in \\[1, 64\\], got 10000"), ({"length": 0}, "sequence length"),
    ({"lag": 30}, "lag"), ({"activation": "softmax"}, "tanh, sigmoid, relu"), ({"spectral_radius": 0}, "spectral"),
    ({"truncate": -1}, "truncation"), ({"clip": -1}, "clipping"), ({"task": "nope"}, "unknown task"),
    ({"learning_rate": 0}, "learning rate"),
])
def test_bad_settings_are_value_errors_naming_them(changes, words):
    with pytest.raises(ValueError, match=words):
        SequenceExperiment().replace(**changes)


@pytest.mark.parametrize(("task", "settings", "goal"), [
    ("sine", {}, ("loss", 0.05)), ("remember", {"lag": 3}, ("accuracy", 0.97)), ("parity", {"length": 8}, ("accuracy", 0.9)),
])
def test_each_task_is_learned_in_a_few_hundred_steps(task, settings, goal):
    run = build(SequenceExperiment(task=task, **settings))
    before = evaluate(run, run.test_set)
    assert train(run, 600) == 600 and run.diverged is None
    loss, accuracy = evaluate(run, run.test_set)
    assert loss < before[0]
    assert (loss < goal[1]) if goal[0] == "loss" else (accuracy > goal[1])
    assert len(run.losses) == 600 and run.eval_steps[-1] == 600 and math.isnan(before[1]) == (task == "sine")


def test_a_plain_rnn_fails_to_remember_far_back():
    near = build(SequenceExperiment(task="remember", lag=5, length=50))
    far = build(SequenceExperiment(task="remember", lag=40, length=50))
    reach = gradient_reach(far)
    assert reach[-1 - 40] / reach[-1] < 1e-3 < reach[-1 - 5] / reach[-1]  # at the start: 40 steps back, it vanished
    train(near, 600)
    train(far, 600)
    assert evaluate(near, near.test_set)[1] > 0.95
    assert evaluate(far, far.test_set)[1] < 0.6  # about chance


def test_step_numbers_are_the_engines_backward_pass_for_one_sequence():
    run = build(SequenceExperiment(task="remember", lag=3, length=12, hidden=5))
    train(run, 50)
    x = run.test_set.X[0:1]
    h = run.rnn.forward(x)
    # The last step's loss alone, as step_numbers writes it: dL/dz at the readout, back through time.
    z = float(h[0, -1] @ run.readout.params["W"][:, 0] + run.readout.params["b"][0])
    dz_out = 1 / (1 + math.exp(-z)) - float(run.test_set.y[0, -1, 0])
    dout = np.zeros_like(h)
    dout[0, -1] = dz_out * run.readout.params["W"][:, 0]
    run.rnn.backward(dout)
    norms = run.rnn.dh_norms.copy()  # this backward's, before step_numbers runs its own
    for t in (1, 6, 11):
        n = step_numbers(run, t)
        assert np.linalg.norm(n.dh) == pytest.approx(norms[t], rel=1e-4)
        np.testing.assert_allclose(n.h, h[0, t], rtol=1e-4, atol=1e-6)
    assert np.linalg.norm(step_numbers(run, 6).dh_prev) == pytest.approx(norms[5], rel=1e-4)
    with pytest.raises(ValueError, match="step t must be in 1..11"):
        step_numbers(run, 12)


def test_truncation_shows_as_no_gradient_beyond_the_block():
    run = build(SequenceExperiment(task="sine", length=20, truncate=5))
    reach = gradient_reach(run)
    assert np.all(reach[:15] == 0) and np.all(reach[15:] > 0)  # the last block is steps 15-19
    assert step_numbers(run, 15).cut and not np.any(step_numbers(run, 15).dh_prev)
    assert not step_numbers(run, 16).cut


def test_training_settings_apply_live_and_the_rest_rebuild():
    exp = SequenceExperiment()
    run = build(exp)
    train(run, 20)
    same, kind, message = update(run, exp.replace(learning_rate=0.003, clip=1.0))
    assert same is run and kind == "live" and run.step == 20 and run.optimizer.learning_rate == 0.003
    assert "learning_rate" in message
    new, kind, _ = update(run, run.experiment.replace(hidden=8))
    assert new is not run and kind == "reset" and new.step == 0 and new.rnn.units == 8
    assert update(new, new.experiment) == (new, "none", "")


def test_a_diverging_run_stops_with_finite_weights():
    run = build(SequenceExperiment(task="sine", learning_rate=30.0, optimizer="sgd", clip=0.0, spectral_radius=3.0))
    train(run, 200)
    assert run.diverged is not None and run.step == run.diverged
    assert all(np.all(np.isfinite(p)) for p in run.params.values())
    assert train(run, 10) == 0


def test_a_readout_on_the_last_step_counts_only_the_last_step():
    run = build(SequenceExperiment(task="parity", length=6, readout="last step"))
    assert run.train_set.mask.tolist() == [False] * 5 + [True] and run.test_set.mask[-1]
    assert train(run, 300) == 300 and run.diverged is None
    assert build(SequenceExperiment(task="parity", length=6)).train_set.mask.all()
    with pytest.raises(ValueError, match="readout must be one of every step, last step"):
        SequenceExperiment(readout="middle")
