"""Precision and recall of the review's detections against the hand-written labels
(tests/labels), for the tuning half and the check half separately (tests/labels/selection.tsv).

Rules are tuned on the tuning half only: ``--misses`` lists the tuning half's misses and false
findings, never the check half's. A check-half figure far below the tuning half's means a rule
fits the tuning notebooks rather than what the API means.

Usage: ``python bench/accuracy.py [--corpora DIR] [--by-corpus] [--misses [KIND ...]]``
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from tests.labels import scoring

DEFAULT_CORPORA = HERE.parent.parent / "shared" / "corpus"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpora", type=Path, default=DEFAULT_CORPORA)
    parser.add_argument("--by-corpus", action="store_true", help="a table per corpus as well")
    parser.add_argument(
        "--misses", nargs="*", metavar="KIND", help="list the tuning half's misses (of KINDs)"
    )
    args = parser.parse_args()
    os.environ.setdefault("WELLML_CACHE_DIR", tempfile.mkdtemp(prefix="wellml-accuracy-"))
    from jupyter_wellml.catalog import load_catalog
    from jupyter_wellml.inspection import review

    catalog = load_catalog(data_dirs=False)
    labels = scoring.load_labels()
    missing = [lb["notebook"] for lb in labels if not (args.corpora / lb["notebook"]).exists()]
    if missing:
        print(f"corpus notebooks not found under {args.corpora}: {missing[:3]}", file=sys.stderr)
        return 2
    cache: dict[Path, dict] = {}

    def review_json(path: Path) -> dict:
        if path not in cache:
            cache[path] = review(str(path), catalog).to_json()
        return cache[path]

    for split in ("tuning", "check"):
        group = [lb for lb in labels if lb["_split"] == split]
        result = scoring.measure(group, args.corpora, review_json)
        print(f"== {split} half: {result.notebooks} notebooks")
        print(scoring.table(result))
        if args.by_corpus:
            for corpus in sorted({lb["notebook"].split("/")[0] for lb in group}):
                part = [lb for lb in group if lb["notebook"].startswith(corpus + "/")]
                sub = scoring.measure(part, args.corpora, review_json)
                print(f"\n-- {split} half, {corpus}: {sub.notebooks} notebooks")
                print(scoring.table(sub))
        if split == "tuning" and args.misses is not None:
            for kind, s in result.scores.items():
                if s.misses and (not args.misses or kind in args.misses):
                    print(f"\n{kind}:\n  " + "\n  ".join(s.misses))
            if not args.misses or "phase" in args.misses:
                print("\nphase:\n  " + "\n  ".join(result.phase_misses))
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
