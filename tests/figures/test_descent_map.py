"""The canvas views' payloads of the gradient-descent lab (``map_payload``, ``loss_payload``), without a
browser: one packed blob each, whose arrays match the trajectories (every step, float32), with the
diverged runs cut where they fly off and NaN where an overlay has nothing to show."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from nnviz.figures import descent as figs
from nnviz.labs.descent import RunSpec, race, surfaces
from nnviz.labs.descent.presets import learning_rate_ladder, optimizers_compared
from nnviz.labs.descent.runs import status
from nnviz.labs.packing import unpack

BOWL = surfaces.get("bowl")
ROSENBROCK = surfaces.get("rosenbrock")


@pytest.fixture(scope="module")
def compared():
    return race(BOWL, optimizers_compared(BOWL, None, 200), None, 200)


@pytest.fixture(scope="module")
def ladder():
    return race(BOWL, learning_rate_ladder(BOWL, "sgd", None, 200), None, 200)


def test_the_map_payload_holds_every_step_of_every_run(compared):
    header, a = unpack(figs.map_payload(BOWL, compared, show_velocity=True, show_step_size=True))
    R, S = len(compared), 200
    assert header["kind"] == "descent-map" and header["steps"] == S and header["trail"] == figs.TRAIL
    assert header["domain"] == [[-3.0, 3.0], [-3.0, 3.0]] and header["start"] == [-2.5, 2.0]
    assert [r["title"] for r in header["runs"]] == [t.spec.title for t in compared]
    assert [r["color"] for r in header["runs"]] == [figs.run_color(i) for i in range(R)]
    assert [r["status"] for r in header["runs"]] == [status(t, BOWL).text for t in compared]
    assert header["minima"] == [[0.0, 0.0, "global minimum"]]
    for r, t in enumerate(compared):
        assert a[f"path{r}"].dtype == np.float32 and a[f"path{r}"].shape == (S + 1, 2)
        np.testing.assert_allclose(a[f"path{r}"], t.points, rtol=1e-6, atol=1e-7)
        np.testing.assert_allclose(a[f"f{r}"], t.values, rtol=1e-6, atol=1e-7)
    for name in ("head", "gradient", "velocity", "scale"):
        assert a[name].shape == (S + 1, R, 2) and a[name].dtype == np.float32, name
    np.testing.assert_allclose(a["head"][:, 3], compared[3].points, rtol=1e-6, atol=1e-7)
    # −∇f points downhill, at most ARROW of the domain long; SGD has no velocity, only adaptive ones a cross.
    g = a["gradient"][0]
    assert np.all(np.sum(g * compared[0].grads[0], axis=1) < 0)
    assert np.nanmax(np.linalg.norm(a["gradient"], axis=-1)) <= figs.ARROW * 6 * 1.1 + 1e-6
    kinds = [t.spec.optimizer_class for t in compared]
    for r, cls in enumerate(kinds):
        assert np.isnan(a["velocity"][:, r]).all() == (cls.velocity is None), cls
        assert np.isnan(a["scale"][1:, r]).all() == (not cls.adaptive), cls
    names = {o["kind"]: o["name"] for o in header["overlays"]}
    assert names == {"gradient": "−∇f: downhill", "velocity": figs.velocity_name(), "scale": "step size per coordinate"}


def test_the_map_picture_and_the_hover_grid():
    _, a = unpack(figs.map_payload(BOWL, [], hover_resolution=11))
    pic = Image.open(io.BytesIO(a["image"].tobytes()))
    assert pic.format == "PNG" and pic.size[0] == 560
    x, y = np.meshgrid(np.linspace(-3, 3, 11), np.linspace(-3, 3, 11))
    np.testing.assert_allclose(a["fgrid"], BOWL.f(x, y), rtol=1e-6)  # rows: y ascending
    header, arrays = unpack(figs.map_payload(BOWL, []))
    assert header["runs"] == [] and header["start"] is None and header["steps"] == 0
    assert arrays["head"].shape == (1, 0, 2) and not header["overlays"]


def test_overlays_are_sent_only_when_shown(compared):
    header, a = unpack(figs.map_payload(BOWL, compared, show_gradient=False))
    assert not header["overlays"] and not {"gradient", "velocity", "scale"} & set(a)
    only_sgd = race(BOWL, [RunSpec("sgd", 0.05)], None, 20)
    header, a = unpack(figs.map_payload(BOWL, only_sgd, show_velocity=True, show_step_size=True))
    assert [o["kind"] for o in header["overlays"]] == ["gradient"]  # SGD has neither a velocity nor a step size


def test_a_diverged_run_is_cut_where_it_flies_off_and_marked(ladder):
    far = ladder[-1]
    assert far.diverged_at is not None
    header, a = unpack(figs.map_payload(BOWL, ladder))
    r = len(ladder) - 1
    run = header["runs"][r]
    path = a[f"path{r}"]
    assert run["kind"] == "diverged" and run["diverged"] == f"{far.spec.title}: diverged at step {far.diverged_at}"
    assert len(path) < len(far.points) and run["last"] == len(path) - 1
    assert np.all(np.abs(path[:-1]) <= 3.0 * 2)  # only the last point may be far off the plot
    assert run["exit"] is not None and all(abs(v) <= 3.0 for v in run["exit"])  # the red x is on the plot
    # After it flew off, its head stays at that last point, never NaN or wild; a stopped run's arrow is NaN-free.
    np.testing.assert_array_equal(a["head"][run["last"]:, r], np.broadcast_to(path[-1], a["head"][run["last"]:, r].shape))
    assert np.isfinite(a["head"]).all()
    assert all(v is None or np.isfinite(v) for v in run["exit"])


def test_a_run_that_overflows_stays_finite_in_the_header():
    trajs = race(BOWL, [RunSpec("sgd", 5.0)], (2.0, 2.0), 400)  # overflows to inf within the run
    assert trajs[0].diverged_at is not None
    blob = figs.map_payload(BOWL, trajs)  # the header is strict JSON: no NaN, no inf
    header, a = unpack(blob)
    assert header["runs"][0]["kind"] == "diverged"
    assert np.isfinite(a["head"]).all()


def test_a_log_coloured_surface_sends_its_ticks():
    header, _ = unpack(figs.map_payload(ROSENBROCK, []))
    bar = header["color"]
    assert bar["title"].startswith("f − f*") and bar["ticks"]
    lo, hi = bar["range"]
    assert all(lo - 1 <= v <= hi + 1 for v, _ in bar["ticks"]) and bar["stops"] == [c for _, c in figs.CONTOUR_SCALE]
    assert unpack(figs.map_payload(BOWL, []))[0]["color"]["ticks"] is None  # linear: the browser picks them


def test_the_race_id_changes_with_the_paths_only(compared):
    a = unpack(figs.map_payload(BOWL, compared))[0]["race"]
    assert unpack(figs.map_payload(BOWL, compared, show_velocity=True))[0]["race"] == a  # an overlay keeps the step
    other = race(BOWL, optimizers_compared(BOWL, (1.0, 1.0), 200), (1.0, 1.0), 200)
    assert unpack(figs.map_payload(BOWL, other))[0]["race"] != a


def test_the_map_needs_a_2d_surface():
    with pytest.raises(ValueError, match="2D surface"):
        figs.map_payload(surfaces.get("quadratic"), [])


def test_the_loss_payload_marks_divergence_and_convergence(ladder):
    statuses = [status(t, BOWL) for t in ladder]
    header, a = unpack(figs.loss_payload(BOWL, ladder, statuses))
    assert header["kind"] == "descent-curves" and header["log"] is True and header["title"].startswith("f − f*")
    assert header["steps"] == 200
    for r, (t, st) in enumerate(zip(ladder, statuses, strict=True)):
        x, y = a[f"x{r}"], a[f"y{r}"]
        assert x.dtype == np.int32 and y.dtype == np.float32 and x[0] == 0 and x[-1] == len(t.values) - 1
        np.testing.assert_allclose(y, np.maximum(t.values[x] - BOWL.min_value, figs.FLOOR), rtol=1e-6)
        mark = header["runs"][r]["mark"]
        if st.kind == "diverged":
            assert mark[:1] == [len(t.values) - 1] and mark[2:] == ["diverged", f"diverged at step {st.step}"]
        elif st.kind == "converged":
            assert mark[0] == st.step and mark[2] == "converged"
            assert mark[1] == pytest.approx(max(t.values[st.step] - BOWL.min_value, figs.FLOOR))
        else:
            assert mark is None
    saddle = surfaces.get("saddle")  # no minimum: f itself, linear
    header, _ = unpack(figs.loss_payload(saddle, race(saddle, [RunSpec("sgd", 0.01)], None, 20)))
    assert header["log"] is False and header["title"] == "f(x)"


def test_long_runs_are_downsampled_in_the_loss_and_the_map_stays_small():
    trajs = race(ROSENBROCK, [RunSpec(n, 0.0015) for n in ("sgd", "momentum", "nesterov", "adagrad", "rmsprop")]
                 + [RunSpec("adam", 0.02)], None, 1000)
    header, a = unpack(figs.loss_payload(ROSENBROCK, trajs))
    assert all(len(a[f"x{r}"]) <= 600 for r in range(6))
    blob = figs.map_payload(ROSENBROCK, trajs, show_velocity=True, show_step_size=True)
    assert len(blob) < 600_000  # every step of six 1000-step runs with every overlay


def test_the_picture_id_follows_the_picture(compared):
    a = unpack(figs.map_payload(BOWL, compared))[0]["image_id"]
    assert unpack(figs.map_payload(BOWL, []))[0]["image_id"] == a  # the same surface: the same picture
    assert unpack(figs.map_payload(surfaces.get("bowl", condition=20.0), []))[0]["image_id"] != a


def test_the_curve_payload_has_the_tangent_and_the_step_at_every_step():
    quad = surfaces.get("quadratic")
    trajs = race(quad, learning_rate_ladder(quad, "sgd", None, 30), None, 30)
    header, a = unpack(figs.curve_payload(quad, trajs))
    R = len(trajs)
    assert header["kind"] == "descent-curve" and header["steps"] == 30 and header["domain"] == [-3.0, 3.0]
    assert [o["name"] for o in header["overlays"]] == ["tangent: slope f′(x)", "step taken: Δx = x_next − x"]
    assert header["minima"] == [[0.0, 0.0]] and header["start"] == [2.5, quad.value([2.5])]
    np.testing.assert_allclose(a["curve_f"], quad.f(a["curve_x"].astype(np.float64)), rtol=1e-6)
    t, k = trajs[1], 3
    np.testing.assert_allclose(a["path1"], np.stack([t.points[:, 0], t.values], axis=1), rtol=1e-6, atol=1e-7)
    (x0, y0), (x1, y1) = a["tangent_a"][k, 1], a["tangent_b"][k, 1]
    assert (y1 - y0) / (x1 - x0) == pytest.approx(t.grads[k, 0], rel=1e-4)  # slope f'(x_k)
    assert tuple(a["head"][k, 1]) == pytest.approx((t.points[k, 0], t.values[k]), rel=1e-6)
    assert a["step_to"][k, 1, 0] == pytest.approx(t.points[k + 1, 0])  # Δx = x_{k+1} - x_k
    assert a["head"].shape == a["tangent_a"].shape == a["step_to"].shape == (31, R, 2)
    assert np.isnan(a["step_to"][-1, 0, 0])  # no step after a run's last point
    far = header["runs"][-1]  # the far too large rate flies off: cut where it leaves the plot, its head stays there
    assert far["kind"] == "diverged" and far["diverged"].endswith(f"diverged at step {trajs[-1].diverged_at}")
    assert len(a[f"path{R - 1}"]) < len(trajs[-1].points) and np.isfinite(a["head"]).all()
    with pytest.raises(ValueError, match="1D surface"):
        figs.curve_payload(BOWL, [])
