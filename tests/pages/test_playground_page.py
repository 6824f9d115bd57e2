"""The playground page under AppTest.

AppTest cannot fire ``run_every`` timers: each ``.run()`` runs the live fragment once, so a test
trains by pressing Play and running the script a few times (or with the Step buttons). The live
views are components (unknown elements to AppTest): tests read the run from session state and
the packed batch each view received (``nnviz.labs.packing.unpack``).
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from nnviz.figures.canvas_chart import read
from nnviz.labs.packing import unpack
from nnviz.labs.playground import frames, presets
from nnviz.labs.playground.experiment import Experiment
from nnviz.labs.playground.link import to_query
from nnviz.labs.playground.run import Run, metrics
from nnviz.ui import playground as ui

PAGE = "../../pages/playground.py"
TAB_TRAIN, TAB_COMPARE, TAB_SHARE = list(ui.PAGE_TABS)
VIEW_NETWORK, VIEW_DIAGNOSTICS = list(ui.VIEW_TABS)


def _page(query: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    if query:
        at.query_params.update(query)
    at.run()
    assert not at.exception, at.exception
    return at


def _run(at: AppTest) -> Run:
    return at.session_state["pg_run"]


def _exp(at: AppTest) -> Experiment:
    return at.session_state["pg_exp"]


def _live(at: AppTest) -> list[tuple[dict, dict]]:
    """(header, arrays) of each live view on the page (one on the Train tab)."""
    views = [unpack(c.proto.bytes) for c in at.get("bidi_component")]
    return [(h, a) for h, a in views if h.get("kind") != "chart"]


def _step(at: AppTest) -> int:
    """The step the main live view shows last (its last frame), checked against the run."""
    header, _ = _live(at)[0]
    shown = header["frames"][-1]["step"]
    assert shown == _run(at).step
    return shown


def _train_loss(at: AppTest) -> float:
    header, _ = _live(at)[0]
    return header["frames"][-1]["train_loss"]


def _per_tick(speed: int) -> int:
    return int(speed * ui.TICK_SECONDS)


def _after(ticks: int, speed: int) -> int:
    """Steps after ``ticks`` ticks at ``speed`` steps per second (fractions carry over)."""
    return int(ticks * speed * ui.TICK_SECONDS + 1e-9)


def _charts(at: AppTest) -> list[dict]:
    """The canvas charts on the page (``canvas_chart.read`` of each), not the live view."""
    blobs = [el.proto.bytes for el in at.get("bidi_component")]
    return [read(b) for b in blobs if unpack(b)[0].get("kind") == "chart"]


def _ok(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, at.exception
    return at


def test_renders_with_defaults():
    at = _page()
    assert at.title[0].value.endswith("Playground")
    assert _step(at) == 0 and _train_loss(at) > 0.5
    assert not at.error and not at.warning
    assert not _charts(at)  # the live views are canvas components, not Vega charts
    [(main, arrays)] = _live(at)
    assert main["kind"] == "main" and not main["running"]
    assert arrays["surfaces"].shape == (1, frames.FRAME_SURFACE_RES, frames.FRAME_SURFACE_RES)
    assert main["network"]["sizes"] == [2, 4, 4, 2] and arrays["net_thumbs"].shape[:2] == (1, 12)
    assert _exp(at) == Experiment()
    assert at.button(key="pg_play").label == "Play"
    assert at.query_params.get("lr") in ("0.03", ["0.03"])  # the URL holds the experiment


def test_more_layers_and_neurons_mean_more_parameters_and_a_reset_notice():
    at = _page()
    n0 = _run(at).net.n_params
    at.button(key="pg_layer_plus").click()
    _ok(at)
    assert _exp(at).hidden == (4, 4, 4) and _run(at).net.n_params > n0
    assert any("reset to step 0" in i.value for i in at.info)
    n1 = _run(at).net.n_params
    at.button(key="pg_n_plus_0").click()
    _ok(at)
    assert _exp(at).hidden == (5, 4, 4) and _run(at).net.n_params > n1
    for _ in range(3):
        at.button(key="pg_layer_minus").click()
        _ok(at)
    assert _exp(at).hidden == () and _run(at).net.n_params == 2 * 2 + 2
    assert at.button(key="pg_layer_minus").disabled


@pytest.mark.parametrize(("kind", "key", "value", "check"), [
    ("selectbox", "pg_dataset", "xor", lambda r: r.data.dataset.name == "xor"),
    ("slider", "pg_noise", 0.5, lambda r: r.experiment.noise == 0.5),
    ("slider", "pg_n", 200, lambda r: len(r.data.X_train) + len(r.data.X_test) == 200),
    ("slider", "pg_test", 0.2, lambda r: len(r.data.X_test) == 100),
    ("number_input", "pg_seed", 7, lambda r: r.experiment.seed == 7 and r.net.seed == 7),
    ("selectbox", "pg_act", "relu", lambda r: r.net.layers[1].function == "relu"),
    ("selectbox", "pg_init", "he_normal", lambda r: r.net.layers[0].init == "he_normal"),
    ("selectbox", "pg_loss", "binary_cross_entropy", lambda r: r.net.output_shape == (1,)
     and r.net.layers[-1].function == "sigmoid"),
])
def test_each_architecture_or_data_control_rebuilds_the_model(kind, key, value, check):
    at = _page()
    old = _run(at)
    getattr(at, kind)(key=key).set_value(value)
    _ok(at)
    assert _run(at) is not old and check(_run(at)) and _step(at) == 0
    assert any("reset" in i.value for i in at.info)


@pytest.mark.parametrize(("kind", "key", "value", "check"), [
    ("select_slider", "pg_lr", 0.1, lambda r: r.trainer.config.learning_rate == 0.1),
    ("select_slider", "pg_batch", 50, lambda r: r.trainer.config.batch_size == 50),
    ("select_slider", "pg_l2", 0.01, lambda r: r.trainer.config.l2 == 0.01),
    ("select_slider", "pg_l1", 0.001, lambda r: r.trainer.config.l1 == 0.001),
    ("slider", "pg_dropout", 0.3, lambda r: r.net.layers[2].rate == 0.3),
    ("selectbox", "pg_opt", "momentum", lambda r: r.trainer.optimizer.name == "momentum"),
    ("slider", "pg_opt_adam_beta_1", 0.8, lambda r: r.trainer.optimizer.beta_1 == 0.8),
])
def test_each_training_control_applies_live(kind, key, value, check):
    at = _page()
    at.button(key="pg_step_epoch").click()
    _ok(at)
    old, step = _run(at), _step(at)
    assert step == 25
    getattr(at, kind)(key=key).set_value(value)
    _ok(at)
    assert _run(at) is old and _step(at) == step and check(old)
    assert any("weights and step count kept" in i.value for i in at.info)


def test_features_and_dataset_task_switch_losses():
    at = _page()
    at.button_group(key="pg_features").set_value(["x1", "x2", "x1^2", "sin x2"])
    _ok(at)
    assert _run(at).net.input_shape == (4,)
    at.selectbox(key="pg_dataset").set_value("sine")
    _ok(at)
    assert _exp(at).loss == "mse" and _exp(at).output == "linear"
    assert "cross_entropy" not in at.selectbox(key="pg_loss").options
    main, _ = _live(at)[0]
    assert main["task"] == "regression" and main["n_params"] == _run(at).net.n_params


def test_new_data_button_changes_the_seed():
    at = _page()
    at.button(key="pg_regenerate").click()
    _ok(at)
    assert _exp(at).seed == 1 and at.number_input(key="pg_seed").value == 1


def test_training_for_a_few_runs_lowers_the_training_loss():
    at = _page()
    first = _train_loss(at)
    at.button(key="pg_play").click()
    _ok(at)
    assert at.button(key="pg_play").label == "Pause"
    for _ in range(6):
        _ok(at)
    assert _step(at) >= 6 * _per_tick(ui.DEFAULT_SPEED)
    assert _train_loss(at) < 0.5 * first
    main, arrays = _live(at)[0]
    assert main["running"] and len(main["frames"]) == arrays["surfaces"].shape[0] > 1


def test_pause_stops_steps():
    at = _page()
    at.button(key="pg_play").click()
    _ok(at)
    _ok(at)
    at.button(key="pg_play").click()
    _ok(at)
    assert at.button(key="pg_play").label == "Play"
    step = _step(at)
    for _ in range(3):
        _ok(at)
    assert _step(at) == step > 0
    main, _ = _live(at)[0]
    assert not main["running"] and len(main["frames"]) == 1  # paused: one frame, the true state


def test_step_step_epoch_and_reset():
    at = _page()
    at.button(key="pg_step").click()
    _ok(at)
    assert _step(at) == 1
    at.button(key="pg_step_epoch").click()
    _ok(at)
    assert _step(at) == 1 + 25
    at.button(key="pg_reset").click()
    _ok(at)
    assert _step(at) == 0 and any("Reset" in i.value for i in at.info)


def test_speed_sets_steps_per_second():
    at = _page()
    at.select_slider(key="pg_speed").set_value(1)  # slow motion: one step a second
    at.button(key="pg_play").click()
    _ok(at)
    _ok(at)
    assert _step(at) == _after(2, 1)
    at.select_slider(key="pg_speed").set_value(ui.SPEEDS[-1])
    _ok(at)
    main, _ = _live(at)[0]
    assert ui.SPEEDS[-1] >= 1000 and _step(at) == _after(2, 1) + _per_tick(ui.SPEEDS[-1])
    assert len(main["frames"]) == round(frames.FPS * ui.TICK_SECONDS)


def test_huge_learning_rate_ends_as_diverged_with_a_message_and_no_exception():
    at = _page()
    at.selectbox(key="pg_dataset").set_value("plane")
    _ok(at)
    at.selectbox(key="pg_opt").set_value("sgd")
    at.select_slider(key="pg_lr").set_value(30.0)
    _ok(at)
    at.button(key="pg_play").click()
    for _ in range(4):
        _ok(at)
    assert _run(at).diverged is not None
    assert any("Diverged at step" in e.value for e in at.error)
    assert at.session_state["pg_running"] is False
    assert at.button(key="pg_play").disabled and at.button(key="pg_play").label == "Play"
    assert not at.exception
    at.session_state["pg_running"] = True  # as if resumed (the page shown again): no rerun loop, still paused
    _ok(at)
    assert at.session_state["pg_running"] is False and at.button(key="pg_play").label == "Play"


def test_changing_the_learning_rate_mid_run_keeps_the_step_count():
    at = _page()
    at.button(key="pg_play").click()
    for _ in range(3):
        _ok(at)
    run, step = _run(at), _step(at)
    assert step > 0
    at.select_slider(key="pg_lr").set_value(0.01)
    _ok(at)  # this run also trains one more chunk
    assert _run(at) is run and _step(at) == step + _per_tick(ui.DEFAULT_SPEED)
    assert run.trainer.config.learning_rate == 0.01 and at.session_state["pg_running"]


def test_bad_input_keeps_the_model_and_says_what_is_wrong():
    at = _page()
    at.button(key="pg_step_epoch").click()
    _ok(at)
    run = _run(at)
    at.button_group(key="pg_features").set_value([])
    _ok(at)
    assert any("at least one input feature" in e.value for e in at.sidebar.error)
    assert _run(at) is run and _exp(at).features == ("x1", "x2") and _step(at) == 25


def test_a_shared_link_opens_the_same_experiment():
    exp = Experiment(dataset="xor", noise=0.25, hidden=(6, 3), activation="relu", features=("x1", "x2", "x1*x2"),
                        optimizer="momentum", optimizer_params={"beta": 0.7}, learning_rate=0.05, batch_size=25)
    at = _page(to_query(exp))
    assert _exp(at) == exp and _run(at).experiment == exp
    assert at.selectbox(key="pg_dataset").value == "xor" and at.select_slider(key="pg_lr").value == 0.05
    assert at.slider(key="pg_opt_momentum_beta").value == 0.7
    assert not at.warning


def test_a_bad_link_falls_back_with_a_warning():
    at = _page({"lr": "fast", "hidden": "99", "data": "moons"})
    assert _exp(at).dataset == "moons" and _exp(at).learning_rate == 0.03
    assert len(at.warning) == 1 and "This link has settings nnviz cannot use" in at.warning[0].value
    text = " ".join(t.value for t in at.text)  # the link's own text, as plain text (never Markdown)
    assert "lr='fast'" in text and "hidden='99'" in text


def test_many_bad_link_keys_make_one_short_notice():
    at = _page({"note": "![p](http://127.0.0.1:9/p.png)", "lr": "x" * 100_000,
                **{f"k{i}": "v" for i in range(300)}})
    assert not at.exception and len(at.warning) == 1
    [plain] = [t.value for t in at.text if "link" in t.value]
    assert len(plain) < 2_000 and "more problems in this link" in plain


def test_diagnostics_tab():
    at = _page()
    at.selectbox(key="pg_act").set_value("relu")
    _ok(at)
    at.button(key="pg_step_epoch").click()
    at.session_state["pg_view"] = VIEW_DIAGNOSTICS
    _ok(at)
    charts = _charts(at)
    titles = [c["header"]["title"] for c in charts]
    # gradient norms, dead ReLUs, one weight histogram per layer (the live view draws the rest)
    assert titles[:2] == ["Gradient norm per layer", "Dead ReLUs (zero for every probe input)"]
    assert len(titles) == 2 + len(_exp(at).hidden) + 1
    assert charts[0]["header"]["y"]["log"] and set(charts[2]["lines"]) == {"at init", "now"}
    assert not at.get("vega_lite_chart")
    [(main, arrays)] = _live(at)
    assert "network" not in main and "net_thumbs" not in arrays  # no network graph while Diagnostics is open


def test_compare_runs_tab_trains_copies_from_the_same_weights():
    at = _page()
    at.session_state["pg_tab"] = TAB_COMPARE
    _ok(at)
    [(view, arrays)] = _live(at)  # one canvas view: overlaid losses, one surface per run
    assert view["kind"] == "compare" and [r["label"] for r in view["runs"]] == ["η = 0.001", "η = 0.03", "η = 3"]
    assert all(arrays[f"s{i}"].shape[1:] == (frames.COMPARE_SURFACE_RES,) * 2 for i in range(3))
    cmp = at.session_state["pg_cmp"]
    assert [r.label for r in cmp.runs] == ["η = 0.001", "η = 0.03", "η = 3"]
    at.button(key="pg_cmp_play").click()
    _ok(at)
    _ok(at)
    steps = [r.step for r in cmp.runs]
    want = 2 * _per_tick(ui.DEFAULT_SPEED)
    assert steps[:2] == [want] * 2  # η = 3 may diverge first (the engine's rule), and stop there
    assert steps[2] == want or (cmp.runs[2].diverged is not None and steps[2] < want)
    losses = [metrics(r)["train_loss"] for r in cmp.runs]
    assert len(set(losses)) == 3
    [(view, _)] = _live(at)
    assert [r["frames"][-1]["step"] for r in view["runs"]] == steps and view["running"]
    assert _run(at).step == 0  # the main run is not trained by the comparison
    at.radio(key="pg_cmp_vary").set_value("optimizer")
    _ok(at)
    assert [r.experiment.optimizer for r in at.session_state["pg_cmp"].runs] == ["sgd", "momentum", "adam"]


def test_share_tab_has_the_link_and_downloads():
    at = _page()
    at.session_state["pg_tab"] = TAB_SHARE
    _ok(at)
    link = at.code[0].value
    assert "?" in link and "lr=0.03" in link and "data=circles" in link
    buttons = {b.proto.label: b.proto for b in at.get("download_button")}
    assert len(buttons) == 5 and any("JSON" in t for t in buttons) and any(".npz" in t for t in buttons)
    assert not buttons["PyTorch script (.py)"].disabled and not buttons["NumPy script with nnviz (.py)"].disabled
    # An experiment PyTorch cannot train says why, on its button.
    at.selectbox(key="pg_act").set_value("step")
    _ok(at)
    torch_button = next(b.proto for b in at.get("download_button") if b.proto.label == "PyTorch script (.py)")
    assert torch_button.disabled and "no gradient" in torch_button.help


def test_view_settings_and_the_experiment_survive_a_page_switch():
    at = AppTest.from_file("../../app.py", default_timeout=60)
    at.run()
    at.switch_page("pages/playground.py").run()
    at.slider(key="pg_noise").set_value(0.25)
    at.select_slider(key="pg_speed").set_value(5)
    at.toggle(key="pg_log").set_value(True)
    at.toggle(key="pg_show_test").set_value(True)
    _ok(at)
    at.switch_page("pages/functions.py").run()  # Streamlit drops the playground widgets' values here
    assert "pg_speed" not in at.session_state and "pg_log" not in at.session_state
    at.switch_page("pages/playground.py").run()
    assert not at.exception and not at.error
    assert at.select_slider(key="pg_speed").value == 5
    assert at.toggle(key="pg_log").value is True and at.toggle(key="pg_show_test").value is True
    assert at.slider(key="pg_noise").value == 0.25 and _exp(at).noise == 0.25


def test_compare_runs_tick_at_the_speed_set_on_the_train_tab():
    at = _page()
    at.select_slider(key="pg_speed").set_value(5)
    _ok(at)
    at.session_state["pg_tab"] = TAB_COMPARE  # the speed control is not drawn from here on
    _ok(at)
    at.button(key="pg_cmp_play").click()
    _ok(at)
    _ok(at)
    assert [r.step for r in at.session_state["pg_cmp"].runs] == [_after(2, 5)] * len(ui.COMPARE_LRS)
    assert any("Speed: 5 steps per second" in c.value for c in at.caption)


def test_diagnostics_without_relus_explain_instead_of_an_empty_chart():
    at = _page()
    at.button(key="pg_step_epoch").click()
    at.session_state["pg_view"] = VIEW_DIAGNOSTICS
    _ok(at)
    titles = [c["header"]["title"] for c in _charts(at)]
    assert titles[0] == "Gradient norm per layer" and not any("Dead ReLUs" in t for t in titles)
    assert any("Dead ReLUs are counted" in c.value for c in at.caption)


def test_the_spiral_starts_with_settings_that_learn_it_and_chosen_ones_stay():
    at = _page()
    at.selectbox(key="pg_dataset").set_value("spiral")
    _ok(at)
    assert _exp(at).features == ("x1", "x2", "x1^2", "x2^2", "x1*x2", "sin x1", "sin x2")
    assert _exp(at).hidden == (8, 8)
    at.selectbox(key="pg_dataset").set_value("circles")  # still the spiral's: back to the generic ones
    _ok(at)
    assert _exp(at).features == Experiment().features and _exp(at).hidden == Experiment().hidden
    at.button_group(key="pg_features").set_value(["x1", "x2", "x1*x2"])
    _ok(at)
    at.selectbox(key="pg_dataset").set_value("spiral")  # the user's own choice stays
    _ok(at)
    assert _exp(at).features == ("x1", "x2", "x1*x2") and _exp(at).hidden == Experiment().hidden


def test_a_preset_sets_every_control_resets_and_says_what_to_look_at():
    at = _page()
    at.button(key="pg_step_epoch").click()
    _ok(at)
    old = _run(at)
    preset = presets.get("overfitting")
    at.selectbox(key="pg_preset_pick").set_value("overfitting")
    _ok(at)
    exp = preset.experiment
    assert _exp(at) == exp and _run(at) is not old and _step(at) == 0
    # The controls show the preset's values, and reading them back changes nothing.
    assert at.selectbox(key="pg_dataset").value == "circles" and at.slider(key="pg_noise").value == 0.4
    assert at.slider(key="pg_n").value == 60 and at.selectbox(key="pg_act").value == "relu"
    assert at.select_slider(key="pg_lr").value == 0.01 and at.session_state["pg_hidden"] == [16, 16, 16]
    assert at.toggle(key="pg_show_test").value
    assert at.selectbox(key="pg_preset_pick").value is None  # ready for another pick
    assert at.query_params.get("lr") in ("0.01", ["0.01"])  # the URL holds the preset's experiment
    notes = [i.value for i in at.info if preset.label in i.value]
    assert notes and "L2 rate" in notes[0] and "Think:" in notes[0]

    # A training setting the note suggests keeps the note; a new data set ends it.
    at.select_slider(key="pg_l2").set_value(0.003)
    _ok(at)
    assert _exp(at).l2 == 0.003 and any(preset.label in i.value for i in at.info)
    at.selectbox(key="pg_dataset").set_value("xor")
    _ok(at)
    assert not any(preset.label in i.value for i in at.info)


def test_batch_normalization_per_hidden_layer_resets_and_shows_in_the_network_view():
    at = _page()
    at.button_group(key="pg_bn").set_value([2])
    _ok(at)
    assert _exp(at).batch_norm == (2,) and _step(at) == 0
    kinds = [layer.kind for layer in _run(at).net.layers]
    assert kinds.count("batchnorm") == 1 and kinds[kinds.index("batchnorm") - 1] == "dense"
    assert kinds.index("batchnorm") > kinds.index("dropout")  # after the second Dense, not the first
    header, _ = _live(at)[0]
    assert header["network"]["titles"] == ["Input", "Hidden 1", "Hidden 2 · BN", "Output"]
    assert any("BN's shift β" in c.value for c in at.caption)
    assert at.query_params.get("bn") in ("2", ["2"])
    # Training uses batch statistics and moves the running averages the test loss is measured with.
    at.button(key="pg_step_epoch").click()
    _ok(at)
    bn = next(layer for layer in _run(at).net.layers if layer.kind == "batchnorm")
    assert _step(at) == 25 and bn.buffers["running_var"].min() != 1.0
    # A batch of one point leaves nothing to normalize: the page says so.
    assert not at.sidebar.warning
    at.select_slider(key="pg_batch").set_value(1)
    _ok(at)
    assert any("more than one point per batch" in w.value for w in at.sidebar.warning)
    # Removing the normalized layer takes its batch normalization with it.
    at.button(key="pg_layer_minus").click()
    _ok(at)
    assert _exp(at).hidden == (4,) and _exp(at).batch_norm == ()
    assert at.button_group(key="pg_bn").value == []


def test_a_link_opened_from_another_page_of_the_session_becomes_the_experiment():
    """A lesson's link (st.page_link with query parameters) enters the playground in a session
    that has an experiment already: the link's experiment replaces it, every control follows."""
    at = AppTest.from_file("../../app.py", default_timeout=60).run()
    at.switch_page("pages/playground.py").run()
    assert at.session_state.pg_exp.dataset != "xor"
    at.switch_page("pages/functions.py").run()
    at.query_params.update({"data": "xor", "lr": "0.3", "hidden": "3"})
    at.switch_page("pages/playground.py").run()
    assert not at.exception
    exp = at.session_state.pg_exp
    assert (exp.dataset, exp.learning_rate, exp.hidden) == ("xor", 0.3, (3,))
    assert at.session_state.pg_dataset == "xor" and at.session_state.pg_lr == 0.3
    assert at.session_state.pg_run.step == 0
    at.slider(key="pg_noise").set_value(0.3).run()  # a change on the page itself keeps the rest
    assert at.session_state.pg_exp.dataset == "xor" and at.session_state.pg_exp.noise == 0.3


def test_an_activation_per_layer_resets_shows_in_the_network_view_and_survives_adding_layers():
    at = _page()
    assert [at.selectbox(key=f"pg_act_layer_{i}").value for i in range(2)] == ["tanh", "tanh"]
    at.selectbox(key="pg_act_layer_0").set_value("relu")
    _ok(at)
    assert _exp(at).activations == ("relu", "tanh") and _step(at) == 0
    assert [layer.function for layer in _run(at).net.layers if layer.kind == "activation"] == ["relu", "tanh", "softmax"]
    header, _ = _live(at)[0]
    assert header["network"]["titles"] == ["Input", "Hidden 1 · ReLU", "Hidden 2 · Tanh", "Output"]
    assert at.query_params.get("acts") in ("relu,tanh", ["relu,tanh"])
    # A new layer is like the last one; removing it keeps the others'.
    at.button(key="pg_layer_plus").click()
    _ok(at)
    assert _exp(at).hidden == (4, 4, 4) and _exp(at).activations == ("relu", "tanh", "tanh")
    at.selectbox(key="pg_act_layer_2").set_value("gelu")
    _ok(at)
    assert _exp(at).activations == ("relu", "tanh", "gelu")
    at.button(key="pg_layer_minus").click()
    _ok(at)
    assert _exp(at).activations == ("relu", "tanh")
    # The same activation on every layer is the plain experiment, and the Activation box shows it.
    at.selectbox(key="pg_act_layer_1").set_value("relu")
    _ok(at)
    assert _exp(at) == Experiment(activation="relu") and at.selectbox(key="pg_act").value == "relu"
    # Choosing the Activation sets every layer.
    at.selectbox(key="pg_act_layer_0").set_value("sigmoid")
    _ok(at)
    at.selectbox(key="pg_act").set_value("elu")
    _ok(at)
    assert _exp(at) == Experiment(activation="elu")
    assert [at.selectbox(key=f"pg_act_layer_{i}").value for i in range(2)] == ["elu", "elu"]


def test_a_link_with_an_activation_per_layer_sets_each_layers_box():
    exp = Experiment(hidden=(5, 4, 3), activations=("relu", "tanh", "sigmoid"))
    at = _page(to_query(exp))
    assert _exp(at) == exp and not at.warning
    assert [at.selectbox(key=f"pg_act_layer_{i}").value for i in range(3)] == ["relu", "tanh", "sigmoid"]
    _ok(at)
    assert _exp(at) == exp  # reading the boxes back changes nothing


def test_the_three_arm_spiral_trains_with_softmax_and_a_live_confusion_matrix():
    at = _page()
    at.selectbox(key="pg_dataset").set_value("spiral_3")
    _ok(at)
    exp = _exp(at)
    assert (exp.n_classes, exp.loss, exp.output, exp.sizes[-1]) == (3, "cross_entropy", "softmax", 3)
    assert at.selectbox(key="pg_loss").options == ["Cross-entropy"]  # the one loss offered
    assert any("paler where it is less sure" in c.value for c in at.caption)
    assert any("3 outputs through softmax" in c.value for c in at.sidebar.caption)
    assert at.query_params.get("data") in ("spiral_3", ["spiral_3"])
    at.select_slider(key="pg_speed").set_value(300)
    at.button(key="pg_play").click()
    _ok(at)
    _ok(at)
    main, arrays = _live(at)[0]
    run = _run(at)
    assert main["n_classes"] == 3 and run.step == 2 * _per_tick(300)
    accuracy = main["frames"][-1]["test_accuracy"]
    assert accuracy > 0.5  # chance is 1/3
    # The last frame's confusion matrix is the test labels against the network's classes.
    pred = run.net.forward(run.data.F_test).argmax(axis=1)
    counts = arrays["confusion"][-1]
    assert counts.shape == (3, 3) and counts.sum() == len(run.data.y_test)
    for true in range(3):
        for guess in range(3):
            assert counts[true, guess] == ((run.data.y_test == true) & (pred == guess)).sum()
    assert counts.trace() / counts.sum() == pytest.approx(accuracy)
    assert sorted(set(arrays["pc"].tolist())) == [0, 1, 2]


def test_another_page_s_address_bar_is_not_read_as_a_playground_link():
    """The functions page writes n= (its layers); back on the playground that is not a link to
    n_points (a page switch may keep the previous page's address bar)."""
    at = AppTest.from_file("../../app.py", default_timeout=60).run()
    at.switch_page("pages/playground.py").run()
    at.slider(key="pg_noise").set_value(0.25).run()
    at.switch_page("pages/functions.py").run()
    assert "n" in at.query_params
    at.switch_page("pages/playground.py").run()
    assert not at.exception and not at.warning
    assert _exp(at).noise == 0.25 and _exp(at).n_points == 500
