"""Widgets, setup and cached computations for the loss-landscape page (keys prefixed ``ls_``).

The page's work is four pure computations of a frozen ``Setup`` (train the runs; the PCA plane
with the paths; random slices; interpolations). Each is cached with ``st.cache_data`` keyed by
its arguments, and shows its own progress bar while it computes: the bar is created inside the
cached function and removed at its end, so a cache hit replays nothing visible.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from nnviz.data import datasets
from nnviz.labs.landscape import paths, slices
from nnviz.labs.landscape import runs as landscape_runs
from nnviz.labs.landscape import setup as setup_lab
from nnviz.labs.landscape.grids import Grid, Line
from nnviz.labs.landscape.setup import (
    BATCH_SIZES,
    COMPARE_LEARNING_RATE,
    COMPARE_OPTIMIZERS,
    DIGIT_COUNTS,
    DIGITS,
    HIDDEN_DEFAULT,
    MAX_RUNS,
    N_SNAPSHOTS,
    RESOLUTIONS,
    SPANS,
    STEP_CHOICES,
    Setup,
    Task,
    ViewOptions,
    build_network,
    parse_hidden,
    train_configs,
)
from nnviz.nn import optimizers
from nnviz.ui.common import LEARNING_RATES


# ---- data ------------------------------------------------------------------------------------
@st.cache_resource(show_spinner=False)
def _mnist() -> datasets.Mnist | str:
    """The MNIST set (read-only arrays, shared by every session), or why it is unavailable."""
    try:
        return datasets.load_mnist()
    except (datasets.MnistUnavailable, OSError, ValueError) as exc:
        return str(exc)


def mnist_problem() -> str | None:
    """None when the digits task can run, else the message saying where to put the files."""
    found = _mnist()
    return found if isinstance(found, str) else None


@st.cache_data(show_spinner=False, max_entries=16)
def load_task(task: str, n_points: int, noise: float, n_digits: int, seed: int) -> Task:
    """``setup.load_task``, cached; the digits come from the MNIST set shared by every session."""
    mnist = None
    if task == DIGITS:
        mnist = _mnist()
        if isinstance(mnist, str):
            raise ValueError(mnist)
    return setup_lab.load_task(task, n_points, noise, n_digits, seed, mnist)


# ---- cached computations (each shows its own progress bar) -------------------------------------
def _bar(text: str) -> tuple[Callable[[int, int], None], Callable[[], None]]:
    bar = st.progress(0.0, text=text)
    last = [-1.0]

    def report(done: int, total: int) -> None:
        frac = min(max(done / max(total, 1), 0.0), 1.0)
        if frac - last[0] >= 0.04 or frac >= 1.0:  # a few dozen updates at most
            last[0] = frac
            bar.progress(frac, text=f"{text} {100 * frac:.0f}%")

    return report, bar.empty


def _task(setup: Setup) -> Task:
    return load_task(setup.task, setup.n_points, setup.noise, setup.n_digits, setup.seed)


@st.cache_data(show_spinner=False, max_entries=6)  # digits runs hold ~25 MB of snapshots each
def train_runs(setup: Setup) -> list[landscape_runs.TrainingRun]:
    """Every run from the same initial weights and mini-batch order, with snapshots."""
    task = _task(setup)
    net = build_network(setup, task)
    report, done = _bar(f"Training {len(setup.runs)} runs of {setup.steps} steps...")
    runs = landscape_runs.compare_runs(net, train_configs(setup, task), task.X, task.y, setup.steps, N_SNAPSHOTS,
                                  labels=setup.labels, progress=report)
    done()
    return runs


@st.cache_data(show_spinner=False, max_entries=12)
def plane_view(setup: Setup, reference: int | None, resolution: int, own_path: bool = False
               ) -> paths.PathLandscape:
    """The PCA plane fitted to every non-diverged run (or, with ``own_path``, to the centre run's path
    alone) through the centre run's final weights."""
    task = _task(setup)
    runs = train_runs(setup)
    fit = paths.centre_fit(runs, reference) if own_path else None
    report, done = _bar(f"Loss on the PCA plane ({resolution} x {resolution} grid)...")
    result = paths.path_landscape(build_network(setup, task), task.loss, task.X, task.y, runs, reference,
                                      resolution, fit=fit, progress=report)
    done()
    return result


@st.cache_data(show_spinner=False, max_entries=12)
def slice_views(setup: Setup, resolution: int, span: float, seed: int = 1) -> list[Grid]:
    task = _task(setup)
    runs = train_runs(setup)
    report, done = _bar(f"Random slices around {len(runs)} minima ({resolution} x {resolution} each)...")
    result = slices.random_slices(build_network(setup, task), task.loss, task.X, task.y, runs, seed, span,
                                     resolution, progress=report)
    done()
    return result


@st.cache_data(show_spinner=False, max_entries=12)
def interpolation_views(setup: Setup, resolution: int = 41) -> list[Line]:
    task = _task(setup)
    runs = train_runs(setup)
    report, done = _bar("Interpolating from initial to final weights...")
    result = slices.interpolations(build_network(setup, task), task.loss, task.X, task.y, runs, resolution,
                                      progress=report)
    done()
    return result


# ---- widgets ---------------------------------------------------------------------------------
def _remember(setup: Setup) -> Setup:
    st.session_state["ls_last_setup"] = setup
    return setup


def controls() -> tuple[Setup, list[str]]:
    """The setup widgets with their explanations -> (setup, problems). On bad input the problems
    say what is wrong and the last good setup is returned, so the page keeps showing it."""
    problems: list[str] = []
    last: Setup = st.session_state.get("ls_last_setup", Setup())
    digits_problem = mnist_problem()
    tasks = datasets.names() + ([] if digits_problem else [DIGITS])

    st.subheader(":material/dataset: Task")
    task = st.selectbox(
        "Data", tasks, index=tasks.index("moons") if "moons" in tasks else 0, key="ls_task",
        format_func=lambda t: "digits (MNIST subset)" if t == DIGITS else t,
        help="A 2D toy set, or a small subset of MNIST digits. The landscape is the loss on this training data.",
    )
    if digits_problem:
        st.caption(f":material/info: The digits task is disabled: {digits_problem}")
    if task == DIGITS:
        n_digits = st.select_slider("Training images", DIGIT_COUNTS, value=1000, key="ls_n_digits",
                                    help="The first n MNIST training images; every grid point is a pass over all.")
        n_points, noise = last.n_points, last.noise
    else:
        n_points = st.slider("Points", 100, 1000, 300, step=50, key="ls_points",
                             help="How many training points; the loss at every grid point is measured on all.")
        noise = st.slider("Noise", 0.0, 3.0, 1.0, step=0.25, key="ls_noise",
                          help="Jitter added to the points: more noise, a harder task.")
        n_digits = last.n_digits

    st.subheader(":material/hub: Network")
    kind = setup_lab.task_kind(task)
    # A sensible default per kind of task (also after a page switch dropped the widget's state).
    if st.session_state.get("ls_hidden_kind") != kind or "ls_hidden" not in st.session_state:
        st.session_state["ls_hidden"] = HIDDEN_DEFAULT[kind]
        st.session_state["ls_hidden_kind"] = kind
    hidden_text = st.text_input("Hidden layers", key="ls_hidden",
                                help="Units per hidden layer, comma separated: '16, 16' is 2-16-16-2 on a toy set.")
    try:
        hidden = parse_hidden(hidden_text)
    except ValueError as exc:
        problems.append(str(exc))
        hidden = last.hidden
    acts = setup_lab.hidden_activations()
    activation = st.selectbox("Activation", acts, index=acts.index("tanh"), key="ls_activation",
                              help="The hidden layers' nonlinearity. The output is softmax (classes) or linear.")

    st.subheader(":material/speed: Runs to compare")
    mode = st.radio("Compare", ["learning rates", "optimizers"], horizontal=True, key="ls_mode",
                    help="Every run starts from the same initial weights and sees the same mini-batches.")
    rates = list(LEARNING_RATES)
    if mode == "learning rates":
        opt = st.selectbox("Optimizer", optimizers.names(), key="ls_optimizer",
                           format_func=lambda n: optimizers.get(n).label)
        chosen = st.multiselect("Learning rates (up to 4)", rates, default=[0.1, 0.3, 1.0, 30.0],
                                max_selections=MAX_RUNS, key="ls_rates", format_func=lambda v: f"{v:g}",
                                help="Too small crawls, too large jumps out of the valley or diverges.")
        runs = tuple((opt, float(lr)) for lr in sorted(chosen))
    else:
        chosen = st.multiselect("Optimizers (up to 4)", optimizers.names(), default=list(COMPARE_OPTIMIZERS),
                                max_selections=MAX_RUNS, key="ls_optimizers",
                                format_func=lambda n: optimizers.get(n).label)
        lr = st.select_slider("Learning rate", rates, value=COMPARE_LEARNING_RATE, key="ls_lr", format_func=lambda v: f"{v:g}",
                              help="The same step size for every optimizer.")
        runs = tuple((o, float(lr)) for o in chosen)
    if not runs:
        problems.append("pick at least one " + ("learning rate" if mode == "learning rates" else "optimizer"))
        runs = last.runs
    c1, c2 = st.columns(2)
    steps = c1.select_slider("Steps", STEP_CHOICES, value=300, key="ls_steps",
                             help=f"Mini-batch steps per run; {N_SNAPSHOTS} snapshots of the weights are kept.")
    batch = c2.select_slider("Batch size", BATCH_SIZES, value=32, key="ls_batch")
    seed = st.number_input("Seed", 0, 10_000, 0, key="ls_seed",
                           help="Decides the data, the initial weights and the mini-batch order.")
    try:
        setup = Setup(task=task, n_points=int(n_points), noise=float(noise), n_digits=int(n_digits), hidden=hidden,
                      activation=activation, runs=runs, batch_size=int(batch), steps=int(steps), seed=int(seed))
    except ValueError as exc:
        problems.append(str(exc))
        setup = last
    if problems:
        return last, problems
    return _remember(setup), problems


def view_controls() -> ViewOptions:
    """Grid resolution, slice span and colour scale."""
    st.subheader(":material/grid_on: Landscape")
    resolution = st.select_slider(
        "Grid resolution", RESOLUTIONS, value=21, key="ls_resolution",
        help="Points per side of each 2D grid; every point is a full pass over the data. 21 answers in "
             "about a second; 41 is sharper and about four times slower.",
    )
    span = st.select_slider("Random slice span", SPANS, value=1.0, key="ls_span",
                            help="How far the random slices reach, in units of each filter's own norm "
                                 "(1: as far as the weights are long).")
    log = st.toggle("Log colour scale", value=True, key="ls_log",
                    help="Losses span decades; a log scale shows the basin and the walls together.")
    return ViewOptions(resolution=int(resolution), span=float(span), log=bool(log))


def plane_controls(labels: list[str]) -> tuple[int | None, bool, bool]:
    """(centre run index or None for the best, fit the plane to the centre run only, 3D)."""
    c1, c2, c3 = st.columns([1.3, 1.3, 1])
    options = ["best", *labels]
    if st.session_state.get("ls_reference") not in options:  # the runs changed: back to the default
        st.session_state["ls_reference"] = "best"
    ref = c1.selectbox("Centre on", options, key="ls_reference",
                       format_func=lambda v: "the best run (lowest final loss)" if v == "best" else v,
                       help="The plane passes through this run's final weights.")
    fit = c2.selectbox("Fit the plane to", ["every run", "the centre run only"], key="ls_fit",
                       help="Every run: the plane that shows as much of all paths as a plane can. The centre "
                            "run only: its own path in most detail (the others may leave the picture).")
    shape = c3.segmented_control("Show as", ["Contour", "3D"], default="Contour", key="ls_shape")
    return (None if ref == "best" else labels.index(ref)), fit != "every run", shape == "3D"


def show_divergence(runs: list[landscape_runs.TrainingRun]) -> None:
    for run in runs:
        if run.diverged is not None:
            st.warning(f"**{run.label} diverged at step {run.diverged}**: {run.diverged_reason}. Its path stops "
                       "there, and it is left out of the PCA plane's fit.", icon=":material/warning:")
