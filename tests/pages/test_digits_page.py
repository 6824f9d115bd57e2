"""The digits page through AppTest: renders offline with the default model, predicts a drawing
set through the canvas component's state, says "draw a digit" on an empty canvas, and keeps
the drawing when an upload is bad; trains in the page, the training view (a canvas component,
an unknown element to AppTest) read as the packed batch it received (``nnviz.labs.packing``)."""

from __future__ import annotations

import base64
import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image, ImageDraw
from streamlit.testing.v1 import AppTest

from nnviz.figures.canvas_chart import read
from nnviz.labs.explain import convolution as conv_lab
from nnviz.labs.packing import unpack
from nnviz.nn.training import Trainer
from nnviz.ui.digits import EMPTY_MESSAGE
from tests.pages.links import link_warning as _link_warning
from tests.pages.links import open_link, open_share
from tests.pages.places import places

PAGE = "../../pages/digits.py"


def canvas_state(strokes: list[list[tuple[float, float]]], width: int = 18) -> dict:
    """What streamlit-drawable-canvas 0.13 keeps in session state after drawing ``strokes``."""
    img = Image.new("RGBA", (280, 280), (0, 0, 0, 255))
    draw = ImageDraw.Draw(img)
    for pts in strokes:
        draw.line(pts, fill=(255, 255, 255, 255), width=width, joint="curve")
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    url = "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()
    objects = [{"type": "path", "path": [["M", *pts[0]], *[["L", *p] for p in pts[1:]]]} for pts in strokes]
    return {"drawing": {"raw": {"objects": objects, "background": "#000000"}, "data": url}, "backgroundFit": None}


SEVEN = [[(80, 60), (200, 60), (120, 230)]]
ONE = [[(140, 50), (140, 230)]]


def _app() -> AppTest:
    return AppTest.from_file(PAGE, default_timeout=60)


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_page_renders_offline_and_asks_for_a_drawing():
    at = _app().run()
    assert not at.exception, at.exception
    assert any(EMPTY_MESSAGE in i.value for i in at.info)
    assert not [m for m in at.metric if "says" in m.label]  # no digit for a blank canvas
    assert not at.error


def test_a_blank_canvas_image_gives_no_prediction():
    at = _app()
    at.session_state["dg_canvas"] = canvas_state([])
    at.run()
    assert not at.exception
    assert any(EMPTY_MESSAGE in i.value for i in at.info)
    assert not [m for m in at.metric if "says" in m.label]


@pytest.mark.parametrize(("strokes", "digit"), [(SEVEN, "7"), (ONE, "1")])
def test_a_drawing_gives_a_prediction(strokes, digit):
    at = _app()
    at.session_state["dg_canvas"] = canvas_state(strokes)
    at.run()
    assert not at.exception, at.exception
    assert _metrics(at).get("Default model says") == digit
    assert not any(EMPTY_MESSAGE in i.value for i in at.info)
    captions = " ".join(c.value for c in at.caption)
    assert "sure" in captions
    assert len(at.get("image")) >= 3  # the 28x28 input, the saliency map, hidden layers


def _train_small(at: AppTest, kind: str = "mlp", augment: bool = False) -> AppTest:
    """One epoch on 450 images. Augmentation off unless asked: its harder images need more than
    these 8 steps to beat 50% test accuracy."""
    at.radio(key="dg_kind").set_value(kind)
    at.run()
    at.slider(key="dg_n_train").set_value(500)
    at.number_input(key="dg_epochs").set_value(1)
    at.toggle(key="dg_augment").set_value(augment)
    at.run()
    at.button(key="dg_start").click().run()
    for _ in range(20):  # each run runs the training fragment once (one chunk)
        run = at.session_state["dg_run"]
        if not run.running:
            break
        at.run()
    return at


def test_train_your_own_model_then_see_it_on_the_canvas(mnist_folder):
    at = _app().run()
    _train_small(at)
    assert not at.exception, at.exception
    run = at.session_state["dg_run"]
    assert not run.running and run.trainer.step == run.trainer.steps_per_epoch
    at.run()  # after the run stops, the evaluation appears
    assert not at.exception, at.exception
    labels = _metrics(at)
    assert "Test accuracy" in labels and float(labels["Test accuracy"].rstrip("%")) > 50
    assert at.get("plotly_chart"), "confusion matrix"
    at.session_state["dg_canvas"] = canvas_state(SEVEN)
    at.run()
    labels = _metrics(at)
    assert labels.get("Default model says") == "7" and "Your model says" in labels


def _training_view(at: AppTest) -> tuple[dict, dict]:
    """(header, arrays) of the batch the training view received in the last run."""
    views = [unpack(c.proto.bytes) for c in at.get("bidi_component") if c.proto.component_name.endswith("digits_view")]
    assert len(views) == 1
    return views[0]


def test_training_plays_batches_pause_shows_the_true_state_and_start_goes_on(mnist_folder, monkeypatch):
    from nnviz.ui import digits as ui

    monkeypatch.setattr(ui, "TRAIN_SECONDS", 1e-9)  # one step a tick (the least), whatever the speed
    at = _app().run()
    at.radio(key="dg_kind").set_value("mlp").run()
    at.slider(key="dg_n_train").set_value(500)
    at.number_input(key="dg_epochs").set_value(2)
    at.toggle(key="dg_augment").set_value(False).run()
    at.button(key="dg_start").click().run()
    assert not at.exception, at.exception
    run = at.session_state["dg_run"]
    tr = run.trainer
    at.run()
    header, a = _training_view(at)
    assert run.running and header["running"] and header["status"] == "training"
    assert header["frames"][-1]["step"] == tr.step == 2 and header["total"] == 2 * tr.steps_per_epoch == 16
    assert len(a["epoch"]) == header["frames"][-1]["evals"] == len(tr.history.eval_steps) == 2  # steps 1, 2
    at.button(key="dg_pause").click().run()
    header, _ = _training_view(at)
    assert not run.running and not header["running"] and header["status"] == "paused"
    assert header["frames"] == [{"step": 2, "epoch": round(tr.epoch, 4), "evals": 2}]  # the true state at once
    at.run()
    assert tr.step == 2  # paused: the view's runs train nothing
    assert "Test accuracy" in _metrics(at)  # evaluated while paused
    at.button(key="dg_start").click().run()  # goes on with the same model
    assert at.session_state["dg_run"].trainer is tr and tr.step == 3
    for _ in range(20):
        if not run.running:
            break
        at.run()
    assert not run.running and tr.step == 16
    header, _ = _training_view(at)
    assert header["status"] == "finished" and header["frames"][-1]["step"] == 16 and not header["running"]
    assert at.button(key="dg_pause").disabled and "Test accuracy" in _metrics(at)


def test_the_default_is_the_mlp_with_the_cnns_cost_beside_the_choice(mnist_folder):
    from nnviz.ui.digits import CNN_COST, DEFAULT_SPEED

    at = _app().run()
    assert at.radio(key="dg_kind").value == "mlp" and at.select_slider(key="dg_speed").value == DEFAULT_SPEED
    assert any(f"about {CNN_COST}× the compute per step" in c.value and "prefer the MLP" in c.value for c in at.caption)


def test_a_tick_trains_the_speeds_steps_and_a_new_speed_applies_from_the_next_tick(mnist_folder, monkeypatch):
    from nnviz.ui import digits as ui

    # Ticks 10 s apart: AppTest's runs, back to back, each stand for one tick (a tick covers at
    # least a tick's time and at most 1.5 ticks': no run here takes 5 s, even on a busy machine).
    monkeypatch.setattr(ui, "TICK_SECONDS", 10.0)
    at = _app().run()
    at.slider(key="dg_n_train").set_value(500)
    at.number_input(key="dg_epochs").set_value(20)
    at.select_slider(key="dg_speed").set_value(1).run()
    at.button(key="dg_start").click().run()  # the first tick: one tick's worth of steps
    tr = at.session_state["dg_run"].trainer
    assert tr.step == 10, tr.step
    header, _ = _training_view(at)
    assert [f["step"] for f in header["frames"]] == list(range(1, 11))  # few steps: a frame each
    at.run()
    assert tr.step == 20
    at.select_slider(key="dg_speed").set_value(2).run()  # changed while running
    assert at.session_state["dg_run"].trainer is tr and tr.step == 40


def test_in_page_training_augments_each_batch_unless_switched_off(mnist_folder):
    from nnviz.data.augment import Augmenter
    from nnviz.ui.digits import AUGMENTATION

    at = _app().run()
    assert at.toggle(key="dg_augment").value is False  # off by default: ~5x an MLP step on the server
    assert any("fresh random variant" in c.value and AUGMENTATION.describe() in c.value for c in at.caption)
    _train_small(at, augment=True)
    assert not at.exception, at.exception
    tr = at.session_state["dg_run"].trainer
    assert tr.transform == Augmenter(AUGMENTATION) and tr.step == tr.steps_per_epoch
    at.number_input(key="dg_epochs").set_value(2)
    at.toggle(key="dg_augment").set_value(False).run()
    at.button(key="dg_start").click().run()  # goes on with the same model, now without augmentation
    assert not at.exception, at.exception
    assert at.session_state["dg_run"].trainer is tr and tr.transform is None and tr.step > tr.steps_per_epoch


def test_two_sessions_train_on_one_read_only_shuffled_copy_as_the_page_did_before(mnist_folder):
    """Two sessions' runs (500 and 1,000 images) train and validate on slices of the one shuffled copy
    of the training images the server holds (``nnviz.ui.digits._shuffled``), read-only; the images are
    those the page drew before it shared them (the first n of permutation(N) with seed 0: a tenth to
    validate, the rest to train), and a run trains the same weights as a run on its own copies of them."""
    from nnviz.data.mnist_files import load_mnist
    from nnviz.ui import digits as ui

    ui._shuffled.clear()
    data = load_mnist(mnist_folder)
    order = np.random.default_rng(0).permutation(len(data.y_train))
    trainers = []
    for n in (500, 1000):
        at = _app().run()
        at.slider(key="dg_n_train").set_value(n)
        at.number_input(key="dg_epochs").set_value(1)
        at.toggle(key="dg_augment").set_value(False).run()
        at.button(key="dg_start").click().run()
        for _ in range(20):
            if not at.session_state["dg_run"].running:
                break
            at.run()
        assert not at.exception, at.exception
        run = at.session_state["dg_run"]
        tr = run.trainer
        assert not run.running and tr.step == tr.steps_per_epoch
        n_val = min(1000, max(1, n // 10))
        val, train = order[:n][:n_val], order[:n][n_val:]
        expected = (data.X_train[train], data.y_train[train], data.X_train[val], data.y_train[val])
        for got, want in zip((tr.X, tr.y, tr.X_val, tr.y_val), expected, strict=True):
            assert got.shape == want.shape and np.array_equal(got, want)
            assert not got.flags.writeable and got.base is not None and len(got.base) == len(data.y_train)
        with pytest.raises(ValueError, match="read-only"):
            tr.X[0, 0, 0] = 1.0
        before = Trainer(run.architecture.build(seed=0), tr.config, *expected, probe_size=64, eval_size=500)
        before.run(steps=tr.step)
        assert all(np.array_equal(before.net.params[k], v) for k, v in tr.net.params.items())
        assert list(before.history.loss) == list(tr.history.loss)
        assert list(before.history.val_accuracy) == list(tr.history.val_accuracy)
        trainers.append(tr)
    a, b = trainers
    assert a.X.base is b.X.base and a.X_val.base is b.X.base  # one copy for both sessions
    assert a.y.base is b.y_val.base
    assert np.array_equal(a.X_val, b.X_val[: len(a.X_val)])


def test_a_diverged_run_is_shown_not_raised(mnist_folder):
    at = _app().run()
    _train_small(at)
    at.session_state["dg_run"].trainer.diverged = 3
    at.run()
    assert not at.exception, at.exception
    assert any("Diverged at step 3" in e.value for e in at.error)


def png_bytes(array, mode: str = "L") -> bytes:
    buf = io.BytesIO()
    Image.fromarray(array, mode=None).convert(mode).save(buf, format="PNG")
    return buf.getvalue()


def bomb_png(width: int = 100_000, height: int = 100_000) -> bytes:
    """A PNG whose header claims width x height pixels (decoding it would need gigabytes)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 1024)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def black_on_white_four() -> bytes:
    img = Image.new("L", (200, 240), 255)
    draw = ImageDraw.Draw(img)
    draw.line([(130, 220), (130, 20), (40, 150), (170, 150)], fill=0, width=16, joint="curve")
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=90)
    return buf.getvalue()


@pytest.mark.parametrize(("name", "data", "message"), [
    ("notes.png", b"this is not an image", "not an image file"),
    ("huge.png", b"\x89PNG" + b"\x00" * 5_200_000, "limit is 5 MB"),
    ("bomb.png", bomb_png(), "too large"),
], ids=["not-an-image", "over-5-MB", "decompression-bomb"])
def test_a_bad_upload_gives_a_clear_message_and_keeps_the_drawing(name, data, message):
    at = _app()
    at.session_state["dg_canvas"] = canvas_state(SEVEN)
    at.run()
    at.file_uploader(key="dg_upload").upload(name, data, "image/png").run()
    assert not at.exception, at.exception
    errors = " ".join(e.value for e in at.error)
    assert message in errors and "drawing is used instead" in errors
    assert _metrics(at).get("Default model says") == "7"


def test_an_uploaded_black_on_white_photo_is_classified():
    at = _app()
    at.session_state["dg_canvas"] = canvas_state(SEVEN)
    at.run()
    at.file_uploader(key="dg_upload").upload("four.jpg", black_on_white_four(), "image/jpeg").run()
    assert not at.exception, at.exception
    assert at.radio(key="dg_source").value == "uploaded image"
    assert _metrics(at).get("Default model says") == "4"
    at.radio(key="dg_source").set_value("drawing").run()
    assert _metrics(at).get("Default model says") == "7"


def test_a_bad_model_file_is_refused_clearly():
    at = _app().run()
    at.file_uploader(key="dg_model_file").upload("model.npz", b"PK\x03\x04 broken", "application/octet-stream").run()
    assert not at.exception, at.exception
    assert any("cannot be loaded" in e.value for e in at.error)
    assert "dg_run" not in at.session_state


def test_offline_download_says_where_to_put_the_files(monkeypatch, tmp_path):
    from nnviz.data import mnist_files

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(mnist_files, "MNIST_MIRRORS", ("http://127.0.0.1:9/",))  # nothing listens: offline
    at = _app().run()
    at.radio(key="dg_data").set_value("download").run()
    assert any("Download MNIST" in i.value for i in at.info)
    at.button(key="dg_download").click().run()
    assert not at.exception, at.exception
    text = " ".join(w.value for w in at.warning)
    assert "could not download" in text and "NNVIZ_MNIST" in text
    assert at.button(key="dg_start").disabled


def test_a_folder_without_mnist_is_explained(tmp_path):
    at = _app().run()
    at.radio(key="dg_data").set_value("folder").run()
    at.text_input(key="dg_folder").input(str(tmp_path / "nowhere")).run()
    assert not at.exception, at.exception
    assert any("MNIST files not found" in w.value for w in at.warning)


def test_a_saved_model_loads_and_predicts_next_to_the_default(tmp_path):
    from nnviz.labs.digits.architectures import mlp
    from nnviz.labs.digits.model import DigitModel

    saved = DigitModel(mlp((16,), seed=1)).to_bytes()
    at = _app()
    at.session_state["dg_canvas"] = canvas_state(SEVEN)
    at.run()
    at.file_uploader(key="dg_model_file").upload("mine.npz", saved, "application/octet-stream").run()
    assert not at.exception, at.exception
    labels = _metrics(at)
    assert labels.get("Default model says") == "7" and "Your model says" in labels
    assert at.session_state["dg_run"].trainer is None
    charts = [read(c.proto.bytes) for c in at.get("bidi_component") if c.proto.component_name.endswith("canvas_chart")]
    titles = [c["header"]["title"] for c in charts if "softmax" in c["header"]["title"]]  # not the convolution tab's
    assert titles == ["Default model: softmax probabilities", "Your model: softmax probabilities"]
    assert max(charts[0]["bars"], key=charts[0]["bars"].get) == "7"  # the bars are the prediction
    assert not at.get("vega_lite_chart")


def test_training_settings_survive_a_page_switch(mnist_folder):
    at = AppTest.from_file("../../app.py", default_timeout=60).run()
    at.switch_page("pages/digits.py").run()
    at.radio(key="dg_kind").set_value("mlp").run()
    at.text_input(key="dg_hidden").input("64, 32").run()
    at.selectbox(key="dg_optimizer").set_value("sgd").run()
    at.number_input(key="dg_epochs").set_value(5).run()
    at.switch_page("pages/functions.py").run()
    at.switch_page("pages/digits.py").run()
    assert not at.exception, at.exception
    assert at.radio(key="dg_kind").value == "mlp" and at.text_input(key="dg_hidden").value == "64, 32"
    assert at.selectbox(key="dg_optimizer").value == "sgd" and at.number_input(key="dg_epochs").value == 5


def test_hostile_model_files_give_one_message_and_keep_the_drawing():
    """The issue's files (a huge architecture, Infinity in the record, deep nesting): one clear
    message each, no traceback on this or the next run, and the drawing still predicted."""
    from tests.nn.test_model_files import arrays_of, model_bytes, small

    net = small()
    huge = net.config()
    huge["layers"][0]["units"] = 10**12
    infinite = dict(net.config(), seed=float("inf"))
    deep = __import__("json").dumps(net.config())[:-1] + ', "x": ' + "[" * 100_000 + "]" * 100_000 + "}"
    for i, record in enumerate((huge, infinite, deep)):
        at = _app()
        at.session_state["dg_canvas"] = canvas_state(SEVEN)
        at.run()
        at.file_uploader(key="dg_model_file").upload(f"m{i}.npz", model_bytes(record, arrays_of(net)),
                                                     "application/octet-stream").run()
        assert not at.exception, at.exception
        assert sum("cannot be loaded" in e.value for e in at.error) == 1
        at.run()
        assert not at.exception and _metrics(at).get("Default model says") == "7"


class _Says:
    """The default model, but with fixed probabilities for every image (the rest is the real model's)."""

    def __init__(self, model, probabilities):
        self._model, self._p = model, np.asarray(probabilities, dtype=np.float32)

    def predict_proba(self, x):
        return self._p[None]

    def __getattr__(self, name):
        return getattr(self._model, name)


def _says(p2: float, p3: float) -> list[float]:
    """Probabilities with ``p2`` for a 2, ``p3`` for a 3 and the rest spread over the other digits."""
    rest = (1.0 - p2 - p3) / 8
    return [p2 if k == 2 else p3 if k == 3 else rest for k in range(10)]


@pytest.mark.parametrize(("p2", "p3", "unsure"), [(0.54, 0.30, True), (0.69, 0.25, True), (0.72, 0.2, False),
                                                  (0.95, 0.01, False)])
def test_an_unsure_guess_says_so_with_the_runner_up(monkeypatch, p2, p3, unsure):
    """A scribble read as "2" at 54% is not a confident answer: below UNSURE_BELOW (70%) the page says so,
    naming the next guess and the rule."""
    from nnviz.labs.digits.model import UNSURE_BELOW
    from nnviz.ui import digits as ui

    real = ui.default_model()
    monkeypatch.setattr(ui, "default_model", lambda: _Says(real, _says(p2, p3)))
    at = _app()
    at.session_state["dg_canvas"] = canvas_state(SEVEN)
    at.run()
    assert not at.exception, at.exception
    assert _metrics(at).get("Default model says") == "2"
    notes = [w.value for w in at.warning if "unsure" in w.value]
    if unsure:
        [note] = notes
        assert f"top guess, 2, has only {p2:.1%}" in note and f"the next, 3, {p3:.1%}" in note
        assert f"under {UNSURE_BELOW:.0%}" in note
    else:
        assert notes == []


def test_the_model_size_is_said_before_start_and_a_too_large_one_is_refused_keeping_the_settings(mnist_folder):
    """Issue 14: 6 hidden layers of 4,096 units (87 million parameters) could be started on a 2-core server.
    The page says the model's size before Start, and refuses one past MAX_PARAMETERS with its size, keeping
    the text so it can be fixed."""
    from nnviz.labs.digits.size import MAX_PARAMETERS

    at = _app().run()
    sizes = [c.value for c in at.caption if "Your model:" in c.value]
    assert sizes == [f":material/memory: Your model: MLP: 784 → 128 → 10 (relu), **101,770 parameters** "
                     f"(at most {MAX_PARAMETERS:,} train here)."]
    assert not at.button(key="dg_start").disabled
    at.text_input(key="dg_hidden").set_value("4096, 4096").run()
    assert not at.exception
    [error] = [e.value for e in at.error if "parameters" in e.value]
    assert "20,037,642 parameters" in error and f"more than the {MAX_PARAMETERS:,}" in error
    assert at.button(key="dg_start").disabled and "dg_run" not in at.session_state
    assert not [c for c in at.caption if "Your model:" in c.value]
    assert at.text_input(key="dg_hidden").value == "4096, 4096"  # kept, to fix
    at.text_input(key="dg_hidden").set_value("1024").run()
    assert not at.error and not at.button(key="dg_start").disabled
    assert any("**814,090 parameters**" in c.value for c in at.caption)
    at.radio(key="dg_kind").set_value("cnn").run()
    cnn = "CNN: conv 8 → conv 16 → dense 64 → 10 (relu), **52,138 parameters**"
    assert any(cnn in c.value for c in at.caption)


def test_every_training_control_states_its_limits(mnist_folder):
    from nnviz.labs.digits.size import MAX_PARAMETERS

    at = _app().run()
    assert "up to 6 layers of 1 to 4,096 units" in at.text_input(key="dg_hidden").help
    assert f"at most {MAX_PARAMETERS:,} parameters" in at.text_input(key="dg_hidden").help
    assert "16 to 256" in at.select_slider(key="dg_batch").help
    assert "1 to 100" in at.number_input(key="dg_epochs").help
    assert f"500 to {int(at.slider(key='dg_n_train').max):,}" in at.slider(key="dg_n_train").help
    assert "1 to 500" in at.select_slider(key="dg_speed").help
    assert "1e-05 to 30" in at.select_slider(key="dg_lr").help
    at.radio(key="dg_kind").set_value("cnn").run()
    assert "1 or 2 conv blocks of 8 to 64 filters" in at.selectbox(key="dg_filters").help
    assert "0 (none) to 128 units" in at.selectbox(key="dg_dense").help


def test_bad_hidden_sizes_are_explained_beside_the_box_without_echoing_the_text():
    """The text is the user's: it stays in its box and never reaches Markdown (an image link would load)."""
    at = _app().run()
    at.text_input(key="dg_hidden").set_value("64, ![x](http://127.0.0.1:9/pixel.png)").run()
    assert not at.exception
    [error] = [e.value for e in at.error]
    assert "whole numbers above 0" in error and "pixel" not in error
    assert at.button(key="dg_start").disabled
    assert at.text_input(key="dg_hidden").value == "64, ![x](http://127.0.0.1:9/pixel.png)"


def _conv(at: AppTest) -> dict:
    """The convolution tab's grids (input, feature map) as the element received them."""
    element = next(el for el in at.get("bidi_component") if isinstance(el.proto.json, str) and '"images"' in el.proto.json)
    import json
    return json.loads(element.proto.json)


def test_inside_a_convolution_shows_the_1d_sum_and_a_kernels_window_on_a_digit():
    at = _app()
    at.run()
    assert not at.exception, at.exception
    latex = "\n".join(el.value for el in at.latex)
    assert r"\int f(\tau)" in latex and r"(f * g)[2] = f[0]\,g[2] + f[1]\,g[1] + f[2]\,g[0]" in latex
    assert "= 1 \\cdot 0.5 + 2 \\cdot 1 + 3 \\cdot 0 = 2.5" in latex
    grids = _conv(at)["images"]
    assert [(g["h"], g["w"]) for g in grids] == [(28, 28), (28, 28)] and grids[0]["margin"] == 1
    assert grids[1]["box"] == [14, 14, 14, 14]  # the centre pixel to begin with
    # Valid padding and stride 2: a 13x13 map; the shown pixel follows the session's choice.
    at.radio(key="dg_cv_padding").set_value("valid")
    at.selectbox(key="dg_cv_stride").set_value(2)
    at.session_state["dg_cv_cell"] = (3, 4)
    at.run()
    grids = _conv(at)["images"]
    assert (grids[1]["h"], grids[1]["w"]) == (13, 13) and grids[0]["margin"] == 0
    assert grids[0]["box"] == [6, 8, 8, 10] and grids[1]["box"] == [3, 4, 3, 4]
    assert r"(x \star K)[3, 4]" in "\n".join(el.value for el in at.latex)
    # One of the default model's own filters, then a typed kernel; a bad one says which row.
    assert "filter 1" in at.selectbox(key="dg_cv_kernel").options
    at.selectbox(key="dg_cv_kernel").set_value("type your own")
    at.run()
    at.text_area(key="dg_cv_custom").set_value("1 1 1; 1 x 1; 1 1 1")
    at.run()
    assert any("Row 2: 'x' is not a number" in e.value for e in at.error)
    before = places(at.main)  # the errors have fixed places: the grids below stay where they are
    at.text_area(key="dg_cv_custom").set_value("0 0 0; 0 2 0; 0 0 0")
    at.toggle(key="dg_cv_flip").set_value(True)
    at.run()
    assert not at.error and r"(x * K)[3, 4]" in "\n".join(el.value for el in at.latex)
    assert places(at.main) == before
    # A typing error in the 1D signals keeps the last ones that could be read.
    at.text_input(key="dg_cv_f").set_value("1, two")
    at.run()
    assert any("Showing the last signals" in e.value for e in at.error)
    assert places(at.main) == before
    assert "= 2.5" in "\n".join(el.value for el in at.latex)


def test_the_drawing_goes_under_the_kernel_and_the_hidden_layers_point_there():
    at = _app()
    assert at.run().radio(key="dg_cv_source").value == "example"  # nothing drawn yet
    at.session_state["dg_canvas"] = canvas_state(SEVEN)
    at.run()
    assert not at.exception, at.exception
    assert any("Inside a convolution" in m.value and "feature maps" in m.value for m in at.markdown)
    assert at.radio(key="dg_cv_source").value == "drawing"
    assert _conv(at)["images"][0]["title"].startswith("Input: your drawing")


# ---- the page's link ----------------------------------------------------------------------------

def _from_link(params: dict[str, str]) -> AppTest:
    return open_link(PAGE, params)


def test_the_links_defaults_are_what_the_page_starts_with():
    from nnviz.ui.digits import TRAINING_DEFAULTS, link_defaults
    at = _app().run()
    assert not at.exception
    shown = {k: at.session_state[k] for k in link_defaults() if k in at.session_state}
    assert shown == {k: v for k, v in link_defaults().items() if k in shown}
    assert set(TRAINING_DEFAULTS) - {"dg_hidden", "dg_filters", "dg_dense"} <= set(shown)  # drawn: compared
    assert "dg_cv_kernel" in shown and "dg_hidden" in shown  # the convolution tab and the MLP's box


def test_a_link_sets_the_training_and_convolution_settings():
    at = _from_link({"arch": "cnn", "filters": "16-32", "dense": "128", "act": "tanh", "opt": "momentum",
                     "momentum.beta": "0.8", "lr": "0.001", "batch": "128", "epochs": "3", "aug": "1", "speed": "10",
                     "kernel": "sharpen", "pad": "valid", "stride": "2", "flip": "1", "pixel": "3,4", "f": "1,2",
                     "g": "1,1", "shift": "1"})
    assert not at.exception and _link_warning(at) is None
    assert at.radio(key="dg_kind").value == "cnn" and at.selectbox(key="dg_filters").value == "16 → 32"
    assert at.selectbox(key="dg_dense").value == 128 and at.selectbox(key="dg_activation").value == "tanh"
    assert at.selectbox(key="dg_optimizer").value == "momentum" and at.slider(key="dg_momentum_beta").value == 0.8
    assert at.select_slider(key="dg_lr").value == 0.001 and at.select_slider(key="dg_batch").value == 128
    assert at.number_input(key="dg_epochs").value == 3 and at.toggle(key="dg_augment").value is True
    assert at.select_slider(key="dg_speed").value == 10
    from nnviz.labs.digits.architectures import Architecture
    from nnviz.labs.digits.size import parameter_count
    n = parameter_count(Architecture(kind="cnn", filters=(16, 32), dense=128, activation="tanh"))
    assert any(f"{n:,} parameters" in c.value for c in at.caption)  # the size said is the link's model's
    grids = _conv(at)["images"]  # what is drawn: valid padding, stride 2, the link's pixel
    assert (grids[1]["h"], grids[1]["w"]) == (13, 13) and grids[1]["box"] == [3, 4, 3, 4]
    latex = "\n".join(el.value for el in at.latex)
    assert r"(x * K)[3, 4]" in latex and "(f * g)[1]" in latex
    assert at.query_params["filters"] == "16-32" and at.query_params["pixel"] == "3,4"
    assert any("digits?arch=cnn" in c.value for c in open_share(at, "digits").code)


def test_a_bad_link_says_what_it_ignored_and_keeps_the_rest():
    at = _from_link({"arch": "mlp", "hidden": "1024,1024,1024", "lr": "0.5", "kernel": "emboss", "stride": "2",
                     "drawing": "x"})
    assert not at.exception
    problems = _link_warning(at) or ""
    for part in ("ignored lr='0.5'", "ignored kernel='emboss'", "unknown link parameter drawing",
                 "ignored the link's architecture"):
        assert part in problems, problems
    assert at.text_input(key="dg_hidden").value == "128" and at.select_slider(key="dg_lr").value == 0.003
    assert at.selectbox(key="dg_cv_stride").value == 2  # the link's good values stay
    at.selectbox(key="dg_cv_stride").set_value(3).run()
    assert _link_warning(at) is None and at.query_params["stride"] == "3"


def test_a_link_sets_the_training_data_and_caps_its_images_at_what_the_data_has(mnist_folder):
    at = _from_link({"data": "found", "images": "2000"})
    assert not at.exception and _link_warning(at) is None
    assert at.radio(key="dg_data").value == "found" and at.slider(key="dg_n_train").value == 2000
    assert at.query_params["images"] == "2000"
    at = _from_link({"images": "60000"})  # the full MNIST's count, on the 5,000-image subset
    available = int(at.slider(key="dg_n_train").max)
    assert not at.exception and _link_warning(at) is None and available < 60_000
    assert at.slider(key="dg_n_train").value == available
    assert any(f"60,000 training images were asked for; this data has {available:,}" in c.value for c in at.caption)
    at = _from_link({"data": "floppy", "images": "12"})
    problems = _link_warning(at) or ""
    assert "ignored data='floppy'" in problems and "ignored images='12'" in problems, problems
    assert at.radio(key="dg_data").value == "found" and at.slider(key="dg_n_train").value == 5000


def test_class_mode_hides_the_convolutions_controls_and_keeps_their_values():
    at = _from_link({"stride": "2", "kernel": "sharpen", "hide": "stride,kernel,pad,flip"})
    assert not at.exception and _link_warning(at) is None
    for key in ("dg_cv_stride", "dg_cv_kernel"):
        assert not [w for w in at.selectbox if w.key == key], key
    assert not [w for w in at.radio if w.key == "dg_cv_padding"] and not [w for w in at.toggle if w.key == "dg_cv_flip"]
    for _ in range(2):  # and in the runs after, from the remembered values
        grids = _conv(at)["images"]
        assert (grids[1]["h"], grids[1]["w"]) == (14, 14)  # same padding, stride 2
        what = conv_lab.KERNELS["sharpen"][1]
        assert next(c.value for c in at.caption if c.value.startswith("Kernel:")).startswith(f"Kernel: {what}.")
        at.run()


# ---- take the code away ------------------------------------------------------------------------


@pytest.fixture()
def downloads(monkeypatch) -> dict:
    """file name -> the callable a download button was given, as the page's last run registered it
    (AppTest's media manager lives only during a run; the button's proto holds just an id)."""
    from streamlit.runtime.media_file_manager import MediaFileManager

    made: dict = {}
    register = MediaFileManager.add_deferred

    def spy(self, fn, mimetype, coordinates, file_name=None, **kwargs):
        made[file_name] = fn
        return register(self, fn, mimetype, coordinates, file_name=file_name, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add_deferred", spy)
    return made


def _code_buttons(at: AppTest) -> dict:
    return {b.proto.label: b.proto for b in at.get("download_button") if "script" in b.proto.label}


def test_the_code_downloads_are_scripts_for_the_current_settings(mnist_folder, downloads):
    from nnviz.labs.digits.architectures import Architecture
    from nnviz.labs.digits.code_export import NNVIZ_FILE, TORCH_FILE, Recipe, nnviz_script, pytorch_script
    from nnviz.ui.digits import AUGMENTATION

    at = _app().run()
    at.radio(key="dg_kind").set_value("cnn").run()
    at.selectbox(key="dg_filters").set_value("8")
    at.selectbox(key="dg_dense").set_value(32)
    at.selectbox(key="dg_activation").set_value("tanh")
    at.selectbox(key="dg_optimizer").set_value("momentum").run()
    at.select_slider(key="dg_lr").set_value(0.03)
    at.select_slider(key="dg_batch").set_value(32)
    at.number_input(key="dg_epochs").set_value(3)
    at.slider(key="dg_n_train").set_value(1000)
    at.toggle(key="dg_augment").set_value(True).run()
    assert not at.exception, at.exception
    buttons = _code_buttons(at)
    assert set(buttons) == {"PyTorch script (.py)", "NumPy script with nnviz (.py)"}
    assert not any(b.disabled for b in buttons.values())
    expected = Recipe(architecture=Architecture(kind="cnn", filters=(8,), dense=32, activation="tanh"),
                      optimizer="momentum", optimizer_params={"beta": 0.9}, learning_rate=0.03, batch_size=32,
                      epochs=3, n_train=1000, augmentation=AUGMENTATION)
    torch_source, nnviz_source = downloads[TORCH_FILE](), downloads[NNVIZ_FILE]()
    assert torch_source == pytorch_script(expected) and nnviz_source == nnviz_script(expected)
    assert "nn.Tanh()" in torch_source and "BATCH_SIZE = 32" in torch_source and "momentum=0.9" in torch_source
    caption = next(c.value for c in at.caption if "--steps N" in c.value)
    assert f"train 3 epochs ({expected.steps(5000):,} steps on this data)" in caption
    assert "PyTorch's own random draw" in caption

    at.selectbox(key="dg_activation").set_value("step").run()  # no gradient: PyTorch cannot train it
    buttons = _code_buttons(at)
    assert buttons["PyTorch script (.py)"].disabled and "no gradient" in buttons["PyTorch script (.py)"].help
    assert not buttons["NumPy script with nnviz (.py)"].disabled
    assert any("PyTorch cannot train this network" in c.value and "no gradient" in c.value for c in at.caption)

    at.radio(key="dg_kind").set_value("mlp").run()
    at.text_input(key="dg_hidden").set_value("64, x").run()  # invalid settings: nothing to write
    assert not at.exception
    assert all(b.disabled and "Fix the settings above" in b.help for b in _code_buttons(at).values())


def test_the_downloaded_nnviz_script_gives_the_pages_own_accuracy(mnist_folder, downloads, tmp_path):
    import re
    import subprocess
    import sys
    from pathlib import Path

    from nnviz.labs.digits.code_export import NNVIZ_FILE

    at = _app().run()
    _train_small(at)
    at.run()  # the evaluation on the test images
    run = at.session_state["dg_run"]
    assert not at.exception and run.evaluation is not None
    script = tmp_path / NNVIZ_FILE
    script.write_text(downloads[NNVIZ_FILE](), encoding="utf-8")
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, str(script), str(mnist_folder), "--steps", str(run.trainer.step)],
                         capture_output=True, text=True, timeout=300, cwd=root,
                         env={**__import__("os").environ, "PYTHONPATH": str(root)})
    assert out.returncode == 0, out.stderr[-2000:]
    theirs = float(re.search(r"test accuracy ([0-9.]+) on 10,000", out.stdout).group(1))
    assert theirs == round(run.evaluation.accuracy, 4)
