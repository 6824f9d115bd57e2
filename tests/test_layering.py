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


#: Which folders of nnviz each folder may import (DESIGN.md, "The house"): the engine stands
#: alone; data builds on it; the labs on both; figures draw lab results; ui and pages use all.
MAY_IMPORT = {
    "nn": {"nn"},
    "data": {"nn", "data"},
    "labs": {"nn", "data", "labs"},
    "figures": {"nn", "data", "labs", "figures"},
    "ui": {"nn", "data", "labs", "figures", "ui"},
}


def _nnviz_imports(path: Path) -> set[str]:
    """The nnviz folders (second dotted part) that ``path`` imports, anywhere in the file."""
    import ast

    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module] if node.module != "nnviz" else [f"nnviz.{a.name}" for a in node.names]
        found |= {n.split(".")[1] for n in names if n.startswith("nnviz.")}
    return found


@pytest.mark.parametrize("folder", sorted(MAY_IMPORT))
def test_folders_import_only_the_layers_below_them(folder):
    for path in sorted((ROOT / "nnviz" / folder).rglob("*.py")):
        wrong = _nnviz_imports(path) - MAY_IMPORT[folder]
        assert not wrong, f"{path.relative_to(ROOT)} imports nnviz.{sorted(wrong)[0]}"


def test_pages_hold_one_pattern():
    """Every page file is the same two calls: ensure_app_navigation(), then its ui module's render()."""
    for path in sorted((ROOT / "pages").glob("*.py")):
        code = [line for line in path.read_text().splitlines()
                if line.strip() and not line.startswith(("#", "from", "import", '"""'))]
        assert code == ["ensure_app_navigation()", f"{path.stem}.render()"], (path.name, code)
