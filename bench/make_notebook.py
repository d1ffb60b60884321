"""Build a large, realistic notebook from corpus cells (for server and sidebar benchmarks)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "sagemaker-examples"


def big_notebook(cells: int = 300, seed_offset: int = 0) -> dict:
    """A notebook of ``cells`` cells taken in order from corpus notebooks (code and markdown)."""
    out = []
    for path in sorted(CORPUS.rglob("*.ipynb"))[seed_offset:]:
        nb = json.loads(path.read_text())
        for c in nb.get("cells", []):
            if c.get("cell_type") not in ("code", "markdown"):
                continue
            cell = {
                "cell_type": c["cell_type"],
                "metadata": {},
                "source": c["source"],
                "id": f"c{len(out):04d}",
            }
            if c["cell_type"] == "code":
                cell.update(execution_count=None, outputs=c.get("outputs", [])[:2])
            out.append(cell)
            if len(out) >= cells:
                return {
                    "cells": out,
                    "metadata": {
                        "kernelspec": {
                            "name": "python3",
                            "display_name": "Python 3",
                            "language": "python",
                        }
                    },
                    "nbformat": 4,
                    "nbformat_minor": 5,
                }
    raise SystemExit("the corpus has too few cells")


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    json.dump(big_notebook(n), sys.stdout, indent=1)
