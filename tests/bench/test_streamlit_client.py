"""bench/streamlit_client.py still speaks Streamlit's protocol: on a served app it opens the
playground, presses Play and receives live batches whose steps increase (so
bench/bench_classroom.py cannot silently measure nothing)."""

from __future__ import annotations

import asyncio

import pytest

pytest.importorskip("websockets", reason="the client needs the websockets package (a Streamlit 1.67 dependency)")

from bench.streamlit_client import Session, live_rates, serve  # noqa: E402
from tests.conftest import ARTIFACTS  # noqa: E402


@pytest.fixture(scope="module")
def app_url():
    with serve(ARTIFACTS / "streamlit-client-test-server.log") as (url, _proc):
        yield url


def test_play_on_the_playground_streams_batches_with_increasing_steps(app_url):
    async def scenario() -> Session:
        s = await Session(app_url).open(timeout=60)
        try:
            assert s.exceptions == []
            assert "pg_play" in s.buttons, sorted(s.buttons)
            assert s.batches and not s.batches[-1].running  # paused: one frame of the state at step 0
            await s.click("pg_play", timeout=60)
            assert s.intervals, "the server asked for no fragment timer after Play"
            await s.wait_batches(2, timeout=20)
        finally:
            await s.close()
        return s

    s = asyncio.run(scenario())
    running = [b for b in s.batches if b.running]
    assert len(running) >= 2, s.batches
    assert all(b.steps == sorted(b.steps) for b in running)
    assert all(a.step < b.step for a, b in zip(running, running[1:], strict=False)), [b.step for b in running]
    assert live_rates(running, running[0].t, running[-1].t)["steps/s"] > 0
