"""Playground: train a network on 2D data and watch it learn, live (TensorFlow-Playground class)."""

from nnviz.ui import playground
from nnviz.ui.common import ensure_app_navigation

ensure_app_navigation()
playground.render()
