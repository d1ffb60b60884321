"""Who wrote a record: a person's name, never an anonymous id.

Both the kernel (``%wellml`` magics) and the server (the sidebar's records) fall back to the
user running the process when nothing better is known; ``WELLML_AUTHOR`` overrides both.
"""

from __future__ import annotations

import os


def os_user() -> str | None:
    """``$WELLML_AUTHOR``, else the JupyterHub user, else the login name, else None."""
    for var in ("WELLML_AUTHOR", "JUPYTERHUB_USER", "USER", "USERNAME"):
        if os.environ.get(var):
            return os.environ[var]
    try:
        import getpass

        return getpass.getuser()
    except Exception:  # no user database entry (some containers)
        return None
