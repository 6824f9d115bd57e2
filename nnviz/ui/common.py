"""Widgets and helpers shared by every page (keys are always page-prefixed by the caller)."""

from __future__ import annotations

import gc
import math
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import streamlit as st
from threadpoolctl import threadpool_limits

from nnviz.data import mnist_files
from nnviz.labs import rates, share
from nnviz.nn import optimizers
from nnviz.nn.training import NON_FINITE
from nnviz.ui import state

# Streamlit collects all garbage after every script run (``runner.postScriptGC``); traversing the
# long-lived objects of the imported modules cost ~65 ms a run (CONTRIBUTING.md). Freeze what
# exists once this module is first imported (app.py imports it on the server's first run), so
# every rerun of every page pays only for what it created. Once per process, never per run:
# frozen objects are never collected. nnviz/ui/live_view.py freezes again after its imports.
gc.collect()
gc.freeze()


def count_setting(name: str, default: int) -> int:
    """The environment variable ``name`` as a positive integer (``default`` when unset or empty);
    ``ValueError`` naming it and the value otherwise."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        n = int(raw)
    except ValueError:
        n = 0
    if n < 1:
        raise ValueError(f"{name} must be a positive integer, got {raw!r}")
    return n


def limit_blas_threads() -> int:
    """Cap NumPy's BLAS at ``NNVIZ_BLAS_THREADS`` threads (default 1) for this server process.

    A server runs many sessions' small matrix products at once; with OpenBLAS's default of one
    thread per core they oversubscribe the cores and thrash (digits training 1-6 steps/s under
    load, against 18-28 with one thread; the MNIST MLP 2-20x a NumPy loop against 1.12x; see
    CONTRIBUTING.md). ``OPENBLAS_NUM_THREADS`` would have to be set before NumPy is imported,
    which Streamlit does first, so the cap is applied at run time (threadpoolctl)."""
    n = count_setting("NNVIZ_BLAS_THREADS", 1)
    threadpool_limits(limits=n, user_api="blas")
    return n


limit_blas_threads()

@dataclass(frozen=True)
class PageInfo:
    slug: str
    title: str
    icon: str
    blurb: str


PAGES: tuple[PageInfo, ...] = (
    PageInfo("playground", "Playground", ":material/tune:", "Train a network on 2D data and watch its decision surface, neurons and loss curves live."),
    PageInfo("descent", "Gradient descent", ":material/landscape:", "Race optimizers and learning rates on 1D and 2D surfaces, step by step."),
    PageInfo("landscape", "Loss landscape", ":material/map:", "See a real network's loss landscape and where each learning rate takes training."),
    PageInfo("digits", "Digits", ":material/draw:", "Draw a digit and watch the softmax probabilities; train your own digit model."),
    PageInfo("functions", "Functions", ":material/functions:", "Activations, losses and their derivatives; vanishing gradients; softmax."),
    PageInfo("backprop", "Backpropagation", ":material/account_tree:", "Follow the forward pass, the chain rule and the update, number by number."),
    PageInfo("sequences", "Sequences", ":material/timeline:", "Train a simple RNN live; see its hidden state and how far gradients reach back in time."),
)

PAGES_DIR = Path(__file__).resolve().parents[2] / "pages"
#: The app's icon (favicon), shipped: a ":material/..." icon is fetched from a font host on every
#: load, which fails offline.
ICON = Path(__file__).resolve().parent / "assets" / "nnviz-icon.png"

#: The app's own style, in the ``<head>`` of every page's HTML (app.py, nnviz/ui/index_page.py): there
#: from the first frame, where an ``st.html`` element came with the first run (the page's top moved up
#: 3.5rem as it arrived) and cost each first visit Streamlit's Html element code and DOMPurify.
#: Less empty space above each page's title: on a 1280x720 laptop the playground's Play button and its
#: decision surface are then on screen together (Streamlit's default is 6rem). On a phone, wide tables
#: and formulas scroll sideways inside their own box instead of widening (or clipping) the page.
#: Elements a rerun has not reached yet are not faded to a third: with a rerun on every click and live
#: ticks, that read as flicker (and during Play it dimmed the page); the running indicator at the top
#: right says that the page is working, and long jobs show their own progress. Streamlit's own rules
#: come later in the head with the same weight, hence ``!important``.
APP_STYLE = (
    "<style data-nnviz-style>[data-testid=stMainBlockContainer] { padding-top: 2.5rem !important; }"
    "[data-stale] { opacity: 1 !important; transition: none !important; }"
    "[data-testid=stMarkdownContainer] table { display: block !important; max-width: 100%; overflow-x: auto; }"
    ".katex-display { max-width: 100%; overflow-x: auto; overflow-y: hidden; }</style>"
)


def home_page() -> None:
    """The landing page: what nnviz is, one card per page."""
    st.title(":material/neurology: nnviz")
    st.markdown(
        "**See how a neural network learns.** Every number here comes from a small neural-network "
        "engine written from scratch in NumPy: forward pass, backpropagation, optimizers and all."
    )
    cols = st.columns(3)
    for i, page in enumerate(PAGES):
        with cols[i % 3].container(border=True):
            st.subheader(f"{page.icon} {page.title}")
            st.write(page.blurb)
            if (PAGES_DIR / f"{page.slug}.py").exists():
                st.page_link(f"pages/{page.slug}.py", label=f"Open {page.title}", icon=":material/arrow_forward:")
            else:
                st.caption("Not built yet.")
    from nnviz.ui import first_paint, lessons  # lessons imports PAGES from here

    # A first visit paints the pages' cards first; the lessons, below the fold, come in its second run.
    if first_paint.rest_is_due("home", "the lessons"):
        lessons.section()


def ensure_app_navigation() -> None:
    """Call first in every page. On a fresh server Streamlit still treats ``pages/`` as its old
    automatic multipage mode until app.py has called ``st.navigation`` once, so a shared deep
    link opened first runs the page file alone, without the app's navigation and titles. Turn
    that mode off and rerun: app.py then routes the same URL to the same page."""
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


@st.cache_resource(show_spinner="Reading the MNIST files…", max_entries=2)
def mnist_dataset(folder: str) -> mnist_files.Mnist:
    """MNIST from ``folder``, read once per server and shared by every page and session (its arrays
    are read-only; ~47 MB for the shared 5k + 10k images, ~220 MB for the full set)."""
    return mnist_files.load_mnist(folder)


def with_current(options: list, current: Any) -> list:
    """A control's options with its current value among them (a value from a link or an older
    session that is not one of the steps), in order."""
    return options if current in options else sorted({*options, current})


def session_lock(key: str) -> threading.Lock:
    """A per-session lock (fast reruns can overlap two script threads on the same model)."""
    lock_key = f"_{key}_lock"
    if lock_key not in st.session_state:
        st.session_state[lock_key] = threading.Lock()
    return st.session_state[lock_key]


LEARNING_RATES = rates.LEARNING_RATES  # 1e-05, 3e-05, ..., 10, 30 (in the labs: link codecs check against it)


def learning_rate_slider(key: str, default: float = 0.03, label: str = "Learning rate",
                         values: Sequence[float] = LEARNING_RATES, help: str | None = None) -> float:
    """A log-scale learning-rate slider (1e-5 ... 30), seeded through ``nnviz.ui.state`` (no
    ``value=``); a value that is not one of ``values`` snaps to the nearest on the log scale."""
    values = list(values)

    def nearest(rate: float) -> float:
        return rate if rate in values else min(values, key=lambda v: abs(math.log(v) - math.log(rate)))

    state.seed(key, nearest(default))
    current = st.session_state[key]
    if current not in values:
        st.session_state[key] = nearest(float(current)) if isinstance(current, (int, float)) and current > 0 else nearest(default)
    return st.select_slider(
        label, options=values, key=key, format_func=lambda v: f"{v:g}",
        help=help or "Step size η. Too small: slow. Too large: the loss jumps around or diverges.",
    )


#: Log-spaced values for a registry setting that spans decades (softmax's temperature, Huber's delta).
LOG_OPTIONS: tuple[float, ...] = (0.001, 0.003, 0.01, 0.03, 0.1, 0.2, 0.3, 0.5, 0.7, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0, 30.0,
                                  100.0, 1000.0)


def hyperparam_slider(owner_label: str, name: str, spec: tuple[float, float, float, str], key: str,
                      default: float | None = None) -> float:
    """A slider for one registry hyperparameter, seeded with ``state.seed`` (``default``, else the
    registry's); log-spaced options when it spans decades (softmax's temperature)."""
    dflt, low, high, meaning = spec
    dflt = dflt if default is None else default
    if low > 0 and high / low >= 1e3:
        options = [v for v in LOG_OPTIONS if low <= v <= high]
        state.seed(key, min(options, key=lambda v: abs(math.log(v) - math.log(dflt))))
        return st.select_slider(f"{owner_label}: {name}", options=options, key=key, help=meaning,
                                format_func=lambda v: f"{v:g}")
    state.seed(key, float(dflt))
    return st.slider(f"{owner_label}: {name}", min_value=float(low), max_value=float(high),
                     step=(high - low) / 200 if high - low > 2 else 0.01, key=key, help=meaning)


def optimizer_settings(name: str, key_prefix: str, container=None, on_change=None) -> dict[str, float]:
    """Sliders for an optimizer's own settings (beta, beta_1, ...), with their meaning.

    Keys are ``{key_prefix}_{name}_{setting}``. A slider starts at the remembered value or the
    registry default (``state.seed``, not ``value=``), so a page may seed others (a preset, a link)."""
    where = container or st
    values: dict[str, float] = {}
    for hp, (default, low, high, meaning) in optimizers.get(name).hyperparams.items():
        if hp == "eps":
            continue  # rarely worth a control; the default is kept
        key = state.seed(f"{key_prefix}_{name}_{hp}", float(default))
        values[hp] = where.slider(
            hp, min_value=float(low), max_value=min(float(high), 0.9999),
            step=0.001 if hp == "beta_2" else 0.01, format="%.3f" if hp == "beta_2" else "%.2f",
            key=key, on_change=on_change, help=meaning,
        )
    return values


def message_slot():
    """A fixed place for a message that comes and goes above an element that keeps its state in the
    browser (the live view, a drawing canvas). Streamlit's frontend keys a block's elements by their
    place in it: a message drawn above such an element in one run and not the next moves it, and the
    browser then builds it anew (the live view blinks and replays its batch). An empty container
    takes no room, so a page draws the slot on every run and the message, when there is one, in it."""
    return st.container()


def show_link_problems(messages: Sequence[str]) -> None:
    """What a page's link could not use. The messages quote the link's own text, which could be
    Markdown (an image, a link, coloured text): they go in a plain-text block, never as Markdown.
    In a ``message_slot``, drawn with none too: the page below keeps its place when they go."""
    slot = message_slot()
    if not messages:
        return
    slot.warning("This link has settings nnviz cannot use; the page uses its defaults for them:",
                 icon=":material/link_off:")
    slot.text("\n".join(share.problem_lines(messages)))


def show_diverged(step: int, hint: str = "Lower the learning rate and reset.", reason: str = NON_FINITE) -> None:
    """The red 'diverged' notice: a result, not an exception (``reason``: the trainer's
    ``diverged_reason``, one rule for every page)."""
    reason = reason or NON_FINITE
    kept = f" The model shown is step {step - 1}'s, the last with finite weights." if reason == NON_FINITE else ""
    st.error(f"**Diverged at step {step}**: {reason}.{kept} {hint}", icon=":material/error:")
