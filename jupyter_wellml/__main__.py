"""``python -m jupyter_wellml``: the same command as ``jupyter wellml``."""

from jupyter_wellml.cli.main import main

if __name__ == "__main__":
    main()
