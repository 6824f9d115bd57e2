"""Figures of the backpropagation page: the loss slice, the history, the network graph with the
backward path highlighted, and the gradient check."""

from __future__ import annotations

import numpy as np
import pytest

from nnviz.figures import backprop as figs
from nnviz.labs.explain import gradient_check, neuron, numbers, tiny_network


def test_loss_slice_figure_marks_the_step_and_the_tangent():
    config = neuron.PRESETS["sigmoid_ce"].config
    r = neuron.neuron(config)
    grid, values = neuron.neuron_loss_slice(config)
    fig = figs.loss_slice_figure(grid, values, config.w[0], r.loss, r.dL_dw[0], r.new_w[0], r.new_loss)
    assert [t.mode for t in fig.data] == ["lines", "lines", "markers", "markers"]
    tangent = fig.data[1]
    slope = (tangent.y[1] - tangent.y[0]) / (tangent.x[1] - tangent.x[0])
    assert slope == pytest.approx(r.dL_dw[0])
    assert fig.data[3].x[0] == pytest.approx(0.2238, abs=5e-5)
    assert len(fig.layout.annotations) == 1  # the arrow of the step


def test_history_figure():
    fig = figs.history_figure([0, 1, 2], [0.6, 0.5, 0.4], [[0.2, 0.0], [0.3, 0.1], [0.4, 0.2]], ["w", "b"])
    assert [t.name for t in fig.data] == ["loss", "w", "b"]
    assert list(fig.data[2].y) == [0.0, 0.1, 0.2]


@pytest.mark.parametrize("head", list(tiny_network.TINY_OUTPUTS))
def test_network_figure_highlights_each_backward_stage(head):
    r = tiny_network.tiny_forward_backward(tiny_network.TinyConfig(output=head, target=1))
    n_edges = len(r.edges)
    for step in range(len(r.steps) + 1):
        fig = figs.network_figure(r, step)
        lines = fig.data[:n_edges]
        hot = [t for t in lines if t.line.color == figs.HIGHLIGHT]
        expected = len(r.steps[step - 1].edges) if step else 0
        assert len(hot) == expected
        nodes = fig.data[-1]
        assert list(nodes.text) == [label for _, label, _ in r.nodes]
        texts = " ".join(a.text for a in fig.layout.annotations)
        if step == 3:  # output-layer weight gradients on the highlighted edges
            assert f"∂L/∂w = {numbers.fmt_plain(r.grads['dense1.W'][0, 0])}" in texts
        if step == 5:
            assert numbers.fmt_plain(r.delta1[0]) in texts
    with pytest.raises(ValueError, match="step"):
        figs.network_figure(r, 7)


def test_gradcheck_figure():
    result = gradient_check.gradient_check(tiny_network.TinyConfig())
    fig = figs.gradcheck_figure(result)
    assert fig.data[0].type == "bar"
    assert len(fig.data[0].x) == len(result.rows) == 9
    assert fig.layout.yaxis.type == "log"
    assert set(fig.data[0].marker.color) == {"#00a36c"}
    bad = figs.gradcheck_figure(gradient_check.gradient_check(tiny_network.TinyConfig(), slip=True))
    assert figs.HIGHLIGHT in set(bad.data[0].marker.color)
    assert np.all(np.asarray(bad.data[0].y) > 0)
