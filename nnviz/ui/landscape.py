"""The loss-landscape page: widgets, layout and cached computations (keys prefixed ``ls_``).

The experiment itself (``Setup``, the data, the network, the runs, the planes and slices) lives in
``nnviz.labs.landscape``. The page's work is four pure computations of a frozen ``Setup`` (train
the runs; the PCA plane with the paths; random slices; interpolations). Each is cached with
``st.cache_data`` keyed by its arguments, and shows its own progress bar while it computes: the
bar is created inside the cached function and removed at its end, so a cache hit replays nothing
visible. Each runs as a heavy job of the server's queue (``nnviz.ui.jobs``): with other sessions'
grids running, the page says how many jobs are ahead.

The default view (the paths on the PCA plane), the random slices and the loss curves are canvas views
(``nnviz.ui.descent_map``, payloads from ``nnviz.figures.landscape``): a first visit loads no plotly.
Plotly draws only the views opened later that need it (3D, the honesty check, interpolations). Widgets are seeded with ``nnviz.ui.state.seed`` and remembered at the end of every run,
so the settings survive a page switch; ``ls_last_setup`` keeps the last valid setup, shown while
the widgets hold a bad value.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import streamlit as st

from nnviz.data import mnist_files, toy_sets
from nnviz.figures import landscape as figs
from nnviz.labs.landscape import link as ls_link
from nnviz.labs.landscape import paths, slices
from nnviz.labs.landscape import runs as landscape_runs
from nnviz.labs.landscape.grids import Grid, Line
from nnviz.labs.landscape.setup import (
    BATCH_SIZES,
    COMPARE_LEARNING_RATE,
    COMPARE_OPTIMIZERS,
    DIGIT_COUNTS,
    DIGITS,
    HIDDEN_DEFAULT,
    MAX_HIDDEN_LAYERS,
    MAX_PARAMETERS,
    MAX_RUNS,
    MAX_UNITS,
    N_SNAPSHOTS,
    RESOLUTIONS,
    SPANS,
    STEP_CHOICES,
    Setup,
    Task,
    ViewOptions,
    build_network,
    hidden_activations,
    load_task,
    parse_hidden,
    size_problem,
    task_kind,
    train_configs,
)
from nnviz.nn import optimizers
from nnviz.ui import first_paint, page_link, state
from nnviz.ui.common import LEARNING_RATES, message_slot, mnist_dataset
from nnviz.ui.descent_map import descent_curves, descent_map
from nnviz.ui.jobs import heavy

MODES: tuple[str, ...] = ("learning rates", "optimizers")
FITS: tuple[str, ...] = ("every run", "the centre run only")
SHAPES: tuple[str, ...] = ("Contour", "3D")
BEST = "best"

TABS: tuple[str, ...] = (
    ":material/route: Paths on the landscape", ":material/fact_check: Is the picture honest?",
    ":material/compare: Sharp or flat?", ":material/linear_scale: Initial to final",
    ":material/show_chart: Loss curves",
)

_SETUP, _VIEW = Setup(), ViewOptions()
#: Every widget's first value (``ls_hidden`` starts per kind of task, from ``HIDDEN_DEFAULT``).
DEFAULTS: dict[str, Any] = {
    "ls_task": _SETUP.task, "ls_n_digits": _SETUP.n_digits, "ls_points": _SETUP.n_points,
    "ls_noise": _SETUP.noise, "ls_activation": _SETUP.activation, "ls_mode": MODES[0],
    "ls_optimizer": _SETUP.runs[0][0], "ls_rates": [lr for _, lr in _SETUP.runs],
    "ls_optimizers": list(COMPARE_OPTIMIZERS), "ls_lr": COMPARE_LEARNING_RATE, "ls_steps": _SETUP.steps,
    "ls_batch": _SETUP.batch_size, "ls_seed": _SETUP.seed, "ls_resolution": _VIEW.resolution,
    "ls_span": _VIEW.span, "ls_log": _VIEW.log, "ls_reference": BEST, "ls_fit": FITS[0], "ls_shape": SHAPES[0], "ls_tab": TABS[0],
}
#: The widget values remembered across page switches.
KEYS: tuple[str, ...] = (*DEFAULTS, "ls_hidden")


def _seed(key: str) -> str:
    """``state.seed`` with this page's default for ``key`` (a fresh copy of a list)."""
    default = DEFAULTS[key]
    return state.seed(key, list(default) if isinstance(default, list) else default)


# ---- data ------------------------------------------------------------------------------------
@st.cache_resource(show_spinner=False, max_entries=1, ttl=60)  # the set mnist_dataset holds: no stale copy past a minute
def _mnist() -> mnist_files.Mnist | str:
    """The MNIST set (the digits page's copy: ``ui.common.mnist_dataset``), or why it is unavailable."""
    try:
        folder = mnist_files.default_mnist_folder()
        return mnist_dataset(str(folder)) if folder is not None else mnist_files.load_mnist()
    except (mnist_files.MnistUnavailable, OSError, ValueError) as exc:
        return str(exc)


def mnist_problem() -> str | None:
    """None when the digits task can run, else the message saying where to put the files."""
    found = _mnist()
    return found if isinstance(found, str) else None


@st.cache_data(show_spinner=False, max_entries=16, max_size="32MB", ttl="2h")  # 2,000 digits: 6.3 MB
def _load_task(task: str, n_points: int, noise: float, n_digits: int, seed: int) -> Task:
    """``load_task``, cached; the digits come from the MNIST set shared by every session."""
    mnist = None
    if task == DIGITS:
        mnist = _mnist()
        if isinstance(mnist, str):
            raise ValueError(mnist)
    return load_task(task, n_points, noise, n_digits, seed, mnist)


def _task(setup: Setup) -> Task:
    """The setup's training data (cached)."""
    return _load_task(setup.task, setup.n_points, setup.noise, setup.n_digits, setup.seed)


# ---- cached computations (each shows its own progress bar) -------------------------------------
def _bar(text: str) -> tuple[Callable[[int, int], None], Callable[[], None]]:
    """A progress bar -> (report(done, total), remove)."""
    bar = st.progress(0.0, text=text)
    last = [-1.0]

    def report(done: int, total: int) -> None:
        frac = min(max(done / max(total, 1), 0.0), 1.0)
        if frac - last[0] >= 0.04 or frac >= 1.0:  # a few dozen updates at most
            last[0] = frac
            bar.progress(frac, text=f"{text} {100 * frac:.0f}%")

    return report, bar.empty


@st.cache_data(show_spinner=False, max_entries=6, max_size="128MB", ttl="2h")  # the digits default: 21 MB of snapshots
def train_runs(setup: Setup) -> list[landscape_runs.TrainingRun]:
    """Every run from the same initial weights and mini-batch order, with snapshots."""
    task = _task(setup)
    net = build_network(setup, task)
    with heavy():
        report, done = _bar(f"Training {len(setup.runs)} runs of {setup.steps} steps...")
        runs = landscape_runs.compare_runs(net, train_configs(setup, task), task.X, task.y, setup.steps,
                                           N_SNAPSHOTS, labels=setup.labels, progress=report)
        done()
    return runs


@st.cache_data(show_spinner=False, max_entries=12, max_size="16MB", ttl="2h")
def plane_view(setup: Setup, reference: int | None, resolution: int, own_path: bool = False
               ) -> paths.PathLandscape:
    """The PCA plane fitted to every non-diverged run (or, with ``own_path``, to the centre run's path
    alone) through the centre run's final weights."""
    task = _task(setup)
    runs = train_runs(setup)
    fit = paths.centre_fit(runs, reference) if own_path else None
    with heavy():
        report, done = _bar(f"Loss on the PCA plane ({resolution} x {resolution} grid)...")
        result = paths.path_landscape(build_network(setup, task), task.loss, task.X, task.y, runs, reference,
                                      resolution, fit=fit, progress=report)
        done()
    return result


@st.cache_data(show_spinner=False, max_entries=12, max_size="4MB", ttl="2h")
def slice_views(setup: Setup, resolution: int, span: float, seed: int = 1) -> list[Grid]:
    """A random slice around each run's final weights (``slices.random_slices``)."""
    task = _task(setup)
    runs = train_runs(setup)
    with heavy():
        report, done = _bar(f"Random slices around {len(runs)} minima ({resolution} x {resolution} each)...")
        result = slices.random_slices(build_network(setup, task), task.loss, task.X, task.y, runs, seed, span,
                                      resolution, progress=report)
        done()
    return result


@st.cache_data(show_spinner=False, max_entries=12)
def interpolation_views(setup: Setup, resolution: int = 41) -> list[Line]:
    """Each run's initial-to-final line (``slices.interpolations``)."""
    task = _task(setup)
    runs = train_runs(setup)
    with heavy():
        report, done = _bar("Interpolating from initial to final weights...")
        result = slices.interpolations(build_network(setup, task), task.loss, task.X, task.y, runs, resolution,
                                       progress=report)
        done()
    return result


# Figures and canvas payloads are shared read-only objects (st.plotly_chart serializes a figure without
# changing it; a payload is bytes), keyed on what identifies their data (``key``: the arguments of the
# cached computation that gave it) and the colour scale (``log`` and the page's one range, ``scale``);
# the data itself is passed along unhashed. A second visitor builds nothing.
@st.cache_resource(show_spinner=False, max_entries=48)
def _figure(kind: str, key: tuple, log: bool, scale: tuple[float, float] | None, _data: Any) -> Any:
    if kind == "paths":
        return figs.path_map_payload(_data, log, zrange=scale)
    if kind == "surface":
        return figs.path_surface(_data, log, zrange=scale)
    if kind == "honesty":
        return figs.path_honesty(_data, log)
    if kind == "curves":
        return figs.curves_payload(_data, log)
    grids, labels, diverged = _data
    if kind == "slices":
        return figs.slice_payloads(grids, labels, diverged, log, zrange=scale)
    if kind == "interpolation":
        return figs.interpolation(grids, labels, diverged, log)
    raise ValueError(f"unknown figure {kind!r}")


# ---- the link --------------------------------------------------------------------------------
#: Link names (``ls_link.FIELDS``) -> widget keys.
LINK_KEYS: dict[str, str] = {
    "task": "ls_task", "points": "ls_points", "noise": "ls_noise", "digits": "ls_n_digits", "hidden": "ls_hidden",
    "act": "ls_activation", "mode": "ls_mode", "opt": "ls_optimizer", "rates": "ls_rates", "opts": "ls_optimizers",
    "lr": "ls_lr", "steps": "ls_steps", "batch": "ls_batch", "seed": "ls_seed", "res": "ls_resolution",
    "span": "ls_span", "log": "ls_log", "centre": "ls_reference", "fit": "ls_fit", "shape": "ls_shape", "tab": "ls_tab",
}
#: Link names whose widget shows another word for the same choice: link value <-> widget value.
_WORDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "mode": (ls_link.MODES, MODES), "fit": (ls_link.FITS, FITS), "shape": (ls_link.SHAPES, SHAPES),
    "tab": (ls_link.TABS, TABS),
}


def _run_labels(values: dict[str, Any]) -> list[str]:
    """The labels of the runs the settings compare (what "Centre on" offers), [] for no valid pick."""
    runs = ls_link.runs_of(values)
    try:
        return Setup(runs=runs).labels if runs else []
    except ValueError:
        return []


def link_values() -> dict[str, Any]:
    """The page's settings as ``ls_link.FIELDS`` names them (what the address bar and the copy block hold):
    the widgets' values; hidden layers that do not parse are the shown setup's."""
    out: dict[str, Any] = {}
    for name, key in LINK_KEYS.items():
        value = state.value(key, DEFAULTS.get(key))
        if name in _WORDS:
            words, shown = _WORDS[name]
            value = words[shown.index(value)] if value in shown else ls_link.DEFAULTS[name]
        out[name] = value
    out["rates"], out["opts"] = list(out["rates"] or []), list(out["opts"] or [])
    last: Setup = st.session_state.get("ls_last_setup", Setup())
    try:
        out["hidden"] = parse_hidden(state.value("ls_hidden", HIDDEN_DEFAULT[task_kind(out["task"])]))
    except ValueError:
        out["hidden"] = last.hidden
    labels = _run_labels(out)
    ref = out["centre"]
    out["centre"] = labels.index(ref) + 1 if ref in labels else ls_link.BEST
    out["points"], out["seed"] = int(out["points"]), int(out["seed"])
    return out


def apply_link(link: dict[str, Any]) -> None:
    """Set the widgets from a decoded link (``page_link.arrive``), checked in the lab against itself, the
    current settings and the tasks this server can load; what it refuses joins the link's warning."""
    problem = mnist_problem()
    tasks = toy_sets.names() + ([] if problem else [DIGITS])
    out, messages = ls_link.resolve(link, link_values(), tasks, unavailable="the MNIST files are not on this server")
    page_link.add_problems("landscape", messages)
    s = st.session_state
    for name, key in LINK_KEYS.items():
        value = out[name]
        if name in _WORDS:
            words, shown = _WORDS[name]
            value = shown[words.index(value)]
        s[key] = list(value) if isinstance(value, list) else value
    s["ls_hidden"] = ", ".join(map(str, out["hidden"]))
    s["ls_hidden_kind"] = task_kind(out["task"])  # the page would reset the sizes for a new kind of task
    labels = _run_labels(out)
    s["ls_reference"] = labels[out["centre"] - 1] if out["centre"] != ls_link.BEST else BEST


def share_controls() -> None:
    """The link to this experiment, to copy (an expander below the settings)."""
    page_link.share_expander("landscape", ls_link.FIELDS, link_values(), what="this landscape",
                             label="Share this experiment",
                             caption="The link holds the task, the network, the runs compared and the view; opening "
                                     "it trains the same runs from the same seed and shows the same landscape.")


def _drawn(query: str, key: str, draw: Callable[[], Any], shown: bool = True) -> Any:
    """``draw()`` the widget ``key`` unless a lesson's link hides it (``hide=<query>``) or it is not
    ``shown`` this run (a first visit's rest): then its value stays and still applies."""
    _seed(key)
    return draw() if shown and not page_link.hidden(query) else st.session_state[key]


# ---- widgets ---------------------------------------------------------------------------------
def _keep(setup: Setup) -> Setup:
    """Store ``setup`` as the last valid one."""
    st.session_state["ls_last_setup"] = setup
    return setup


def controls() -> tuple[Setup, list[str]]:
    """The setup widgets with their explanations -> (setup, problems). On bad input the problems
    say what is wrong and the last good setup is returned, so the page keeps showing it."""
    problems: list[str] = []
    held = False  # a problem said beside its control: the last valid setup stays
    last: Setup = st.session_state.get("ls_last_setup", Setup())
    digits_problem = mnist_problem()
    tasks = toy_sets.names() + ([] if digits_problem else [DIGITS])

    st.subheader(":material/dataset: Task")
    _seed("ls_task")
    if st.session_state["ls_task"] not in tasks:  # e.g. digits remembered, MNIST gone since
        st.session_state["ls_task"] = DEFAULTS["ls_task"] if DEFAULTS["ls_task"] in tasks else tasks[0]
    task = _drawn("task", "ls_task", lambda: st.selectbox(
        "Data", tasks, key="ls_task", format_func=lambda t: "digits (MNIST subset)" if t == DIGITS else t,
        help="A 2D toy set, or a small subset of MNIST digits. The landscape is the loss on this training data.",
    ))
    if digits_problem:
        st.caption(f":material/info: The digits task is disabled: {mnist_files.WHERE_TO_PUT_MNIST}.",
                   help=digits_problem)
    if task == DIGITS:
        n_digits = _drawn("digits", "ls_n_digits", lambda: st.select_slider(
            "Training images", DIGIT_COUNTS, key="ls_n_digits",
            help="The first n MNIST training images; every grid point is a pass over all."))
        n_points, noise = last.n_points, last.noise
    else:
        n_points = _drawn("points", "ls_points", lambda: st.slider(
            "Points", 100, 1000, step=50, key="ls_points",
            help="How many training points; the loss at every grid point is measured on all."))
        noise = _drawn("noise", "ls_noise", lambda: st.slider(
            "Noise", 0.0, 3.0, step=0.25, key="ls_noise", help="Jitter added to the points: more noise, a harder task."))
        n_digits = last.n_digits

    st.subheader(":material/hub: Network")
    kind = task_kind(task)
    if st.session_state.get("ls_hidden_kind") != kind:  # another kind of task: its own default sizes
        st.session_state["ls_hidden"] = HIDDEN_DEFAULT[kind]
        st.session_state["ls_hidden_kind"] = kind
    state.seed("ls_hidden", HIDDEN_DEFAULT[kind])
    hidden_text = st.session_state["ls_hidden"] if page_link.hidden("hidden") else st.text_input(
                                "Hidden layers", key="ls_hidden", help="Units per hidden layer, comma separated: '16, 16' is 2-16-16-2 on a toy set. "
                                     f"Up to {MAX_HIDDEN_LAYERS} layers of 1 to {MAX_UNITS:,} units, at most "
                                     f"{MAX_PARAMETERS:,} parameters in all: every run keeps its weights at "
                                     f"{N_SNAPSHOTS + 1} points of its path, on the server.")
    try:
        hidden = parse_hidden(hidden_text)
    except ValueError as exc:
        problems.append(str(exc))
        hidden = last.hidden
    else:
        too_large = size_problem(task, hidden)
        if too_large:  # beside the box, whose text stays to fix
            st.error(f"{too_large} Still showing the last valid setup.", icon=":material/error:")
            hidden, held = last.hidden, True
    activation = _drawn("act", "ls_activation", lambda: st.selectbox(
        "Activation", hidden_activations(), key="ls_activation",
        help="The hidden layers' nonlinearity. The output is softmax (classes) or linear."))

    # A first visit's paint ends here in this column: the runs' settings and the view's (below the
    # fold) come in its second run (nnviz/ui/first_paint.py); until then their values still apply.
    shown = first_paint.rest_is_due("landscape", "the runs' and the view's settings")
    if shown:
        st.subheader(":material/speed: Runs to compare")
    mode = _drawn("mode", "ls_mode", lambda: st.radio(
        "Compare", MODES, horizontal=True, key="ls_mode",
        help="Every run starts from the same initial weights and sees the same mini-batches."), shown)
    rates = list(LEARNING_RATES)
    if mode == MODES[0]:
        opt = _drawn("opt", "ls_optimizer", lambda: st.selectbox(
            "Optimizer", optimizers.names(), key="ls_optimizer", format_func=lambda n: optimizers.get(n).label),
            shown)
        chosen = _drawn("rates", "ls_rates", lambda: pick_runs(
            "Learning rates", rates, "ls_rates", lambda v: f"{v:g}", "learning rates",
            help="Too small crawls, too large jumps out of the valley or diverges."), shown)
        runs = tuple((opt, float(lr)) for lr in sorted(chosen or ()))
    else:
        chosen = _drawn("opts", "ls_optimizers", lambda: pick_runs(
            "Optimizers", optimizers.names(), "ls_optimizers", lambda n: optimizers.get(n).label,
            "optimizers", help="Each trains from the same start with the learning rate below."), shown)
        lr = _drawn("lr", "ls_lr", lambda: st.select_slider(
            "Learning rate", rates, key="ls_lr", format_func=lambda v: f"{v:g}",
            help="The same step size for every optimizer."), shown)
        runs = tuple((o, float(lr)) for o in chosen or ())
    if not runs:  # the pick is said to be wrong beside it (pick_runs): the last valid setup stays
        held, runs = True, last.runs
    c1, c2 = st.columns(2) if shown else (st, st)  # (not drawn into unless shown)
    steps = _drawn("steps", "ls_steps", lambda: c1.select_slider(
        "Steps", STEP_CHOICES, key="ls_steps",
        help=f"Mini-batch steps per run; the initial weights and {N_SNAPSHOTS} snapshots along the run are kept."),
        shown)
    batch = _drawn("batch", "ls_batch", lambda: c2.select_slider("Batch size", BATCH_SIZES, key="ls_batch"), shown)
    seed = _drawn("seed", "ls_seed", lambda: st.number_input(
        "Seed", 0, 10_000, key="ls_seed", help="Decides the data, the initial weights and the mini-batch order."),
        shown)
    try:
        setup = Setup(task=task, n_points=int(n_points), noise=float(noise), n_digits=int(n_digits), hidden=hidden,
                      activation=activation, runs=runs, batch_size=int(batch), steps=int(steps), seed=int(seed))
    except ValueError as exc:
        if not held:  # (one held back may be the cause: e.g. the last valid hidden layers on other data)
            problems.append(str(exc))
        setup = last
    if problems or held:
        return last, problems
    return _keep(setup), problems


def pick_runs(label: str, options: list, key: str, format_func: Callable[[Any], str], what: str,
              help: str) -> list | None:
    """Pills for the runs to compare, wrapping onto more rows (every chosen value stays readable, on a phone
    too: a multiselect cut its chips short and hid the fourth; pills placed directly in a column otherwise
    stay on one row that scrolls sideways) -> the chosen values, or None with a message beside them when
    none or more than ``MAX_RUNS`` are chosen (pills have no ``max_selections``)."""
    chosen = st.pills(f"{label} (up to {MAX_RUNS})", options, selection_mode="multi", key=_seed(key), wrap=True,
                      format_func=format_func, help=help)
    if not chosen:
        st.error(f"Pick at least one of the {what}. Still showing the last valid setup.", icon=":material/error:")
        return None
    if len(chosen) > MAX_RUNS:
        st.error(f"Up to {MAX_RUNS} {what} at a time: {len(chosen)} are picked, unpick {len(chosen) - MAX_RUNS}. "
                 "Still showing the last valid setup.", icon=":material/error:")
        return None
    return list(chosen)


def view_controls() -> ViewOptions:
    """Grid resolution, slice span and colour scale (drawn with the rest of a first visit)."""
    shown = first_paint.is_whole("landscape")
    if shown:
        st.subheader(":material/grid_on: Landscape")
    resolution = _drawn("res", "ls_resolution", lambda: st.select_slider(
        "Grid resolution", RESOLUTIONS, key="ls_resolution",
        help="Points per side of each 2D grid; every point is a full pass over the data. 21 answers in "
             "about a second; 41 is sharper and about four times slower.",
    ), shown)
    span = _drawn("span", "ls_span", lambda: st.select_slider(
        "Random slice span", SPANS, key="ls_span",
        help="How far the random slices reach, in units of each filter's own norm (1: as far as the weights are long)."),
        shown)
    log = _drawn("log", "ls_log", lambda: st.toggle(
        "Log colour scale", key="ls_log", help="Losses span decades; a log scale shows the basin and the walls together."),
        shown)
    return ViewOptions(resolution=int(resolution), span=float(span), log=bool(log))


def plane_controls(labels: list[str]) -> tuple[int | None, bool, bool]:
    """(centre run index or None for the best, fit the plane to the centre run only, 3D)."""
    c1, c2, c3 = st.columns([1.3, 1.3, 1])
    options = [BEST, *labels]
    _seed("ls_reference")
    if st.session_state["ls_reference"] not in options:  # the runs changed: back to the default
        st.session_state["ls_reference"] = BEST
    c1.selectbox("Centre on", options, key="ls_reference",
                 format_func=lambda v: "the best run (lowest final loss)" if v == BEST else v,
                 help="The plane passes through this run's final weights.")
    c2.selectbox("Fit the plane to", FITS, key=_seed("ls_fit"),
                 help="Every run: the plane that shows as much of all paths as a plane can. The centre "
                      "run only: its own path in most detail (the others may leave the picture).")
    c3.segmented_control("Show as", SHAPES, key=_seed("ls_shape"))
    return plane_choice(labels)


def plane_choice(labels: list[str]) -> tuple[int | None, bool, bool]:
    """What ``plane_controls`` chose, read whether or not its widgets are drawn this run (the other
    tabs use the plane chosen on the first)."""
    ref = state.value("ls_reference", BEST)
    fit = state.value("ls_fit", DEFAULTS["ls_fit"])
    shape = state.value("ls_shape", DEFAULTS["ls_shape"])
    return (labels.index(ref) if ref in labels else None), fit == FITS[1], shape == SHAPES[1]


def show_divergence(runs: list[landscape_runs.TrainingRun]) -> None:
    """A warning per diverged run: where and why."""
    slot = message_slot()  # the tabs below keep their place as runs diverge and stop diverging
    for run in runs:
        if run.diverged is not None:
            slot.warning(f"**{run.label} diverged at step {run.diverged}**: {run.diverged_reason}. Its path stops "
                         "there, and it is left out of the PCA plane's fit.", icon=":material/warning:")


# ---- the page --------------------------------------------------------------------------------
def _metrics(runs: list[landscape_runs.TrainingRun]) -> None:
    """Each run's final loss, and its accuracy for classification."""
    for col, run in zip(st.columns(len(runs)), runs, strict=True):
        acc = run.accuracy[-1]
        col.metric(f"{run.label}: final loss", f"{run.loss[-1]:.3g}",
                   None if math.isnan(acc) else f"accuracy {acc:.0%}", delta_color="off", delta_arrow="off",
                   help="On the training data, at the last snapshot (where it diverged, for a diverged run).")


def _scale_note(scale: tuple[float, float], log: bool) -> str:
    """What the page's one colour scale (``figs.loss_scale``) means, in losses."""
    low, high = (10.0**v if log else v for v in scale)
    return (f"**Colours** are one scale on every map of this page (the paths, their 3D view and the random "
            f"slices): darkest at a loss of {low:.3g} and below, just under the lowest any run reached; lightest at {high:.3g}, the "
            "loss at the runs' shared start, and above.")


def _plane_tab(setup: Setup, view: ViewOptions, scale: tuple[float, float]) -> paths.PathLandscape | None:
    """The paths on the PCA plane (contour or 3D) on the page's colour scale, and how the plane was chosen;
    None if there is none."""
    reference, own_path, surface = plane_controls(setup.labels)
    plane = _plane(setup, view, reference, own_path)
    if plane is None:
        return None
    key = (setup, reference, view.resolution, own_path)
    if surface:
        st.plotly_chart(_figure("surface", key, view.log, scale, plane), key="ls_surface_chart")
    else:
        descent_map(_figure("paths", key, view.log, scale, plane), key="ls_paths_map")
    ref = plane.paths[plane.reference].label
    fitted = "the snapshots of *every* run that did not diverge" if not own_path else f"the snapshots of {ref} alone"
    st.caption(
        f"**How this plane is chosen.** It passes through the final weights of **{ref}** and is spanned by "
        f"the top two principal components of {fitted}, measured from those final weights (Li et al. "
        f"2018): {100 * plane.plane.explained.sum():.1f}% of that movement lies in the plane (the axis "
        "titles split it up). Runs' final weights other than the centre's generally lie *off* the plane: "
        "their stars sit where they project to, and the colours there are the plane's loss, not theirs. "
        "The next tab shows how big that gap is. Axis units are distances in weight space; all runs start "
        "at the same circle. **Play** replays the runs snapshot by snapshot; hover a point for its real loss, "
        "the plane's loss there and its distance from the plane. " + _scale_note(scale, view.log)
    )
    return plane


def _plane(setup: Setup, view: ViewOptions, reference: int | None, own_path: bool) -> paths.PathLandscape | None:
    """The PCA plane (cached), or None with a warning saying why there is none."""
    try:
        return plane_view(setup, reference, view.resolution, own_path)
    except ValueError as exc:  # e.g. no run moved: there is no plane to fit
        st.warning(f"No plane to show: {exc}", icon=":material/warning:")
        return None


def _honesty_tab(setup: Setup, view: ViewOptions) -> None:
    """The real loss beside the plane's loss at each snapshot, and the distance from the plane."""
    reference, own_path, _ = plane_choice(setup.labels)
    plane = _plane(setup, view, reference, own_path)
    if plane is None:
        return
    st.plotly_chart(_figure("honesty", (setup, reference, view.resolution, own_path), view.log, None, plane),
                    key="ls_honesty_chart")
    st.caption(
        "Solid: the real loss at each snapshot of the weights. Dashed: the loss at that snapshot's "
        "projection onto the plane, the value the contour shows under the path. Where the two agree and "
        "the distance below is small, the 2D picture is faithful; where they part, the run is moving in "
        "directions the plane cannot show, and its path on the contour is a shadow, not the real route."
    )


def _slices_tab(setup: Setup, view: ViewOptions, runs: list[landscape_runs.TrainingRun],
                scale: tuple[float, float]) -> None:
    """Random filter-normalized slices around each run's final weights, on the page's colour scale."""
    grids = slice_views(setup, view.resolution, view.span)
    data = (grids, setup.labels, [r.diverged for r in runs])
    blobs = _figure("slices", (setup, view.resolution, view.span), view.log, scale, data)
    for row in range(0, len(blobs), 2):  # two per row: each panel stays large enough to read
        cols = st.columns(2)
        for i, blob in enumerate(blobs[row:row + 2]):
            with cols[i]:
                descent_map(blob, key=f"ls_slice_map_{row + i}")
    st.caption(
        "A random 2D slice around each run's final weights (the star). The two "
        "directions are the same random draw for every run, **filter-normalized** (Li et al. 2018): each "
        "neuron's incoming weights in the direction are scaled to the length of that neuron's weights, and "
        "biases are left alone. Without that, a network with larger weights would look flatter merely "
        "because a step of the same size means less to it. A wide dark basin is a flat minimum, a narrow "
        f"one a sharp minimum. Span ±{view.span:g} filter norms. " + _scale_note(scale, view.log)
    )


def _line_tab(setup: Setup, view: ViewOptions, runs: list[landscape_runs.TrainingRun]) -> None:
    """The loss along each run's straight line from its initial to its final weights."""
    lines = interpolation_views(setup)
    data = (lines, setup.labels, [r.diverged for r in runs])
    st.plotly_chart(_figure("interpolation", (setup,), view.log, None, data), key="ls_interp_chart")
    st.caption(
        "The loss along the straight line from each run's initial weights (α = 0, the same for every run) "
        "to its final weights (α = 1), a little beyond at both ends (Goodfellow et al. 2015). A smooth "
        "downhill line means the run could have walked straight; a bump means it went around a barrier."
    )


def _curves_tab(setup: Setup, view: ViewOptions, runs: list[landscape_runs.TrainingRun]) -> None:
    """Every run's mini-batch and training-set loss over the steps."""
    descent_curves(_figure("curves", (setup,), view.log, None, runs), key="ls_curves_canvas")
    st.caption(
        "Faint: the mini-batch loss at every step (noisy: each step sees another batch). Bold: the loss on "
        "the whole training set at the snapshots the landscape views use (hover a point for its value). A "
        "red cross marks where a run diverged."
    )


def _page() -> None:
    """Intro; the setup column; the runs' metrics and the five views in tabs. The intro's formula is
    plain text, not LaTeX: KaTeX is a 265 kB script that a first visit would load for this one line."""
    st.title(":material/map: Loss landscape")
    st.markdown(
        "A network has thousands of weights, so its loss is a surface over thousands of dimensions. We can only "
        "look at **slices**: the loss at *θ* + *a d*₁ + *b d*₂ for the weights *θ* and two "
        "directions *d*₁, *d*₂. Here one network is trained with up to four learning rates (or optimizers), "
        "**from the same initial weights on the same mini-batches**, and the slices show where each run went."
    )

    page_link.problems("landscape", ls_link.FIELDS, link_values())
    left, right = st.columns([1, 3], gap="large")
    with left:
        messages = st.container()
        setup, problems = controls()
        view = view_controls()
        if first_paint.is_whole("landscape"):
            share_controls()
        for problem in problems:
            messages.error(f"{problem}. Still showing the last valid setup.", icon=":material/error:")

    with right:
        try:
            runs = train_runs(setup)
        except ValueError as exc:  # data or settings the engine refuses: say why, keep the widgets
            st.error(f"Could not train: {exc}", icon=":material/error:")
            return
        show_divergence(runs)
        _metrics(runs)
        # Stateful tabs: only the open one is computed and drawn (slices and interpolations cost a
        # pass over the data per grid point; five charts at once kept the browser busy for seconds).
        tabs = st.tabs(list(TABS), key=_seed("ls_tab"), on_change="rerun")
        scale = figs.loss_scale(runs, view.log)  # one colour scale for every map, whichever tab is open
        sections = (lambda: _plane_tab(setup, view, scale), lambda: _honesty_tab(setup, view),
                    lambda: _slices_tab(setup, view, runs, scale), lambda: _line_tab(setup, view, runs),
                    lambda: _curves_tab(setup, view, runs))
        for tab, section in zip(tabs, sections, strict=True):
            if tab.open:
                with tab:
                    section()


def render() -> None:
    """The loss-landscape page; its widget values are remembered however the run ends."""
    link = page_link.arrive("landscape", ls_link.FIELDS)
    if link:
        apply_link(link)
    try:
        _page()
    finally:
        page_link.sync(ls_link.FIELDS, link_values())
        state.remember(KEYS)
