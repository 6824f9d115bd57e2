"""The heavy-job queue (nnviz.ui.jobs): bounded, first come first served, re-entrant, and a job
that stops while waiting gives its place up. Threads are synchronised with events, not timing."""

from __future__ import annotations

import threading

import pytest

from nnviz.ui import jobs
from nnviz.ui.jobs import JobQueue

WAIT = 20.0  # generous bound on any wait below (a loaded CI machine), never a timing assertion


def wait_until(predicate, what: str) -> None:
    done = threading.Event()
    for _ in range(int(WAIT / 0.01)):
        if predicate():
            return
        done.wait(0.01)
    raise AssertionError(f"timed out waiting for {what}")


def test_at_most_workers_jobs_run_at_once():
    queue = JobQueue(2)
    release = threading.Event()
    lock = threading.Lock()
    now, peak, finished = [0], [0], []

    def job(i: int) -> None:
        with queue.slot():
            with lock:
                now[0] += 1
                peak[0] = max(peak[0], now[0])
            release.wait(WAIT)
            with lock:
                now[0] -= 1
        finished.append(i)

    threads = [threading.Thread(target=job, args=(i,)) for i in range(5)]
    for t in threads:
        t.start()
    wait_until(lambda: queue.running == 2 and queue.waiting == 3, "two running, three waiting")
    release.set()
    for t in threads:
        t.join(WAIT)
    assert peak[0] == 2
    assert sorted(finished) == [0, 1, 2, 3, 4]
    assert queue.running == 0 and queue.waiting == 0


def test_waiting_jobs_start_in_arrival_order_and_are_told_how_many_are_ahead():
    queue = JobQueue(1)
    started, told = [], {}
    gate = threading.Event()
    threads = []
    with queue.slot():  # the running job
        for name in "ABC":
            def job(name: str = name) -> None:
                with queue.slot(on_wait=lambda ahead, name=name: told.setdefault(name, ahead)):
                    started.append(name)
                    gate.wait(WAIT)
            t = threading.Thread(target=job)
            threads.append(t)
            t.start()
            wait_until(lambda name=name: name in told, f"{name} waiting")
    gate.set()
    for t in threads:
        t.join(WAIT)
    assert started == ["A", "B", "C"]
    assert told == {"A": 1, "B": 2, "C": 3}  # the running job, then each earlier waiting one


def test_a_nested_job_keeps_its_slot():
    queue = JobQueue(1)
    with queue.slot():
        with queue.slot():  # would deadlock if not re-entrant
            assert queue.running == 1
        assert queue.running == 1
    assert queue.running == 0


def test_a_job_stopped_while_waiting_gives_its_place_up():
    queue = JobQueue(1)
    errors = []

    def stopped(ahead: int) -> None:
        raise RuntimeError("script stopped")

    def job() -> None:
        try:
            with queue.slot(on_wait=stopped):
                errors.append("ran")
        except RuntimeError as exc:
            errors.append(str(exc))

    with queue.slot():
        t = threading.Thread(target=job)
        t.start()
        t.join(WAIT)
        assert queue.waiting == 0
    assert errors == ["script stopped"]
    with queue.slot():  # the queue still works
        assert queue.running == 1


def test_an_error_inside_a_job_frees_its_slot():
    queue = JobQueue(1)
    with pytest.raises(ValueError):
        with queue.slot():
            raise ValueError("bad grid")
    assert queue.running == 0
    with queue.slot():
        assert queue.running == 1


def test_workers_setting(monkeypatch):
    monkeypatch.setenv("NNVIZ_HEAVY_JOBS", "3")
    assert jobs.default_workers() == 3
    for bad in ("0", "-1", "two"):
        monkeypatch.setenv("NNVIZ_HEAVY_JOBS", bad)
        with pytest.raises(ValueError, match=repr(bad)):
            jobs.default_workers()
    monkeypatch.delenv("NNVIZ_HEAVY_JOBS")
    assert jobs.default_workers() >= 1
    with pytest.raises(ValueError, match="0"):
        JobQueue(0)


def test_waiting_text_counts_jobs():
    assert "1 job ahead" in jobs.waiting_text(1)
    assert "3 jobs ahead" in jobs.waiting_text(3)


LANDSCAPE = "../../pages/landscape.py"
DESCENT = "../../pages/descent.py"


def run_with_busy_worker(monkeypatch, page: str, what: str):
    """Run ``page`` (an AppTest) while the server's only heavy worker is busy; the worker is freed
    once the page waits in the queue. Returns (the AppTest, the queue, whether the page waited)."""
    from streamlit.testing.v1 import AppTest

    queue = JobQueue(1)
    monkeypatch.setattr(jobs, "HEAVY", queue)
    release = threading.Event()
    holding = threading.Event()

    def busy() -> None:
        with queue.slot():
            holding.set()
            release.wait(WAIT)

    t = threading.Thread(target=busy)
    t.start()
    holding.wait(WAIT)
    waiter = threading.Thread(target=lambda: (wait_until(lambda: queue.waiting == 1, what), release.set()))
    waiter.start()
    at = AppTest.from_file(page, default_timeout=120)
    at.run()
    waiter.join(WAIT)
    t.join(WAIT)
    return at, queue, release.is_set()


def test_landscape_page_waits_for_a_busy_worker_and_then_draws(monkeypatch):
    """With the server's only worker busy, the page waits (it is not computed beside the busy job)
    and draws once the worker is free."""
    from nnviz.ui import landscape

    landscape.train_runs.clear()
    at, queue, waited = run_with_busy_worker(monkeypatch, LANDSCAPE, "the page waiting")
    assert not at.exception
    assert waited  # the page did wait in the queue
    assert queue.running == 0 and queue.waiting == 0


def test_a_new_descent_race_waits_for_a_busy_worker_and_a_seen_one_does_not(monkeypatch):
    """The descent lab's race is a heavy job: with the only worker busy, a race not computed before
    waits in the queue; the same race again is read from the cache without queueing."""
    from streamlit.testing.v1 import AppTest

    from nnviz.ui import descent

    descent._race.clear()
    descent._RACES_SEEN.clear()
    at, queue, waited = run_with_busy_worker(monkeypatch, DESCENT, "the race waiting")
    assert not at.exception
    assert waited  # the new race did wait in the queue
    assert len(descent._RACES_SEEN) == 1
    slots = []  # the same race again: read from the cache, it asks for no slot
    real_slot = queue.slot
    monkeypatch.setattr(queue, "slot", lambda *a, **k: (slots.append(1), real_slot(*a, **k))[1])
    again = AppTest.from_file(DESCENT, default_timeout=60)
    again.run()
    assert not again.exception and slots == []
