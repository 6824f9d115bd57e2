"""What each page explores, as plain Python (no streamlit, no plotly), testable on its own."""
