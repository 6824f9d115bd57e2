"""Functions: activations, losses and their derivatives; vanishing gradients; softmax."""

from nnviz.ui import functions
from nnviz.ui.common import ensure_app_navigation

ensure_app_navigation()
functions.render()
