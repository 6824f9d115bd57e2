"""Loss landscape: train one network several ways from the same start and see where each run goes."""

from nnviz.ui import landscape
from nnviz.ui.common import ensure_app_navigation

ensure_app_navigation()
landscape.render()
