"""``WellMLExtension``: the jupyter-server extension, its configuration and its routes."""

from __future__ import annotations

from jupyter_server.extension.application import ExtensionApp
from traitlets import Float, Int, List, Unicode, default

from .._version import __version__


class WellMLExtension(ExtensionApp):
    """Reviews notebooks against the Well-Architected ML Lens for the JupyterLab sidebar."""

    name = "jupyter_wellml"
    description = "Review notebooks against the AWS Well-Architected Machine Learning Lens"
    load_other_extensions = True

    lens_paths = List(
        Unicode(),
        help=(
            "Folders of team lenses to load after the built-in lens, each a lens folder (holding "
            "lens.yaml) or a folder of lens folders. Lenses in <jupyter data dir>/wellml/lenses are "
            "always loaded too. Default: [] (none)."
        ),
    ).tag(config=True)

    license_allow = List(
        Unicode(),
        help=(
            "License expressions or globs that the license policy accepts without review, for "
            "example ['MIT', 'BSD-*', 'Apache-2.0']. Default: [] (the built-in list of permissive "
            "licenses)."
        ),
    ).tag(config=True)

    license_deny = List(
        Unicode(),
        help=(
            "License globs the policy flags for review or refuses, checked before the allow list. "
            "Default: [] (AGPL, GPL and unknown licenses are flagged for review)."
        ),
    ).tag(config=True)

    max_request_bytes = Int(
        20 * 1024 * 1024,
        help="Largest request body (a notebook to review) accepted, in bytes. Default: 20 MB.",
    ).tag(config=True)

    probe_timeout = Float(
        10.0,
        help=(
            "Seconds the environment probe may run in a kernel's interpreter (or its launcher) "
            "before its whole process group is killed and the request answered with 504; a "
            "failed probe is answered so again for 30 s without a new attempt. Default: 10."
        ),
    ).tag(config=True)

    cache_size = Int(
        256,
        help=(
            "How many reviews (keyed by notebook content, lens and environment) and environment "
            "probes to keep in memory. 0 turns the cache off. Default: 256."
        ),
    ).tag(config=True)

    notebooks_held_bytes = Int(
        64 * 1024 * 1024,
        help=(
            "How many bytes of memory the review workers may spend keeping recently reviewed "
            "notebooks (shared out between them; each delta goes to the worker holding its "
            "notebook), so the sidebar can send only the cells that changed; a notebook kept, "
            "read and with its review, counts as 8 times the size of its JSON. A delta against "
            "a notebook no longer held is answered 409 and sent whole. 0 turns incremental "
            "reviews off. Default: 64 MiB."
        ),
    ).tag(config=True)

    author = Unicode(
        "",
        help=(
            "The author the sidebar writes into records. Default: '' (the server identity's "
            "display name or user name; for a token user without identity, the user running "
            "the server, or $WELLML_AUTHOR)."
        ),
    ).tag(config=True)

    review_workers = Int(
        help="Processes that run reviews off the event loop. Default: the number of CPUs, at most 4.",
    ).tag(config=True)

    review_timeout = Float(
        60.0,
        help=(
            "Seconds one review may run in a worker process. A worker still busy after that is "
            "killed and replaced, and the request answered with 504 (the same notebook is "
            "answered so for a minute without a new attempt). Default: 60."
        ),
    ).tag(config=True)

    rule_budget = Float(
        5.0,
        help=(
            "Seconds of processor time the lens rules of one review may take together. A rule "
            "that runs out is named in the review's errors and its practice (and the later ones) "
            "are unknown. Default: 5."
        ),
    ).tag(config=True)

    worker_memory_mb = Int(
        1024,
        help=(
            "Data memory (MB) a review worker may use; a review that needs more is answered "
            "with 413 and the worker replaced. 0 sets no limit. Default: 1024."
        ),
    ).tag(config=True)

    worker_max_reviews = Int(
        5000,
        help=(
            "Reviews after which a worker process is replaced by a fresh one (it loses its "
            "caches of unchanged cells, so not too often). 0: never. Default: 5000."
        ),
    ).tag(config=True)

    worker_recycle_mb = Int(
        512,
        help=(
            "A worker holding more than this resident memory (MB) after a review is replaced by "
            "a fresh one. 0: never. Default: 512."
        ),
    ).tag(config=True)

    cache_bytes = Int(
        64 * 1024 * 1024,
        help=(
            "Bytes of review answers (and of environment probes) kept in memory, on top of the "
            "cache_size entries limit. Default: 64 MB."
        ),
    ).tag(config=True)

    @default("review_workers")
    def _default_workers(self) -> int:
        import os

        return max(1, min(4, os.cpu_count() or 1))

    def initialize_settings(self) -> None:
        from .service import ReviewService

        self.service = ReviewService(
            lens_paths=list(self.lens_paths),
            license_allow=list(self.license_allow),
            license_deny=list(self.license_deny),
            probe_timeout=self.probe_timeout,
            cache_size=self.cache_size,
            workers=self.review_workers,
            log=self.log,
            cache_bytes=self.cache_bytes,
            review_timeout=self.review_timeout,
            rule_budget=self.rule_budget,
            worker_memory_mb=self.worker_memory_mb,
            worker_max_reviews=self.worker_max_reviews,
            worker_recycle_mb=self.worker_recycle_mb,
            notebook_store_bytes=self.notebooks_held_bytes,
        )
        for issue in self.service.catalog.issues:
            self.log.warning("jupyter-wellml lens: %s", issue)
        self.settings.update(
            {
                "wellml_service": self.service,
                "wellml_max_request_bytes": self.max_request_bytes,
                "wellml_author": self.author,
            }
        )
        self.service.warm()
        self.log.info(
            "jupyter-wellml %s: %d practices from %d lens(es)",
            __version__,
            len(self.service.catalog),
            len(self.service.catalog.lenses),
        )

    def initialize_handlers(self) -> None:
        from .handlers import default_handlers
        from .workload import workload_handlers

        self.handlers.extend([*default_handlers, *workload_handlers])

    async def _start_jupyter_server_extension(self, serverapp) -> None:
        """Once the server's loop runs: start the loop-lag monitor (``stats.loop`` in info)."""
        self.service.monitor.start()

    async def stop_extension(self) -> None:
        service = getattr(self, "service", None)
        if service is not None:
            service.close()
