"""Figures of the loss-landscape page: trace types, shapes, axis titles, shared colour scales,
and a diverged run that neither breaks a figure nor sets its colour range; the canvas payloads of the
paths map and the slices (every path with its readout, frames, marks, picture, colour bar)."""

from __future__ import annotations

import io
import math

import numpy as np
import plotly.graph_objects as go
import pytest
from PIL import Image

from nnviz.figures import landscape as figs
from nnviz.labs.landscape.paths import path_landscape
from nnviz.labs.landscape.slices import interpolations, random_slices
from nnviz.labs.packing import unpack
from tests.figures.landscape_setting import moons_runs


@pytest.fixture(scope="module")
def setting():
    net, X, y, runs = moons_runs()
    assert runs[2].diverged is not None
    pl = path_landscape(net, "cross_entropy", X, y, runs, resolution=7)
    grids = random_slices(net, "cross_entropy", X, y, runs, resolution=5)
    lines = interpolations(net, "cross_entropy", X, y, runs, resolution=7)
    return runs, pl, grids, lines


def test_path_contour(setting):
    runs, pl, _, _ = setting
    fig = figs.path_contour(pl)
    assert isinstance(fig.data[0], go.Contour) and np.shape(fig.data[0].z) == (7, 7)
    paths = [t for t in fig.data if isinstance(t, go.Scatter) and t.mode == "lines+markers"]
    assert [t.name for t in paths] == ["slow", "fast", f"wild (diverged at step {runs[2].diverged})"]
    assert f"{100 * pl.plane.explained[0]:.1f}%" in fig.layout.xaxis.title.text
    assert "PC2" in fig.layout.yaxis.title.text
    assert tuple(fig.layout.xaxis.range) == (pl.a[0], pl.a[-1])  # a far-off path is cut at the edge
    z = np.asarray(fig.data[0].z)
    assert np.all(np.isfinite(z)) and z.max() <= fig.data[0].zmax + 1e-12


def test_path_surface_and_honesty(setting):
    _, pl, _, _ = setting
    fig = figs.path_surface(pl)
    assert isinstance(fig.data[0], go.Surface)
    assert all(isinstance(t, go.Scatter3d) for t in fig.data[1:]) and len(fig.data) >= 3
    honest = figs.path_honesty(pl)
    assert len(honest.data) == 3 * len(pl.paths)
    assert honest.layout.yaxis.type == "log" and honest.layout.xaxis2.title.text == "training step"
    fitted = max(p.off_plane.max() for p in pl.paths if p.in_fit)
    assert honest.layout.yaxis2.range[1] == pytest.approx(1.15 * fitted)  # the diverged run does not set it


def test_random_slices_share_one_colour_scale_not_set_by_the_diverged_run(setting):
    runs, _, grids, _ = setting
    fig = figs.random_slices(grids, [r.label for r in runs], [r.diverged for r in runs])
    contours = [t for t in fig.data if isinstance(t, go.Contour)]
    assert len(contours) == 3 and {t.coloraxis for t in contours} == {"coloraxis"}
    calm = figs.colour_range([grids[0].loss, grids[1].loss])
    assert fig.layout.coloraxis.cmax == pytest.approx(calm[1])
    assert all(t.contours.start == contours[0].contours.start for t in contours)
    assert "diverged" in fig.layout.annotations[2].text


def test_interpolation_and_loss_curves(setting):
    runs, _, _, lines = setting
    fig = figs.interpolation(lines, [r.label for r in runs], [r.diverged for r in runs])
    assert len(fig.data) == 2 * len(lines)  # loss and accuracy per run
    assert fig.layout.yaxis.type == "log" and fig.layout.yaxis2.tickformat == ".0%"
    curves = figs.loss_curves(runs)
    markers = [t for t in curves.data if t.mode == "markers"]
    assert len(markers) == 1 and markers[0].marker.symbol == "x-thin"  # the diverged run's cross
    linear = figs.loss_curves(runs, log=False)
    assert linear.layout.yaxis.type == "linear"


def test_colour_range_ignores_non_finite_and_clips_outliers():
    Z = np.full((10, 10), 0.5)
    Z[0, 0] = np.inf
    Z[1, 1] = np.nan
    Z[2, :2] = 1e6  # a couple of exploded points must not stretch the scale
    low, high = figs.colour_range([Z], log=True)
    assert low == pytest.approx(math.log10(0.5)) and high < 6
    low, high = figs.colour_range([np.ones((3, 3))], log=False)
    assert high > low
    assert figs.colour_range([np.full(3, np.nan)]) == (0.0, 1.0)


def test_log_ticks_are_round_loss_values():
    vals, text = figs._log_ticks(math.log10(0.26), math.log10(0.6))
    assert text == ["0.3", "0.4", "0.5", "0.6"], text
    vals, text = figs._log_ticks(-4, 1)
    assert text[0] == "0.0001" and text[-1] == "10"


# ---- canvas payloads ------------------------------------------------------------------------------
def test_path_map_payload_holds_every_path_with_its_readout(setting):
    runs, pl, _, _ = setting
    header, a = unpack(figs.path_map_payload(pl))
    assert header["kind"] == "landscape-map" and header["minima"] == [] and header["overlays"] == []
    assert header["domain"] == [[pl.a[0], pl.a[-1]], [pl.b[0], pl.b[-1]]]
    assert header["axes"] == [f"PC{k + 1}: {100 * pl.plane.explained[k]:.1f}% of path variance" for k in range(2)]
    assert pl.paths[pl.reference].label in header["title"]
    assert [r["title"] for r in header["runs"]] == ["slow", "fast", f"wild (diverged at step {runs[2].diverged})"]
    assert [r["color"] for r in header["runs"]] == [figs.run_color(i) for i in range(3)]
    # One frame per snapshot step of any run; each run's head is its latest snapshot at that step.
    frames = np.unique(np.concatenate([r.steps for r in runs]))
    np.testing.assert_array_equal(a["frame_step"], frames)
    assert header["steps"] == len(frames) - 1 and a["head"].shape == (len(frames), 3, 2)
    for i, path in enumerate(pl.paths[:2]):  # the calm runs: every snapshot, with its readout
        n = len(path.steps)
        np.testing.assert_allclose(a[f"path{i}"], path.coords, rtol=1e-5, atol=1e-6)
        np.testing.assert_array_equal(a[f"steps{i}"], path.steps)
        np.testing.assert_allclose(a[f"loss{i}"], path.loss, rtol=1e-5)
        np.testing.assert_allclose(a[f"plane{i}"], path.plane_loss, rtol=1e-5)
        np.testing.assert_allclose(a[f"off{i}"], path.off_plane, rtol=1e-5, atol=1e-6)
        assert header["runs"][i]["last"] == n - 1
        at = a["index"][:, i]
        assert np.all(path.steps[at] <= frames) and at[-1] == n - 1
        np.testing.assert_allclose(a["head"][:, i], path.coords[at], rtol=1e-5, atol=1e-6)
    assert [label for label, _, _ in header["readout"]] == ["real loss", "loss at its projection",
                                                           "distance from the plane"]
    assert {f"{name}0" for _, name, _ in header["readout"]} <= set(a) and header["point_step"] == "steps"
    # Marks: a star at each calm run's end in its colour; the diverged run's path is cut where it flies off.
    stars = [m for m in header["marks"] if m[2] == "star"]
    assert [m[3] for m in stars] == [figs.run_color(0), figs.run_color(1)]
    assert stars[0][:2] == pytest.approx(list(pl.paths[0].coords[-1]), rel=1e-6)
    wild = a["path2"]
    assert np.all(np.isfinite(wild)) and len(wild) <= len(pl.paths[2].steps)
    np.testing.assert_allclose(header["start"], pl.paths[0].coords[0], rtol=1e-9)
    np.testing.assert_allclose(a["fgrid"], pl.loss, rtol=1e-6)


def test_path_map_picture_and_colour_bar_follow_the_colour_scale(setting):
    _, pl, _, _ = setting
    for log in (True, False):
        header, a = unpack(figs.path_map_payload(pl, log))
        zrange = figs.colour_range([pl.loss], log)
        color = header["color"]
        assert color["range"] == pytest.approx(list(zrange)) and color["stops"] == list(figs.LOSS_STOPS)
        assert ("log scale" in color["title"]) == log and (color["ticks"] is not None) == log
        pic = Image.open(io.BytesIO(a["image"].tobytes()))
        assert pic.format == "PNG" and pic.size[0] == 560
        # The lowest loss on the grid is the picture's darkest band (low loss dark).
        rgb = np.asarray(pic.convert("RGB"), dtype=float).sum(axis=2)
        j, i = np.unravel_index(np.argmin(pl.loss), pl.loss.shape)
        y = int((1 - j / (len(pl.b) - 1)) * (pic.size[1] - 1))
        x = int(i / (len(pl.a) - 1) * (pic.size[0] - 1))
        assert rgb[y, x] <= np.quantile(rgb, 0.2)
    log_ticks = unpack(figs.path_map_payload(pl, True))[0]["color"]["ticks"]
    assert [t for _, t in log_ticks] == figs._log_ticks(*figs.colour_range([pl.loss]))[1]


def test_slice_payloads_share_one_colour_range_not_set_by_the_diverged_run(setting):
    runs, _, grids, _ = setting
    blobs = figs.slice_payloads(grids, [r.label for r in runs], [r.diverged for r in runs])
    assert len(blobs) == 3
    calm = figs.colour_range([grids[0].loss, grids[1].loss])
    for i, (blob, g) in enumerate(zip(blobs, grids, strict=True)):
        header, a = unpack(blob)
        assert header["kind"] == "landscape-map" and header["controls"] is False and header["runs"] == []
        assert header["color"]["range"] == pytest.approx(list(calm)) and header["axes"] == ["α", "β"]
        assert header["marks"] == [[0.0, 0.0, "star", figs.run_color(i), f"{runs[i].label}: final weights"]]
        np.testing.assert_allclose(a["fgrid"], g.loss, rtol=1e-6)
    assert "diverged at step" in unpack(blobs[2])[0]["title"]
    with pytest.raises(ValueError, match="no slices"):
        figs.slice_payloads([], [])


def test_every_view_uses_the_same_colour_scale(setting):
    _, pl, grids, _ = setting
    contour = figs.path_contour(pl).data[0].colorscale
    surface = figs.path_surface(pl).data[0].colorscale
    slices = figs.random_slices(grids, ["a", "b", "c"]).layout.coloraxis.colorscale
    assert [tuple(c) for c in contour] == [tuple(c) for c in surface] == [tuple(c) for c in slices]
    assert len(contour) == len(figs.LOSS_STOPS) and contour[0][1].lower() == figs.LOSS_STOPS[0]


def test_curves_payload_holds_every_run_with_its_mini_batch_loss_and_divergence(setting):
    runs, _, _, _ = setting
    header, a = unpack(figs.curves_payload(runs))
    assert header["kind"] == "landscape-curves" and header["log"] and header["faint"] and header["dots"]
    assert [r["name"] for r in header["runs"]] == [r.label for r in runs]
    assert [r["color"] for r in header["runs"]] == [figs.run_color(i) for i in range(len(runs))]
    assert header["steps"] == max(int(r.steps[-1]) for r in runs)
    for i, run in enumerate(runs):
        np.testing.assert_array_equal(a[f"x{i}"], run.steps)
        np.testing.assert_allclose(a[f"y{i}"], run.loss, rtol=1e-6)
        assert len(a[f"bx{i}"]) == len(run.batch_loss) <= figs.MAX_CURVE_POINTS  # 30 steps: all of them
        np.testing.assert_allclose(a[f"by{i}"], run.batch_loss, rtol=1e-6)
    marks = [r["mark"] for r in header["runs"]]
    assert marks[:2] == [None, None]
    assert marks[2][:3] == [int(runs[2].steps[-1]), pytest.approx(float(runs[2].loss[-1])), "diverged"]
    assert not unpack(figs.curves_payload(runs, log=False))[0]["log"]
