"""Run ``streamlit`` with a memory probe inside the server process (for bench/bench_classroom.py).

    python bench/server_probe.py run app.py --server.port ...      (what ``serve(python=...)`` runs)

The probe is a daemon thread that waits for a request file, ``$NNVIZ_PROBE.req``, and answers each
with ``$NNVIZ_PROBE.<n>.json``: the server's RSS; glibc's heap (``mallinfo2``: bytes in use, free
inside the heap, mmapped), before and after ``malloc_trim(0)`` when the request says ``trim``; the
live objects the session machinery is made of (``AppSession``, ``SessionState``, the playground's
``Run``, ``Network``, ``threading.Thread``), the sessions Streamlit holds (active, and disconnected
ones kept for a reconnect: ``server.disconnectedSessionTTL``), the most common object types; and
with ``NNVIZ_PROBE_TRACEMALLOC=<frames>`` (tracing from start-up, slow) the allocation sites that
grew most since the first request. Nothing here runs unless asked; it only reads.
"""

from __future__ import annotations

import collections
import contextlib
import ctypes
import gc
import json
import os
import sys
import threading
import time
import tracemalloc
import types
import weakref
from pathlib import Path

PAGE = os.sysconf("SC_PAGE_SIZE")


class _Mallinfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in
                ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks",
                 "keepcost")]


def _libc():
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallinfo2.restype = _Mallinfo2
        return libc
    except (OSError, AttributeError):
        return None


LIBC = _libc()


def rss_mb() -> float:
    return int(Path("/proc/self/statm").read_text().split()[1]) * PAGE / 1e6


def heap() -> dict[str, float]:
    if LIBC is None:
        return {}
    m = LIBC.mallinfo2()
    return {"heap MB": m.arena / 1e6, "in use MB": m.uordblks / 1e6, "free in heap MB": m.fordblks / 1e6,
            "mmapped MB": m.hblkhd / 1e6}


def _count(names: tuple[str, ...]) -> dict[str, int]:
    counts = collections.Counter()
    for obj in gc.get_objects():
        name = type(obj).__name__
        if name in names:
            counts[name] += 1
    return {n: counts.get(n, 0) for n in names}


#: Instances of these classes, created since start-up, by weak reference: ``gc.get_objects`` misses
#: what ``gc.freeze()`` moved to the permanent generation (nnviz/ui/common.py and live_view.py do).
TRACKED: dict[str, weakref.WeakSet] = {}


def track(cls: type) -> None:
    live = TRACKED.setdefault(cls.__name__, weakref.WeakSet())
    init = cls.__init__

    def __init__(self, *args, **kwargs):
        init(self, *args, **kwargs)
        with contextlib.suppress(TypeError):
            live.add(self)

    cls.__init__ = __init__


def deep_size(root: object, limit: int = 200_000) -> int:
    """Bytes reachable from ``root`` (``sys.getsizeof`` over ``gc.get_referents``, NumPy buffers by
    ``nbytes``), not counting modules, classes and functions (shared by everyone)."""
    import numpy as np

    skip = (type, types.ModuleType, types.FunctionType, types.BuiltinFunctionType, types.MethodType)
    seen, stack, total = set(), [root], 0
    while stack and len(seen) < limit:
        obj = stack.pop()
        if id(obj) in seen or isinstance(obj, skip):
            continue
        seen.add(id(obj))
        total += sys.getsizeof(obj, 0)
        if isinstance(obj, np.ndarray):
            total += obj.nbytes if obj.base is None else 0
        stack.extend(gc.get_referents(obj))
    return total


def _sessions(detail: bool) -> dict:
    try:
        from streamlit.runtime import Runtime

        mgr = Runtime.instance()._session_mgr
        storage = getattr(mgr._session_storage, "_cache", None)
        media = Runtime.instance().media_file_mgr
        out: dict = {"media sessions": len(getattr(media, "_files_by_session_and_coord", ())),
                     "active": len(mgr.list_active_sessions()),
                     "stored (disconnected)": len(getattr(storage, "_data", ())) if storage is not None else -1}
        if detail:
            sizes = []
            for info in mgr.list_sessions():
                state = info.session._session_state
                keys = {**state._old_state, **state._new_session_state}
                sizes.append({"id": info.session.id[:8], "state kB": deep_size(keys) / 1e3,
                              "keys": len(keys), "largest": sorted(
                                  ((round(deep_size(v) / 1e3, 1), str(k)[:40]) for k, v in keys.items()),
                                  reverse=True)[:6]})
            out["per session"] = sizes
        return out
    except Exception as exc:  # the runtime's internals are not an API
        return {"error": repr(exc)}


def caches() -> dict[str, dict]:
    """Every st.cache_resource (entries, max_entries, deep size of the values) and st.cache_data
    (entries, bytes: Streamlit stores its values pickled) in the process, by function."""
    from streamlit.runtime.caching import cache_data_api, cache_resource_api

    out: dict[str, dict] = {}
    for kind, registry in (("resource", cache_resource_api._resource_caches), ("data", cache_data_api._data_caches)):
        for scope in list(registry._function_caches.values()):
            for cache in list(scope.values()):
                name = getattr(cache, "display_name", "?")
                row = out.setdefault(f"{kind} {name}", {"entries": 0, "MB": 0.0})
                row["max_entries"] = getattr(cache, "max_entries", None)
                mem = getattr(cache, "_mem_cache", None)
                values = list(getattr(mem, "_data", {}).values()) if mem is not None else []
                row["entries"] += len(values)
                if kind == "resource":
                    row["MB"] += sum(deep_size(getattr(v, "value", v)) for v in values) / 1e6
                else:
                    row["MB"] += sum(len(v) if isinstance(v, bytes | bytearray) else deep_size(v) for v in values) / 1e6
    return out


def report(request: dict, first: list) -> dict:
    gc.collect()
    out = {"t": time.time(), "rss MB": rss_mb(), **heap(), "sessions": _sessions(bool(request.get("detail"))),
           "tracked": {name: len(live) for name, live in TRACKED.items()}, "frozen": gc.get_freeze_count(),
           "objects": _count(("AppSession", "SessionState", "Run", "Network", "Trainer", "Thread", "ScriptRunner",
                              "ndarray")),
           "threads": threading.active_count()}
    out["top types"] = collections.Counter(type(o).__name__ for o in gc.get_objects()).most_common(25)
    if request.get("caches"):
        try:
            out["caches"] = caches()
        except Exception as exc:  # Streamlit's cache internals are not an API
            out["caches"] = {"error": repr(exc)}
    if request.get("trim") and LIBC is not None:
        LIBC.malloc_trim(0)
        out["after trim"] = {"rss MB": rss_mb(), **heap()}
    if tracemalloc.is_tracing():
        snap = tracemalloc.take_snapshot().filter_traces([tracemalloc.Filter(False, tracemalloc.__file__)])
        if not first:
            first.append(snap)
        stats = snap.compare_to(first[0], "traceback")[:int(request.get("top", 15))]
        out["traced MB"] = tracemalloc.get_traced_memory()[0] / 1e6
        out["grown since first"] = [
            {"MB": s.size_diff / 1e6, "count": s.count_diff,
             "where": [f"{f.filename.replace(sys.prefix, '<venv>')}:{f.lineno}" for f in s.traceback[-8:]]}
            for s in stats]
    return out


def _serve(base: str) -> None:
    first: list = []
    n = 0
    req = Path(base + ".req")
    while True:
        if req.exists():
            try:
                request = json.loads(req.read_text() or "{}")
            except (OSError, ValueError):
                request = {}
            req.unlink(missing_ok=True)
            n += 1
            try:
                data = report(request, first)
            except Exception as exc:
                data = {"error": repr(exc)}
            tmp = Path(f"{base}.{n}.json.tmp")
            tmp.write_text(json.dumps(data, indent=1))
            tmp.rename(f"{base}.{n}.json")
        time.sleep(0.2)


def ask(base: str, n: int, timeout: float = 120.0, **request) -> dict:
    """From the benchmark: request report ``n`` (1, 2, ...) and wait for it."""
    Path(base + ".req").write_text(json.dumps(request))
    path = Path(f"{base}.{n}.json")
    deadline = time.time() + timeout
    while not path.exists():
        if time.time() > deadline:
            raise TimeoutError(f"no probe report {path}")
        time.sleep(0.2)
    return json.loads(path.read_text())


def main() -> None:
    frames = int(os.environ.get("NNVIZ_PROBE_TRACEMALLOC", "0") or 0)
    if frames:
        tracemalloc.start(frames)
    base = os.environ.get("NNVIZ_PROBE")
    if base:
        threading.Thread(target=_serve, args=(base,), daemon=True, name="nnviz-probe").start()
    from streamlit.runtime.app_session import AppSession
    from streamlit.runtime.state.session_state import SessionState
    from streamlit.web.cli import main as streamlit_main

    sys.path.insert(0, os.getcwd())
    from nnviz.labs.playground.run import Run  # the engine only: no streamlit import

    for cls in (AppSession, SessionState, Run):
        track(cls)

    sys.argv = ["streamlit", *sys.argv[1:]]
    streamlit_main()


if __name__ == "__main__":
    main()
