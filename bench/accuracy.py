"""Precision and recall of each detection of the review JSON contract against the hand-checked
expectations in tests/fixtures/expectations (the table tests/test_accuracy.py asserts floors on).

Labels marked ``heldout: true`` were written after the engine was last tuned on the others; their
table is printed separately as a check that the figures are not an artefact of that tuning.

Usage: ``python bench/accuracy.py [--corpus DIR] [--misses]``
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import os

from tests.test_accuracy import load_expectations, score, table

DEFAULT_CORPUS = HERE.parent.parent / "shared" / "corpus" / "sagemaker-examples"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--misses", action="store_true", help="list every miss and false finding")
    args = parser.parse_args()
    os.environ.setdefault("WELLML_CACHE_DIR", tempfile.mkdtemp(prefix="wellml-accuracy-"))
    from jupyter_wellml.catalog import load_catalog

    catalog = load_catalog(data_dirs=False)
    labels = load_expectations()
    missing = [lb["notebook"] for lb in labels if not (args.corpus / lb["notebook"]).exists()]
    if missing:
        print(f"corpus notebooks not found under {args.corpus}: {missing[:3]}", file=sys.stderr)
        return 2
    groups = {"all labelled notebooks": labels}
    heldout = [lb for lb in labels if lb.get("heldout")]
    if heldout:
        groups["held-out labels only"] = heldout
    for title, group in groups.items():
        scores, phase = score(group, args.corpus, catalog)
        full = sum(1 for lb in group if not lb.get("scored"))
        print(f"{title}: {full} notebooks fully labelled, {len(group) - full} for some detections")
        print(table(scores, phase))
        if args.misses:
            for kind, s in scores.items():
                for miss in s.misses:
                    print(f"  {kind}: {miss}")
            for miss in phase["misses"]:
                print(f"  phase: {miss}")
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
