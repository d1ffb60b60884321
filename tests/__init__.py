"""jupyter-wellml test suite."""
