"""The Streamlit front end: pages, cached loaders, the staff gate and shared panels.

Everything here turns widgets into arguments for :mod:`geo`, caches what it returns and draws
it. Nothing in :mod:`geo` imports this package (or Streamlit).
"""
