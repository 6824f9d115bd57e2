"""Functions: activations, losses and their derivatives; vanishing gradients; softmax."""

from nnviz.ui.functions import page

page()
