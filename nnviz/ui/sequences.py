"""The Sequences page: note 002's simple RNN trained live on toy sequences, with the hidden state
over time, the gradient that reaches each earlier step and one step's chain rule in numbers.

State (``sq_`` keys): ``sq_exp`` the last valid experiment, ``sq_run`` the live run (``nnviz.labs.
sequences.run``), ``sq_running``, ``sq_notice`` the last reset or live-change message; the
controls' widget keys (``CONTROL_KEYS``), ``sq_speed`` and ``sq_t`` (the step whose numbers are
written out). Training happens only under the per-session lock; the live fragment trains one tick's
steps, then draws the model as it is: what is shown when paused is its true state.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import streamlit as st

from nnviz.data import sequences as tasks
from nnviz.figures import sequences as figs
from nnviz.labs.explain.numbers import fmt, latex_vector
from nnviz.labs.sequences import link as sq_link
from nnviz.labs.sequences.experiment import HIDDEN_ACTIVATIONS, MAX_HIDDEN, MAX_LENGTH, READOUTS, SequenceExperiment
from nnviz.labs.sequences.run import SequenceRun, build, gradient_reach, sequence_view, step_numbers, train, update
from nnviz.nn import activations, optimizers
from nnviz.ui import first_paint, page_link, state
from nnviz.ui.canvas_chart import canvas_chart
from nnviz.ui.common import LEARNING_RATES, message_slot, session_lock, show_diverged, with_current
from nnviz.ui.pixel_grid import Grid, pixel_grid

LOCK = "sq"
TICK_SECONDS = 0.5
SPEEDS = sq_link.SPEEDS
DEFAULT_SPEED = sq_link.DEFAULT_SPEED
SHOWN_ENTRIES = 4  # vector entries written out in the chain rule (the rest as "…")
#: Experiment field -> its control's session key.
CONTROL_KEYS = {
    "task": "sq_task", "length": "sq_length", "lag": "sq_lag", "noise": "sq_noise", "seed": "sq_seed",
    "hidden": "sq_hidden", "activation": "sq_act", "readout": "sq_readout", "spectral_radius": "sq_rho", "truncate": "sq_trunc",
    "optimizer": "sq_opt", "learning_rate": "sq_lr", "batch_size": "sq_batch", "clip": "sq_clip",
}
REMEMBERED = (*CONTROL_KEYS.values(), "sq_speed")
TRY = (
    "- **Remember, lag 5** (sequence length 50): learned in a few hundred steps. **Lag 40**: it stays at chance "
    "(50%). Press Reset and look at the right-hand chart at step 0: of the last step's gradient, about 3·10⁻⁵ "
    "reaches the step that held the bit, against a third of it 5 steps back.\n"
    "- **Spectral radius** 0.5, then 1.5 (Reset after each): the gradient dies within a few steps, or reaches "
    "all the way back and can explode; clipping keeps the explosion from throwing the weights away.\n"
    "- **Truncate BPTT every 5**: nothing reaches beyond the last block of 5 steps (the chart drops to 0).\n"
    "- **Sigmoid** instead of tanh: σ′ ≤ 0.25, so every step back shrinks the gradient more.")
DIVERGED_HINT = "The last finite weights are kept. Lower the learning rate or clip the gradient, then press **Reset**."
state.heavy("sq_run", lock=LOCK, flags=("sq_running",))


def _s() -> Any:
    return st.session_state


def _lock():
    return session_lock(LOCK)


def init_state() -> None:
    s = _s()
    if "sq_exp" not in s:
        s.sq_exp = SequenceExperiment()
        s.sq_running = False
        s.sq_notice = None
    if "sq_run" not in s:
        with _lock():
            s.sq_run = build(s.sq_exp)
    for field, key in CONTROL_KEYS.items():
        state.seed(key, getattr(s.sq_exp, field))
    state.seed("sq_speed", DEFAULT_SPEED)


# ---- the link -----------------------------------------------------------------------------------

def link_values() -> dict[str, Any]:
    """The page's settings as ``sq_link.FIELDS`` names them: the model's (last valid) experiment and the
    speed (what the address bar and the copy block hold; the training itself is not in the link)."""
    s = _s()
    exp = s.get("sq_exp") or SequenceExperiment()
    return {**{f: getattr(exp, f) for f in CONTROL_KEYS}, "speed": int(s.get("sq_speed", DEFAULT_SPEED))}


def apply_link(link: dict[str, Any]) -> None:
    """Set the controls from a decoded link (``page_link.arrive``), checked in the lab against itself and
    the current settings; what it refuses joins the link's warning. A first visit builds the link's
    model directly (no default model first)."""
    s = _s()
    out, messages = sq_link.resolve(link, link_values())
    page_link.add_problems("sequences", messages)
    for field, key in CONTROL_KEYS.items():
        s[key] = out[field]
    s["sq_speed"] = out["speed"]
    if "sq_exp" not in s:
        s.sq_exp = sq_link.experiment(out)


def share_controls() -> None:
    """The link to these settings, to copy."""
    page_link.share_expander("sequences", sq_link.FIELDS, link_values(), label="Share this experiment",
                             caption="The link holds every setting in the sidebar and the speed. Whoever opens it "
                                     "gets the same model with the same initial weights (the same seed), at step 0: "
                                     "press Play to train it.")


# ---- callbacks ----------------------------------------------------------------------------------

def _toggle_play() -> None:
    s = _s()
    s.sq_running = not s.get("sq_running", False)
    s.sq_notice = None


def _step(steps: int = 1) -> None:
    with _lock():
        train(_s().sq_run, steps)


def _reset() -> None:
    s = _s()
    with _lock():
        s.sq_run = build(s.sq_exp)
    s.sq_running = False
    s.sq_notice = ("reset", "Reset: back to step 0 with the same initial weights.")


# ---- controls -----------------------------------------------------------------------------------

def controls() -> SequenceExperiment | None:
    """The settings in the sidebar; the experiment they describe, or None (the error shown). A lesson's
    link may hide any of them (``hide=lag,rho``, by query key): a hidden setting keeps its value."""
    s, sb = _s(), st.sidebar

    def shown(query: str) -> bool:
        return not page_link.hidden(query)

    sb.subheader(":material/timeline: Task")
    if shown("task"):
        sb.selectbox("Task", tasks.names(), key="sq_task", format_func=lambda n: n.capitalize(),
                     help=" ".join(f"**{n}**: {what}." for n, (_, _, what) in tasks.TASKS.items()))
    task = s.get("sq_task")
    c1, c2 = sb.columns(2)
    if shown("len"):
        c1.number_input("Sequence length", step=1, key="sq_length", help=f"Steps per sequence, 2 to {MAX_LENGTH}.")
    if task == "remember" and shown("lag"):
        c2.number_input("Lag k", step=1, key="sq_lag", help="How many steps back the bit to output was seen.")
    elif task == "sine" and shown("noise"):
        c2.slider("Noise", 0.0, 1.0, step=0.05, key="sq_noise", help="Gaussian noise on the input wave.")
    # A first visit draws the Network and Training sections (below the sidebar's fold) in its second
    # run (nnviz/ui/first_paint.py); their values, a link's too, apply meanwhile.
    if first_paint.is_whole("sequences"):
        model_controls(shown)
    try:
        values = {field: s.get(key, getattr(s.sq_exp, field)) for field, key in CONTROL_KEYS.items()}
        return SequenceExperiment(**values)
    except (ValueError, TypeError) as exc:
        e = str(exc)
        sb.error(f"{e[0].upper()}{e[1:]}. The model keeps its last valid settings.", icon=":material/error:")
    return None


def model_controls(shown: Callable[[str], bool]) -> None:
    """The sidebar's Network and Training sections (``shown(query)``: not hidden by a lesson)."""
    s, sb = _s(), st.sidebar
    sb.subheader(":material/hub: Network")
    c1, c2 = sb.columns(2)
    if shown("hidden"):
        c1.number_input("Hidden size", step=1, key="sq_hidden", help=f"Units in h_t, 1 to {MAX_HIDDEN}.")
    if shown("act"):
        c2.selectbox("σ", list(HIDDEN_ACTIVATIONS), key="sq_act",
                     format_func=lambda n: activations.ACTIVATIONS.get(n).label,
                     help="The activation in h_t = σ(W_h h_{t−1} + W_x x_t + b).")
    if shown("loss"):
        sb.radio("Loss on", list(READOUTS), key="sq_readout", horizontal=True,
                 help="The readout's loss on every step's output, or on the last step's only (one answer per "
                      "sequence: the gradient must then travel back through time to reach the inputs).")
    if shown("rho"):
        sb.slider("Spectral radius of W_h at start", 0.1, 3.0, step=0.1, key="sq_rho",
                  help="W_h's largest |eigenvalue| at initialization. Below 1 a signal (and the gradient) shrinks "
                       "step after step; above 1 it can grow.")
    c1, c2 = sb.columns(2)
    if shown("trunc"):
        c1.number_input("Truncate BPTT every", step=1, key="sq_trunc",
                        help="Cut backpropagation through time into blocks of this many steps (0: never).")
    if shown("clip"):
        c2.number_input("Clip gradient norm", step=0.5, key="sq_clip", min_value=0.0,
                        help="Scale the whole gradient down to this length when it is longer (0: never).")
    sb.subheader(":material/model_training: Training")
    c1, c2 = sb.columns(2)
    if shown("opt"):
        c1.selectbox("Optimizer", optimizers.names(), key="sq_opt", format_func=lambda n: optimizers.get(n).label or n)
    if shown("batch"):
        c2.select_slider("Batch", with_current([1, 4, 8, 16, 32, 64, 128], s.get("sq_batch", 32)), key="sq_batch")
    if shown("lr"):
        sb.select_slider("Learning rate", with_current(list(LEARNING_RATES), s.get("sq_lr", 0.01)), key="sq_lr",
                         format_func=lambda v: f"{v:g}", help="Applies while training, without a reset.")


def toolbar(run: SequenceRun) -> None:
    s = _s()
    running = bool(s.get("sq_running")) and run.diverged is None
    buttons, speed = st.columns([4, 2.5], vertical_alignment="bottom")
    bar = buttons.container(horizontal=True, gap="small")
    bar.button("Pause" if running else "Play", key="sq_play", type="primary", on_click=_toggle_play,
               icon=":material/pause:" if running else ":material/play_arrow:", disabled=run.diverged is not None,
               width="stretch", help="Train continuously at the speed set at right.")
    bar.button("Step", key="sq_step1", icon=":material/skip_next:", on_click=_step, width="stretch",
               disabled=run.diverged is not None, help="One mini-batch step.")
    bar.button("10 steps", key="sq_step10", icon=":material/fast_forward:", on_click=_step, kwargs={"steps": 10},
               width="stretch", disabled=run.diverged is not None)
    bar.button("Reset", key="sq_reset", icon=":material/restart_alt:", on_click=_reset, width="stretch",
               help="Back to step 0 with the same initial weights.")
    if not page_link.hidden("speed"):
        speed.select_slider("Speed (steps per second)", SPEEDS, key="sq_speed")
    notice, slot = s.get("sq_notice"), message_slot()  # above the live charts: a fixed place
    if notice:
        slot.info(notice[1], icon=":material/restart_alt:" if notice[0] == "reset" else ":material/bolt:")


# ---- the views ----------------------------------------------------------------------------------

def _vector(v: np.ndarray) -> str:
    """A vector in LaTeX, its first ``SHOWN_ENTRIES`` entries and "…" for the rest."""
    head = latex_vector(v[:SHOWN_ENTRIES])
    return head.replace(r"\right)", r",\ \dots\right)") if len(v) > SHOWN_ENTRIES else head


UNROLLED = (r"\begin{array}{ccccccccccc}"
            r" & & \hat y_0 & & \hat y_1 & & \hat y_2 & & & & \hat y_{T-1} \\"
            r" & & \uparrow & & \uparrow & & \uparrow & & & & \uparrow \\"
            r"h_{-1} = 0 & \xrightarrow{W_h} & h_0 & \xrightarrow{W_h} & h_1 & \xrightarrow{W_h} & h_2 & \xrightarrow{W_h}"
            r" & \cdots & \xrightarrow{W_h} & h_{T-1} \\"
            r" & & \uparrow{\scriptstyle W_x} & & \uparrow{\scriptstyle W_x} & & \uparrow{\scriptstyle W_x} & & & &"
            r" \uparrow{\scriptstyle W_x} \\"
            r" & & x_0 & & x_1 & & x_2 & & & & x_{T-1}"
            r"\end{array}")
SIGMA_LATEX = {"tanh": r"\tanh", "sigmoid": r"\sigma", "relu": r"\mathrm{ReLU}"}


def chain_rule(run: SequenceRun) -> None:
    """The unrolled network, then one step t forward and backward in numbers."""
    exp = run.experiment
    st.markdown("##### One step, unrolled and in numbers")
    st.latex(UNROLLED)
    st.caption("The same W_x, W_h and b at every step; each h_t feeds the readout ŷ_t (a dense layer) and the "
               "next step. Backpropagation through time runs the chain rule back along the arrows. L is the "
               "last step's loss.")
    if int(_s().get("sq_t", 1)) > exp.length - 1:
        _s()["sq_t"] = exp.length - 1  # a shorter sequence: its last step
    t = st.slider("Step t", 1, exp.length - 1, key=state.seed("sq_t", max(1, exp.length // 2)),
                  help="The step whose forward and backward numbers are written out (test sequence 1; the "
                       "gradient of the last step's loss).")
    n = step_numbers(run, min(int(t), exp.length - 1))
    f = SIGMA_LATEX.get(exp.activation, r"\sigma")
    k, km = n.t, n.t - 1
    st.latex(rf"z_{{{k}}} = W_x\,x_{{{k}}} + W_h\,h_{{{km}}} + b, \qquad x_{{{k}}} = {fmt(n.x)},\quad "
             rf"h_{{{km}}} = {_vector(n.h_prev)}")
    st.latex(rf"h_{{{k}}} = {f}(z_{{{k}}}) = {_vector(n.h)}")
    st.latex(rf"\delta_{{{k}}} = \frac{{\partial L}}{{\partial h_{{{k}}}}} = {_vector(n.dh)}")
    st.latex(rf"\frac{{\partial L}}{{\partial z_{{{k}}}}} = \delta_{{{k}}} \odot {f}'(z_{{{k}}}) = {_vector(n.dz)}")
    ratio = float(np.linalg.norm(n.dh_prev) / np.linalg.norm(n.dh)) if np.linalg.norm(n.dh) > 0 else math.nan
    if n.cut:
        st.latex(rf"\frac{{\partial L}}{{\partial h_{{{km}}}}} = 0 \quad\text{{(BPTT is cut here: step {k} starts a block)}}")
    else:
        st.latex(rf"\frac{{\partial L}}{{\partial h_{{{km}}}}} = W_h^\top \frac{{\partial L}}{{\partial z_{{{k}}}}}"
                 rf" = {_vector(n.dh_prev)}, \qquad \frac{{\lVert\partial L/\partial h_{{{km}}}\rVert}}"
                 rf"{{\lVert\partial L/\partial h_{{{k}}}\rVert}} = {fmt(ratio)}")
    st.caption(f"Each step back multiplies the gradient by W_hᵀ and by σ′(z) (at most 1 for tanh, 0.25 for sigmoid): "
               f"a factor below 1 step after step makes it vanish, above 1 explode. ρ(W_h) now: {run.rho:.3f}. "
               f"Vectors show their first {SHOWN_ENTRIES} of {exp.hidden} entries.")


def draw(run: SequenceRun) -> None:
    """Metrics and every view of the run as it is now."""
    exp = run.experiment
    train_loss = run.losses[-1] if run.losses else math.nan
    test_loss = run.test_losses[-1] if run.test_losses else math.nan
    cols = st.columns(4)
    cols[0].metric("Step", f"{run.step:,}")
    cols[1].metric("Train loss", f"{train_loss:.4f}" if math.isfinite(train_loss) else "–")
    cols[2].metric("Test loss", f"{test_loss:.4f}" if math.isfinite(test_loss) else "–")
    cols[3].metric("ρ(W_h) now", f"{run.rho:.3f}", help="The largest |eigenvalue| of the recurrent weights.")
    slot = message_slot()  # above the charts: a fixed place
    if run.diverged is not None:
        with slot:
            show_diverged(run.diverged + 1, DIVERGED_HINT)
    view = sequence_view(run)
    left, right = st.columns(2, gap="medium")
    with left:
        canvas_chart(figs.sequence_chart(view, exp.kind), key="sq_sequence_chart")
    with right:
        canvas_chart(figs.loss_chart(np.arange(1, len(run.losses) + 1), np.asarray(run.losses),
                                     np.asarray(run.eval_steps), np.asarray(run.test_losses)), key="sq_loss_chart")
    if not first_paint.is_whole("sequences"):
        return  # a first visit: the rest (below the fold) comes in the run the browser asks for (render)
    left, right = st.columns(2, gap="medium")
    with left:
        lo, hi = (0.0, 1.0) if exp.activation == "sigmoid" else (-1.0, 1.0)
        if exp.activation == "relu":
            lo, hi = 0.0, float(max(np.max(view["h"]), 1e-6))
        cell = int(max(3, min(12, 430 // exp.length)))
        pixel_grid([Grid(f"Hidden state h_t: {exp.hidden} units (rows) × {exp.length} steps", view["h"],
                         cmap="gray" if exp.activation != "tanh" else "diverging", lo=lo, hi=hi,
                         note="hover for a unit's value", rows="unit", cols="step")], key="sq_hidden_grid", cell=cell)
    with right:
        canvas_chart(figs.reach_chart(gradient_reach(run), exp.lag if exp.task == "remember" else None),
                     key="sq_reach_chart")
    chain_rule(run)


def live_panel() -> None:
    s = _s()
    running = bool(s.get("sq_running")) and s.sq_run.diverged is None

    @st.fragment(run_every=TICK_SECONDS if running else None)
    def live() -> None:
        with _lock():
            run = s.sq_run
            if s.get("sq_running") and run.diverged is None:
                train(run, max(1, round(float(s.get("sq_speed", DEFAULT_SPEED)) * TICK_SECONDS)))
            if run.diverged is not None:
                s.sq_running = False
            draw(run)
        if running and not s.get("sq_running"):
            st.rerun(scope="app")  # paused or diverged since the tick was scheduled: the toolbar shows Play

    live()


def render() -> None:
    link = page_link.arrive("sequences", sq_link.FIELDS)
    if link:
        apply_link(link)
    init_state()
    s = _s()
    st.title(":material/timeline: Sequences")
    st.caption("Note 002's simple recurrent network, h_t = σ(W_h h_{t−1} + W_x x_t + b), trained live by "
               "backpropagation through time. Watch the hidden state, and how much gradient reaches back "
               "through the steps. Settings are in the sidebar.")
    new = controls()
    if new is not None and new != s.sq_exp:
        with _lock():
            s.sq_run, kind, message = update(s.sq_run, new)
        s.sq_exp = new
        if kind == "reset":
            s.sq_running = False
            s.sq_notice = ("reset", message + " Press Play to train it.")
        elif kind == "live":
            s.sq_notice = ("live", message)
    page_link.problems("sequences", sq_link.FIELDS, link_values())
    with st.expander("What to try", icon=":material/school:"):
        st.markdown(TRY)
    share_controls()
    toolbar(s.sq_run)
    live_panel()
    st.caption(f"{s.sq_exp.describe()} · {s.sq_run.n_params:,} parameters.")
    # Outside the live fragment, so that the browser's ask reruns the whole page, sidebar and all.
    first_paint.rest_is_due("sequences", "the hidden state, the gradient through time, one step in numbers "
                                         "and the network and training settings")
    page_link.sync(sq_link.FIELDS, link_values())
    state.remember(REMEMBERED)
