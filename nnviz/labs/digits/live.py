"""Live training on the digits page: a tick's training as a batch of frames, packed for the browser.

The page's canvas view (``nnviz/ui/live_view/digits.js``) plays one batch per server tick, like the
playground's, at a speed in steps per second: the page plans a tick's steps and frames with the
playground's ``plan`` (``steps = speed x seconds since the last tick``, the fraction carried on;
at most ``FPS`` frames a second), and ``train_frames`` trains them, a ``Frame`` (step, epoch,
evaluations so far) after each of ``n_frames`` near-equal chunks, stopping early at step
``target``, on divergence, or when the tick's training has used ``seconds`` of the clock (a
session's share of the server: slow architectures train fewer steps, never longer ticks). The
last frame is the trainer's state when it returns; ``steps=0`` gives one frame of the current
state and trains nothing.

``payload`` packs a batch (``nnviz.labs.packing``): the header has ``kind`` "digits", ``batch``,
``running``, ``follows`` (nothing was trained since the previous batch: play it after that one),
``tick`` (s), ``status`` ("training", "paused", "finished"), ``target_epochs``, ``total`` (steps),
``frames`` [{step, epoch, evals}] and ``diverged``; the arrays are the evaluation curves up to the
batch's last frame: ``epoch`` (E,) float64 and ``train_loss``, ``val_loss``, ``train_accuracy``,
``val_accuracy`` (E,) float32, NaN where there is no value (no validation data).

Plain NumPy: no streamlit.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from nnviz.labs.pacing import chunks
from nnviz.labs.packing import pack
from nnviz.nn.training import Trainer

#: Frames the browser shows per second while training (at most one per step): a little over 30, so
#: the timer jitter of the shared playing loop still leaves at least 30 visible updates a second
#: (measured 29.7-30.0 at 30, 32.0 at 32; bench/bench_browser.py --live digits).
FPS = 32
CURVES = ("train_loss", "val_loss", "train_accuracy", "val_accuracy")


@dataclass(frozen=True)
class Frame:
    """The trainer at one moment: its step, epoch and how many evaluations its history holds."""

    step: int
    epoch: float
    evals: int


def frame(trainer: Trainer) -> Frame:
    """The trainer as it is now."""
    return Frame(step=trainer.step, epoch=trainer.epoch, evals=len(trainer.history.eval_steps))


def target_step(trainer: Trainer, epochs: float) -> int:
    """The step at which ``epochs`` epochs are done: ceil(epochs x steps per epoch)."""
    return math.ceil(epochs * trainer.steps_per_epoch - 1e-9)


def train_frames(trainer: Trainer, target: int, steps: int, n_frames: int, seconds: float = math.inf,
                 clock: Callable[[], float] = time.perf_counter) -> list[Frame]:
    """Train ``steps`` steps (fewer at ``target``, on divergence, or once ``seconds`` of the clock
    are used; at least one while below ``target``) in ``chunks(steps, n_frames)``, a frame after
    each chunk; the last frame is always the trainer's state on return."""
    out: list[Frame] = []
    if steps > 0:
        start, done = clock(), 0
        for size in chunks(steps, max(n_frames, 1)):
            for _ in range(size):
                if trainer.step >= target or trainer.diverged is not None or (done and clock() - start >= seconds):
                    break
                trainer.run(steps=1)
                done += 1
            else:
                out.append(frame(trainer))
                continue
            break
    last = frame(trainer)
    if not out or out[-1] != last:
        out.append(last)
    return out


def status(trainer: Trainer, target: int, running: bool) -> str:
    """"training" while running, "finished" at ``target``, else "paused"."""
    return "training" if running else ("finished" if trainer.step >= target else "paused")


def payload(trainer: Trainer, frames: Sequence[Frame], *, batch: int, running: bool, tick_seconds: float,
            target_epochs: float, follows: bool = False) -> bytes:
    """One blob for the digits view (the module docstring lists its header and arrays)."""
    h = trainer.history
    n = frames[-1].evals if frames else len(h.eval_steps)
    total = target_step(trainer, target_epochs)
    header = {
        "kind": "digits", "batch": int(batch), "running": bool(running), "follows": bool(follows),
        "tick": float(tick_seconds), "status": status(trainer, total, running), "target_epochs": float(target_epochs),
        "total": int(total), "diverged": trainer.diverged,
        "frames": [{"step": f.step, "epoch": round(f.epoch, 4), "evals": f.evals} for f in frames],
    }
    arrays = {"epoch": np.asarray(h.eval_steps[:n], np.float64) / trainer.steps_per_epoch,
              **{k: np.asarray(getattr(h, k)[:n], np.float32) for k in CURVES}}
    return pack(header, arrays)
