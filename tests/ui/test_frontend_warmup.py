"""The frontend warm-up (nnviz/ui/frontend_warmup.py): it names chunks the installed Streamlit has,
finds each by its name alone, and every page of the app carries its element. What it does in the
browser (it loads every chunk once the page is done) is tested in tests/browser/test_home.py."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from nnviz.ui import frontend_warmup


def test_every_warm_chunk_is_in_the_installed_streamlit():
    """A Streamlit upgrade that renames a chunk fails here: update WARM_CHUNKS (record what each
    page's first click loads beyond the home page, as its docstring says)."""
    files = frontend_warmup.chunk_files()
    names = [f.split(".", 1)[0] for f in files]
    assert names == list(frontend_warmup.WARM_CHUNKS)
    assert all((frontend_warmup.STREAMLIT_JS / f).is_file() for f in files)


def test_a_chunk_is_found_by_its_whole_name(tmp_path):
    for name in ("Button.CORxUu4r.js", "ButtonGroup.CZAouSUd.js", "Slider.WU6er_Bo.js", "Slider.css", "index.Dorm.js"):
        (tmp_path / name).write_text("")
    found = frontend_warmup.chunk_files(("Button", "Slider", "Radio"), tmp_path)
    assert found == ("Button.CORxUu4r.js", "Slider.WU6er_Bo.js")  # not ButtonGroup for Button; no Radio here


def test_no_folder_no_chunks(tmp_path):
    assert frontend_warmup.chunk_files(("Button",), tmp_path / "absent") == ()


@pytest.mark.parametrize("path", ["", "descent", "functions"])
def test_every_page_carries_the_element_with_the_chunk_files(path):
    at = AppTest.from_file("../../app.py", default_timeout=60)
    if path:
        at.switch_page(f"pages/{path}.py")
    at.run()
    assert not at.exception
    mounts = [node for node in at.get("bidi_component") if getattr(node, "key", None) == frontend_warmup.KEY]
    assert len(mounts) == 1
    assert json.loads(mounts[0].proto.json) == list(frontend_warmup.chunk_files())
