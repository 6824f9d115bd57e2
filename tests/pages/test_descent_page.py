"""AppTest of the gradient-descent page: first load, the presets, a diverging run, bad start points,
the 1D view, adding and removing runs, and an optimizer registered at test time that gets its arrow
and its stability limit from its class. The 2D map and the loss chart are canvas components (unknown
elements to AppTest): the tests read their payloads (``nnviz.labs.packing`` blobs)."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from nnviz.labs.descent.runs import MAX_RUNS
from nnviz.labs.packing import unpack
from nnviz.nn import optimizers
from nnviz.ui import state
from nnviz.ui.descent import VIEW_3D, VIEW_DISTANCE, VIEW_LOSS, VIEW_STABILITY, view_tabs
from tests import throwaway

PAGE = "../../pages/descent.py"


def _run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, at.exception[0].message if at.exception else ""
    return at


@pytest.fixture
def at() -> AppTest:
    return _run(AppTest.from_file(PAGE, default_timeout=60))


def _text(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def _charts(at: AppTest) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def _views(at: AppTest) -> dict[str, tuple[dict, dict]]:
    """The canvas components' payloads by kind ("descent-map", "descent-curve", "descent-curves"): (header, arrays)."""
    out = {}
    for c in at.get("bidi_component"):
        header, arrays = unpack(c.proto.bytes)
        out[header["kind"]] = (header, arrays)
    return out


def _open_view(at: AppTest, name: str) -> list[dict]:
    """Open the detail tab ``name`` (stateful tabs: only the open one is drawn); the charts then shown."""
    at.session_state["gd_view"] = name
    _run(at)
    return _charts(at)


def _run_lrs(at: AppTest) -> list[float]:
    return [at.session_state[f"gd_lr_{rid}"] for rid in at.session_state["gd_runs"]]


def test_first_load_races_every_optimizer_on_the_bowl(at):
    assert at.title[0].value.endswith("Gradient descent lab")
    assert not at.error
    ids = at.session_state["gd_runs"]
    # Every optimizer, up to the most a race holds (the first MAX_RUNS of the registry, in its order).
    assert [at.session_state[f"gd_opt_{rid}"] for rid in ids] == optimizers.names()[:MAX_RUNS]
    fits = len(optimizers.names()) <= MAX_RUNS
    assert len(ids) == (len(optimizers.names()) if fits else MAX_RUNS)
    captions = "\n".join(c.value for c in at.caption)
    assert ("All " if fits else "The first six of the ") in captions and "optimizers share η" in captions
    assert len(set(_run_lrs(at))) == 1  # optimizers compared: one shared rate
    assert at.selectbox(key="gd_surface_2").value == "bowl"
    text = _text(at)
    assert "converged at step" in text and "diverged" not in text
    # The default view draws no plotly: the map and the open tab's loss are canvas components.
    assert not _charts(at)
    views = _views(at)
    assert set(views) == {"descent-map", "descent-curves"}
    head, arrays = views["descent-map"]
    assert bytes(arrays["image"][:8]) == b"\x89PNG\r\n\x1a\n"
    assert head["steps"] == 200 and len(head["runs"]) == len(ids)
    assert arrays["head"].shape == (201, len(ids), 2) and "gradient" in arrays  # the −∇f arrow is on by default
    assert len(at.get("bidi_component")[0].proto.bytes) < 1_000_000
    assert [t.label for t in at.tabs] == list(view_tabs(2))
    assert views["descent-curves"][0]["log"] is True  # the loss, f - f*, on a log scale
    assert len(_open_view(at, VIEW_DISTANCE)) == 1  # plotly only for the views opened later
    assert len(_open_view(at, VIEW_STABILITY)) == 1
    assert any("converges only for" in m.value for m in at.markdown)
    surface3d = _open_view(at, VIEW_3D)[0]
    assert {t["type"] for t in surface3d["data"]} == {"surface", "scatter3d"}
    assert set(_views(at)) == {"descent-map"}  # the loss chart waits for its tab
    assert not _open_view(at, VIEW_LOSS)
    assert at.latex  # the surface's formula


def test_learning_rates_preset_shows_the_notes_figure_with_a_divergence_in_red(at):
    at.selectbox(key="gd_preset_opt").select("sgd")
    at.button(key="gd_btn_preset_lr").click()
    _run(at)
    lrs = _run_lrs(at)
    assert len(lrs) == 4 and lrs == sorted(lrs)
    assert lrs[2] < 0.2 < lrs[3]  # the bowl's limit 2/L = 0.2 lies between the last two
    text = _text(at)
    assert ":red[" in text and "diverged at step" in text
    assert "crawls" in text and "diverges at step" in text  # each label says what the run did
    assert not at.error and not at.exception  # divergence is a result, not an error
    marks = [r["mark"] for r in _views(at)["descent-curves"][0]["runs"] if r["mark"]]
    red = [m for m in marks if m[2] == "diverged"]
    assert len(red) == 1 and red[0][3].startswith("diverged at step")
    assert _views(at)["descent-map"][0]["runs"][-1]["diverged"].endswith(red[0][3])  # its red x on the map
    assert at.session_state["gd_preset"] == "learning_rates"


def test_a_hand_made_diverging_run_is_reported_and_the_preset_released(at):
    rid = at.session_state["gd_runs"][0]  # SGD
    at.select_slider(key=f"gd_lr_{rid}").set_value(0.4)
    _run(at)
    assert at.session_state["gd_preset"] is None
    text = _text(at)
    assert ":red[:material/error: **diverged at step" in text
    assert not at.error


def test_changing_the_surface_resets_the_start_and_retunes_the_preset(at):
    before = _run_lrs(at)
    at.selectbox(key="gd_surface_2").select("rosenbrock")
    _run(at)
    assert at.text_input(key="gd_start").value == "-1.5, 2"
    after = _run_lrs(at)
    assert after != before and len(set(after)) == 1 and after[0] < 0.01
    assert "diverged" not in _text(at)
    _open_view(at, VIEW_STABILITY)
    assert "near its minimum" in "\n".join(m.value for m in at.markdown)  # local stability limit


@pytest.mark.parametrize("typed, message", [
    ("99, 1", "outside the plotted domain"),
    ("nan, 1", "not a finite number"),
    ("1", "needs 2 numbers"),
    ("1, abc", "'abc' in the start point is not a number"),
])
def test_a_bad_start_gives_a_message_and_keeps_the_state(at, typed, message):
    at.text_input(key="gd_start").input(typed)
    _run(at)
    assert at.error and message in at.error[0].value
    assert "last valid point (-2.5, 2)" in at.error[0].value
    assert at.text_input(key="gd_start").value == typed  # what the user typed stays
    assert _views(at)["descent-map"][0]["start"] == [-2.5, 2.0]  # the runs still show, from the last valid start
    at.text_input(key="gd_start").input("1, 0.5")
    _run(at)
    assert not at.error
    header, arrays = _views(at)["descent-map"]
    assert header["start"] == [1.0, 0.5] and tuple(arrays["path0"][0]) == (1.0, 0.5)


def test_the_1d_view(at):
    at.radio(key="gd_dim").set_value(1)
    _run(at)
    assert at.selectbox(key="gd_surface_1").value == "quadratic"
    assert at.text_input(key="gd_start").value == "2.5" and at.slider(key="gd_steps").value == 50
    assert not _charts(at)  # the curve is a canvas view too
    header, arrays = _views(at)["descent-curve"]
    assert header["start"][0] == 2.5 and header["steps"] == 50 and arrays["head"].shape == (51, len(header["runs"]), 2)
    assert any(o["name"].startswith("tangent") for o in header["overlays"])
    assert "descent-map" not in _views(at)
    at.button(key="gd_btn_preset_lr").click()
    _run(at)
    text = _text(at)
    assert "diverged at step" in text and "converged at step" in text
    assert [t.label for t in at.tabs] == list(view_tabs(1))  # no 3D view in 1D
    assert VIEW_3D not in view_tabs(1)
    for name in view_tabs(1):
        assert len(_open_view(at, name)) == (0 if name == VIEW_LOSS else 1), name  # plotly only in the later tabs
        assert "descent-curve" in _views(at)


def test_add_and_remove_runs(at):
    ids = at.session_state["gd_runs"]
    assert at.button(key="gd_btn_add").disabled  # six is the most
    at.button(key=f"gd_btn_remove_{ids[0]}").click()
    _run(at)
    assert at.session_state["gd_runs"] == ids[1:]
    at.button(key="gd_btn_add").click()
    _run(at)
    new = at.session_state["gd_runs"]
    assert len(new) == 6 and new[-1] not in ids
    assert at.session_state["gd_preset"] is None
    assert at.session_state[state.SAVED]["gd_lr_" + str(new[-1])] > 0  # kept for a page switch
    assert at.session_state[f"gd_opt_{new[-1]}"] == optimizers.names()[0]  # the optimizer no run had


def test_settings_and_tolerance_are_used(at):
    rid = at.session_state["gd_runs"][1]  # momentum
    at.slider(key=f"gd_set_{rid}_momentum_beta").set_value(0.5)
    at.select_slider(key="gd_tol").set_value(1e-1)
    _run(at)
    assert "beta = 0.5" in _text(at)
    assert math.isclose(at.session_state["gd_tol"], 0.1)


# ---- an optimizer that only its class describes -------------------------------------------------------

HEAVY_BALL = throwaway.OPTIMIZER
LABEL = throwaway.HeavyBall.label


@pytest.fixture
def heavy_ball():
    """Registered for one test, then removed (pad the registry past MAX_RUNS: it is listed last)."""
    optimizers.OPTIMIZERS.register(HEAVY_BALL)(throwaway.HeavyBall)
    try:
        yield HEAVY_BALL
    finally:
        optimizers.OPTIMIZERS.unregister(HEAVY_BALL)


def test_a_new_optimizer_gets_its_arrow_and_limit_from_its_class(heavy_ball):
    at = _run(AppTest.from_file(PAGE, default_timeout=60))
    names = optimizers.names()
    assert len(names) > MAX_RUNS and names[-1] == heavy_ball
    ids = at.session_state["gd_runs"]
    assert [at.session_state[f"gd_opt_{rid}"] for rid in ids] == names[:MAX_RUNS]  # the most a race holds
    assert f"The first six of the {len(names)} optimizers share" in "\n".join(c.value for c in at.caption)

    rid = ids[0]
    at.selectbox(key=f"gd_opt_{rid}").select(heavy_ball)
    at.select_slider(key=f"gd_lr_{rid}").set_value(0.02)
    at.toggle(key="gd_show_vel").set_value(True)
    _run(at)
    assert not at.error
    assert f"{LABEL}, η = 0.02" in _text(at)
    (lr,) = _open_view(at, VIEW_STABILITY)
    # The velocity arrow: an overlay of the map for every run; the heavy ball's is drawn (run 0).
    header, arrays = _views(at)["descent-map"]
    arrow = next(o for o in header["overlays"] if o["kind"] == "velocity")
    assert arrow["name"].startswith("momentum: ") and f"{LABEL}: −u" in arrow["name"]
    assert np.all(np.isfinite(arrays["velocity"][-1, 0]))  # run 0's arrow at the last step
    # Its limit on the bowl (L = 10): 2(1 + 0.9)/10 = 0.38, from the class.
    hover = next(t["hovertemplate"] for t in lr["data"] if t.get("mode") == "markers+text")
    assert hover.startswith(f"{LABEL}, η = 0.02") and "its limit 0.38" in hover
    assert f"−u ({LABEL})" in at.toggle(key="gd_show_vel").help


def test_widget_values_survive_a_page_switch():
    at = _run(AppTest.from_file("../../app.py", default_timeout=60))
    _run(at.switch_page("pages/descent.py"))
    rid = at.session_state["gd_runs"][1]
    at.select_slider(key=f"gd_lr_{rid}").set_value(0.05)
    at.text_input(key="gd_start").input("1, 0.5")
    at.slider(key=f"gd_set_{rid}_momentum_beta").set_value(0.5)
    at.toggle(key="gd_show_vel").set_value(True)
    _run(at)
    _run(at.switch_page("pages/functions.py"))  # Streamlit drops the descent widgets' values here
    assert "gd_start" not in at.session_state and f"gd_lr_{rid}" not in at.session_state
    _run(at.switch_page("pages/descent.py"))
    assert at.select_slider(key=f"gd_lr_{rid}").value == 0.05
    assert at.text_input(key="gd_start").value == "1, 0.5"
    assert at.slider(key=f"gd_set_{rid}_momentum_beta").value == 0.5
    assert at.toggle(key="gd_show_vel").value is True
