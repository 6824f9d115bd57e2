"""Digits page: draw (or upload) a digit and see the softmax probabilities, the 28x28 input, a
saliency map and the hidden activations; train your own digit model live and compare.

State (keys prefixed ``dg_``): ``dg_canvas`` the drawing (the canvas component's state),
``dg_upload`` the uploaded image, ``dg_source`` which of the two is classified, ``dg_run`` the
user's model (``UserRun``: trained here, or loaded from a file), ``dg_augment`` whether each
training batch is augmented (the trainer's transform hook), ``dg_cell`` the picked cell of the
confusion matrix, ``dg_speed`` training steps per second; for the training view ``dg_batch_id``
(the last batch sent), ``dg_tick_at`` (when the last training tick ran), ``dg_carry`` (the
fraction of a step carried to the next tick), ``dg_follows`` (training ended in the last tick: the
next batch plays after it) and ``dg_hidden_paused`` (the page was hidden while training: it
resumes when shown). The shared default model and the training images in the runs' one shuffled
order are cached per server (read-only; a run trains on slices of them); the user's model is
trained in a fragment under the per-session lock, a batch of frames per tick that the canvas view
(``nnviz.ui.live_view.digits_view``) plays.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import streamlit as st

from nnviz.data import mnist_files
from nnviz.data.augment import AugmentConfig, Augmenter
from nnviz.data.preprocess import canvas_to_mnist, drawing_notes, load_image_file
from nnviz.figures import digits as figs
from nnviz.labs.digits import code_export, load_default_model, split
from nnviz.labs.digits import link as digits_link
from nnviz.labs.digits.architectures import Architecture, hidden_activations, parse_sizes
from nnviz.labs.digits.default import DefaultModelMissing
from nnviz.labs.digits.evaluation import Evaluation, evaluate
from nnviz.labs.digits.live import FPS, payload, target_step, train_frames
from nnviz.labs.digits.model import UNSURE_BELOW, DigitModel, is_unsure, top_guesses
from nnviz.labs.digits.size import MAX_HIDDEN_LAYERS, MAX_PARAMETERS, MAX_UNITS, parameter_count, size_problem
from nnviz.labs.pacing import covered_seconds, plan
from nnviz.nn import activations, optimizers
from nnviz.nn.training import TrainConfig, Trainer
from nnviz.ui import convolution, first_paint, page_link, state
from nnviz.ui.canvas_chart import canvas_chart
from nnviz.ui.common import (
    LEARNING_RATES,
    learning_rate_slider,
    message_slot,
    mnist_dataset,
    optimizer_settings,
    session_lock,
    show_diverged,
    with_current,
)
from nnviz.ui.drawing_canvas import drawing_canvas
from nnviz.ui.jobs import heavy
from nnviz.ui.live_share import scaled, turn
from nnviz.ui.live_view import digits_view, pause_while_hidden

CANVAS_SIDE = 280
#: Seconds between the training fragment's ticks: the browser's timer (a setInterval) asks for one
#: every TICK_SECONDS; one asked for while a tick still runs starts as soon as it ends. Each tick
#: trains the steps of the time since the last one (the speed) and the browser plays them over the
#: next TICK_SECONDS. Fewer, longer ticks cost less: every tick is a fragment run on the server
#: and a React update in the browser (the playground's 2 s, measured there).
TICK_SECONDS = 2.0
#: The most a tick trains, in seconds of the clock: a session's share of the server (at most
#: TRAIN_SECONDS / TICK_SECONDS of a core, however fast the speed or slow the architecture) and the
#: most a click (Pause) waits for.
TRAIN_SECONDS = 0.6
#: Training speeds offered, in steps per second; the default trains the default MLP at under a
#: tenth of a core (bench/bench_digits.py --training) and shows a new step in every frame.
SPEEDS = (1, 2, 5, 10, 30, 60, 100, 200, 500)
DEFAULT_SPEED = 60
#: Epochs by default: the default MLP at the default speed trains them in about 12 s (710 steps on
#: 4,500 images), to about 93% test accuracy.
DEFAULT_EPOCHS = 10
#: Training images by default: all of the 5,000-image MNIST training subset, 5,000 of the full set.
DEFAULT_TRAINING_IMAGES = 5000
#: Adam's default step size here: 3e-3 beat 1e-3 for both architectures in the first minute
#: (MLP 93.9% against 92.8% after 710 steps; CNN 97.8% against 97.0%, augmented).
DEFAULT_LEARNING_RATE = 3e-3
#: Session key: training was paused because the page was hidden (it resumes when shown).
HIDDEN_FLAG = "dg_hidden_paused"
BATCH_SIZES = (16, 32, 64, 128, 256)
MAX_EPOCHS = 100
FILTER_CHOICES = {"8": (8,), "16": (16,), "8 → 16": (8, 16), "16 → 32": (16, 32), "32 → 64": (32, 64)}
DENSE_CHOICES = (0, 32, 64, 128)
_FILTER_RANGE = (f"{min(map(len, FILTER_CHOICES.values()))} or {max(map(len, FILTER_CHOICES.values()))} conv blocks of "
                 f"{min(map(min, FILTER_CHOICES.values()))} to {max(map(max, FILTER_CHOICES.values()))} filters")
DATA_SOURCES = {
    "found": "MNIST found on this machine",
    "download": "Download the full MNIST (60,000 training images)",
    "folder": "A local folder with the IDX files",
}
LOCK = "dg"
TABS = ("Draw and predict", "Train your own model", convolution.TAB)
EMPTY_MESSAGE = "Draw a digit on the canvas (white on black), or upload a picture of one."
#: What in-page training does to each batch when augmentation is on: the default model's ranges.
AUGMENTATION = AugmentConfig()
DIVERGED_HINT = "The last finite weights are kept. Lower the learning rate, then press **New model**."
#: The default architecture: the MLP 784-128-10 trains a step in well under a millisecond here,
#: the small CNN in ~10-20 ms (bench/bench_digits.py --training prints both and their ratio).
DEFAULT_KIND = "mlp"
#: Server time per training step of the default small CNN over the default MLP's (batch 64, no
#: augmentation), as bench/bench_digits.py --training measures it; said beside the choice.
CNN_COST = 20
#: The same for augmenting a batch (64 images) over the default MLP's step (2.5-3.3 ms against
#: ~1.2 ms since augment.affine gathers from a framed batch).
AUGMENT_COST = 3
# An idle session gives back its test-set evaluation and pauses its training (nnviz.ui.session_memory).
state.heavy("dg_run", lock=LOCK, rebuilt=("evaluation", "evaluated"), paused=("running",), flags=(HIDDEN_FLAG,))


def _s() -> Any:
    return st.session_state


# ---- models ----------------------------------------------------------------------------------


@st.cache_resource(show_spinner="Loading the digit model…", max_entries=1)
def default_model() -> DigitModel:
    """The shipped model, once per server, read-only (shared by every session)."""
    return load_default_model()


@dataclass
class UserRun:
    """The user's own model: trained here (``trainer`` set) or loaded from a file."""

    model: DigitModel
    label: str
    trainer: Trainer | None = None
    architecture: Architecture | None = None
    data: dict[str, Any] = field(default_factory=dict)  # folder, sizes; the arrays live in the cache
    target_epochs: float = 0.0
    running: bool = False
    evaluation: Evaluation | None = None
    evaluated: tuple[int, str] | None = None  # (step, data source) the evaluation belongs to
    message: str = ""


def _run() -> UserRun | None:
    return _s().get("dg_run")


def _lock():
    return session_lock(LOCK)


# ---- input: canvas or upload -----------------------------------------------------------------


def _use_drawing() -> None:
    _s()["dg_source"] = "drawing"


def _use_upload() -> None:
    if _s().get("dg_upload") is not None:
        _s()["dg_source"] = "uploaded image"


@st.cache_data(max_entries=8, show_spinner=False)
def read_upload(data: bytes) -> tuple[np.ndarray | None, str | None]:
    """Uploaded bytes -> ((H, W) uint8 image, None) or (None, a message saying what is wrong)."""
    try:
        return load_image_file(data), None
    except ValueError as exc:
        return None, f"That file cannot be used: {exc}."


def input_panel() -> tuple[np.ndarray | None, str]:
    """Canvas, pen width and upload; returns (raw image or None, where it came from)."""
    pen = st.session_state.get("dg_pen", 18)
    result = drawing_canvas(
        stroke_width=pen, stroke_color="#FFFFFF", background_color="#000000", height=CANVAS_SIDE,
        width=CANVAS_SIDE, drawing_mode="freedraw", return_image_data=True, update_streamlit=True,
        key="dg_canvas", on_change=_use_drawing,
    )
    st.slider("Pen width", min_value=6, max_value=40, value=18, step=1, key="dg_pen",
              help="MNIST digits are written with a pen about a tenth of the digit's height.")
    st.caption(":material/undo: Undo, redo and clear with the buttons below the canvas. "
               "The prediction updates after every stroke.")
    upload = st.file_uploader("…or upload a picture of a digit (PNG or JPEG, up to 5 MB)", type=["png", "jpg", "jpeg"],
                              key="dg_upload", on_change=_use_upload,
                              help="White on black or black on white; the background is detected.")
    uploaded = None
    if upload is not None:
        uploaded, error = read_upload(upload.getvalue())
        if error:
            st.error(error + " The drawing is used instead.", icon=":material/error:")
    try:
        drawing = result.image_data
    except (ValueError, OSError):  # a damaged data URL from the component: an empty canvas
        drawing = None
    if uploaded is not None:
        source = st.radio("Classify", ["drawing", "uploaded image"], key="dg_source", horizontal=True)
        if source == "uploaded image":
            return uploaded, "uploaded image"
    return drawing, "drawing"


# ---- draw and predict ------------------------------------------------------------------------


def _predict(model: DigitModel, x: np.ndarray, user: bool) -> np.ndarray:
    if user:
        with _lock():  # the user's model may be training in this session's fragment
            return model.predict_proba(x)[0]
    return model.predict_proba(x)[0]


def draw_section(default: DigitModel | None) -> None:
    left, right = st.columns([0.34, 0.66], gap="large")
    with left:
        raw, source = input_panel()
    run = _run()
    models: dict[str, tuple[DigitModel, bool]] = {}
    if default is not None:
        models["default model"] = (default, False)
    if run is not None:
        models["your model"] = (run.model, True)
    with right:
        x = canvas_to_mnist(raw) if raw is not None else None
        _s()["dg_cv_drawing"] = x  # for the Inside a convolution tab
        if x is None:
            st.info(EMPTY_MESSAGE, icon=":material/draw:")
            return
        if not models:
            st.warning("No model to ask: train or load one in **Train your own model**.")
            return
        probas = {name: _predict(m, x, user) for name, (m, user) in models.items()}
        cols = st.columns(len(probas) + 1)
        for col, (name, p) in zip(cols, probas.items(), strict=False):
            top = int(p.argmax())
            col.metric(f"{name.capitalize()} says", str(top), help=f"Softmax probability of {top}: {p[top]:.1%}")
            col.caption(f"{p[top]:.1%} sure")
        notes = message_slot()  # they come and go stroke by stroke: the charts below keep their place
        for name, p in probas.items():
            if is_unsure(p):
                (top, p_top), (second, p_second) = top_guesses(p)
                notes.warning(f"The {name} is unsure: its top guess, {top}, has only {p_top:.1%}, the next, {second}, "
                              f"{p_second:.1%} (this note shows whenever the top guess has under {UNSURE_BELOW:.0%}). "
                              "Try drawing the digit larger, centred and with a clear shape.", icon=":material/help:")
        for note in drawing_notes(raw):
            notes.info(f"Your {source} is unusual: {note}", icon=":material/info:")
        for i, (col, (name, p)) in enumerate(zip(st.columns(len(probas)), probas.items(), strict=True)):
            with col:
                canvas_chart(figs.probability_chart(name.capitalize(), p, figs.MODEL_COLORS[i % len(figs.MODEL_COLORS)]),
                             key=f"dg_proba_chart_{i}")
        explain_name = "default model" if "default model" in models else "your model"
        if len(models) > 1:
            explain_name = st.radio("Explain the prediction of", list(models), horizontal=True, key="dg_explain")
        model, user = models[explain_name]
        explain(model, x, user)


def explain(model: DigitModel, x: np.ndarray, user: bool) -> None:
    """The input, the saliency map and every hidden layer's activations for one model."""
    if user:
        with _lock():
            k, grad = model.saliency(x)
            acts = model.activations(x)
    else:
        k, grad = model.saliency(x)
        acts = model.activations(x)
    a, b = st.columns(2)
    a.image(figs.digit_image(x, scale=7), caption="What the network sees: 28×28 pixels, like MNIST")
    b.image(figs.saliency_image(x, grad, scale=7),
            caption=f"Saliency for {k}: more ink on red pixels would raise its score, on blue ones lower it")
    st.markdown("**Hidden layers**: what each layer's units respond to for this input (bright: strong)")
    for act in acts:
        kind = "feature maps" if act.values.ndim == 3 else "units"
        n = act.values.shape[-1]
        st.image(figs.feature_maps_image(act.values), caption=f"{act.description}: {n} {kind}")
    if any(act.values.ndim == 3 for act in acts):
        st.markdown(f":material/grid_on: How one of these feature maps is computed, pixel by pixel: your drawing "
                    f"under one of this model's 3×3 filters, in the **{convolution.TAB}** tab above.")


# ---- training your own model -----------------------------------------------------------------


class _Waiting(Exception):
    """No data yet, for an ordinary reason (a button not pressed, a folder not typed)."""


def _data_panel() -> tuple[mnist_files.Mnist | None, str | None]:
    """Pick the data; returns (data, None), or (None, why not) after showing why."""
    try:
        return _pick_data(), None
    except _Waiting as wait:
        st.info(str(wait), icon=":material/dataset:")
        return None, str(wait)
    except (mnist_files.MnistUnavailable, ValueError, OSError) as exc:
        st.warning(str(exc), icon=":material/cloud_off:")
        return None, str(exc)


def _pick_data() -> mnist_files.Mnist:
    choice = st.radio("Training data", list(DATA_SOURCES), format_func=DATA_SOURCES.get,
                      key=state.seed("dg_data", TRAINING_DEFAULTS["dg_data"]))
    if choice == "found":
        folder = mnist_files.default_mnist_folder()
        if folder is None:
            raise _Waiting("No MNIST files were found on this machine. Download them, or put the four IDX files "
                           f"({', '.join(mnist_files.MNIST_FILES)}) in a folder and choose it.")
        data = mnist_dataset(str(folder))
    elif choice == "download":
        cache = mnist_files.default_cache_dir()
        if not all((cache / name).is_file() for name in mnist_files.MNIST_FILES):
            st.caption(f"About 11.6 MB from {mnist_files.MNIST_MIRRORS[0]} into `{cache}`; "
                       "each file's SHA-256 checksum is verified.")
            if not st.button("Download MNIST", icon=":material/download:", key="dg_download"):
                raise _Waiting("Press **Download MNIST** to fetch the files.")
            bar = st.progress(0.0, text="Downloading MNIST…")

            def progress(done: int, total: int) -> None:
                bar.progress(min(done / max(total, 1), 1.0),
                             text=f"Downloading MNIST… {done / 1e6:.1f} of {total / 1e6:.1f} MB")

            mnist_files.download_mnist(cache, [n for n in mnist_files.MNIST_FILES if not (cache / n).is_file()],
                                    progress=progress)
            bar.progress(1.0, text="Downloaded; checksums verified.")
        data = mnist_dataset(str(cache))
    else:
        text = st.text_input("Folder", key="dg_folder", placeholder="/path/to/mnist",
                             help=f"Holding {', '.join(mnist_files.MNIST_FILES)} (or uncompressed copies).")
        if not text.strip():
            raise _Waiting("Type the folder that holds the MNIST IDX files.")
        data = mnist_dataset(str(Path(text.strip()).expanduser()))
    st.caption(f"{len(data.y_train):,} training and {len(data.y_test):,} test images from `{data.source}`.")
    return data


def _settings_panel(n_available: int) -> dict[str, Any] | None:
    """Architecture and training settings; None (with a message shown) when they are invalid."""
    a, b = st.columns(2)
    with a:
        kind = st.radio("Architecture", ["mlp", "cnn"], format_func={"cnn": "Small CNN", "mlp": "MLP"}.get,
                        horizontal=True, key=state.seed("dg_kind", DEFAULT_KIND))
        st.caption(f"The small CNN learns more from the same images (about 98% against 94% after a minute) but "
                   f"takes about {CNN_COST}× the compute per step; on a shared classroom server prefer the MLP.")
        hidden, filters, dense = (128,), (8, 16), 64
        error = None
        if kind == "mlp":
            text = st.text_input("Hidden layer sizes", key=state.seed("dg_hidden", "128"),
                                 help=f"Comma-separated, e.g. 256, 128: up to {MAX_HIDDEN_LAYERS} layers of 1 to "
                                      f"{MAX_UNITS:,} units, at most {MAX_PARAMETERS:,} parameters in all. Empty: "
                                      "softmax regression.")
            try:
                hidden = parse_sizes(text)
            except ValueError:  # its message quotes the text, which must not reach Markdown (CONTRIBUTING)
                error = "Hidden layer sizes must be whole numbers above 0, separated by commas (e.g. 256, 128)."
        else:
            filters = FILTER_CHOICES[st.selectbox("Conv filters per block (3×3, then 2×2 max pool)", list(FILTER_CHOICES),
                                                  key=state.seed("dg_filters", list(FILTER_CHOICES)[2]),
                                                  help=f"{_FILTER_RANGE}: more filters see more kinds of strokes, "
                                                       "each costing more compute.")]
            dense = st.selectbox("Dense units after the convolutions", DENSE_CHOICES,
                                 key=state.seed("dg_dense", DENSE_CHOICES[2]),
                                 help=f"0 (none) to {DENSE_CHOICES[-1]} units.")
        usable = hidden_activations()
        if state.value("dg_activation") not in usable:  # e.g. an activation no longer registered
            st.session_state["dg_activation"] = Architecture().activation
        activation = st.selectbox("Activation", usable, key=state.seed("dg_activation", Architecture().activation),
                                  format_func=lambda n: activations.ACTIVATIONS.get(n).label)
        try:
            arch = Architecture(kind=kind, hidden=hidden, filters=filters, dense=dense, activation=activation)
        except ValueError as exc:
            error = error or str(exc)
            arch = None
        if arch is not None and error is None:
            error = size_problem(arch)
        if error:  # beside the controls that caused it; the text stays in its box, Start waits
            st.error(error, icon=":material/error:")
        else:  # the size before Start: the model is built only then
            st.caption(f":material/memory: Your model: {arch.label()}, **{parameter_count(arch):,} parameters** "
                       f"(at most {MAX_PARAMETERS:,} train here).")
    with b:
        optimizer = st.selectbox("Optimizer", optimizers.names(), key=state.seed("dg_optimizer", "adam"), format_func=lambda n: optimizers.get(n).label)
        with st.expander("Optimizer settings"):
            opt_params = optimizer_settings(optimizer, "dg")
        lr = learning_rate_slider("dg_lr", default=DEFAULT_LEARNING_RATE,
                                  help=f"Step size η, {LEARNING_RATES[0]:g} to {LEARNING_RATES[-1]:g} in log steps. "
                                       "Too small: slow. Too large: the loss jumps around or diverges.")
        batch = st.select_slider("Batch size", BATCH_SIZES, key=state.seed("dg_batch", 64),
                                 help=f"Images per training step, {BATCH_SIZES[0]} to {BATCH_SIZES[-1]}: larger "
                                      "batches give smoother steps, each costing more.")
        epochs = st.number_input("Epochs", min_value=1, max_value=MAX_EPOCHS, step=1,
                                 key=state.seed("dg_epochs", DEFAULT_EPOCHS),
                                 help=f"Passes over the training images, 1 to {MAX_EPOCHS}.")
        if n_available > 500:
            asked = int(state.value("dg_n_train", DEFAULT_TRAINING_IMAGES))
            if asked > n_available:  # a link (or another data source) asked for more than this data has
                st.session_state["dg_n_train"] = n_available
            n_train = st.slider("Training images", min_value=500, max_value=n_available,
                                step=100 if n_available <= 10_000 else 500,
                                key=state.seed("dg_n_train", min(DEFAULT_TRAINING_IMAGES, n_available)),
                                help=f"500 to {n_available:,} (all of this data). Fewer images: faster epochs. 10% "
                                     "of them (at most 1,000) are held out for validation.")
            if asked > n_available:
                st.caption(f":material/info: {asked:,} training images were asked for; this data has "
                           f"{n_available:,}, so all of them are used.")
        else:
            n_train = n_available
            st.caption(f"All {n_available} training images are used (10% held out for validation).")
        augment = st.toggle("Augment the training images", key=state.seed("dg_augment", False),
                            help="Only the batches trained on are changed; switched during training, it "
                                 "applies from the next step.")
        st.caption(f"On: every batch the network trains on is a fresh random variant of its images "
                   f"({AUGMENTATION.describe()}; the default model also had elastic bending and the extra strokes "
                   "some countries write on a 1, 7, 2 or 0). It learns the shape of a digit rather "
                   "than its exact pixels, so it reads drawings better, but accuracy rises more slowly in the first "
                   f"epochs, and augmenting a batch costs the server about {AUGMENT_COST}× an MLP step. Validation and "
                   "test images are never changed. Off: the images as they are.")
    if error:
        return None
    return {"architecture": arch, "optimizer": optimizer, "optimizer_params": opt_params, "learning_rate": lr,
            "batch_size": int(batch), "epochs": int(epochs), "n_train": int(n_train), "augment": bool(augment)}


def _config(settings: dict[str, Any], eval_every: int) -> TrainConfig:
    return TrainConfig(loss="cross_entropy", optimizer=settings["optimizer"], learning_rate=settings["learning_rate"],
                       batch_size=settings["batch_size"], optimizer_params=settings["optimizer_params"],
                       eval_every=eval_every, seed=0)


def _transform(settings: dict[str, Any]) -> Augmenter | None:
    """The trainer's per-batch hook: the default model's augmentation, or none."""
    return Augmenter(AUGMENTATION) if settings["augment"] else None


@st.cache_resource(show_spinner=False, max_entries=1)
def _shuffled(source: str, _data: mnist_files.Mnist) -> tuple[np.ndarray, np.ndarray]:
    """The training images (N, 28, 28) and labels (N,) of ``source`` in the runs' one fixed order
    (``nnviz.labs.digits.split``), once per server, read-only: every session's run trains on slices
    of them (15.7 MB for the shipped 5,000 images, 188.6 MB for the full MNIST), not on its own copy."""
    return split.shuffled(_data.X_train, _data.y_train)


def _new_run(settings: dict[str, Any], data: mnist_files.Mnist) -> UserRun:
    sets = split.sets(*_shuffled(data.source, data), settings["n_train"])
    net = settings["architecture"].build(seed=0)
    steps_per_epoch = math.ceil(len(sets.y_train) / settings["batch_size"])
    trainer = Trainer(net, _config(settings, max(1, steps_per_epoch // 4)), sets.X_train, sets.y_train,
                      sets.X_val, sets.y_val, probe_size=64, eval_size=500, transform=_transform(settings))
    return UserRun(model=DigitModel(net, name="your model"), label=settings["architecture"].label(), trainer=trainer,
                   architecture=settings["architecture"],
                   data={"source": data.source, "requested": settings["n_train"], "n_train": len(sets.y_train),
                         "n_val": len(sets.y_val)},
                   target_epochs=float(settings["epochs"]))


def _continues(run: UserRun | None, settings: dict[str, Any] | None, data: mnist_files.Mnist | None) -> bool:
    """True when Start would go on training ``run`` (same architecture and data, not diverged)."""
    return (run is not None and run.trainer is not None and run.trainer.diverged is None and settings is not None
            and data is not None and run.architecture == settings["architecture"]
            and run.data.get("source") == data.source and run.data.get("requested") == settings["n_train"])


def _start(settings: dict[str, Any] | None, data: mnist_files.Mnist | None) -> None:
    if settings is None or data is None:
        return
    with _lock():
        run = _run()
        if not _continues(run, settings, data):
            run = _new_run(settings, data)
            _s()["dg_run"] = run
            _s().pop("dg_cell", None)
        if run.trainer.epoch >= settings["epochs"] - 1e-9:
            run.message = (f"Already trained for {settings['epochs']} epochs: raise **Epochs** to train on, "
                           "or press **New model**.")
            run.running = False
            return
        run.target_epochs = float(settings["epochs"])
        run.message = ""
        run.running = True


def _pause() -> None:
    run = _run()
    if run is not None:
        run.running = False


def _reset() -> None:
    with _lock():
        for key in ("dg_run", "dg_cell", "dg_follows", "dg_tick_at", "dg_carry", HIDDEN_FLAG):
            _s().pop(key, None)


def _apply_settings(run: UserRun, settings: dict[str, Any] | None) -> None:
    """Settings changed during training apply from the next step (same architecture and data)."""
    tr = run.trainer
    if settings is not None:
        cfg = _config(settings, tr.config.eval_every)
        if cfg != tr.config:
            tr.configure(cfg)
        tr.transform = _transform(settings)


def _resumable(run: UserRun | None) -> bool:
    return (run is not None and run.trainer is not None and run.trainer.diverged is None
            and run.trainer.step < target_step(run.trainer, run.target_epochs))


def _set_running(value: bool) -> None:
    run = _run()
    if run is not None and (not value or _resumable(run)):
        run.running = value


def _is_running() -> bool:
    run = _run()
    return run is not None and run.running


def live_tick(run: UserRun, settings: dict[str, Any] | None) -> bytes:
    """One tick under the lock: while running, apply changed settings and train the steps of the
    time since the last tick at the speed (at most TRAIN_SECONDS of the clock) as a batch of
    frames, stopping at the target epochs or on divergence; else one frame of the true state
    (after a finish it follows the last batch's playback)."""
    s = _s()
    tr = run.trainer
    target = target_step(tr, run.target_epochs)
    trained = run.running
    if trained:
        _apply_settings(run, settings)
        # A tick's steps cover the time since the last (speed: steps per second of the clock).
        now = time.monotonic()
        elapsed = covered_seconds(s.get("dg_tick_at"), now, TICK_SECONDS)
        steps, n_frames, s["dg_carry"] = plan(state.value("dg_speed", DEFAULT_SPEED), elapsed,
                                              s.get("dg_carry", 0.0), fps=FPS)
        s["dg_tick_at"] = now
        with turn() as scale:  # one live tick computes at a time; a busy server scales every tick's work
            steps, n_frames = scaled(steps, n_frames, scale, TICK_SECONDS)
            frames = train_frames(tr, target, steps, n_frames, seconds=TRAIN_SECONDS)
        if tr.diverged is not None or tr.step >= target:
            run.running = False
            s["dg_follows"] = True  # the next batch shows this end state after this one has played
    else:
        frames = train_frames(tr, target, 0, 1)
        s["dg_tick_at"] = None
    s["dg_batch_id"] = batch = int(s.get("dg_batch_id", 0)) + 1
    return payload(tr, frames, batch=batch, running=trained, tick_seconds=TICK_SECONDS,
                   target_epochs=run.target_epochs, follows=not trained and bool(s.pop("dg_follows", False)))


def live_panel(settings: dict[str, Any] | None) -> None:
    """The training view: a fragment holding the canvas component (``nnviz.ui.live_view.digits_view``)
    that trains one batch of frames per tick while running; the browser plays it until the next.
    While the page is hidden, training pauses (and resumes when it is shown)."""
    run = _run()
    running = run is not None and run.running
    on_visibility = pause_while_hidden("dg_live", HIDDEN_FLAG, _is_running, _set_running)

    @st.fragment(run_every=TICK_SECONDS if running else None)
    def live() -> None:
        run = _run()
        if run is None or run.trainer is None:
            if run is not None:
                st.caption(f"Loaded model: {run.label}. Train a new one with **Start**.")
            else:
                st.caption("Choose the data and the model, then press **Start**.")
            return
        if run.running and not running:
            st.rerun(scope="app")  # resumed (the page is shown again): the buttons change, the ticks start
        was_running = run.running
        with _lock():
            blob = live_tick(run, settings)
            diverged, reason = run.trainer.diverged, run.trainer.diverged_reason
        if diverged is not None:
            show_diverged(diverged, DIVERGED_HINT, reason)
        digits_view(blob, key="dg_live", on_visibility=on_visibility)
        if (was_running or running) and not run.running:
            st.rerun(scope="app")  # finished, diverged, paused or hidden: the buttons and the evaluation change

    live()


def controls(settings: dict[str, Any] | None, data: mnist_files.Mnist | None) -> None:
    run = _run()
    running = run is not None and run.running
    a, b, c, d = st.columns([1, 1, 1.4, 3], vertical_alignment="bottom")
    a.button("Start", type="primary", icon=":material/play_arrow:", key="dg_start", disabled=running
             or settings is None or data is None, on_click=_start, args=(settings, data))
    b.button("Pause", icon=":material/pause:", key="dg_pause", disabled=not running, on_click=_pause)
    c.button("New model", icon=":material/restart_alt:", key="dg_reset", disabled=run is None, on_click=_reset,
             help="Forget your model and start from fresh random weights.")
    d.select_slider("Speed (steps per second)", with_current(list(SPEEDS), state.value("dg_speed", DEFAULT_SPEED)),
                    key=state.seed("dg_speed", DEFAULT_SPEED),
                    help=f"Training steps per second, {SPEEDS[0]} to {SPEEDS[-1]}; applies while training. A slow "
                         "architecture trains fewer steps than asked: each session gets a fixed share of the server.")
    if run is not None and run.message:
        st.info(run.message, icon=":material/info:")
    if run is not None and run.trainer is not None and not running and not _continues(run, settings, data):
        st.caption("**Start** builds a new model: the architecture or the data changed"
                   + (", or the run diverged" if run.trainer.diverged is not None else "") + ".")


def evaluation_panel(data: mnist_files.Mnist | None, default: DigitModel | None) -> None:
    run = _run()
    if run is None or run.running or data is None:
        return
    step = run.trainer.step if run.trainer is not None else 0
    if run.trainer is not None and step == 0:
        return
    st.subheader("How good is it?")
    if run.evaluation is None or run.evaluated != (step, data.source):
        # A one-off job (a CNN's is ~1 s): through the server's queue, fair between sessions.
        with heavy(), st.spinner(f"Predicting the {len(data.y_test):,} test images…"), _lock():
            run.evaluation = evaluate(run.model, data.X_test, data.y_test)
            run.evaluated = (step, data.source)
    ev = run.evaluation
    a, b = st.columns([0.45, 0.55], gap="large")
    with a:
        st.metric("Test accuracy", f"{ev.accuracy:.2%}", help=f"On the {len(ev.labels):,} test images, never trained on.")
        default_accuracy = default.info.get("test_accuracy") if default is not None else None
        if default_accuracy:
            st.caption(f"For comparison, the default model: {default_accuracy:.2%} on the official MNIST test set.")
        selected = _s().get("dg_cell")
        event = st.plotly_chart(figs.confusion_figure(ev.confusion, selected), key="dg_confusion", on_select="rerun",
                                selection_mode="points", config={"displayModeBar": False})
        for point in _selected_points(event):
            cell = _cell_of(point)
            if cell is not None:
                _s()["dg_cell"] = cell
                if cell != selected:
                    st.rerun()  # redraw with the cell framed
        st.caption("Click a cell to see its images.")
    with b:
        cell = _s().get("dg_cell")
        if cell is not None:
            t, p = cell
            idx = ev.cell(t, p)
            st.markdown(f"**True {t}, predicted {p}**: {int(ev.confusion[t, p])} images" +
                        (f" (the {len(idx)} most confident shown)" if len(idx) < ev.confusion[t, p] else ""))
            if len(idx):
                st.image([figs.digit_image(data.X_test[i], scale=3) for i in idx],
                         caption=[f"{ev.confidence[i]:.0%}" for i in idx])
        wrong = ev.most_confident_wrong(12)
        st.markdown("**The most confident mistakes**")
        if len(wrong):
            st.image([figs.digit_image(data.X_test[i], scale=3) for i in wrong],
                     caption=[f"{ev.labels[i]} read as {ev.predicted[i]} ({ev.confidence[i]:.0%})" for i in wrong])
        else:
            st.caption("None: every test image is right.")
        kind, weights = run.model.first_layer_weights()
        what = "3×3 filters of the first convolution" if kind == "filters" else "weights of the first hidden units, as 28×28 images"
        st.markdown(f"**First layer**: the {what} (red positive, blue negative)")
        st.image(figs.weights_image(kind, weights))


def _cell_of(point: Any) -> tuple[int, int] | None:
    """(true, predicted) from a clicked point's customdata (a list, or an index-keyed dict)."""
    custom = point.get("customdata") if isinstance(point, dict) else None
    if isinstance(custom, dict):
        custom = [custom.get("0", custom.get(0)), custom.get("1", custom.get(1))]
    try:
        t, p = (int(v) for v in custom)
    except (TypeError, ValueError):
        return None
    return (t, p) if 0 <= t < 10 and 0 <= p < 10 else None


def _selected_points(event: Any) -> list[dict[str, Any]]:
    try:
        return list(event["selection"]["points"])
    except (KeyError, TypeError):
        return []


def save_load_panel() -> None:
    run = _run()
    a, b = st.columns(2)
    with a:
        if run is not None and not run.running:
            with _lock():
                payload = run.model.to_bytes()
            st.download_button("Save your model (.npz)", data=payload, file_name="nnviz-digits-model.npz",
                               mime="application/octet-stream", icon=":material/save:", key="dg_save")
    with b:
        file = st.file_uploader("Load a saved model (.npz)", type=["npz"], key="dg_model_file",
                                help="A model saved here before; it then predicts on the canvas next to the default model.")
        if file is not None and _s().get("_dg_loaded_id") != file.file_id:
            try:
                model = DigitModel.load(file.getvalue(), name="your model")
            except ValueError as exc:
                st.error(f"That file cannot be loaded: {exc}", icon=":material/error:")
            else:
                with _lock():
                    _s()["dg_run"] = UserRun(model=model, label=f"{file.name}: {model.describe()}")
                    _s()["_dg_loaded_id"] = file.file_id
                    _s().pop("dg_cell", None)
                st.rerun()


def code_panel(settings: dict[str, Any] | None, data: mnist_files.Mnist | None) -> None:
    """Take the code away: the current settings as a PyTorch script and as a NumPy script with nnviz
    (``nnviz.labs.digits.code_export``), written when the user clicks."""
    st.markdown("**Take the code away.** A script that builds this network (the same layers, weight layout and "
                "initialization scheme) and trains it as **Start** does (the same images, batches, loss, optimizer "
                "and settings), then prints its test accuracy.")
    recipe = None if settings is None else code_export.Recipe.from_page(settings, AUGMENTATION)
    why_not = None if recipe is None else code_export.why_not_torch(recipe)
    torch_ok = recipe is not None and why_not is None
    fix = "Fix the settings above first."
    c1, c2 = st.columns(2)
    # The recipe is immutable: the callables run when the user clicks, outside this script run.
    c1.download_button("PyTorch script (.py)", data=(lambda: code_export.pytorch_script(recipe)) if torch_ok else "",
                       file_name=code_export.TORCH_FILE, mime="text/x-python", key="dg_dl_torch",
                       icon=":material/code:", on_click="ignore", use_container_width=True, disabled=not torch_ok,
                       help=("Needs numpy and torch, not nnviz." if torch_ok else
                             fix if recipe is None else f"Not for these settings: {why_not}."))
    c2.download_button("NumPy script with nnviz (.py)", data=(lambda: code_export.nnviz_script(recipe)) if recipe
                       else "", file_name=code_export.NNVIZ_FILE, mime="text/x-python", key="dg_dl_numpy",
                       icon=":material/code:", on_click="ignore", use_container_width=True, disabled=recipe is None,
                       help=("The nnviz engine as this page trains: the same seed, the same numbers. Run it from "
                             "nnviz's folder." if recipe else fix))
    if recipe is None:
        return
    steps = f" ({recipe.steps(len(data.y_train)):,} steps on this data)" if data is not None else ""
    torch_text = (f"PyTorch cannot train this network: {why_not}." if why_not else
                  "Where the PyTorch script differs. " + " ".join(code_export.torch_notes(recipe)))
    st.caption(f"Both take the MNIST folder as their argument (default `{code_export.DEFAULT_DATA}`, from nnviz's "
               f"folder) and train {recipe.epochs} epoch{'s' if recipe.epochs != 1 else ''}{steps}; `--steps N` and "
               f"`--limit N` (the first N test images) make a quick run. {torch_text}")


def train_section(default: DigitModel | None) -> None:
    st.markdown("Train a digit model yourself and compare it with the default one on the canvas.")
    data, _ = _data_panel()
    n_available = len(data.y_train) if data is not None else 5000
    settings = _settings_panel(n_available)
    controls(settings, data)
    live_panel(settings)
    evaluation_panel(data, default)
    save_load_panel()
    code_panel(settings, data)


# ---- the page --------------------------------------------------------------------------------


#: The training settings kept across a page switch (with each optimizer's own settings).
TRAINING_KEYS = ("dg_kind", "dg_hidden", "dg_filters", "dg_dense", "dg_activation", "dg_optimizer", "dg_lr",
                 "dg_batch", "dg_epochs", "dg_augment", "dg_speed", "dg_data", "dg_n_train")


# ---- the page's link (nnviz.labs.digits.link): the training and convolution settings -------------

#: Where the training settings start (what _settings_panel and controls seed).
TRAINING_DEFAULTS: dict[str, Any] = {
    "dg_kind": DEFAULT_KIND, "dg_hidden": "128", "dg_filters": list(FILTER_CHOICES)[2], "dg_dense": DENSE_CHOICES[2],
    "dg_activation": Architecture().activation, "dg_optimizer": "adam", "dg_lr": DEFAULT_LEARNING_RATE,
    "dg_batch": 64, "dg_epochs": DEFAULT_EPOCHS, "dg_augment": False, "dg_speed": DEFAULT_SPEED,
    "dg_data": "found", "dg_n_train": DEFAULT_TRAINING_IMAGES,
}


def link_fields(model: DigitModel | None) -> list:
    return digits_link.fields(kernels=convolution.kernel_names(model), filters=list(FILTER_CHOICES),
                              dense=DENSE_CHOICES, rates=LEARNING_RATES, batches=BATCH_SIZES, speeds=SPEEDS,
                              max_epochs=MAX_EPOCHS, data=list(DATA_SOURCES))


def link_defaults() -> dict[str, Any]:
    return {**TRAINING_DEFAULTS, **convolution.DEFAULTS}


def link_values() -> dict[str, Any]:
    """The page's settings as the link holds them (the chosen optimizer's own settings included)."""
    values = {k: state.value(k, v) for k, v in link_defaults().items()}
    starts = digits_link.optimizer_defaults(values["dg_optimizer"])
    values |= {k: state.value(k, v) for k, v in starts.items()}
    # The picked pixel; before the convolution tab has drawn (a first visit's first run), the centre
    # it will start at, so the link (and the warning about it) does not change in the second run.
    values[digits_link.CELL] = _s().get(digits_link.CELL) or digits_link.centre(values["dg_cv_padding"],
                                                                                 values["dg_cv_stride"])
    return values


def arrive_from_link(model: DigitModel | None) -> None:
    """In the run that enters the page from a link: its settings (the rest at their defaults)
    before any widget is drawn, remembered at once (the convolution tab draws in a later run)."""
    values = page_link.arrive("digits", link_fields(model))
    if not values:
        return
    values, messages = digits_link.resolve(values, link_defaults(), FILTER_CHOICES)
    cell = values.pop(digits_link.CELL)
    page_link.apply_widgets(values)
    if cell is None:
        _s().pop(digits_link.CELL, None)
    else:
        _s()[digits_link.CELL] = cell
    state.remember(values)
    page_link.add_problems("digits", messages)


def share_section(model: DigitModel | None) -> None:
    page_link.share_expander(
        "digits", link_fields(model), link_values(),
        caption="The link holds the settings of **Train your own model** (the training data's source, but not a "
                "folder's path, which is your machine's own) and **Inside a convolution**. Your drawing and your "
                "trained model are not in it: save the model as a file to share it.")


def render() -> None:
    st.title(":material/draw: Digits")
    st.caption("Draw a digit and watch the network's softmax probabilities; train your own digit model.")
    model = None
    try:
        model = default_model()
    except (DefaultModelMissing, ValueError) as exc:
        st.error(f"The default digit model could not be loaded: {exc}", icon=":material/error:")
    arrive_from_link(model)
    notice = st.container()  # the link's problems, filled at the end (against this run's settings)
    # Plain tabs, every one drawn in every run: with stateful tabs (on_change="rerun") a click on a tab
    # reran the page before the hidden tab's widgets had ever drawn, and Streamlit 1.67 then drew them
    # at their defaults and sent those back (the training settings fell to a step activation and a
    # speed of 1; CONTRIBUTING.md).
    draw_tab, train_tab, conv_tab = st.tabs(list(TABS))
    with draw_tab:
        draw_section(model)
        if model is not None:
            info = model.info
            acc = info.get("test_accuracy")
            st.caption(f"Default model: {model.describe()}"
                       + (f"; {acc:.2%} on the official 10,000 MNIST test images" if acc else "")
                       + (f", trained on {info['training_data']['images']:,} images" if "training_data" in info else "")
                       + ".")
    # On a first visit the two tabs not shown come in the second run (their settings, a link's too,
    # keep their values meanwhile). The element that asks for them sits below the tabs: a tab that is
    # not shown is not in the page at all, so nothing in it would run.
    if first_paint.rest_is_due("digits", "the training and convolution tabs"):
        with train_tab:
            train_section(model)
        with conv_tab:
            convolution.render_tab(_s().get("dg_cv_drawing"), model)
    share_section(model)
    current = link_values()
    with notice:
        page_link.problems("digits", link_fields(model), current)
    page_link.sync(link_fields(model), current)
    state.remember(TRAINING_KEYS, prefixes=tuple(f"dg_{name}_" for name in optimizers.names()))
