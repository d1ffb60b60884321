"""Choose the notebooks to label and split them, once, into a tuning half and a check half.

``--more N`` draws N more notebooks per corpus, all for the tuning half (with another seed, never
one already drawn, seeded by how many are drawn already): more notebooks to tune on, while the
check half stays as it was drawn.

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
    parser.add_argument("--more", type=int, default=0, metavar="N")
    args = parser.parse_args()
    if args.more:
        return more(args.corpus, args.more)
    if (HERE / "selection.tsv").exists():
        print("selection.tsv exists: the split is made once (use --more N to add tuning notebooks)")
        return 2
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


def more(corpus_root: Path, per_corpus: int) -> int:
    out = HERE / "selection.tsv"
    lines = out.read_text().splitlines()
    taken = {line.split("\t")[0] for line in lines[1:]}
    legacy = {
        f"sagemaker-examples/{line.split(':', 1)[1].strip()}"
        for f in (HERE.parent / "fixtures" / "expectations").glob("*.yaml")
        for line in f.read_text().splitlines()
        if line.startswith("notebook:")
    }
    # Each round gets its own seed, so a round is not a near-copy of the one before it (the same
    # seed on a pool that lost only the earlier picks draws their neighbours). The first round,
    # drawn on the 128 notebooks of the split, used SEED + 1 and still does.
    first_round = len(taken) == PER_CORPUS * len(CORPORA)
    rng = random.Random(SEED + 1 if first_round else SEED + len(taken))
    rows = []
    for corpus in CORPORA:
        root = corpus_root / corpus
        paths = sorted(f"{corpus}/{p.relative_to(root)}" for p in root.rglob("*.ipynb"))
        paths = [p for p in paths if p not in taken and p not in legacy]
        rows += [(p, "tuning") for p in rng.sample(paths, per_corpus)]
    body = sorted([tuple(line.split("\t")) for line in lines[1:]] + rows)
    out.write_text("notebook\tsplit\n" + "".join(f"{p}\t{s}\n" for p, s in body))
    print(f"{len(rows)} more notebooks for the tuning half -> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
