"""A classroom on one server: many playground sessions at once, without browsers.

Each simulated session is ``bench/streamlit_client.py``'s ``Session``: it speaks Streamlit's
websocket protocol like a browser tab (opens the playground, presses Play by sending the Play
button's trigger, reruns the live fragment every interval the server's ``auto_rerun`` asked for,
as the frontend's ``setInterval`` does) and reads the step of every frame from the live view's
data blob. It draws nothing, so the server's share of a classroom is what this measures.

Prints, on a fresh server on 127.0.0.1:

- live: for N concurrent sessions (``--sessions 1,5,10,20``), after ``--warmup`` seconds, over
  ``--seconds``: steps/s per session (median, slowest, fastest, slowest/fastest), updates/s per
  session (frames received per second: the browser would play them; with ``--with-digits K``, K more
  sessions train the digits model in the page meanwhile, and their steps/s and updates/s are
  printed beside), the longest gap between two
  batches of any session, the server's CPU (cores) and RSS (peak during the window, and some
  seconds after all N closed), the benchmark's own CPU; and whether the server kept pace (every
  session within 10% of the speed and no gap over 1.5 ticks);
- soak (``--soak 100``), on another fresh server: sessions opened, used (Play for ``--soak-ticks``
  batches, then a switch to each page of ``--soak-pages``, every page by default, pressing its main
  controls: ``PAGE_ACTIONS``) and closed, ``--soak-parallel`` at a time; the server's RSS after
  every 10 and its difference from after the first ("visits ok": visits without an exception
  whose live views all sent their batches);
- idle (``--idle N``), on its own fresh server with ``NNVIZ_IDLE_SECONDS=--idle-seconds``: N tabs use
  every page and are left open, the playground's run still set to play; the server's RSS while
  they are used, once they are idle (``nnviz.ui.session_memory`` released them), after they come
  back; and whether each found its playground run paused where it left it, without an exception.

The server gets ``--server-option name=value`` (``server.disconnectedSessionTTL=5``) and
``--env NAME=VALUE`` (``MALLOC_ARENA_MAX=2``) for A/B runs. Every scenario is bounded in sessions
and seconds. Never asserts: the machine is shared and the numbers are noisy; compare runs side by
side. For N=1 the steps/s must match ``bench/bench_browser.py``'s in a real browser (~99-100 at
the default 100 steps/s).

    python bench/bench_classroom.py [--sessions 1,5,10,20] [--seconds 15] [--soak 100] [--no-live]
                                    [--with-digits 1]
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import server_probe  # noqa: E402
from bench.streamlit_client import (  # noqa: E402
    Session,
    cpu_seconds,
    live_rates,
    rss_mb,
    self_cpu_seconds,
    serve,
)

LOGS = ROOT / "tests" / "artifacts"


def session_memory_check(idle: float) -> float:
    """nnviz.ui.session_memory.check_seconds (not imported: that module's package imports streamlit's runtime)."""
    return min(10.0, max(1.0, idle / 10))

SPEED = 100  # nnviz.ui.playground.DEFAULT_SPEED (not imported: that module imports streamlit's runtime)
TICK = 2.0  # nnviz.ui.playground.TICK_SECONDS; the client follows the server's auto_rerun anyway


class Sampler:
    """The server's CPU seconds and RSS every ``period`` seconds, in the background."""

    def __init__(self, pid: int, period: float = 0.5) -> None:
        self.pid, self.period = pid, period
        self.samples: list[tuple[float, float, float]] = []  # (t, cpu s, rss MB)
        self._task: asyncio.Task | None = None

    def sample(self) -> tuple[float, float, float]:
        s = (time.monotonic(), cpu_seconds(self.pid), rss_mb(self.pid))
        self.samples.append(s)
        return s

    async def _run(self) -> None:
        while True:
            with contextlib.suppress(OSError):
                self.sample()
            await asyncio.sleep(self.period)

    def __enter__(self) -> Sampler:
        self._task = asyncio.get_running_loop().create_task(self._run())
        return self

    def __exit__(self, *exc) -> None:
        if self._task is not None:
            self._task.cancel()

    def peak(self, t0: float, t1: float) -> float:
        return max((r for t, _, r in self.samples if t0 <= t <= t1), default=float("nan"))


async def open_many(url: str, n: int, timeout: float) -> list[Session]:
    """Open ``n`` playground sessions at once (as a class arriving)."""
    return list(await asyncio.gather(*(Session(url).open(timeout=timeout) for _ in range(n))))


async def press_play(sessions: list[Session], timeout: float) -> None:
    """Play in every session; a click whose run does not finish within ``timeout`` is reported, not fatal
    (the session's timer starts when its run gets that far)."""
    results = await asyncio.gather(*(s.click("pg_play", timeout=timeout) for s in sessions), return_exceptions=True)
    failed = [r for r in results if isinstance(r, BaseException)]
    if failed:
        print(f"  ! {len(failed)} of {len(sessions)} Play clicks did not finish their run: {failed[0]!r}", flush=True)


async def close_all(sessions: list[Session]) -> None:
    await asyncio.gather(*(s.close() for s in sessions), return_exceptions=True)


async def start_digits(url: str, k: int, timeout: float) -> list[Session]:
    """``k`` sessions training the digits page's model in the page (Start), beside the class."""
    trainers = await open_many(url, k, timeout)
    for s in trainers:
        await s.switch_page("digits", timeout=timeout)
        await s.click("dg_start", timeout=timeout)
    return trainers


async def live(url: str, pid: int, n: int, *, warmup: float, seconds: float, settle: float,
               timeout: float, digits: int = 0) -> dict[str, float]:
    """N sessions training at once (and ``digits`` sessions training the digits model beside them):
    the figures of the module docstring's first table."""
    with Sampler(pid) as sampler:
        rss_before = sampler.sample()[2]
        t_open = time.monotonic()
        trainers = await start_digits(url, digits, timeout) if digits else []
        sessions = await open_many(url, n, timeout)
        opened = time.monotonic() - t_open
        await press_play(sessions, timeout)
        await asyncio.sleep(warmup)
        t0, c0, me0 = time.monotonic(), cpu_seconds(pid), self_cpu_seconds()
        await asyncio.sleep(seconds)
        t1, c1, me1 = time.monotonic(), cpu_seconds(pid), self_cpu_seconds()
        rates = [live_rates(s.batches, t0, t1) for s in sessions]
        digit_rates = [live_rates(s.batches, t0, t1) for s in trainers]
        errors = sum(len(s.exceptions) for s in [*sessions, *trainers])
        starved = [i for i, r in enumerate(rates) if r["gap"] > 3 * TICK]
        for i in starved[:3]:  # what such a session looked like, to tell a slow server from a lost timer
            s = sessions[i]
            print(f"  ! session {i}: longest gap {rates[i]['gap']:.1f} s, {rates[i]['batches']:.0f} batches, "
                  f"timers {s.intervals or 'none'}, last batches at "
                  f"{[round(b.t - t0, 1) for b in s.batches[-4:]]} s", flush=True)
        await close_all([*sessions, *trainers])
        await asyncio.sleep(settle)
        rss_after = sampler.sample()[2]
        peak = sampler.peak(t_open, t1)
    steps = [r["steps/s"] for r in rates]
    updates = [r["updates/s"] for r in rates]
    finite = [v for v in steps if v == v] or [0.0]
    slow, fast = min(finite), max(finite)
    gap = max(r["gap"] for r in rates)
    return {
        "N": n, "open s": opened, "steps med": statistics.median(finite), "steps min": slow, "steps max": fast,
        "min/max": slow / fast if fast else float("nan"), "upd med": statistics.median(updates),
        "upd min": min(updates), "gap s": gap, "cpu": (c1 - c0) / (t1 - t0), "me cpu": (me1 - me0) / (t1 - t0),
        "rss0": rss_before, "rss peak": peak, "rss closed": rss_after, "errors": errors, "starved": len(starved),
        "kept": slow >= 0.9 * SPEED and gap <= 1.5 * TICK + 0.5 and len([v for v in steps if v == v]) == n,
        "digits": digits,
        "dg steps": statistics.median(r["steps/s"] for r in digit_rates) if digit_rates else float("nan"),
        "dg upd": statistics.median(r["updates/s"] for r in digit_rates) if digit_rates else float("nan"),
    }


#: What a soak visit does on each page, in order: the buttons it presses (the page's main controls)
#: and, after each, whether it waits for ``--soak-ticks`` live batches. The landscape trains its
#: runs and draws the paths on the PCA plane as it opens; the functions page draws as it opens.
PAGE_ACTIONS: dict[str, tuple[tuple[str, bool], ...]] = {
    "playground": (("pg_play", True),),
    "descent": (("gd_btn_preset_lr", False),),
    "landscape": (),
    "digits": (("dg_start", True), ("dg_pause", False)),  # train, then pause: the test-set evaluation runs
    "functions": (),
    "backprop": (("bp_step", False),),
}
#: Every page but the playground, where a visit starts: the default ``--soak-pages``.
EVERY_PAGE = ",".join(p for p in PAGE_ACTIONS if p != "playground")


async def act(s: Session, page: str, *, ticks: int, timeout: float) -> bool:
    """Press ``page``'s main controls (``PAGE_ACTIONS``); False if a live view sent fewer than
    ``ticks`` running batches after a press that waits for them."""
    ok = True
    for button, live in PAGE_ACTIONS.get(page, ()):
        await s.click(button, timeout=timeout)
        if live:
            got = await s.wait_batches(ticks, timeout=ticks * TICK * 3 + 5)
            ok = ok and sum(1 for b in got if b.running) >= ticks
    return ok


async def use_one(url: str, *, ticks: int, pages: list[str], timeout: float) -> tuple[Session, list[str]]:
    """One soak visit: open the playground, Play until ``ticks`` batches came, visit ``pages`` using
    each one's main controls, close; (the session, the pages whose live view sent too few batches)."""
    s = await Session(url).open(timeout=timeout)
    short: list[str] = []
    try:
        for page in ["playground", *pages]:
            if page != "playground":
                await s.switch_page(page, timeout=timeout)
            if not await act(s, page, ticks=ticks, timeout=timeout):
                short.append(page)
        if s.exceptions:
            raise RuntimeError(f"the pages showed exceptions: {s.exceptions[:3]}")
    finally:
        await s.close()
    return s, short


class Probe:
    """Reports from ``bench/server_probe.py`` inside the server (``--probe``), or nothing."""

    def __init__(self, base: str | None) -> None:
        self.base, self.n = base, 0

    def ask(self, **request) -> dict:
        if not self.base:
            return {}
        self.n += 1
        return server_probe.ask(self.base, self.n, **request)

    @staticmethod
    def line(r: dict) -> str:
        if not r:
            return ""
        o, ss = r.get("tracked", {}), r.get("sessions", {})
        return (f"{ss.get('active', '?'):>7}{ss.get('stored (disconnected)', '?'):>7}{o.get('AppSession', '?'):>7}"
                f"{o.get('Run', '?'):>6}{r.get('threads', '?'):>7}{r.get('in use MB', float('nan')):>9.1f}"
                f"{r.get('free in heap MB', float('nan')):>9.1f}{r.get('mmapped MB', float('nan')):>8.1f}")

    HEAD = (f"{'active':>7}{'stored':>7}{'AppSes':>7}{'Run':>6}{'Thread':>7}{'heap use':>9}{'heap free':>9}"
            f"{'mmap':>8}")


async def soak(url: str, pid: int, total: int, *, parallel: int, ticks: int, pages: list[str], settle: float,
               timeout: float, max_seconds: float, probe: Probe | None = None) -> list[tuple[int, float, float]]:
    """``total`` visits, ``parallel`` at a time; (sessions closed, elapsed s, RSS MB) after the
    first and every 10 (and the last), measured ``settle`` s after the group closed."""
    probe = probe or Probe(None)
    rows: list[tuple[int, float, float]] = [(0, 0.0, rss_mb(pid))]
    print(f"{'closed':>8}{'elapsed s':>11}{'RSS MB':>9}{'- first':>9}{'visits ok':>10}"
          + (Probe.HEAD if probe.base else ""), flush=True)
    print(f"{0:>8}{0.0:>11.1f}{rows[0][2]:>9.1f}{'':>9}{'':>10}" + Probe.line(probe.ask()), flush=True)
    start, done, first, short = time.monotonic(), 0, None, 0
    missed: collections.Counter[str] = collections.Counter()
    while done < total and time.monotonic() - start < max_seconds:
        group = min(parallel, total - done)
        results = await asyncio.gather(*(use_one(url, ticks=ticks, pages=pages, timeout=timeout) for _ in range(group)),
                                       return_exceptions=True)
        for r in results:
            if isinstance(r, BaseException):
                print(f"  ! a visit failed: {r!r}", flush=True)
                short += 1
            elif r[1]:
                short += 1
                missed.update(r[1])
        before, done = done, done + group
        if first is None or done // 10 > before // 10 or done >= total:
            await asyncio.sleep(settle)
            rss = rss_mb(pid)
            first = rss if first is None else first
            rows.append((done, time.monotonic() - start, rss))
            print(f"{done:>8}{rows[-1][1]:>11.1f}{rss:>9.1f}{rss - first:>+9.1f}{done - short:>10}"
                  + Probe.line(probe.ask()), flush=True)
    if missed:
        print("  ! live views that sent fewer than --soak-ticks batches: "
              + ", ".join(f"{page} in {n} visits" for page, n in missed.items()), flush=True)
    if done < total:
        print(f"  ! stopped after {done} visits: --soak-max-seconds {max_seconds:g} reached")
    return rows


async def burst(url: str, pid: int, n: int, *, seconds: float, wait: float, again: float, settle: float,
                timeout: float, probe: Probe) -> None:
    """A class arriving at once on a fresh server: ``n`` sessions open together (the first runs, which
    import the app and freeze the collector, happen while they are all open), train ``seconds``,
    close; then after ``wait`` s one more visit, ``again`` s later a last look; the server's RSS
    (and with ``--probe`` the sessions and objects it holds) at each point."""
    print(f"{'':<34}{'RSS MB':>8}" + (Probe.HEAD if probe.base else ""), flush=True)
    print(f"{'fresh server':<34}{rss_mb(pid):>8.1f}" + Probe.line(probe.ask()), flush=True)
    sessions = await open_many(url, n, timeout)
    await press_play(sessions, timeout)
    await asyncio.sleep(seconds)
    steps = statistics.median(s.batches[-1].step for s in sessions if s.batches)
    print(f"{f'{n} training, median step {steps:.0f}':<34}{rss_mb(pid):>8.1f}" + Probe.line(probe.ask()), flush=True)
    await close_all(sessions)
    await asyncio.sleep(settle)
    print(f"{'all closed':<34}{rss_mb(pid):>8.1f}" + Probe.line(probe.ask()), flush=True)
    await asyncio.sleep(wait)
    await use_one(url, ticks=1, pages=[], timeout=timeout)
    await asyncio.sleep(settle)
    print(f"{f'{wait:g} s later, after one more visit':<34}{rss_mb(pid):>8.1f}" + Probe.line(probe.ask()), flush=True)
    # The visit's close is what makes Streamlit drop the expired sessions; nnviz.ui.session_memory
    # collects what was frozen among them at its next turn.
    await asyncio.sleep(again)
    print(f"{f'{again:g} s after that':<34}{rss_mb(pid):>8.1f}" + Probe.line(probe.ask()), flush=True)


def _state_sizes(report: dict) -> None:
    """The probe's per-session state sizes (its deep size counts an owned NumPy buffer twice)."""
    per = report.get("sessions", {}).get("per session", [])
    if per:
        sizes = sorted(p["state kB"] for p in per)
        top = collections.Counter(k for p in per for _, k in p["largest"][:2])
        print(f"    session state (probe's deep size): median {statistics.median(sizes) / 1e3:.1f} MB, largest "
              f"{sizes[-1] / 1e3:.1f} MB; largest keys {', '.join(k for k, _ in top.most_common(4))}", flush=True)


async def idle(url: str, pid: int, n: int, *, after: float, ticks: int, pages: list[str], parallel: int,
               settle: float, timeout: float, probe: Probe) -> None:
    """Tabs left open: ``n`` sessions (``parallel`` at a time) use every page of ``pages`` after the
    playground, and stay open on the last one, with the playground's run still set to play; then
    nothing for ``after`` s (past the server's ``NNVIZ_IDLE_SECONDS`` and the next check); then each
    comes back to the playground. The server's RSS at each point; on coming back, whether every
    session found its playground run paused at the step it left (not trained on while away) and no
    page showed an exception."""
    print(f"{'':<44}{'RSS MB':>8}" + (Probe.HEAD if probe.base else ""), flush=True)
    print(f"{'fresh server':<44}{rss_mb(pid):>8.1f}" + Probe.line(probe.ask()), flush=True)
    sessions: list[Session] = []
    left: list[int] = []

    async def visit() -> None:
        s = await Session(url).open(timeout=timeout)
        sessions.append(s)
        await act(s, "playground", ticks=ticks, timeout=timeout)
        left.append(s.batches[-1].step if s.batches else -1)
        for page in pages:
            await s.switch_page(page, timeout=timeout)
            await act(s, page, ticks=ticks, timeout=timeout)

    for i in range(0, n, parallel):
        await asyncio.gather(*(visit() for _ in range(min(parallel, n - i))))
    await asyncio.sleep(settle)
    used = rss_mb(pid)
    report = probe.ask(detail=True)
    print(f"{f'{n} sessions used every page, left open':<44}{used:>8.1f}" + Probe.line(report), flush=True)
    _state_sizes(report)
    await asyncio.sleep(after)
    released = rss_mb(pid)
    report = probe.ask(detail=True)
    print(f"{f'{after:g} s later, idle':<44}{released:>8.1f}" + Probe.line(report), flush=True)
    _state_sizes(report)
    paused, errors = 0, 0
    for s, step in zip(sessions, left, strict=True):
        seen = len(s.batches)
        await s.switch_page("playground", timeout=timeout)
        back = s.batches[seen:]
        paused += bool(back) and not back[-1].running and back[-1].step == step
        errors += len(s.exceptions)
    await asyncio.sleep(settle)
    print(f"{'all came back to the playground':<44}{rss_mb(pid):>8.1f}" + Probe.line(probe.ask()), flush=True)
    await close_all(sessions)
    print(f"idle release: {used - released:+.1f} MB ({(used - released) / n:.2f} MB a session); on coming back "
          f"{paused} of {n} playground runs paused at the step they left, {errors} exceptions shown")


def print_live(rows: list[dict[str, float]]) -> None:
    print(f"\nlive playground, all sessions training at the default {SPEED} steps/s (steps/s and updates/s are "
          "per session)")
    cols = (("N", "{:>4.0f}"), ("open s", "{:>8.1f}"), ("steps med", "{:>10.1f}"), ("steps min", "{:>10.1f}"),
            ("steps max", "{:>10.1f}"), ("min/max", "{:>8.2f}"), ("upd med", "{:>8.1f}"), ("upd min", "{:>8.1f}"),
            ("gap s", "{:>6.2f}"), ("cpu", "{:>6.2f}"), ("me cpu", "{:>7.3f}"), ("rss0", "{:>7.0f}"),
            ("rss peak", "{:>9.0f}"), ("rss closed", "{:>11.0f}"), ("errors", "{:>7.0f}"), ("starved", "{:>8.0f}"),
            ("digits", "{:>7.0f}"), ("dg steps", "{:>9.1f}"), ("dg upd", "{:>7.1f}"))
    print("".join(f"{name:>{len(fmt.format(0))}}" for name, fmt in cols) + "  kept pace")
    for r in rows:
        print("".join(fmt.format(r[name]) for name, fmt in cols) + f"  {'yes' if r['kept'] else 'NO'}")
    print("open s: seconds to open all N; gap s: longest time without a batch, any session; cpu: server cores; "
          "me cpu: this benchmark's; rss: server MB before, peak, and after all N closed; errors: exceptions the "
          "pages showed; starved: sessions with a gap over 3 ticks; digits: sessions training the digits model "
          "in the page beside them (--with-digits), their median steps/s and updates/s")


def _probed(args, env: dict[str, str], name: str) -> tuple[dict[str, str], list[str] | None, Probe]:
    """The server's environment and interpreter with ``--probe`` (bench/server_probe.py), and its Probe."""
    if not args.probe:
        return dict(env), None, Probe(None)
    base = str(LOGS / f"probe-{name}-{os.getpid()}")
    extra = {"NNVIZ_PROBE": base, **({"NNVIZ_PROBE_TRACEMALLOC": str(args.tracemalloc)} if args.tracemalloc else {})}
    return {**env, **extra}, [sys.executable, str(ROOT / "bench" / "server_probe.py")], Probe(base)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", default="1,5,10,20", help="concurrent sessions per live scenario")
    ap.add_argument("--seconds", type=float, default=15.0, help="measured seconds per live scenario")
    ap.add_argument("--warmup", type=float, default=4.0, help="seconds after Play before measuring")
    ap.add_argument("--with-digits", type=int, default=0, metavar="K",
                    help="also K sessions training the digits model (Start) during each live scenario")
    ap.add_argument("--settle", type=float, default=3.0, help="seconds after closing before the RSS is read")
    ap.add_argument("--soak", type=int, default=100, help="soak visits (0: none)")
    ap.add_argument("--soak-parallel", type=int, default=4)
    ap.add_argument("--soak-ticks", type=int, default=2, help="live batches per soak visit while playing")
    ap.add_argument("--soak-pages", default=EVERY_PAGE,
                    help="pages each soak visit switches to (and uses: PAGE_ACTIONS), after the playground")
    ap.add_argument("--soak-max-seconds", type=float, default=480.0)
    ap.add_argument("--after-ttl", type=float, default=0.0, metavar="SECONDS",
                    help="after the soak, wait this long (past server.disconnectedSessionTTL), make one more visit "
                         "(Streamlit drops expired disconnected sessions only when it stores another) and read again")
    ap.add_argument("--probe", action="store_true",
                    help="run the soak's server under bench/server_probe.py: sessions held, live objects, glibc heap")
    ap.add_argument("--tracemalloc", type=int, default=0, metavar="FRAMES",
                    help="with --probe: trace allocations (slow) and print the sites that grew most")
    ap.add_argument("--burst", type=int, default=0, metavar="N",
                    help="on its own fresh server: N sessions open at once, train --burst-seconds, close; RSS "
                         "(and with --probe the objects left) after --burst-wait s and one more visit")
    ap.add_argument("--burst-seconds", type=float, default=20.0)
    ap.add_argument("--burst-wait", type=float, default=130.0, help="past server.disconnectedSessionTTL (120 s)")
    ap.add_argument("--burst-again", type=float, default=65.0,
                    help="past nnviz.ui.session_memory's next re-freeze (also the soak's last wait after --after-ttl)")
    ap.add_argument("--idle", type=int, default=0, metavar="N",
                    help="on its own fresh server (NNVIZ_IDLE_SECONDS=--idle-seconds): N sessions use every page and "
                         "stay open; RSS while used, once idle, after coming back")
    ap.add_argument("--idle-seconds", type=float, default=20.0)
    ap.add_argument("--no-live", action="store_true")
    ap.add_argument("--timeout", type=float, default=90.0, help="seconds for one run to finish")
    ap.add_argument("--server-option", action="append", default=[], metavar="NAME=VALUE",
                    help="a streamlit config option for the server, e.g. server.disconnectedSessionTTL=5")
    ap.add_argument("--env", action="append", default=[], metavar="NAME=VALUE", help="server environment")
    args = ap.parse_args(argv)
    options = [a for opt in args.server_option for a in (f"--{opt.split('=', 1)[0]}", opt.split("=", 1)[1])]
    env = dict(e.split("=", 1) for e in args.env)
    started = time.monotonic()
    print(f"server options {args.server_option or 'default'}, environment {env or 'inherited'}; the machine is "
          "shared: the numbers are noisy", flush=True)

    if not args.no_live:
        rows = []
        with serve(LOGS / "bench-classroom-live.log", options=options, env=env) as (url, proc):
            for n in (int(x) for x in args.sessions.split(",") if x):
                r = asyncio.run(live(url, proc.pid, n, warmup=args.warmup, seconds=args.seconds, settle=args.settle,
                                     timeout=args.timeout, digits=args.with_digits))
                rows.append(r)
                print(f"  N={n}: median {r['steps med']:.1f} steps/s, slowest {r['steps min']:.1f}, "
                      f"server {r['cpu']:.2f} cores, RSS {r['rss closed']:.0f} MB after closing", flush=True)
        print_live(rows)
        held = [int(r["N"]) for r in rows if r["kept"]]
        print(f"kept pace with up to {max(held) if held else 0} concurrent sessions "
              f"(of {', '.join(str(int(r['N'])) for r in rows)})")

    if args.burst:
        print(f"\nburst: {args.burst} sessions arrive at once on a fresh server, train {args.burst_seconds:g} s and "
              "leave", flush=True)
        burst_env, python, probe = _probed(args, env, "burst")
        with serve(LOGS / "bench-classroom-burst.log", options=options, env=burst_env, python=python) as (url, proc):
            asyncio.run(burst(url, proc.pid, args.burst, seconds=args.burst_seconds, wait=args.burst_wait,
                              again=args.burst_again, settle=args.settle, timeout=args.timeout, probe=probe))

    if args.idle:
        pages = [p for p in args.soak_pages.split(",") if p]
        print(f"\nidle: {args.idle} sessions use {', '.join(['playground', *pages])} and stay open; idle after "
              f"{args.idle_seconds:g} s", flush=True)
        idle_env, python, probe = _probed(args, {**env, "NNVIZ_IDLE_SECONDS": f"{args.idle_seconds:g}"}, "idle")
        with serve(LOGS / "bench-classroom-idle.log", options=options, env=idle_env, python=python) as (url, proc):
            after = args.idle_seconds + session_memory_check(args.idle_seconds) + args.settle + 2
            asyncio.run(idle(url, proc.pid, args.idle, after=after, ticks=args.soak_ticks, pages=pages,
                             parallel=args.soak_parallel, settle=args.settle, timeout=args.timeout, probe=probe))

    if args.soak:
        pages = [p for p in args.soak_pages.split(",") if p]
        print(f"\nsoak: {args.soak} visits, {args.soak_parallel} at a time; each opens the playground, plays "
              f"{args.soak_ticks} batches, visits and uses {', '.join(pages) or 'no other page'} and closes; server RSS "
              f"{args.settle:g} s after each group", flush=True)
        soak_env, python, probe = _probed(args, env, "soak")
        with serve(LOGS / "bench-classroom-soak.log", options=options, env=soak_env, python=python) as (url, proc):
            rows = asyncio.run(soak(url, proc.pid, args.soak, parallel=args.soak_parallel, ticks=args.soak_ticks,
                                    pages=pages, settle=args.settle, timeout=args.timeout,
                                    max_seconds=args.soak_max_seconds, probe=probe))
            if args.after_ttl > 0:
                print(f"waiting {args.after_ttl:g} s, then one more visit", flush=True)
                time.sleep(args.after_ttl)
                asyncio.run(use_one(url, ticks=args.soak_ticks, pages=pages, timeout=args.timeout))
                time.sleep(args.settle)
                rss = rss_mb(proc.pid)
                print(f"{rows[-1][0] + 1:>8}{'':>11}{rss:>9.1f}{rss - rows[1][2]:>+9.1f}{'':>10}"
                      + Probe.line(probe.ask()), flush=True)
                # That visit's close made Streamlit drop the expired sessions; what gc.freeze() had frozen
                # of them is collected at nnviz.ui.session_memory's next re-freeze (once a minute).
                time.sleep(args.burst_again)
                rss = rss_mb(proc.pid)
                print(f"{f'+{args.burst_again:g} s':>8}{'':>11}{rss:>9.1f}{rss - rows[1][2]:>+9.1f}{'':>10}"
                      + Probe.line(probe.ask()), flush=True)
            if args.probe:
                final = probe.ask(trim=True, top=12)
                trimmed = final.get("after trim", {})
                print(f"glibc malloc_trim(0): RSS {final.get('rss MB', 0):.1f} -> {trimmed.get('rss MB', 0):.1f} MB; "
                      f"heap in use {final.get('in use MB', 0):.1f} MB, free inside the heap "
                      f"{final.get('free in heap MB', 0):.1f} -> {trimmed.get('free in heap MB', 0):.1f} MB")
                for site in final.get("grown since first", []):
                    print(f"  {site['MB']:+8.2f} MB {site['count']:+7d}  " + " <- ".join(reversed(site["where"][-4:])))
        if len(rows) > 2:
            n, _, last = rows[-1]
            first_n, _, first = rows[1]
            per = (last - first) / (n - first_n) if n > first_n else float("nan")
            print(f"after {n} visits: {last - first:+.1f} MB against after the first "
                  f"({per:+.2f} MB per visit); goal: within 50 MB")
    print(f"\ntotal {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
