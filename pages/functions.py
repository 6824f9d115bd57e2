"""Functions: activations, losses and their derivatives; vanishing gradients; softmax."""

from nnviz.ui.common import ensure_app_navigation
from nnviz.ui.functions import page

ensure_app_navigation()

page()
