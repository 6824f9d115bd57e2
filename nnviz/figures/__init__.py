"""Plotly figure builders: engine results in, figures out; no widgets. One module per page."""
