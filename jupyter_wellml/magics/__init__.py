"""The IPython surface: ``%load_ext jupyter_wellml`` registers ``%wellml`` and ``%%wellml``.

Loading stays cheap: the lens catalog and the record schema's validator are loaded by a
background thread, and ipywidgets only when ``%wellml review`` first runs.
"""

from __future__ import annotations

import threading

_LOADED: dict[int, object] = {}


def load_ipython_extension(ipython) -> None:
    from .core import WellMLMagics

    if id(ipython) in _LOADED:
        return
    magics = WellMLMagics(ipython)
    ipython.register_magics(magics)
    ipython.events.register("pre_run_cell", magics.pre_run_cell)
    _LOADED[id(ipython)] = magics

    started, lock = threading.Event(), threading.Lock()

    def warm_up(*_args) -> None:
        # once the cell that loaded the extension is done (or a second later, when no cell
        # runs): a magic in that same cell does not share the interpreter with the warm-up
        try:
            ipython.events.unregister("post_run_cell", warm_up)
        except ValueError:
            pass
        with lock:
            if started.is_set():
                return
            started.set()
        threading.Thread(target=magics.state.warm_up, name="wellml-warm-up", daemon=True).start()

    ipython.events.register("post_run_cell", warm_up)
    timer = threading.Timer(1.0, warm_up)
    timer.daemon = True
    timer.start()


def unload_ipython_extension(ipython) -> None:
    magics = _LOADED.pop(id(ipython), None)
    if magics is None:
        return
    try:
        ipython.events.unregister("pre_run_cell", magics.pre_run_cell)
    except ValueError:
        pass
    for kind in ("line", "cell"):
        ipython.magics_manager.magics[kind].pop("wellml", None)
    ipython.magics_manager.registry.pop(type(magics).__name__, None)


def magics_of(ipython):
    """The :class:`~.core.WellMLMagics` loaded into ``ipython`` (None when not loaded)."""
    return _LOADED.get(id(ipython))
