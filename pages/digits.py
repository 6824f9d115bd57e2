"""Digits: draw a digit and see the softmax probabilities; train your own digit model."""

from nnviz.ui import digits
from nnviz.ui.common import ensure_app_navigation

ensure_app_navigation()
digits.render()
