"""Text as the Tool's format wants it: one line, cut to a limit, http(s) URLs, ids of ``[A-Za-z0-9_]``.

Shared by the export, the import and the answers of the WA Tool wing.
"""

from __future__ import annotations

import re
from typing import Any

from .wa_format import MAX_TEXT, MAX_TITLE

_DOCS_URL = re.compile(r"https?://\S+")
_URL_SCHEME = re.compile(r"https?://", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?…][\"')\]]*(?=\s|$)")


def one_line(text: str) -> str:
    """``text`` on one line, runs of white space as one space."""
    return " ".join(str(text).split())


def clip(text: str, limit: int, *, sentences: bool = True) -> str:
    """``text`` cut to at most ``limit`` characters.

    With ``sentences``, cut after the last complete sentence that fits (when that keeps at
    least a third of the limit); otherwise cut on a word boundary and end with an ellipsis.
    """
    text = text.strip()
    if len(text) <= limit:
        return text
    if sentences:
        best = 0
        for m in _SENTENCE_END.finditer(text):
            if m.end() > limit:
                break
            best = m.end()
        if best >= limit // 3:
            return text[:best].rstrip()
    cut = text[: limit - 1]
    space = max(cut.rfind(" "), cut.rfind("\n"))
    if space >= limit // 2:
        cut = cut[:space]
    return cut.rstrip(" \n\t,;:-") + "…"


def title_line(text: str, limit: int = MAX_TITLE) -> str:
    """``text`` as a one-line title of at most ``limit`` characters (cut on a word)."""
    return clip(one_line(text), limit, sentences=False)


def http_url(value: Any) -> str | None:
    """``value`` as an http(s) URL, or None (``""``, other schemes and non-strings)."""
    if not isinstance(value, str):
        return None
    url = value.strip().replace(" ", "%20")
    if not _URL_SCHEME.match(url) or len(url) > MAX_TEXT or not _DOCS_URL.fullmatch(url):
        return None
    return url


def wa_safe(text: str, limit: int = 128) -> str:
    """``text`` as a Tool id: letters, digits and ``_``, 3 to ``limit`` characters."""
    out = re.sub(r"[^A-Za-z0-9_]+", "_", text).strip("_")
    if not out:
        out = "id"
    if len(out) < 3:
        out = out + "_" * (3 - len(out))
    return out[:limit]


def unique(base: str, used: set[str], limit: int) -> str:
    """``base``, or ``base_2``, ``base_3`` … when taken, within ``limit``; added to ``used``."""
    candidate, n = base[:limit], 2
    while candidate in used:
        suffix = f"_{n}"
        candidate = base[: limit - len(suffix)] + suffix
        n += 1
    used.add(candidate)
    return candidate
