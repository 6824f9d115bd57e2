"""The live views' clock (``schedule`` in nnviz/ui/live_view/shared.js), run in node with a fake
``performance.now``: batches of frames play back to back at the ticks' rate, a tick that comes late
by less than the lead plays on without a pause, and a burst of ticks drops the old batch's rest."""

from __future__ import annotations

import pytest

from nnviz.ui.js_modules import SHARED_JS
from tests.ui.node_js import run_shared

#: Arrivals (ms) of running batches of 60 frames, ticks of 2 s: on time, then one 250 ms late, then
#: two 100 ms apart (a queued tick), then on time again.
ARRIVALS = [0, 2000, 4000, 6000, 8250, 10000, 12000, 12100, 14000, 16000, 18000]

DRIVER = """
let NOW = 0;
Object.defineProperty(globalThis, "performance", { value: { now: () => NOW }, configurable: true });
globalThis.window = {};
const clock = new Function(SHARED + "\\nreturn { schedule, CLOCK };")();
const out = [];
ARRIVALS.forEach((t, i) => {
  NOW = t;
  const endBefore = clock.CLOCK.end;
  const s = clock.schedule({ batch: i + 1, running: true, tick: 2 }, 60);
  out.push({ at: t, endBefore, start: s.start, dur: s.dur, n: s.n });
});
console.log(JSON.stringify(out));
"""


@pytest.fixture(scope="module")
def schedules() -> list[dict]:
    return run_shared(DRIVER, "the clock's test runs shared.js in it", ARRIVALS=ARRIVALS)


def test_batches_play_back_to_back_at_the_ticks_rate(schedules):
    for prev, s in zip(schedules[1:4], schedules[2:5], strict=True):
        assert s["start"] == pytest.approx(prev["start"] + prev["dur"] * prev["n"])  # no gap, no overlap
    steady = schedules[3]
    assert 1000 / steady["dur"] == pytest.approx(30, rel=0.02)  # 60 frames per 2 s tick


def test_a_tick_late_by_less_than_the_lead_plays_on_without_a_pause(schedules):
    late = schedules[4]
    assert late["at"] == 8250
    assert late["endBefore"] > late["at"]  # the last batch was still playing when it came
    assert late["start"] == pytest.approx(late["endBefore"])
    assert late["start"] - late["at"] <= live_view_lead() * 2000


def test_a_burst_of_ticks_drops_the_rest_of_the_old_batch(schedules):
    queued = schedules[7]
    assert queued["at"] == 12100 and queued["endBefore"] - queued["at"] > 1000
    assert queued["start"] == queued["at"]  # starts now: the display stays within a tick of the server


def test_the_rate_recovers_after_the_burst(schedules):
    last = schedules[-1]
    assert 1000 / last["dur"] == pytest.approx(30, rel=0.1)


def live_view_lead() -> float:
    """LEAD as written in shared.js."""
    shared = SHARED_JS.read_text(encoding="utf-8")
    line = next(x for x in shared.splitlines() if x.startswith("const LEAD = "))
    return float(line.split("=")[1].strip().rstrip(";"))
