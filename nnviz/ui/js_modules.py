"""The JavaScript module of each canvas element (live views, descent map, canvas chart):
``nnviz/ui/live_view/shared.js`` (blob decoding, sized canvases, ticks, chart helpers) followed by
the element's own file, read once at import. No streamlit, no side effects."""

from __future__ import annotations

from pathlib import Path

SHARED_JS = Path(__file__).with_name("live_view") / "shared.js"


def element_module(path: Path) -> str:
    """shared.js, then the element's module at ``path`` (which has the default export)."""
    return SHARED_JS.read_text(encoding="utf-8") + "\n" + path.read_text(encoding="utf-8")
