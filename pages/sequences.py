"""Sequences: a simple RNN trained live; hidden states, gradients through time, one step in numbers."""

from nnviz.ui import sequences
from nnviz.ui.common import ensure_app_navigation

ensure_app_navigation()
sequences.render()
