"""Backpropagation: one neuron and a tiny network, every number of the forward pass, the chain rule and the update."""

from nnviz.ui.backprop import page

page()
