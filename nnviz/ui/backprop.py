"""Backpropagation page: a single-neuron calculator, a tiny network stepped through backward, and a
gradient check.

Widget keys are prefixed ``bp_``. Widgets take no ``value=``: ``seeded(key)`` seeds each right
before it is drawn (``nnviz.ui.state.seed``: the remembered value, else ``DEFAULTS``, the first
preset's), ``setting(key)`` reads one whether or not its widget is drawn (the gradient check reads
the tiny network's settings), and the page remembers them at the end of each run. Plain state:
``bp_history`` (the neuron's steps), ``bp_history_sig`` (the settings that history belongs to),
``bp_tiny_params`` / ``bp_tiny_arch`` (the tiny network's weights and the architecture they belong
to), ``bp_tiny_losses``.
Every number shown comes from ``nnviz.labs.explain`` (``neuron``, ``tiny_network``, ``gradient_check``).
Charts are canvas charts (``nnviz.ui.canvas_chart``) and tables static Markdown, so the page loads
neither Vega-Lite nor the data grid; only the tiny network's graph is plotly (``bp_tiny_chart``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import streamlit as st

from nnviz.figures import backprop as figs
from nnviz.figures.tables import markdown_table, md_escape
from nnviz.labs.explain import backprop_link, gradient_check, neuron, numbers, tiny_network
from nnviz.nn import activations, initializers, losses
from nnviz.ui import first_paint, page_link, state
from nnviz.ui.canvas_chart import canvas_chart
from nnviz.ui.common import LEARNING_RATES, LOG_OPTIONS, hyperparam_slider, learning_rate_slider, message_slot

MAX_HISTORY = 50
NEURON_KEYS = ("bp_preset", "bp_x", "bp_w", "bp_b", "bp_act", "bp_loss", "bp_target", "bp_class", "bp_lr")
TINY_KEYS = ("bp_tiny_head", "bp_tiny_hidden", "bp_tiny_x1", "bp_tiny_x2", "bp_tiny_target", "bp_tiny_class",
             "bp_tiny_init", "bp_tiny_seed", "bp_tiny_lr", "bp_tiny_step", "bp_gc_slip")
CUSTOM = "custom"
DEFAULT_PRESET = "sigmoid_ce"
TINY_DEFAULTS: dict[str, Any] = {
    "bp_tiny_head": "sigmoid_bce", "bp_tiny_hidden": "sigmoid", "bp_tiny_x1": 1.0, "bp_tiny_x2": 0.5,
    "bp_tiny_target": 1.0, "bp_tiny_class": 1, "bp_tiny_init": "xavier_uniform", "bp_tiny_seed": 0,
    "bp_tiny_lr": 0.3, "bp_tiny_step": 0, "bp_gc_slip": False,
}


# Figures are cached as shared read-only objects (st.plotly_chart copies them with to_dict; a
# canvas chart is immutable bytes): reruns that leave a view's inputs alone do not rebuild it.

@st.cache_resource(show_spinner=False, max_entries=128)
def slice_figure(config: neuron.NeuronConfig, index: int, names: tuple[str, ...]):
    result = neuron.neuron(config)
    grid, values = neuron.neuron_loss_slice(config, index)
    moved = np.array(config.w)
    moved[index] = result.new_w[index]  # on this slice only this weight moves
    return figs.loss_slice_figure(grid, values, config.w[index], result.loss, result.dL_dw[index],
                                  result.new_w[index], neuron.neuron_loss(config, moved), names[index])


@st.cache_resource(show_spinner=False, max_entries=32)  # 0.16 MB a figure; every SGD step is a new key
def network_figure(config: tiny_network.TinyConfig, params: tuple[float, ...] | None, step: int):
    result = tiny_network.tiny_forward_backward(config, None if params is None else np.array(params))
    return figs.network_figure(result, step)


@st.cache_resource(show_spinner=False, max_entries=64)
def gradcheck_view(config: tiny_network.TinyConfig, params: tuple[float, ...] | None, slip: bool):
    result = gradient_check.gradient_check(config, None if params is None else np.array(params), slip=slip)
    return result, figs.gradcheck_figure(result)


def _key(params: np.ndarray | None) -> tuple[float, ...] | None:
    return None if params is None else tuple(float(v) for v in params)


def _numbers(values) -> str:
    return ", ".join(f"{float(v):.10g}" for v in np.ravel(values))


def _preset_state(key: str) -> dict[str, Any]:
    """The widgets' values of a worked example (``backprop_link.preset_values``: a link uses them too)."""
    return backprop_link.preset_values(key)


TABS = ("Single neuron", "Tiny network", "Gradient check")
DEFAULTS: dict[str, Any] = {"bp_tab": TABS[0], "bp_preset": DEFAULT_PRESET, **_preset_state(DEFAULT_PRESET),
                            **TINY_DEFAULTS}


def setting(key: str, default: Any = None) -> Any:
    """``state.value`` with this page's default: the setting whether or not its widget is drawn."""
    return state.value(key, DEFAULTS.get(key, default))


def seeded(key: str) -> str:
    """``state.seed`` with this page's default, right before the widget ``key`` is created."""
    return state.seed(key, DEFAULTS.get(key))


# ---- the single neuron ----------------------------------------------------------------------

def _pairings() -> str:
    """'Binary cross-entropy pairs with sigmoid, cross-entropy with softmax.', from the registry."""
    pairs = [(cls.label, activations.ACTIVATIONS.get(cls.fused_activation).label.lower())
             for cls in map(losses.LOSSES.get, neuron.neuron_losses()) if cls.fused_activation]
    if not pairs:
        return ""
    first, *rest = pairs
    return ", ".join([f"{first[0]} pairs with {first[1]}", *(f"{a.lower()} with {b}" for a, b in rest)]) + "."

def load_preset() -> None:
    """on_change of the preset box: fill the widgets with the worked example, clear the history."""
    key = st.session_state.get("bp_preset", CUSTOM)
    if key in neuron.PRESETS:
        st.session_state.update(_preset_state(key))
        st.session_state["bp_history"] = []


def mark_custom() -> None:
    """on_change of a setting: the neuron no longer is the preset."""
    st.session_state["bp_preset"] = CUSTOM


def neuron_config() -> neuron.NeuronConfig:
    """The neuron described by the widgets' state; ``ValueError`` saying what is wrong."""
    return backprop_link.neuron_config(setting)


def _signature(c: neuron.NeuronConfig) -> tuple:
    return (c.x, c.activation, c.loss, c.target, c.learning_rate, c.activation_params, c.loss_params)


def step_neuron() -> None:
    """on_click of Step: apply the SGD update to the weight and bias widgets, record the history."""
    ss = st.session_state
    try:
        config = neuron_config()
    except ValueError as exc:
        ss["bp_step_error"] = str(exc)
        return
    result = neuron.neuron(config)
    if not (np.all(np.isfinite(result.new_w)) and np.isfinite(result.new_b)):
        ss["bp_step_error"] = "the update is not finite (lower the learning rate)"
        return
    history = ss.get("bp_history", [])
    if ss.get("bp_history_sig") != _signature(config) or not history:
        history = [{"step": 0, "loss": result.loss, "w": list(config.w), "b": config.b}]
        ss["bp_history_sig"] = _signature(config)
    history.append({"step": history[-1]["step"] + 1, "loss": result.new_loss, "w": list(map(float, result.new_w)),
                    "b": result.new_b})
    ss["bp_history"] = history[-MAX_HISTORY:]
    ss["bp_w"] = _numbers(result.new_w)
    ss["bp_b"] = float(result.new_b)


def reset_neuron() -> None:
    key = st.session_state.get("bp_preset", CUSTOM)
    history = st.session_state.get("bp_history", [])
    if key in neuron.PRESETS:
        st.session_state.update(_preset_state(key))
    elif history:  # back to where the stepping started
        st.session_state["bp_w"] = _numbers(history[0]["w"])
        st.session_state["bp_b"] = float(history[0]["b"])
    st.session_state["bp_history"] = []


def _neuron_controls() -> None:
    ss = st.session_state
    options = [*neuron.PRESETS, CUSTOM]
    shown = lambda control: not page_link.hidden(control)  # noqa: E731  (class mode: hide=x,w,...)
    if shown("ex"):
        st.selectbox("Worked example", options, key=seeded("bp_preset"), on_change=load_preset,
                     format_func=lambda k: neuron.PRESETS[k].label if k in neuron.PRESETS else "Custom",
                     help="The three worked examples of the notes (003), computed correctly. Changing any "
                          "setting below makes it a custom neuron.")
    c1, c2, c3, c4 = st.columns(4, gap="medium")
    with c1:
        if shown("x"):
            st.text_input("Inputs x", key=seeded("bp_x"), on_change=mark_custom,
                          help="One or more numbers separated by commas, e.g. 0.5 or 1, 2.")
        if shown("w"):
            st.text_input("Weights w", key=seeded("bp_w"), on_change=mark_custom,
                          help="One weight per input. 'Step' writes the updated weights here.")
        if shown("b"):
            st.number_input("Bias b", key=seeded("bp_b"), step=0.1, format="%.4f", on_change=mark_custom,
                            min_value=-numbers.MAX_ABS, max_value=numbers.MAX_ABS,
                            help="Added to the weighted sum (to every logit for softmax).")
    with c2:
        if shown("act"):
            st.selectbox("Activation", activations.names(), key=seeded("bp_act"), on_change=mark_custom,
                         format_func=lambda n: activations.ACTIVATIONS.get(n).label,
                         help="Elementwise: one neuron, z = Σ wᵢxᵢ + b. Softmax: one logit per input, "
                              "zᵢ = wᵢxᵢ + b, as in the notes' third example.")
        act_name = setting("bp_act")
        act_cls = activations.ACTIVATIONS.get(act_name)
        for hp, spec in act_cls.hyperparams.items():
            if shown(f"{act_name}.{hp}"):
                hyperparam_slider(act_cls.label, hp, spec, f"bp_act_{act_name}_{hp}")
        if shown("loss"):
            st.selectbox("Loss", neuron.neuron_losses(), key=seeded("bp_loss"),
                         on_change=mark_custom, format_func=lambda n: losses.LOSSES.get(n).label,
                         help=_pairings())
        loss_name = setting("bp_loss")
        loss_cls = losses.LOSSES.get(loss_name)
        for hp, spec in loss_cls.hyperparams.items():
            if shown(f"{loss_name}.{hp}"):
                hyperparam_slider(loss_cls.label, hp, spec, f"bp_loss_{loss_name}_{hp}")
    with c3:
        if act_cls.elementwise:
            if shown("y"):
                st.number_input("Target y", key=seeded("bp_target"), step=0.1, format="%.4f", on_change=mark_custom,
                                min_value=-numbers.MAX_ABS, max_value=numbers.MAX_ABS,
                                help="The output we want. Binary cross-entropy needs it in [0, 1].")
        else:
            try:
                k = len(numbers.parse_numbers(setting("bp_x"), "inputs x", 1, 8))
            except ValueError:
                k = 2
            k = max(k, 2)
            if int(setting("bp_class")) >= k:
                ss["bp_class"] = 0
            if shown("cls"):
                st.selectbox("True class", list(range(k)), key=seeded("bp_class"), on_change=mark_custom,
                             format_func=lambda i: f"class {i + 1}", help="The one-hot target: y = 1 for this class.")
        if shown("lr"):
            learning_rate_slider("bp_lr", setting("bp_lr", 0.1), "Learning rate η", help="η in w' = w − η ∂L/∂w. The worked examples use 0.1.")
    with c4:
        st.button("Step", key="bp_step", on_click=step_neuron, icon=":material/skip_next:", type="primary",
                  help="Apply the update: the weights and bias become w' and b', and the history grows.",
                  width="stretch")
        st.button("Reset", key="bp_reset", on_click=reset_neuron, icon=":material/restart_alt:",
                  help="Back to the worked example (or to where the stepping started).", width="stretch")
        st.caption("Each **Step** is one gradient-descent update computed below.")


def _show_steps(result: neuron.NeuronResult, phase: str) -> None:
    for step in result.steps:
        if step.phase != phase:
            continue
        st.markdown(f"**{step.label[:1].upper()}{step.label[1:]}**")
        st.latex(step.latex_aligned)
        if step.note:
            st.caption(step.note)


def neuron_section() -> None:
    ss = st.session_state
    st.markdown(
        "One neuron, every number of the notes' worked examples: the forward pass, each factor of the "
        "chain rule, the gradient and the update. Pick a worked example or type your own values."
    )
    _neuron_controls()
    errors = message_slot()  # drawn on every run: the numbers and charts below keep their place
    if ss.get("bp_step_error"):
        errors.error(f"Cannot step: {ss.pop('bp_step_error')}", icon=":material/error:")
    try:
        config = neuron_config()
    except ValueError as exc:
        errors.error(f"{exc}", icon=":material/error:")
        return
    result = neuron.neuron(config)
    problem = neuron.not_a_probability(result)  # then a lower loss is no improvement: no green arrow
    delta_color = "off" if problem else "inverse"
    one = len(config.w) == 1
    names = ["w"] if one else [f"w{i + 1}" for i in range(len(config.w))]
    if one:
        m = st.columns(4)
        m[0].metric("Loss L", numbers.fmt_plain(result.loss), help="Before the update.")
        m[1].metric("Gradient ∂L/∂w", numbers.fmt_plain(result.dL_dw[0]))
        m[2].metric("New weight w′", numbers.fmt_plain(result.new_w[0]), help="w − η ∂L/∂w: what 'Step' applies.")
        m[3].metric("Loss after the step", numbers.fmt_plain(result.new_loss),
                    delta=numbers.fmt_plain(result.new_loss - result.loss), delta_color=delta_color)
    else:  # one row per parameter: metrics would truncate a vector
        m = st.columns([1, 1, 3])
        m[0].metric("Loss L", numbers.fmt_plain(result.loss), help="Before the update.")
        m[1].metric("Loss after the step", numbers.fmt_plain(result.new_loss),
                    delta=numbers.fmt_plain(result.new_loss - result.loss), delta_color=delta_color)
        f4 = "{:.4f}".format
        m[2].markdown(markdown_table([
            {"parameter": name, "input": f4(x), "value": f4(v), "gradient ∂L/∂θ": f4(g), "after the step θ′": f4(new)}
            for name, x, v, g, new in zip([*names, "b"], [*config.x, 1.0],  # the bias's input is 1: ∂z/∂b = 1
                                          [*config.w, config.b], [*result.dL_dw, result.dL_db],
                                          [*result.new_w, result.new_b], strict=True)]))
    with message_slot():
        if problem:
            st.warning(problem, icon=":material/warning:")
    # Below the fold: the KaTeX derivation and the charts come in a first visit's second run.
    if not first_paint.rest_is_due("backprop", "the forward pass, the chain rule and the update"):
        return

    left, right = st.columns(2, gap="large")
    with left:
        st.markdown("#### :material/arrow_forward: Forward pass")
        _show_steps(result, "forward")
        st.markdown("#### :material/update: Update")
        _show_steps(result, "update")
    with right:
        st.markdown("#### :material/arrow_back: Backward pass: the chain rule")
        st.latex(r"\frac{\partial L}{\partial w} = \frac{\partial L}{\partial a}\cdot"
                 r"\frac{\partial a}{\partial z}\cdot\frac{\partial z}{\partial w}")
        _show_steps(result, "backward")

    slip = neuron.common_slip(result)
    preset = ss.get("bp_preset")
    if slip or preset in neuron.PRESETS:
        with st.container(border=True):
            st.markdown("#### :material/report: A common slip")
            if slip:
                st.markdown(slip.explanation)
            if preset in neuron.PRESETS and not ss.get("bp_history"):
                st.markdown(neuron.preset_remark(preset, result))

    left, right = st.columns(2, gap="large")
    with left:
        index = 0
        if not one:
            index = st.radio("Loss along weight", list(range(len(names))), format_func=lambda i: names[i],
                             horizontal=True, key="bp_slice_index")
        canvas_chart(slice_figure(config, index, tuple(names)), key="bp_slice_chart")
        st.caption("The slope of the loss at the current weight is the gradient; the step moves against it, "
                   "by the learning rate times the slope. (The full step also moves the other parameters, so "
                   "'Loss after the step' can differ from the point on this slice.)")
    with right:
        history = ss.get("bp_history", [])
        if len(history) > 1:
            steps = [h["step"] for h in history]
            weights = [list(h["w"]) + [h["b"]] for h in history]
            loss_chart, weights_chart = figs.history_figure(steps, [h["loss"] for h in history], weights,
                                                            [*names, "b"])
            canvas_chart(loss_chart, key="bp_history_chart")
            canvas_chart(weights_chart, key="bp_weights_chart")
            st.markdown(markdown_table([
                {"step": str(h["step"]), "loss": numbers.fmt_plain(h["loss"]),
                 **{n: numbers.fmt_plain(h["w"][i]) for i, n in enumerate(names)}, "b": numbers.fmt_plain(h["b"])}
                for h in history[-8:]]))
        else:
            st.info("Press **Step** to apply the update; the loss and weights of each step appear here.",
                    icon=":material/info:")


# ---- the tiny network -----------------------------------------------------------------------

def tiny_config() -> tiny_network.TinyConfig:
    """The tiny network described by the widgets' state; ``ValueError`` saying what is wrong."""
    return backprop_link.tiny_config(setting)


def _arch(config: tiny_network.TinyConfig) -> tuple:
    return (config.output, config.hidden, config.init, config.seed)


def _tiny_params(config: tiny_network.TinyConfig) -> np.ndarray | None:
    """The stepped weights if they belong to this architecture, else None (fresh initialization)."""
    ss = st.session_state
    if ss.get("bp_tiny_arch") != _arch(config):
        ss["bp_tiny_params"] = None
        ss["bp_tiny_arch"] = _arch(config)
        ss["bp_tiny_losses"] = []
    return ss.get("bp_tiny_params")


def step_tiny() -> None:
    ss = st.session_state
    try:
        config = tiny_config()
    except ValueError as exc:
        ss["bp_tiny_error"] = str(exc)
        return
    params = _tiny_params(config)
    before = tiny_network.tiny_forward_backward(config, params).loss
    new = tiny_network.tiny_step(config, params)
    if not np.all(np.isfinite(new)):
        ss["bp_tiny_error"] = "the update is not finite (lower the learning rate)"
        return
    losses_ = ss.get("bp_tiny_losses") or [before]
    ss["bp_tiny_losses"] = (losses_ + [tiny_network.tiny_forward_backward(config, new).loss])[-MAX_HISTORY:]
    ss["bp_tiny_params"] = new
    ss["bp_tiny_step"] = 0


def reset_tiny() -> None:
    st.session_state["bp_tiny_params"] = None
    st.session_state["bp_tiny_losses"] = []
    st.session_state["bp_tiny_step"] = 0


def next_backward_step() -> None:
    st.session_state["bp_tiny_step"] = (int(setting("bp_tiny_step")) + 1) % 7


def _tiny_controls() -> None:
    ss = st.session_state
    shown = lambda control: not page_link.hidden(control)  # noqa: E731  (class mode: hide=net,g,...)
    c1, c2, c3, c4 = st.columns([1.5, 1, 1, 1], gap="medium")
    with c1:
        if shown("net"):
            st.selectbox("Network", list(tiny_network.TINY_OUTPUTS), key=seeded("bp_tiny_head"),
                         format_func=lambda k: tiny_network.TINY_OUTPUTS[k].label,
                         help="Two inputs, two hidden units, and one or two outputs with their usual loss.")
        hidden = [n for n in activations.names() if activations.ACTIVATIONS.get(n).elementwise]
        if shown("g"):
            st.selectbox("Hidden activation g", hidden, key=seeded("bp_tiny_hidden"),
                         format_func=lambda n: activations.ACTIVATIONS.get(n).label,
                         help="Its derivative g′ is the factor of backward stage 5.")
    with c2:
        if shown("x1"):
            st.number_input("Input x₁", key=seeded("bp_tiny_x1"), step=0.1, format="%.4f", min_value=-100.0, max_value=100.0)
        if shown("x2"):
            st.number_input("Input x₂", key=seeded("bp_tiny_x2"), step=0.1, format="%.4f", min_value=-100.0, max_value=100.0)
    with c3:
        head = tiny_network.TINY_OUTPUTS[setting("bp_tiny_head")]
        loss_cls = losses.LOSSES.get(head.loss)
        if head.units > 1:
            if int(setting("bp_tiny_class")) >= head.units:
                ss["bp_tiny_class"] = 0
            st.selectbox("True class", list(range(head.units)), key=seeded("bp_tiny_class"),
                         format_func=lambda i: f"class {i + 1}")
        elif loss_cls.target_range is not None:
            low, high = loss_cls.target_range
            if not low <= float(setting("bp_tiny_target")) <= high:  # e.g. after the MSE head's target 3
                ss["bp_tiny_target"] = min(max(float(setting("bp_tiny_target")), low), high)
            st.number_input("Target y", key=seeded("bp_tiny_target"), min_value=low, max_value=high, step=0.1,
                            format="%.4f", help=f"{loss_cls.label} needs y in [{low:g}, {high:g}].")
        else:
            st.number_input("Target y", key=seeded("bp_tiny_target"), step=0.1, format="%.4f", min_value=-100.0,
                            max_value=100.0)
        if shown("tlr"):
            learning_rate_slider("bp_tiny_lr", setting("bp_tiny_lr", 0.1), "Learning rate η", help="η of the SGD step: every weight moves by −η ∂L/∂w.")
    with c4:
        if shown("init"):
            st.selectbox("Initialization", initializers.names(), key=seeded("bp_tiny_init"),
                         help="How the weights start (the engine's initializers).")
        if shown("seed"):
            st.number_input("Seed", key=seeded("bp_tiny_seed"), min_value=0, max_value=10_000, step=1,
                            help="Another seed, other starting weights.")
    b1, b2, b3 = st.columns([1, 1, 4], vertical_alignment="center")
    b1.button("SGD step", key="bp_tiny_sgd", on_click=step_tiny, icon=":material/skip_next:", width="stretch",
              help="Update every weight by −η ∂L/∂w (the engine's SGD) and start the walk again.")
    b2.button("Reset weights", key="bp_tiny_reset", on_click=reset_tiny, icon=":material/restart_alt:",
              help="Back to the initial weights.", width="stretch")
    b3.caption("Weights start from the initializer and seed; each SGD step updates all of them at once.")


def _step_label(i: int) -> str:
    return "forward" if i == 0 else f"back {i}"


def tiny_section() -> None:
    ss = st.session_state
    st.markdown(
        "A 2-2-1 or 2-2-2 network: walk the backward pass one stage at a time. The highlighted path is "
        "what the current stage touches; the table holds every forward value and every gradient."
    )
    _tiny_controls()
    errors = message_slot()
    if ss.get("bp_tiny_error"):
        errors.error(f"Cannot step: {ss.pop('bp_tiny_error')}", icon=":material/error:")
    try:
        config = tiny_config()
    except ValueError as exc:
        errors.error(str(exc), icon=":material/error:")
        return
    params = _tiny_params(config)
    result = tiny_network.tiny_forward_backward(config, params)
    s1, s2 = st.columns([4, 1], vertical_alignment="bottom")
    with s1:
        step = st.select_slider("Backward pass", options=list(range(7)), key=seeded("bp_tiny_step"),
                                format_func=_step_label,
                                help="0 shows the forward pass; 1 to 6 walk the chain rule from the loss back "
                                     "to the first layer.")
    s2.button("Next stage", key="bp_tiny_next", on_click=next_backward_step, icon=":material/east:",
              width="stretch")
    left, right = st.columns([3, 2], gap="large")
    with left:
        st.plotly_chart(network_figure(config, _key(params), step), key="bp_tiny_chart")
    with right:
        if step == 0:
            st.markdown("**Forward pass**")
            st.latex(r"z^{(1)}_j = \sum_i w^{(1)}_{ij} x_i + b^{(1)}_j,\quad h_j = g(z^{(1)}_j)")
            st.latex(r"z^{(2)}_k = \sum_j w^{(2)}_{jk} h_j + b^{(2)}_k,\quad \hat y_k = f(z^{(2)}_k)")
            st.caption("Move the slider (or press **Next stage**) to walk backward.")
        else:
            current = result.steps[step - 1]
            st.markdown(f"**Stage {step}: {current.title}**")
            st.latex(current.latex)
            st.caption(current.explanation)
            rows = [r for r in result.rows if r.step == step]
            st.markdown("\n".join(f"- {r.quantity} = {r.formula} = **{numbers.fmt_plain(r.value)}**" for r in rows))
        m1, m2 = st.columns(2)
        m1.metric("Network loss L", numbers.fmt_plain(result.loss))
        tl = ss.get("bp_tiny_losses") or []
        m2.metric("SGD steps taken", max(len(tl) - 1, 0))
    current_label = _step_label(step)
    with st.expander("Every forward value and gradient", expanded=True):
        st.caption(f"In bold: what stage **{current_label}** computes.")
        st.markdown(markdown_table([
            {k: (f"**{md_escape(v)}**" if _step_label(r.step) == current_label else md_escape(v)) for k, v in
             (("stage", _step_label(r.step)), ("quantity", r.quantity), ("formula", r.formula),
              ("value", numbers.fmt_plain(r.value)))}
            for r in result.rows], escape=False))
    if len(ss.get("bp_tiny_losses") or []) > 1:
        tl = ss["bp_tiny_losses"]
        [loss_chart] = figs.history_figure(list(range(len(tl))), tl)
        canvas_chart(loss_chart, key="bp_tiny_history")


def gradcheck_section(tiny: tuple[tiny_network.TinyConfig, np.ndarray | None] | None) -> None:
    st.markdown(
        "Is backprop right? Nudge each parameter by ±h, measure how the loss moves (central finite "
        "differences, `nnviz.nn.gradcheck`) and compare with the backprop gradient of the network on the "
        "**Tiny network** tab (its current weights, after any SGD steps)."
    )
    st.latex(r"\frac{\partial L}{\partial \theta} \approx \frac{L(\theta + h) - L(\theta - h)}{2h},\qquad "
             r"\text{relative error} = \frac{\lVert g_\text{backprop} - g_\text{numeric}\rVert}"
             r"{\lVert g_\text{backprop}\rVert + \lVert g_\text{numeric}\rVert}")
    if tiny is None:
        st.warning("Fix the tiny network's settings first.", icon=":material/warning:")
        return
    config, params = tiny
    slip = st.toggle("Break backprop: count the output activation's derivative twice", key=seeded("bp_gc_slip"),
                     help="The slip of the notes' first example. Watch the check catch it (a linear output "
                          "has derivative 1, so there it changes nothing).")
    result, fig = gradcheck_view(config, _key(params), slip)
    ok = result.max_error < 1e-6
    c1, c2, c3 = st.columns(3)
    c1.metric("Largest relative error (per array)", f"{result.max_error:.2e}")
    c2.metric("Largest per-parameter error", f"{result.max_element_error:.2e}")
    c3.metric("Step h", f"{result.h:g}")
    if ok:
        st.success(f"Backprop agrees with finite differences: every error is below 1e-6 "
                   f"(largest {result.max_error:.1e}).", icon=":material/check_circle:")
    else:
        st.error(f"Backprop and finite differences disagree (largest error {result.max_error:.1e}): "
                 "the backward pass has a bug.", icon=":material/cancel:")
    left, right = st.columns(2, gap="large")
    with left:
        canvas_chart(fig, key="bp_gc_chart")
    right.markdown(markdown_table([
        {"parameter": r.name, "backprop": f"{r.backprop:.8f}", "finite differences": f"{r.numeric:.8f}",
         "relative error": f"{r.relative_error:.2e}"} for r in result.rows]))


def _current_tiny() -> tuple[tiny_network.TinyConfig, np.ndarray | None] | None:
    try:
        config = tiny_config()
    except ValueError:
        return None
    return config, _tiny_params(config)


# ---- the page's link ---------------------------------------------------------------------------

def link_fields() -> list:
    """The page's link (``nnviz.labs.explain.backprop_link``), with this page's tabs and sliders."""
    return backprop_link.fields(TABS, LEARNING_RATES, LOG_OPTIONS)


def link_values() -> dict[str, Any]:
    """The page's settings as the link holds them: every widget's value, the chosen activation's and
    loss's parameters, and the tiny network's weights after SGD steps (when they are its own)."""
    keys = ["bp_tab", *NEURON_KEYS, *TINY_KEYS]
    act, loss = setting("bp_act"), setting("bp_loss")
    keys += [backprop_link.act_key(act, hp) for hp in activations.ACTIVATIONS.get(act).hyperparams]
    keys += [backprop_link.loss_key(loss, hp) for hp in losses.LOSSES.get(loss).hyperparams]
    values = {k: setting(k) for k in keys}
    for key in values:  # a hyperparameter slider not drawn yet starts at its own default
        if values[key] is None and key.startswith(("bp_act_", "bp_loss_")):
            values[key] = backprop_link.hyperparameter_defaults(values, LOG_OPTIONS)[key]
    params = st.session_state.get("bp_tiny_params")
    try:
        own = params is not None and st.session_state.get("bp_tiny_arch") == _arch(tiny_config())
    except ValueError:
        own = False
    if own:
        values[backprop_link.TINY_PARAMS] = params
    return values


def arrive_from_link() -> None:
    """In the run that enters the page from a link: set every setting the link gives (the rest to
    its default) before any widget is drawn, and start the histories afresh."""
    values = page_link.arrive("backprop", link_fields())
    if not values:
        return
    values, messages = backprop_link.resolve(values, DEFAULTS, LOG_OPTIONS)
    params = values.pop(backprop_link.TINY_PARAMS)
    page_link.apply_widgets(values)
    ss = st.session_state
    ss["bp_history"], ss["bp_history_sig"], ss["bp_tiny_losses"] = [], None, []
    ss["bp_tiny_params"] = None if params is None else np.array(params, dtype=numbers.F64)
    ss["bp_tiny_arch"] = _arch(tiny_config())  # resolve made sure it builds
    page_link.add_problems("backprop", messages)  # a neuron that cannot be built, beside decode's


def share_section() -> None:
    page_link.share_expander(
        "backprop", link_fields(), link_values(), what="this example",
        caption="The link holds the tab, the single neuron (its inputs, weights, activation, loss, target and "
                "learning rate, with the weights after your steps), the tiny network and its weights after "
                "SGD steps, and the backward stage shown. The step histories are not in it.")


def render() -> None:
    st.session_state.setdefault("bp_history", [])
    arrive_from_link()
    st.title(":material/account_tree: Backpropagation")
    st.caption("Follow the forward pass, the chain rule and the update, number by number. Every number is "
               "computed by the nnviz engine (activations, losses, network, SGD, gradient check).")
    notice = st.container()  # the link's problems, filled at the end (against this run's settings)
    # Stateful tabs: only the open one is computed and drawn.
    tabs = st.tabs(TABS, key=seeded("bp_tab"), on_change="rerun")
    if tabs[0].open:
        with tabs[0]:
            neuron_section()
    else:  # only the single neuron's page is split (what a first visit opens on)
        first_paint.whole_from_now("backprop")
    if tabs[1].open:
        with tabs[1]:
            tiny_section()
    if tabs[2].open:
        with tabs[2]:
            gradcheck_section(_current_tiny())
    share_section()
    current = link_values()
    with notice:
        page_link.problems("backprop", link_fields(), current)
    page_link.sync(link_fields(), current)
    state.remember(("bp_tab", *NEURON_KEYS, *TINY_KEYS), prefixes=("bp_act_", "bp_loss_"))
