"""The digits page's live training (nnviz.labs.digits.live): a tick's steps as frames after even
chunks, ending at the trainer's state, stopping at the target or when the tick's time is used; the
packed batch's header and evaluation curves. A fake clock makes the timing exact; tiny random data
keeps it fast."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nnviz.labs.digits import live
from nnviz.labs.digits.architectures import mlp
from nnviz.labs.packing import unpack
from nnviz.nn.training import TrainConfig, Trainer


def _trainer(n: int = 64, batch: int = 8, val: bool = True) -> Trainer:
    rng = np.random.default_rng(0)
    X, y = rng.random((n, 28, 28), dtype=np.float32), rng.integers(0, 10, n)
    Xv, yv = (rng.random((16, 28, 28), dtype=np.float32), rng.integers(0, 10, 16)) if val else (None, None)
    return Trainer(mlp((8,), seed=0), TrainConfig(loss="cross_entropy", optimizer="adam", learning_rate=1e-3,
                                                 batch_size=batch, eval_every=2, seed=0), X, y, Xv, yv)


class Clock:
    """Advances ``dt`` seconds each time it is read (one read per training step)."""

    def __init__(self, dt: float) -> None:
        self.t, self.dt = 0.0, dt

    def __call__(self) -> float:
        self.t += self.dt
        return self.t - self.dt


def test_a_tick_trains_its_steps_in_even_chunks_with_a_frame_after_each_ending_at_the_trainers_state():
    tr = _trainer()
    frames = live.train_frames(tr, target=1000, steps=25, n_frames=10)
    assert tr.step == 25 and len(frames) == 10 and frames[-1] == live.frame(tr)
    steps = [f.step for f in frames]
    assert steps == sorted(set(steps)) and all(b - a in (2, 3) for a, b in zip([0, *steps], steps, strict=False))
    assert frames[-1].evals == len(tr.history.eval_steps) and frames[-1].epoch == tr.epoch


def test_few_steps_give_one_frame_per_step():
    tr = _trainer()
    assert [f.step for f in live.train_frames(tr, target=1000, steps=4, n_frames=30)] == [1, 2, 3, 4]


def test_a_tick_stops_when_its_time_is_used_and_trains_at_least_one_step():
    tr = _trainer()
    frames = live.train_frames(tr, target=1000, steps=100, n_frames=10, seconds=1.0, clock=Clock(0.125))
    # A read to start, one before every step after the first: the 9th step's read finds 1.0 s used.
    assert tr.step == 8 and frames[-1] == live.frame(tr)
    assert [f.step for f in frames] == [8]  # cut inside the first chunk of 10: the true state only
    tr3 = _trainer()
    frames = live.train_frames(tr3, target=1000, steps=100, n_frames=50, seconds=1.0, clock=Clock(0.125))
    assert [f.step for f in frames] == [2, 4, 6, 8]  # chunks of 2: the frames of the chunks done
    tr2 = _trainer()
    assert [f.step for f in live.train_frames(tr2, 1000, 100, 10, seconds=0.1, clock=Clock(5.0))] == [1]


def test_training_stops_at_the_target_and_a_paused_tick_trains_nothing():
    tr = _trainer(n=64, batch=8)
    target = live.target_step(tr, 1.5)
    assert target == 12
    frames = live.train_frames(tr, target, steps=100, n_frames=30)
    assert tr.step == target and frames[-1].step == target
    assert live.train_frames(tr, target, steps=100, n_frames=30) == [live.frame(tr)]  # nothing left to train
    tr2 = _trainer()
    tr2.run(steps=3)
    assert live.train_frames(tr2, 1000, steps=0, n_frames=1) == [live.frame(tr2)] and tr2.step == 3


def test_payload_carries_the_frames_and_the_curves_up_to_the_last_frame():
    tr = _trainer(n=64, batch=8)
    frames = live.train_frames(tr, target=8, steps=8, n_frames=4)
    header, a = unpack(live.payload(tr, frames, batch=7, running=True, tick_seconds=1.6, target_epochs=1.0))
    assert header["kind"] == "digits" and header["batch"] == 7 and header["running"] and not header["follows"]
    assert header["status"] == "training" and header["total"] == 8 and header["target_epochs"] == 1.0
    assert [f["step"] for f in header["frames"]] == [f.step for f in frames] and header["frames"][-1]["step"] == 8
    h = tr.history
    assert header["frames"][-1]["evals"] == len(h.eval_steps) == 5  # steps 1, 2, 4, 6, 8
    np.testing.assert_allclose(a["epoch"], np.array(h.eval_steps) / tr.steps_per_epoch)
    for key in live.CURVES:
        assert a[key].dtype == np.float32
        np.testing.assert_allclose(a[key], np.array(getattr(h, key), np.float32))
    header, _ = unpack(live.payload(tr, [live.frame(tr)], batch=8, running=False, tick_seconds=1.6,
                                    target_epochs=1.0, follows=True))
    assert header["status"] == "finished" and header["follows"] and not header["running"]
    header, _ = unpack(live.payload(tr, [live.frame(tr)], batch=9, running=False, tick_seconds=1.6, target_epochs=2.0))
    assert header["status"] == "paused"


def test_curves_without_validation_are_nan_and_a_diverged_run_says_where():
    tr = _trainer(val=False)
    frames = live.train_frames(tr, target=4, steps=4, n_frames=4)
    tr.diverged = 5
    header, a = unpack(live.payload(tr, frames, batch=1, running=False, tick_seconds=1.6, target_epochs=3.0))
    assert header["diverged"] == 5
    assert np.isnan(a["val_loss"]).all() and np.isfinite(a["train_loss"]).all()
    assert live.train_frames(tr, 100, 10, 10) == [live.frame(tr)]  # diverged: nothing more to train


@pytest.mark.parametrize("epochs", [1.0, 2.5, 3.0])
def test_target_step_is_whole_steps_of_the_epochs(epochs):
    tr = _trainer(n=60, batch=8)  # 8 steps an epoch (the last batch is short)
    assert live.target_step(tr, epochs) == math.ceil(epochs * 8)
