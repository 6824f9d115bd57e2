"""Functions page: activations and their derivatives, vanishing gradients, losses, softmax.

Widget keys are prefixed ``fn_``; each widget is seeded with ``nnviz.ui.state.seed`` (defaults in
``DEFAULTS``, or the registry's for an entry's own settings) and remembered with
``state.remember`` at the end of a run, so settings survive a closed tab or another page. Every curve and number comes from ``nnviz.labs.explain.functions``
(which runs the engine's activations, losses, initializers and network); each view (numbers and
canvas chart descriptions, drawn by ``nnviz.ui.canvas_chart``: the page loads neither Vega-Lite
nor plotly nor the data grid) is cached with ``st.cache_resource`` and treated as read-only. ``fn_softmax_last`` keeps
the last valid logits, so a typo keeps the chart.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import streamlit as st

from nnviz.figures import functions as figs
from nnviz.figures.tables import markdown_table
from nnviz.labs.explain import functions as lab
from nnviz.labs.explain import functions_link, numbers
from nnviz.nn import activations, initializers, losses
from nnviz.ui import first_paint, page_link, state
from nnviz.ui.canvas_chart import canvas_chart
from nnviz.ui.common import LOG_OPTIONS, hyperparam_slider

Z_RANGES = (1, 2, 3, 5, 10, 20, 50, 100, 1000)
TEMPERATURES = LOG_OPTIONS
DEFAULTS: dict[str, object] = {
    "fn_tab": "Activations", "fn_acts": ["sigmoid", "tanh", "relu"], "fn_zrange": 5,
    "fn_chain_acts": ["sigmoid", "tanh", "relu"], "fn_chain_depth": 30, "fn_chain_w": 1.0, "fn_chain_x0": 0.5,
    "fn_init_act": "relu", "fn_inits": [i for i in lab.DEFAULT_INITS if i in initializers.INITIALIZERS],
    "fn_init_depth": 10, "fn_init_width": 64, "fn_bn_act": "sigmoid", "fn_bn_init": "xavier_uniform",
    "fn_bn_depth": 20, "fn_bn_width": 64, "fn_reg_target": 0.0, "fn_bce_target": 1.0,
    "fn_ce_classes": 3, "fn_logits": "2, 1, 0.1", "fn_temperature": 1.0,
}
TABS = ("Activations", "Vanishing gradients", "Losses", "Softmax")


def _seed(key: str) -> str:
    """``state.seed`` with this page's default for ``key``."""
    return state.seed(key, DEFAULTS[key])


def _control(query: str, key: str, draw: Callable[[], Any]) -> Any:
    """``draw()`` (the widget, returning its value), or where the link's class mode hides the
    control (``hide=<query>``), the setting's value without drawing it."""
    if page_link.hidden(query):
        return state.value(key, DEFAULTS[key])
    return draw()


def chart_in(where, blob: bytes, *, key: str) -> None:
    """A canvas chart in the column (or container) ``where``."""
    with where:
        canvas_chart(blob, key=key)


def _label(name: str) -> str:
    return activations.ACTIVATIONS.get(name).label


# ---- cached views: engine numbers and their figures ------------------------------------------
# st.cache_resource: the same (numbers, figure) objects are handed to every session and never
# mutated (a chart is immutable bytes), so a rerun that changes one control rebuilds only the view
# that depends on it.

@st.cache_resource(show_spinner=False, max_entries=64)
def activation_view(names: tuple[str, ...], z_max: float,
                    params: tuple[tuple[str, tuple[tuple[str, float], ...]], ...]) -> tuple[dict, dict]:
    """The f(z) and f'(z) canvas charts (the page loads neither plotly nor Vega-Lite: their bundles are slow)."""
    return figs.activation_charts(lab.activation_curves(list(names), z_max, {n: dict(p) for n, p in params}))


@st.cache_resource(show_spinner=False, max_entries=64)
def chain_view(names: tuple[str, ...], depth: int, weight: float, x0: float):
    chains = lab.derivative_chain(list(names), depth, weight, x0)
    return chains, figs.derivative_chain_chart(chains)


@st.cache_resource(show_spinner="Building the deep networks...", max_entries=32)
def init_view(activation: str, inits: tuple[str, ...], depth: int, width: int):
    results = lab.init_gradient_norms(activation, list(inits), depth, width)
    return results, figs.init_gradients_charts(results)


@st.cache_resource(show_spinner="Building the deep networks...", max_entries=32)
def batchnorm_view(activation: str, init: str, depth: int, width: int):
    """The same deep network without and with batch normalization: results and their two charts."""
    results = [*lab.init_gradient_norms(activation, [init], depth, width),
               *lab.init_gradient_norms(activation, [init], depth, width, batchnorm=True)]
    return results, figs.init_gradients_charts(results, title="± batch norm")


@st.cache_resource(show_spinner=False, max_entries=64)
def regression_view(names: tuple[str, ...], target: float,
                    params: tuple[tuple[str, tuple[tuple[str, float], ...]], ...]):
    curves = lab.regression_loss_curves(list(names), target, params={n: dict(p) for n, p in params})
    return curves, figs.loss_charts(curves)


@st.cache_resource(show_spinner=False, max_entries=64)
def classification_view(names: tuple[str, ...], target: float, classes: int):
    vs_p, vs_s = lab.classification_loss_curves(list(names), target, classes)
    return vs_p, vs_s, figs.loss_charts(vs_p), figs.loss_charts(vs_s)


@st.cache_resource(show_spinner=False, max_entries=64)
def softmax_view(logits: tuple[float, ...], temperature: float):
    b = lab.softmax_breakdown(logits, temperature)
    temps, probs = lab.softmax_temperature_sweep(np.asarray(logits), np.logspace(-3, 3, 121))
    return b, figs.softmax_charts(b), figs.softmax_temperature_chart(temps, probs, temperature, np.asarray(logits))


# ---- widgets --------------------------------------------------------------------------------

def activations_section() -> None:
    st.markdown("Pick activations and a range: the left chart is the function, the right one its "
                "derivative, the factor that multiplies every gradient flowing back through the unit.")
    c1, c2 = st.columns([3, 1], gap="large")
    names = _control("acts", "fn_acts", lambda: c1.multiselect(
        "Activations", activations.names(), format_func=_label, key=_seed("fn_acts"),
        help="Every activation in the engine's registry; pick one or several to compare."))
    z_max = _control("zr", "fn_zrange", lambda: c2.select_slider(
        "z range (±)", options=Z_RANGES, key=_seed("fn_zrange"), format_func=lambda v: f"±{v:g}",
        help="The pre-activation z runs from −range to +range. Wide ranges show saturation."))
    params: dict[str, dict[str, float]] = {}
    specs = [(name, hp, spec) for name in names for hp, spec in activations.ACTIVATIONS.get(name).hyperparams.items()]
    if specs:
        cols = st.columns(max(len(specs), 3), gap="large")
        for col, (name, hp, spec) in zip(cols, specs, strict=False):
            default = activations.ACTIVATIONS.get(name).plot_params.get(hp)  # where the default looks flat
            with col:
                params.setdefault(name, {})[hp] = hyperparam_slider(_label(name), hp, spec,
                                                                    f"fn_hp_{name}_{hp}", default)
    if not names:
        st.info("Pick at least one activation.", icon=":material/info:")
    else:
        key = tuple((n, tuple(sorted(params.get(n, {}).items()))) for n in names)
        f_spec, df_spec = activation_view(tuple(names), float(z_max), key)
        left, right = st.columns(2, gap="medium")
        chart_in(left, f_spec, key="fn_act_chart")
        chart_in(right, df_spec, key="fn_act_d_chart")
        for note in [activations.ACTIVATIONS.get(n).curve_note for n in names]:
            if note:
                st.caption(note)
    # A first visit's paint ends here: the formula cards (KaTeX: its code, fonts and typesetting)
    # and the notes' table come in its second run (nnviz/ui/first_paint.py).
    if not first_paint.rest_is_due("functions", "the formulas and the notes' table"):
        return
    if names:
        cols = st.columns(min(len(names), 3))
        for i, name in enumerate(names):
            cls = activations.ACTIVATIONS.get(name)
            with cols[i % len(cols)].container(border=True):
                st.markdown(f"**{cls.label}** · output range {cls.output_range}")
                st.latex(cls.formula)
                st.latex(cls.derivative_formula)
    st.markdown("##### The notes' comparison table")
    st.caption("Rendered from the metadata of the engine's activation registry (nnviz.nn.activations).")
    st.markdown(markdown_table(lab.activation_table()))


def vanishing_section() -> None:
    st.markdown(
        "Backpropagation multiplies one derivative per layer. If each factor is below 1 the product "
        "shrinks exponentially with depth: the first layers stop learning (**vanishing gradients**)."
    )
    elementwise = [n for n in activations.names() if activations.ACTIVATIONS.get(n).elementwise]
    c1, c2, c3, c4 = st.columns([2, 1, 1, 1], gap="medium")
    names = _control("chain", "fn_chain_acts", lambda: c1.multiselect(
        "Activations", elementwise, format_func=_label, key=_seed("fn_chain_acts"),
        help="Elementwise activations of the registry."))
    depth = _control("n", "fn_chain_depth", lambda: c2.slider(
        "Layers n", 1, 60, key=_seed("fn_chain_depth"), help="How many layers the gradient flows through."))
    weight = _control("cw", "fn_chain_w", lambda: c3.slider(
        "Weight w of every layer", 0.1, 3.0, step=0.1, key=_seed("fn_chain_w"),
        help="Each layer computes a = f(w · a_prev). Its factor in the chain rule is w · f′(z)."))
    x0 = _control("a0", "fn_chain_x0", lambda: c4.slider(
        "Input a₀", -2.0, 2.0, step=0.1, key=_seed("fn_chain_x0"),
        help="The value entering the first layer. A negative input kills a ReLU chain at once."))
    if names:
        chains, fig = chain_view(tuple(names), depth, weight, x0)
        st.latex(r"\frac{\partial a_n}{\partial a_0} = \prod_{l=1}^{n} w\, f'(z_l), \qquad z_l = w\, a_{l-1}")
        canvas_chart(fig, key="fn_chain_chart")
        n = min(10, depth)
        facts = [f"{c.label} {numbers.fmt_plain(c.product[n - 1])}" for c in chains]
        st.caption(f"After {n} layers: {', '.join(facts)}. Dotted: the best case, the largest factor a single "
                   "layer can give, to the power n (sigmoid's is 0.25 at w = 1: at least a factor 4 lost per layer).")
    else:
        st.info("Pick at least one activation.", icon=":material/info:")

    st.divider()
    st.markdown(
        "#### Initialization: a deep network before any training\n"
        "The same idea in a real network: the engine builds a deep MLP (float64) under each initialization "
        "scheme, runs one forward and backward pass on a fixed random batch, and reports each layer's "
        "activation spread and weight-gradient norm."
    )
    c1, c2, c3, c4 = st.columns([1, 3, 1, 1], gap="medium")
    choices = [n for n in elementwise if lab.passes_gradient(n)]  # no gradient, nothing to compare
    act = _control("iact", "fn_init_act", lambda: c1.selectbox(
        "Hidden activation", choices, format_func=_label, key=_seed("fn_init_act"),
        help="He initialization was designed for ReLU; Xavier for tanh and sigmoid."))
    options = initializers.names()
    inits = _control("inits", "fn_inits", lambda: c2.multiselect(
        "Initializers", options, key=_seed("fn_inits"), help="Weight initialization schemes of the engine's registry."))
    depth = _control("idepth", "fn_init_depth", lambda: c3.slider("Dense layers", 2, 30, key=_seed("fn_init_depth")))
    width = _control("iwidth", "fn_init_width", lambda: c4.select_slider(
        "Units per layer", options=(16, 32, 64, 128), key=_seed("fn_init_width")))
    if inits:
        init_part(act, tuple(inits), depth, width)
    else:
        st.info("Pick at least one initializer.", icon=":material/info:")
    batchnorm_part(choices, options)


def init_part(act: str, inits: tuple[str, ...], depth: int, width: int) -> None:
    """Each initializer's deep network: activation spread and gradient norm per layer, and what they mean."""
    results, (forward, backward) = init_view(act, inits, depth, width)
    left, right = st.columns(2, gap="medium")
    chart_in(left, forward, key="fn_init_chart")
    chart_in(right, backward, key="fn_init_grad_chart")
    lines = []
    for r in results:
        what = initializers.description(r.init)
        if r.distinct_units == 1:
            lines.append(f"**{r.init}**: {what} All {r.width} units of layer 1 get the *same* gradient, so they "
                         "stay identical forever and the layer acts like one unit: nothing breaks the symmetry.")
        else:
            first, last = r.grad_norms[0], r.grad_norms[-1]
            ratio = "" if last == 0 else (f" Gradient norm of the first layer ÷ the last: "
                                          f"{numbers.fmt_plain(first / last)}.")
            lines.append(f"**{r.init}**: {what}{ratio}")
    st.markdown("\n".join(f"- {line}" for line in lines))
    init_note = activations.ACTIVATIONS.get(act).init_note
    if init_note:
        st.caption(init_note)


def batchnorm_part(activations_offered: list[str], inits: list[str]) -> None:
    """Note 002's claim that batch normalization mitigates vanishing gradients, measured: one deep
    network's weight-gradient norms per layer without and with it."""
    st.divider()
    st.markdown(
        "#### Batch normalization against vanishing gradients\n"
        "Note 002 says batch normalization mitigates vanishing gradients. Here is the same network twice, "
        "one training step's forward and backward pass on the same batch: as it is, and with every hidden "
        "layer's sums normalized over the batch (mean 0, variance 1) before the activation.")
    c1, c2, c3, c4 = st.columns([1, 1, 1, 1], gap="medium")
    act = _control("bnact", "fn_bn_act", lambda: c1.selectbox(
        "Hidden activation", activations_offered, format_func=_label, key=_seed("fn_bn_act"),
        help="Sigmoid's derivative is at most 0.25: the case the note has in mind."))
    init = _control("bninit", "fn_bn_init", lambda: c2.selectbox(
        "Initializer", inits, key=_seed("fn_bn_init"), format_func=lambda n: n.replace("_", " ").capitalize(),
        help="The same initial weights in both networks."))
    depth = _control("bndepth", "fn_bn_depth", lambda: c3.slider(
        "Dense layers", 2, 30, key=_seed("fn_bn_depth"), help="Hidden layers plus the output layer."))
    width = _control("bnwidth", "fn_bn_width", lambda: c4.select_slider(
        "Units per layer", options=(16, 32, 64, 128), key=_seed("fn_bn_width")))
    results, (forward, backward) = batchnorm_view(act, init, depth, width)
    left, right = st.columns(2, gap="medium")
    chart_in(left, forward, key="fn_bn_chart")
    chart_in(right, backward, key="fn_bn_grad_chart")
    ratios = []
    for r in results:
        first, last = r.grad_norms[0], r.grad_norms[-1]
        ratio = "no gradient at all" if last == 0 else f"{numbers.fmt_plain(first / last)} of the last layer's"
        ratios.append(f"{'with' if r.batchnorm else 'without'} batch normalization {ratio}")
    st.caption(f"The first layer's gradient: {'; '.join(ratios)}. Normalizing keeps every layer's sums where "
               "the activation is steep, and its backward pass divides by the sums' spread, giving back what "
               "small weights and flat activations took away.")


def losses_section() -> None:
    st.markdown("How each loss and its gradient change as the prediction moves. The gradient is what "
                "backpropagation sends back: its size decides how hard the network is pushed.")
    st.markdown("#### Regression")
    names_all = [n for n in losses.names() if losses.LOSSES.get(n).task == "regression"]
    c1, c2, c3 = st.columns([2, 1, 1], gap="medium")
    names = c1.multiselect("Losses", names_all, key=state.seed("fn_reg_losses", names_all),
                           format_func=lambda n: losses.LOSSES.get(n).label)
    target = c2.slider("Target y", -3.0, 3.0, step=0.1, key=_seed("fn_reg_target"), help="The true value.")
    params: dict[str, dict[str, float]] = {}
    with c3:  # the settings of every regression loss (Huber's δ: where quadratic turns linear)
        for name in names_all:
            cls = losses.LOSSES.get(name)
            for hp, spec in cls.hyperparams.items():
                params.setdefault(name, {})[hp] = hyperparam_slider(cls.label, hp, spec, f"fn_loss_{name}_{hp}")
    if names:
        key = tuple((n, tuple(sorted(params.get(n, {}).items()))) for n in names)
        curves, (loss_spec, grad_spec) = regression_view(tuple(names), target, key)
        left, right = st.columns(2, gap="medium")
        chart_in(left, loss_spec, key="fn_reg_chart")
        chart_in(right, grad_spec, key="fn_reg_grad_chart")
        far = [f"{c.label} {numbers.fmt_plain(c.grad[-1])}" for c in curves]
        st.caption(f"Gradient 3 above the target: {', '.join(far)}. MSE pushes harder the further off it is "
                   "(outliers dominate); MAE always pushes with the same force; Huber is MSE near the target "
                   "and MAE far from it.")
    else:
        st.info("Pick at least one loss.", icon=":material/info:")

    st.markdown("#### Classification")
    names_all = [n for n in losses.names() if losses.LOSSES.get(n).fused_activation]
    c1, c2, c3 = st.columns([2, 1, 1], gap="medium")
    names = c1.multiselect("Losses", names_all, key=state.seed("fn_cls_losses", names_all),
                           format_func=lambda n: losses.LOSSES.get(n).label)
    target = c2.slider("Binary target y", 0.0, 1.0, step=0.1, key=_seed("fn_bce_target"),
                       help="For binary cross-entropy: the true label (usually 0 or 1).")
    classes = c3.slider("Classes (cross-entropy)", 2, 10, key=_seed("fn_ce_classes"),
                        help="Cross-entropy's logits are (s, 0, ..., 0) with class 1 the true one.")
    if not names:
        st.info("Pick at least one loss.", icon=":material/info:")
        return
    vs_p, vs_s, specs_p, specs_s = classification_view(tuple(names), target, classes)
    c1, c2 = st.columns(2)
    c1.markdown("**Against the probability p**")
    c2.markdown("**Against the logit s** (p = sigmoid or softmax of s)")
    for col, specs, key in ((c1, specs_p, "fn_cls_p"), (c2, specs_s, "fn_cls_s")):
        chart_in(col, specs[0], key=f"{key}_chart")
        chart_in(col, specs[1], key=f"{key}_grad_chart")
    c, s = vs_p[0], vs_s[0]
    st.caption(
        f"{c.label} at p = {c.x[0]:.3f}: ∂L/∂p = {numbers.fmt_plain(c.grad[0])}, but at the logit "
        f"s = {s.x[0]:g}: ∂L/∂s = {numbers.fmt_plain(s.grad[0])}. Against the logit the gradient is p − y, never "
        "larger than 1: the sigmoid's (or softmax's) flat tails cancel the log's steep ones. That is why the "
        "engine computes the two together."
        + (" With y = 1 binary and categorical cross-entropy coincide against p (both −log p)." if target == 1 else "")
    )


def softmax_section() -> None:
    st.markdown("Softmax turns any list of numbers (logits) into probabilities: exponentiate, then divide "
                "by the sum. The temperature T divides the logits first: low T sharpens, high T flattens.")
    c1, c2 = st.columns(2, gap="large")
    text = _control("logits", "fn_logits", lambda: c1.text_input(
        "Logits", key=_seed("fn_logits"), help="Numbers separated by commas, e.g. 2, 1, 0.1 (up to 12)."))
    temperature = _control("T", "fn_temperature", lambda: c2.select_slider(
        "Temperature T", options=TEMPERATURES, key=_seed("fn_temperature"), format_func=lambda v: f"{v:g}",
        help="softmax(z / T). T → 0 approaches argmax; large T approaches uniform."))
    try:
        logits = numbers.parse_numbers(text, "logits", 1, 12)
        st.session_state["fn_softmax_last"] = logits
    except ValueError as exc:
        logits = st.session_state.get("fn_softmax_last", (2.0, 1.0, 0.1))
        c1.error(f"{exc}. Showing the last valid logits ({', '.join(f'{v:g}' for v in logits)}).",
                 icon=":material/error:")
    b, fig_bars, fig_t = softmax_view(tuple(logits), float(temperature))
    vec = numbers.latex_vector
    given = r"\left(" + r",\ ".join(numbers.fmt_in(v) for v in b.logits) + r"\right)"
    st.latex(r"\begin{aligned} z &= " + given + r", \qquad T = " + numbers.fmt_in(b.temperature)
             + r" \\[6pt] \frac{z}{T} &= " + vec(b.scaled)
             + r" \\[6pt] e^{z/T - \max(z/T)} &= e^{" + vec(b.shifted) + "} = " + vec(b.exp)
             + r" \\[6pt] \textstyle\sum_j e^{z_j/T - \max} &= " + numbers.fmt(b.total)
             + r" \\[6pt] p_i = \frac{e^{z_i/T - \max}}{\sum_j e^{z_j/T - \max}} &= " + vec(b.probs)
             + r" \end{aligned}")
    if b.overflow:
        st.info("Without subtracting the max, e^(z/T) overflows to infinity here: "
                f"{numbers.plain_vector(b.raw_exp)}. Subtracting the largest value first changes nothing in "
                "the probabilities and keeps every exponent ≤ 0.", icon=":material/info:")
    else:
        st.caption("Subtracting the largest value before exponentiating changes nothing in the result "
                   "(it cancels in the division) but keeps e^x from overflowing for large logits.")
    left, right = st.columns(2, gap="large")
    exp_col, prob_col = left.columns(2, gap="small")
    chart_in(exp_col, fig_bars[0], key="fn_softmax_exp_chart")
    chart_in(prob_col, fig_bars[1], key="fn_softmax_chart")
    chart_in(right, fig_t, key="fn_softmax_t_chart")


# ---- the page's link ---------------------------------------------------------------------------

LIST_DEFAULTS = {"fn_reg_losses": functions_link.regression_losses,
                 "fn_cls_losses": functions_link.classification_losses}


def link_fields() -> list:
    """The page's link (``nnviz.labs.explain.functions_link``), with this page's tabs and sliders."""
    return functions_link.fields(TABS, Z_RANGES, TEMPERATURES, LOG_OPTIONS)


def link_defaults() -> dict[str, Any]:
    return {**DEFAULTS, **{k: f() for k, f in LIST_DEFAULTS.items()}}


def link_values() -> dict[str, Any]:
    """The page's settings as the link holds them: every section's, and the parameters of the
    chosen activations and of the regression losses (where their sliders are, or would start)."""
    defaults = link_defaults()
    values = {k: state.value(k, v) for k, v in defaults.items()}
    starts = functions_link.hyperparameter_defaults(values["fn_acts"], LOG_OPTIONS)
    return {**values, **{k: state.value(k, v) for k, v in starts.items()}}


def arrive_from_link() -> None:
    """In the run that enters the page from a link: every setting it gives (the rest at its
    default) before any widget is drawn."""
    values = page_link.arrive("functions", link_fields())
    if values:
        values, messages = functions_link.resolve(values, link_defaults(), LOG_OPTIONS)
        page_link.apply_widgets(values)
        page_link.add_problems("functions", messages)


def share_section() -> None:
    page_link.share_expander(
        "functions", link_fields(), link_values(), what="this page's settings",
        caption="The link holds the tab shown and the settings of every tab: activations and their "
                "parameters, the chains and deep networks, the losses and the softmax logits.")


def render() -> None:
    arrive_from_link()
    st.title(":material/functions: Functions")
    st.caption("The mathematics of the notes, live: activations, losses and their derivatives. Every curve "
               "and number is computed by the nnviz engine.")
    notice = st.container()  # the link's problems, filled at the end (against this run's settings)
    sections = (activations_section, vanishing_section, losses_section, softmax_section)
    # Stateful tabs: only the open one is computed and drawn.
    tabs = st.tabs(TABS, key=_seed("fn_tab"), on_change="rerun")
    for tab, section in zip(tabs, sections, strict=True):
        if tab.open:
            with tab:
                section()
    if not tabs[0].open:  # only the activations tab is split (what a first visit opens on)
        first_paint.whole_from_now("functions")
    share_section()
    current = link_values()
    with notice:
        page_link.problems("functions", link_fields(), current)
    page_link.sync(link_fields(), current)
    state.remember([*DEFAULTS, "fn_reg_losses", "fn_cls_losses"], prefixes=("fn_hp_", "fn_loss_"))
