"""nnviz: a from-scratch NumPy neural-network engine, and the figures and UI that show it learning."""

__version__ = "0.1.0"
