"""A small Streamlit client: speaks the app's websocket protocol like a browser tab, without one.

One ``Session`` is one browser tab: it opens ``ws://HOST/_stcore/stream``, sends ``rerun_script``
``BackMsg``s with a ``ClientState`` (query string, page, widget states, fragment id, auto-rerun
flag) and reads the ``ForwardMsg``s the server sends back. What it keeps of them is what the
benchmarks need:

- the page's script hash and the app's pages (``new_session``, ``navigation``), the query string
  the script set (``page_info_changed``), so later reruns say what the browser would say;
- the widget id of every button, by its user key (``pg_play``), to "click" one: a rerun whose
  widget states hold that id with ``trigger_value=True``;
- the fragments' timers: ``auto_rerun`` (fragment id, interval) starts a timer that sends a
  fragment rerun (``fragment_id``, ``is_auto_rerun=True``) every interval, as the frontend's
  ``setInterval`` does; ``stop_auto_rerun``, a new full run and a page switch clear them;
- the live views' data blobs (``bidi_component.bytes`` of the ``nnviz.live_view`` component, the
  playground's, and of ``nnviz.digits_view``, the digits training's): only the JSON header is
  read (``nnviz.labs.packing``'s format), for the step of each frame; each batch is recorded with
  its arrival time.

Plain asyncio over the ``websockets`` package (a dependency of Streamlit 1.67, whose server is
uvicorn/starlette) and Streamlit's own protobuf classes. No rendering: a batch costs the client
a protobuf parse and a small JSON parse.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from deploy import loopback

ROOT = Path(__file__).resolve().parents[1]
LIVE_COMPONENT = "nnviz.live_view"
#: Every live view whose batches a session records (the playground's and the digits training's).
LIVE_COMPONENTS = (LIVE_COMPONENT, "nnviz.digits_view")
TICKS = os.sysconf("SC_CLK_TCK")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


# ---- the server -----------------------------------------------------------------------------

@contextlib.contextmanager
def serve(log_path: Path, *, options: Sequence[str] = (), env: dict[str, str] | None = None,
          python: Sequence[str] | None = None) -> Iterator[tuple[str, subprocess.Popen]]:
    """``streamlit run app.py`` on 127.0.0.1 (like tests/browser/conftest.py's ``serve_app``, plus
    extra ``--option value`` pairs, environment and interpreter prefix); yields (url, process) and
    stops it by its PID."""
    (port,) = loopback.free_ports(1)
    cmd = [*(python or [sys.executable, "-m", "streamlit"]), "run", str(ROOT / "app.py"),
           "--server.headless", "true", "--server.address", "127.0.0.1", "--server.port", str(port),
           "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false", *options]
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "w") as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                                env={**os.environ, **(env or {})})
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.time() + 60
            while not loopback.healthy(url):
                if proc.poll() is not None or time.time() > deadline:
                    raise RuntimeError(f"streamlit did not start; see {log_path}")
                time.sleep(0.3)
            yield url, proc
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` (all its threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def rss_mb(pid: int) -> float:
    """Resident set size of ``pid`` in MB."""
    return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_SIZE / 1e6


def self_cpu_seconds() -> float:
    t = os.times()
    return t.user + t.system


# ---- the live view's blob -------------------------------------------------------------------

def blob_header(blob: bytes) -> dict:
    """The JSON header of a ``frames.pack`` blob (uint32 LE length, then UTF-8 JSON)."""
    n = int.from_bytes(blob[:4], "little")
    return json.loads(blob[4:4 + n])


@dataclass
class Batch:
    """One live-view update as it arrived: when, the batch id, whether training, the frames' steps."""

    t: float
    batch: int
    running: bool
    steps: list[int]
    nbytes: int
    fragment_run: bool

    @property
    def step(self) -> int:
        return self.steps[-1] if self.steps else -1


# ---- one simulated tab ----------------------------------------------------------------------

@dataclass
class Session:
    """A browser tab's side of the protocol (see the module docstring)."""

    url: str
    path: str = "playground"
    component: str | tuple[str, ...] = LIVE_COMPONENTS
    ws: object = None
    session_id: str = ""
    page_hash: str = ""
    main_hash: str = ""
    query_string: str = ""
    pages: dict[str, str] = field(default_factory=dict)  # url path -> page_script_hash
    buttons: dict[str, str] = field(default_factory=dict)  # user key (or label) -> widget id
    timers: dict[str, asyncio.Task] = field(default_factory=dict)  # fragment id -> timer task
    intervals: dict[str, float] = field(default_factory=dict)
    batches: list[Batch] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)
    received_bytes: int = 0
    runs_finished: int = 0
    _finished: asyncio.Event | None = None
    _reader: asyncio.Task | None = None
    _new_batch: asyncio.Event | None = None
    _full_run_pending: bool = False

    # -- connection ---------------------------------------------------------------------------
    async def open(self, timeout: float = 60.0) -> Session:
        """Connect and load the page (the browser's first rerun); returns when that run finished."""
        from websockets.asyncio.client import connect

        ws_url = self.url.replace("http://", "ws://", 1) + "/_stcore/stream"
        self.ws = await connect(ws_url, subprotocols=["streamlit"], max_size=256 * 2**20, proxy=None,
                                open_timeout=timeout, ping_interval=None)
        self._finished = asyncio.Event()
        self._new_batch = asyncio.Event()
        self._reader = asyncio.create_task(self._read())
        await self.rerun(page_name=self.path, wait=True, timeout=timeout)
        return self

    async def close(self) -> None:
        """Close the tab: timers stop, the websocket closes (the server then disconnects the session)."""
        self._clear_timers()
        if self.ws is not None:
            with contextlib.suppress(Exception):
                await self.ws.close()
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._reader

    # -- sending ------------------------------------------------------------------------------
    def _client_state(self, msg: BackMsg, *, page_hash: str = "", page_name: str = "", fragment_id: str = "",
                      auto: bool = False, triggers: Sequence[str] = ()) -> None:
        cs = msg.rerun_script
        cs.query_string = self.query_string
        cs.page_script_hash = page_hash
        cs.page_name = page_name
        cs.fragment_id = fragment_id
        cs.is_auto_rerun = auto
        for wid in triggers:
            w = cs.widget_states.widgets.add()
            w.id = wid
            w.trigger_value = True
        ci = cs.context_info
        ci.timezone = "UTC"
        ci.timezone_offset = 0
        ci.locale = "en-US"
        ci.url = f"{self.url}/{self.path}" + (f"?{self.query_string}" if self.query_string else "")
        ci.is_embedded = False
        ci.color_scheme = "light"

    async def _send(self, msg: BackMsg) -> None:
        await self.ws.send(msg.SerializeToString())

    async def rerun(self, *, page_name: str = "", page_hash: str | None = None, triggers: Sequence[str] = (),
                    wait: bool = True, timeout: float = 60.0) -> None:
        """A full rerun (a click, a page load or switch); ``wait``: until the run finished."""
        self._finished.clear()
        self._full_run_pending = True
        msg = BackMsg()
        self._client_state(msg, page_hash=self.page_hash if page_hash is None else page_hash, page_name=page_name,
                           triggers=triggers)
        await self._send(msg)
        if wait:
            await asyncio.wait_for(self._finished.wait(), timeout)

    async def click(self, key: str, *, wait: bool = True, timeout: float = 60.0) -> None:
        """Press the button with user key ``key`` (or, failing that, label ``key``)."""
        if key not in self.buttons:
            raise KeyError(f"no button {key!r} on the page; buttons: {sorted(self.buttons)}; "
                           f"exceptions shown: {self.exceptions[:2]}")
        await self.rerun(triggers=[self.buttons[key]], wait=wait, timeout=timeout)

    async def switch_page(self, path: str, *, timeout: float = 60.0) -> None:
        """What a click in the navigation does: clear the timers, rerun with the page's script hash."""
        if path not in self.pages:
            raise KeyError(f"no page {path!r}; pages: {sorted(self.pages)}")
        self._clear_timers()
        self.path = path
        self.query_string = ""
        self.buttons.clear()
        await self.rerun(page_hash=self.pages[path], wait=True, timeout=timeout)

    async def fragment_rerun(self, fragment_id: str) -> None:
        msg = BackMsg()
        self._client_state(msg, page_hash=self.page_hash, fragment_id=fragment_id, auto=True)
        await self._send(msg)

    # -- the fragment timers (the frontend's setInterval) -------------------------------------
    def _clear_timers(self) -> None:
        for task in self.timers.values():
            task.cancel()
        self.timers.clear()
        self.intervals.clear()

    def _start_timer(self, fragment_id: str, interval: float) -> None:
        if self.intervals.get(fragment_id) == interval:
            return  # the frontend keeps a timer whose interval is unchanged
        old = self.timers.pop(fragment_id, None)
        if old is not None:
            old.cancel()
        self.intervals[fragment_id] = interval

        async def tick() -> None:
            due = time.monotonic()
            while True:
                due += interval
                await asyncio.sleep(max(0.0, due - time.monotonic()))
                with contextlib.suppress(Exception):
                    await self.fragment_rerun(fragment_id)

        self.timers[fragment_id] = asyncio.create_task(tick())

    # -- receiving ----------------------------------------------------------------------------
    async def _read(self) -> None:
        with contextlib.suppress(Exception):
            async for raw in self.ws:
                self.received_bytes += len(raw)
                msg = ForwardMsg()
                msg.ParseFromString(raw)
                self._handle(msg)

    def _handle(self, msg: ForwardMsg) -> None:
        kind = msg.WhichOneof("type")
        if kind == "new_session":
            ns = msg.new_session
            self.session_id = ns.initialize.session_id or self.session_id
            self.page_hash = ns.page_script_hash or self.page_hash
            self.main_hash = ns.main_script_hash or self.main_hash
            if not list(msg.metadata.run.fragment_ids):
                self._clear_timers()  # a full run: the frontend drops every timer, the run sets them again
        elif kind == "navigation":
            nav = msg.navigation
            self.pages = {p.url_pathname: p.page_script_hash for p in nav.app_pages}
            if nav.page_script_hash:
                self.page_hash = nav.page_script_hash
        elif kind == "page_info_changed":
            self.query_string = msg.page_info_changed.query_string
        elif kind == "auto_rerun":
            self._start_timer(msg.auto_rerun.fragment_id, msg.auto_rerun.interval)
        elif kind == "stop_auto_rerun":
            for fid in msg.stop_auto_rerun.fragment_ids:
                task = self.timers.pop(fid, None)
                self.intervals.pop(fid, None)
                if task is not None:
                    task.cancel()
        elif kind == "script_finished":
            self.runs_finished += 1
            done = msg.script_finished in (ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR)
            if self._full_run_pending and done:
                self._full_run_pending = False
                self._finished.set()
        elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            self._element(msg.delta.new_element, bool(msg.delta.fragment_id))

    def _element(self, el, in_fragment: bool) -> None:
        kind = el.WhichOneof("type")
        if kind == "button":
            wid = el.button.id
            user_key = wid.rsplit("-", 1)[-1] if wid.startswith("$$ID-") else ""
            if user_key and user_key != "None":
                self.buttons[user_key] = wid
            self.buttons.setdefault(el.button.label, wid)
        elif kind == "bidi_component" and el.bidi_component.component_name.endswith(self.component):
            data = el.bidi_component.bytes
            if not data:
                return
            head = blob_header(data)
            self.batches.append(Batch(t=time.monotonic(), batch=int(head.get("batch", 0)),
                                      running=bool(head.get("running")),
                                      steps=[int(f["step"]) for f in head.get("frames", ())], nbytes=len(data),
                                      fragment_run=in_fragment))
            self._new_batch.set()
        elif kind == "exception":
            self.exceptions.append(f"{el.exception.type}: {el.exception.message}")

    async def wait_batches(self, n: int, timeout: float) -> list[Batch]:
        """Wait until ``n`` more live-view batches arrived (or ``timeout``); returns them."""
        start = len(self.batches)
        deadline = time.monotonic() + timeout
        while len(self.batches) - start < n:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            self._new_batch.clear()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._new_batch.wait(), left)
        return self.batches[start:]


# ---- figures from the batches ---------------------------------------------------------------

def live_rates(batches: Sequence[Batch], t0: float, t1: float) -> dict[str, float]:
    """Over the window [t0, t1]: steps/s (last step of the last batch minus that of the first, over
    the time between them), updates/s (frames received after the first batch, over that time),
    the longest gap between batches (including from t0 to the first and from the last to t1)."""
    inside = [b for b in batches if t0 <= b.t <= t1 and b.steps]
    out = {"batches": float(len(inside)), "steps/s": float("nan"), "updates/s": 0.0, "gap": t1 - t0}
    if not inside:
        return out
    times = [t0, *(b.t for b in inside), t1]
    out["gap"] = max(b - a for a, b in zip(times, times[1:], strict=False))
    if len(inside) >= 2:
        span = inside[-1].t - inside[0].t
        out["steps/s"] = (inside[-1].step - inside[0].step) / span if span > 0 else float("nan")
        out["updates/s"] = sum(len(b.steps) for b in inside[1:]) / span if span > 0 else 0.0
    return out
