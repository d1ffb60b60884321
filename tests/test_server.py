"""The REST API on a real jupyter-server (pytest-jupyter), with authentication required."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import time
from pathlib import Path

import pytest
import tornado.httpclient
from tornado.httpclient import HTTPClientError

from jupyter_wellml.catalog.schema import errors

from .builders import code_cell
from .conftest import corpus_notebooks
from .servers import os_author
from .test_bounds import MALFORMED

NOTEBOOK = {
    "cells": [
        {
            "cell_type": "code",
            "id": "a1",
            "metadata": {},
            "execution_count": None,
            "outputs": [],
            "source": "import shap\nimport pandas as pd\ndf = pd.read_csv('s3://bucket/train.csv')\nmodel.fit(X, y)\nshap.TreeExplainer(model)",
        },
    ],
    "metadata": {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
    },
    "nbformat": 4,
    "nbformat_minor": 5,
}


async def _json(response):
    return json.loads(response.body)


async def expect_error(coro, code: int, text: str) -> dict:
    with pytest.raises(HTTPClientError) as info:
        await coro
    assert info.value.code == code, info.value.response.body
    body = json.loads(info.value.response.body)
    assert text in body["message"], body
    return body


def post(jp_fetch, body, **params):
    """POST /api/wellml/review with ``body`` (a dict is sent as JSON) and query ``params``."""
    data = body if isinstance(body, str) else json.dumps(body)
    return jp_fetch("api", "wellml", "review", method="POST", params=params, body=data)


# ----------------------------------------------------------------------------- routes
async def test_info_is_valid_and_matches_the_package(jp_fetch):
    from jupyter_wellml import __version__

    body = await _json(await jp_fetch("api", "wellml", "info"))
    assert errors("info.v1", body) == []
    assert body["version"] == __version__ and body["lens"]["practices"] >= 60


async def test_lens_returns_the_catalog(jp_fetch):
    body = await _json(await jp_fetch("api", "wellml", "lens"))
    assert errors("catalog.v1", body) == []
    assert "rules" not in body["practices"][0]
    with_rules = await _json(await jp_fetch("api", "wellml", "lens", params={"rules": "1"}))
    assert any(p["rules"] for p in with_rules["practices"])
    await expect_error(
        jp_fetch("api", "wellml", "lens", params={"rules": "yes"}), 400, "use 0 or 1"
    )


async def test_post_review_of_unsaved_notebook(jp_fetch):
    sent = json.dumps({"notebook": NOTEBOOK, "path": "draft.ipynb"})
    response = await jp_fetch("api", "wellml", "review", method="POST", body=sent)
    body = await _json(response)
    assert errors("review.v1", body) == []
    assert body["notebook"]["path"] == "draft.ipynb"
    # the reviewed content is identified by the request body (documented in review-format.md)
    assert body["notebook"]["sha256"] == hashlib.sha256(sent.encode()).hexdigest()
    assert body["facts"]["explainability"][0]["method"] == "shap"
    assert body["facts"]["data_sources"][0]["uri"] == "s3://bucket/train.csv"
    phase = body["phase"]
    assert phase["id"] == "model_development" and phase["source"] == "inferred"


async def test_post_review_with_a_requested_phase(jp_fetch):
    body = await _json(
        await jp_fetch(
            "api",
            "wellml",
            "review",
            method="POST",
            body=json.dumps({"notebook": NOTEBOOK, "phase": "serving"}),
        )
    )
    assert body["phase"]["id"] == "deployment" and body["phase"]["source"] == "requested"
    await expect_error(
        jp_fetch(
            "api",
            "wellml",
            "review",
            method="POST",
            body=json.dumps({"notebook": NOTEBOOK, "phase": "cooking"}),
        ),
        400,
        "unknown phase 'cooking'",
    )


@pytest.mark.parametrize("path", list(corpus_notebooks()[::60]), ids=lambda p: p.name)
async def test_post_review_of_corpus_notebooks_validates(jp_fetch, path):
    nb = json.loads(path.read_text())
    body = await _json(
        await jp_fetch(
            "api",
            "wellml",
            "review",
            method="POST",
            body=json.dumps({"notebook": nb, "path": path.name}),
        )
    )
    assert errors("review.v1", body) == []


async def test_get_review_of_a_saved_notebook(jp_fetch, jp_root_dir):
    (jp_root_dir / "work").mkdir()
    (jp_root_dir / "work" / "saved.ipynb").write_text(json.dumps(NOTEBOOK))
    body = await _json(
        await jp_fetch("api", "wellml", "review", params={"path": "work/saved.ipynb"})
    )
    assert errors("review.v1", body) == []
    assert body["notebook"]["path"] == "work/saved.ipynb"
    saved = (jp_root_dir / "work" / "saved.ipynb").read_bytes()
    assert body["notebook"]["sha256"] == hashlib.sha256(saved).hexdigest()
    await expect_error(
        jp_fetch("api", "wellml", "review", params={"path": "work/missing.ipynb"}),
        404,
        "no notebook at 'work/missing.ipynb'",
    )
    await expect_error(jp_fetch("api", "wellml", "review"), 400, "give the notebook's path")
    await expect_error(
        jp_fetch("api", "wellml", "review", params={"path": "work/notes.txt"}),
        400,
        "is not a notebook",
    )


# ----------------------------------------------------------------------------- security
@pytest.mark.parametrize(
    "path", ["../outside.ipynb", "work/../../outside.ipynb", "/../outside.ipynb"]
)
async def test_traversal_is_refused(jp_fetch, jp_root_dir, path):
    (jp_root_dir.parent / "outside.ipynb").write_text(json.dumps(NOTEBOOK))
    (jp_root_dir / "work").mkdir(exist_ok=True)
    await expect_error(
        jp_fetch("api", "wellml", "review", params={"path": path}), 403, "root folder"
    )


async def test_absolute_path_stays_inside_the_root(jp_fetch):
    await expect_error(
        jp_fetch("api", "wellml", "review", params={"path": "/etc/hostname.ipynb"}),
        404,
        "no notebook at",
    )


async def test_symlink_leaving_the_root_is_refused(jp_fetch, jp_root_dir, tmp_path_factory):
    outside = tmp_path_factory.mktemp("elsewhere") / "secret.ipynb"
    outside.write_text(json.dumps(NOTEBOOK))
    os.symlink(outside, jp_root_dir / "link.ipynb")
    await expect_error(
        jp_fetch("api", "wellml", "review", params={"path": "link.ipynb"}),
        403,
        "leads outside the server's root folder",
    )


@pytest.mark.parametrize(
    "body, message",
    [
        ("nope", "the body is not valid JSON"),
        ("[1, 2]", "the body must be a JSON object"),
        ('{"notebook": 5}', "needs a 'notebook' object"),
        ('{"path": "x.ipynb"}', "needs a 'notebook' object"),
        (
            '{"notebook": {"cells": "x"}}',
            "the notebook cannot be reviewed: not a notebook: it has no 'cells' list",
        ),
        (
            '{"notebook": {"cells": [{"cell_type": "picture"}]}}',
            "cell 0: unknown cell_type 'picture'",
        ),
        (
            '{"notebook": {"cells": [{"cell_type": "code", "source": 7}]}}',
            "cell 0: 'source' must be text",
        ),
        ('{"notebook": {"cells": []}, "path": 3}', "path must be a text"),
        ("", "the body is empty"),
        ("[" * 50000 + "]" * 50000, "the body must be a JSON object"),
        ('{"notebook": ' + "[" * 50000 + "]" * 50000 + "}", "the body is not valid JSON"),
    ],
)
async def test_malformed_bodies_are_400_with_the_reason(jp_fetch, body, message):
    await expect_error(
        jp_fetch(
            "api", "wellml", "review", method="POST", body=body, allow_nonstandard_methods=True
        ),
        400,
        message,
    )


async def test_large_malformed_body_is_refused_by_the_worker(jp_fetch):
    body = json.dumps(
        {"notebook": {"cells": [{"cell_type": "code", "source": "x" * 200_000}] * 2, "nbformat": 4}}
    )
    ok = await jp_fetch("api", "wellml", "review", method="POST", body=body)
    assert ok.code == 200
    await expect_error(
        jp_fetch(
            "api",
            "wellml",
            "review",
            method="POST",
            body='{"notebook": 1, "pad": "' + "x" * 100_000 + '"}',
        ),
        400,
        "needs a 'notebook' object",
    )


@pytest.fixture
def small_limit(jp_server_config):
    jp_server_config["WellMLExtension"] = {"max_request_bytes": 4096}
    return jp_server_config


async def test_oversized_body_is_413_with_a_message(small_limit, jp_fetch):
    big = json.dumps({"notebook": {**NOTEBOOK, "cells": NOTEBOOK["cells"] * 100}})
    body = await expect_error(
        jp_fetch("api", "wellml", "review", method="POST", body=big), 413, "the limit is 4096 bytes"
    )
    assert "max_request_bytes" in body["message"]


def _our_routes(app) -> list[tuple[str, type]]:
    """Every route the app serves whose handler comes from jupyter_wellml."""
    found = []

    def walk(router):
        for rule in getattr(router, "rules", []):
            target = rule.target
            if hasattr(target, "rules"):
                walk(target)
            elif isinstance(target, type) and target.__module__.startswith("jupyter_wellml"):
                found.append((rule.matcher.regex.pattern, target))

    walk(app.default_router)
    walk(app.wildcard_router)
    return found


async def test_every_route_refuses_requests_without_credentials(
    jp_web_app, jp_serverapp, http_server_client, jp_base_url
):
    routes = _our_routes(jp_web_app)
    from jupyter_wellml.server.handlers import default_handlers

    assert {cls for _, cls in routes} >= {cls for _, cls in default_handlers}
    checked = 0
    for pattern, cls in routes:
        url = pattern.rstrip("$").replace("\\", "")
        for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
            if not hasattr(cls, method.lower()) or getattr(cls, method.lower()) is getattr(
                tornado.web.RequestHandler, method.lower()
            ):
                continue
            for headers in ({}, {"Authorization": "token not-the-token"}):
                response = await http_server_client.fetch(
                    url,
                    method=method,
                    headers=headers,
                    raise_error=False,
                    body="{}" if method in ("POST", "PUT", "PATCH") else None,
                    follow_redirects=False,
                )
                assert response.code == 403, (
                    f"{method} {url} answered {response.code} without credentials"
                )
                checked += 1
    assert checked >= 10


async def test_post_with_cookie_auth_needs_the_xsrf_token(
    jp_serverapp, http_server_client, jp_base_url
):
    token = jp_serverapp.identity_provider.token
    login = await http_server_client.fetch(
        f"{jp_base_url}api/wellml/info?token={token}", raise_error=False
    )
    cookies = [c.split(";", 1)[0] for c in login.headers.get_list("Set-Cookie")]
    assert cookies, "the server set no login cookie"
    response = await http_server_client.fetch(
        f"{jp_base_url}api/wellml/review",
        method="POST",
        body=json.dumps({"notebook": NOTEBOOK}),
        headers={"Cookie": "; ".join(cookies)},
        raise_error=False,
    )
    assert response.code == 403
    assert b"XSRF" in response.body or b"xsrf" in response.body


async def test_authorizer_is_honoured(jp_server_config, jp_serverapp, jp_fetch):
    from jupyter_server.auth.authorizer import Authorizer

    class DenyWellML(Authorizer):
        def is_authorized(self, handler, user, action, resource):
            return resource != "wellml"

    jp_serverapp.web_app.settings["authorizer"] = DenyWellML(
        parent=jp_serverapp, identity_provider=jp_serverapp.identity_provider
    )
    await expect_error(
        jp_fetch("api", "wellml", "info"), 403, "not authorized to read on resource: wellml"
    )


async def test_notebook_code_is_never_executed(jp_fetch, tmp_path):
    canary = tmp_path / "executed"
    nb = {
        **NOTEBOOK,
        "cells": [
            {
                "cell_type": "code",
                "metadata": {},
                "outputs": [],
                "execution_count": None,
                "source": f"open({str(canary)!r}, 'w').write('ran')\n!touch {canary}\n%system touch {canary}",
            }
        ],
    }
    await jp_fetch("api", "wellml", "review", method="POST", body=json.dumps({"notebook": nb}))
    assert not canary.exists()


# ----------------------------------------------------------------------------- environment
@pytest.mark.slow
async def test_environment_of_a_real_kernel_is_probed_and_cached(jp_fetch):
    response = await jp_fetch("api", "kernels", method="POST", body=json.dumps({"name": "python3"}))
    python_kernel = json.loads(response.body)["id"]
    try:
        await _environment_checks(jp_fetch, python_kernel)
    finally:
        await jp_fetch("api", "kernels", python_kernel, method="DELETE")


async def _environment_checks(jp_fetch, python_kernel):
    started = time.perf_counter()
    body = await _json(
        await jp_fetch("api", "wellml", "environment", params={"kernel_id": python_kernel})
    )
    cold = time.perf_counter() - started
    assert errors("environment.v1", body) == []
    assert any(p["name"] == "ipykernel" for p in body["packages"])
    started = time.perf_counter()
    again = await _json(
        await jp_fetch("api", "wellml", "environment", params={"kernel_id": python_kernel})
    )
    warm = time.perf_counter() - started
    assert again["packages"] == body["packages"] and warm < cold
    review = await _json(await post(jp_fetch, {"notebook": NOTEBOOK}, kernel_id=python_kernel))
    assert review["environment"]["packages"] == len(body["packages"])


async def test_environment_of_an_unknown_kernel_is_404(jp_fetch):
    await expect_error(
        jp_fetch("api", "wellml", "environment", params={"kernel_id": "no-such-kernel"}),
        404,
        "no running kernel has the id 'no-such-kernel'",
    )
    await expect_error(jp_fetch("api", "wellml", "environment"), 400, "give the kernel")
    await expect_error(
        post(jp_fetch, {"notebook": NOTEBOOK}, kernel_id="nope"),
        404,
        "no running kernel",
    )
    # the kernel goes in the query string: the body is never parsed on the event loop
    await expect_error(
        post(jp_fetch, {"notebook": NOTEBOOK, "kernel_id": "nope"}),
        400,
        "kernel_id goes in the query string",
    )


# ----------------------------------------------------------------------------- concurrency
async def test_identical_concurrent_reviews_share_one_computation(jp_fetch, jp_serverapp):
    service = jp_serverapp.web_app.settings["wellml_service"]
    service.reviews.clear()
    nb = {
        **NOTEBOOK,
        "cells": NOTEBOOK["cells"]
        + [{"cell_type": "markdown", "metadata": {}, "source": f"unique {time.time()}"}],
    }
    body = json.dumps({"notebook": nb})
    responses = await asyncio.gather(
        *(jp_fetch("api", "wellml", "review", method="POST", body=body) for _ in range(8))
    )
    assert len({r.body for r in responses}) == 1
    assert len(service.reviews) == 1


async def test_info_stats_count_reviews_and_cache_hits(jp_fetch):
    nb = {
        **NOTEBOOK,
        "cells": NOTEBOOK["cells"]
        + [{"cell_type": "markdown", "metadata": {}, "source": f"stats {time.time()}"}],
    }
    body = json.dumps({"notebook": nb})
    before = (await _json(await jp_fetch("api", "wellml", "info")))["stats"]["reviews"]
    for _ in range(3):
        await jp_fetch("api", "wellml", "review", method="POST", body=body)
    after = await _json(await jp_fetch("api", "wellml", "info"))
    assert errors("info.v1", after) == []
    reviews = after["stats"]["reviews"]
    assert reviews["computed"] == before["computed"] + 1
    assert reviews["cache_hits"] == before["cache_hits"] + 2
    assert reviews["in_flight"] == 0 and reviews["failed"] == before["failed"]
    # nothing in the stats can carry a path, a user or notebook text: numbers and flags only
    text = json.dumps(after["stats"])
    assert "stats " not in text and "draft" not in text and "token" not in text


async def test_loop_monitor_measures_a_stall_of_the_server_loop(jp_fetch):
    # pytest-jupyter runs the server on this test's own event loop: blocking it here is a
    # stall the server's monitor must see
    await jp_fetch("api", "wellml", "info")  # the monitor starts with the first request
    await asyncio.sleep(0.05)
    quiet = (await _json(await jp_fetch("api", "wellml", "info")))["stats"]["loop"]
    assert quiet["running"] and quiet["checks"] > 0
    time.sleep(0.3)  # the stall under test (blocks the loop on purpose)
    await asyncio.sleep(0.05)
    loop = (await _json(await jp_fetch("api", "wellml", "info")))["stats"]["loop"]
    assert loop["max_lag_ms"] >= 250, loop
    assert loop["checks"] > quiet["checks"]
    newest_age = loop["recent"][0][0]
    assert newest_age <= 2
    assert max(ms for age, ms in loop["recent"] if age <= 3) >= 250


def test_loop_monitor_keeps_per_second_maxima():
    from jupyter_wellml.server.monitor import LoopLagMonitor

    async def scenario() -> LoopLagMonitor:
        monitor = LoopLagMonitor(interval=0.005)
        monitor.start()
        await asyncio.sleep(0.05)
        time.sleep(0.12)  # the stall under test (blocks the loop on purpose)
        await asyncio.sleep(0.05)
        monitor.stop()
        return monitor

    monitor = asyncio.run(scenario())
    assert not monitor.running
    assert 0.1 <= monitor.max_lag < 0.5
    assert monitor.max_lag_since(5) == monitor.max_lag
    figures = monitor.to_json()
    assert figures["max_lag_ms"] == round(monitor.max_lag * 1000, 3)
    assert figures["interval_ms"] == 5.0


def test_workers_end_when_the_server_process_dies_abruptly(tmp_path):
    """A server ended with os._exit (as jupyterlab.browser_check ends) leaves no workers."""
    import subprocess
    import sys

    import psutil

    pids = tmp_path / "pids.json"
    script = f"""
import asyncio, json, os
from jupyter_wellml.server.service import ReviewService
service = ReviewService(lens_paths=[], license_allow=[], license_deny=[], probe_timeout=5,
                        cache_size=4, workers=2)
service.warm()
body = json.dumps({{"notebook": {json.dumps(NOTEBOOK)!r}}}).encode()
body = json.dumps({{"notebook": json.loads(json.loads(body)["notebook"])}}).encode()
asyncio.run(service.review_body(body, path=None, phase=None, environment=None))
with open({str(pids)!r}, "w") as out:
    json.dump([p.pid for p in service.pool._processes.values()], out)
os._exit(0)
"""
    done = subprocess.run(
        [sys.executable, "-c", script],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0
    workers = json.loads(pids.read_text())
    assert len(workers) == 2
    deadline = time.monotonic() + 10
    alive = workers
    while alive and time.monotonic() < deadline:
        time.sleep(0.2)
        alive = [
            pid
            for pid in workers
            if psutil.pid_exists(pid) and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
        ]
    assert alive == [], f"worker processes {alive} outlived their server"


def test_review_runs_off_the_event_loop_in_worker_processes():
    from jupyter_wellml.server.service import ReviewService

    service = ReviewService(
        lens_paths=[], license_allow=[], license_deny=[], probe_timeout=5, cache_size=4, workers=1
    )
    try:
        loop = asyncio.new_event_loop()
        body = json.dumps({"notebook": NOTEBOOK}).encode()
        result = loop.run_until_complete(
            service.review_body(body, path=None, phase=None, environment=None)
        )
        pids = loop.run_until_complete(loop.run_in_executor(service.pool, os.getpid))
        loop.close()
        assert json.loads(result)["schema"] == "wellml-review/v1"
        assert pids != os.getpid()
    finally:
        service.close()


# ----------------------------------------------------------------------------- issue 12
def _kpi_record(measured: float, updated: str, rid: str) -> dict:
    return {
        "id": rid,
        "kind": "kpi",
        "created": updated,
        "updated": updated,
        "name": "accuracy",
        "op": ">=",
        "target": 0.9,
        "measured": measured,
        "status": "met" if measured >= 0.9 else "missed",
    }


async def test_a_newer_metadata_value_wins_over_an_older_output(jp_fetch):
    newer = _kpi_record(0.95, "2026-11-22T10:05:00Z", "bbbbbbbbbbbb")
    older = _kpi_record(0.85, "2026-11-22T10:00:00Z", "aaaaaaaaaaaa")
    payload = {"schema": "wellml-record/v1", "version": 1, "action": "upsert", "records": [older]}
    nb = {
        **NOTEBOOK,
        "metadata": {**NOTEBOOK["metadata"], "wellml": {"version": 1, "records": [newer]}},
        "cells": [
            {
                **NOTEBOOK["cells"][0],
                "outputs": [
                    {
                        "output_type": "display_data",
                        "metadata": {},
                        "data": {"application/vnd.jupyter.wellml.record+json": payload},
                    }
                ],
            }
        ],
    }
    body = await _json(
        await jp_fetch("api", "wellml", "review", method="POST", body=json.dumps({"notebook": nb}))
    )
    (found,) = body["records"]
    assert (found["record"]["measured"], found["record"]["status"]) == (0.95, "met")
    assert found["record"]["updated"] == newer["updated"]


@pytest.mark.parametrize("case", sorted(MALFORMED))
async def test_malformed_content_is_reviewed_with_an_errors_entry(jp_fetch, case):
    nb, expected = MALFORMED[case]
    response = await jp_fetch(
        "api", "wellml", "review", method="POST", body=json.dumps({"notebook": nb})
    )
    assert response.code == 200
    body = await _json(response)
    assert errors("review.v1", body) == []
    assert any(expected in e["message"] for e in body["errors"]), body["errors"]


async def test_a_chunked_body_over_the_limit_gets_413_with_a_message(jp_fetch, jp_serverapp):
    jp_serverapp.web_app.settings["wellml_max_request_bytes"] = 64 * 1024
    try:

        async def producer(write):
            for _ in range(5):
                await write(b" " * 32 * 1024)
            await write(json.dumps({"notebook": NOTEBOOK}).encode())

        await expect_error(
            jp_fetch(
                "api",
                "wellml",
                "review",
                method="POST",
                body_producer=producer,
                headers={"Content-Type": "application/json"},
            ),
            413,
            "over the limit of 65536 bytes",
        )
    finally:
        jp_serverapp.web_app.settings["wellml_max_request_bytes"] = 20 * 1024 * 1024


async def test_messages_keep_a_percent_sign_as_written(jp_fetch):
    body = await expect_error(
        jp_fetch(
            "api",
            "wellml",
            "review",
            method="POST",
            body=json.dumps({"notebook": NOTEBOOK, "phase": "100% done"}),
        ),
        400,
        "unknown phase '100% done'",
    )
    assert "%%" not in body["message"]


def _slow_lens(tmp_path: Path) -> Path:
    """A team lens whose one text rule backtracks for long on a line of a's (the static check
    lets it through: the parser folds the alternatives into one class)."""
    lens = tmp_path / "slow"
    (lens / "practices" / "security").mkdir(parents=True)
    (lens / "lens.yaml").write_text("schema: wellml-lens/v1\nid: slow\ntitle: A slow lens\n")
    (lens / "practices" / "security" / "SLOW-SEC-01.yaml").write_text(
        "id: SLOW-SEC-01\ntitle: A slow text rule\npillar: security\nphase: data_processing\n"
        "risk: high\nsummary: A practice whose rule backtracks for a long time on some lines.\n"
        "guidance: Nothing to do here; this lens exists to keep a review worker busy.\n"
        "evidence: detect\nrules:\n  - id: slow\n    effect: gap\n    kind: text\n"
        '    pattern: "(a|a)*$"\n    message: matched\n'
    )
    return lens


SLOW_NOTEBOOK = {**NOTEBOOK, "cells": [{**NOTEBOOK["cells"][0], "source": "# " + "a" * 40 + "!"}]}


def _service(**kw):
    from jupyter_wellml.server.service import ReviewService

    options = {
        "lens_paths": [],
        "license_allow": [],
        "license_deny": [],
        "probe_timeout": 5,
        "cache_size": 8,
        "workers": 1,
    }
    return ReviewService(**{**options, **kw})


def test_a_review_past_its_timeout_kills_and_replaces_the_worker(tmp_path):
    from jupyter_wellml.server.service import ReviewTimeout

    service = _service(lens_paths=[str(_slow_lens(tmp_path))], review_timeout=2, rule_budget=120)
    loop = asyncio.new_event_loop()
    try:
        (first,) = service.pool._processes
        slow = json.dumps({"notebook": SLOW_NOTEBOOK}).encode()
        started = time.monotonic()
        with pytest.raises(ReviewTimeout):
            loop.run_until_complete(
                service.review_body(slow, path=None, phase=None, environment=None)
            )
        assert time.monotonic() - started < 10
        assert service.pool.counts["killed"] == 1
        assert not psutil_alive(first)
        # the same content again is answered at once, without a worker
        started = time.monotonic()
        with pytest.raises(ReviewTimeout):
            loop.run_until_complete(
                service.review_body(slow, path=None, phase=None, environment=None)
            )
        assert time.monotonic() - started < 0.5
        # a replacement worker reviews the next notebook
        ok = loop.run_until_complete(
            service.review_body(
                json.dumps({"notebook": NOTEBOOK}).encode(), path=None, phase=None, environment=None
            )
        )
        assert json.loads(ok)["schema"] == "wellml-review/v1"
        assert list(service.pool._processes) != [first]
        assert service.stats()["reviews"]["worker_restarts"]["killed"] == 1
    finally:
        loop.close()
        service.close()


def psutil_alive(pid: int) -> bool:
    import psutil

    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def test_workers_are_recycled_after_n_reviews():
    service = _service(worker_max_reviews=2)
    loop = asyncio.new_event_loop()
    try:
        pids = []
        for i in range(5):
            nb = {
                **NOTEBOOK,
                "cells": NOTEBOOK["cells"]
                + [{"cell_type": "markdown", "metadata": {}, "source": f"n{i}"}],
            }
            loop.run_until_complete(
                service.review_body(
                    json.dumps({"notebook": nb}).encode(), path=None, phase=None, environment=None
                )
            )
            pids.append(loop.run_until_complete(loop.run_in_executor(service.pool, os.getpid)))
        # each worker serves 2 jobs (a review and the getpid): a new one for every review
        assert len(set(pids)) == 5
        assert service.pool.counts["recycled"] >= 4
    finally:
        loop.close()
        service.close()


def test_a_review_over_the_worker_memory_limit_is_refused_and_the_worker_replaced(tmp_path):
    from jupyter_wellml.server.service import WorkerMemoryError

    service = _service(worker_memory_mb=200)
    loop = asyncio.new_event_loop()
    try:
        source = "".join(f"df_{i} = pd.read_csv('s3://b/f{i}.csv')\n" for i in range(400_000))
        big = {**NOTEBOOK, "cells": [{**NOTEBOOK["cells"][0], "source": source}]}
        with pytest.raises(WorkerMemoryError, match="more than 200 MB"):
            loop.run_until_complete(
                service.review_body(
                    json.dumps({"notebook": big}).encode(), path=None, phase=None, environment=None
                )
            )
        ok = loop.run_until_complete(
            service.review_body(
                json.dumps({"notebook": NOTEBOOK}).encode(), path=None, phase=None, environment=None
            )
        )
        assert json.loads(ok)["schema"] == "wellml-review/v1"
    finally:
        loop.close()
        service.close()


def test_the_review_cache_is_bounded_by_bytes():
    from jupyter_wellml.server.service import LRU

    cache = LRU(100, max_bytes=1000)
    for i in range(10):
        cache.put(i, b"x" * 200)
    assert cache.bytes <= 1000 and list(cache) == [5, 6, 7, 8, 9]
    cache.put("huge", b"x" * 300)  # over a quarter of the cache: not kept, nothing flushed
    assert "huge" not in cache and cache.bytes == 1000


@pytest.mark.slow
def test_a_busy_worker_dies_with_a_killed_server(tmp_path):
    """SIGKILL to the server while its worker is deep in a regex (no Python thread can run
    there): the kernel ends the worker with it (PR_SET_PDEATHSIG)."""
    import signal
    import subprocess
    import sys

    pids = tmp_path / "pids.json"
    script = f"""
import asyncio, json, os, sys
from jupyter_wellml.server.service import ReviewService
service = ReviewService(lens_paths=[{str(_slow_lens(tmp_path))!r}], license_allow=[],
    license_deny=[], probe_timeout=5, cache_size=4, workers=1, review_timeout=600,
    rule_budget=600)
with open({str(pids)!r} + ".tmp", "w") as out:
    json.dump(list(service.pool._processes), out)
os.replace({str(pids)!r} + ".tmp", {str(pids)!r})
body = {json.dumps({"notebook": SLOW_NOTEBOOK})!r}.encode()
asyncio.run(service.review_body(body, path=None, phase=None, environment=None))
"""
    server = subprocess.Popen([sys.executable, "-c", script], stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not pids.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        (worker,) = json.loads(pids.read_text())
        import psutil

        deadline = time.monotonic() + 60  # wait until the worker is busy in the slow rule
        while psutil.Process(worker).cpu_times().user < 3 and time.monotonic() < deadline:
            time.sleep(0.2)
        server.send_signal(signal.SIGKILL)
        server.wait(10)
        deadline = time.monotonic() + 5
        while psutil_alive(worker) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not psutil_alive(worker), "the worker outlived its killed server"
    finally:
        server.kill()


@pytest.mark.slow
def test_sigterm_stops_the_server_within_5_s_with_a_busy_worker_and_leaves_no_process(tmp_path):
    import signal
    import threading

    import psutil

    from .servers import jupyter_server

    root = tmp_path / "root"
    root.mkdir()
    lens = _slow_lens(tmp_path)
    with jupyter_server(
        root,
        f"--WellMLExtension.lens_paths={lens}",
        "--WellMLExtension.rule_budget=600",
        "--WellMLExtension.review_timeout=600",
        "--WellMLExtension.review_workers=2",
    ) as server:
        children = psutil.Process(server.process.pid).children(recursive=True)
        assert len(server.workers()) == 2

        def busy() -> None:
            with server.client() as client:
                try:
                    client.post("/api/wellml/review", json={"notebook": SLOW_NOTEBOOK})
                except Exception:  # the server goes away under it
                    pass

        threading.Thread(target=busy, daemon=True).start()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # until one worker is deep in the slow rule
            if any(psutil.Process(w).cpu_times().user > 3 for w in server.workers()):
                break
            time.sleep(0.2)
        else:
            pytest.fail("no worker got busy")
        started = time.monotonic()
        server.process.send_signal(signal.SIGTERM)
        server.process.wait(30)
        stopped = time.monotonic() - started
        assert stopped < 5, f"the server took {stopped:.1f} s to stop"
        time.sleep(0.5)
        left = [c.pid for c in children if psutil_alive(c.pid)]
        assert left == [], f"processes {left} outlived the server"


def _kernelspec(data_dir: Path, name: str, argv: list[str], env: dict | None = None) -> str:
    spec = data_dir / "kernels" / name
    spec.mkdir(parents=True)
    body = {"argv": argv, "display_name": name, "language": "python", "env": env or {}}
    (spec / "kernel.json").write_text(json.dumps(body))
    return name


def _wrapper(path: Path, body: str) -> Path:
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(0o755)
    return path


async def _with_kernel(jp_fetch, name: str, check):
    response = await jp_fetch("api", "kernels", method="POST", body=json.dumps({"name": name}))
    kernel = json.loads(response.body)["id"]
    try:
        return await check(kernel)
    finally:
        await jp_fetch("api", "kernels", kernel, method="DELETE")


VENV_PYTHON = Path(os.sys.executable)


@pytest.mark.slow
async def test_kernels_started_through_env_or_a_wrapper_are_probed(jp_fetch, jp_data_dir, tmp_path):
    """``/usr/bin/env python3`` and a wrapper script that starts Python as its child (no
    exec): both answer 200 with the kernel's interpreter, well within the probe's limit."""
    path = f"{VENV_PYTHON.parent}:{os.environ.get('PATH', '')}"
    env_spec = _kernelspec(
        jp_data_dir,
        "envpython",
        ["/usr/bin/env", "python3", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        {"PATH": path},
    )
    wrapper = _wrapper(
        tmp_path / "start-kernel", f'{VENV_PYTHON} -m ipykernel_launcher "$@"\necho stopped\n'
    )
    wrapped_spec = _kernelspec(jp_data_dir, "wrapped", [str(wrapper), "-f", "{connection_file}"])

    async def probed(kernel):
        started = time.monotonic()
        response = await jp_fetch("api", "wellml", "environment", params={"kernel_id": kernel})
        assert time.monotonic() - started < 10
        body = await _json(response)
        assert body["python"]["executable"].startswith(str(VENV_PYTHON.parent.parent))

    for name in (env_spec, wrapped_spec):
        await _with_kernel(jp_fetch, name, probed)


@pytest.mark.slow
async def test_a_failed_probe_is_answered_again_at_once_and_a_bad_answer_is_502(
    jp_fetch, jp_serverapp, jp_data_dir, tmp_path
):
    """Wrappers whose interpreter cannot be found from their text: run as the interpreter, one
    never answers the probe (504 after the limit, then 504 at once from the memory of the
    failure), the other answers with values of the wrong types (502 naming the field)."""
    service = jp_serverapp.web_app.settings["wellml_service"]
    service.probe_timeout = 2
    start = 'if [ "$1" = "-f" ]; then exec "$PYBIN" -m ipykernel_launcher "$@"; fi\n'
    hang = _wrapper(tmp_path / "hang", start + "sleep 60\n")
    answer = {
        "schema": "wellml-environment/v1",
        "python": {"version": "3", "implementation": "x", "executable": "x", "prefix": "x"},
        "platform": {"system": "x", "machine": "x", "release": "x"},
        "paths": [{"path": 5, "mtime_ns": "yesterday"}],
        "packages": [],
        "gpu": [],
    }
    liar = _wrapper(tmp_path / "liar", start + f"echo '{json.dumps(answer)}'\n")
    env = {"PYBIN": str(VENV_PYTHON)}

    async def hangs(kernel):
        started = time.monotonic()
        await expect_error(
            jp_fetch("api", "wellml", "environment", params={"kernel_id": kernel}),
            504,
            "took longer than 2 s",
        )
        assert time.monotonic() - started < 8
        started = time.monotonic()
        await expect_error(
            jp_fetch("api", "wellml", "environment", params={"kernel_id": kernel}),
            504,
            "took longer than 2 s",
        )
        assert time.monotonic() - started < 0.5

    async def lies(kernel):
        await expect_error(
            jp_fetch("api", "wellml", "environment", params={"kernel_id": kernel}),
            502,
            "does not fit environment.v1: /paths/0/",
        )

    for name, script, check in (("hang", hang, hangs), ("liar", liar, lies)):
        spec = _kernelspec(jp_data_dir, name, [str(script), "-f", "{connection_file}"], env)
        await _with_kernel(jp_fetch, spec, check)


Path  # noqa: B018 - keeps the import used in type hints of fixtures above
tornado.httpclient  # noqa: B018


# ----------------------------------------------------------------------------- issue 14


TRAIN = (
    "from sklearn.linear_model import LogisticRegression\nmodel = LogisticRegression().fit(X, y)"
)


def _comparable(review: dict) -> dict:
    """What a review says about the notebook (not how the request was made)."""
    return {k: review[k] for k in ("phase", "facts", "records", "practices", "summary", "verdict")}


async def test_query_parameters_carry_path_and_phase(jp_fetch):
    nb = {"notebook": NOTEBOOK}
    body = await _json(await post(jp_fetch, nb, path="work/draft.ipynb", phase="serving"))
    assert body["notebook"]["path"] == "work/draft.ipynb"
    assert body["phase"]["id"] == "deployment" and body["phase"]["source"] == "requested"
    await expect_error(post(jp_fetch, nb, phase="cooking"), 400, "unknown phase 'cooking'")


async def test_incremental_requests_review_the_same_notebook_as_a_whole_one(jp_fetch, jp_serverapp):
    """After the first review only changed cells are sent, by id, against the previous
    notebook's sha256; the answer is the review of the whole notebook with those changes."""
    service = jp_serverapp.web_app.settings["wellml_service"]
    stamp = str(time.time())
    first = {
        **NOTEBOOK,
        "cells": [code_cell("a1", f"# {stamp}\nimport pandas as pd"), code_cell("b2", "x = 1")],
    }
    full = await _json(await post(jp_fetch, {"notebook": first}))
    before = service.counts["incremental"]

    # one cell edited
    edited = code_cell("b2", TRAIN)
    delta = await _json(
        await post(
            jp_fetch, {"cells": {"b2": edited}}, base=full["notebook"]["sha256"], path="d.ipynb"
        )
    )
    assert errors("review.v1", delta) == []
    whole = {**first, "cells": [first["cells"][0], edited]}
    expected = await _json(await post(jp_fetch, {"notebook": whole}, path="d.ipynb"))
    assert _comparable(delta) == _comparable(expected)
    assert delta["notebook"]["cells"] == 2 and delta["notebook"]["path"] == "d.ipynb"
    assert delta["phase"]["id"] == "model_development"
    assert service.counts["incremental"] == before + 1

    # against the edited notebook: a cell added in front, another removed, metadata changed
    added = code_cell("c3", "import shap\nexplainer = shap.Explainer(model)")
    meta = {**first["metadata"], "wellml": {"version": 1, "records": []}}
    change = {"cells": {"c3": added}, "order": ["c3", "b2"], "metadata": meta}
    moved = await _json(await post(jp_fetch, change, base=delta["notebook"]["sha256"]))
    expected = await _json(
        await post(jp_fetch, {"notebook": {**first, "metadata": meta, "cells": [added, edited]}})
    )
    assert _comparable(moved) == _comparable(expected)
    assert moved["facts"]["explainability"][0]["cell"] == 0


async def test_a_delta_reaches_the_worker_that_holds_its_base(jp_fetch, jp_serverapp):
    """The same notebook sent by several clients at once is reviewed once, by one worker; every
    client's delta against it goes to that worker (none is answered 409), and the next one too."""
    service = jp_serverapp.web_app.settings["wellml_service"]
    first = {**NOTEBOOK, "cells": [code_cell("a1", f"# {time.time()}\nimport pandas as pd")]}
    answers = await asyncio.gather(*(post(jp_fetch, {"notebook": first}) for _ in range(6)))
    bases = {(await _json(a))["notebook"]["sha256"] for a in answers}
    assert len(bases) == 1
    base = bases.pop()
    assert base in service.notebooks
    for n in range(3):
        change = {"cells": {"a1": code_cell("a1", f"import pandas as pd\nx = {n}")}}
        delta = await _json(await post(jp_fetch, change, base=base))
        assert delta["notebook"]["sha256"] != base
        assert service.notebooks[delta["notebook"]["sha256"]] == service.notebooks[base]
        base = delta["notebook"]["sha256"]


async def test_a_delta_against_a_notebook_the_server_does_not_hold_is_409(jp_fetch, jp_serverapp):
    await expect_error(post(jp_fetch, {"cells": {}}, base="0" * 64), 409, "send it whole")
    full = await _json(await post(jp_fetch, {"notebook": NOTEBOOK}))
    base = full["notebook"]["sha256"]
    # a cell id that is neither in the notebook held nor sent: the client's copy drifted
    await expect_error(
        post(jp_fetch, {"cells": {}, "order": ["a1", "zz"]}, base=base),
        409,
        "'zz' is neither in the previous notebook nor sent",
    )
    for body, message in [
        ({"cells": [1]}, "'cells' must map cell ids to cells"),
        ({"cells": {}, "order": "a1"}, "'order' must list cell ids"),
        ({"cells": {}, "metadata": 3}, "'metadata' must be an object"),
        ("{nope", "the body is not valid JSON"),
    ]:
        await expect_error(post(jp_fetch, body, base=base), 400, message)
    await expect_error(
        post(jp_fetch, {"cells": {}}, base="../etc"), 400, "base must be the notebook.sha256"
    )
    # once the server forgets the notebooks it held, the same delta is 409: sent whole again
    service = jp_serverapp.web_app.settings["wellml_service"]
    service.notebooks = type(service.notebooks)(1024)
    await expect_error(
        post(jp_fetch, {"cells": {"a1": code_cell("a1", "y = 2")}}, base=base), 409, "send it whole"
    )


def test_notebooks_held_are_bounded_in_bytes():
    from jupyter_wellml.server.service import NotebookStore

    store = NotebookStore(max_bytes=100)
    for i in range(10):
        store.put(f"d{i}", {"cells": [i]}, 30)
    assert store.bytes <= 100 and len(store) == 3
    assert store.get("d9") == {"cells": [9]} and store.get("d0") is None
    store.put("huge", {"cells": []}, 101)  # larger than the whole store: not held
    assert store.get("huge") is None and store.bytes <= 100


async def test_info_names_the_author_of_records_never_an_anonymous_id(jp_fetch):
    body = await _json(await jp_fetch("api", "wellml", "info"))
    user = body["user"]
    # pytest-jupyter's token user is anonymous: the user running the server writes the records
    expected = os_author()
    assert user == {"author": expected, "source": "os"}


def test_author_of_a_named_identity_and_the_configured_author():
    from jupyter_server.auth import User

    from jupyter_wellml.server.handlers import author_of

    assert author_of(User("ana", name="Ana Lima", display_name="Ana Lima")) == (
        "Ana Lima",
        "identity",
    )
    assert author_of(User("ana")) == ("ana", "identity")
    anonymous = User("85913a2b" * 4, name="Anonymous Io", display_name="Anonymous Io")
    assert author_of(anonymous)[1] in ("os", "none")
    assert author_of(anonymous)[0] != anonymous.username
    assert author_of(anonymous, "Data team") == ("Data team", "config")
