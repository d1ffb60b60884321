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


def is_anonymous_id(author: object) -> bool:
    """A random id jupyter-server gives a token user without identity (32 hex digits), which
    sidebars before issue 14 wrote as the author: nobody a reader can contact."""
    import re

    return isinstance(author, str) and re.fullmatch(r"[0-9a-f]{32}", author) is not None
