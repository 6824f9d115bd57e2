"""The axis ticks of every canvas view (``niceTicks`` and ``tickText`` in
nnviz/ui/live_view/shared.js), run in node: round values inside the range, evenly spaced, and a
tick at zero reads "0" (a running sum once printed -0.6 + 3 * 0.2 as "5.551e-17" on the loss
landscape's map)."""

from __future__ import annotations

import pytest

from tests.ui.node_js import run_shared

RANGES = [(-0.75, 0.55, 6), (-0.65, 0.55, 6), (-0.6, 0.6, 6), (-1.0, 0.5, 3), (-2.5, 2.5, 5), (-1.5, 1.5, 6), (0.0, 1.0, 5),
          (-0.35, 0.05, 4), (1e-3, 7e-3, 6), (-3e4, 3e4, 6), (10.0, 250.0, 5), (0.1, 0.3, 8)]

DRIVER = """
globalThis.window = {};
const t = new Function(SHARED + "\\nreturn { niceTicks, tickText };")();
console.log(JSON.stringify(RANGES.map(([lo, hi, n]) => t.niceTicks(lo, hi, n).map((v) => [v, t.tickText(v)]))));
"""


@pytest.fixture(scope="module")
def ticks() -> list[list[tuple[float, str]]]:
    return run_shared(DRIVER, "the ticks' test runs shared.js in it", RANGES=RANGES)


@pytest.mark.parametrize("index", range(len(RANGES)), ids=[f"{lo:g}..{hi:g}" for lo, hi, _ in RANGES])
def test_ticks_are_round_even_and_inside_the_range(ticks, index):
    lo, hi, count = RANGES[index]
    values = [v for v, _ in ticks[index]]
    assert len(values) >= 2 and count / 2.5 <= len(values) <= 2 * count + 1, values
    step = values[1] - values[0]
    assert all(lo - 1e-9 * step <= v <= hi + 1e-9 * step for v in values), values
    assert all(b - a == pytest.approx(step, rel=1e-9) for a, b in zip(values[:-1], values[1:], strict=True)), values
    mantissa = step / 10 ** int(f"{step:e}".split("e")[1])
    assert round(mantissa, 9) in (1.0, 2.0, 5.0), step


@pytest.mark.parametrize("index", [i for i, (lo, hi, _) in enumerate(RANGES) if lo < 0 < hi])
def test_a_tick_at_zero_reads_0(ticks, index):
    texts = dict(ticks[index])
    assert texts.get(0) == "0", ticks[index]  # not 5.551e-17
    assert not any("e-" in text for _, text in ticks[index]), ticks[index]
