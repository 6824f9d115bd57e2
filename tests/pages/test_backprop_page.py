"""AppTest of the backpropagation page: the worked examples show the corrected numbers (checked
against the engine's own network and SGD), Step updates the weights, bad input keeps the state,
and the gradient check reports errors under 1e-6."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from nnviz.figures import backprop as figs
from nnviz.figures.canvas_chart import read
from nnviz.nn import losses, optimizers
from nnviz.nn.layers import Activation, Dense
from nnviz.nn.network import Network
from nnviz.ui import state
from tests import throwaway
from tests.pages.links import link_warning as _link_warning
from tests.pages.links import open_link, open_share
from tests.pages.places import places

PAGE = "../../pages/backprop.py"
THROWAWAY = "not-a-real-loss"


def _app() -> AppTest:
    return AppTest.from_file(PAGE, default_timeout=60).run()


def _metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _chart(at, key: str) -> dict:
    """A plotly chart's figure, by key."""
    for el in at.get("plotly_chart"):
        if el.proto.id.endswith(key):
            return json.loads(el.proto.spec)
    raise AssertionError(f"no chart {key}")


def _charts(at) -> list[dict]:
    """The canvas charts in page order (nnviz.figures.canvas_chart.read of each blob)."""
    return [read(el.proto.bytes) for el in at.get("bidi_component")]


def _chart_with(at, line: str, index: int = 0) -> dict:
    """The ``index``-th canvas chart with a line named ``line``."""
    charts = [c for c in _charts(at) if line in c["lines"]]
    assert len(charts) > index, f"no chart #{index} with a line {line!r}"
    return charts[index]


def _table(at, column: str) -> list[dict[str, str]]:
    """The Markdown table with a column ``column``: its rows as dicts of cell text (Markdown
    escapes and bold removed)."""
    for md in at.markdown:
        lines = md.value.splitlines()
        if not lines or not lines[0].startswith("|"):
            continue
        unescape = lambda c: re.sub(r"\\(.)", r"\1", c.strip()).replace("**", "")  # noqa: E731
        cells = [[unescape(c) for c in re.split(r"(?<!\\)\|", line)[1:-1]] for line in lines]
        if column in cells[0]:
            return [dict(zip(cells[0], row, strict=True)) for row in cells[2:]]
    raise AssertionError(f"no table with a column {column!r}")


def _latex(at) -> str:
    return "\n".join(el.value for el in at.latex)


def _engine_neuron(w, x, activation, loss_name, y, lr=0.1):
    """The worked example through the engine's Network and SGD, independently of nnviz.labs.explain."""
    w = np.asarray(w, dtype=np.float64)
    net = Network([Dense(w.shape[1], use_bias=False), Activation(activation)], input_shape=(w.shape[0],),
                  dtype=np.float64)
    net.params["dense0.W"][...] = w
    loss = losses.get(loss_name)
    out = net.forward(np.asarray([x], dtype=np.float64))
    value = loss.value(out, y)
    net.loss_backward(loss, out, y)
    grad = net.grads["dense0.W"].copy()
    optimizers.get("sgd")(learning_rate=lr).step(net.params, net.grads)
    return out[0], value, grad, net.params["dense0.W"].copy()


def test_sigmoid_preset_and_step():
    at = _app()
    assert not at.exception
    assert not at.get("plotly_chart")  # the default tab needs no plotly (issue #16)
    out, value, grad, new_w = _engine_neuron([[0.2]], [0.5], "sigmoid", "binary_cross_entropy", np.array([1]))
    assert not at.get("vega_lite_chart") and not at.get("dataframe")  # canvas charts, static tables
    slice_ = _chart_with(at, "L(w)")
    (now_w, now_l), (after_w, _) = slice_["points"].values()
    assert [now_w[0], after_w[0]] == pytest.approx([0.2, new_w[0, 0]]) and now_l[0] == pytest.approx(value)
    assert len(slice_["lines"]["L(w)"][0]) > 50  # the loss along w (and the tangent)
    m = _metrics(at)
    assert float(m["Loss L"]) == pytest.approx(value, abs=5e-5) == pytest.approx(0.6444, abs=5e-5)
    assert float(m["Gradient ∂L/∂w"]) == pytest.approx(grad[0, 0], abs=5e-5) == pytest.approx(-0.2375, abs=5e-5)
    assert float(m["New weight w′"]) == pytest.approx(new_w[0, 0], abs=5e-5) == pytest.approx(0.2238, abs=5e-5)
    tex = _latex(at)
    assert "0.5250" in tex and "a - y" in tex
    slip = " ".join(md.value for md in at.markdown if "slip" in md.value.lower() or "twice" in md.value)
    assert "0.2059" in slip and "0.2118" in slip  # the double derivative, and the note's own gradient
    # Step applies the update: w becomes the new weight and a history starts.
    at.button(key="bp_step").click().run()
    assert not at.exception
    assert float(at.text_input(key="bp_w").value) == pytest.approx(new_w[0, 0], rel=1e-9)
    assert len(at.session_state["bp_history"]) == 2
    assert float(_metrics(at)["Loss L"]) == pytest.approx(at.session_state["bp_history"][1]["loss"], abs=5e-5)
    history = at.session_state["bp_history"]
    assert list(_chart_with(at, "loss")["lines"]["loss"][1]) == pytest.approx([value, history[1]["loss"]])
    weights = _chart_with(at, "w")
    assert list(weights["lines"]) == ["w", "b"]
    assert list(weights["lines"]["w"][1]) == pytest.approx([0.2, new_w[0, 0]])
    rows = _table(at, "loss")  # the steps, as a static table
    assert [r["step"] for r in rows] == ["0", "1"] and float(rows[1]["w"]) == pytest.approx(new_w[0, 0], abs=5e-5)
    assert not at.get("dataframe")
    at.button(key="bp_reset").click().run()
    assert at.text_input(key="bp_w").value == "0.2" and at.session_state["bp_history"] == []


def test_relu_preset():
    at = _app()
    at.selectbox(key="bp_preset").set_value("relu_ce").run()
    assert not at.exception
    out, value, grad, new_w = _engine_neuron([[0.2]], [0.5], "relu", "cross_entropy", np.array([[1.0]]))
    m = _metrics(at)
    assert float(m["Loss L"]) == pytest.approx(value, abs=5e-5) == pytest.approx(2.3026, abs=5e-5)
    assert float(m["Gradient ∂L/∂w"]) == pytest.approx(grad[0, 0]) == pytest.approx(-5.0)
    assert float(m["New weight w′"]) == pytest.approx(new_w[0, 0]) == pytest.approx(0.7)
    tex = _latex(at)
    assert "-10.0000" in tex and "(-10.0000) \\cdot 1.0000 \\cdot 0.5" in tex  # dL/da, da/dz, dz/dw
    slip = " ".join(md.value for md in at.markdown)
    assert "prediction minus target" in slip and "0.2450" in slip
    assert any("not a probability" in w.value and "-0.3001" in w.value for w in at.warning)


def test_softmax_preset():
    at = _app()
    at.selectbox(key="bp_preset").set_value("softmax_ce").run()
    assert not at.exception
    out, value, grad, new_w = _engine_neuron([[0.3, 0.0], [0.0, -0.2]], [1.0, 2.0], "softmax", "cross_entropy",
                                             np.array([1]))
    m = _metrics(at)
    assert float(m["Loss L"]) == pytest.approx(value, abs=5e-5) == pytest.approx(1.1032, abs=5e-5)
    table = _table(at, "after the step θ′")
    assert [r["parameter"] for r in table] == ["w1", "w2", "b"]
    got = [float(r["after the step θ′"]) for r in table[:2]]
    assert got == pytest.approx([new_w[0, 0], new_w[1, 1]], abs=5e-5)
    assert got == pytest.approx([0.2332, -0.0664], abs=5e-5)
    grads = [float(r["gradient ∂L/∂θ"]) for r in table]
    assert grads[:2] == pytest.approx([grad[0, 0], grad[1, 1]], abs=5e-5)
    assert grads == pytest.approx([0.6682, -1.3364, 0.0], abs=5e-5)
    assert not at.get("dataframe")
    tex = _latex(at)
    assert "0.6682" in tex and "0.3318" in tex
    assert at.selectbox(key="bp_class").value == 1  # class 2 of the notes


def test_bad_input_shows_an_error_and_keeps_the_state():
    at = _app()
    at.text_input(key="bp_x").set_value("0.5, abc").run()
    assert not at.exception
    assert any("'abc' is not a number" in e.value for e in at.error)
    assert at.text_input(key="bp_w").value == "0.2"
    at.text_input(key="bp_x").set_value("0.5, 1").run()
    assert any("one weight per input" in e.value for e in at.error)
    at.button(key="bp_step").click().run()  # stepping with bad input says so and changes nothing
    assert not at.exception and at.text_input(key="bp_w").value == "0.2"
    assert at.selectbox(key="bp_preset").value == "custom"


def test_extreme_weights_do_not_crash():
    at = _app()
    at.text_input(key="bp_w").set_value("1000000").run()  # z = 500000: saturated sigmoid
    at.number_input(key="bp_target").set_value(0.0).run()
    assert not at.exception and not at.error
    assert float(_metrics(at)["Gradient ∂L/∂w"]) == pytest.approx(0.5)  # (p - y) x, exact when saturated


def _open_tab(at, name: str) -> None:
    at.session_state["bp_tab"] = name  # stateful tabs: only the open one is drawn
    at.run()
    assert not at.exception


def test_tiny_network_and_gradient_check():
    at = _app()
    assert not at.get("plotly_chart") or all("bp_tiny" not in c.proto.id for c in at.get("plotly_chart"))
    _open_tab(at, "Tiny network")
    at.select_slider(key="bp_tiny_step").set_value(3).run()
    assert not at.exception
    spec = _chart(at, "bp_tiny_chart")
    assert "stage 3 of 6" in spec["layout"]["title"]["text"]
    assert sum(t.get("line", {}).get("color") == "#ef553b" for t in spec["data"]) == 2  # h1->o, h2->o
    assert "Output-layer weights" in " ".join(md.value for md in at.markdown)
    rows = _table(at, "formula")  # every forward value and gradient, the current stage's in bold
    assert any(r["quantity"] == "∂L/∂w⁽²⁾₁₁" and r["stage"] == "back 3" for r in rows)
    bold = next(md.value for md in at.markdown if "| formula |" in md.value)
    assert "**back 3**" in bold and "**forward**" not in bold
    at.button(key="bp_tiny_sgd").click().run()
    assert at.session_state["bp_tiny_params"] is not None
    assert _metrics(at)["SGD steps taken"] == "1"
    assert len(_chart_with(at, "loss")["lines"]["loss"][0]) == 2

    _open_tab(at, "Gradient check")
    m = _metrics(at)
    assert float(m["Largest relative error (per array)"]) < 1e-6
    assert float(m["Largest per-parameter error"]) < 1e-6
    assert any("agrees with finite differences" in s.value for s in at.success)
    [check] = [c for c in _charts(at) if c["bars"]]
    assert set(check["header"]["bars"]["colors"]) == {figs.STEP}  # every bar below the threshold
    assert [r["parameter"] for r in _table(at, "finite differences")] == list(check["bars"])
    at.toggle(key="bp_gc_slip").set_value(True).run()
    assert float(_metrics(at)["Largest relative error (per array)"]) > 1e-3
    assert any("disagree" in e.value for e in at.error)
    [check] = [c for c in _charts(at) if c["bars"]]
    assert figs.HIGHLIGHT in check["header"]["bars"]["colors"]

    _open_tab(at, "Tiny network")  # the widgets kept their values while the tab was closed
    assert at.select_slider(key="bp_tiny_step").value == 0 and _metrics(at)["SGD steps taken"] == "1"
    at.selectbox(key="bp_tiny_head").set_value("softmax_ce").run()
    assert not at.exception
    assert at.session_state["bp_tiny_params"] is None  # a new architecture starts from its initialization
    _open_tab(at, "Single neuron")
    assert at.text_input(key="bp_w").value == "0.2"
    assert at.session_state[state.SAVED]["bp_tiny_head"] == "softmax_ce"  # in the one store every page shares


def test_a_newly_registered_loss_is_offered():
    losses.LOSSES.register(THROWAWAY)(throwaway.HalfSquares)
    try:
        at = _app()
        assert "Half squares" in at.selectbox(key="bp_loss").options  # the list comes from the registry
        at.selectbox(key="bp_loss").set_value(THROWAWAY).run()
        assert not at.exception and not at.error
        a = 1 / (1 + np.exp(-0.1))  # the first worked example's neuron: sigmoid(0.2 * 0.5), target 1
        assert float(_metrics(at)["Loss L"]) == pytest.approx(0.5 * (a - 1) ** 2, abs=5e-5)
        assert float(_metrics(at)["Gradient ∂L/∂w"]) == pytest.approx((a - 1) * a * (1 - a) * 0.5, abs=5e-5)
    finally:
        losses.LOSSES.unregister(THROWAWAY)
    assert THROWAWAY not in losses.names()


# ---- the page's link ----------------------------------------------------------------------------

def _from_link(params: dict[str, str]) -> AppTest:
    return open_link(PAGE, params)


SOFTMAX_LINK = {"tab": "neuron", "ex": "custom", "x": "1,2", "w": "0.3,-0.2", "b": "0.5", "act": "softmax",
                "softmax.temperature": "2", "loss": "cross_entropy", "cls": "1", "lr": "0.3"}


def test_a_link_sets_the_neuron_and_the_page_computes_it():
    at = _from_link(SOFTMAX_LINK)
    assert not at.exception and _link_warning(at) is None
    assert at.text_input(key="bp_x").value == "1, 2" and at.text_input(key="bp_w").value == "0.3, -0.2"
    assert at.selectbox(key="bp_act").value == "softmax" and at.selectbox(key="bp_class").value == 1
    assert at.number_input(key="bp_b").value == 0.5 and at.select_slider(key="bp_lr").value == 0.3
    assert at.select_slider(key="bp_act_softmax_temperature").value == 2.0
    # the numbers shown are this neuron's: softmax(z / T) with z = w * x + b, class 2 the target
    z = (np.array([0.3, -0.2]) * np.array([1.0, 2.0]) + 0.5) / 2.0
    p = np.exp(z - z.max()) / np.exp(z - z.max()).sum()
    assert float(_metrics(at)["Loss L"]) == pytest.approx(-np.log(p[1]), abs=1e-4)
    # the address bar holds every setting, the copy block the same link
    assert at.query_params["x"] == "1,2" and at.query_params["tlr"] == "0.3"
    assert any("backprop?tab=neuron" in c.value and "act=softmax" in c.value for c in open_share(at, "backprop").code)


def test_a_link_opens_the_tiny_network_with_its_weights():
    weights = [0.1, -0.2, 0.3, -0.4, 0.05, -0.05, 0.7, -0.6, 0.2]
    at = _from_link({"tab": "tiny", "net": "linear_mse", "g": "tanh", "x1": "2", "x2": "-1", "ty": "3",
                     "seed": "5", "stage": "2", "tw": ",".join(map(str, weights))})
    assert not at.exception and _link_warning(at) is None
    assert at.selectbox(key="bp_tiny_head").value == "linear_mse" and at.select_slider(key="bp_tiny_step").value == 2
    from nnviz.labs.explain import tiny_network
    config = tiny_network.TinyConfig((2.0, -1.0), 3.0, "tanh", "linear_mse", "xavier_uniform", 5, 0.3)
    expected = tiny_network.tiny_forward_backward(config, np.array(weights)).loss
    assert float(_metrics(at)["Network loss L"]) == pytest.approx(expected, abs=1e-4)
    assert at.query_params["tw"] == ",".join(map(str, weights))  # the weights stay in the link


def test_a_bad_link_says_what_it_ignored_and_uses_the_defaults():
    at = _from_link({"x": "1, two", "act": "not-an-activation", "lr": "0.2", "zzz": "1", "tw": "1,2"})
    assert not at.exception
    problems = _link_warning(at)
    assert problems is not None
    for part in ("ignored x='1, two'", "ignored act='not-an-activation'", "ignored lr='0.2'", "ignored tw='1,2'",
                 "unknown link parameter zzz"):
        assert part in problems
    assert at.text_input(key="bp_x").value == "0.5" and at.selectbox(key="bp_act").value == "sigmoid"
    assert at.select_slider(key="bp_lr").value == 0.1
    # the warning stays while the settings are the link's, and goes once the user changes one
    at.run()
    assert _link_warning(at) is not None
    at.text_input(key="bp_x").set_value("0.7").run()
    assert _link_warning(at) is None and at.query_params["x"] == "0.7"


def test_a_neuron_that_cannot_be_built_is_reported():
    at = _from_link({"x": "1,2", "w": "0.5"})
    assert not at.exception
    assert "ignored the link's single neuron (one weight per input" in (_link_warning(at) or "")
    assert at.text_input(key="bp_x").value == "0.5" and at.text_input(key="bp_w").value == "0.2"


def test_class_mode_hides_a_control_and_keeps_its_value():
    at = _from_link({"lr": "1", "hide": "lr,x"})
    assert not at.exception
    assert not [s for s in at.select_slider if s.key == "bp_lr"]
    assert not [t for t in at.text_input if t.key == "bp_x"]
    assert at.session_state["bp_lr"] == 1.0 and at.query_params["hide"] == "lr,x"
    new_w = 0.2 + 1.0 * 0.5 * (1 - 1 / (1 + np.exp(-0.1)))  # sigmoid + BCE: w - lr * (a - y) * x, lr 1
    assert float(_metrics(at)["New weight w′"]) == pytest.approx(new_w, abs=1e-4)
    at.run()  # a hidden control's value survives the runs that do not draw it
    assert float(_metrics(at)["New weight w′"]) == pytest.approx(new_w, abs=1e-4) and at.query_params["lr"] == "1.0"


def test_steps_are_in_the_link():
    at = _from_link({"ex": "sigmoid_ce"})
    at.button(key="bp_step").click().run()
    w = at.text_input(key="bp_w").value
    assert w != "0.2" and at.query_params["w"] == w


def test_a_warning_that_comes_and_goes_leaves_the_elements_below_in_place():
    """The neuron's "not a probability" warning has a fixed place above the derivation and the
    charts (common.message_slot): Streamlit's frontend keys a block's elements by their place in it,
    and a warning drawn above them would move them, and the browser would build them anew."""
    at = _app()
    before = places(at.main, depth=3)  # the page, its tabs, the first tab's elements (the relu
    at.selectbox(key="bp_preset").set_value("relu_ce").run()  # example's derivation has more)
    assert any("not a probability" in w.value for w in at.warning)
    assert places(at.main, depth=3) == before
