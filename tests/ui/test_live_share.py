"""Live ticks take turns and scale their work to the measured demand (nnviz.ui.live_share)."""

from __future__ import annotations

import threading
import time

import pytest

from nnviz.ui.jobs import JobQueue
from nnviz.ui.live_share import MIN_SCALE, LiveShare, busy_target, busy_text, scaled, turn


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_idle_server_runs_at_full_speed() -> None:
    assert LiveShare(0.5, clock=Clock()).scale() == 1.0


def test_busy_is_the_share_of_the_window_that_turns_ran():
    clock = Clock()
    share = LiveShare(0.5, window=4.0, clock=clock)
    share.record(1.0)
    assert share.busy() == pytest.approx(0.25)
    share.record(2.0)
    assert share.busy() == pytest.approx(0.75)
    clock.now += 4.5  # old turns are forgotten
    assert share.busy() == 0.0


def test_scale_steers_towards_the_target_and_back():
    clock = Clock()
    share = LiveShare(0.5, window=4.0, clock=clock)
    assert share.scale() == 1.0  # idle
    share.record(4.0)  # the whole window busy: twice the target
    clock.now += 2.0
    assert share.scale() == pytest.approx(0.5)
    share.record(0.0)
    assert share.scale() == pytest.approx(0.5)  # steered at most every window / 2
    clock.now += 2.01  # the 4 s turn has left the window
    share.record(3.0)  # still busy (3 s of the last 4): 0.75 > 0.5
    assert share.scale() == pytest.approx(0.5 * 0.5 / 0.75)
    clock.now += 10.0  # idle again: back up by at most 1.5x per step, to 1
    for expected in (0.5, 0.75, 1.0, 1.0):
        assert share.scale() == pytest.approx(expected)
        clock.now += 2.0


def test_scale_has_a_floor():
    clock = Clock()
    share = LiveShare(0.5, window=1.0, clock=clock)
    for _ in range(40):
        share.record(1.0)
        clock.now += 0.5
        share.scale()
    assert share.scale() == MIN_SCALE


def test_scaled_keeps_frames_for_ten_updates_a_second() -> None:
    assert scaled(200, 60, 1.0, 2.0) == (200, 60)
    assert scaled(200, 60, 0.5, 2.0) == (100, 30)
    assert scaled(200, 60, 0.1, 2.0) == (20, 20)  # 10 frames per second of tick
    assert scaled(200, 60, 0.02, 2.0) == (4, 4)  # never more frames than steps
    assert scaled(0, 1, 0.1, 2.0) == (0, 1)  # paused: one frame of the state
    assert scaled(1, 1, 0.01, 2.0) == (1, 1)  # at least one step


def test_busy_text_only_when_slowed() -> None:
    assert busy_text(1.0) is None
    assert "45%" in busy_text(0.45)


@pytest.mark.parametrize("raw", ["0", "1.5", "abc", "-1"])
def test_bad_busy_target_is_named(monkeypatch: pytest.MonkeyPatch, raw: str) -> None:
    monkeypatch.setenv("NNVIZ_LIVE_BUSY", raw)
    with pytest.raises(ValueError, match="NNVIZ_LIVE_BUSY"):
        busy_target()


def test_busy_target_default_and_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NNVIZ_LIVE_BUSY", raising=False)
    assert busy_target() == 0.7
    monkeypatch.setenv("NNVIZ_LIVE_BUSY", "0.8")
    assert busy_target() == 0.8


def test_turns_never_overlap_and_record_their_time() -> None:
    share, turns = LiveShare(0.5), JobQueue(1)
    inside, most, order = [0], [0], []
    guard = threading.Lock()

    def tick(name: int) -> None:
        with turn(share, turns) as scale:
            assert 0 < scale <= 1
            with guard:
                inside[0] += 1
                most[0] = max(most[0], inside[0])
            time.sleep(0.02)
            order.append(name)
            with guard:
                inside[0] -= 1

    threads = [threading.Thread(target=tick, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert most[0] == 1 and sorted(order) == list(range(6))
    assert share.busy() > 0
