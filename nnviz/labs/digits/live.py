"""Live training on the digits page: a tick's training as a batch of frames, packed for the browser.

The page's canvas view (``nnviz/ui/live_view/digits.js``) plays one batch per server tick, like the
playground's: ``train_frames`` trains step by step for about ``seconds`` of the clock (at least one
step) up to step ``target``, recording a ``Frame`` (step, epoch, evaluations so far) at even times,
at most one per step and at most ``max_frames``. The last frame is the trainer's state when it
returns; ``seconds=0`` gives one frame of the current state and trains nothing.

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

from nnviz.labs.packing import pack
from nnviz.nn.training import Trainer

#: Frames the browser shows per second while training.
FPS = 30
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


def train_frames(trainer: Trainer, target: int, seconds: float, max_frames: int = FPS,
                 clock: Callable[[], float] = time.perf_counter) -> list[Frame]:
    """Train one step at a time for about ``seconds`` (at least one step while below ``target``),
    stopping at ``target`` or on divergence; a frame after the step that crosses each
    ``seconds / max_frames`` of the clock (so at most one per step), and always one at the end."""
    if seconds <= 0 or trainer.step >= target or trainer.diverged is not None:
        return [frame(trainer)]
    out: list[Frame] = []
    start = clock()
    every = seconds / max(max_frames, 1)
    due = every
    while trainer.step < target and trainer.diverged is None:
        trainer.run(steps=1)
        elapsed = clock() - start
        if elapsed >= seconds:
            break
        if elapsed >= due and len(out) < max_frames - 1:
            out.append(frame(trainer))
            due = (math.floor(elapsed / every) + 1) * every
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
