"""Figures for the Sequences page: one test sequence over time, the losses, and how far the
gradient reaches back. Builders take ``nnviz.labs.sequences.run`` values and return canvas chart
descriptions (``nnviz.figures.canvas_chart.chart``); no widgets."""

from __future__ import annotations

import numpy as np

from nnviz.figures.canvas_chart import Axis, Line, Rule, chart
from nnviz.figures.common import TABLEAU10
from nnviz.labs.playground.views import downsample_index

INK = "#31333f"


def sequence_chart(view: dict[str, np.ndarray], kind: str, height: int = 260) -> bytes:
    """Input, target (on the steps that count) and the network's prediction against the step."""
    t = np.arange(len(view["x"]))
    target = np.where(view["mask"], view["y"], np.nan)
    what = "P(bit = 1)" if kind == "bits" else "prediction"
    return chart(
        Line("input x_t", t, view["x"], color="#b0b0b8", markers=kind == "bits"),
        Line("target", t, target, color=INK, dash=True, markers=kind == "bits"),
        Line(what, t, view["prediction"], color=TABLEAU10[0], markers=kind == "bits"),
        title="test sequence 1: input, target and the network's output", x=Axis("step t", whole=True, fmt="d"),
        y=Axis("value", nice=True, pad=0.05), height=height)


def loss_chart(train_steps: np.ndarray, train: np.ndarray, eval_steps: np.ndarray, test: np.ndarray,
               height: int = 260, max_points: int = 400) -> bytes:
    """Train loss (every step, thinned) and test loss against the step, on a log axis."""
    i = downsample_index(len(train), max_points)
    j = downsample_index(len(test), max_points)
    floor = lambda v: np.maximum(np.asarray(v, np.float64), 1e-8)  # noqa: E731 - a log axis has no 0
    return chart(Line("train loss", np.asarray(train_steps)[i], floor(train)[i], color=INK),
                 Line("test loss", np.asarray(eval_steps)[j], floor(test)[j], color="#d62728"),
                 title="loss", x=Axis("step", whole=True, fmt="d"), y=Axis("loss (log scale)", log=True, nice=True),
                 height=height)


def reach_chart(norms: np.ndarray, lag: int | None = None, height: int = 260) -> bytes:
    """‖∂L/∂h_t‖ against t (log axis), L the last step's loss: its gradient as it reaches back in time."""
    t = np.arange(len(norms))
    shown = np.where(np.isfinite(norms) & (norms > 0), norms, np.nan)
    marks = [Line("‖∂L/∂h_t‖", t, shown, color=TABLEAU10[2], markers=True)]
    if lag is not None:
        marks.append(Rule(x=float(len(norms) - 1 - lag), dash=True, label=f"{lag} steps back: the bit to remember"))
    return chart(*marks, title="how much of the last step's gradient reaches step t",
                 x=Axis("step t", whole=True, fmt="d"), y=Axis("‖∂L/∂h_t‖ (log scale)", log=True, nice=True),
                 height=height, legend=False)
