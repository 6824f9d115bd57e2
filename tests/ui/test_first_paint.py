"""A page's first visit in two runs (nnviz/ui/first_paint.py): in a browser the gradient-descent page's
first run draws the controls and the map and holds the rest (its run cards and their charts) until the
browser asks for it; the rest then keeps the settings; later runs draw everything; a client that runs
no JavaScript gets the whole page at once. The browser's side (asking once the paint is on screen) is
tested in tests/browser/test_descent.py."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from nnviz.ui import first_paint

PAGE = "../../pages/descent.py"
REST_KEY = first_paint.KEY_PREFIX + "descent"


def _run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, at.exception[0].message if at.exception else ""
    return at


def _has_run_cards(at: AppTest) -> bool:
    return any(box.key == "gd_opt_0" for box in at.selectbox)


def _has_rest_element(at: AppTest, key: str = REST_KEY) -> bool:
    return any(getattr(node, "key", None) == key for node in at.get("bidi_component"))


def _held_until_asked(at: AppTest, page: str, rest_drawn) -> None:
    """A rerun the browser did not ask for still holds ``page``'s rest; the element's trigger then
    has the next run draw it (``rest_drawn(at)``) and drop the element."""
    _run(at)
    assert not rest_drawn(at), "a rerun the browser did not ask for drew the rest"
    at.session_state[first_paint._PAINTED] = frozenset({page})  # what the element's trigger sets
    _run(at)
    assert rest_drawn(at)
    assert not _has_rest_element(at, first_paint.KEY_PREFIX + page)


def _has_latex(at: AppTest) -> bool:
    """Whether the run drew any formula (KaTeX: the backprop derivation, the functions' cards)."""
    return len(at.latex) > 0


@pytest.fixture
def in_browser(monkeypatch):
    monkeypatch.setattr(first_paint, "_in_browser", lambda: True)


def test_without_a_browser_the_whole_page_comes_in_one_run():
    at = _run(AppTest.from_file(PAGE, default_timeout=60))
    assert _has_run_cards(at)
    assert not _has_rest_element(at)


def test_in_a_browser_the_first_run_holds_the_rest_until_it_is_asked_for(in_browser):
    at = _run(AppTest.from_file(PAGE, default_timeout=60))
    assert not _has_run_cards(at), "the run cards came in the first run"
    assert not any(b.key == "gd_btn_preset_opt" for b in at.button), "the presets (below the fold) came first"
    assert _has_rest_element(at), "no element asks for the rest"
    assert at.selectbox(key="gd_surface_2").value  # the controls are there
    at.slider(key="gd_steps").set_value(120)  # a setting changed before the rest arrives is kept
    _held_until_asked(at, "descent", _has_run_cards)
    assert at.slider(key="gd_steps").value == 120
    assert any(b.key == "gd_btn_preset_opt" for b in at.button)  # the presets came with the runs
    _run(at)  # later runs draw everything too
    assert _has_run_cards(at)


def test_the_trigger_marks_only_its_own_page(in_browser):
    def script():
        import streamlit as st

        from nnviz.ui import first_paint
        first_paint.whole_from_now("descent")
        st.write(first_paint.rest_is_due("descent", "x"), first_paint.rest_is_due("backprop", "y"))

    at = AppTest.from_function(script).run()
    assert not at.exception
    assert at.markdown[0].value == "`True` `False`"  # descent is drawn whole; backprop still holds its rest
    assert at.session_state[first_paint._PAINTED] == frozenset({"descent"})


BACKPROP = "../../pages/backprop.py"


def test_backprop_first_run_shows_the_controls_and_numbers_then_the_derivation(in_browser):
    at = _run(AppTest.from_file(BACKPROP, default_timeout=60))
    assert not _has_latex(at), "the KaTeX derivation came in the first run"
    assert _has_rest_element(at, first_paint.KEY_PREFIX + "backprop"), "no element asks for the rest"
    assert [m.label for m in at.metric][:2] == ["Loss L", "Gradient ∂L/∂w"]  # the numbers are there
    at.session_state[first_paint._PAINTED] = frozenset({"backprop"})
    _run(at)
    assert _has_latex(at)


def test_backprop_on_another_tab_is_drawn_whole_and_the_neuron_tab_later_too(in_browser):
    at = AppTest.from_file(BACKPROP, default_timeout=60)
    at.session_state["bp_tab"] = "Tiny network"
    _run(at)
    assert first_paint._PAINTED in at.session_state
    assert "backprop" in at.session_state[first_paint._PAINTED]
    at.session_state["bp_tab"] = "Single neuron"  # then the single neuron: whole, in one run
    _run(at)
    assert _has_latex(at)


PLAYGROUND = "../../pages/playground.py"


def _has_training_controls(at: AppTest) -> bool:
    return any(box.key == "pg_opt" for box in at.selectbox)


def test_playground_first_run_draws_the_data_controls_and_the_live_view_then_the_rest(monkeypatch):
    """The sidebar's Network and Training sections are below its fold: a first visit's second run
    draws them; the first run trains nothing differently (the experiment is the same)."""
    whole = _run(AppTest.from_file(PLAYGROUND, default_timeout=60))  # no browser: one run
    assert _has_training_controls(whole)
    monkeypatch.setattr(first_paint, "_in_browser", lambda: True)
    at = _run(AppTest.from_file(PLAYGROUND, default_timeout=60))
    assert not _has_training_controls(at), "the training settings came in the first run"
    assert _has_rest_element(at, first_paint.KEY_PREFIX + "playground"), "no element asks for the rest"
    assert at.selectbox(key="pg_dataset").value == "circles"  # the data controls are there
    assert any(node.key == "pg_live" for node in at.get("bidi_component"))  # and the live view
    assert at.button(key="pg_play").label == "Play"
    assert at.session_state["pg_exp"] == whole.session_state["pg_exp"]  # the settings not drawn keep theirs
    at.slider(key="pg_noise").set_value(0.3)  # a setting changed before the rest arrives is kept
    _held_until_asked(at, "playground", _has_training_controls)
    assert at.slider(key="pg_noise").value == 0.3
    assert at.session_state["pg_exp"].noise == 0.3
    assert at.selectbox(key="pg_opt").value == whole.selectbox(key="pg_opt").value


FUNCTIONS = "../../pages/functions.py"


def test_functions_first_run_draws_the_controls_and_charts_then_the_formulas(in_browser):
    """The activations tab's formula cards (KaTeX) and the notes' table come in the second run."""
    at = _run(AppTest.from_file(FUNCTIONS, default_timeout=60))
    assert not _has_latex(at), "the formulas came in the first run"
    assert not any("comparison table" in m.value for m in at.markdown)
    assert _has_rest_element(at, first_paint.KEY_PREFIX + "functions"), "no element asks for the rest"
    assert at.multiselect(key="fn_acts").value  # the controls are there
    assert {"fn_act_chart", "fn_act_d_chart"} <= {node.key for node in at.get("bidi_component")}  # and the charts
    at.select_slider(key="fn_zrange").set_value(10)  # a setting changed before the rest arrives is kept
    _held_until_asked(at, "functions", _has_latex)
    assert at.select_slider(key="fn_zrange").value == 10
    assert len(at.latex) == 2 * len(at.multiselect(key="fn_acts").value)  # f and f' of each
    assert any("comparison table" in m.value for m in at.markdown)


def test_functions_on_another_tab_is_drawn_whole(in_browser):
    at = AppTest.from_file(FUNCTIONS, default_timeout=60)
    at.session_state["fn_tab"] = "Losses"
    _run(at)
    assert "functions" in at.session_state[first_paint._PAINTED]
    assert not _has_rest_element(at, first_paint.KEY_PREFIX + "functions")


LANDSCAPE = "../../pages/landscape.py"


def _has_run_settings(at: AppTest) -> bool:
    return any(box.key == "ls_seed" for box in at.number_input)


def test_landscape_first_run_draws_the_task_network_and_plane_then_the_run_settings(monkeypatch):
    """The left column's runs and view settings are below its fold: a first visit's second run draws
    them; the first run trains the same runs (the settings not drawn keep their values)."""
    whole = _run(AppTest.from_file(LANDSCAPE, default_timeout=120))  # no browser: one run
    assert _has_run_settings(whole)
    monkeypatch.setattr(first_paint, "_in_browser", lambda: True)
    at = _run(AppTest.from_file(LANDSCAPE, default_timeout=120))
    assert not _has_run_settings(at), "the runs' settings came in the first run"
    assert not any(t.key == "ls_log" for t in at.toggle), "the view's settings came in the first run"
    assert _has_rest_element(at, first_paint.KEY_PREFIX + "landscape"), "no element asks for the rest"
    assert at.selectbox(key="ls_task").value == whole.selectbox(key="ls_task").value  # the task is there
    assert [m.label for m in at.metric] == [m.label for m in whole.metric]  # the same runs, trained
    assert [m.value for m in at.metric] == [m.value for m in whole.metric]
    at.slider(key="ls_noise").set_value(0.5)  # a setting changed before the rest arrives is kept
    _held_until_asked(at, "landscape", _has_run_settings)
    assert at.slider(key="ls_noise").value == 0.5
    assert at.number_input(key="ls_seed").value == whole.number_input(key="ls_seed").value
    assert at.toggle(key="ls_log").value == whole.toggle(key="ls_log").value


DIGITS = "../../pages/digits.py"


def _has_training_tab(at: AppTest) -> bool:
    return any(b.key == "dg_start" for b in at.button)


def test_digits_first_run_draws_the_canvas_tab_then_the_training_and_convolution_tabs(in_browser):
    """The tabs not shown (training, convolution) come in the second run, with the settings kept."""
    at = _run(AppTest.from_file(DIGITS, default_timeout=120))
    assert not _has_training_tab(at), "the training tab came in the first run"
    assert not any(str(s.key).startswith("dg_cv_") for s in at.selectbox), "the convolution tab came in the first run"
    assert _has_rest_element(at, first_paint.KEY_PREFIX + "digits"), "no element asks for the rest"
    assert at.slider(key="dg_pen").value == 18  # the drawing tab is there
    at.slider(key="dg_pen").set_value(24)  # a setting changed before the rest arrives is kept
    _held_until_asked(at, "digits", _has_training_tab)
    assert at.slider(key="dg_pen").value == 24
    assert at.radio(key="dg_kind").value is not None  # the training settings, at their defaults
    assert any(str(s.key).startswith("dg_cv_") for s in at.selectbox)  # and the convolution tab


HOME = "../../app.py"


def _has_lessons(at: AppTest) -> bool:
    return any("Lessons" in h.value for h in at.subheader)


def test_home_first_run_draws_the_pages_cards_then_the_lessons(in_browser):
    """The lessons (below the fold) come in the home page's second run."""
    at = _run(AppTest.from_file(HOME, default_timeout=60))
    assert any("Playground" in h.value for h in at.subheader), "the pages' cards are not there"
    assert not _has_lessons(at), "the lessons came in the first run"
    assert _has_rest_element(at, first_paint.KEY_PREFIX + "home"), "no element asks for the rest"
    _held_until_asked(at, "home", _has_lessons)


SEQUENCES = "../../pages/sequences.py"


def _has_sequence_rest(at: AppTest) -> bool:
    """The sidebar's Network and Training sections and the views below the fold."""
    return any(box.key == "sq_opt" for box in at.selectbox) and any(s.key == "sq_rho" for s in at.slider)


def test_sequences_first_run_draws_the_task_and_the_live_charts_then_the_rest(in_browser):
    """The sidebar's Network and Training sections come with the views below the fold; the element
    that asks for them stands outside the live fragment, so that the ask reruns the whole page."""
    at = _run(AppTest.from_file(SEQUENCES, default_timeout=60))
    assert at.selectbox(key="sq_task").value  # the task is there
    assert not _has_sequence_rest(at), "the network and training settings came in the first run"
    assert _has_rest_element(at, first_paint.KEY_PREFIX + "sequences"), "no element asks for the rest"
    at.number_input(key="sq_length").set_value(12)  # a setting changed before the rest arrives is kept
    _held_until_asked(at, "sequences", _has_sequence_rest)
    assert at.number_input(key="sq_length").value == 12
    assert at.session_state["sq_exp"].length == 12
