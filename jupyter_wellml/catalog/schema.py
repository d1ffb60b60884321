"""JSON Schemas shipped with the package, and validators built from them on first use.

``jsonschema`` is imported lazily: with its optional format checkers installed its import
costs more than a second, which the CLI's fast path must not pay when the catalog is cached.

A definition two schemas share lives in one of them, and the other refers to it by file name
(``"review.v1.json#/$defs/counts"``). Both validators resolve such references from the files
shipped here and from nowhere else: nothing is fetched, whatever a ``$ref`` names.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schemas"
SCHEMAS = ("lens.v1", "practice.v1", "record.v1", "review.v1", "environment.v1", "info.v1")
#: the base of every shipped schema's ``$id``: a reference below it names a file of SCHEMA_DIR
BASE_URI = "https://jupyter-wellml.readthedocs.io/schemas/"


@cache
def load_schema(name: str) -> dict[str, Any]:
    """The schema ``name`` (for example ``"practice.v1"``) as a dict.

    The practice schema's ``fact_kind`` enum is the fact vocabulary
    (:data:`.vocabulary.FACTS`), whatever the file holds: the file's copy is for editors, and
    tests/test_vocabulary.py keeps it equal.
    """
    text = (SCHEMA_DIR / f"{name}.json").read_text("utf-8")
    schema = json.loads(text)
    if name == "practice.v1":
        from .vocabulary import FACTS

        schema["$defs"]["fact_kind"]["enum"] = list(FACTS)
    return schema


def retrieve(uri: str) -> dict[str, Any]:
    """The shipped schema that ``uri`` names (``BASE_URI`` + its file name), for a ``$ref`` from
    one schema into another; any other URI is refused, never fetched."""
    name = uri.removeprefix(BASE_URI).removesuffix(".json")
    if uri == name or name not in _shipped():
        raise LookupError(f"{uri}: not a schema of jupyter-wellml (schemas are never fetched)")
    return load_schema(name)


@cache
def _shipped() -> frozenset[str]:
    """The names of the schema files shipped here (the folder is listed once per process: a
    validator may resolve a reference again on every instance it checks)."""
    return frozenset(p.stem for p in SCHEMA_DIR.glob("*.json"))


@cache
def registry():
    """The ``referencing`` registry :mod:`jsonschema` validators resolve references with: the
    shipped schemas, loaded when a reference first names them (the JSON Schema meta-schemas
    are jsonschema's own)."""
    from referencing import Registry, Resource

    return Registry(retrieve=lambda uri: Resource.from_contents(retrieve(uri)))


def _jsonschema():
    """``jsonschema``, imported without the RFC 3987 grammar it builds for IRI format checks.

    Jupyter installs ``jsonschema[format-nongpl]``, whose ``rfc3987-syntax`` compiles a parser at
    import time (0.5 to 1 s, in the user's kernel on the first magic, and in every CLI run).
    Our schemas use no IRI formats and validation runs without a format checker, so the module
    is hidden for the duration of the import only: user code importing it later gets it.
    """
    import sys

    if "jsonschema" in sys.modules:
        # the import statement waits while another thread (the magics' preloader) is still
        # importing it; sys.modules alone may hold a half-initialised module
        import jsonschema

        return jsonschema
    hidden = "rfc3987_syntax" not in sys.modules
    if hidden:
        sys.modules["rfc3987_syntax"] = None  # type: ignore[assignment]  # import -> ImportError
    try:
        import jsonschema
    finally:
        if hidden and sys.modules.get("rfc3987_syntax", False) is None:
            del sys.modules["rfc3987_syntax"]
    return jsonschema


@cache
def validator(name: str):
    """A Draft 2020-12 validator for schema ``name`` (cached per process)."""
    jsonschema = _jsonschema()

    schema = load_schema(name)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, registry=registry())


@cache
def _compiled(name: str):
    """jsonschema-rs's validator of schema ``name`` (None when the package is missing).

    It imports in a few milliseconds where ``jsonschema`` takes over a hundred, so the first
    ``%wellml`` magic of a kernel answers quickly; it only says *whether* an instance is valid.
    """
    try:
        import jsonschema_rs
    except ImportError:  # pragma: no cover - a dependency; kept optional for odd platforms
        return None
    return jsonschema_rs.validator_for(load_schema(name), retriever=retrieve)


def is_valid(name: str, instance: Any) -> bool:
    """Whether ``instance`` is valid against schema ``name`` (the fast path of :func:`errors`)."""
    fast = _compiled(name)
    if fast is not None:
        return bool(fast.is_valid(instance))
    return not errors(name, instance)


def errors(name: str, instance: Any) -> list[tuple[str, str]]:
    """``(json_pointer, message)`` for every problem of ``instance`` against schema ``name``.

    Errors are sorted by location. An "unevaluated properties" error on an object that has
    other errors is dropped: it only repeats that a branch of the schema did not apply.
    A valid instance is recognised by jsonschema-rs; jsonschema names the problems.
    """
    fast = _compiled(name)
    if fast is not None and fast.is_valid(instance):
        return []
    found = []
    for err in validator(name).iter_errors(instance):
        found.extend(_leaves(err))
    pointers_with_real_errors = {p for p, m, unevaluated in found if not unevaluated}
    out = []
    for pointer, message, unevaluated in found:
        if unevaluated and any(
            q == pointer or q.startswith(pointer + "/") for q in pointers_with_real_errors
        ):
            continue
        out.append((pointer, message))
    out = sorted(set(out), key=lambda pm: (pm[0], pm[1]))
    return [(p or "/", m) for p, m in out] if out else []


def _leaves(err):
    """Flatten if/then/allOf errors to their most specific causes."""
    from .yamlsource import pointer_of

    if err.validator in ("allOf", "anyOf", "oneOf", "$ref", "if", "then", "else") and err.context:
        for sub in err.context:
            yield from _leaves(sub)
        return
    pointer = pointer_of(err.absolute_path)
    message = _friendly(err)
    yield pointer, message, err.validator == "unevaluatedProperties"


def _friendly(err) -> str:
    """Messages a lens author can act on, with the accepted values where there are few."""
    v = err.validator
    if v == "enum":
        allowed = ", ".join(str(x) for x in err.validator_value)
        return f"{err.instance!r} is not accepted here; use one of: {allowed}"
    if v == "required":
        return err.message.replace("is a required property", "is missing (it is required)")
    if v in ("additionalProperties", "unevaluatedProperties"):
        return err.message.replace("were unexpected", "are not known fields here").replace(
            "was unexpected", "is not a known field here"
        )
    if v == "pattern":
        return f"{err.instance!r} does not have the expected form ({err.validator_value})"
    if v == "const":
        return f"{err.instance!r} must be {err.validator_value!r}"
    if v == "type":
        return f"{err.instance!r} should be of type {err.validator_value}"
    return err.message


@cache
def _definition_validator(name: str, definition: str):
    jsonschema = _jsonschema()

    schema = {**load_schema(name), "$ref": f"#/$defs/{definition}"}
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, registry=registry())


def errors_for_definition(name: str, definition: str, instance: Any) -> list[tuple[str, str]]:
    """Like :func:`errors`, against ``#/$defs/<definition>`` of schema ``name``."""
    found = []
    for err in _definition_validator(name, definition).iter_errors(instance):
        found.extend(_leaves(err))
    return sorted({(p or "/", m) for p, m, _ in found})
