"""Backpropagation: one neuron and a tiny network, every number of the forward pass, the chain rule and the update."""

from nnviz.ui import backprop
from nnviz.ui.common import ensure_app_navigation

ensure_app_navigation()
backprop.render()
