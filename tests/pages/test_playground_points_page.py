"""Your own points on the playground page, under AppTest: every point control.

The live view's strokes reach the page as its trigger value ``points`` (``nnviz/ui/live_view``):
AppTest has no way to send a components-v2 trigger, so ``_stroke`` sends one as the browser does,
through the view's trigger-aggregator widget (AppTest's private ``_tree``/``_runner``, the only
route; ``tests/browser/test_playground_points.py`` clicks the real plot).
"""

from __future__ import annotations

import json

import numpy as np
from streamlit.components.v2.bidi_component.main import _make_trigger_id
from streamlit.proto.WidgetStates_pb2 import WidgetState
from streamlit.testing.v1 import AppTest

from nnviz.labs.packing import unpack
from nnviz.labs.playground import code_export, points, points_csv, presets
from nnviz.labs.playground.experiment import Experiment
from nnviz.labs.playground.run import Run, current_points
from nnviz.ui import playground as ui

PAGE = "../../pages/playground.py"
TAB_SHARE = list(ui.PAGE_TABS)[2]


def _ok(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, at.exception
    return at


def _page(query: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    if query:
        at.query_params.update(query)
    return _ok(at)


def _run(at: AppTest) -> Run:
    return at.session_state["pg_run"]


def _exp(at: AppTest) -> Experiment:
    return at.session_state["pg_exp"]


def _main(at: AppTest) -> dict:
    """The header of the main live view's last batch."""
    views = [unpack(c.proto.bytes)[0] for c in at.get("bidi_component")]
    [main] = [h for h in views if h.get("kind") == "main"]
    return main


def _stroke(at: AppTest, edits: list[dict], client: str = "browser-1") -> AppTest:
    """Send the live view's ``points`` trigger with ``edits``, as live.js does, and run."""
    [view] = [c for c in at.get("bidi_component") if c.proto.id.endswith("pg_live")]
    states = at._tree.get_widget_states()
    trigger = WidgetState(id=_make_trigger_id(view.proto.id, "events"))
    trigger.json_trigger_value = json.dumps([{"event": "points", "value": {"client": client, "edits": edits}}])
    states.widgets.append(trigger)
    at._tree._runner._run(states)
    assert not at.exception, at.exception
    return at


def _add(seq: int, label, *xy) -> dict:
    return {"seq": seq, "mode": "add", "label": label, "xy": [list(p) for p in xy]}


def _tool(at: AppTest, tool: str) -> AppTest:
    at.segmented_control(key="pg_edit_tool").set_value(tool)
    return _ok(at)


def test_tools_come_from_the_class_count_and_tell_the_view():
    at = _page()
    # AppTest shows the labels without their icons.
    assert at.segmented_control(key="pg_edit_tool").options == ["Look", "Class 0 (orange)", "Class 1 (blue)", "Erase"]
    assert _main(at)["edit"]["mode"] is None
    assert _main(at)["points"] == {"n_train": 250, "n_test": 250, "custom": False}
    assert at.button(key="pg_points_generated").disabled  # nothing of your own yet
    _tool(at, "add1")
    edit = _main(at)["edit"]
    assert (edit["mode"], edit["label"], edit["radius"]) == ("add", 1, points.ERASE_RADIUS)
    _tool(at, "erase")
    assert _main(at)["edit"]["mode"] == "erase"
    # A regression set: one Add tool and a target value, which the view gets as the label.
    at.selectbox(key="pg_dataset").set_value("sine")
    _ok(at)
    assert at.segmented_control(key="pg_edit_tool").options == ["Look", "Add", "Erase"]
    assert at.session_state["pg_edit_tool"] == "erase"
    _tool(at, "add")
    at.slider(key="pg_edit_value").set_value(-0.75)
    _ok(at)
    assert _main(at)["edit"]["label"] == -0.75
    _stroke(at, [_add(1, -0.75, (1.4, 1.4))])
    assert current_points(_run(at)).y[-1] == -0.75


def test_a_click_adds_a_point_keeping_the_model_and_the_sidebar_says_your_own():
    at = _page()
    _tool(at, "add1")
    at.button(key="pg_step_epoch").click()
    _ok(at)
    run = _run(at)
    step, weights = run.step, run.net.get_flat().copy()
    assert step > 0
    _stroke(at, [_add(1, 1, (1.25, 1.25))])
    _ok(at)  # the page's full run after the first stroke (the sidebar changes)
    assert _run(at) is run and run.step == step and np.array_equal(run.net.get_flat(), weights)
    exp = _exp(at)
    assert exp.points is not None and exp.points.n_train == 251 and exp.points.X[-1].tolist() == [1.25, 1.25]
    assert exp.replace(points=None) == Experiment()  # nothing else changed
    assert len(run.data.X_train) == len(run.trainer.X) == 251
    assert _main(at)["points"] == {"n_train": 251, "n_test": 250, "custom": True}
    assert _main(at)["edit"]["acks"] == {"browser-1": 1}
    assert any("Your own points" in c.value for c in at.sidebar.caption)
    assert at.selectbox(key="pg_dataset").disabled and at.slider(key="pg_noise").disabled
    assert at.slider(key="pg_test").disabled and at.slider(key="pg_n").disabled
    assert at.button(key="pg_regenerate").disabled and not at.button(key="pg_points_generated").disabled
    assert not at.number_input(key="pg_seed").disabled  # the seed still decides the weights
    assert any("Your own points" in i.value for i in at.info)
    at.button(key="pg_step").click()
    _ok(at)
    assert run.step == step + 1  # trains on, on the new points


def test_resent_strokes_apply_once_and_a_new_view_starts_its_own_count():
    at = _page()
    first = [_add(1, 0, (1.3, -1.3))]
    _stroke(at, first)
    _stroke(at, first)  # the same message again (a resend): nothing twice
    assert _exp(at).points.n_train == 251
    _stroke(at, first + [_add(2, 1, (1.3, 1.3), (1.2, 1.3), (1.1, 1.3))])  # a painted stroke, with the old one
    assert _exp(at).points.n_train == 254
    _stroke(at, [_add(1, 1, (-1.3, -1.3))], client="browser-2")  # a reloaded page: its own numbers
    assert _exp(at).points.n_train == 255
    _stroke(at, first, client="browser-1")  # the first view, redrawn away, resends its old stroke: once is enough
    assert _exp(at).points.n_train == 255
    assert _main(at)["edit"]["acks"] == {"browser-1": 2, "browser-2": 1}
    _stroke(at, [_add(2, 7, (0.0, 1.4))], client="browser-2")  # a label no class has: refused, said so
    assert _exp(at).points.n_train == 255
    _ok(at)
    assert at.session_state["pg_points_error"][0] == "stroke"
    assert "a class label must be 0 or 1, got 7" in at.text[0].value


def test_erase_removes_shown_points_only():
    at = _page()
    exp_points = current_points(_run(at))
    target = exp_points.X[~exp_points.test][0]
    test_target = exp_points.X[exp_points.test][0]
    _tool(at, "erase")
    erase = {"seq": 1, "mode": "erase", "label": None, "xy": [target.tolist(), test_target.tolist()]}
    _stroke(at, [erase])
    mine = _exp(at).points
    near = (np.hypot(*(exp_points.X - target).T) <= points.ERASE_RADIUS) | (
        np.hypot(*(exp_points.X - test_target).T) <= points.ERASE_RADIUS)
    assert near[~exp_points.test].sum() >= 1
    assert mine.n_train == 250 - int(near[~exp_points.test].sum())
    assert mine.n_test == 250  # test points are hidden: the eraser leaves them
    at.toggle(key="pg_show_test").set_value(True)
    _ok(at)
    _stroke(at, [{**erase, "seq": 2}])
    assert _exp(at).points.n_test < 250


def test_clear_then_add_trains_only_with_points_and_back_to_generated():
    at = _page()
    at.button(key="pg_points_clear").click()
    _ok(at)
    assert _exp(at).points.n == 0 and _main(at)["points"]["n_train"] == 0
    assert at.session_state["pg_edit_tool"] == "add0"  # ready to draw
    assert any("Cleared" in i.value for i in at.info)
    at.button(key="pg_play").click()
    _ok(at)
    _ok(at)
    assert _run(at).step == 0  # nothing to train on
    _stroke(at, [_add(1, 0, (-1.0, 0.0)), _add(2, 1, (1.0, 0.0))])
    _ok(at)
    assert _run(at).step > 0 and _exp(at).points.n_train == 2
    at.button(key="pg_play").click()  # pause
    _ok(at)
    run, step = _run(at), _run(at).step
    at.button(key="pg_points_generated").click()
    _ok(at)
    assert _exp(at).points is None and _run(at) is run and run.step == step  # the model is kept
    assert len(run.data.X_train) == 250 and not at.selectbox(key="pg_dataset").disabled
    assert any("Back to the generated points" in i.value for i in at.info)


def test_upload_a_good_then_a_bad_csv():
    at = _page()
    at.button(key="pg_step_epoch").click()
    _ok(at)
    run = _run(at)
    good = "x1,x2,label,split\n0.5,0.5,1,train\n-0.5,-0.5,0,train\n0.5,-0.5,0,train\n-0.5,0.5,1,test\n"
    at.file_uploader(key="pg_upload").upload("mine.csv", good.encode(), "text/csv")
    _ok(at)
    mine = _exp(at).points
    assert (mine.n_train, mine.n_test) == (3, 1) and mine.X[0].tolist() == [0.5, 0.5]
    assert _run(at) is run and len(run.data.X_test) == 1
    assert any("Loaded 4 points (3 training, 1 test)" in i.value for i in at.info)
    weights, step = run.net.get_flat().copy(), run.step
    at.file_uploader(key="pg_upload").upload("bad.csv", b"x1,x2,label\n0.1,0.2,1\n0.3,9,0\n", "text/csv")
    _ok(at)
    assert _exp(at).points == mine and np.array_equal(run.net.get_flat(), weights) and run.step == step
    assert any("That file was not loaded" in e.value for e in at.error)
    assert any(t.value.startswith("line 3: x2 = 9 is outside the plot") for t in at.text)
    assert not any("Loaded 4 points" in i.value for i in at.info)  # no contradicting notice
    # Without a split column the points are split by the test share.
    rows = "".join(f"{x:.2f},0,{i % 2}\n" for i, x in enumerate(np.linspace(-1, 1, 10)))
    at.file_uploader(key="pg_upload").upload("plain.csv", rows.encode(), "text/csv")
    _ok(at)
    assert (_exp(at).points.n_train, _exp(at).points.n_test) == (5, 5)
    assert not at.error


def test_download_reads_back_and_exports_and_link_use_your_points():
    at = _page()
    _stroke(at, [_add(1, 1, (1.3, 1.3))])
    _ok(at)
    run = _run(at)
    text = ui._points_file(run)
    assert points_csv.parse(text, "classification", 2) == _exp(at).points
    assert "[1.2999999523162842, 1.2999999523162842]" in code_export.nnviz_script(run)  # float32 features
    assert "Data: your own points, 251 training" in code_export.nnviz_script(run)
    at.session_state["pg_tab"] = TAB_SHARE
    _ok(at)
    assert any("not **your own points**" in w.value for w in at.warning)
    assert at.get("download_button")  # the share tab's downloads are there


def test_a_preset_over_your_own_points_says_they_are_no_longer_in_use():
    at = _page()
    at.button(key="pg_points_clear").click()
    _ok(at)
    assert _exp(at).points is not None
    at.selectbox(key="pg_preset_pick").set_value("overfitting")
    _ok(at)
    assert _exp(at) == presets.get("overfitting").experiment and _exp(at).points is None
    assert any("your points are no longer in use" in i.value for i in at.info)
