"""Records: building from user values, record.v1 validation, lineage hashing, upsert rules."""

from __future__ import annotations

import copy
import hashlib
import json

import pytest

from jupyter_wellml.catalog import schema
from jupyter_wellml.errors import RecordError
from jupyter_wellml.records import (
    RECORD_MIME,
    build,
    ensure_store,
    file_lineage,
    mimebundle,
    natural_key,
    source_kind,
    sync_notebook,
    upsert,
)

VALUES = {
    "phase": {"phase": "training"},
    "kpi": {"name": "accuracy", "op": ">=", "target": "0.92", "acceptable_error": 0.03},
    "data": {"uri": "s3://bucket/train.csv", "owner": "Data team", "pii": "no"},
    "explain": {"level": "both", "method": "shap", "audience": "case officers"},
    "waiver": {"practice": "mlsec-5", "reason": "out_of_scope", "note": "no personal data"},
    "attest": {"practice": "MLOPS02-BP03", "note": "kept in the catalog"},
}


@pytest.mark.parametrize("kind", sorted(VALUES))
def test_every_kind_builds_a_record_that_validates(kind, wellml_catalog):
    built = build(kind, VALUES[kind], catalog=wellml_catalog, author="ana", cell_id="c1")
    rec = built.record
    assert schema.errors("record.v1", rec) == []
    assert rec["kind"] == kind and rec["author"] == "ana" and rec["cell_id"] == "c1"
    assert rec["created"] == rec["updated"]
    payload = mimebundle([rec])[RECORD_MIME]
    assert schema.errors_for_definition("record.v1", "payload", payload) == []
    assert payload["schema"] == "wellml-record/v1"


def test_practice_ids_are_stored_in_their_current_form(wellml_catalog):
    rec = build("waiver", VALUES["waiver"], catalog=wellml_catalog).record
    assert rec["practice"] == wellml_catalog.practice("MLSEC-05").id


@pytest.mark.parametrize(
    ("kind", "values", "expected"),
    [
        ("kpi", {"name": "acc", "op": "~", "target": 1}, "OP '~' is not a comparison"),
        ("kpi", {"name": "acc", "target": 1}, "give the target as OP NUMBER"),
        ("kpi", {"name": "acc", "measured": True}, "--measured must be a number"),
        ("kpi", {"name": "acc", "measured": "inf"}, "finite number"),
        ("kpi", {"name": "acc", "business": "x" * 3000}, "field business"),
        ("kpi", {"name": "acc", "colour": "red"}, "unknown field 'colour'"),
        ("data", {"uri": "  "}, "URI is missing"),
        ("data", {"uri": "s3://b", "pii": "perhaps"}, "yes, no, unknown"),
        ("data", {"uri": "s3://b", "hash": "yes"}, "hash must be true or false"),
        ("explain", {"level": "deep"}, "global, local, both, none"),
        ("waiver", {"practice": "MLSEC-05", "reason": "because", "note": "x"}, "out_of_scope"),
        ("attest", {"practice": "NOPE-01", "note": "x"}, "no practice has the id 'NOPE-01'"),
        ("phase", {"phase": "lunch"}, "not a lifecycle phase"),
        ("notes", {}, "unknown kind 'notes'"),
    ],
)
def test_bad_values_name_the_field_and_the_choices(kind, values, expected, wellml_catalog):
    with pytest.raises(RecordError) as info:
        build(kind, values, catalog=wellml_catalog, where="here")
    assert expected in str(info.value)
    assert str(info.value).startswith("here: ")


def test_a_measurement_keeps_the_target_it_is_measured_against():
    stored = build("kpi", {"name": "recall", "op": ">=", "target": 0.9}).record

    def known(key):
        return stored if key == natural_key(stored) else None

    rec = build("kpi", {"name": "Recall", "measured": 0.88}, known=known).record
    assert (rec["op"], rec["target"], rec["status"]) == (">=", 0.9, "missed")


@pytest.mark.parametrize(
    ("uri", "kind"),
    [
        ("s3://bucket/k", "s3"),
        ("gs://bucket/k", "gcs"),
        ("abfss://c@a.dfs.core.windows.net/p", "azure"),
        ("https://example.org/data.csv", "http"),
        ("postgresql+psycopg://db/claims", "database"),
        ("hdfs://nn/path", "hdfs"),
        ("data/train.csv", "local"),
        ("file:///tmp/x.csv", "local"),
        ("C:\\data\\x.csv", "local"),
        ("weird-scheme://x", "other"),
    ],
)
def test_source_kind(uri, kind):
    assert source_kind(uri) == kind


def test_a_large_file_is_hashed_in_chunks(tmp_path):
    path = tmp_path / "big.bin"
    chunk = bytes(range(256)) * 4096  # 1 MiB
    digest = hashlib.sha256()
    with path.open("wb") as fh:
        for i in range(24):
            block = chunk[i:] + chunk[:i]
            fh.write(block)
            digest.update(block)
    assert file_lineage(path) == {"size": 24 * len(chunk), "sha256": digest.hexdigest()}


def test_a_folder_is_hashed_as_a_manifest_of_its_files(tmp_path):
    for root in ("a", "b"):
        (tmp_path / root / "sub").mkdir(parents=True)
        (tmp_path / root / "x.csv").write_text("1,2\n")
        (tmp_path / root / "sub" / "y.csv").write_text("3,4\n")
    first, second = file_lineage(tmp_path / "a"), file_lineage(tmp_path / "b")
    assert first == second and first["size"] == 8
    (tmp_path / "b" / "sub" / "y.csv").write_text("3,5\n")
    assert file_lineage(tmp_path / "b")["sha256"] != first["sha256"]


def test_missing_file_is_an_error_naming_it(tmp_path):
    with pytest.raises(RecordError, match=r"no file or folder at .*nothing\.csv.*--no-hash"):
        file_lineage(tmp_path / "nothing.csv")


# ---------------------------------------------------------------- the store
def test_upsert_keeps_history_other_fields_and_unknown_keys():
    metadata = {"wellml": {"version": 1, "records": [], "team": {"reviewer": "bo"}}}
    store = ensure_store(metadata)
    first = build("kpi", {"name": "auc", "op": ">=", "target": 0.8}, author="ana").record
    assert upsert(store, first) == "added"
    later = dict(
        build("kpi", {"name": "AUC", "measured": 0.83}, author="bo").record,
        updated="2999-01-01T00:00:00Z",
    )
    assert upsert(store, later) == "updated"
    (rec,) = store["records"]
    assert rec["id"] == first["id"] and rec["created"] == first["created"]
    assert (rec["target"], rec["measured"], rec["status"]) == (0.8, 0.83, "met")
    assert rec["history"][-1]["values"]["measured"] is None
    assert rec["author"] == "bo"
    assert metadata["wellml"]["team"] == {"reviewer": "bo"}
    assert upsert(store, later) == "unchanged"  # the same record twice changes nothing
    assert schema.errors_for_definition("record.v1", "metadata", metadata["wellml"]) == []


@pytest.mark.parametrize("value", ["a string", ["a", "list"], 3])
def test_a_wellml_value_of_the_wrong_type_is_never_replaced(value):
    metadata = {"wellml": copy.deepcopy(value)}
    with pytest.raises(RecordError, match=r"metadata\.wellml is .*not an object"):
        ensure_store(metadata)
    assert metadata == {"wellml": value}
    metadata = {"wellml": {"records": {"x": 1}}}
    with pytest.raises(RecordError, match="records is dict, not a list"):
        ensure_store(metadata)
    assert metadata == {"wellml": {"records": {"x": 1}}}


def _notebook_with_output(records):
    return {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {"other": {"keep": True}},
        "cells": [
            {
                "id": "c0",
                "cell_type": "code",
                "source": "%wellml ...",
                "metadata": {},
                "execution_count": 1,
                "outputs": [
                    {"output_type": "display_data", "metadata": {}, "data": mimebundle(records)}
                ],
            }
        ],
    }


def test_sync_notebook_refuses_an_invalid_output_record_and_changes_nothing():
    good = build("kpi", {"name": "auc"}).record
    bad = dict(build("kpi", {"name": "f1"}).record, target="high")
    nb = _notebook_with_output([good, bad])
    before = json.dumps(nb, sort_keys=True)
    with pytest.raises(RecordError, match=r"output of cell 1: kpi record, field target"):
        sync_notebook(nb)
    assert json.dumps(nb, sort_keys=True) == before


def test_sync_notebook_marks_phase_records_with_their_cell(wellml_catalog):
    phase = build("phase", {"phase": "deploy"}, catalog=wellml_catalog).record
    nb = _notebook_with_output([phase])
    assert sync_notebook(nb) == {"added": 1, "updated": 0, "unchanged": 0}
    (rec,) = nb["metadata"]["wellml"]["records"]
    assert rec["cell_id"] == "c0" and rec["phase"] == "deployment"
    assert nb["metadata"]["other"] == {"keep": True}
    assert sync_notebook(nb) == {"added": 0, "updated": 0, "unchanged": 1}


def test_local_paths_are_one_source_however_they_are_written(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "x.csv").write_text("1\n")
    keys = {
        natural_key(build("data", {"uri": uri}, base_dir=str(tmp_path)).record)
        for uri in ("data/x.csv", "./data/x.csv", "data//x.csv", "data/../data/x.csv")
    }
    assert keys == {("data", "data/x.csv")}


def test_sync_works_on_nbformat_notebook_nodes(wellml_catalog):
    import nbformat

    nb = nbformat.from_dict(_notebook_with_output([build("kpi", {"name": "auc"}).record]))
    del nb["metadata"]
    assert sync_notebook(nb)["added"] == 1
    assert [r["name"] for r in nb.metadata.wellml.records] == ["auc"]


@pytest.mark.parametrize(
    "bad",
    [
        {"kind": "phase", "cell_id": {"a": 1}, "phase": "x"},
        {"kind": ["kpi"]},
        {"kind": "waiver", "practice": ["MLSEC-05"]},
        {"kind": "kpi", "name": {"x": 1}},
    ],
)
def test_malformed_records_and_cell_ids_never_crash_collection(bad):
    """Other tools (or hand edits) can leave lists and objects where strings belong."""
    from jupyter_wellml.records.store import notebook_records

    payload = {"schema": "wellml-record/v1", "version": 1, "action": "upsert", "records": [bad]}
    nb = {
        "cells": [
            {
                "cell_type": "code",
                "id": ["not", "a", "string"],
                "source": "",
                "outputs": [
                    {
                        "output_type": "display_data",
                        "data": {"application/vnd.jupyter.wellml.record+json": payload},
                    }
                ],
            }
        ],
        "metadata": {"wellml": {"records": [bad]}},
    }
    found = notebook_records(nb)
    assert [f.record["kind"] for f in found] == [bad["kind"]]
