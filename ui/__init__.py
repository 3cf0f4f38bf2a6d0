"""Pantau's Streamlit layer: the page frame, shared widgets, formatting, i18n and cached reads.

Pages import from here; analytics/ never imports this package (or Streamlit). ui/README.md
documents the API.
"""
