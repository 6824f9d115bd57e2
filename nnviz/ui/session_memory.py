"""What closed sessions leave behind in the server process, and how it is given back.

``gc.freeze()`` (nnviz/ui/common.py and nnviz/ui/live_view.py, once per process) makes Streamlit's
full garbage collection after every script run (``runner.postScriptGC``) cheap: objects that
exist at that moment are moved to the permanent generation and never traversed again. But it
runs inside the first script runs, so it also freezes the sessions open at that moment: their
session state (the playground's ``Run`` with its training history, the per-session locks) sits
in reference cycles that the collector, which never looks at frozen objects, can then never free.
On a fresh server a whole class arriving at once is frozen this way and each of those sessions'
state stays for the life of the process, however long they trained (``python
bench/bench_classroom.py --no-live --soak 0 --burst 20 --probe``: without this module the 20
sessions' ``Run`` objects outlive them for good; each holds ~126 bytes of history per step).

``start()`` (called once per process from nnviz/ui/state.py, which every page imports before
those freezes run) starts a daemon thread that, every ``REFREEZE_SECONDS``, unfreezes, collects
and freezes again: what was frozen while alive and has died since is collected at the next turn,
and what was created since (modules a later page imported, live sessions' state) is frozen, so
the per-run collections stay cheap. One full collection a minute costs ~0.1 s of one core. Where
glibc is the allocator, ``malloc_trim(0)`` then hands the heap's free pages back to the system.

Runs only inside a real Streamlit server (not under ``AppTest`` or plain Python).
``NNVIZ_REFREEZE_SECONDS`` overrides the period (``0`` turns it off) for benchmarks.
"""

from __future__ import annotations

import ctypes
import gc
import os
import threading
import time
from dataclasses import dataclass

#: Seconds between two re-freezes.
REFREEZE_SECONDS = 60.0

_lock = threading.Lock()
_thread: threading.Thread | None = None


@dataclass(frozen=True)
class Refreeze:
    """One turn: objects the collection freed, objects frozen after it, seconds it took."""

    collected: int
    frozen: int
    seconds: float


def _malloc_trim() -> None:
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass


def refreeze(trim: bool = True) -> Refreeze:
    """Unfreeze, collect every generation, freeze again (and give free heap pages back)."""
    t0 = time.perf_counter()
    gc.unfreeze()
    collected = gc.collect()
    gc.freeze()
    if trim:
        _malloc_trim()
    return Refreeze(collected=collected, frozen=gc.get_freeze_count(), seconds=time.perf_counter() - t0)


def _in_server() -> bool:
    try:
        from streamlit import runtime
        from streamlit.runtime import Runtime

        return runtime.exists() and type(runtime.get_instance()) is Runtime  # AppTest: a MagicMock(spec=Runtime)
    except Exception:  # outside a runtime, or its internals moved
        return False


def period() -> float:
    """The period in force: ``NNVIZ_REFREEZE_SECONDS`` if set, else ``REFREEZE_SECONDS``."""
    try:
        return float(os.environ.get("NNVIZ_REFREEZE_SECONDS", REFREEZE_SECONDS))
    except ValueError:
        return REFREEZE_SECONDS


def _loop(seconds: float) -> None:
    while True:
        time.sleep(seconds)
        if gc.get_freeze_count():  # nothing to do until something froze
            refreeze()


def start() -> bool:
    """Start the re-freezing thread once per server process; True if it runs (now or already)."""
    global _thread
    seconds = period()
    if seconds <= 0 or not _in_server():
        return False
    with _lock:
        if _thread is None:
            _thread = threading.Thread(target=_loop, args=(seconds,), name="nnviz-refreeze", daemon=True)
            _thread.start()
    return True
