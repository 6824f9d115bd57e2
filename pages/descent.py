"""Gradient-descent lab: race optimizers and learning rates on 1D and 2D surfaces."""

from nnviz.ui import descent
from nnviz.ui.common import ensure_app_navigation

ensure_app_navigation()
descent.render()
