"""Node for the tests of our JavaScript: a module's syntax check (the components' modules), and the
live views' shared JavaScript (nnviz/ui/live_view/shared.js) run, for the tests that check its
functions (the clock, the axis ticks)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from nnviz.ui.js_modules import SHARED_JS


def _node(why: str) -> str:
    """The node executable; skips the test where it is missing (``why``: what needs it)."""
    node = shutil.which("node")
    if node is None:
        pytest.skip(f"node not installed: {why}")
    return node


def check_module(source: str, name: str, folder: Path) -> None:
    """Assert that ``source`` parses as a JavaScript module (``node --check`` of ``folder/name.mjs``)."""
    node = _node("the syntax check needs it")
    path = folder / f"{name}.mjs"
    path.write_text(source, encoding="utf-8")
    result = subprocess.run([node, "--check", str(path)], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr


def run_shared(driver: str, why: str, **constants: Any) -> Any:
    """What ``driver`` prints as JSON when node runs it after ``const SHARED = <shared.js's text>``
    and one ``const NAME = <JSON>`` per keyword. Skips the test where node is missing (``why``: what
    runs in it)."""
    node = _node(why)
    shared = SHARED_JS.read_text(encoding="utf-8")
    head = "".join(f"const {name} = {json.dumps(value)};\n" for name, value in {"SHARED": shared, **constants}.items())
    result = subprocess.run([node, "-e", head + driver], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)
