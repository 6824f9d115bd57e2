"""Figures of the gradient-descent lab, without a browser: traces, frames, sizes, axis titles."""

from __future__ import annotations

import base64
import copy
import io

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest
from PIL import Image

from nnviz.figures import descent as figs
from nnviz.labs.descent import RunSpec, race, surfaces
from nnviz.labs.descent.presets import learning_rate_ladder, optimizers_compared
from nnviz.labs.descent.runs import status
from nnviz.nn import optimizers
from nnviz.nn.optimizers import Optimizer
from tests import throwaway

BOWL = surfaces.get("bowl")
ROSENBROCK = surfaces.get("rosenbrock")
QUAD = surfaces.get("quadratic")


@pytest.fixture(scope="module")
def rosenbrock_race():
    specs = [RunSpec(n, 0.0015) for n in ("sgd", "momentum", "nesterov", "adagrad", "rmsprop")] + [RunSpec("adam", 0.02)]
    return race(ROSENBROCK, specs, None, 500)


@pytest.fixture(scope="module")
def bowl_ladder():
    return race(BOWL, learning_rate_ladder(BOWL, "sgd", None, 200), None, 200)


def _decode(spec) -> np.ndarray:
    return np.frombuffer(base64.b64decode(spec["bdata"]), dtype=np.dtype(spec["dtype"]))


def test_frame_steps():
    assert list(figs.frame_steps(5)) == [0, 1, 2, 3, 4, 5]
    s = figs.frame_steps(999)
    assert len(s) <= figs.MAX_FRAMES and s[0] == 0 and s[-1] == 999 and np.all(np.diff(s) > 0)


def test_contour_figure_structure(rosenbrock_race):
    fig = figs.contour_figure(ROSENBROCK, rosenbrock_race)
    names = [t.name for t in fig.data]
    assert fig.data[1].name == figs.PICK_NAME and fig.data[1].type == "scatter"
    assert fig.data[0].marker.showscale  # the colour bar of the map
    assert "minimum" in names and "start" in names
    img = fig.layout.images[0]
    assert img.source.startswith("data:image/png;base64,") and img.xref == "x" and img.layer == "below"
    assert fig.layout.xaxis.title.text == "x" and fig.layout.yaxis.title.text == "y"
    assert fig.layout.yaxis.scaleanchor == "x"
    assert list(fig.layout.xaxis.range) == [-2.0, 2.0] and list(fig.layout.yaxis.range) == [-1.0, 3.0]
    # One faint whole path per run in the legend, one animated head per run, one gradient arrow trace.
    titles = [t.spec.title for t in rosenbrock_race]
    assert [t.name for t in fig.data if t.showlegend is not False and t.name in titles] == titles
    assert names[-1] == "−∇f: downhill"


def test_contour_frames_move_only_the_animated_traces(rosenbrock_race):
    fig = figs.contour_figure(ROSENBROCK, rosenbrock_race, show_velocity=True, show_step_size=True)
    frames = fig.frame_dicts
    assert len(frames) == figs.MAX_FRAMES
    n_static = len(fig.data) - (len(rosenbrock_race) + 3)
    for f in frames:
        assert f["traces"] == list(range(n_static, len(fig.data)))
        assert len(f["data"]) == len(f["traces"])
    # Frame k shows each run's head at step k, with its trail before it.
    k = int(frames[50]["name"])
    head = frames[50]["data"][0]
    assert len(head["x"]) == figs.TRAIL + 1
    np.testing.assert_allclose(head["x"][-1], rosenbrock_race[0].points[k, 0], rtol=1e-6)
    np.testing.assert_allclose(head["y"][-5], rosenbrock_race[0].points[k - 4, 1], rtol=1e-6)
    # Gradient arrows point downhill from the current point.
    arrows = frames[50]["data"][len(rosenbrock_race)]
    tail = np.array([arrows["x"][0], arrows["y"][0]])
    tip = np.array([arrows["x"][1], arrows["y"][1]])
    g = rosenbrock_race[0].grads[k]
    assert np.dot(tip - tail, -g) > 0 and np.isnan(arrows["x"][2])
    # The slider has one step per frame and starts on the last one (the finished race).
    slider = fig.raw_layout["sliders"][0]
    assert len(slider["steps"]) == len(frames) and slider["active"] == len(frames) - 1
    assert fig.raw_layout["updatemenus"][0]["buttons"][0]["label"].endswith("Play")


def test_velocity_and_step_size_only_where_an_optimizer_has_them():
    sgd_only = race(BOWL, [RunSpec("sgd", 0.1)], None, 20)
    fig = figs.contour_figure(BOWL, sgd_only, show_velocity=True, show_step_size=True)
    assert [t.name for t in fig.data][-1] == "−∇f: downhill"
    both = race(BOWL, [RunSpec("momentum", 0.1), RunSpec("adam", 0.1)], None, 20)
    fig = figs.contour_figure(BOWL, both, show_gradient=False, show_velocity=True, show_step_size=True)
    assert [t.name for t in fig.data][-2:] == ["momentum: −v (Adam: −m)", "step size per coordinate"]
    cross = fig.frame_dicts[10]["data"][-1]
    assert len(cross["x"]) == 12  # two arms with a gap after each, per run
    assert np.all(np.isnan(cross["x"][:6]))  # momentum has no per-coordinate step size
    x_arm = cross["x"][7] - cross["x"][6]
    y_arm = cross["y"][10] - cross["y"][9]
    assert x_arm > y_arm > 0  # Adam: longer steps along the flat x direction of the bowl


class _SignScaled(Optimizer):
    """Per-coordinate steps η/(|g| + 1): an adaptive optimizer declared here only (state a = |g|)."""

    label = "Sign-scaled (test)"
    adaptive = True

    def _init_state(self, p: np.ndarray) -> dict[str, np.ndarray]:
        return {"a": np.zeros_like(p)}

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict[str, np.ndarray]) -> None:
        state["a"][...] = np.abs(g)
        p -= self.step_scale(state) * g

    def step_scale(self, state, t=None):
        return self.learning_rate / (state["a"] + 1.0)


@pytest.fixture
def throwaway_optimizers():
    """Two optimizers registered for one test: what they declare must reach the figures."""
    names = ["test-heavy-ball", "test-sign-scaled"]
    optimizers.OPTIMIZERS.register(names[0])(throwaway.HeavyBall)
    optimizers.OPTIMIZERS.register(names[1])(_SignScaled)
    try:
        yield names
    finally:
        for name in names:
            optimizers.OPTIMIZERS.unregister(name)


def test_a_new_optimizer_gets_its_arrow_cross_and_limit_from_its_class(throwaway_optimizers):
    heavy, signed = throwaway_optimizers
    trajs = race(BOWL, [RunSpec(heavy, 0.02), RunSpec(signed, 0.1), RunSpec("sgd", 0.1)], None, 20)
    fig = figs.contour_figure(BOWL, trajs, show_gradient=False, show_velocity=True, show_step_size=True)
    names = [t.name for t in fig.data]
    assert names[-2] == figs.velocity_name() == f"momentum: −v (Adam: −m; {throwaway.HeavyBall.label}: −u)"
    assert names[-1] == "step size per coordinate"
    frame = fig.frame_dicts[10]
    k = int(frame["name"])
    arrow, cross = frame["data"][-2], frame["data"][-1]
    tail, tip = np.array([arrow["x"][0], arrow["y"][0]]), np.array([arrow["x"][1], arrow["y"][1]])
    assert np.dot(tip - tail, -trajs[0].state["u"][k]) > 0  # the heavy ball's arrow follows -u
    assert np.all(np.isnan(arrow["x"][3:]))  # no velocity declared: no arrow
    assert np.all(np.isnan(cross["x"][:6])) and np.all(np.isfinite(cross["x"][6:8]))  # only the adaptive run
    assert np.all(np.isnan(cross["x"][12:]))
    lr = figs.learning_rate_figure(BOWL, trajs)
    hover = [t.hovertemplate for t in lr.data if t.mode == "markers+text"]
    assert "its limit 0.38" in hover[0]  # 2(1 + 0.9)/10, from the class
    assert "limit" not in hover[1]  # adaptive: no fixed limit
    bands = [t.name for t in lr.data if t.fill == "toself"]
    assert bands == ["steady", "diverges", "no fixed limit", "steady", "zigzags", "diverges"]


def test_figure_round_trip_validates_and_stays_under_one_megabyte(rosenbrock_race):
    fig = figs.contour_figure(ROSENBROCK, rosenbrock_race, show_velocity=True, show_step_size=True)
    d = fig.to_dict()
    assert len(d["frames"]) == figs.MAX_FRAMES and "sliders" in d["layout"]
    checked = go.Figure(d)  # plotly validates every frame and the slider here
    assert len(checked.frames) == figs.MAX_FRAMES
    size = len(pio.to_json(d, validate=False))
    assert size < 1_000_000, size
    assert len(fig.to_json()) == size or abs(len(fig.to_json()) - size) < 100
    clone = copy.deepcopy(fig)
    assert len(clone.frame_dicts) == figs.MAX_FRAMES


def test_contour_image_is_a_picture_of_the_grid():
    x, y, Z = BOWL.grid(50)
    uri = figs.contour_image(Z, (float(Z.min()), float(Z.max())), width=200)
    img = Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1])))
    assert img.size == (200, 200) and img.mode == "P"
    rgb = np.asarray(img.convert("RGB"), dtype=float)
    centre, corner = rgb[100, 100].sum(), rgb[0, 0].sum()
    assert centre < corner  # the valley is dark, the rim pale


def test_log_colour_scale_where_the_surface_wants_it():
    _, _, Z = ROSENBROCK.grid(60)
    C, bar = figs.color_values(ROSENBROCK, Z)
    assert "log" in bar["title"]["text"] and bar["ticktext"][-1] in ("1000", "10000")
    assert C.max() < 5
    C2, bar2 = figs.color_values(BOWL, BOWL.grid(20)[2])
    assert bar2["title"]["text"] == "f" and C2.max() == pytest.approx(0.5 * (9 + 90))


def test_surface3d_leaves_out_points_outside_the_domain(bowl_ladder):
    fig = figs.surface3d_figure(BOWL, bowl_ladder)
    assert fig.data[0].type == "surface"
    diverged = next(t for t in fig.data if t.type == "scatter3d" and "diverges at step" in t.name)
    assert np.isnan(np.asarray(diverged.x, dtype=float)).any()
    assert fig.layout.scene.zaxis.title.text == "f"
    assert figs.surface3d_figure(ROSENBROCK, race(ROSENBROCK, [RunSpec("adam", 0.02)], None, 10)
                                 ).layout.scene.zaxis.title.text.startswith("log")


def test_loss_figure_marks_divergence_in_red(bowl_ladder):
    statuses = [status(t, BOWL) for t in bowl_ladder]
    assert statuses[-1].kind == "diverged"
    fig = figs.loss_figure(BOWL, bowl_ladder, statuses)
    assert fig.layout.yaxis.type == "log" and fig.layout.xaxis.title.text == "step"
    red = [t for t in fig.data if t.mode == "markers+text"]
    assert len(red) == 1 and red[0].marker.color == figs.DIVERGED_RED
    assert red[0].text[0] == f"diverged at step {statuses[-1].step}"
    assert red[0].x[0] == bowl_ladder[-1].n_steps
    saddle = surfaces.get("saddle")
    trajs = race(saddle, [RunSpec("sgd", 0.01)], None, 20)
    assert figs.loss_figure(saddle, trajs).layout.yaxis.type == "linear"
    assert figs.distance_figure(saddle, trajs) is None
    assert figs.distance_figure(BOWL, bowl_ladder).layout.yaxis.type == "log"


def test_learning_rate_figure(bowl_ladder):
    fig = figs.learning_rate_figure(BOWL, bowl_ladder)
    marks = [t for t in fig.data if t.mode == "markers+text"]
    assert [m.x[0] for m in marks] == [t.spec.learning_rate for t in bowl_ladder]
    limit = next(t for t in fig.data if t.name.startswith("2/L"))
    assert limit.x[0] == pytest.approx(0.2)
    assert fig.layout.xaxis.type == "log"
    assert figs.learning_rate_figure(ROSENBROCK, bowl_ladder) is None
    assert figs.learning_rate_figure(ROSENBROCK, bowl_ladder, curvature=1000.0) is not None


def test_wrong_dimension_is_a_clear_error():
    with pytest.raises(ValueError, match="2D surface"):
        figs.contour_figure(QUAD, [])


def test_an_empty_race_still_draws_the_map():
    fig = figs.contour_figure(BOWL, [])
    assert not fig.frame_dicts and fig.layout.images and "sliders" not in fig.to_dict()["layout"]


def test_six_optimizers_on_the_default_bowl_fit_and_validate():
    trajs = race(BOWL, optimizers_compared(BOWL, None, 200), None, 200)
    fig = figs.contour_figure(BOWL, trajs, show_velocity=True, show_step_size=True)
    assert len(fig.to_json()) < 1_000_000


def test_a_diverging_run_leaves_the_plot_without_sweeping_across_it(bowl_ladder):
    far = bowl_ladder[-1]
    assert far.diverged_at is not None
    fig = figs.contour_figure(BOWL, bowl_ladder)
    ghost = next(t for t in fig.data if t.name == far.spec.title and t.mode == "lines")
    ys = np.asarray(ghost.y, dtype=float)
    assert np.all(np.abs(ys[:-1]) <= 3.0 * 1.5) and len(ys) < len(far.points)  # cut where it flies off
    run_index = len(bowl_ladder) - 1
    for frame in fig.frame_dicts:
        trail_y = np.asarray(frame["data"][run_index]["y"], dtype=float)
        assert np.all(np.abs(trail_y[:-1]) <= 3.0 * 1.5)  # only the head may be off the plot
