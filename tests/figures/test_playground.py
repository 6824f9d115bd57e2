"""Tests for nnviz.figures.playground: the diagnostics' canvas charts (lines, axes, titles, data)."""

from __future__ import annotations

import numpy as np
import pytest

from nnviz.figures import playground as figs
from nnviz.figures.canvas_chart import read
from nnviz.labs.playground import views
from nnviz.labs.playground.experiment import Experiment
from nnviz.labs.playground.run import Run, build


@pytest.fixture(scope="module")
def run() -> Run:
    r = build(Experiment())
    r.train(60)
    return r


def test_diagnostic_charts(run):
    norms = views.gradient_norms(run)
    g = read(figs.gradient_norm_chart(norms))
    assert g["header"]["y"]["log"] and list(g["lines"]) == views.layer_labels(run.experiment)
    for label, (x, y) in g["lines"].items():
        np.testing.assert_array_equal(x, norms["step"])
        np.testing.assert_allclose(y, norms[label], rtol=1e-6)
    d = read(figs.dead_relu_chart(np.arange(3), np.array([0.0, 0.25, 0.5])))
    assert d["header"]["y"]["domain"] == [0, 1]
    np.testing.assert_allclose(d["lines"]["dead ReLUs"][1], [0.0, 0.25, 0.5])
    for hist in views.weight_histograms(run):
        h = read(figs.histogram_chart(hist))
        assert h["header"]["title"] == hist["label"] and h["header"]["x"]["title"] == "weight"
        assert set(h["lines"]) == {"at init", "now"}
        x, y = h["lines"]["now"]
        assert y[0] == y[-1] == 0 and y.max() == hist["now"].max()
        assert x[0] == hist["edges"][0] and x[-1] == hist["edges"][-1]


def test_stairs_outline_a_histogram():
    x, y = figs.stairs(np.array([0.0, 1.0, 2.0]), np.array([3, 5]))
    np.testing.assert_array_equal(x, [0, 0, 1, 1, 2, 2])
    np.testing.assert_array_equal(y, [0, 3, 3, 5, 5, 0])
