"""Run the live views' shared JavaScript (nnviz/ui/live_view/shared.js) in node, for the tests that
check its functions (the clock, the axis ticks)."""

from __future__ import annotations

import json
import shutil
import subprocess
from typing import Any

import pytest

from nnviz.ui import live_view


def run_shared(driver: str, why: str, **constants: Any) -> Any:
    """What ``driver`` prints as JSON when node runs it after ``const SHARED = <shared.js's text>``
    and one ``const NAME = <JSON>`` per keyword. Skips the test where node is missing (``why``: what
    runs in it)."""
    node = shutil.which("node")
    if node is None:
        pytest.skip(f"node not installed: {why}")
    shared = (live_view._HERE / "shared.js").read_text(encoding="utf-8")
    head = "".join(f"const {name} = {json.dumps(value)};\n" for name, value in {"SHARED": shared, **constants}.items())
    result = subprocess.run([node, "-e", head + driver], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)
