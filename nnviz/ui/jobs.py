"""Heavy one-off jobs (landscape grids, training runs, evaluations) share a small worker pool.

On a shared server (a classroom), twenty sessions that each start a loss-landscape grid at once
would otherwise run twenty grids at once, and every live view on the server would stall while
they do. ``JobQueue`` lets at most ``workers`` heavy jobs run at a time, in arrival order; the
others wait, and the page says how many jobs are ahead (``heavy``). Live ticks (a few ms each)
do not go through it.

The queue is a gate, not a thread pool: the job runs in the session's own script thread (so a
progress bar or a rerun works as usual); ``slot`` blocks that thread until the job's turn.
Re-entrant per thread: a heavy job that calls another (a plane that needs the training runs)
keeps its one slot. A script stopped while waiting (the user left the page) gives its place up.

``NNVIZ_HEAVY_JOBS`` sets the number of workers (default: half the cores, at least one), so a
2-core server runs one heavy job and keeps a core for the live sessions.
"""

from __future__ import annotations

import os
import threading
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import streamlit as st

from nnviz.ui.common import count_setting


def default_workers() -> int:
    """``NNVIZ_HEAVY_JOBS`` if set (a positive integer), else half the cores, at least 1."""
    return count_setting("NNVIZ_HEAVY_JOBS", max(1, (os.cpu_count() or 2) // 2))


class JobQueue:
    """At most ``workers`` jobs hold a slot at once; waiting jobs get theirs first come, first served."""

    def __init__(self, workers: int) -> None:
        if workers < 1:
            raise ValueError(f"workers must be >= 1, got {workers}")
        self.workers = workers
        self._cond = threading.Condition()
        self._running = 0
        self._waiting: deque[object] = deque()
        self._held = threading.local()

    @property
    def running(self) -> int:
        return self._running

    @property
    def waiting(self) -> int:
        return len(self._waiting)

    def _ahead(self, ticket: object) -> int | None:
        """Jobs that go before ``ticket`` (running ones and earlier waiting ones), or None if it may start."""
        position = self._waiting.index(ticket)
        if position == 0 and self._running < self.workers:
            return None
        return self._running + position

    @contextmanager
    def slot(self, on_wait: Callable[[int], None] | None = None, poll: float = 0.25) -> Iterator[None]:
        """Hold a slot for the ``with`` block. While waiting, ``on_wait(jobs_ahead)`` is called (outside
        the lock) whenever that number changes, and at least every ``poll`` seconds the wait is
        re-checked; an exception raised by ``on_wait`` (a stopped script) gives the place up."""
        depth = getattr(self._held, "depth", 0)
        if depth:  # this thread already holds a slot: a nested job runs in it
            self._held.depth = depth + 1
            try:
                yield
            finally:
                self._held.depth -= 1
            return
        ticket = object()
        shown: int | None = None
        with self._cond:
            self._waiting.append(ticket)
        try:
            while True:
                with self._cond:
                    ahead = self._ahead(ticket)
                    if ahead is None:
                        self._waiting.popleft()
                        self._running += 1
                        break
                    if ahead == shown:
                        self._cond.wait(poll)
                        continue
                shown = ahead
                if on_wait is not None:
                    on_wait(ahead)
        except BaseException:
            with self._cond:
                if ticket in self._waiting:
                    self._waiting.remove(ticket)
                    self._cond.notify_all()
            raise
        self._held.depth = 1
        try:
            yield
        finally:
            self._held.depth = 0
            with self._cond:
                self._running -= 1
                self._cond.notify_all()


#: The server's one queue of heavy jobs (shared by every session of this process).
HEAVY = JobQueue(default_workers())


def waiting_text(ahead: int) -> str:
    """What a waiting user reads: how many jobs are ahead."""
    jobs = "1 job" if ahead == 1 else f"{ahead} jobs"
    return (f"Waiting for a free worker: {jobs} ahead of you on this server. Your settings are kept; "
            "this starts by itself.")


@contextmanager
def heavy(queue: JobQueue | None = None) -> Iterator[None]:
    """Run the ``with`` block as a heavy job of ``queue`` (default ``HEAVY``), showing the user the
    jobs ahead while it waits (the message goes away when the job starts)."""
    queue = HEAVY if queue is None else queue
    box: list = []

    def on_wait(ahead: int) -> None:
        if not box:
            box.append(st.empty())
        box[0].info(waiting_text(ahead), icon=":material/hourglass_top:")

    with queue.slot(on_wait):
        if box:
            box[0].empty()
        yield
