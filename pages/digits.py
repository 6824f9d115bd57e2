"""Digits: draw a digit and see the softmax probabilities; train your own digit model."""

from nnviz.ui.common import ensure_app_navigation
from nnviz.ui.digits import page

ensure_app_navigation()
page()
