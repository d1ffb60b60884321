"""Choose the notebooks to label and split them, once, into a tuning half and a check half.

``--more N`` draws N more notebooks per corpus, all for the tuning half (with another seed, never
one already drawn, seeded by how many are drawn already): more notebooks to tune on, while the
check half stays as it was drawn.

``--more-check N`` draws N more notebooks per corpus for the check half, with a generator of its
own (``SEED + 1000 +`` the number already in ``selection.tsv``), never one already drawn, never a
legacy ``tests/fixtures/expectations`` notebook and never one listed in an ``--exclude FILE``
(another selection being drawn at the same time, e.g. a second labeller's ``selection.tsv``, so
the two draws never overlap; a missing file excludes nothing). Reproducing such a draw needs the
same starting ``selection.tsv`` and the same excluded files: the 16 check notebooks drawn so far
(4 per corpus) came from the 192-notebook selection with ``--exclude`` naming the other
labeller's selection, which then held those 192 plus the 24 tuning notebooks of the second
``--more`` round.

``--more-matching REGEX N`` draws N more notebooks in all (from the four corpora pooled, not per
corpus) for the tuning half, only among notebooks with a code cell whose source matches REGEX
(case-insensitive): more examples of one kind the engine has few of. It has a generator of its
own (``SEED + 2000 +`` the number already in ``selection.tsv``) and never draws one already drawn
or a legacy ``tests/fixtures/expectations`` notebook. Write the API names with word boundaries
where they are common fragments: a bare ``shap`` matches every ``.shape``, ``lime`` matches
``limegreen`` and ``interpret`` matches ``interpret_bqml_evaluation_metrics``; a first draw with
such a regex drew 16 notebooks of which only 1 named an explanation API, and was withdrawn
unlabelled. The 16 explainability notebooks were drawn from the 232-notebook selection with the regex
``\\bshap\\b|\\blime\\b|captum|explain|feature_importance|permutation_importance|partial_dependence|``
``\\binterpret\\b|interpret_community|alibi|eli5|dice_ml|SHAPConfig|ExplanationMetadata|plot_importance|``
``get_feature_importance`` (the three pieces joined).

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
import json
import random
import re
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
    parser.add_argument("--more-check", type=int, default=0, metavar="N")
    parser.add_argument("--exclude", type=Path, action="append", default=[], metavar="FILE")
    parser.add_argument("--more-matching", nargs=2, metavar=("REGEX", "N"))
    args = parser.parse_args()
    if args.more_matching:
        regex, n = args.more_matching
        return more_matching(args.corpus, re.compile(regex, re.IGNORECASE), int(n))
    if args.more:
        return more(args.corpus, args.more)
    if args.more_check:
        return more_check(args.corpus, args.more_check, args.exclude)
    if (HERE / "selection.tsv").exists():
        print("selection.tsv exists: the split is made once (use --more N to add tuning notebooks)")
        return 2
    already = legacy()
    rng = random.Random(SEED)
    rows = []
    for corpus in CORPORA:
        root = args.corpus / corpus
        paths = sorted(str(p.relative_to(root)) for p in root.rglob("*.ipynb"))
        paths = [p for p in paths if f"{corpus}/{p}" not in already]
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
    # Each round gets its own seed, so a round is not a near-copy of the one before it (the same
    # seed on a pool that lost only the earlier picks draws their neighbours). The first round,
    # drawn on the 128 notebooks of the split, used SEED + 1 and still does.
    first_round = len(taken) == PER_CORPUS * len(CORPORA)
    rng = random.Random(SEED + 1 if first_round else SEED + len(taken))
    rows = draw(rng, corpus_root, per_corpus, taken | legacy(), "tuning")
    write(out, lines, rows)
    print(f"{len(rows)} more notebooks for the tuning half -> {out}")
    return 0


def more_check(corpus_root: Path, per_corpus: int, exclude: list[Path]) -> int:
    """Draw ``per_corpus`` more notebooks per corpus for the check half."""
    out = HERE / "selection.tsv"
    lines = out.read_text().splitlines()
    taken = {line.split("\t")[0] for line in lines[1:]}
    excluded = {
        line.split("\t")[0]
        for f in exclude
        if f.exists()
        for line in f.read_text().splitlines()[1:]
    }
    rng = random.Random(SEED + 1000 + len(taken))
    rows = draw(rng, corpus_root, per_corpus, taken | legacy() | excluded, "check")
    write(out, lines, rows)
    print(f"{len(rows)} more notebooks for the check half -> {out}")
    return 0


def more_matching(corpus_root: Path, regex: re.Pattern, n: int) -> int:
    """Draw ``n`` more tuning notebooks in all among those whose code matches ``regex``."""
    out = HERE / "selection.tsv"
    lines = out.read_text().splitlines()
    taken = {line.split("\t")[0] for line in lines[1:]}
    skip = taken | legacy()
    pool = [
        p
        for corpus in CORPORA
        for p in candidates(corpus_root, corpus, skip)
        if code_matches(corpus_root / p, regex)
    ]
    if len(pool) < n:
        print(f"only {len(pool)} notebooks not yet drawn match {regex.pattern!r}; {n} asked")
        return 2
    rng = random.Random(SEED + 2000 + len(taken))
    rows = [(p, "tuning") for p in rng.sample(pool, n)]
    write(out, lines, rows)
    print(f"{len(rows)} more notebooks (of {len(pool)} matching) for the tuning half -> {out}")
    return 0


def code_matches(path: Path, regex: re.Pattern) -> bool:
    """Whether a code cell of the notebook at ``path`` has source matching ``regex``."""
    try:
        cells = json.loads(path.read_text(encoding="utf-8")).get("cells") or []
    except (OSError, ValueError):
        return False
    for cell in cells:
        src = cell.get("source")
        src = "".join(src) if isinstance(src, list) else str(src or "")
        if cell.get("cell_type") == "code" and regex.search(src):
            return True
    return False


def legacy() -> set[str]:
    """The notebooks labelled in tests/fixtures/expectations (all SageMaker examples)."""
    return {
        f"sagemaker-examples/{line.split(':', 1)[1].strip()}"
        for f in (HERE.parent / "fixtures" / "expectations").glob("*.yaml")
        for line in f.read_text().splitlines()
        if line.startswith("notebook:")
    }


def draw(rng, corpus_root: Path, per_corpus: int, skip: set[str], split: str) -> list[tuple]:
    """``per_corpus`` notebooks of each corpus, none in ``skip``, all for ``split``."""
    rows = []
    for corpus in CORPORA:
        rows += [(p, split) for p in rng.sample(candidates(corpus_root, corpus, skip), per_corpus)]
    return rows


def candidates(corpus_root: Path, corpus: str, skip: set[str]) -> list[str]:
    """The notebooks of ``corpus`` (as ``corpus/path``, sorted) that are not in ``skip``."""
    root = corpus_root / corpus
    paths = sorted(f"{corpus}/{p.relative_to(root)}" for p in root.rglob("*.ipynb"))
    return [p for p in paths if p not in skip]


def write(out: Path, lines: list[str], rows: list[tuple]) -> None:
    """``selection.tsv`` with its old rows (``lines`` after the header) and the new ``rows``."""
    body = sorted([tuple(line.split("\t")) for line in lines[1:]] + rows)
    out.write_text("notebook\tsplit\n" + "".join(f"{p}\t{s}\n" for p, s in body))


if __name__ == "__main__":
    sys.exit(main())
