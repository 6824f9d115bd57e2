"""The floor of bench_browser.py's first renders: a Streamlit page with nothing of nnviz in it (a
title, a line and a link, which the paint probe takes for the home page's), served by a stock
``streamlit run`` with the same flags. What any Streamlit 1.67 app costs a visitor's browser."""

import streamlit as st

st.title("A bare Streamlit page")
st.write("Nothing of nnviz: Streamlit's own frontend, started for a visitor.")
st.page_link("https://streamlit.io", label="Streamlit")
