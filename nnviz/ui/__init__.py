"""Streamlit widgets and page helpers: the only part of nnviz that imports streamlit."""
