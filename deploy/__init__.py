"""Run nnviz on several Streamlit processes behind nginx with sticky sessions (see deploy/README.md)."""
