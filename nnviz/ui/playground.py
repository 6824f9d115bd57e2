"""Playground widgets and page helpers: controls -> ``Experiment``; live training in a fragment.

State (all keys prefixed ``pg_``): ``pg_exp`` the last valid experiment, ``pg_run`` the live run,
``pg_running``, ``pg_hidden`` the layer sizes edited by the +/- buttons (``pg_act_layer_<i>`` each
layer's activation, from 0; ``pg_act_layers_used`` keeps their expander open), ``pg_notice`` the last
reset/live-change message, ``pg_cmp`` the comparison, ``pg_preset`` the last preset picked (its
note shows while its data and network are in force); for the live view ``pg_batch_id`` (the last
batch sent), ``pg_tick_at`` (when the last training tick ran) and ``pg_carry`` (a fraction of a
step owed to the next tick); ``pg_hidden_paused`` / ``pg_cmp_hidden_paused`` (the live run / the
comparison was paused because the page was hidden: it resumes when shown). Widgets are created
without ``value=`` and seeded through ``nnviz.ui.state``: the experiment's controls from
``pg_exp`` (so a shared link, or coming back from another page, restores them), the view's own
settings (``REMEMBERED``: speed, toggles, open tabs, compared values) from what ``state.remember``
kept. Training happens only under the per-session lock.

Your own points (``Experiment.points``): the edit tools above the plot (``pg_edit_tool``, the
regression target ``pg_edit_value``) tell the live view what a click does; its strokes come back
through ``on_points`` (``pg_edit_acks``: the last stroke applied per browser view), the CSV
uploader (``pg_upload``) replaces the points, ``pg_points_error`` holds why the last file or
stroke was not used. Points change live: the network keeps its weights and step count.
"""

from __future__ import annotations

import math
import time
import urllib.parse
from collections.abc import Callable
from typing import Any

import streamlit as st

from nnviz.data import toy_sets
from nnviz.figures import playground as figs
from nnviz.labs import share
from nnviz.labs.pacing import covered_seconds, plan
from nnviz.labs.playground import code_export, points, points_csv, presets
from nnviz.labs.playground.compare import MAX_COMPARE, VARY, Comparison, compare, comparison_key
from nnviz.labs.playground.experiment import (
    FEATURE_NAMES,
    MAX_DROPOUT,
    MAX_HIDDEN_LAYERS,
    MAX_NEURONS,
    MAX_SEED,
    MAX_TEST_RATIO,
    MIN_POINTS,
    Experiment,
    activation_note,
    default_loss,
    losses_for,
    losses_not_offered,
    outputs_for,
    starting_settings,
    task_of,
)
from nnviz.labs.playground.export import export_csv, export_json, model_bytes
from nnviz.labs.playground.frames import (
    base_curves,
    compare_frames,
    compare_payload,
    payload,
    train_frames,
)
from nnviz.labs.playground.link import DATA_QUERY_KEYS, QUERY_KEYS, from_query, to_query
from nnviz.labs.playground.points import ERASE_RADIUS, Points
from nnviz.labs.playground.run import Change, Run, build, current_points, update
from nnviz.labs.playground.views import class_color, curves, gradient_norms, weight_histograms
from nnviz.nn import activations, initializers, losses, optimizers
from nnviz.ui import first_paint, page_link, state
from nnviz.ui.canvas_chart import canvas_chart
from nnviz.ui.common import (
    LEARNING_RATES,
    learning_rate_slider,
    message_slot,
    optimizer_settings,
    session_lock,
    show_diverged,
    show_link_problems,
    with_current,
)
from nnviz.ui.live_share import busy_note, scaled, turn
from nnviz.ui.live_view import live_view, pause_while_hidden, point_edits

#: Seconds between server ticks; the browser plays each tick's batch of frames over one tick.
TICK_SECONDS = 2.0
#: Training steps per second.
SPEEDS = (1, 2, 5, 10, 30, 100, 300, 1000, 2000)
DEFAULT_SPEED = 100
#: Seconds between redraws of the diagnostics charts while training.
DIAGNOSTICS_SECONDS = 2.0
BATCH_SIZES = (1, 2, 5, 10, 20, 25, 50, 100, 250, 500, 1000)
REG_RATES = (0.0, 1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
COMPARE_LRS = (0.001, 0.03, 3.0)
FEATURE_HELP = {
    "x1": "The horizontal coordinate.", "x2": "The vertical coordinate.",
    "x1^2": "x1 squared: lets even a linear model draw curved boundaries.",
    "x2^2": "x2 squared.", "x1*x2": "The product: positive in two opposite quadrants (XOR).",
    "sin x1": "sin(x1): a wavy feature.", "sin x2": "sin(x2).",
}
DIVERGED_HINT = "The last finite weights are kept. Lower the learning rate, then press **Reset**."
PAGE_TABS = {":material/model_training: Train": "train", ":material/compare: Compare runs": "compare",
             ":material/share: Share & export": "share"}
VIEW_TABS = {":material/hub: Network": "network", ":material/monitor_heart: Diagnostics": "diagnostics"}
LOCK = "pg"
CMP_LOCK = "pg_cmp"
#: Session keys: the live run (the comparison) was paused because the page was hidden.
HIDDEN_FLAG, CMP_HIDDEN_FLAG = "pg_hidden_paused", "pg_cmp_hidden_paused"
#: Browser views whose last applied stroke the page remembers (a tab, its reloads, redrawn elements).
MAX_EDIT_VIEWS = 8
#: The sliders and number boxes whose values the run after a tab change sends (``state.resend``):
#: a tab clicked during a first visit may find them not drawn yet (CONTRIBUTING.md).
RESENT = ("pg_noise", "pg_test", "pg_n", "pg_seed", "pg_l1", "pg_l2", "pg_dropout", "pg_lr", "pg_batch", "pg_speed")
#: Settings of the view (not of the experiment) that survive a page switch.
REMEMBERED = ("pg_speed", "pg_show_test", "pg_discretize", "pg_log", "pg_tab", "pg_view", "pg_cmp_vary", "pg_cmp_lrs",
              "pg_cmp_opts", "pg_edit_tool", "pg_edit_value")
# An idle session's live runs pause (nnviz.ui.session_memory); their weights, optimizer state and history stay.
state.heavy("pg_run", lock=LOCK, flags=("pg_running", HIDDEN_FLAG))
state.heavy("pg_cmp", lock=CMP_LOCK, flags=("pg_cmp_running", CMP_HIDDEN_FLAG))


def _s() -> Any:
    return st.session_state


def _lock():
    return session_lock(LOCK)


# ---- state --------------------------------------------------------------------------------

def init_state() -> None:
    """First run of a session: the experiment from the URL (or defaults), and the model."""
    s = _s()
    if "pg_exp" not in s:
        exp, messages = from_query(st.query_params.to_dict())
        s.pg_exp = exp
        s.pg_url_messages = messages
        s.pg_hidden = list(exp.hidden)
        s.pg_running = False
        s.pg_notice = None
    elif page_link.entering() and set(page_link.link_params()) & set(QUERY_KEYS.values()):
        open_link()  # a lesson or a link opened from another page of this session
    if "pg_run" not in s:
        with _lock():
            s.pg_run = build(s.pg_exp)
    s.setdefault("pg_hidden", list(s.pg_exp.hidden))
    s.setdefault("pg_running", False)
    seed_widgets(s.pg_exp)
    # A tab clicked before the sidebar's sliders had drawn left them drawn at their minimum (Number
    # of points 20) while the experiment kept 500: a tab's run sends their values (``_tab_changed``).
    if s.pop("_pg_resend", False):
        state.resend(RESENT)


def open_link() -> None:
    """Make the address bar's experiment the page's (every control, and the model reset), unless
    it is the experiment in force already."""
    s = _s()
    exp, messages = from_query(st.query_params.to_dict())
    if exp != s.pg_exp:
        for key, value in widget_values(exp).items():
            s[key] = value
        s.pg_lr, s.pg_hidden = exp.learning_rate, list(exp.hidden)
        if "pg_run" in s:
            set_experiment(exp)
        else:  # an idle session gave its model back: init_state builds the link's
            s.pg_exp = exp
        s.pg_notice, s.pg_running = None, False
    s.pg_url_messages = messages


def widget_values(exp: Experiment) -> dict[str, Any]:
    """Experiment control key -> its value for ``exp`` (the learning rate and the layer sizes aside)."""
    values: dict[str, Any] = {
        "pg_dataset": exp.dataset, "pg_noise": exp.noise, "pg_n": exp.n_points, "pg_test": exp.test_ratio,
        "pg_seed": exp.seed, "pg_act": exp.activation, "pg_init": exp.init, "pg_l1": exp.l1, "pg_l2": exp.l2,
        "pg_dropout": exp.dropout, "pg_loss": exp.loss, "pg_output": exp.output, "pg_opt": exp.optimizer,
        "pg_batch": exp.batch_size,
    }  # no "pg_lr": learning_rate_slider takes the experiment's rate as its default
    values["pg_features"] = list(exp.features)
    values["pg_bn"] = list(exp.batch_norm)
    values.update({_layer_act_key(i): act for i, act in enumerate(exp.layer_activations)})
    values.update({f"pg_opt_{exp.optimizer}_{k}": v for k, v in exp.optimizer_params if k != "eps"})
    return values


def seed_widgets(exp: Experiment) -> None:
    """Give every experiment control that has no state yet its value from ``exp`` (never overwrites)."""
    for key, value in widget_values(exp).items():
        state.seed(key, value)


def set_experiment(new: Experiment) -> Change:
    """Apply a valid new experiment to the live run (live settings in place, else a reset)."""
    s = _s()
    with _lock():
        run, change = update(s.pg_run, new)
        s.pg_run = run
        s.pg_exp = new
    s.pg_url_messages = []  # the link's warnings are about settings the user has now changed
    if change.kind == "reset":  # like the TensorFlow Playground: a reset also pauses
        s.pg_notice = ("reset", change.message + " Press Play to train it.")
        s.pg_running = False
    elif change.kind == "live":
        s.pg_notice = ("live", change.message)
    return change


def sync_url(exp: Experiment) -> None:
    """Keep the address bar equal to the experiment (Streamlit's own keys such as embed stay)."""
    current = st.query_params.to_dict()
    page_link.write({**{k: v for k, v in current.items() if k in share.KEPT_KEYS}, **to_query(exp)})


def share_url(exp: Experiment) -> str:
    base = None
    try:
        base = st.context.url
    except Exception:  # older runtimes, AppTest
        base = None
    if not base:
        base = "http://localhost:8501/playground"
    base = base.split("?", 1)[0]
    return f"{base}?{urllib.parse.urlencode(to_query(exp))}"


# ---- callbacks (run before the script, under the lock) -------------------------------------

def _tab_changed() -> None:
    """on_change of the page's tabs (stateful: a hidden tab runs nothing): this run resends the
    sidebar's sliders (``RESENT``), which a tab clicked during a first visit may not have drawn."""
    _s()._pg_resend = True


def _toggle_play() -> None:
    s = _s()
    s.pg_running = not s.get("pg_running", False)
    if s.pg_running:
        s.pg_notice = None


def _is_running() -> bool:
    return bool(_s().get("pg_running"))


def _set_running(value: bool) -> None:
    s = _s()
    s.pg_running = value and s.pg_run.diverged is None


def _is_comparing() -> bool:
    return bool(_s().get("pg_cmp_running"))


def _set_comparing(value: bool) -> None:
    cmp = _s().get("pg_cmp")
    _s().pg_cmp_running = value and cmp is not None and any(run.diverged is None for run in cmp.runs)


def _step(epoch: bool = False) -> None:
    s = _s()
    with _lock():
        run = s.pg_run
        if run.diverged is None:
            run.train_epoch() if epoch else run.train(1)


def _reset() -> None:
    s = _s()
    with _lock():
        s.pg_run = build(s.pg_exp, s.pg_run.data)
    s.pg_running = False
    s.pg_notice = ("reset", "Reset: back to step 0 with the same initial weights.")


def _regenerate() -> None:
    s = _s()
    s.pg_seed = (int(s.get("pg_seed", 0)) + 1) % (MAX_SEED + 1)


def _layer_act_key(i: int) -> str:
    """The widget key of hidden layer ``i``'s activation (from 0)."""
    return f"pg_act_layer_{i}"


def _add_layer() -> None:
    """A layer like the last one: its size and its activation (the others' stay)."""
    s = _s()
    h = s.pg_hidden
    if len(h) < MAX_HIDDEN_LAYERS:
        last = s.get(_layer_act_key(len(h) - 1)) if h else None
        s[_layer_act_key(len(h))] = last or s.get("pg_act") or Experiment.activation
        h.append(h[-1] if h else 4)


def _act_label(name: str) -> str:
    return activations.ACTIVATIONS.get(name).label or name


def _activation_changed() -> None:
    """on_change of the Activation box: every hidden layer takes it."""
    s = _s()
    for i in range(len(s.pg_hidden)):
        s[_layer_act_key(i)] = s.pg_act


def _layer_activation_changed() -> None:
    """on_change of a layer's activation: where every layer now has the same, the Activation box shows it."""
    s = _s()
    s.pg_act_layers_used = True
    chosen = {s.get(_layer_act_key(i)) for i in range(len(s.pg_hidden))}
    if len(chosen) == 1 and None not in chosen:
        s.pg_act = chosen.pop()


def _remove_layer() -> None:
    s = _s()
    h = s.pg_hidden
    if h:
        h.pop()
        s.pg_bn = [k for k in s.get("pg_bn") or () if k <= len(h)]


def _neurons(i: int, delta: int) -> None:
    h = _s().pg_hidden
    if 0 <= i < len(h):
        h[i] = max(1, min(MAX_NEURONS, h[i] + delta))


# ---- presets -------------------------------------------------------------------------------

def _apply_preset() -> None:
    """on_change of the preset picker: every control and the model become the preset's (a reset),
    the test points are shown, and the picker is empty again (ready for another pick)."""
    s = _s()
    name = s.get("pg_preset_pick")
    if name is None:
        return
    preset = presets.get(name)
    exp = preset.experiment
    for key, value in widget_values(exp).items():
        s[key] = value
    s.pg_lr, s.pg_hidden, s.pg_show_test = exp.learning_rate, list(exp.hidden), preset.show_test
    had_points = s.pg_exp.points is not None
    set_experiment(exp)
    s.pg_notice = None  # the preset's note says what changed and to press Play
    if had_points:  # say where they went: the preset has its own data
        s.pg_notice = ("points", "The preset brought its own data: your points are no longer in use. To keep "
                                 "points, download them as CSV before picking a preset, and upload the file again.")
    s.pg_preset, s.pg_preset_pick = name, None


def preset_picker(where) -> None:
    where.selectbox("Presets", list(presets.PRESETS), index=None, key="pg_preset_pick", on_change=_apply_preset,
                    format_func=lambda n: presets.get(n).label, placeholder="Start from a preset…",
                    help="A ready-made experiment that shows one idea, with what to look at. It sets every "
                         "control below and resets the model.")


def preset_note(exp: Experiment) -> None:
    """What to look at, while the experiment still has the picked preset's data and network."""
    name, slot = _s().get("pg_preset"), message_slot()  # above the live view: a fixed place
    if name in presets.PRESETS and presets.get(name).still_on(exp):
        preset = presets.get(name)
        slot.info(f"**{preset.label}.** {preset.look_at}\n\n**Think:** {preset.question}", icon=":material/school:")


# ---- controls (sidebar) -------------------------------------------------------------------

def _dataset_changed() -> None:
    """on_change of the data set: features and layer sizes that are still the previous set's
    starting ones become the new set's (the spiral starts with every feature and 8-8 units);
    settings the user chose stay."""
    s = _s()
    before = starting_settings(s.pg_exp.dataset)
    if tuple(s.get("pg_features") or ()) == before["features"] and tuple(s.pg_hidden) == before["hidden"]:
        after = starting_settings(s.pg_dataset)
        s.pg_features, s.pg_hidden = list(after["features"]), list(after["hidden"])


def _shown(control: str) -> bool:
    """False where a lesson's class mode hides ``control`` (its query key, ``hide=lr,opt``): the
    control is not drawn and its setting keeps the experiment's value."""
    return not page_link.hidden(control)


def controls(exp: Experiment) -> Experiment | None:
    """Every experiment control, in the sidebar. Returns the experiment they describe, or None
    (with an error shown) if it is invalid; the previous experiment then stays in force."""
    s = _s()
    sb = st.sidebar
    if _shown("preset"):
        preset_picker(sb)
    custom = exp.points is not None  # your own points: the generator's settings are off
    if custom or any(_shown(q) for q in DATA_QUERY_KEYS):  # a lesson may hide them all
        sb.subheader(":material/scatter_plot: Data")
    if custom:
        sb.caption("**Your own points** (drawn on the plot or loaded from a CSV file) are in use, so the "
                   "generator's settings are off. The :material/undo: button above the plot brings the "
                   "generated set back (your points are then gone: download them first to keep them).")
    names = toy_sets.names()
    dataset = s.get("pg_dataset", exp.dataset)
    if _shown("data"):
        dataset = sb.selectbox(
            "Data set", names, key="pg_dataset", format_func=toy_sets.label, on_change=_dataset_changed,
            disabled=custom,
            help=f"{len(toy_sets.names_by_task('classification'))} classification sets (orange vs "
                 f"blue; {sum(task_of(n)[1] > 2 for n in names)} with more classes, one colour each) and "
                 f"{len(toy_sets.names_by_task('regression'))} regression sets (fit a surface)."
                 " With your own points it says only the task and the classes.")
    c1, c2 = sb.columns(2)
    if _shown("noise"):
        c1.slider("Noise", 0.0, 1.0, step=0.05, key="pg_noise", disabled=custom,
                  help="Gaussian jitter added to the points (0: clean).")
    if _shown("test"):
        c2.slider("Test share", 0.0, MAX_TEST_RATIO, step=0.05, key="pg_test", disabled=custom,
                  help="Fraction of the points held out as test data (never trained on). Also splits an "
                       "uploaded CSV file that has no split column.")
    if _shown("n"):
        sb.slider("Number of points", MIN_POINTS, max(2000, int(s.get("pg_n", 500))), step=10, key="pg_n",
                  disabled=custom, help="Points generated in total, train and test together.")
    c1, c2 = sb.columns([1, 1.45], vertical_alignment="bottom")
    if _shown("seed"):
        c1.number_input("Seed", min_value=0, max_value=MAX_SEED, step=1, key="pg_seed",
                        help="Decides the points, the split, the initial weights and the batch order.")
        c2.button("Regenerate", key="pg_regenerate", icon=":material/refresh:", on_click=_regenerate, disabled=custom,
                  use_container_width=True, help="New random points (the seed goes up by one); the model resets.")
    if _shown("feat"):
        sb.pills("Input features", list(FEATURE_NAMES), selection_mode="multi", key="pg_features",
                 format_func=lambda f: toy_sets.feature_label(f),
                 help="What the network sees of each point. " + " ".join(
                     f"**{toy_sets.feature_label(f)}**: {FEATURE_HELP.get(f, '')}" for f in FEATURE_NAMES))

    # The Network and Training sections are below the sidebar's fold: a first visit draws them in its
    # second run (nnviz/ui/first_paint.py; until then their settings keep the experiment's values).
    with sb:
        rest = first_paint.rest_is_due("playground", "the network and training settings")
    if rest:
        model_controls(sb, exp, dataset)

    try:  # the values are read back from the state, as the live view does
        return experiment_from_state(exp)
    except ValueError as exc:
        e = str(exc)
        sb.error(f"{e[0].upper()}{e[1:]}. The model keeps its last valid settings.", icon=":material/error:")
    return None


def model_controls(sb, exp: Experiment, dataset: str) -> None:
    """The sidebar's Network and Training sections: layers, neurons, activations, initialization,
    regularization, loss, output, optimizer, learning rate and batch size (for ``dataset``'s task)."""
    s = _s()
    sb.subheader(":material/hub: Network")
    hidden = list(s.pg_hidden)
    layers_shown = _shown("hidden")
    if layers_shown:
        c1, c2, c3 = sb.columns([1, 3, 1], vertical_alignment="center")
        c1.button("", key="pg_layer_minus", icon=":material/remove:", on_click=_remove_layer, disabled=not hidden,
                  help="Remove the last hidden layer.")
        c2.markdown(f"**{len(hidden)} hidden layer{'s' if len(hidden) != 1 else ''}**")
        c3.button("", key="pg_layer_plus", icon=":material/add:", on_click=_add_layer,
                  disabled=len(hidden) >= MAX_HIDDEN_LAYERS, help="Add a hidden layer.")
    for i, units in enumerate(hidden if layers_shown else ()):
        c1, c2, c3 = sb.columns([1, 3, 1], vertical_alignment="center")
        c1.button("", key=f"pg_n_minus_{i}", icon=":material/remove:", on_click=_neurons, args=(i, -1),
                  disabled=units <= 1, help=f"One neuron fewer in layer {i + 1}.")
        c2.caption(f"Layer {i + 1}: {units} neuron{'s' if units != 1 else ''}")
        c3.button("", key=f"pg_n_plus_{i}", icon=":material/add:", on_click=_neurons, args=(i, 1),
                  disabled=units >= MAX_NEURONS, help=f"One neuron more in layer {i + 1}.")
    if hidden and _shown("bn"):
        s.pg_bn = [k for k in s.get("pg_bn") or () if k <= len(hidden)]  # layers that still exist
        sb.pills("Batch normalization", list(range(1, len(hidden) + 1)), selection_mode="multi", key="pg_bn",
                 format_func=lambda k: f"Layer {k}",
                 help="Normalizes a layer's sums over each mini-batch (mean 0, variance 1, then a learned "
                      "scale γ and shift β) before its activation; at test time it uses running averages of "
                      "the batches' mean and variance. Keeps deep sigmoid and tanh layers out of saturation.")
    act = s.get("pg_act", exp.activation)
    if _shown("act"):
        act = sb.selectbox("Activation", activations.names(), key="pg_act", format_func=_act_label,
                           on_change=_activation_changed,
                           help="The non-linearity of every hidden neuron; choosing one here sets every layer. "
                                "Give a layer its own under **Activation per layer**.")
        sb.caption(activation_note(act))
    if hidden and _shown("acts"):
        # Open while the layers differ, and once used (an expander whose state flips closes under the user).
        with sb.expander("Activation per layer", expanded=bool(exp.activations or s.get("pg_act_layers_used"))):
            for i in range(len(hidden)):
                state.seed(_layer_act_key(i), act)  # a layer added by a link or a preset's keys
                st.selectbox(f"Layer {i + 1}", activations.names(), key=_layer_act_key(i), format_func=_act_label,
                             on_change=_layer_activation_changed,
                             help=f"The non-linearity of the neurons of hidden layer {i + 1}.")
            st.caption("E.g. ReLU in the first layers and tanh in the last: the network view names each "
                       "layer's activation where they differ.")
    if _shown("init"):
        sb.selectbox("Initialization", initializers.names(), key="pg_init",
                     format_func=lambda n: n.replace("_", " ").capitalize(),
                     help="How the first weights are drawn. " + " ".join(
                         f"**{n}**: {initializers.description(n)}"
                         for n in initializers.names()))
    c1, c2 = sb.columns(2)
    if _shown("l1"):
        c1.select_slider("L1 rate", with_current(list(REG_RATES), s.get("pg_l1", 0.0)), key="pg_l1",
                         format_func=lambda v: f"{v:g}", help="Adds λ₁·Σ|w|: pushes weights to exactly zero (sparse).")
    if _shown("l2"):
        c2.select_slider("L2 rate", with_current(list(REG_RATES), s.get("pg_l2", 0.0)), key="pg_l2",
                         format_func=lambda v: f"{v:g}", help="Adds λ₂·Σw²: keeps all weights small (smoother boundary).")
    if _shown("drop"):
        sb.slider("Dropout", 0.0, MAX_DROPOUT, step=0.05, key="pg_dropout",
                  help="While training, each hidden neuron is switched off with this probability.")

    sb.subheader(":material/model_training: Training")
    task, n_classes = task_of(dataset)
    loss_opts = losses_for(task, n_classes)
    if s.get("pg_loss") not in loss_opts:
        s.pg_loss = default_loss(task)
    loss = s.pg_loss
    if _shown("loss"):
        loss = sb.selectbox("Loss", list(loss_opts), key="pg_loss",
                            format_func=lambda n: losses.LOSSES.get(n).label or n,
                            help="Only the losses that fit this task are offered. " + " ".join(
                                f"Not {n}: {why}." for n, why in losses_not_offered(task, n_classes).items()))
        sb.caption(loss_opts[loss] if n_classes <= 2 else
                   f"{n_classes} outputs through softmax give one probability per class; cross-entropy punishes "
                   "confident mistakes hard. With more than two classes it is the one loss that fits.")
    out_opts = outputs_for(task, loss)
    if s.get("pg_output") not in out_opts:
        s.pg_output = next(iter(out_opts))
    if _shown("out"):
        output = sb.selectbox("Output activation", list(out_opts), key="pg_output", disabled=len(out_opts) == 1,
                              format_func=lambda n: activations.ACTIVATIONS.get(n).label or n,
                              help="What the last layer does with its sums; fixed where the loss needs it.")
        sb.caption(f"Output: {out_opts[output]}." if n_classes <= 2 else
                   f"Output: {n_classes} outputs that sum to 1, one probability per class "
                   f"({', '.join(class_color(k) for k in range(n_classes))}).")
    if _shown("opt"):
        opt = sb.selectbox("Optimizer", optimizers.names(), key="pg_opt",
                           format_func=lambda n: optimizers.get(n).label or n,
                           help=" ".join(f"**{optimizers.get(n).label}**: {optimizers.get(n).description}."
                                         for n in optimizers.names()))
        if _shown("opt_set"):
            optimizer_settings(opt, "pg_opt", container=sb)
    if _shown("lr"):
        _lr_slider(sb, s.get("pg_lr", exp.learning_rate))
    if _shown("batch"):
        sb.select_slider("Batch size", with_current(list(BATCH_SIZES), s.get("pg_batch", 10)), key="pg_batch",
                         help="Points per gradient step. Small: noisy steps; large: smooth, slower epochs.")
    if s.get("pg_bn") and s.get("pg_batch") == 1:
        sb.warning("Batch normalization needs more than one point per batch: with batch size 1 each "
                   "normalized sum is exactly its batch mean, so it becomes 0 and no gradient flows back "
                   "through it. Use a batch of 10 or more.", icon=":material/warning:")


def experiment_from_state(exp: Experiment) -> Experiment:
    """The experiment the controls describe, from their session state (a control not shown yet
    keeps ``exp``'s value). Raises ``ValueError`` if it is invalid."""
    s = _s()

    def get(key: str, default: Any) -> Any:
        value = s.get(key)
        return default if value is None else value

    opt = get("pg_opt", exp.optimizer)
    hidden = tuple(get("pg_hidden", exp.hidden))
    act = get("pg_act", exp.activation)
    known = exp.layer_activations
    per_layer = tuple(get(_layer_act_key(i), known[i] if i < len(known) else act) for i in range(len(hidden)))
    base = exp.opt_params if opt == exp.optimizer else {}
    opt_params = {**base, **{hp: s[f"pg_opt_{opt}_{hp}"] for hp in optimizers.get(opt).hyperparams
                             if f"pg_opt_{opt}_{hp}" in s}}
    return Experiment(
        dataset=get("pg_dataset", exp.dataset), noise=get("pg_noise", exp.noise), n_points=get("pg_n", exp.n_points),
        test_ratio=get("pg_test", exp.test_ratio), seed=get("pg_seed", exp.seed),
        features=tuple(get("pg_features", exp.features)), hidden=hidden,
        batch_norm=tuple(k for k in get("pg_bn", exp.batch_norm) if k <= len(hidden)),
        activation=act, activations=per_layer, init=get("pg_init", exp.init), l1=get("pg_l1", exp.l1),
        l2=get("pg_l2", exp.l2), dropout=get("pg_dropout", exp.dropout), loss=get("pg_loss", exp.loss),
        output=get("pg_output", exp.output), optimizer=opt, optimizer_params=opt_params,
        learning_rate=get("pg_lr", exp.learning_rate), batch_size=get("pg_batch", exp.batch_size),
        points=exp.points,  # changed only by the point tools (set_points)
    )


def _changed_since_full_run() -> bool:
    """True when the controls describe a valid experiment other than the one in force: a change
    that only a fragment run has seen so far."""
    s = _s()
    try:
        return experiment_from_state(s.pg_exp) != s.pg_exp
    except ValueError:
        return False  # the full run already showed why


def _lr_slider(where, value: float) -> float:
    """``learning_rate_slider`` in the sidebar (its values include a shared link's exact rate)."""
    with where:
        return learning_rate_slider(
            "pg_lr", default=value, values=with_current(list(LEARNING_RATES), value),
            help="Step size η (log scale). Too small: slow. Too large: the loss jumps or diverges. "
                 "Applies while training, without a reset.")


# ---- your own points ----------------------------------------------------------------------

def edit_tools(exp: Experiment) -> dict[str, str]:
    """Edit tool -> its label: look only, add a point of each class (or a target), erase."""
    tools = {"off": ":material/visibility: Look"}
    if exp.task == "classification":
        for k in range(exp.n_classes):
            tools[f"add{k}"] = f":material/add_circle: Class {k} ({class_color(k)})"
    else:
        tools["add"] = ":material/add_circle: Add"
    tools["erase"] = ":material/ink_eraser: Erase"
    return tools


def edit_header(exp: Experiment) -> dict[str, Any]:
    """What a click on the plot does now (the live view's ``edit``) and the last stroke applied."""
    s = _s()
    tool = s.get("pg_edit_tool") or "off"
    mode, label = None, None
    if tool == "erase":
        mode = "erase"
    elif tool.startswith("add") and tool in edit_tools(exp):
        mode = "add"
        label = int(tool[3:]) if exp.task == "classification" else float(s.get("pg_edit_value", 0.5))
    return {"mode": mode, "label": label, "radius": ERASE_RADIUS, "acks": s.get("pg_edit_acks") or {}}


def set_points(new: Points | None, notice: str | None = None) -> None:
    """Train on ``new`` (None: the generated points) from the next step, keeping the network. The
    notice says so when given, or the first time your own points replace the generated ones."""
    s = _s()
    before, was_custom = s.get("pg_notice"), s.pg_exp.points is not None
    set_experiment(s.pg_exp.replace(points=new))
    s.pg_points_error = None
    if notice is None and new is not None and not was_custom:
        notice = ("Your own points: the network now trains on the points you add and erase, keeping its "
                  "weights and step count. Clicked points go to the training set.")
    s.pg_notice = ("points", notice) if notice else before


def _points_edited() -> None:
    """on_points of the live view: apply the strokes not applied yet (the view sends each until
    it is acknowledged), to your own points or, the first time, to a copy of the generated ones."""
    s = _s()
    got = point_edits("pg_live")
    if got is None:
        return
    client, edits = got
    # Per view: a view redrawn in a new parent is a new client, while the old one may still resend
    # its strokes; with one ack for the last client those were applied again (a point erased came back).
    acks = dict(s.get("pg_edit_acks") or {})
    after = int(acks.pop(client, 0))
    with _lock():
        base = current_points(s.pg_run)
    new, done, problems = points.apply_edits(base, edits, after, include_test=bool(s.get("pg_show_test")))
    acks[client] = done  # the newest last; the oldest views are forgotten
    s.pg_edit_acks = dict(list(acks.items())[-MAX_EDIT_VIEWS:])
    if new != base:
        set_points(new)
    if problems:
        s.pg_points_error = ("stroke", problems[-1])


def _clear_points() -> None:
    s = _s()
    exp = s.pg_exp
    set_points(points.empty(exp.task, exp.n_classes),
               "Cleared: no points. Click the plot to add some; the network keeps its weights and trains as "
               "soon as there are training points.")
    if (s.get("pg_edit_tool") or "off") == "off":
        s.pg_edit_tool = next(t for t in edit_tools(exp) if t.startswith("add"))


def _generated_points() -> None:
    exp = _s().pg_exp
    set_points(None, f"Back to the generated points ({toy_sets.label(exp.dataset)}): the network keeps its "
                     "weights and trains on them.")


def _uploaded() -> None:
    """on_change of the CSV uploader: the file's points replace the current ones, or the page says
    which line is wrong and keeps the points and the model as they were."""
    s = _s()
    file = s.get("pg_upload")
    if file is None:
        return
    exp = s.pg_exp
    try:
        new = points_csv.parse(file.getvalue(), exp.task, exp.n_classes, test_ratio=exp.test_ratio, seed=exp.seed)
    except ValueError as exc:
        s.pg_points_error = ("file", str(exc))
        s.pg_notice = None  # an older "Loaded ..." would contradict the error
        return
    set_points(new, f"Loaded {new.describe()} from the file. The network keeps its weights and trains on "
                    "them; **Reset** starts it again from step 0.")


def points_toolbar(exp: Experiment) -> None:
    """One row above the plot (a laptop keeps Play and the surface on one screen): the edit tools
    (one per class, or a target value), Clear, Back to generated points and the CSV file's upload
    and download; below it, only while there is one, why the last file or stroke was not used."""
    s = _s()
    tools = edit_tools(exp)
    if s.get("pg_edit_tool") not in tools:
        s.pg_edit_tool = "off"  # another data set, other classes
    row = st.container(horizontal=True, vertical_alignment="center", gap="small")
    row.markdown("**Click the plot to**", width="content",
                 help="Add a point of the chosen class where you click (drag to paint several), or erase the "
                      "points under the ring (test points too, while they are shown). New points go to the "
                      "training set; test points come from the generator or a CSV file. The network keeps its "
                      "weights and keeps training while you edit; **Reset** starts it again on the current "
                      "points. Look: the plot only shows.")
    tool = row.segmented_control("Click on the plot to", list(tools), key=state.seed("pg_edit_tool", "off"),
                                 required=True, format_func=tools.get, label_visibility="collapsed",
                                 wrap=True)  # on a phone the tools wrap rather than scroll out of sight
    if exp.task == "regression" and tool == "add":
        row.slider("Target value", -1.0, 1.0, step=0.05, key=state.seed("pg_edit_value", 0.5), width=160,
                   label_visibility="collapsed",
                   help="The target value of the points you add (colour: orange −1 to blue +1).")
    row.button("", key="pg_points_clear", icon=":material/delete_sweep:", on_click=_clear_points,
               help="Clear: remove every point, to draw your own set from scratch (the network keeps its weights).")
    row.button("", key="pg_points_generated", icon=":material/undo:", on_click=_generated_points,
               disabled=exp.points is None,
               help="Back to generated points: drop your own points and train on the generator's set again "
                    "(the network keeps its weights).")
    with row.popover("CSV", help="Upload points from a CSV file, or download these."):
        st.markdown(f"One point per line, `x1,x2,label`, optionally with a 4th column `split` (`train` or "
                    f"`test`; without it the points are split by the test share, now {exp.test_ratio:g}). A header "
                    f"line `x1,x2,label` is optional. x1 and x2 must lie in the plot, "
                    f"{points.DOMAIN[0]:g} to {points.DOMAIN[1]:g}; "
                    + (f"the label is a class, {', '.join(map(str, range(exp.n_classes)))}"
                       if exp.task == "classification" else "the label is the target value (any number; colours "
                                                            "span −1 to +1)")
                    + f". At most {points.MAX_CUSTOM_POINTS:,} points.")
        st.file_uploader("Upload points (CSV)", type=["csv", "txt"], key="pg_upload", on_change=_uploaded,
                         help="Replaces the current points; the network keeps its weights.")
        st.download_button("Download these points (CSV)", data=_locked(_points_file), file_name="nnviz-points.csv",
                           mime="text/csv", key="pg_dl_points", icon=":material/download:", on_click="ignore",
                           use_container_width=True, help="Training and test points, with their split: the "
                                                          "uploader reads the file back exactly.")
    what, message = s.get("pg_points_error") or (None, "")
    slot = message_slot()  # above the live view: a fixed place
    if what:  # the points and the model are as they were
        slot.error("That file was not loaded: your points and the model are as they were." if what == "file"
                   else "A stroke was not applied:", icon=":material/error:")
        slot.text(message)  # quotes the file's own text: never Markdown


def _points_file(run: Run) -> str:
    return points_csv.write(current_points(run))


# ---- toolbar and live view ----------------------------------------------------------------

def toolbar() -> None:
    s = _s()
    run: Run = s.pg_run
    running = bool(s.pg_running) and run.diverged is None
    # The four buttons in one row that wraps (columns would stack them one per line on a phone).
    buttons, speed = st.columns([4.45, 3.2], vertical_alignment="bottom")
    bar = buttons.container(horizontal=True, gap="small")
    bar.button("Pause" if running else "Play", key="pg_play", type="primary", on_click=_toggle_play,
                   icon=":material/pause:" if running else ":material/play_arrow:", disabled=run.diverged is not None,
                   width="stretch", help="Train continuously, at the speed set at right (steps per second).")
    bar.button("Step", key="pg_step", icon=":material/skip_next:", on_click=_step, width="stretch",
                   disabled=run.diverged is not None, help="One mini-batch step.")
    bar.button("Step epoch", key="pg_step_epoch", icon=":material/fast_forward:", on_click=_step,
                   kwargs={"epoch": True}, width="stretch", disabled=run.diverged is not None,
                   help="One pass over the training points.")
    bar.button("Reset", key="pg_reset", icon=":material/restart_alt:", on_click=_reset, width="stretch",
                   help="Back to step 0 with the same initial weights.")
    speed.select_slider("Speed (steps per second)", with_current(list(SPEEDS), state.value("pg_speed", DEFAULT_SPEED)),
                          key=state.seed("pg_speed", DEFAULT_SPEED),
                          help="Training steps per second; the view redraws up to 30 times a second. "
                               "1 is slow motion.")
    notice, slot = s.get("pg_notice"), message_slot()  # above the live view: a fixed place
    if notice:
        kind, message = notice
        icon = {"reset": ":material/restart_alt:", "points": ":material/scatter_plot:"}.get(kind, ":material/bolt:")
        slot.info(message, icon=icon)


def steps_per_tick(speed: float) -> float:
    """Training steps per tick at ``speed`` steps per second (fractions carry over to later ticks)."""
    return float(speed) * TICK_SECONDS


def _diagnostics(run: Run) -> dict[str, Any]:
    """What the Diagnostics tab draws (canvas charts), computed under the lock."""
    return {"norms": gradient_norms(run), "hists": weight_histograms(run), "curves": curves(run.history, start=run.start),
            "counts_dead": math.isfinite(run.trainer.dead_relu_fraction())}  # NaN: no unit that can die


def live_tick(run: Run, *, training: bool, network: bool, show_test: bool, discretize: bool,
              log: bool, edit: dict[str, Any] | None = None) -> dict[str, Any]:
    """One tick under the lock: train this tick's steps as a batch of frames (none when paused: one
    frame of the true state), and pack what the live view draws."""
    s = _s()
    now = time.monotonic()
    if training and run.diverged is None:
        # A tick's steps cover the time since the last (speed: steps per second of the clock).
        elapsed = covered_seconds(s.get("pg_tick_at"), now, TICK_SECONDS)
        steps, n_frames, s.pg_carry = plan(state.value("pg_speed", DEFAULT_SPEED), elapsed, s.get("pg_carry", 0.0))
        s.pg_tick_at = now
    else:
        steps, n_frames = 0, 1
        s.pg_tick_at = None
    with turn() as scale:  # one tick computes at a time; a busy server scales every tick's work
        steps, n_frames = scaled(steps, n_frames, scale, TICK_SECONDS)
        base = base_curves(run)
        frames = train_frames(run, steps, n_frames, thumbs=network)
        s.pg_batch_id = batch = int(s.get("pg_batch_id", 0)) + 1
        blob = payload(run, frames, base, batch=batch, running=steps > 0, tick_seconds=TICK_SECONDS,
                       show_test=show_test, discretize=discretize, log=log, network=network, edit=edit)
    return {"step": run.step, "diverged": run.diverged, "blob": blob, "scale": scale if steps > 0 else 1.0}


def live_panel() -> None:
    """The live view: view toggles, then a fragment holding nothing but the canvas component (each
    tick re-sends only that element) that trains one tick's batch of frames while running; the
    browser plays the batch (``nnviz.ui.live_view``) until the next tick. Diagnostics below, in
    their own slower fragment."""
    s = _s()
    running = bool(s.get("pg_running")) and s.pg_run.diverged is None
    exp: Experiment = s.pg_exp
    # One row that wraps on a narrow screen (columns would stack one per line).
    row = st.container(horizontal=True, vertical_alignment="center", gap="medium")
    row.toggle("Show test data", key=state.seed("pg_show_test", False), help="Test points have a black rim.")
    row.toggle("Discretize output", key=state.seed("pg_discretize", False),
              help="Show the decision (blue or orange; with more classes, the most likely class) instead of the "
                   "network's confidence.")
    row.toggle("Log scale", key=state.seed("pg_log", False), help="Loss on a logarithmic axis: small losses stay readable.")
    row.segmented_control("Below", list(VIEW_TABS), key=state.seed("pg_view", next(iter(VIEW_TABS))), required=True,
                         label_visibility="collapsed", help="Under the surface: the network graph, or diagnostics.")
    detail = VIEW_TABS.get(s.get("pg_view") or "", "network")
    points_toolbar(exp)
    custom = exp.points is not None

    on_visibility = pause_while_hidden("pg_live", HIDDEN_FLAG, _is_running, _set_running)

    @st.fragment(run_every=TICK_SECONDS if running else None)
    def live() -> None:
        if bool(s.get("pg_running")) and s.pg_run.diverged is None and not running:
            st.rerun(scope="app")  # resumed as the page is shown again: the toolbar changes, the ticks start
        with _lock():
            view = live_tick(s.pg_run, training=bool(s.get("pg_running")), network=detail == "network",
                             show_test=bool(s.get("pg_show_test")), discretize=bool(s.get("pg_discretize")),
                             log=bool(s.get("pg_log")), edit=edit_header(s.pg_exp))
        slot = message_slot()  # above the view: a fixed place
        if view["diverged"] is not None:
            s.pg_running = False
            with slot:
                show_diverged(view["diverged"], DIVERGED_HINT, s.pg_run.trainer.diverged_reason)
        live_view(view["blob"], key="pg_live", on_visibility=on_visibility, on_points=_points_edited)
        busy_note(view["scale"])
        if (s.pg_exp.points is not None) != custom:
            st.rerun(scope="app")  # the first stroke made the points your own: the sidebar says so
        if running and (not s.get("pg_running") or _changed_since_full_run()):
            # A click or a control change can be taken by a tick's run, which redraws only this
            # fragment: rerun the page once, so the toolbar shows Play again (and the timer stops)
            # or the new settings apply.
            st.rerun(scope="app")

    live()
    classification = exp.task == "classification"
    if classification and exp.n_classes > 2:
        colour = (f"Colour: the class the network finds most likely ({', '.join(map(class_color, range(exp.n_classes)))}), "
                  "paler where it is less sure (grey: every class equally likely). The confusion matrix counts the "
                  "test points by true class (rows) and predicted class (columns).")
    else:
        colour = ("Colour: P(blue) from orange (0) to blue (1)." if classification
                  else "Colour: the network's prediction, orange (−1) to blue (+1); points show the targets.")
    st.caption(colour
               + f" {exp.describe()} · {s.pg_run.net.n_params:,} parameters.")
    if detail == "network":
        st.caption("Network: each box is a neuron's output over the input plane (x1 to the right, x2 up). Lines "
                   "are weights: width |w|, blue positive, orange negative. Hover a line for its weight, a box "
                   "for the neuron's bias."
                   + (" A layer marked BN normalizes its sums over each mini-batch before the activation: "
                      "there the biases do nothing (the batch mean is taken away) and BN's shift β stands in."
                      if exp.batch_norm else ""))
    else:
        diagnostics_panel(running)


def diagnostics_panel(running: bool) -> None:
    """Gradient norms, dead ReLUs and weight histograms (canvas charts), every ``DIAGNOSTICS_SECONDS``."""
    s = _s()

    @st.fragment(run_every=DIAGNOSTICS_SECONDS if running else None)
    def diagnostics() -> None:
        with _lock():
            view = _diagnostics(s.pg_run)
        draw_diagnostics(view)

    diagnostics()


def draw_diagnostics(view: dict[str, Any]) -> None:
    norms = view["norms"]
    if len(norms["step"]):
        canvas_chart(figs.gradient_norm_chart(norms), key="pg_grad_chart")
    else:
        st.caption("Gradient norms appear once training starts.")
    c = view["curves"]
    if view["counts_dead"]:
        canvas_chart(figs.dead_relu_chart(c["step"], c["dead_relu"]), key="pg_dead_chart")
    else:
        st.caption("Dead ReLUs are counted with the ReLU activation (a ReLU is dead when it outputs 0 for "
                   "every input, so it never learns again).")
    hists = view["hists"]
    for row in range(0, len(hists), 3):
        cols = st.columns(3)
        for i, (col, hist) in enumerate(zip(cols, hists[row:row + 3], strict=False)):
            with col:
                canvas_chart(figs.histogram_chart(hist), key=f"pg_hist_chart_{row + i}")
    st.caption("Weights per layer now (blue) against their initial values (grey).")


# ---- compare runs -------------------------------------------------------------------------

def _toggle_compare() -> None:
    s = _s()
    s.pg_cmp_running = not s.get("pg_cmp_running", False)


def _reset_compare() -> None:
    s = _s()
    s.pg_cmp = None
    s.pg_cmp_running = False


def compare_panel() -> None:
    s = _s()
    exp: Experiment = s.pg_exp
    st.markdown("Train up to four copies of **the same network, from the same initial weights and the same "
                "batches**, changing one setting. Small, good and too-large learning rates side by side.")
    c1, c2 = st.columns([1, 3])
    vary = c1.radio("Vary", list(VARY), key=state.seed("pg_cmp_vary", "learning_rate"),
                    format_func=lambda v: VARY[v].capitalize())
    if vary == "learning_rate":
        values = c2.multiselect("Learning rates", list(LEARNING_RATES), key=state.seed("pg_cmp_lrs", list(COMPARE_LRS)),
                                max_selections=MAX_COMPARE,
                                format_func=lambda v: f"{v:g}", help="Up to four; the optimizer is the one in the sidebar.")
    else:
        values = c2.multiselect("Optimizers", optimizers.names(), key=state.seed("pg_cmp_opts", ["sgd", "momentum", "adam"]),
                                max_selections=MAX_COMPARE,
                                format_func=lambda n: optimizers.get(n).label or n,
                                help="Up to four, each with its default settings and the sidebar's learning rate.")
    values = sorted(values) if vary == "learning_rate" else list(values)
    if not values:
        st.info("Pick one to four values to compare.", icon=":material/info:")
        return
    key = comparison_key(exp, vary, values)
    cmp = s.get("pg_cmp")
    if cmp is None or cmp.key != key:
        with session_lock(CMP_LOCK):
            s.pg_cmp = cmp = compare(exp, vary, values)
    running = bool(s.get("pg_cmp_running"))
    b1, b2, b3 = st.columns([1, 1, 4], vertical_alignment="center")
    b1.button("Pause" if running else "Play", key="pg_cmp_play", type="primary", on_click=_toggle_compare,
              icon=":material/pause:" if running else ":material/play_arrow:", use_container_width=True)
    b2.button("Reset", key="pg_cmp_reset", icon=":material/restart_alt:", on_click=_reset_compare,
              use_container_width=True)
    b3.caption(f"Everything else as in the sidebar: {exp.describe()}. Speed: {state.value('pg_speed', DEFAULT_SPEED)} "
               "steps per second.")

    on_visibility = pause_while_hidden("pg_live_compare", CMP_HIDDEN_FLAG, _is_comparing, _set_comparing)

    @st.fragment(run_every=TICK_SECONDS if running else None)
    def live_compare() -> None:
        if bool(s.get("pg_cmp_running")) and not running:
            st.rerun(scope="app")  # resumed as the page is shown again
        with session_lock(CMP_LOCK):
            cmp: Comparison = s.pg_cmp
            now = time.monotonic()
            if s.get("pg_cmp_running"):
                elapsed = covered_seconds(s.get("pg_cmp_tick_at"), now, TICK_SECONDS)
                steps, n_frames, s.pg_cmp_carry = plan(state.value("pg_speed", DEFAULT_SPEED), elapsed,
                                                       s.get("pg_cmp_carry", 0.0))
                s.pg_cmp_tick_at = now
            else:
                steps, n_frames = 0, 1
                s.pg_cmp_tick_at = None
            with turn() as scale:
                steps, n_frames = scaled(steps, n_frames, scale, TICK_SECONDS)
                bases = [base_curves(run) for run in cmp.runs]
                batches = compare_frames(cmp.runs, steps, n_frames)
                s.pg_batch_id = batch = int(s.get("pg_batch_id", 0)) + 1
                blob = compare_payload(cmp.runs, batches, bases, batch=batch, running=steps > 0,
                                       tick_seconds=TICK_SECONDS)
            all_diverged = all(run.diverged is not None for run in cmp.runs)
        if all_diverged:
            s.pg_cmp_running = False
        live_view(blob, key="pg_live_compare", on_visibility=on_visibility)
        busy_note(scale if steps > 0 else 1.0)
        if running and not s.get("pg_cmp_running"):
            st.rerun(scope="app")  # paused, hidden or all diverged since scheduled: stop the ticks

    live_compare()


# ---- share and export ---------------------------------------------------------------------

def _locked(fn: Callable[[Run], Any]) -> Callable[[], Any]:
    """``fn(run)`` for a download button, made when the user clicks. The click is served outside
    the script run, where session state cannot be read: the run and its lock are taken now."""
    run, lock = _s().pg_run, _lock()

    def call() -> Any:
        with lock:
            return fn(run)
    return call


def share_panel() -> None:
    s = _s()
    exp: Experiment = s.pg_exp
    st.markdown("**Link to this experiment.** The address bar always holds the whole configuration; copy this "
                "link (button at the right of the box) and whoever opens it gets the same data, network and "
                "training settings.")
    st.code(share_url(exp), language=None, wrap_lines=True)
    if exp.points is not None:
        st.warning("This link holds the generator's settings, not **your own points**: a link cannot carry a "
                   "whole data set. Download your points as CSV (the **CSV** button above the "
                   "plot on the Train tab) and send the file with the link; whoever opens it uploads the file.",
                   icon=":material/link_off:")
    st.markdown("**Download the run.** Files are made when you click, from the model as it is then.")
    c1, c2, c3 = st.columns(3)
    c1.download_button("Configuration + history (JSON)", data=_locked(export_json), file_name="nnviz-playground.json",
                       mime="application/json", key="pg_dl_json", icon=":material/data_object:", on_click="ignore",
                       use_container_width=True)
    c2.download_button("History (CSV)", data=_locked(export_csv), file_name="nnviz-playground-history.csv",
                       mime="text/csv", key="pg_dl_csv", icon=":material/table:", on_click="ignore",
                       use_container_width=True)
    c3.download_button("Trained model (.npz)", data=_locked(model_bytes), file_name="nnviz-playground-model.npz",
                       mime="application/octet-stream", key="pg_dl_npz", icon=":material/download:",
                       on_click="ignore", use_container_width=True)
    st.caption("Load the model in Python with `nnviz.nn.network.Network.load(path)`.")
    st.markdown("**Take the code away.** A script that builds this network (same initialization scheme, loss, "
                "optimizer and settings), trains it on these points for as many steps as this run has taken "
                f"({code_export.DEFAULT_STEPS:,} at step 0) and prints its test accuracy.")
    why_not = code_export.why_not_torch(exp)
    c1, c2 = st.columns(2)
    c1.download_button("PyTorch script (.py)", data=_locked(code_export.pytorch_script) if why_not is None else "",
                       file_name="nnviz_playground_torch.py", mime="text/x-python", key="pg_dl_torch",
                       icon=":material/code:", on_click="ignore", use_container_width=True, disabled=why_not is not None,
                       help=(f"Not for this experiment: {why_not}." if why_not else
                             "Needs numpy and torch. Its own random initial weights and batches: it ends close to "
                             "this run, not equal."))
    why_not = code_export.why_not_script(exp)
    c2.download_button("NumPy script with nnviz (.py)", data=_locked(code_export.nnviz_script) if why_not is None else "",
                       file_name="nnviz_playground_numpy.py", mime="text/x-python", key="pg_dl_numpy",
                       icon=":material/code:", on_click="ignore", use_container_width=True, disabled=why_not is not None,
                       help=(f"Not for this experiment: {why_not}." if why_not else
                             "The nnviz engine, as this page uses it: the same seed, the same numbers. Run it "
                             "from nnviz's folder."))


# ---- the page -----------------------------------------------------------------------------

def render() -> None:
    """The playground page."""
    init_state()
    s = _s()
    st.title(":material/tune: Playground")
    st.caption("Train a small neural network on 2D data and watch every neuron learn, live. Controls are in "
               "the sidebar.")  # one line on a laptop: Play and the surface stay on one screen
    new = controls(s.pg_exp)
    if new is not None and new != s.pg_exp:
        set_experiment(new)
    sync_url(s.pg_exp)
    show_link_problems(s.get("pg_url_messages") or [])
    # Lazy tabs: a hidden tab runs nothing (its fragment, and so its ticks, pause with it).
    tab_train, tab_cmp, tab_share = st.tabs(list(PAGE_TABS), key=state.seed("pg_tab", next(iter(PAGE_TABS))),
                                            on_change=_tab_changed)
    if tab_train.open is not False:
        with tab_train:
            preset_note(s.pg_exp)
            toolbar()
            live_panel()
    if tab_cmp.open:
        with tab_cmp:
            compare_panel()
    if tab_share.open:
        with tab_share:
            share_panel()
    state.remember(REMEMBERED)
