"""Your own points: the Points value (validated, compared by value), add / erase / clear, the
browser's edits, and a run that takes new points live (weights, step count and optimizer state kept,
the next steps train on the new points)."""

from __future__ import annotations

import numpy as np
import pytest

from nnviz.labs.packing import unpack
from nnviz.labs.playground import points
from nnviz.labs.playground.experiment import Experiment
from nnviz.labs.playground.frames import payload, train_frames
from nnviz.labs.playground.run import build, current_points, metrics, update

SMALL = Experiment(n_points=60, test_ratio=0.25, hidden=(4,), batch_size=8)


def _base() -> points.Points:
    return points.from_split([[0.0, 0.0], [0.5, 0.5]], [0, 1], [[-0.5, 0.5]], [1], "classification", 2)


def test_points_are_values():
    a, b = _base(), _base()
    assert a == b and hash(a) == hash(b)
    assert (a.n, a.n_train, a.n_test) == (3, 2, 1)
    assert points.add(a, [[0.1, 0.1]], 0) != a
    assert str(a) == "3 points (2 training, 1 test)"
    with pytest.raises(ValueError, match="inside the plot"):
        points.Points([[2.0, 0.0]], [0], [False], "classification", 2)
    with pytest.raises(ValueError, match="a class label must be 0 or 1, got 2.0"):
        points.Points([[0.0, 0.0]], [2], [False], "classification", 2)
    with pytest.raises(ValueError, match="at most 5,000 points"):
        points.Points(np.zeros((5001, 2)), np.zeros(5001), np.zeros(5001, bool), "classification", 2)
    assert not a.X.flags.writeable


def test_add_goes_to_training_set_and_drops_points_outside():
    p = points.add(_base(), [[1.0, 1.0], [1.2, -1.2], [3.0, 0.0]], 1)
    assert (p.n_train, p.n_test) == (4, 1)
    X, y = p.train_set()
    assert X[-2:].tolist() == [[1.0, 1.0], [1.2, -1.2]] and y[-2:].tolist() == [1, 1]
    with pytest.raises(ValueError, match="a class label must be 0 or 1"):
        points.add(p, [[0.0, 0.0]], 5)
    k = points.add(points.empty("classification", 4), [[0.0, 0.0]], 3)  # labels 0..K-1, not just two
    assert k.y.tolist() == [3]
    r = points.add(points.empty("regression", 0), [[0.0, 0.0]], -0.75)
    assert r.y.tolist() == [-0.75]


def test_erase_within_radius_and_test_points_only_when_shown():
    p = _base()
    assert points.erase(p, [[0.05, 0.0]], radius=0.1).n == 2  # (0, 0) gone
    assert points.erase(p, [[0.3, 0.3]], radius=0.1) == p  # nothing that close
    assert points.erase(p, [[-0.5, 0.5]], radius=0.1, include_test=False) == p
    assert points.erase(p, [[-0.5, 0.5]], radius=0.1).n_test == 0
    assert points.erase(p, [[0, 0], [0.5, 0.5], [-0.5, 0.5]], radius=0.1).n == 0
    with pytest.raises(ValueError, match="radius"):
        points.erase(p, [[0, 0]], radius=0)


def test_apply_edits_skips_seen_and_bad_edits():
    p = points.empty("classification", 2)
    edits = [
        {"seq": 1, "mode": "add", "label": 0, "xy": [[0.0, 0.0]]},
        {"seq": 3, "mode": "erase", "label": None, "xy": [[0.0, 0.0]]},
        {"seq": 2, "mode": "add", "label": 1, "xy": [[1.0, 1.0], [1.1, 1.0]]},
        {"seq": 4, "mode": "add", "label": 7, "xy": [[0.5, 0.5]]},
        {"seq": 5, "mode": "paint", "xy": [[0.5, 0.5]]},
        {"seq": 6, "mode": "add", "label": 1, "xy": "nope"},
    ]
    new, done, problems = points.apply_edits(p, edits, 0)
    assert done == 6 and len(problems) == 3
    assert new.X.tolist() == [[1.0, 1.0], [1.1, 1.0]]  # seq order: add, add, erase (0, 0)
    again, done2, _ = points.apply_edits(new, edits, 6)  # the same message again: nothing twice
    assert again == new and done2 == 6
    later, _, _ = points.apply_edits(new, edits + [{"seq": 7, "mode": "add", "label": 0, "xy": [[0, 0]]}], 6)
    assert later.n == 3


def test_split_mask_like_the_generator():
    m = points.split_mask(20, 0.25, 0)
    assert m.sum() == 5 and not np.array_equal(m, points.split_mask(20, 0.25, 1))
    assert points.split_mask(1, 0.5, 0).tolist() == [False]


def test_run_takes_new_points_live_keeping_weights_and_step():
    run = build(SMALL)
    run.train(30)
    weights, step = run.net.get_flat().copy(), run.step
    optimizer = run.trainer.optimizer  # Adam, with its moment estimates
    mine = points.add(current_points(run), [[1.3, 1.3], [1.35, 1.3]], 1)
    new_run, change = update(run, SMALL.replace(points=mine))
    assert new_run is run and change.kind == "live"
    assert "weights and step count kept" in change.message and "your own 62 points" in change.message
    assert run.step == step and np.array_equal(run.net.get_flat(), weights)
    assert len(run.data.X_train) == len(run.trainer.X) == 47 and run.data.dataset.name == "custom"
    assert run.trainer.optimizer is optimizer
    run.train(5)
    assert run.step == step + 5 and not np.array_equal(run.net.get_flat(), weights)
    # A new seed with your own points: a reset (new initial weights), the same points.
    reset, change = update(run, run.experiment.replace(seed=1))
    assert change.kind == "reset" and reset.step == 0 and current_points(reset) == mine
    # Back to the generated points: live again, the generator's split.
    back, change = update(reset, reset.experiment.replace(points=None))
    assert back is reset and change.kind == "live" and "the generated points of circles" in change.message
    assert len(back.data.X_train) == 45


def test_no_training_points_trains_nothing_and_measures_nan():
    run = build(SMALL)
    run.train(3)
    empty = points.empty("classification", 2)
    run, _ = update(run, SMALL.replace(points=empty))
    assert not run.can_train and run.train(10) == 0 and run.train_epoch() == 0 and run.step == 3
    assert np.isnan(metrics(run)["train_loss"])
    frames = train_frames(run, 10, 2)
    assert len(frames) == 1 and np.isnan(frames[0].metrics["train_loss"])
    header, _ = unpack(payload(run, frames, {"step": [], **{k: [] for k in
                       ("train_loss", "test_loss", "train_accuracy", "test_accuracy")}}, batch=1, running=False,
                       tick_seconds=2.0, edit={"mode": "add", "label": 0, "radius": 0.12, "acks": {}}))
    assert header["points"] == {"n_train": 0, "n_test": 0, "custom": True}
    assert header["edit"]["mode"] == "add"
    run, _ = update(run, run.experiment.replace(points=points.add(empty, [[0.0, 0.0], [1.0, 1.0]], 1)))
    assert run.can_train and run.train(4) == 4 and run.step == 7
    fresh = build(SMALL.replace(points=empty))  # a fresh run on no points: step 0, waits for points
    assert fresh.step == 0 and fresh.train(5) == 0


def test_experiment_checks_points_fit_the_data_set():
    with pytest.raises(ValueError, match="your own points hold regression targets, but circles is classification"):
        Experiment(points=points.empty("regression", 0))
    with pytest.raises(ValueError, match="points must be a Points set"):
        Experiment(points=[[0, 0, 1]])
    exp = Experiment(points=_base())
    assert exp == Experiment(points=_base()) and hash(exp) == hash(Experiment(points=_base()))
    assert exp != Experiment()
    assert exp.to_dict()["points"]["split"] == ["train", "train", "test"]
