"""Live ticks share the server: they take turns, and each does less when the class outgrows it.

Every live view (playground, comparison runs, digits training) trains one tick's batch of frames
per server tick, in its session's own script thread. Twenty sessions are twenty such threads; with
more than the server can carry, they all compete for the interpreter at once, each tick takes
longer than the period, the next one asks for more steps to catch up, and the event loop that
sends the batches gets a smaller and smaller share: past ~25 sessions on 2 cores every session
froze (``bench/bench_classroom.py --sessions 30``: 0 batches in 15 s).

``TURNS`` lets one tick compute at a time, first come first served (a ``JobQueue`` of one slot;
``NNVIZ_LIVE_TURNS`` for more): waiting ticks sleep instead of competing, so the batches keep going
out and every session gets its turn in each round. ``SHARE`` measures how busy those turns keep
the server and steers a work ``scale`` in (0, 1]: the steps and frames each tick plans are
multiplied by it (frames kept at ``MIN_FPS`` per second of tick where the steps allow), so past
capacity every session slows by the same factor instead of some freezing.

    busy  = seconds of turns in the last WINDOW s / WINDOW
    scale <- scale x target / busy   (busy > target; at most halved per WINDOW / 2)
    scale <- scale x target / busy   (busy < 0.85 target; at most 1.5x, up to 1)

``target`` is the fraction of the time the turns may take (``NNVIZ_LIVE_BUSY``, default 0.7: the
interpreter is one core's worth for Python work, and the rest goes to Streamlit's own work per
rerun and the event loop that sends the batches).
"""

from __future__ import annotations

import math
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import streamlit as st

from nnviz.ui.common import count_setting
from nnviz.ui.jobs import JobQueue

#: Seconds of turns that the demand is measured over.
WINDOW = 4.0
#: The smallest work scale (a tick always trains at least one step).
MIN_SCALE = 0.02
#: Frames per second of tick kept when the work is scaled down (if there are that many steps).
MIN_FPS = 10


def busy_target() -> float:
    """``NNVIZ_LIVE_BUSY`` (a fraction of one core in (0, 1]) or 0.7; ``ValueError`` naming a bad value."""
    raw = os.environ.get("NNVIZ_LIVE_BUSY", "").strip()
    if not raw:
        return 0.7
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not 0.0 < value <= 1.0:
        raise ValueError(f"NNVIZ_LIVE_BUSY must be a fraction in (0, 1], got {raw!r}")
    return value


class LiveShare:
    """The work scale for live ticks, steered by how busy the recent turns kept the server (see
    the module): every ``window / 2`` seconds at most, a busy share above ``target`` scales the
    work down by target / busy (at most halving it), one well below scales it back up (at most
    1.5x, up to 1). Turns' durations are measured, so fixed costs per tick are accounted for."""

    def __init__(self, target: float = 0.7, window: float = WINDOW,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if not 0.0 < target <= 1.0 or window <= 0:
            raise ValueError(f"target must be in (0, 1] and window > 0, got {target} and {window}")
        self.target = target
        self.window = window
        self.clock = clock
        self._turns: deque[tuple[float, float]] = deque()  # (end time, seconds)
        self._scale = 1.0
        self._steered = -math.inf
        self._lock = threading.Lock()

    def _forget(self, now: float) -> None:
        while self._turns and self._turns[0][0] < now - self.window:
            self._turns.popleft()

    def record(self, seconds: float) -> None:
        """A turn that took ``seconds`` ended now."""
        now = self.clock()
        with self._lock:
            self._turns.append((now, max(seconds, 0.0)))
            self._forget(now)

    def busy(self) -> float:
        """The fraction of the last ``window`` seconds that turns ran (0 when idle)."""
        with self._lock:
            self._forget(self.clock())
            return min(1.0, sum(seconds for _, seconds in self._turns) / self.window)

    def scale(self) -> float:
        """The current work scale in [MIN_SCALE, 1], steered towards ``target`` busy."""
        now = self.clock()
        with self._lock:
            due = now - self._steered >= self.window / 2
        if due:
            busy = self.busy()
            with self._lock:
                self._steered = now
                if busy > self.target:
                    self._scale = max(MIN_SCALE, self._scale * max(0.5, self.target / busy))
                elif busy < 0.85 * self.target:
                    self._scale = min(1.0, self._scale * min(1.5, self.target / max(busy, 1e-3)))
        return self._scale


def scaled(steps: int, frames: int, scale: float, tick_seconds: float) -> tuple[int, int]:
    """(steps, frames) of a tick at work ``scale``: steps x scale (at least 1 if there were any),
    frames x scale but at least ``MIN_FPS`` per second of tick, never more than the steps."""
    if steps <= 0 or scale >= 1.0:
        return steps, frames
    new_steps = max(1, int(steps * scale))
    floor = math.ceil(MIN_FPS * tick_seconds)
    new_frames = max(1, min(new_steps, frames, max(int(round(frames * scale)), floor)))
    return new_steps, new_frames


def turn_slots() -> int:
    """``NNVIZ_LIVE_TURNS`` (a positive integer) or 1: ticks computing at once. One: the ticks'
    small NumPy operations hold the interpreter, so two at once only wait on each other (measured:
    20 sessions got 14 steps/s each with two turns, 77 with one, on the same loaded machine)."""
    return count_setting("NNVIZ_LIVE_TURNS", 1)


#: The server's turns for live ticks and their measured share.
TURNS = JobQueue(turn_slots())
SHARE = LiveShare(busy_target())


@contextmanager
def turn(share: LiveShare | None = None, turns: JobQueue | None = None) -> Iterator[float]:
    """Wait for this tick's turn, then hold it for the ``with`` block, which gets the work scale
    to apply (``scaled``); the turn's duration is recorded against that scale."""
    share = SHARE if share is None else share
    turns = TURNS if turns is None else turns
    with turns.slot():
        scale = share.scale()
        start = time.perf_counter()
        try:
            yield scale
        finally:
            share.record(time.perf_counter() - start)


def busy_text(scale: float) -> str | None:
    """What the user reads when the server slowed this tick (None at full speed)."""
    if scale >= 0.95:
        return None
    return (f"This server is shared by many live sessions: every run trains at about {scale:.0%} of its "
            "chosen speed for now, and speeds up again when others pause or leave.")


def busy_note(scale: float) -> None:
    """A caption under a live view while the server scales its work down (nothing otherwise)."""
    text = busy_text(scale)
    if text is not None:
        st.caption(f":material/groups: {text}")
