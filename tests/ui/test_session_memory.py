"""Idle sessions give back their heavy state (nnviz.ui.session_memory): when a session counts as
idle, what a declared key releases (derived attributes, running flags, the value's own
release_memory, the whole key) and what it never touches, the page's lock, and the setting."""

from __future__ import annotations

import sys
import threading
from dataclasses import dataclass

import numpy as np
import pytest

from nnviz.ui import session_memory as sm
from nnviz.ui.session_memory import Heavy


@dataclass
class Model:
    weights: np.ndarray
    evaluation: np.ndarray | None = None
    evaluated: tuple | None = None
    running: bool = False
    released: int = 0

    def release_memory(self) -> None:
        self.released += 1


def _session(now: float = 0.0) -> tuple[dict, Model]:
    model = Model(weights=np.ones(1000, np.float32), evaluation=np.zeros(100_000), evaluated=(5, "mnist"),
                  running=True)
    state = {"m_run": model, "m_running": True, "m_setting": 0.3, "_m_lock": threading.Lock()}
    sm.touch(state, now)
    return state, model


SPECS = {"m_run": Heavy("m_run", lock="m", rebuilt=("evaluation", "evaluated"), paused=("running",),
                        flags=("m_running",))}


def test_a_session_is_idle_after_the_idle_time_without_activity():
    state, _ = _session(now=100.0)
    assert not sm.is_idle(state, now=100.0 + 599, idle=600)
    assert sm.is_idle(state, now=100.0 + 600, idle=600)
    sm.touch(state, 650.0)  # it ran again
    assert not sm.is_idle(state, now=650.0 + 599, idle=600)
    assert sm.is_idle(state, now=650.0 + 600, idle=600)


def test_a_session_that_never_ran_a_page_or_with_idle_release_off_is_never_idle():
    assert not sm.is_idle({}, now=1e9, idle=600)
    state, _ = _session(now=0.0)
    assert not sm.is_idle(state, now=1e9, idle=0)


def test_release_drops_derived_data_pauses_and_keeps_the_users_work():
    state, model = _session()
    weights = model.weights
    out = sm.release(state, SPECS)
    assert model.evaluation is None and model.evaluated is None  # rebuilt by the page
    assert model.running is False and state["m_running"] is False  # paused, never running
    assert model.released == 1  # the value's own release_memory
    assert model.weights is weights and state["m_setting"] == 0.3  # the user's work and settings stay
    assert out.keys == ["m_run"] and out.busy == []
    assert 800_000 <= out.freed < 810_000 and out.after >= 4_000  # the 800 kB evaluation; the weights stay


def test_a_released_session_is_not_released_again_until_it_has_run():
    state, model = _session(now=0.0)
    sm.release(state, SPECS)
    assert not sm.is_idle(state, now=10_000.0, idle=600)
    sm.touch(state, 10_000.0)
    assert sm.is_idle(state, now=10_600.0, idle=600)


def test_a_key_whose_page_holds_its_lock_is_left_for_the_next_check():
    state, model = _session(now=0.0)
    state["_m_lock"].acquire()  # a script is training this model
    try:
        out = sm.release(state, SPECS)
    finally:
        state["_m_lock"].release()
    assert out.busy == ["m_run"] and out.keys == []
    assert model.evaluation is not None and model.running
    assert sm.is_idle(state, now=10_000.0, idle=600)  # not marked released: tried again
    assert sm.release(state, SPECS).keys == ["m_run"]


def test_a_derived_key_is_deleted_and_a_missing_key_is_no_error():
    state = {"d_grid": np.zeros((100, 100))}
    out = sm.release(state, {"d_grid": Heavy("d_grid", delete=True), "d_none": Heavy("d_none", flags=("d_go",))})
    assert "d_grid" not in state and out.keys == ["d_grid"] and out.after == 0 and out.before >= 80_000


def test_release_idle_skips_sessions_running_a_script_and_active_ones(monkeypatch):
    monkeypatch.setattr(sm, "HEAVY", dict(SPECS))
    idle_running, idle_still, active = _session(0.0), _session(0.0), _session(900.0)
    sessions = [(idle_running[0], True, True), (idle_still[0], False, True), (active[0], False, True)]
    done = sm.release_idle(now=1000.0, idle=600, sessions=lambda: iter(sessions))
    assert len(done) == 1 and done[0].keys == ["m_run"]
    assert idle_still[1].evaluation is None
    assert idle_running[1].evaluation is not None and active[1].evaluation is not None


def test_a_closed_tab_is_released_sooner(monkeypatch):
    monkeypatch.setattr(sm, "HEAVY", dict(SPECS))
    closed, open_ = _session(0.0), _session(0.0)
    now = sm.CLOSED_IDLE_SECONDS + 1
    sm.release_idle(now=now, idle=600, sessions=lambda: iter([(closed[0], False, False), (open_[0], False, True)]))
    assert closed[1].evaluation is None and not closed[1].running
    assert open_[1].evaluation is not None
    sm.release_idle(now=now, idle=0, sessions=lambda: iter([(open_[0], False, False)]))
    assert open_[1].evaluation is not None  # idle release off: closed tabs too


def test_declaring_a_key_again_replaces_it_and_a_bad_key_is_refused(monkeypatch):
    monkeypatch.setattr(sm, "HEAVY", {})
    sm.heavy("x_run", lock="x")
    spec = sm.heavy("x_run", lock="x", rebuilt=("cache",))
    assert sm.HEAVY == {"x_run": spec} and spec.rebuilt == ("cache",)
    with pytest.raises(ValueError, match="key"):
        sm.heavy("")


def test_owned_bytes_counts_an_array_once_and_a_view_as_its_header():
    a = np.zeros(250_000, np.float32)  # 1 MB
    assert 1_000_000 <= sm.owned_bytes([a, a]) < 1_001_000
    assert sm.owned_bytes(a[:10]) < 1_000  # a view of someone else's buffer
    assert sm.owned_bytes(sys) == 0  # modules are shared


@pytest.mark.parametrize(("raw", "expected"), [(None, sm.IDLE_SECONDS), ("", sm.IDLE_SECONDS), ("0", 0.0),
                                               (" 30 ", 30.0), ("2.5", 2.5)])
def test_the_idle_time_setting(monkeypatch, raw, expected):
    if raw is None:
        monkeypatch.delenv("NNVIZ_IDLE_SECONDS", raising=False)
    else:
        monkeypatch.setenv("NNVIZ_IDLE_SECONDS", raw)
    assert sm.idle_seconds() == expected


@pytest.mark.parametrize("raw", ["ten", "-1", "nan", "inf"])
def test_a_bad_idle_time_is_refused_by_name(monkeypatch, raw):
    monkeypatch.setenv("NNVIZ_IDLE_SECONDS", raw)
    with pytest.raises(ValueError, match="NNVIZ_IDLE_SECONDS"):
        sm.idle_seconds()


def test_idle_sessions_are_looked_for_often_enough():
    assert sm.check_seconds(600) == 10 and sm.check_seconds(20) == 2 and sm.check_seconds(1) == 1
