"""``metadata["wellml"]``: read records, upsert them by natural key, and sync them from outputs.

Upsert rules (the sidebar implements the same ones in TypeScript, docs/records.md):

* a record whose natural key (KPI name, data URI, practice id, phase cell, the one
  explainability decision) is new is appended;
* otherwise the newer edition wins: editions are ordered by the instant of their ``updated``
  time, then (same instant) by the id of the record that wrote the values (``rev``, else ``id``);
  an incoming record that is not newer than the stored one changes nothing, so an older output
  never overwrites a newer value and syncing twice is a no-op;
* a newer record overwrites the fields it carries with other values, and their previous values
  go to ``history``; the stored record keeps its ``id`` and ``created``, takes the incoming
  ``updated`` and records the winner's id in ``rev``; fields the incoming record does not carry
  are kept;
* keys of ``metadata["wellml"]`` that jupyter-wellml does not know are left untouched.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, MutableMapping
from typing import Any

from ..errors import RecordError
from ..values import Frozen
from .model import (
    BOOKKEEPING,
    DERIVED,
    METADATA_KEY,
    METADATA_VERSION,
    PAYLOAD_SCHEMA,
    RECORD_MIME,
    kpi_status,
    natural_key,
    record_problem,
    time_key,
    validate,
    version,
)


class FoundRecord(Frozen):
    """A record found in a notebook, and where: ``metadata`` or the output of cell ``cell``."""

    __slots__ = ("cell", "origin", "record")

    def __init__(self, record: dict[str, Any], origin: str, cell: int | None = None) -> None:
        self._set(
            record=record,
            origin=origin,
            cell=cell,
        )


def ensure_store(metadata: MutableMapping[str, Any]) -> dict[str, Any]:
    """``metadata["wellml"]``, created (``version``, ``records``) when missing; other keys kept.

    Raises :class:`RecordError` rather than replace a ``wellml`` value (or its ``records``) of
    the wrong type: what is there may be someone's data, and it must survive.
    """
    store = metadata.get(METADATA_KEY)
    if store is None:
        metadata[METADATA_KEY] = {}
        # read it back: an nbformat NotebookNode stores a converted copy of what it is given
        store = metadata[METADATA_KEY]
    elif not isinstance(store, dict):
        raise RecordError(
            f"metadata.{METADATA_KEY} is {type(store).__name__}, not an object; "
            "fix or remove it by hand (nothing was changed)"
        )
    if store.get("records") is not None and not isinstance(store["records"], list):
        raise RecordError(
            f"metadata.{METADATA_KEY}.records is {type(store['records']).__name__}, not a list; "
            "fix or remove it by hand (nothing was changed)"
        )
    store.setdefault("version", METADATA_VERSION)
    if store.get("records") is None:
        store["records"] = []
    return store


def upsert(store: MutableMapping[str, Any], incoming: Mapping[str, Any]) -> str:
    """Merge ``incoming`` into ``store["records"]``; returns ``added``, ``updated`` or ``unchanged``."""
    import copy  # here: reading records (every review does) needs no copies

    records: list[dict[str, Any]] = store.setdefault("records", [])
    key = natural_key(incoming)
    existing = next((r for r in records if isinstance(r, dict) and natural_key(r) == key), None)
    if existing is None:
        new = copy.deepcopy(dict(incoming))
        new.setdefault("history", [])
        records.append(new)
        return "added"
    if version(incoming) <= version(existing):
        return "unchanged"  # an older (or the same) edition: the stored values are newer
    previous = {
        k: copy.deepcopy(existing.get(k))
        for k, v in incoming.items()
        if k not in BOOKKEEPING and k not in DERIVED and existing.get(k) != v
    }
    if previous:
        existing.setdefault("history", []).append(
            {
                "updated": existing.get("updated") or incoming.get("updated"),
                "author": existing.get("author"),
                "values": dict(previous.items()),
            }
        )
        for k in previous:
            existing[k] = copy.deepcopy(incoming[k])
    for k in ("author", "cell_id"):
        if incoming.get(k):
            existing[k] = incoming[k]
    if time_key(incoming.get("updated")) > time_key(existing.get("updated")):
        existing["updated"] = incoming["updated"]
    rev = version(incoming)[1]
    if rev and rev != existing.get("id"):
        existing["rev"] = rev
    else:
        existing.pop("rev", None)
    if existing.get("kind") == "kpi":
        existing["status"] = kpi_status(existing)
    existing.setdefault("history", [])
    return "updated" if previous else "unchanged"


def store_problem(metadata: Any) -> str | None:
    """Why ``metadata["wellml"]`` cannot be read (a value of the wrong type), or None."""
    if not isinstance(metadata, Mapping):
        return None
    store = metadata.get(METADATA_KEY)
    if store is None:
        return None
    if not isinstance(store, Mapping):
        return (
            f"metadata.{METADATA_KEY} is a {type(store).__name__}, not an object: "
            "its records are ignored"
        )
    records = store.get("records")
    if records is not None and not isinstance(records, list):
        return (
            f"metadata.{METADATA_KEY}.records is a {type(records).__name__}, not a list: "
            "its records are ignored"
        )
    return None


def metadata_records(metadata: Mapping[str, Any]) -> list[dict[str, Any]]:
    store = metadata.get(METADATA_KEY)
    if not isinstance(store, Mapping):
        return []
    records = store.get("records", ())
    if not isinstance(records, list):
        return []
    return [r for r in records if isinstance(r, dict) and "kind" in r]


def output_records(cells: Iterable[Mapping[str, Any]]) -> list[FoundRecord]:
    """Records displayed by ``%wellml`` magics, found in the cells' outputs, in cell order."""
    found: list[FoundRecord] = []
    for index, cell in enumerate(cells):
        if not isinstance(cell, Mapping) or cell.get("cell_type") != "code":
            continue
        outputs = cell.get("outputs")
        for output in outputs if isinstance(outputs, list) else ():
            data = output.get("data") if isinstance(output, Mapping) else None
            if not isinstance(data, Mapping) or RECORD_MIME not in data:
                continue
            payload = data[RECORD_MIME]
            if not isinstance(payload, Mapping) or payload.get("schema") != PAYLOAD_SCHEMA:
                continue
            records = payload.get("records")
            for record in records if isinstance(records, list) else ():
                if isinstance(record, dict) and "kind" in record:
                    record = dict(record)
                    if (
                        not record.get("cell_id")
                        and isinstance(cell.get("id"), str)
                        and cell["id"]
                        and record["kind"] == "phase"
                    ):
                        record["cell_id"] = cell["id"]
                    found.append(FoundRecord(record, "output", index))
    return found


def notebook_records(
    nb: Mapping[str, Any], problems: list[tuple[int | None, str]] | None = None
) -> list[FoundRecord]:
    """Every record of a notebook: the metadata's and the outputs', merged by the upsert rules
    (the newest edition of each decision wins, wherever it is).

    With a ``problems`` list, records that cannot be used (:func:`.model.record_problem`) are
    left out before merging and each is described there as ``(cell or None, message)``, as is a
    ``metadata.wellml`` of the wrong type; without it they are kept as they are.
    """
    cells = nb.get("cells") or []
    index_of = {
        c["id"]: i
        for i, c in enumerate(cells)
        if isinstance(c, Mapping) and isinstance(c.get("id"), str) and c["id"]
    }
    metadata = nb.get("metadata") or {}
    meta = metadata_records(metadata)
    outputs = output_records(cells)
    if problems is not None:
        problem = store_problem(metadata)
        if problem:
            problems.append((None, problem))
        meta = [r for r in meta if _usable(r, None, problems)]
        outputs = [f for f in outputs if _usable(f.record, f.cell, problems)]
    merged: dict[str, Any] = {"records": []}
    for r in meta:
        upsert(merged, r)
    for found in outputs:
        upsert(merged, found.record)
    output_cells = {natural_key(f.record): f.cell for f in outputs}
    out = []
    meta_keys = {natural_key(r) for r in meta}
    for r in merged["records"]:
        key = natural_key(r)
        cell_id = r.get("cell_id")
        cell = (
            index_of.get(cell_id) if isinstance(cell_id, str) and cell_id else output_cells.get(key)
        )
        origin = "metadata" if key in meta_keys else "output"
        out.append(FoundRecord(r, origin, cell))
    return out


def _usable(record: Any, cell: int | None, problems: list[tuple[int | None, str]]) -> bool:
    problem = record_problem(record)
    if problem:
        place = "an output" if cell is not None else "metadata.wellml"
        problems.append((cell, f"a record in {place} is ignored: {problem}"))
    return problem is None


def sync_notebook(nb: MutableMapping[str, Any]) -> dict[str, int]:
    """Move records from outputs into ``metadata["wellml"]`` (idempotent); counts per outcome.

    Every output record is validated first: if one breaks record.v1, :class:`RecordError` names
    its cell and field and the notebook is left exactly as it was.
    """
    counts = {"added": 0, "updated": 0, "unchanged": 0}
    records = output_records(nb.get("cells") or [])
    if not records:
        return counts
    for found in records:
        try:
            validate(found.record)
        except RecordError as exc:
            raise RecordError(f"output of cell {found.cell + 1}: {exc}") from None
    metadata = nb.get("metadata")
    if metadata is None:
        nb["metadata"] = {}
        metadata = nb["metadata"]  # read back: a NotebookNode stores a converted copy
    elif not isinstance(metadata, MutableMapping):
        raise RecordError("the notebook's metadata is not an object; nothing was changed")
    store = ensure_store(metadata)
    for found in records:
        counts[upsert(store, found.record)] += 1
    return counts


def merged_notebook(nb: Mapping[str, Any], records: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """A copy of ``nb`` whose ``metadata["wellml"]`` also holds ``records`` (upserted in order).

    The kernel uses it to review the notebook on disk together with this session's records.
    """
    import copy

    out = copy.deepcopy(dict(nb))
    if not isinstance(out.get("metadata"), dict):
        out["metadata"] = {}
    metadata = out["metadata"]
    store = metadata.get(METADATA_KEY)
    if not isinstance(store, dict) or not isinstance(store.get("records", []), list):
        metadata[METADATA_KEY] = {}  # a copy for a review: an unusable store is set aside
    store = ensure_store(metadata)
    for r in records:
        upsert(store, r)
    return out
