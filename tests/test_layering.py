"""The engine imports only NumPy, Pillow and the standard library (fresh interpreter per module)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: Every module of the engine, the data and the labs (all of nnviz but figures/ and ui/), dotted.
ENGINE = sorted(
    ".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
    for p in (ROOT / "nnviz").rglob("*.py")
    if p.relative_to(ROOT / "nnviz").parts[0] not in ("figures", "ui")
)


@pytest.mark.parametrize("module", ENGINE)
def test_engine_module_loads_neither_streamlit_nor_plotly(module):
    code = (
        f"import sys; import {module}; "
        "bad = sorted({m.split('.')[0] for m in sys.modules} & {'streamlit', 'plotly', 'pandas', 'altair'}); "
        "print(','.join(bad)); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, f"{module} loaded {result.stdout.strip()} {result.stderr[-500:]}"


def test_figures_do_not_import_streamlit():
    for path in sorted((ROOT / "nnviz" / "figures").glob("*.py")):
        code = f"import sys; import nnviz.figures.{path.stem}; sys.exit('streamlit' in sys.modules)"
        result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, f"nnviz.figures.{path.stem} imports streamlit"
