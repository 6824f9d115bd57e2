"""Figures of the loss-landscape page: trace types, shapes, axis titles, shared colour scales,
and a diverged run that neither breaks a figure nor sets its colour range."""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go
import pytest

from nnviz.data import toy_sets
from nnviz.figures import landscape as figs
from nnviz.labs.landscape.paths import path_landscape
from nnviz.labs.landscape.runs import compare_runs
from nnviz.labs.landscape.slices import interpolations, random_slices
from nnviz.nn.network import Network
from nnviz.nn.training import TrainConfig


@pytest.fixture(scope="module")
def setting():
    ds = toy_sets.get("moons")(150, 0.5, 0)
    X = ds.X.astype(np.float32)
    net = Network.mlp([2, 8, 8, 2], activation="tanh", output="softmax", seed=0)
    configs = [TrainConfig(optimizer="sgd", learning_rate=lr, eval_every=0) for lr in (0.3, 1.0, 1e4)]
    runs = compare_runs(net, configs, X, ds.y, steps=30, n_snapshots=6, labels=["slow", "fast", "wild"])
    assert runs[2].diverged is not None
    pl = path_landscape(net, "cross_entropy", X, ds.y, runs, resolution=7)
    grids = random_slices(net, "cross_entropy", X, ds.y, runs, resolution=5)
    lines = interpolations(net, "cross_entropy", X, ds.y, runs, resolution=7)
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
