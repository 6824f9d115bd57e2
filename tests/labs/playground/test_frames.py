"""Live frames: pacing, a tick's batch of frames (shapes, dtypes, the last frame is the run's
state, no steps when paused) and the views' payloads (packed by nnviz.labs.packing)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nnviz.labs import pacing
from nnviz.labs.packing import unpack
from nnviz.labs.playground import frames as fr
from nnviz.labs.playground.experiment import EVAL_EVERY, FEATURE_NAMES, Experiment, eval_every_at
from nnviz.labs.playground.points import Points
from nnviz.labs.playground.run import apply_points, build, metrics
from nnviz.labs.playground.views import decision_surface, grid_features, points_confusion

SMALL = Experiment(n_points=120)


@pytest.mark.parametrize(("speed", "tick", "ticks", "total"), [(1, 0.5, 4, 2), (100, 0.5, 3, 150), (5, 0.3, 10, 15),
                                                               (1000, 0.5, 1, 500), (0, 0.5, 3, 0)])
def test_plan_reaches_the_speed_over_ticks_with_the_fraction_carried(speed, tick, ticks, total):
    carry, done = 0.0, 0
    for _ in range(ticks):
        steps, n_frames, carry = pacing.plan(speed, tick, carry)
        assert 0 <= n_frames <= min(steps, math.ceil(fr.FPS * tick)) or (steps == 0 and n_frames == 0)
        assert (n_frames > 0) == (steps > 0)
        done += steps
    assert done == total


@pytest.mark.parametrize(("tick", "want"), [(2.0, 60), (2.016, 61), (2.5, 75), (0.5, 15)])
def test_plan_shows_at_least_fps_frames_a_second_of_a_late_tick(tick, want):
    steps, n_frames, _ = pacing.plan(2000, tick)
    assert n_frames == want and n_frames / tick >= fr.FPS


def test_plan_rejects_a_bad_speed():
    with pytest.raises(ValueError, match="speed"):
        pacing.plan(-1, 0.5)


@pytest.mark.parametrize(("steps", "n_frames"), [(50, 15), (7, 3), (100, 30), (1000, 30), (16, 15), (15, 15)])
def test_chunks_split_steps_evenly(steps, n_frames):
    parts = pacing.chunks(steps, n_frames)
    assert sum(parts) == steps and len(parts) == n_frames and min(parts) >= 1
    assert max(parts) - min(parts) <= 1  # near-equal: no frame shows two steps more than another


def test_chunks_of_fewer_steps_than_frames_are_one_step_each():
    assert pacing.chunks(3, 15) == [1, 1, 1]
    assert pacing.chunks(0, 15) == [] and pacing.chunks(5, 0) == []


def test_a_batch_of_frames_has_compact_grids_and_ends_at_the_runs_state():
    run = build(SMALL)
    batch = fr.train_frames(run, 30, 10)
    assert [f.step for f in batch] == list(range(3, 31, 3))
    assert run.step == 30
    for f in batch:
        assert f.surface.dtype == np.uint8 and f.surface.shape == (fr.FRAME_SURFACE_RES,) * 2
        assert f.thumbs.dtype == np.uint8
        assert f.thumbs.shape == (sum(SMALL.sizes), fr.FRAME_NEURON_RES, fr.FRAME_NEURON_RES)
    last = batch[-1]
    assert last.metrics == metrics(run)
    want = np.round(np.clip(decision_surface(run, fr.FRAME_SURFACE_RES), 0, 1) * 255).astype(np.uint8)
    np.testing.assert_array_equal(last.surface, want)
    for (W, b), dense in zip(last.weights, [layer for layer in run.net.layers if "W" in layer.params], strict=True):
        np.testing.assert_array_equal(W, dense.params["W"])
        np.testing.assert_array_equal(b, dense.params["b"])


def test_frames_do_not_change_the_training():
    a, b = build(SMALL), build(SMALL)
    fr.train_frames(a, 40, 15)
    b.train(40)
    for key in a.net.params:
        np.testing.assert_array_equal(a.net.params[key], b.net.params[key])


@pytest.mark.parametrize(("per_frame", "want"), [(0.5, 5), (3.3, 5), (5, 5), (9.9, 5), (16.7, 15), (66.7, 65)])
def test_the_trainer_evaluates_every_five_steps_or_about_once_a_frame(per_frame, want):
    assert eval_every_at(per_frame) == want


def test_a_fast_tick_evaluates_once_a_frame_with_the_same_weights_and_settings_after():
    fast, slow = build(SMALL), build(SMALL)
    settings = fast.trainer.config
    batch = fr.train_frames(fast, 1300, 20)  # 65 steps a frame
    assert fast.trainer.config is settings and settings.eval_every == EVAL_EVERY
    assert list(fast.history.eval_steps) == [1, *range(65, 1301, 65)] == [1, *(f.step for f in batch)]
    fr.train_frames(slow, 60, 20)  # 3 steps a frame: every 5 steps, as before
    assert list(slow.history.eval_steps) == [1, *range(5, 61, 5)]
    slow.train(1240)
    for key in fast.net.params:
        np.testing.assert_array_equal(fast.net.params[key], slow.net.params[key])
    fast.train(5)  # a step after the tick evaluates at the playground's own cadence again
    assert fast.history.eval_steps[-1] == 1305


def test_a_fast_diverging_tick_puts_the_settings_back():
    run = build(Experiment(n_points=120).with_dataset("plane").with_optimizer("sgd").replace(learning_rate=30.0))
    settings = run.trainer.config
    fr.train_frames(run, 4000, 20)
    assert run.diverged is not None and run.trainer.config is settings


def test_paused_means_one_frame_of_the_true_state_and_no_step():
    run = build(SMALL)
    run.train(7)
    batch = fr.train_frames(run, 0, 0)
    assert len(batch) == 1 and batch[0].step == run.step == 7
    assert batch[0].metrics == metrics(run)


def test_a_diverging_run_stops_its_batch_at_the_last_finite_state():
    run = build(Experiment(n_points=120).with_dataset("plane").with_optimizer("sgd").replace(learning_rate=30.0))
    batch = fr.train_frames(run, 400, 15)
    assert run.diverged is not None
    assert batch[-1].step == run.step and batch[-1].thumbs is not None
    assert len(fr.train_frames(run, 50, 5)) == 1  # nothing more to train


def test_large_networks_send_thumbnails_on_some_frames_only():
    run = build(Experiment(hidden=(16,) * 6, features=FEATURE_NAMES, n_points=120))
    batch = fr.train_frames(run, 60, 15)
    with_thumbs = [f.thumbs is not None for f in batch]
    assert with_thumbs[-1] and 1 <= sum(with_thumbs) < len(batch)
    blob = fr.network_payload(run, batch, batch=1, running=True, tick_seconds=0.5)
    assert len(blob) < 2 * fr.THUMB_BUDGET  # the budget, and the last frame's


def test_main_payload_carries_frames_curves_and_points():
    run = build(SMALL)
    base = fr.base_curves(run)
    batch = fr.train_frames(run, 20, 5)
    blob = fr.main_payload(run, batch, base, batch=3, running=True, tick_seconds=0.5, show_test=True)
    header, a = unpack(blob)
    assert header["kind"] == "main" and header["batch"] == 3 and header["running"]
    assert [f["step"] for f in header["frames"]] == [4, 8, 12, 16, 20]
    assert header["frames"][-1]["train_loss"] == pytest.approx(metrics(run)["train_loss"])
    assert a["surfaces"].shape == (5, fr.FRAME_SURFACE_RES, fr.FRAME_SURFACE_RES)
    assert a["curve_step"][0] == 0 and len(a["curve_step"]) == len(a["curve_train_loss"]) == 1
    n = len(run.data.X_train) + len(run.data.X_test)
    assert len(a["px"]) == len(a["pc"]) == len(a["pt"]) == n and a["pt"].sum() == len(run.data.X_test)
    without_test = unpack(fr.main_payload(run, batch, base, batch=3, running=True, tick_seconds=0.5))[1]
    assert len(without_test["px"]) == len(run.data.X_train)
    assert len(blob) < 30_000  # 5 frames of a 50x50 surface, curves and 120 points


def test_regression_surfaces_span_minus_one_to_one():
    run = build(Experiment(dataset="sine", loss="mse", output="linear", n_points=120))
    f = fr.frame(run)
    s = np.clip(decision_surface(run, fr.FRAME_SURFACE_RES), -1, 1)
    np.testing.assert_array_equal(f.surface, np.round((s + 1) * 0.5 * 255).astype(np.uint8))


def test_network_payload_has_thumbnails_weights_and_labels():
    run = build(SMALL)
    batch = fr.train_frames(run, 10, 5)
    header, a = unpack(fr.network_payload(run, batch, batch=1, running=True, tick_seconds=0.5))
    assert header["sizes"] == [2, 4, 4, 2] and header["thumb_frames"] == [0, 1, 2, 3, 4]
    assert header["labels"][0] == ["x1", "x2"] and header["titles"][0] == "Input"
    assert a["thumbs"].shape == (5, 12, fr.FRAME_NEURON_RES, fr.FRAME_NEURON_RES)
    assert a["w"].shape == (5, 2 * 4 + 4 * 4 + 4 * 2) and a["b"].shape == (5, 4 + 4 + 2)
    W0 = run.net.layers[0].params["W"]
    np.testing.assert_array_equal(a["w"][-1][:8], W0.ravel())


def test_compare_payload_has_a_surface_and_a_loss_curve_per_run():
    from nnviz.labs.playground.compare import compare

    cmp = compare(SMALL, "learning_rate", [0.001, 0.03, 30.0])
    bases = [fr.base_curves(run) for run in cmp.runs]
    batches = fr.compare_frames(cmp.runs, 30, 6)
    header, a = unpack(fr.compare_payload(cmp.runs, batches, bases, batch=2, running=True, tick_seconds=2.0))
    assert header["kind"] == "compare" and [r["label"] for r in header["runs"]] == [r.label for r in cmp.runs]
    for i, (run, frames) in enumerate(zip(cmp.runs, batches, strict=True)):
        assert a[f"s{i}"].shape == (len(frames), fr.COMPARE_SURFACE_RES, fr.COMPARE_SURFACE_RES)
        assert header["runs"][i]["frames"][-1]["step"] == run.step
        assert len(a[f"c{i}_step"]) == len(a[f"c{i}_loss"]) >= 1
        assert all(f.thumbs is None for f in frames)
    assert [r.step for r in cmp.runs[:2]] == [30, 30]
    assert len(a["px"]) == len(cmp.runs[0].data.X_train)


@pytest.mark.parametrize("exp", [
    SMALL,
    Experiment(dataset="sine", loss="mse", output="linear", n_points=120),
    Experiment(n_points=120, test_ratio=0.0),
    Experiment(n_points=120, features=FEATURE_NAMES, hidden=(3,)),
], ids=["classification", "regression", "no-test-set", "all-features"])
def test_one_pass_surface_and_metrics_equal_the_separate_ones(exp):
    run = build(exp)
    run.train(15)
    surface, values = fr.surface_and_metrics(run)
    np.testing.assert_array_equal(surface, fr.surface_codes(run))
    want = metrics(run)
    assert values.keys() == want.keys()
    for key, value in want.items():
        assert values[key] == pytest.approx(value, rel=1e-6, nan_ok=True), key


def test_frames_measure_new_points_after_the_data_changes():
    # The frames' prepared targets are per data set: a run given other points is measured on them.
    run = build(SMALL)
    run.train(5)
    assert fr.frame(run).metrics == metrics(run)
    rng = np.random.default_rng(0)
    X = rng.uniform(-1.4, 1.4, size=(40, 2))
    y = (X[:, 0] > 0).astype(int)
    apply_points(run, SMALL.replace(points=Points(X, y, np.arange(40) % 4 == 0, "classification", 2)))
    run.train(5)
    assert len(run.data.y_train) == 30 and fr.frame(run).metrics == metrics(run)


def test_a_tick_covers_the_time_since_the_last_within_one_and_a_half_ticks():
    assert pacing.covered_seconds(None, 10.0, 2.0) == 2.0  # the first tick
    assert pacing.covered_seconds(8.0, 10.5, 2.0) == 2.5
    assert pacing.covered_seconds(9.5, 10.0, 2.0) == 2.0  # early: still one tick
    assert pacing.covered_seconds(0.0, 10.0, 2.0) == 3.0  # late: at most 1.5 ticks


def test_the_network_view_names_each_layers_activation_where_they_differ():
    run = build(SMALL.replace(hidden=(4, 4, 4), activations=("relu", "leaky_relu", "tanh"), batch_norm=(2,)))
    header, _ = unpack(fr.network_payload(run, [fr.frame(run)], batch=1, running=False, tick_seconds=2.0))
    assert header["titles"] == ["Input", "Hidden 1 · ReLU", "Hidden 2 · Leaky ReLU · BN", "Hidden 3 · Tanh", "Output"]


BLOBS = Experiment(dataset="blobs_4", n_points=200, noise=0.3)


def test_class_codes_carry_the_class_and_how_sure():
    p = np.array([[0.9, 0.05, 0.05], [0.2, 0.3, 0.5], [1 / 3, 1 / 3, 1 / 3], [0.0, 0.0, 1.0], [np.nan] * 3])
    codes = fr.class_codes(p)
    assert codes.dtype == np.uint8
    k, u = fr.decode_class_codes(codes, 3)
    assert k.tolist() == [0, 2, 0, 2, 0]
    np.testing.assert_allclose(u, [(0.9 - 1 / 3) * 1.5, (0.5 - 1 / 3) * 1.5, 0, 1, 0], atol=1 / 84)
    assert fr.class_levels(4) == 64 and fr.decode_class_codes(fr.class_codes(np.eye(4)), 4)[0].tolist() == [0, 1, 2, 3]


def test_a_multi_class_frame_decodes_to_the_networks_classes_and_counts_the_test_points():
    run = build(BLOBS)
    batch = fr.train_frames(run, 150, 5)
    last = batch[-1]
    assert last.surface.dtype == np.uint8 and last.surface.shape == (fr.FRAME_SURFACE_RES,) * 2
    grid = run.net.forward(grid_features(BLOBS.features, fr.FRAME_SURFACE_RES))
    classes, sure = fr.decode_class_codes(last.surface.ravel(), 4)
    np.testing.assert_array_equal(classes, grid.argmax(axis=1))
    np.testing.assert_allclose(sure, (grid.max(axis=1) - 0.25) / 0.75, atol=1 / 63)
    assert set(classes.tolist()) == {0, 1, 2, 3}  # every blob has its region after 150 steps
    # The confusion matrix: the test labels against the predicted classes, its diagonal the accuracy.
    pred = run.net.forward(run.data.F_test).argmax(axis=1)
    want = np.zeros((4, 4), np.int64)
    np.add.at(want, (run.data.y_test, pred), 1)
    np.testing.assert_array_equal(last.confusion, want)
    np.testing.assert_array_equal(points_confusion(run)[0], want)
    assert last.confusion.sum() == len(run.data.y_test)
    assert np.trace(last.confusion) / last.confusion.sum() == pytest.approx(last.metrics["test_accuracy"])
    assert all(f.confusion is not None for f in batch)


def test_a_multi_class_payload_stays_small_and_binary_ones_are_unchanged():
    run = build(BLOBS)
    base = fr.base_curves(run)
    batch = fr.train_frames(run, 20, 5)
    header, a = unpack(fr.main_payload(run, batch, base, batch=1, running=True, tick_seconds=2.0))
    assert header["n_classes"] == 4 and header["confusion_of"] == "test"
    assert a["confusion"].shape == (5, 4, 4) and a["confusion"].dtype == np.uint16
    assert a["surfaces"].dtype == np.uint8 and sorted(set(a["pc"].tolist())) == [0, 1, 2, 3]
    assert len(fr.main_payload(run, batch, base, batch=1, running=True, tick_seconds=2.0)) < 30_000
    net, _ = unpack(fr.network_payload(run, batch, batch=1, running=True, tick_seconds=2.0))
    assert net["n_classes"] == 4 and net["labels"][-1] == ["P(class 0, orange)", "P(class 1, blue)",
                                                          "P(class 2, green)", "P(class 3, pink)"]
    no_test = build(BLOBS.replace(test_ratio=0.0))
    header, a = unpack(fr.main_payload(no_test, fr.train_frames(no_test, 0, 0), fr.base_curves(no_test), batch=1,
                                       running=False, tick_seconds=2.0))
    assert header["confusion_of"] == "train" and a["confusion"][0].sum() == len(no_test.data.y_train)
    binary = build(SMALL)
    header, a = unpack(fr.main_payload(binary, fr.train_frames(binary, 5, 5), fr.base_curves(binary), batch=1,
                                       running=True, tick_seconds=2.0))
    assert header["n_classes"] == 2 and "confusion" not in a and "confusion_of" not in header
    assert all(f.confusion is None for f in fr.train_frames(binary, 5, 5))


def test_a_multi_class_comparison_sends_class_codes():
    from nnviz.labs.playground.compare import compare

    cmp = compare(BLOBS, "learning_rate", [0.01, 0.1])
    batches = fr.compare_frames(cmp.runs, 10, 2)
    header, a = unpack(fr.compare_payload(cmp.runs, batches, [fr.base_curves(r) for r in cmp.runs], batch=1,
                                          running=True, tick_seconds=2.0))
    assert header["n_classes"] == 4
    np.testing.assert_array_equal(a["s1"][-1], fr.surface_codes(cmp.runs[1], fr.COMPARE_SURFACE_RES))
