"""The Sequences page under AppTest: Play trains live (each run is one tick), Step and Reset, a
training setting applies live and a network setting resets, bad settings say what is wrong and
keep the model, every view draws, the chain rule follows its step."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from nnviz.figures.canvas_chart import read
from nnviz.ui import sequences as ui

PAGE = "../../pages/sequences.py"


def _page() -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    assert not at.exception, at.exception
    return at


def _ok(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, at.exception
    return at


def _run(at: AppTest):
    return at.session_state["sq_run"]


def _charts(at: AppTest) -> dict[str, dict]:
    out = {}
    for el in at.get("bidi_component"):
        try:
            chart = read(el.proto.bytes)
        except Exception:  # noqa: BLE001 - the pixel grid sends JSON, not a chart
            continue
        out[chart["header"]["title"]] = chart
    return out


def test_the_page_draws_every_view_at_step_0():
    at = _page()
    titles = set(_charts(at))
    assert {"loss", "how much of the last step's gradient reaches step t"} <= titles
    assert any(t.startswith("test sequence 1") for t in titles)
    assert any('"images"' in el.proto.json for el in at.get("bidi_component") if el.proto.json)  # the hidden states
    assert {m.label: m.value for m in at.metric}["Step"] == "0"
    latex = "\n".join(el.value for el in at.latex)
    assert r"h_{-1} = 0" in latex and r"\frac{\partial L}{\partial h_{14}}" in latex


def test_play_trains_a_tick_per_run_step_and_reset():
    at = _page()
    at.button(key="sq_play").click()
    _ok(at)
    per_tick = round(ui.DEFAULT_SPEED * ui.TICK_SECONDS)
    assert _run(at).step == per_tick
    _ok(at)
    assert _run(at).step == 2 * per_tick and at.button(key="sq_play").label == "Pause"
    at.button(key="sq_play").click()
    _ok(at)
    step = _run(at).step
    _ok(at)
    assert _run(at).step == step  # paused: nothing trains
    at.button(key="sq_step10").click()
    _ok(at)
    assert _run(at).step == step + 10
    at.button(key="sq_reset").click()
    _ok(at)
    assert _run(at).step == 0 and any("Reset" in i.value for i in at.info)


def test_a_training_setting_applies_live_and_a_network_setting_resets():
    at = _page()
    at.button(key="sq_step10").click()
    _ok(at)
    run = _run(at)
    at.select_slider(key="sq_lr").set_value(0.003)
    _ok(at)
    assert _run(at) is run and run.step == 10 and run.optimizer.learning_rate == 0.003
    at.number_input(key="sq_hidden").set_value(8)
    _ok(at)
    assert _run(at) is not run and _run(at).step == 0 and _run(at).rnn.units == 8
    assert any("reset" in i.value for i in at.info)


def test_bad_settings_say_what_is_wrong_and_keep_the_model():
    at = _page()
    at.button(key="sq_step10").click()
    _ok(at)
    run = _run(at)
    for key, value, words in [("sq_hidden", 10_000, "Hidden size must be in [1, 64], got 10000"),
                              ("sq_length", 0, "Sequence length must be in [2, 100], got 0")]:
        at.number_input(key=key).set_value(value)
        _ok(at)
        assert any(words in e.value for e in at.sidebar.error), [e.value for e in at.sidebar.error]
        assert _run(at) is run and run.step == 10
        at.number_input(key=key).set_value(16 if key == "sq_hidden" else 30)
        _ok(at)
    assert not at.sidebar.error


def test_the_remember_task_asks_for_its_lag_and_marks_it_on_the_gradient_chart():
    at = _page()
    at.selectbox(key="sq_task").set_value("remember")
    _ok(at)
    at.number_input(key="sq_lag").set_value(7)
    _ok(at)
    assert _run(at).experiment.task == "remember" and _run(at).experiment.lag == 7
    chart = _charts(at)["how much of the last step's gradient reaches step t"]
    assert any("7 steps back" in r["label"] for r in chart["header"]["rules"])
    at.slider(key="sq_t").set_value(3)
    _ok(at)
    assert r"\frac{\partial L}{\partial h_{2}}" in "\n".join(el.value for el in at.latex)


def test_the_loss_can_be_on_the_last_step_only():
    at = _page()
    at.radio(key="sq_readout").set_value("last step")
    _ok(at)
    run = _run(at)
    assert run.experiment.readout == "last step" and run.train_set.mask.sum() == 1 and run.step == 0


def test_a_shorter_sequence_keeps_the_shown_step_inside_it():
    at = _page()
    at.slider(key="sq_t").set_value(25)
    _ok(at)
    at.number_input(key="sq_length").set_value(10)
    _ok(at)
    assert at.slider(key="sq_t").value == 9 and _run(at).experiment.length == 10

