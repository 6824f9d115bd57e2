"""The Digits page's "Inside a convolution" tab: note 002's integral as a 1D sum, then a 3x3 kernel
over a 28x28 digit, the 9 products and their sum at a clicked output pixel, and the whole feature map.

State (``dg_cv_`` keys): ``dg_cv_f``, ``dg_cv_g``, ``dg_cv_n`` (the 1D signals and the shift) and
``dg_cv_last`` (the last signals that parsed), ``dg_cv_source``, ``dg_cv_index``, ``dg_cv_kernel``,
``dg_cv_custom``, ``dg_cv_padding``, ``dg_cv_stride``, ``dg_cv_flip`` (the 2D settings),
``dg_cv_cell`` (the output pixel shown) and ``dg_cv_had_drawing`` (a drawing was there last run:
a new one becomes the input). Numbers come from ``nnviz.labs.explain.convolution``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import streamlit as st

from nnviz.data import drawn_digits, mnist_files
from nnviz.data.preprocess import canvas_to_mnist
from nnviz.figures import convolution as figs
from nnviz.labs.digits.model import DigitModel
from nnviz.labs.explain import convolution as conv
from nnviz.labs.explain.numbers import fmt, fmt_in, latex_matrix, parse_numbers
from nnviz.ui import page_link, state
from nnviz.ui.canvas_chart import canvas_chart
from nnviz.ui.common import message_slot, mnist_dataset
from nnviz.ui.pixel_grid import Grid, clicked, pixel_grid

TAB = "Inside a convolution"
DEFAULTS: dict[str, Any] = {
    "dg_cv_f": "1, 2, 3", "dg_cv_g": "0, 1, 0.5", "dg_cv_n": 2, "dg_cv_source": "example", "dg_cv_index": 0,
    "dg_cv_kernel": "vertical edges (Sobel)", "dg_cv_custom": "1 0 -1\n2 0 -2\n1 0 -1", "dg_cv_padding": "same",
    "dg_cv_stride": 1, "dg_cv_flip": False,
}
REMEMBERED = tuple(DEFAULTS)
SOURCES = {"drawing": "Your drawing", "test": "An MNIST test image", "example": "An example 7"}
CUSTOM = "type your own"
MODEL_PREFIX = "filter "  # + the filter's number (from 1) in the default model's first layer
CELL = 9  # CSS pixels per input value


def _seed(key: str) -> str:
    return state.seed(key, DEFAULTS[key])


def _control(query: str, key: str, draw):
    """``draw()`` (the widget, returning its value), or where the link's class mode hides the
    control (``hide=<query>``, the digits link's key), the setting's value without drawing it."""
    if page_link.hidden(query):
        return state.value(key, DEFAULTS[key])
    return draw()


@st.cache_data(show_spinner=False, max_entries=1)
def example_digit() -> np.ndarray:
    """(28, 28) a synthetic 7 rendered like the page's canvas and preprocessed like a drawing."""
    return canvas_to_mnist(drawn_digits.draw("7 plain", seed=0)).astype(np.float64)


# ---- 1D ---------------------------------------------------------------------------------------

def _signals() -> tuple[np.ndarray, np.ndarray]:
    """The typed f and g; on a typing error the last valid pair (the error is shown)."""
    s = st.session_state
    slot = message_slot()  # drawn on every run: the charts below keep their place when it goes
    try:
        f = np.array(parse_numbers(s.get("dg_cv_f", ""), "f", 1, conv.MAX_SIGNAL))
        g = np.array(parse_numbers(s.get("dg_cv_g", ""), "g", 1, conv.MAX_SIGNAL))
    except ValueError as exc:
        slot.error(f"{exc}. Showing the last signals that could be read.", icon=":material/error:")
        last = s.get("dg_cv_last") or (DEFAULTS["dg_cv_f"], DEFAULTS["dg_cv_g"])
        return np.array(parse_numbers(last[0])), np.array(parse_numbers(last[1]))
    s["dg_cv_last"] = (s["dg_cv_f"], s["dg_cv_g"])
    return f, g


def _typed(v: float) -> str:
    """A number of the 1D sum as people type it: 0.5, 2.5, -3 (up to 6 significant digits)."""
    return f"({v:.6g})" if v < 0 else f"{v:.6g}"


def one_d_part() -> None:
    st.markdown("#### From the note's integral to a sum")
    st.markdown("Note 002 writes the convolution of two functions as an integral, *discretized to work with "
                "digital images*. For two lists of numbers the integral becomes a sum: flip g, slide it by n, "
                "multiply what lines up and add.")
    st.latex(r"(f * g)(t) = \int f(\tau)\, g(t - \tau)\, d\tau \qquad\longrightarrow\qquad "
             r"(f * g)[n] = \sum_k f[k]\, g[n - k]")
    c1, c2, c3 = st.columns([1, 1, 1.2], gap="medium")
    c1.text_input("f", key=_seed("dg_cv_f"), help=f"Up to {conv.MAX_SIGNAL} numbers, separated by commas or spaces.")
    c2.text_input("g", key=_seed("dg_cv_g"), help=f"Up to {conv.MAX_SIGNAL} numbers: the kernel that slides.")
    f, g = _signals()
    last = f.size + g.size - 2
    s = st.session_state
    if int(s.get("dg_cv_n", 0)) > last:
        s["dg_cv_n"] = last
    n = c3.slider("Shift n", 0, max(last, 1), key=_seed("dg_cv_n"), disabled=last == 0,
                  help="Which output value to compute: g is flipped and its first value put at k = n.")
    n = min(int(n), last)
    terms = conv.terms_at(f, g, n)
    result = conv.discrete_convolution(f, g)
    left, right = st.columns(2, gap="medium")
    with left:
        canvas_chart(figs.signals_chart(f, g, n), key="dg_cv_signals_chart")
    with right:
        canvas_chart(figs.result_chart(result, terms), key="dg_cv_result_chart")
    symbols = " + ".join(rf"f[{k}]\,g[{n - k}]" for k in terms.k)
    values = " + ".join(rf"{_typed(a)} \cdot {_typed(b)}" for a, b in zip(terms.f, terms.g, strict=True))
    st.latex(rf"(f * g)[{n}] = {symbols} = {values} = {_typed(terms.total)}")
    st.caption(f"All {result.size} values: len f + len g − 1 = {f.size} + {g.size} − 1. The same as NumPy's "
               "np.convolve(f, g).")


# ---- 2D ---------------------------------------------------------------------------------------

def _image(drawing: np.ndarray | None) -> tuple[np.ndarray, str]:
    """The 28x28 input the kernel slides over, and what it is."""
    s = st.session_state
    folder = mnist_files.default_mnist_folder()
    options = [k for k in SOURCES if (k != "drawing" or drawing is not None) and (k != "test" or folder is not None)]
    if s.get("dg_cv_source") not in options or (drawing is not None and not s.get("dg_cv_had_drawing")):
        s["dg_cv_source"] = "drawing" if drawing is not None else "example"  # a new drawing: show it
    s["dg_cv_had_drawing"] = drawing is not None
    c1, c2 = st.columns([2, 1], vertical_alignment="bottom")
    source = c1.radio("Input", options, key=_seed("dg_cv_source"), format_func=SOURCES.get, horizontal=True,
                      help="Draw a digit in **Draw and predict** to use it here.")
    if source == "drawing" and drawing is not None:
        return np.asarray(drawing, np.float64), "your drawing, as the network sees it"
    if source == "test" and folder is not None:
        data = mnist_dataset(str(folder))
        i = c2.number_input("Test image", 0, len(data.y_test) - 1, step=1, key=_seed("dg_cv_index"),
                            help=f"One of the {len(data.y_test):,} official MNIST test images.")
        return data.X_test[int(i)].astype(np.float64), f"MNIST test image {int(i)} (a {int(data.y_test[int(i)])})"
    return example_digit(), "an example 7 (draw your own in Draw and predict)"


def _kernels(model: DigitModel | None) -> dict[str, tuple[np.ndarray | None, str]]:
    """Kernel choice -> (3x3 kernel, or None for the typed one; what it is)."""
    out: dict[str, tuple[np.ndarray | None, str]] = dict(conv.KERNELS)
    if model is not None:
        kind, filters = model.first_layer_weights()
        if kind == "filters" and filters.shape[1:] == (3, 3):
            for i, w in enumerate(filters):
                out[f"{MODEL_PREFIX}{i + 1}"] = (w.astype(np.float64),
                                                  f"learned: filter {i + 1} of the default model's first layer")
    out[CUSTOM] = (None, "your numbers")
    return out


def kernel_names(model: DigitModel | None) -> list[str]:
    """The kernel box's choices (the named kernels, the model's 3x3 filters, your own), for the link."""
    return list(_kernels(model))


def _kernel(model: DigitModel | None) -> tuple[np.ndarray, str]:
    s = st.session_state
    kernels = _kernels(model)
    if s.get("dg_cv_kernel") not in kernels:
        s["dg_cv_kernel"] = DEFAULTS["dg_cv_kernel"]
    name = _control("kernel", "dg_cv_kernel", lambda: st.selectbox(
        "Kernel", list(kernels), key=_seed("dg_cv_kernel"),
        help="Edge and blur kernels, the 3x3 filters the default digit model learned, or your own."))
    kernel, what = kernels[name]
    if kernel is None:
        st.text_area("Your kernel", key=_seed("dg_cv_custom"), height=90,
                     help="Three rows of three numbers (rows on new lines or split by ';').")
        slot = message_slot()
        try:
            kernel = conv.parse_kernel(s["dg_cv_custom"])
        except ValueError as exc:
            slot.error(f"{str(exc)[0].upper()}{str(exc)[1:]}. Using the identity kernel until it reads.",
                       icon=":material/error:")
            kernel = conv.KERNELS["identity"][0]
    return kernel, what


def _cell_clicked(image_shape: tuple[int, int], padding: str, stride: int) -> None:
    """on_click of the grids: a click on the input picks the window centred there, on the map its pixel."""
    click = clicked("dg_cv_grids")
    if click is None:
        return
    which, row, col = click
    if which == 0:
        st.session_state["dg_cv_cell"] = conv.output_pixel_for(row, col, image_shape, padding, stride)
    elif which == 1:
        st.session_state["dg_cv_cell"] = (row, col)


def two_d_part(drawing: np.ndarray | None, model: DigitModel | None) -> None:
    st.markdown("#### A 3×3 kernel over a digit")
    st.markdown("An image is a 2D list of numbers, so the sum runs over two indices: each output pixel is "
                "the 9 input values under the kernel times the kernel's 9 numbers, added up. Click the input "
                "or the feature map to pick a pixel.")
    x, what_image = _image(drawing)
    c1, c2, c3, c4 = st.columns([2, 1, 1, 1.3], vertical_alignment="bottom", gap="medium")
    with c1:
        kernel, what_kernel = _kernel(model)
    padding = _control("pad", "dg_cv_padding", lambda: c2.radio(
        "Padding", list(conv.PADDINGS), key=_seed("dg_cv_padding"), horizontal=True,
        help="valid: only where the kernel fits (28 → 26). same: a border of zeros, so the map "
             "keeps the input's size (28 → 28 at stride 1)."))
    stride = _control("stride", "dg_cv_stride", lambda: c3.selectbox(
        "Stride", list(conv.STRIDES), key=_seed("dg_cv_stride"), help="How far the kernel moves between output pixels."))
    flip = _control("flip", "dg_cv_flip", lambda: c4.toggle(
        "Flip the kernel", key=_seed("dg_cv_flip"),
        help="The note's convolution: g(t − τ) turns the kernel by 180°. Off: cross-correlation, "
             "what the engine's Conv2D (and PyTorch and TensorFlow) compute."))
    fmap = conv.feature_map(x, kernel, padding, stride, flip)
    out_h, out_w = fmap.shape
    s = st.session_state
    row, col = s.get("dg_cv_cell") or (out_h // 2, out_w // 2)
    row, col = min(int(row), out_h - 1), min(int(col), out_w - 1)
    s["dg_cv_cell"] = (row, col)
    win = conv.window_at(x, kernel, row, col, padding, stride, flip)
    margin = conv.padding_of(x.shape, padding, stride)[0]
    pixel_grid([
        Grid(f"Input: {what_image}", x, lo=0.0, hi=1.0, margin=margin,
             box=(win.top, win.left, win.top + 2, win.left + 2),
             note=f"28×28, ink 1 (white) on 0; {'grey border: zero padding' if margin else 'no padding'}"),
        Grid(f"Feature map {out_h}×{out_w}", fmap, cmap="diverging", box=(row, col, row, col),
             note="blue positive, orange negative, white 0"),
    ], key="dg_cv_grids", cell=CELL, on_click=lambda: _cell_clicked(x.shape, padding, stride))
    op = r"\star" if not flip else r"*"
    st.latex(rf"\underbrace{{{latex_matrix(win.patch)}}}_{{\text{{input, rows {win.top}..{win.top + 2}, columns "
             rf"{win.left}..{win.left + 2}}}}} \odot \underbrace{{{latex_matrix(win.kernel, fmt_in)}}}_{{\text{{kernel"
             rf"{' (flipped)' if flip else ''}}}}} = {latex_matrix(win.products)}")
    st.latex(rf"(x {op} K)[{row}, {col}] = \text{{sum of the 9 products}} = {fmt(win.total)}")
    st.caption(f"Kernel: {what_kernel}. Output size: ⌊(28 + {2 * margin} − 3) / {stride}⌋ + 1 = {out_h}"
               + (" (same padding keeps ⌈28 / stride⌉)" if padding == "same" else "")
               + ". Deep-learning libraries slide the kernel as it is (cross-correlation, ⋆); the note's "
               "convolution (∗) flips it first. A network learns its filters, so it learns the flipped one "
               "just as well; for a Sobel kernel the flip turns the edges' sign.")


def render_tab(drawing: np.ndarray | None, model: DigitModel | None) -> None:
    """The whole tab; ``drawing`` is the page's current input (28, 28) in [0, 1], or None."""
    one_d_part()
    st.divider()
    two_d_part(drawing, model)
    state.remember(REMEMBERED)
