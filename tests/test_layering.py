"""The engine imports only NumPy, Pillow and the standard library (fresh interpreter per module)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ENGINE = sorted(p.stem for p in (ROOT / "nnviz").glob("*.py") if p.stem != "__init__")


@pytest.mark.parametrize("module", ENGINE)
def test_engine_module_loads_neither_streamlit_nor_plotly(module):
    code = (
        f"import sys; import nnviz.{module}; "
        "bad = sorted({m.split('.')[0] for m in sys.modules} & {'streamlit', 'plotly', 'pandas', 'altair'}); "
        "print(','.join(bad)); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, f"nnviz.{module} loaded {result.stdout.strip()} {result.stderr[-500:]}"


def test_figures_do_not_import_streamlit():
    for path in sorted((ROOT / "nnviz" / "figures").glob("*.py")):
        code = f"import sys; import nnviz.figures.{path.stem}; sys.exit('streamlit' in sys.modules)"
        result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, f"nnviz.figures.{path.stem} imports streamlit"
