"""The loss-landscape page under AppTest: defaults answer with every view (the paths and the slices are
canvas maps and the loss curves a canvas chart, no plotly; the other views plotly charts), bad input keeps the last good setup with a
message, a diverged run is a result, the digits task runs or says why it cannot."""

from __future__ import annotations

import json
import math

import pytest
from streamlit.testing.v1 import AppTest

from nnviz.labs.landscape.setup import DIGITS, Setup
from nnviz.labs.packing import unpack
from nnviz.ui import landscape as ui

PAGE = "../../pages/landscape.py"


def _page(small: bool = True) -> AppTest:
    """The page; ``small`` presets a cheap setup (few points and steps, a coarse grid) for tests
    that are about behaviour, not about the default views."""
    at = AppTest.from_file(PAGE, default_timeout=60)
    if small:
        at.session_state["ls_points"] = 100
        at.session_state["ls_steps"] = 50
        at.session_state["ls_resolution"] = 11
    return at


def _specs(at: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def _trace_types(at: AppTest) -> list[set[str]]:
    return [{t.get("type", "scatter") for t in spec["data"]} for spec in _specs(at)]


def _maps(at: AppTest) -> list[tuple[dict, dict]]:
    """The canvas maps shown (``nnviz.ui.descent_map``): their payloads' (header, arrays)."""
    return [unpack(c.proto.bytes) for c in at.get("bidi_component")]


def _views(at: AppTest) -> list[set[str]]:
    """Every view shown: a plotly chart's trace types, or {"canvas", kind} for a canvas map."""
    return _trace_types(at) + [{"canvas", header["kind"]} for header, _ in _maps(at)]


def _every_view(at: AppTest) -> list[set[str]]:
    """Open each tab in turn (stateful tabs: only the open one is computed and drawn) -> the views
    shown (``_views``), tab by tab; the first tab is open again at the end."""
    types = []
    for tab in (*ui.TABS[1:], ui.TABS[0]):
        at.session_state["ls_tab"] = tab
        at.run()
        assert not at.exception, at.exception
        types.append(_views(at))
    return [t for tab in (types[-1], *types[:-1]) for t in tab]


@pytest.fixture(scope="module")
def default_run() -> AppTest:
    at = _page(small=False).run()
    assert not at.exception, at.exception
    return at


def test_defaults_show_every_view(default_run):
    at = default_run
    # Only the open tab is drawn on arrival, and the default view is a canvas map: no plotly chart.
    assert _views(at) == [{"canvas", "landscape-map"}] and not at.get("plotly_chart")
    assert [t.label for t in at.tabs] == list(ui.TABS)
    n_runs = len(Setup().labels)
    types = _every_view(at)
    # paths map, honesty (plotly), one slice map per run, interpolation (plotly), loss curves
    assert len(types) == 4 + n_runs
    assert types[0] == {"canvas", "landscape-map"} and types[1] == {"scatter"}
    assert types[2:2 + n_runs] == [{"canvas", "landscape-map"}] * n_runs
    assert types[-1] == {"canvas", "landscape-curves"}  # the loss curves: canvas too
    assert [m.label for m in at.metric] == [f"{label}: final loss" for label in Setup().labels]
    [(header, arrays)] = _maps(at)
    assert all("% of path variance" in title for title in header["axes"])
    assert [r["title"].split(" (")[0] for r in header["runs"]] == list(Setup().labels)
    assert arrays["fgrid"].shape == (ui.DEFAULTS["ls_resolution"],) * 2
    assert len(at.get("bidi_component")[0].proto.bytes) < 1_000_000
    assert not at.error


def test_every_map_uses_the_pages_one_colour_scale(default_run):
    """The paths' plane, its 3D view and the random slices colour the loss on one scale, set by the runs
    (lightest: the loss at their shared start), so a colour means the same loss in every tab; each view's
    own grid gave the slices a top of 0.40 and the plane 0.60 on this setup."""
    from nnviz.figures import landscape as figs

    at = default_run
    setup = at.session_state["ls_last_setup"]
    runs = ui.train_runs(setup)
    low, high = figs.loss_scale(runs, log=True)
    assert high == pytest.approx(math.log10(runs[0].loss[0]))  # the shared start
    [(plane, _)] = _maps(at)
    assert plane["color"]["range"] == pytest.approx([low, high])
    assert any("one scale on every map" in c.value and f"{10**high:.3g}" in c.value for c in at.caption)
    at.session_state["ls_tab"] = ui.TABS[2]
    at.run()
    slices = _maps(at)
    assert len(slices) == len(runs) and all(h["color"]["range"] == pytest.approx([low, high]) for h, _ in slices)
    assert any("one scale on every map" in c.value for c in at.caption)
    at.session_state["ls_tab"] = ui.TABS[0]
    at.run()
    at.segmented_control(key="ls_shape").set_value("3D").run()
    [surface] = [t for spec in _specs(at) for t in spec["data"] if t.get("type") == "surface"]
    assert [surface["cmin"], surface["cmax"]] == pytest.approx([low, high])
    at.segmented_control(key="ls_shape").set_value("Contour").run()
    assert not at.exception and _maps(at)


def test_a_diverged_run_is_shown_as_a_result(default_run):
    at = default_run
    assert any("η = 30 diverged at step" in w.value for w in at.warning)
    [(header, _)] = _maps(at)
    assert any(r["title"].startswith("η = 30 (diverged at step") for r in header["runs"])


def test_bad_hidden_sizes_keep_the_last_setup_with_a_message():
    at = _page().run()
    at.text_input(key="ls_hidden").set_value("16, lots").run()
    assert not at.exception
    assert any("whole numbers" in e.value and "last valid setup" in e.value for e in at.error)
    assert at.session_state["ls_last_setup"].hidden == (16, 16)
    assert len(_every_view(at)) == 4 + len(Setup().labels)  # the views stay
    assert at.text_input(key="ls_hidden").value == "16, lots"  # the user's text is kept to fix
    at.text_input(key="ls_hidden").set_value("8").run()
    assert not at.error and at.session_state["ls_last_setup"].hidden == (8,)


def _after_hidden_box(at: AppTest) -> str | None:
    """The element drawn right after the hidden-layers box in the setup column, if an error: its text."""
    kids = list(at.columns[0].children.values())
    at_box = [i for i, k in enumerate(kids) if getattr(k, "key", None) == "ls_hidden"]
    assert len(at_box) == 1
    after = kids[at_box[0] + 1] if at_box[0] + 1 < len(kids) else None
    return after.value if type(after).__name__ == "Error" else None


def test_a_too_large_network_is_refused_beside_the_box_keeping_the_text_and_the_last_setup():
    from nnviz.labs.landscape.setup import MAX_PARAMETERS

    at = _page().run()
    assert f"at most {MAX_PARAMETERS:,} parameters" in at.text_input(key="ls_hidden").help
    assert _after_hidden_box(at) is None
    text = "1024, 1024, 1024, 1024, 1024, 1024"
    at.text_input(key="ls_hidden").set_value(text).run()
    assert not at.exception, at.exception
    message = _after_hidden_box(at)
    assert message is not None and [e.value for e in at.error] == [message]  # beside the box, nowhere else
    assert "5,253,122 parameters" in message and f"{MAX_PARAMETERS:,}" in message
    assert "6 of at most 199 units each fit" in message and "last valid setup" in message
    assert at.text_input(key="ls_hidden").value == text  # the user's text is kept to fix
    assert at.session_state["ls_last_setup"].hidden == (16, 16)
    assert [m.label for m in at.metric] == [f"{label}: final loss" for label in Setup().labels]  # the views stay
    at.text_input(key="ls_hidden").set_value("199, 199, 199, 199, 199, 199").run()  # the largest that fits
    assert not at.exception and not at.error
    assert at.session_state["ls_last_setup"].hidden == (199,) * 6 and len(at.metric) == len(Setup().labels)


def test_no_learning_rate_picked_says_so():
    at = _page().run()
    at.pills(key="ls_rates").set_value([]).run()
    assert not at.exception
    assert [e.value for e in at.error] == ["Pick at least one of the learning rates. Still showing the last valid setup."]
    assert len(_every_view(at)) == 4 + len(Setup().labels)


@pytest.mark.parametrize(("key", "picked", "what"), [
    ("ls_rates", [0.01, 0.03, 0.1, 0.3, 1.0], "learning rates"),
    ("ls_optimizers", ["sgd", "momentum", "nesterov", "rmsprop", "adam"], "optimizers"),
])
def test_more_than_four_runs_say_so_beside_the_pills_and_keep_the_pick(key, picked, what):
    """Pills (not a multiselect: its chips were cut short, the fourth hidden) show every chosen value; they
    have no max_selections, so a fifth pick is refused with a message and the last valid setup stays."""
    at = _page()
    if key == "ls_optimizers":
        at.session_state["ls_mode"] = "optimizers"
    at.run()
    before = at.session_state["ls_last_setup"]
    at.pills(key=key).set_value(picked).run()
    assert not at.exception
    assert [e.value for e in at.error] == [f"Up to 4 {what} at a time: 5 are picked, unpick 1. Still showing the "
                                           "last valid setup."]
    assert at.session_state["ls_last_setup"] == before and at.pills(key=key).value == picked  # the pick stays, to fix
    assert [m.label for m in at.metric] == [f"{label}: final loss" for label in before.labels]
    at.pills(key=key).set_value(picked[1:]).run()
    assert not at.error and len(at.session_state["ls_last_setup"].runs) == 4


def test_compare_optimizers_and_the_3d_surface():
    at = _page().run()
    at.radio(key="ls_mode").set_value("optimizers").run()
    at.pills(key="ls_optimizers").set_value(["sgd", "adam"]).run()
    assert not at.exception
    assert [m.label for m in at.metric] == ["SGD: final loss", "Adam: final loss"]
    assert [h["kind"] for h, _ in _maps(at)] == ["landscape-map"]
    at.segmented_control(key="ls_shape").set_value("3D").run()
    assert "surface" in _trace_types(at)[0] and not _maps(at)  # the 3D view is plotly, the map is gone
    at.selectbox(key="ls_fit").set_value("the centre run only").run()
    at.selectbox(key="ls_reference").set_value("Adam").run()
    assert not at.exception
    assert "Adam" in at.caption[0].value or any("Adam" in c.value for c in at.caption)
    at.session_state["ls_tab"] = ui.TABS[1]  # the honesty check uses the plane chosen on the first tab
    at.run()
    assert not at.exception and len(at.get("plotly_chart")) == 1


def test_digits_task(mnist_folder):
    at = _page()
    at.session_state["ls_steps"] = 50  # small settings first, so the test trains little
    at.session_state["ls_rates"] = [0.1, 1.0]
    at.session_state["ls_resolution"] = 11
    at.run()
    at.selectbox(key="ls_task").set_value(DIGITS).run()
    assert not at.exception, at.exception
    assert at.text_input(key="ls_hidden").value == "64"
    assert not at.error
    assert at.session_state["ls_last_setup"].task == DIGITS
    assert len(at.metric) == 2 and len(_every_view(at)) == 4 + 2
    at.text_input(key="ls_hidden").set_value("300").run()  # 784 -> 300 -> 10: 238,510 parameters
    assert not at.exception, at.exception
    assert "238,510 parameters" in _after_hidden_box(at) and "one of at most 251 units" in _after_hidden_box(at)
    assert at.session_state["ls_last_setup"].hidden == (64,) and len(at.metric) == 2


def test_digits_disabled_with_a_message_when_mnist_is_missing(tmp_path, monkeypatch):
    monkeypatch.setenv("NNVIZ_MNIST", str(tmp_path))  # an empty folder: no MNIST files there
    ui._mnist.clear()
    try:
        at = _page().run()
        assert not at.exception
        assert DIGITS not in at.selectbox(key="ls_task").options
        [note] = [c for c in at.caption if "digits task is disabled" in c.value]
        assert "NNVIZ_MNIST" in note.value and len(note.value) < 200  # one line, not a wall of file names
        assert str(tmp_path) in note.proto.help  # the details on hover
        assert len(_every_view(at)) == 4 + len(Setup().labels)  # the toy tasks still work
    finally:
        ui._mnist.clear()


def test_runs_are_cached_per_setup_and_view_changes_do_not_retrain(monkeypatch):
    from nnviz.labs.landscape import runs

    calls = []
    real = runs.compare_runs
    monkeypatch.setattr(runs, "compare_runs", lambda *a, **k: calls.append(1) or real(*a, **k))
    at = _page()
    at.session_state["ls_seed"] = 4321  # a setup no other test has cached
    at.run()
    assert len(calls) == 1
    at.toggle(key="ls_log").set_value(False).run()
    at.select_slider(key="ls_resolution").set_value(15).run()
    assert not at.exception and len(calls) == 1
    at.select_slider(key="ls_resolution").set_value(11).run()  # back: served from the cache
    at.number_input(key="ls_seed").set_value(4322).run()
    assert len(calls) == 2


def test_hidden_sizes_come_back_after_a_page_switch():
    from nnviz.ui.common import PAGES, PAGES_DIR

    others = [p.slug for p in PAGES if p.slug != "landscape" and (PAGES_DIR / f"{p.slug}.py").exists()]
    if not others:
        pytest.skip("no other page to switch to yet")
    at = AppTest.from_file("../../app.py", default_timeout=60)
    at.session_state["ls_steps"] = 50
    at.run()
    at.switch_page("pages/landscape.py").run()
    assert at.text_input(key="ls_hidden").value == "16, 16"
    at.switch_page(f"pages/{others[0]}.py").run()  # Streamlit drops the landscape widgets' values here
    at.switch_page("pages/landscape.py").run()
    assert not at.exception and not at.error
    assert at.text_input(key="ls_hidden").value == "16, 16"


def test_settings_come_back_after_a_page_switch():
    from nnviz.ui.common import PAGES, PAGES_DIR

    others = [p.slug for p in PAGES if p.slug != "landscape" and (PAGES_DIR / f"{p.slug}.py").exists()]
    if not others:
        pytest.skip("no other page to switch to yet")
    other = next((s for s in ("functions", "backprop") if s in others), others[0])  # a page that trains nothing
    at = AppTest.from_file("../../app.py", default_timeout=60)
    for key, value in {"ls_points": 100, "ls_steps": 50, "ls_resolution": 11}.items():
        at.session_state[key] = value
    at.run()
    at.switch_page("pages/landscape.py").run()
    at.radio(key="ls_mode").set_value("optimizers").run()
    at.pills(key="ls_optimizers").set_value(["sgd", "adam"]).run()
    at.text_input(key="ls_hidden").set_value("8").run()
    at.toggle(key="ls_log").set_value(False).run()
    at.segmented_control(key="ls_shape").set_value("3D").run()
    at.switch_page(f"pages/{other}.py").run()  # Streamlit drops the landscape widgets' values here
    at.switch_page("pages/landscape.py").run()
    assert not at.exception and not at.error
    assert at.radio(key="ls_mode").value == "optimizers"
    assert at.pills(key="ls_optimizers").value == ["sgd", "adam"]
    assert at.text_input(key="ls_hidden").value == "8"
    assert at.toggle(key="ls_log").value is False
    assert at.segmented_control(key="ls_shape").value == "3D"
    assert at.select_slider(key="ls_steps").value == 50
    assert [m.label for m in at.metric] == ["SGD: final loss", "Adam: final loss"]
    assert at.session_state["ls_last_setup"].hidden == (8,)
    assert "surface" in _trace_types(at)[0]


def test_only_the_open_tab_is_computed(monkeypatch):
    """A first visit trains the runs and fits the plane; the slices and interpolations wait for their tabs."""
    from nnviz.labs.landscape import slices

    calls: list[str] = []
    for name in ("random_slices", "interpolations"):
        real = getattr(slices, name)
        monkeypatch.setattr(slices, name, lambda *a, _n=name, _f=real, **k: calls.append(_n) or _f(*a, **k))
    at = _page()
    at.session_state["ls_seed"] = 4444  # a setup no other test has cached
    at.run()
    assert not at.exception and calls == []
    assert not at.get("plotly_chart")
    assert [c.proto.id.rsplit("-", 1)[-1] for c in at.get("bidi_component")] == ["ls_paths_map"]
    at.session_state["ls_tab"] = ui.TABS[2]
    at.run()
    assert calls == ["random_slices"]
    at.session_state["ls_tab"] = ui.TABS[3]
    at.run()
    assert calls == ["random_slices", "interpolations"]
