"""Pacing a live view: how many training steps a server tick takes and in how many frames the
browser shows them (the playground, the comparison runs and the digits training share it).

Plain Python and NumPy.
"""

from __future__ import annotations

import math

import numpy as np

#: Frames a second a live view shows unless it says otherwise.
FPS = 30


def covered_seconds(last: float | None, now: float, tick_seconds: float) -> float:
    """The seconds of the clock a tick's steps cover: the time since the last tick (``last``,
    None for the first: one tick), at least one tick (the browser asks every tick; one asked for
    while a tick runs starts when it ends, so gaps vary) and at most 1.5 (a late tick does not
    catch up on more)."""
    if last is None:
        return tick_seconds
    return min(max(now - last, tick_seconds), 1.5 * tick_seconds)


def plan(steps_per_second: float, tick_seconds: float, carry: float = 0.0, fps: int = FPS) -> tuple[int, int, float]:
    """(steps, frames, carry) for one tick: ``steps_per_second * tick_seconds`` steps (the fraction
    is carried to the next tick, so 1 step/s at 0.5 s ticks is a step every other tick), shown as
    ``fps * tick_seconds`` frames rounded up (one per step when steps are few; 0 frames: no step).
    Up, because ticks come a little late: 60 frames for a 2.016 s tick would play at 29.8 a second."""
    if steps_per_second < 0 or tick_seconds <= 0:
        raise ValueError(f"speed must be >= 0 and the tick > 0, got {steps_per_second} and {tick_seconds}")
    want = steps_per_second * tick_seconds + carry
    steps = int(math.floor(want + 1e-9))
    frames = min(steps, max(1, math.ceil(fps * tick_seconds - 1e-9)))
    return steps, frames, want - steps


def chunks(steps: int, n_frames: int) -> list[int]:
    """Steps per frame: ``steps`` split into ``n_frames`` near-equal positive parts (sum = steps)."""
    if steps <= 0 or n_frames <= 0:
        return []
    n = min(n_frames, steps)
    edges = np.round(np.linspace(0, steps, n + 1)).astype(np.int64)
    return [int(d) for d in np.diff(edges)]
