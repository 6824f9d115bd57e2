"""Figures of the digits page: image arrays, Vega-Lite specs and the confusion-matrix figure."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest

from nnviz.figures import digits as figs
from nnviz.figures.canvas_chart import read


def test_digit_image_is_white_ink_on_black_enlarged():
    img = np.zeros((28, 28), np.float32)
    img[10, 12] = 1.0
    rgb = figs.digit_image(img, scale=4)
    assert rgb.shape == (112, 112, 3) and rgb.dtype == np.uint8
    assert (rgb[40:44, 48:52] == 255).all() and rgb[0, 0].tolist() == [0, 0, 0]


def test_saliency_image_marks_positive_red_and_negative_blue():
    img = np.zeros((28, 28))
    grad = np.zeros((28, 28))
    grad[5, 5], grad[20, 20] = 1.0, -1.0
    rgb = figs.saliency_image(img, grad, scale=1).astype(int)
    assert rgb[5, 5, 0] > 200 and rgb[5, 5, 2] < 80  # red
    assert rgb[20, 20, 2] > 200 and rgb[20, 20, 0] < 80  # blue
    assert rgb[0, 0].tolist() == [0, 0, 0]
    assert figs.saliency_image(img, np.zeros((28, 28)), scale=1).max() == 0  # no gradient: no overlay


def test_colorize_maps_and_errors():
    diverging = figs.colorize(np.array([[-1.0, 0.0, 1.0]]), "diverging")
    assert diverging[0, 0, 2] > diverging[0, 0, 0] and diverging[0, 2, 0] > diverging[0, 2, 2]
    assert diverging[0, 1].tolist() == [247, 247, 247]
    heat = figs.colorize(np.array([[0.0, 1.0]]), "heat")
    assert heat[0, 1].sum() > heat[0, 0].sum()
    with pytest.raises(ValueError, match="colour map"):
        figs.colorize(np.zeros((2, 2)), "jet")


@pytest.mark.parametrize(("values", "shape"), [
    (np.random.default_rng(0).random((28, 28, 16)), (2 * (84 + 1) + 1, 8 * (84 + 1) + 1, 3)),
    (np.random.default_rng(0).random((14, 14, 32)), (4 * (84 + 1) + 1, 8 * (84 + 1) + 1, 3)),
    (np.random.default_rng(0).random(64), (4 * 18, 16 * 18, 3)),
    (np.random.default_rng(0).random(10), (18, 10 * 18, 3)),
])
def test_feature_maps_image_shapes(values, shape):
    rgb = figs.feature_maps_image(values)
    assert rgb.shape == shape and rgb.dtype == np.uint8


def test_feature_maps_image_rejects_other_shapes():
    with pytest.raises(ValueError, match="activations"):
        figs.feature_maps_image(np.zeros((2, 2)))
    with pytest.raises(ValueError, match="maps"):
        figs.mosaic(np.zeros((0, 3, 3)))


def test_weights_image_for_filters_and_dense_weights():
    filters = figs.weights_image("filters", np.random.default_rng(1).normal(size=(16, 3, 3)))
    assert filters.ndim == 3 and filters.shape[2] == 3 and filters.shape[1] > filters.shape[0]
    dense = figs.weights_image("weights", np.random.default_rng(1).normal(size=(128, 28, 28)))
    assert dense.shape == (4 * (84 + 2) + 2, 8 * (84 + 2) + 2, 3)  # the first 32 units


def test_probability_chart_bars_with_the_top_digit_highlighted():
    p = np.full(10, 0.01)
    p[7] = 0.91
    chart = read(figs.probability_chart("Default model", p))
    assert list(chart["bars"]) == [str(d) for d in range(10)]
    np.testing.assert_allclose(list(chart["bars"].values()), p, rtol=1e-6)
    bars = chart["header"]["bars"]
    assert bars["colors"][7] == figs.TOP_COLOR and bars["colors"][0] == figs.MODEL_COLORS[0]
    assert bars["text"][7] == "91%" and bars["tips"][7] == "digit 7: 91.0%"
    assert chart["header"]["y"]["domain"] == [0, 1] and chart["header"]["title"].startswith("Default model")
    with pytest.raises(ValueError, match="10 entries"):
        figs.probability_chart("m", np.ones(9) / 9)


def test_curves_chart_drops_non_finite_points():
    x = np.array([0.25, 0.5, 0.75])
    spec = figs.curves_chart(x, {"training loss": np.array([2.0, np.nan, 1.0]), "validation loss": np.array([2.1, 1.5, np.inf])},
                             y_title="cross-entropy", title="Loss")
    data = spec["datasets"]["curves"]
    assert data.column("step").to_pylist() == [0.25, 0.5, 0.75]  # fractional epochs stay fractional
    values = np.array([data.column(k).to_numpy(zero_copy_only=False) for k in ("s0", "s1")], dtype=np.float64)
    assert np.isfinite(values).sum() == 4  # the lines draw only the finite values
    assert "isFinite(datum.value)" in spec["layer"][0]["transform"][1]["filter"]
    enc = spec["layer"][0]["encoding"]
    assert enc["color"]["scale"]["domain"] == ["training loss", "validation loss"]
    assert enc["x"]["title"] == "epoch" and enc["y"]["title"] == "cross-entropy"
    assert spec["autosize"]["type"] == "fit-x" and spec["title"]["text"] == "Loss"
    empty = figs.curves_chart(np.zeros(0), {"a": np.zeros(0)}, y_title="loss")
    assert len(empty["datasets"]["curves"]) == 0


def test_confusion_figure_has_clickable_cells():
    conf = np.diag(np.full(10, 90))
    conf[4, 9] = 7
    fig = figs.confusion_figure(conf, selected=(4, 9))
    assert isinstance(fig, go.Figure)
    assert [type(t).__name__ for t in fig.data] == ["Heatmap", "Heatmap", "Scatter"]
    cells = fig.data[2]
    assert len(cells.x) == 100 and np.asarray(cells.customdata).shape == (100, 2)
    i = list(map(tuple, np.asarray(cells.customdata))).index((4, 9))
    assert cells.text[i] == "7" and cells.x[i] == 9 and cells.y[i] == 4
    assert fig.layout.xaxis.title.text == "predicted digit" and fig.layout.yaxis.title.text == "true digit"
    assert len(fig.layout.shapes) == 1  # the selected cell's frame
    with pytest.raises(ValueError, match="10x10"):
        figs.confusion_figure(np.zeros((3, 3)))
