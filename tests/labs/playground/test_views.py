"""What the playground shows of a run: grids, decision surface, neuron maps, weights, curves."""

from __future__ import annotations

import numpy as np

from nnviz.labs.playground.experiment import Experiment
from nnviz.labs.playground.run import build
from nnviz.labs.playground.views import (
    DOMAIN,
    curves,
    decision_surface,
    gradient_norms,
    grid_centers,
    grid_features,
    grid_points,
    layer_labels,
    neuron_labels,
    neuron_maps,
    weight_histograms,
    weights,
)

DEFAULT = Experiment()
SMALL = Experiment(n_points=120)


def test_grid_covers_the_domain_row_major_with_x2_rising():
    pts = grid_points(4)
    lo, hi = DOMAIN
    assert pts.shape == (16, 2) and pts.min() > lo and pts.max() < hi
    assert pts[1, 0] > pts[0, 0] and pts[1, 1] == pts[0, 1]  # along a row x1 rises
    assert pts[4, 1] > pts[0, 1]  # row 1 is higher in x2
    assert not pts.flags.writeable


def test_decision_surface_is_one_forward_pass_over_a_100_grid():
    run = build(DEFAULT)
    run.train(100)
    z = decision_surface(run)
    assert z.shape == (100, 100) and z.dtype == np.float32
    assert (z >= 0).all() and (z <= 1).all()
    # Matches the network on the same points.
    out = run.net.predict(grid_features(DEFAULT.features, 100))
    np.testing.assert_allclose(z.ravel(), out[:, 1], rtol=1e-5, atol=1e-6)
    # Circles: blue (class 1) in the middle, orange at the corners.
    assert z[50, 50] > 0.5 and z[0, 0] < 0.5


def test_regression_surface_is_the_prediction():
    run = build(Experiment(dataset="plane", loss="mse", output="linear", n_points=100))
    z = decision_surface(run, 10)
    np.testing.assert_allclose(z.ravel(), run.net.predict(grid_features(run.experiment.features, 10))[:, 0],
                               rtol=1e-5)


def test_neuron_maps_have_one_map_per_neuron():
    exp = DEFAULT.replace(features=("x1", "x2", "sin x1"), hidden=(3, 5))
    run = build(exp)
    maps = neuron_maps(run, 12)
    assert [m.shape for m in maps] == [(3, 12, 12), (3, 12, 12), (5, 12, 12), (2, 12, 12)]
    c = grid_centers(12)
    np.testing.assert_allclose(maps[0][0], np.tile(c, (12, 1)), rtol=1e-6)  # x1 varies along columns
    np.testing.assert_allclose(maps[0][1], np.tile(c[:, None], (1, 12)), rtol=1e-6)  # x2 along rows
    np.testing.assert_allclose(maps[0][2], np.sin(np.tile(c, (12, 1))), rtol=1e-5)
    assert np.abs(maps[1]).max() <= 1  # tanh
    np.testing.assert_allclose(maps[-1].sum(axis=0), 1, rtol=1e-5)  # softmax outputs
    labels = neuron_labels(exp)
    assert [len(col) for col in labels] == [m.shape[0] for m in maps]
    assert labels[-1] == ["P(orange)", "P(blue)"]


def test_weights_labels_and_histograms_line_up():
    run = build(DEFAULT.replace(hidden=(5,)))
    ws = weights(run)
    assert [W.shape for W, _ in ws] == [(2, 5), (5, 2)]
    assert layer_labels(run.experiment) == ["hidden 1 (2→5)", "output (5→2)"]
    run.train(20)
    hists = weight_histograms(run)
    for h, (W, _) in zip(hists, ws, strict=True):
        assert h["now"].sum() == W.size == h["initial"].sum()
        assert len(h["edges"]) == len(h["now"]) + 1


def test_curves_and_gradient_norms_are_downsampled():
    run = build(SMALL)
    run.train(2000)
    c = curves(run.history, max_points=100)
    assert len(c["step"]) <= 100 and c["step"][-1] == run.history.eval_steps[-1] and c["step"][0] == 1
    assert all(len(v) == len(c["step"]) for v in c.values())
    started = curves(run.history, max_points=100, start=run.start)
    assert len(started["step"]) <= 100 and started["step"][0] == 0 and started["step"][1] == 1
    assert started["train_loss"][0] == run.start["train_loss"] and np.isnan(started["dead_relu"][0])
    g = gradient_norms(run, max_points=50)
    assert set(g) == {"step", *layer_labels(run.experiment)} and len(g["step"]) <= 50


def test_dead_relus_are_recorded():
    run = build(SMALL.replace(activation="relu"))
    run.train(20)
    c = curves(run.history)
    assert np.isfinite(c["dead_relu"]).all() and (c["dead_relu"] >= 0).all()


def test_the_network_graph_names_features_as_the_pills_do():
    exp = DEFAULT.replace(features=("x1", "x1^2", "x1*x2"))
    assert neuron_labels(exp)[0] == ["x1", "x1²", "x1·x2"]
