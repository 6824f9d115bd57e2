"""The landscape's one colour scale (``loss_scale``): set by the runs (lightest at their shared start,
darkest a margin below the lowest loss a calm run reached), not by a diverged run, and used as given by
the plane's canvas map, its 3D surface and every random slice, so a colour means one loss in every tab."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nnviz.figures import landscape as figs
from nnviz.labs.landscape.paths import path_landscape
from nnviz.labs.landscape.runs import TrainingRun
from nnviz.labs.landscape.slices import random_slices
from nnviz.labs.packing import unpack
from nnviz.nn.training import TrainConfig
from tests.figures.landscape_setting import moons_runs


def _run(loss: list[float], diverged: int | None = None) -> TrainingRun:
    n = len(loss)
    return TrainingRun(label="r", config=TrainConfig(), steps=np.arange(n), snapshots=np.zeros((n, 2)),
                       loss=np.asarray(loss, dtype=np.float64), accuracy=np.full(n, np.nan),
                       batch_loss=np.asarray(loss, dtype=np.float64), diverged=diverged)


def test_the_scale_runs_from_below_the_best_loss_to_the_shared_start():
    runs = [_run([0.7, 0.5, 0.3]), _run([0.7, 0.4, 0.2]), _run([0.7, 50.0, math.inf], diverged=2)]
    low, high = figs.loss_scale(runs, log=True)
    assert high == pytest.approx(math.log10(0.7))  # the diverged run's 50 does not stretch it
    span = math.log10(0.7) - math.log10(0.2)
    assert low == pytest.approx(math.log10(0.2) - figs.SCALE_MARGIN * span)
    low, high = figs.loss_scale(runs, log=False)
    assert (low, high) == pytest.approx((0.2 - figs.SCALE_MARGIN * 0.5, 0.7))


def test_degenerate_runs_still_give_a_scale():
    assert figs.loss_scale([_run([0.7, 0.9, 1.2])], log=False) == pytest.approx((0.7 - 0.05, 1.2))  # never below its start
    assert figs.loss_scale([_run([0.5, 0.5])], log=True)[1] > figs.loss_scale([_run([0.5, 0.5])], log=True)[0]
    assert figs.loss_scale([_run([math.nan, math.inf], diverged=1)]) == (0.0, 1.0)
    all_diverged = figs.loss_scale([_run([0.7, 0.3, 90.0], diverged=2)], log=False)
    assert all_diverged == pytest.approx((0.3 - 0.04, 0.7))


@pytest.fixture(scope="module")
def setting():
    net, X, y, runs = moons_runs()
    pl = path_landscape(net, "cross_entropy", X, y, runs, resolution=7)
    grids = random_slices(net, "cross_entropy", X, y, runs, resolution=5, span=2.0)
    return runs, pl, grids


@pytest.mark.parametrize("log", [True, False])
def test_the_plane_its_surface_and_the_slices_use_the_scale_given(setting, log):
    runs, pl, grids = setting
    scale = figs.loss_scale(runs, log)
    own = (figs.colour_range([pl.loss], log), figs.colour_range([g.loss for g in grids[:2]], log))
    assert own[0] != pytest.approx(own[1])  # each view's own grid would have given each its own range
    assert unpack(figs.path_map_payload(pl, log, zrange=scale))[0]["color"]["range"] == pytest.approx(list(scale))
    surface = figs.path_surface(pl, log, zrange=scale).data[0]
    assert (surface.cmin, surface.cmax) == pytest.approx(scale)
    blobs = figs.slice_payloads(grids, [r.label for r in runs], [r.diverged for r in runs], log, zrange=scale)
    assert [unpack(b)[0]["color"]["range"] for b in blobs] == [pytest.approx(list(scale))] * 3
    coloraxis = figs.random_slices(grids, [r.label for r in runs], [r.diverged for r in runs], log,
                                   zrange=scale).layout.coloraxis
    assert (coloraxis.cmin, coloraxis.cmax) == pytest.approx(scale)
