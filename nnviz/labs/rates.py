"""The learning rates the pages offer on their log-scale sliders and pills: 1e-05, 3e-05, ..., 10, 30.

Here, not in the ui, so that a page's link codec (``nnviz/labs/<page>/link.py``) can check a rate
against the same scale the page draws."""

from __future__ import annotations

LEARNING_RATES: tuple[float, ...] = tuple(
    round(m * 10.0**e, 10) for e in range(-5, 2) for m in (1, 3)
)  # 1e-05, 3e-05, ..., 10, 30
