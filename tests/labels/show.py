"""Print a notebook for labelling: every cell with its 0-based index, code with 1-based line
numbers, markdown shortened, text outputs clipped. Reads the JSON only: nothing of jupyter_wellml
is imported, so a labeller sees the notebook, never the engine's opinion of it.

Usage: ``python tests/labels/show.py NOTEBOOK [--outputs N] [--markdown N]``
"""

from __future__ import annotations

import argparse
import json
import sys


def text_of(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value or "")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebook")
    parser.add_argument(
        "--outputs", type=int, default=6, help="lines of each text output (0: none)"
    )
    parser.add_argument("--markdown", type=int, default=12, help="lines of each markdown cell")
    args = parser.parse_args()
    with open(args.notebook, encoding="utf-8") as f:
        nb = json.load(f)
    meta = nb.get("metadata") or {}
    ks = meta.get("kernelspec") or {}
    lang = ks.get("language") or (meta.get("language_info") or {}).get("name")
    print(
        f"# {args.notebook}\n# kernel: {ks.get('name')} language: {lang} cells: {len(nb.get('cells', []))}"
    )
    for i, cell in enumerate(nb.get("cells", [])):
        kind = cell.get("cell_type")
        src = text_of(cell.get("source")).split("\n")
        if kind == "markdown":
            shown = src[: args.markdown]
            more = f"  [... {len(src) - len(shown)} more lines]" if len(src) > len(shown) else ""
            print(f"\n--- cell {i} [markdown]")
            for line in shown:
                print(f"    | {line}")
            if more:
                print(more)
            continue
        print(f"\n--- cell {i} [{kind}]")
        for n, line in enumerate(src, start=1):
            print(f"{n:4} | {line}")
        if args.outputs <= 0:
            continue
        for out in cell.get("outputs") or []:
            if out.get("output_type") == "stream":
                text = text_of(out.get("text"))
            elif out.get("output_type") == "error":
                text = f"{out.get('ename')}: {out.get('evalue')}"
            else:
                data = out.get("data") or {}
                text = text_of(data.get("text/plain")) if "text/plain" in data else ""
                others = sorted(k for k in data if k != "text/plain")
                if others:
                    text = (text + "\n" if text else "") + f"<{', '.join(others)}>"
            lines = text.split("\n")
            print(f"     > [output: {out.get('output_type')}, {len(lines)} lines]")
            for line in lines[: args.outputs]:
                print(f"     > {line[:200]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
