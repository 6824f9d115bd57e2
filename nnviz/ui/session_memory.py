"""What sessions leave behind in the server process, and how it is given back: closed sessions'
state (re-freezing) and idle sessions' heavy state (release).

**Closed sessions.** ``gc.freeze()`` (nnviz/ui/common.py and nnviz/ui/live_view.py, once per
process) makes Streamlit's full garbage collection after every script run (``runner.postScriptGC``)
cheap: objects that exist at that moment are moved to the permanent generation and never traversed
again. But it runs inside the first script runs, so it also freezes the sessions open at that
moment: their session state (the playground's ``Run`` with its training history, the per-session
locks) sits in reference cycles that the collector, which never looks at frozen objects, can then
never free. On a fresh server a whole class arriving at once is frozen this way and each of those
sessions' state stays for the life of the process (``python bench/bench_classroom.py --no-live
--soak 0 --burst 20 --probe``: without the re-freezing the 20 sessions' ``Run`` objects outlive
them for good). Every ``REFREEZE_SECONDS`` the thread below unfreezes, collects and freezes again:
what was frozen while alive and has died since is collected at the next turn, and what was created
since is frozen, so the per-run collections stay cheap. One full collection costs ~0.1 s of one
core. Where glibc is the allocator, ``malloc_trim(0)`` then hands the heap's free pages back.

**Idle sessions.** A tab left open keeps its session, and with it whatever the pages put in its
session state. A page declares, once at import, the session keys that hold heavy state
(``heavy(key, ...)``, through ``nnviz.ui.state.heavy``): which attributes of the value are derived
data that the page rebuilds when it finds them ``None`` (``rebuilt``: the digits model's test-set
evaluation), which say that a live run goes on (``paused`` attributes, ``flags`` keys: set to
False), whether the whole value is derived (``delete``: the page rebuilds the key when it is
missing), and the page's session lock (``nnviz.ui.common.session_lock``) that guards the value. A
value may also give back memory itself: its ``release_memory()`` is called, if it has one. What the
user would lose (settings, a trained model's weights and optimizer state, the training history, a
drawing) is never registered, so never touched.

A session is idle when no script of it is running and it has not run for ``idle_seconds()``
(``NNVIZ_IDLE_SECONDS``, default 600; 0 turns idle release off), or for ``CLOSED_IDLE_SECONDS``
once its tab is closed: Streamlit keeps a closed session for ``server.disconnectedSessionTTL``
(120 s) in case the tab reconnects, which in a class is a dozen sessions at any time; one that
does reconnect finds its page as a returning user does. Its last activity is the last
call into ``nnviz.ui.state`` (``touch``): every page seeds, reads or remembers its settings there
in every run, and every live tick reads its speed there, so a running live view is never idle; a
live run that stopped ticking (a frozen tab) is paused when its session goes idle. The same thread
checks every ``check_seconds()``; a session is released once per idle spell (it is released again
only after it has run since). The user who comes back finds the page as they left it, paused:
the page rebuilds what was released on its next run.

Runs only inside a real Streamlit server (not under ``AppTest`` or plain Python): tests call
``release`` and ``is_idle`` on an AppTest's session state. ``NNVIZ_REFREEZE_SECONDS`` overrides
the re-freezing period (``0`` turns it off) for benchmarks.
"""

from __future__ import annotations

import ctypes
import gc
import math
import os
import sys
import threading
import time
import types
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

#: Seconds between two re-freezes.
REFREEZE_SECONDS = 60.0
#: Seconds without a run after which a session is idle and its heavy state is released.
IDLE_SECONDS = 600.0
#: The same for a session whose tab is closed (kept by Streamlit for a reconnect).
CLOSED_IDLE_SECONDS = 30.0
#: The session key holding the ``time.monotonic()`` of the session's last activity (``touch``).
ACTIVE_AT = "_nnviz_active_at"
#: The session key holding the activity time at which the session was last released.
RELEASED_AT = "_nnviz_released_at"

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


# ---- what a page declares heavy -------------------------------------------------------------

@dataclass(frozen=True)
class Heavy:
    """A session key whose value holds memory that an idle session gives back (see the module
    docstring): ``rebuilt`` attributes set to None, ``paused`` attributes and ``flags`` keys set to
    False, the value's ``release_memory()`` called, or with ``delete`` the key removed; all while
    holding the page's session lock ``lock`` (the ``key`` of ``nnviz.ui.common.session_lock``)."""

    key: str
    lock: str | None = None
    rebuilt: tuple[str, ...] = ()
    paused: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()
    delete: bool = False


#: Every declared heavy key, by key (a page module declares its keys once, at import).
HEAVY: dict[str, Heavy] = {}


def heavy(key: str, *, lock: str | None = None, rebuilt: tuple[str, ...] = (), paused: tuple[str, ...] = (),
          flags: tuple[str, ...] = (), delete: bool = False) -> Heavy:
    """Declare session key ``key`` heavy (``Heavy``); declaring it again replaces the declaration."""
    if not key or not isinstance(key, str):
        raise ValueError(f"key must be a non-empty string, got {key!r}")
    spec = Heavy(key, lock, tuple(rebuilt), tuple(paused), tuple(flags), bool(delete))
    HEAVY[key] = spec
    return spec


# ---- sizes ------------------------------------------------------------------------------------

_SHARED_TYPES = (type, types.ModuleType, types.FunctionType, types.BuiltinFunctionType, types.MethodType,
                 types.CodeType)


def owned_bytes(root: Any, limit: int = 500_000) -> int:
    """Bytes reachable from ``root`` (``sys.getsizeof`` over ``gc.get_referents``: a NumPy array
    counts its buffer only where it owns it, a view counts its header), not counting modules,
    classes and functions, which every session shares."""
    seen: set[int] = set()
    stack, total = [root], 0
    while stack and len(seen) < limit:
        obj = stack.pop()
        if id(obj) in seen or isinstance(obj, _SHARED_TYPES):
            continue
        seen.add(id(obj))
        total += sys.getsizeof(obj, 0)
        if not isinstance(obj, np.ndarray):
            stack.extend(gc.get_referents(obj))
    return total


# ---- idle sessions ----------------------------------------------------------------------------

def idle_seconds() -> float:
    """Seconds without a run after which a session is idle: ``NNVIZ_IDLE_SECONDS`` if set (``0``:
    never), else ``IDLE_SECONDS``; ``ValueError`` naming a value that is not a number >= 0."""
    raw = os.environ.get("NNVIZ_IDLE_SECONDS", "").strip()
    if not raw:
        return IDLE_SECONDS
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not value >= 0 or math.isinf(value):
        raise ValueError(f"NNVIZ_IDLE_SECONDS must be a number of seconds >= 0, got {raw!r}")
    return value


def check_seconds(idle: float | None = None) -> float:
    """How often the thread looks for idle sessions: a tenth of the idle time, 1 to 10 s (closed
    tabs are idle after ``CLOSED_IDLE_SECONDS``)."""
    idle = idle_seconds() if idle is None else idle
    return min(10.0, max(1.0, idle / 10))


def _get(state: Any, key: str, default: Any = None) -> Any:
    try:
        return state[key] if key in state else default
    except KeyError:  # removed meanwhile
        return default


def _set(state: Any, key: str, value: Any) -> None:
    """Write a plain key from outside a script run (Streamlit's ``SessionState.reset_state_value``
    writes without the widget checks that need a script context)."""
    reset = getattr(state, "reset_state_value", None)
    if reset is not None:
        reset(key, value)
    else:
        state[key] = value


def touch(state: Any, now: float | None = None) -> None:
    """Mark the session of ``state`` active now (``nnviz.ui.state`` calls this in every run)."""
    state[ACTIVE_AT] = time.monotonic() if now is None else now


def is_idle(state: Any, now: float | None = None, idle: float | None = None) -> bool:
    """True when the session of ``state`` was last active at least ``idle`` seconds ago (default
    ``idle_seconds()``) and has not been released since. A session never marked active is not
    idle (it has not run a page yet)."""
    idle = idle_seconds() if idle is None else idle
    active = _get(state, ACTIVE_AT)
    if idle <= 0 or active is None:
        return False
    now = time.monotonic() if now is None else now
    return now - active >= idle and _get(state, RELEASED_AT) != active


@dataclass
class Released:
    """What one session gave back: the keys released, their owned bytes before and after, the
    keys skipped because their page's lock was held (they are tried again at the next check)."""

    keys: list[str] = field(default_factory=list)
    before: int = 0
    after: int = 0
    busy: list[str] = field(default_factory=list)

    @property
    def freed(self) -> int:
        return self.before - self.after


def _release_one(state: Any, spec: Heavy, out: Released) -> None:
    value = _get(state, spec.key)
    for flag in spec.flags:
        if _get(state, flag):
            _set(state, flag, False)
    if value is None:
        return
    before = owned_bytes(value)
    for name in spec.paused:
        if getattr(value, name, False):
            setattr(value, name, False)
    for name in spec.rebuilt:
        if getattr(value, name, None) is not None:
            setattr(value, name, None)
    release = getattr(value, "release_memory", None)
    if callable(release):
        release()
    if spec.delete:
        del state[spec.key]
        after = 0
    else:
        after = owned_bytes(value)
    out.keys.append(spec.key)
    out.before += before
    out.after += after


def release(state: Any, specs: dict[str, Heavy] | None = None) -> Released:
    """Give back the heavy state of one session (``specs``: default every declared key), each key
    under its page's session lock, taken without waiting: a key whose lock is held (a script is
    using it) is left for the next check. Marks the session released at its last activity, once
    every key was done."""
    out = Released()
    for spec in (HEAVY if specs is None else specs).values():
        lock = _get(state, f"_{spec.lock}_lock") if spec.lock else None
        if lock is not None and not lock.acquire(blocking=False):
            out.busy.append(spec.key)
            continue
        try:
            _release_one(state, spec, out)
        finally:
            if lock is not None:
                lock.release()
    if not out.busy:
        _set(state, RELEASED_AT, _get(state, ACTIVE_AT))
    return out


def _sessions() -> Iterator[tuple[Any, bool, bool]]:
    """(session state, a script of it is running now, its tab is connected) of every session the
    server holds, closed ones kept for a reconnect included; nothing outside a server, or where
    Streamlit's internals (not an API) have moved."""
    try:
        from streamlit.runtime import Runtime

        manager = Runtime.instance()._session_mgr
        connected = {info.session.id for info in manager.list_active_sessions()}
        infos = manager.list_sessions()
    except Exception:
        return
    for info in infos:
        try:
            session = info.session
            yield (session.session_state, getattr(session, "_scriptrunner", None) is not None,
                   session.id in connected)
        except Exception:
            continue


def release_idle(now: float | None = None, idle: float | None = None,
                 sessions: Callable[[], Iterator[tuple[Any, bool, bool]]] = _sessions) -> list[Released]:
    """``release`` every idle session (a closed one after ``CLOSED_IDLE_SECONDS``) that is not
    running a script now; what each gave back."""
    idle = idle_seconds() if idle is None else idle
    done = []
    for state, running, connected in sessions():
        if not running and is_idle(state, now, idle if connected or idle <= 0 else min(idle, CLOSED_IDLE_SECONDS)):
            done.append(release(state))
    return done


# ---- the thread -------------------------------------------------------------------------------

def _in_server() -> bool:
    try:
        from streamlit import runtime
        from streamlit.runtime import Runtime

        return runtime.exists() and type(runtime.get_instance()) is Runtime  # AppTest: a MagicMock(spec=Runtime)
    except Exception:  # outside a runtime, or its internals moved
        return False


def period() -> float:
    """The re-freezing period in force: ``NNVIZ_REFREEZE_SECONDS`` if set, else ``REFREEZE_SECONDS``."""
    try:
        return float(os.environ.get("NNVIZ_REFREEZE_SECONDS", REFREEZE_SECONDS))
    except ValueError:
        return REFREEZE_SECONDS


def _loop(refreeze_every: float, idle: float) -> None:
    step = min(s for s in (refreeze_every if refreeze_every > 0 else math.inf,
                           check_seconds(idle) if idle > 0 else math.inf))
    last = time.monotonic()
    while True:
        time.sleep(step)
        freed = False
        if idle > 0:
            try:
                freed = any(r.keys for r in release_idle(idle=idle))
            except Exception:  # a page's release must never take the thread down
                freed = False
        due = refreeze_every > 0 and time.monotonic() - last >= refreeze_every
        if (due or freed) and gc.get_freeze_count():  # nothing to do until something froze
            refreeze()
            last = time.monotonic()
        elif freed:
            gc.collect()
            _malloc_trim()


def start() -> bool:
    """Start the thread once per server process (re-freezing, idle release); True if it runs."""
    global _thread
    refreeze_every, idle = period(), idle_seconds()
    if (refreeze_every <= 0 and idle <= 0) or not _in_server():
        return False
    with _lock:
        if _thread is None:
            _thread = threading.Thread(target=_loop, args=(refreeze_every, idle), name="nnviz-session-memory",
                                       daemon=True)
            _thread.start()
    return True
