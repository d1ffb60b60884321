"""Choose the notebooks to label and split them, once, into a tuning half and a check half.

Run once (its output, ``selection.tsv``, is committed; rerunning reproduces it):
``python tests/labels/select.py [--corpus ../shared/corpus]``.

- 32 notebooks are drawn from each of the four corpora with ``random.Random(SEED)``; SageMaker
  notebooks that already had a label in ``tests/fixtures/expectations`` are not drawn again.
- Within each corpus the drawn notebooks are split half and half by the same generator.
- The labels that existed before this split (tests/fixtures/expectations, migrated to
  ``sagemaker-examples/``) are all in the tuning half: the engine was tuned on them already.
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

SEED = 20261201
PER_CORPUS = 32
CORPORA = ("sagemaker-examples", "azure-ml-notebooks", "vertex-ai-official", "hf-notebooks")
HERE = Path(__file__).resolve().parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=HERE.parents[2] / "shared" / "corpus")
    args = parser.parse_args()
    already = {
        line.split(":", 1)[1].strip()
        for f in (HERE.parent / "fixtures" / "expectations").glob("*.yaml")
        for line in f.read_text().splitlines()
        if line.startswith("notebook:")
    }
    rng = random.Random(SEED)
    rows = []
    for corpus in CORPORA:
        root = args.corpus / corpus
        paths = sorted(str(p.relative_to(root)) for p in root.rglob("*.ipynb"))
        if corpus == "sagemaker-examples":
            paths = [p for p in paths if p not in already]
        chosen = rng.sample(paths, PER_CORPUS)
        rng.shuffle(chosen)
        half = PER_CORPUS // 2
        rows += [(f"{corpus}/{p}", "check" if i < half else "tuning") for i, p in enumerate(chosen)]
    out = HERE / "selection.tsv"
    out.write_text("notebook\tsplit\n" + "".join(f"{p}\t{s}\n" for p, s in sorted(rows)))
    print(f"{len(rows)} notebooks -> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
