"""Playground: train a network on 2D data and watch it learn, live (TensorFlow-Playground class)."""

from nnviz.ui.common import ensure_app_navigation
from nnviz.ui.playground import page

ensure_app_navigation()
page()
