"""An idle session's pages give back what they declared heavy and come back without a traceback or
lost work (nnviz.ui.session_memory through AppTest): the digits page drops its test-set evaluation
and rebuilds the same one, a training run or a live playground run is paused, never running, and
the weights, step and settings stay."""

from __future__ import annotations

import numpy as np
from streamlit.testing.v1 import AppTest

from nnviz.ui import session_memory as sm

PAGES = "../../pages"


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _weights(run) -> dict[str, np.ndarray]:
    return {k: v.copy() for k, v in run.trainer.net.params.items()}


def test_every_run_marks_the_session_active():
    at = AppTest.from_file(f"{PAGES}/descent.py", default_timeout=60).run()
    first = at.session_state[sm.ACTIVE_AT]
    at.run()
    assert at.session_state[sm.ACTIVE_AT] > first


def test_an_idle_playground_pauses_and_keeps_its_run():
    at = AppTest.from_file(f"{PAGES}/playground.py", default_timeout=60).run()
    at.button(key="pg_play").click().run()
    for _ in range(3):
        at.run()
    run = at.session_state["pg_run"]
    assert at.session_state["pg_running"] and run.step > 0
    step, weights = run.step, _weights(run)
    out = sm.release(at.session_state)
    assert "pg_run" in out.keys and not out.busy
    assert at.session_state["pg_running"] is False
    at.run()  # the user comes back
    assert not at.exception, at.exception
    assert at.session_state["pg_run"] is run and run.step == step  # paused: no step was trained
    assert all(np.array_equal(weights[k], v) for k, v in run.trainer.net.params.items())
    assert at.button(key="pg_play").label == "Play"


def _train(at: AppTest, epochs: int) -> None:
    at.radio(key="dg_kind").set_value("mlp").run()
    at.slider(key="dg_n_train").set_value(500)
    at.number_input(key="dg_epochs").set_value(epochs)
    at.toggle(key="dg_augment").set_value(False).run()
    at.button(key="dg_start").click().run()


def test_an_idle_digits_session_drops_its_evaluation_and_rebuilds_the_same(mnist_folder):
    at = AppTest.from_file(f"{PAGES}/digits.py", default_timeout=120).run()
    _train(at, epochs=1)
    for _ in range(20):
        if not at.session_state["dg_run"].running:
            break
        at.run()
    at.run()  # stopped: the evaluation is shown
    run = at.session_state["dg_run"]
    accuracy = _metrics(at)["Test accuracy"]
    assert run.evaluation is not None
    weights, step = _weights(run), run.trainer.step
    out = sm.release(at.session_state)
    assert "dg_run" in out.keys and not out.busy
    assert run.evaluation is None and out.freed >= 400_000  # at least the 10,000 x 10 probabilities
    at.run()  # the user comes back
    assert not at.exception, at.exception
    assert at.session_state["dg_run"] is run and run.trainer.step == step
    assert all(np.array_equal(weights[k], v) for k, v in run.trainer.net.params.items())
    assert run.evaluation is not None and _metrics(at)["Test accuracy"] == accuracy


def test_a_digits_training_left_idle_is_paused_never_running(mnist_folder, monkeypatch):
    from nnviz.ui import digits as ui

    monkeypatch.setattr(ui, "TRAIN_SECONDS", 1e-9)  # one step a tick: still training after the click
    at = AppTest.from_file(f"{PAGES}/digits.py", default_timeout=120).run()
    _train(at, epochs=3)
    run = at.session_state["dg_run"]
    assert run.running
    sm.release(at.session_state)
    assert not run.running
    step = run.trainer.step
    at.run()
    assert not at.exception, at.exception
    assert not run.running and run.trainer.step == step
    assert not at.button(key="dg_start").disabled and at.button(key="dg_pause").disabled


def _live_tick_script():
    import streamlit as st

    from nnviz.labs.playground.experiment import Experiment
    from nnviz.labs.playground.run import build
    from nnviz.ui import playground, session_memory

    run = build(Experiment())
    st.session_state.pop(session_memory.ACTIVE_AT, None)
    playground.live_tick(run, training=True, network=False, show_test=False, discretize=False, log=False)
    st.write(f"active={session_memory.ACTIVE_AT in st.session_state}")


def test_a_training_tick_marks_the_session_active():
    """A live view that ticks is never idle: its training tick reads its speed through nnviz.ui.state."""
    at = AppTest.from_function(_live_tick_script, default_timeout=60).run()
    assert not at.exception, at.exception
    assert "active=True" in at.markdown[0].value
