"""/home: sends the visitor to the home page at / (app.py lists this page hidden)."""

from nnviz.ui import home
from nnviz.ui.common import ensure_app_navigation

ensure_app_navigation()
home.render()
