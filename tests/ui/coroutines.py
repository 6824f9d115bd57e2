"""Running a coroutine from a test."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor


def run_apart(coroutine):
    """Run ``coroutine`` to its end on a thread of its own and return its result: with the browser
    tests in the same session, Playwright's event loop is running on this one (asyncio.run would
    refuse)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()
