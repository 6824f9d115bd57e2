"""Tests for nnviz.figures.playground: the diagnostics' Vega-Lite specs (marks, encodings, titles, data)."""

from __future__ import annotations

import numpy as np
import pytest

from nnviz.figures import playground as figs
from nnviz.labs.playground import views
from nnviz.labs.playground.experiment import Experiment
from nnviz.labs.playground.run import Run, build


@pytest.fixture(scope="module")
def run() -> Run:
    r = build(Experiment())
    r.train(60)
    return r


def _mark(layer):
    m = layer["mark"]
    return m if isinstance(m, str) else m["type"]


def test_diagnostic_charts(run):
    g = figs.gradient_norm_chart(views.gradient_norms(run))
    assert g["layer"][0]["encoding"]["y"]["scale"]["type"] == "log"
    assert g["layer"][0]["encoding"]["color"]["scale"]["domain"] == views.layer_labels(run.experiment)
    d = figs.dead_relu_chart(np.arange(3), np.array([0.0, 0.25, 0.5]))
    assert d["layer"][0]["encoding"]["y"]["scale"]["domain"] == [0, 1]
    hists = views.weight_histograms(run)
    h = figs.histogram_chart(hists)
    assert h["facet"]["field"] == "layer" and _mark(h["spec"]) == "rect" and h["spec"]["encoding"]["y2"] == {"datum": 0}
    assert h["spec"]["encoding"]["x"]["title"] == "weight" and h["spec"]["encoding"]["y"]["title"] == "count"
    counts = h["datasets"]["hist"].column("count").to_numpy()
    assert (counts > 0).all() and counts.sum() == 2 * sum(x["now"].sum() for x in hists)
