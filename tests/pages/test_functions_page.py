"""AppTest of the functions page: every activation renders from the engine, the vanishing-gradient,
loss and softmax views draw, bad logits show an error and keep the last valid ones, extremes do not
crash."""

from __future__ import annotations

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from nnviz.figures.canvas_chart import read
from nnviz.nn import activations
from nnviz.ui import state
from tests.pages.links import link_warning as _link_warning
from tests.pages.links import open_link, open_share

PAGE = "../../pages/functions.py"


def _chart(at, title: str) -> dict:
    """The canvas chart titled ``title`` (nnviz.figures.canvas_chart.read of its blob)."""
    for el in at.get("bidi_component"):
        chart = read(el.proto.bytes)
        if chart["header"]["title"] == title:
            return chart
    raise AssertionError(f"no chart {title!r}")


def _series(at, title: str) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """A line chart's x values (its first line's) and its series by name."""
    lines = _chart(at, title)["lines"]
    return next(iter(lines.values()))[0], {n: y for n, (_, y) in lines.items()}


def _probs(at, temperature: str = "1") -> np.ndarray:
    return np.array(list(_chart(at, f"probabilities (T = {temperature})")["bars"].values()))


def _app() -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60).run()
    assert not at.exception
    return at


def _open_tab(at, name: str) -> None:
    at.session_state["fn_tab"] = name  # stateful tabs: only the open one is computed and drawn
    at.run()
    assert not at.exception


def test_every_tab_draws_and_keeps_its_settings():
    at = _app()
    charts = {"Activations": ["f(z)", "f′(z)"],
            "Losses": [f"loss L against the {x}" for x in ("prediction", "probability", "logit")]
            + [f"gradient ∂L/∂({x})" for x in ("prediction", "probability", "logit")],
            "Softmax": ["probabilities against T (grey line: T = 1)"],
            "Vanishing gradients": ["the gradient through n layers", "forward: std of each hidden layer's output",
                                    "backward: ‖∂L/∂W‖ per layer (log scale)"]}
    table = next(m.value for m in at.markdown if m.value.startswith("| Function | Output range"))
    assert all(f"| {activations.ACTIVATIONS.get(n).label} |" in table for n in activations.names())  # the notes' table
    assert r"\frac{1}{1 + e^{-z}}" in "\n".join(el.value for el in at.latex)  # sigmoid's formula, from the registry
    at.select_slider(key="fn_zrange").set_value(20).run()
    for tab, titles in charts.items():
        _open_tab(at, tab)
        assert not at.get("plotly_chart") and not at.get("vega_lite_chart"), tab  # canvas charts only
        assert not at.get("dataframe"), tab  # static tables: no data grid
        for title in titles:
            x, series = _series(at, title)
            assert len(x) >= 4 and sum(np.isfinite(v).any() for v in series.values()) >= 2, title
        if tab == "Softmax":
            assert _probs(at) == pytest.approx(np.exp([2, 1, 0.1]) / np.exp([2, 1, 0.1]).sum(), rel=1e-6)
    _open_tab(at, "Activations")
    assert not at.get("plotly_chart")  # the default tab loads no plotly in the browser
    for title in charts["Activations"]:
        z, series = _series(at, title)
        assert z.min() == -20 and z.max() == 20 and set(series) == {"Sigmoid", "Tanh", "ReLU"}, title
    _open_tab(at, "Vanishing gradients")
    _, series = _series(at, "backward: ‖∂L/∂W‖ per layer (log scale)")
    names = set(series)
    assert any(n.startswith("zeros") and "exactly 0" in n for n in names)  # zeros: every gradient 0
    assert any("same* gradient" in md.value for md in at.markdown)
    _open_tab(at, "Activations")
    assert at.select_slider(key="fn_zrange").value == 20  # kept while the tab was closed
    assert at.session_state[state.SAVED]["fn_zrange"] == 20  # in the one store every page shares


def test_every_activation_renders():
    at = _app()
    names = activations.names()
    at.multiselect(key="fn_acts").set_value(names).run()
    assert not at.exception
    z, f = _series(at, "f(z)")
    _, df = _series(at, "f′(z)")
    assert len(f) == len(df) == len(names)  # one curve per activation, in each chart
    assert np.allclose(f["ReLU"], np.maximum(z, 0)) and np.allclose(df["ReLU"], z > 0)
    assert len(at.latex) >= 2 * len(names)  # f and f' of each
    # the leaky ReLU slope slider drives the derivative (and its legend entry names it)
    at.slider(key="fn_hp_leaky_relu_alpha").set_value(0.3).run()
    _, df = _series(at, "f′(z)")
    leaky = next(v for n, v in df.items() if n.startswith("Leaky ReLU"))
    assert leaky[0] == pytest.approx(0.3)
    assert any("alpha=0.3" in n for n in df)
    # extremes: the widest range and the smallest softmax temperature
    at.select_slider(key="fn_zrange").set_value(1000).run()
    at.select_slider(key="fn_hp_softmax_temperature").set_value(0.001).run()
    assert not at.exception and not at.error


def test_softmax_input_errors_keep_the_last_valid_logits():
    at = _app()
    _open_tab(at, "Softmax")
    at.text_input(key="fn_logits").set_value("3, 1").run()
    probs = _probs(at)
    assert probs == pytest.approx(np.exp([3, 1]) / np.exp([3, 1]).sum())
    at.text_input(key="fn_logits").set_value("1, abc").run()
    assert not at.exception
    assert any("'abc' is not a number" in e.value for e in at.error)
    assert _probs(at) == pytest.approx(probs)  # kept
    at.text_input(key="fn_logits").set_value("1000, 0, -1000").run()
    at.select_slider(key="fn_temperature").set_value(0.001).run()
    assert not at.exception and not at.error
    assert any("overflows" in i.value for i in at.info)
    assert _probs(at, "0.001") == pytest.approx([1, 0, 0])


def test_loss_settings_come_from_the_registry_and_drive_the_curves():
    at = _app()
    _open_tab(at, "Losses")
    at.select_slider(key="fn_loss_huber_delta").set_value(0.5).run()  # Huber's delta, from its hyperparams
    assert not at.exception
    _, grads = _series(at, "gradient ∂L/∂(prediction)")
    assert np.abs(grads["Huber"]).max() == pytest.approx(0.5)  # the gradient is clipped at delta
    _open_tab(at, "Vanishing gradients")
    options = at.selectbox(key="fn_init_act").options
    assert "ReLU" in options and "Step" not in options  # no gradient flows through a step: nothing to compare


def test_batch_normalization_view_compares_the_same_network_with_and_without_it():
    at = _app()
    _open_tab(at, "Vanishing gradients")
    title = "± batch norm · backward: ‖∂L/∂W‖ per layer (log scale)"
    layers, series = _series(at, title)
    assert set(series) == {"xavier_uniform", "xavier_uniform + batch norm"} and len(layers) == 20
    plain, normed = series["xavier_uniform"], series["xavier_uniform + batch norm"]
    assert plain[0] / plain[-1] < 1e-10 < 1e-2 < normed[0] / normed[-1]  # sigmoid's gradients vanish without it
    caption = next(c.value for c in at.caption if c.value.startswith("The first layer's gradient"))
    assert "without batch normalization" in caption and "with batch normalization" in caption
    at.selectbox(key="fn_bn_act").set_value("tanh")
    at.slider(key="fn_bn_depth").set_value(8)
    at.run()
    assert not at.exception
    layers, series = _series(at, title)
    assert len(layers) == 8 and all(np.isfinite(v).all() for v in series.values())
    assert _series(at, "backward: ‖∂L/∂W‖ per layer (log scale)")[0].size == 10  # the view above: its own depth
    at.multiselect(key="fn_inits").set_value([])  # nothing to compare above: the view below stays
    at.run()
    assert any("Pick at least one initializer" in i.value for i in at.info)
    assert len(_series(at, title)[0]) == 8



# ---- the page's link ----------------------------------------------------------------------------

def _from_link(params: dict[str, str]) -> AppTest:
    return open_link(PAGE, params)


def test_a_link_opens_its_tab_with_its_settings():
    at = _from_link({"tab": "softmax", "logits": "3,1,-2", "T": "0.5", "acts": "leaky_relu", "leaky_relu.alpha": "0.3"})
    assert not at.exception and _link_warning(at) is None
    assert at.text_input(key="fn_logits").value == "3, 1, -2" and at.select_slider(key="fn_temperature").value == 0.5
    z = np.array([3.0, 1.0, -2.0]) / 0.5
    assert _probs(at, "0.5") == pytest.approx(np.exp(z) / np.exp(z).sum(), rel=1e-6)  # drawn from the link's logits
    assert at.query_params["logits"] == "3,1,-2" and at.query_params["acts"] == "leaky_relu"
    assert any("functions?tab=softmax" in c.value for c in open_share(at, "functions").code)  # the copy block
    _open_tab(at, "Activations")  # the other tab's settings came with the link too
    assert at.multiselect(key="fn_acts").value == ["leaky_relu"]
    _, df = _series(at, "f′(z)")
    assert next(iter(df.values()))[0] == pytest.approx(0.3)  # the link's slope
    assert at.query_params["tab"] == "activations"  # the address bar follows the tab


def test_a_link_sets_the_vanishing_gradient_and_batch_norm_views():
    at = _from_link({"tab": "vanishing", "chain": "tanh", "n": "12", "bnact": "tanh", "bndepth": "6", "bnwidth": "16"})
    assert not at.exception and _link_warning(at) is None
    assert len(_series(at, "the gradient through n layers")[0]) == 12
    layers, series = _series(at, "± batch norm · backward: ‖∂L/∂W‖ per layer (log scale)")
    assert len(layers) == 6 and at.select_slider(key="fn_bn_width").value == 16


def test_a_bad_link_says_what_it_ignored_and_uses_the_defaults():
    at = _from_link({"tab": "softmax", "logits": "1, abc", "T": "0.25", "acts": "sigmoid,nope", "foo": "bar"})
    assert not at.exception
    problems = _link_warning(at) or ""
    for part in ("ignored logits='1, abc'", "ignored T='0.25'", "ignored acts='sigmoid,nope'", "unknown link parameter foo"):
        assert part in problems
    assert at.text_input(key="fn_logits").value == "2, 1, 0.1" and at.select_slider(key="fn_temperature").value == 1.0
    at.select_slider(key="fn_temperature").set_value(2.0).run()  # a change: the warning has done its job
    assert _link_warning(at) is None and at.query_params["T"] == "2.0"


def test_class_mode_hides_the_logits_and_keeps_them():
    at = _from_link({"tab": "softmax", "logits": "0,5", "hide": "logits"})
    assert not at.exception and not [t for t in at.text_input if t.key == "fn_logits"]
    assert _probs(at) == pytest.approx(np.exp([0, 5]) / np.exp([0, 5]).sum(), rel=1e-6)
    at.run()
    assert _probs(at) == pytest.approx(np.exp([0, 5]) / np.exp([0, 5]).sum(), rel=1e-6)
