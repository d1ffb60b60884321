"""The command line: ``jupyter wellml ...`` (also ``jupyter-wellml`` and ``python -m jupyter_wellml``)."""
