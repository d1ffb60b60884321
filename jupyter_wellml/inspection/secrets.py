"""Secrets in code and outputs, found by the detect-secrets library (network verification off).

detect-secrets' full pipeline (every plugin, then its heuristic filters) costs a few hundred
microseconds a line. Most notebook lines cannot hold a secret, so lines first pass a prefilter
built from detect-secrets' *own* plugin definitions: the union of its regex detectors' patterns,
its secret-keyword list, and its entropy test on quoted strings. Only lines the prefilter keeps
go through the full pipeline, so the result equals scanning every line, at a fraction of the cost.

Placeholders are not secrets: ``<token>``, ``${TOKEN}``, ``YourToken``, ``your-api-key``,
``xxxx``, ``changeme`` and values containing ``EXAMPLE`` are dropped.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

_PLACEHOLDER = re.compile(
    r"""^(
        <[^<>]*>                                  # <token>
      | \$\{?[A-Za-z_][A-Za-z0-9_]*\}?             # $TOKEN / ${TOKEN}
      | \{\{?[^{}]*\}?\}                           # {token} / {{token}}
      | %\(?[A-Za-z_]*\)?s                         # %(token)s
      | [xX*._-]{3,}                               # xxxx, ****, ...
      | (?i:(?:your|my|the|insert|enter|put|some|fake|dummy|sample|example|test)[-_ ]?.*)
      | (?i:.*(?:placeholder|changeme|change[-_]me|redacted|example|here|replace[-_]?me|todo|xxx).*)
      | (?i:none|null|true|false|password|secret|token|apikey|api[-_]key|key|string|str|default)
    )$""",
    re.VERBOSE,
)


@dataclass(frozen=True)
class Secret:
    kind: str
    line: int  # 1-based line in the scanned text


def is_placeholder(value: str | None) -> bool:
    if not value:
        return True
    return bool(_PLACEHOLDER.match(value.strip().strip("'\"")))


class _Prefilter:
    """Cheap test: which lines could detect-secrets find anything on?

    Each regex detector's patterns are searched separately over the whole text (patterns that
    start with a literal, like ``AKIA`` or ``ghp_``, then run at C speed), hits are mapped back
    to lines; quoted strings are kept when their entropy can reach the entropy detectors' limits.
    """

    def __init__(self) -> None:
        from detect_secrets.plugins.base import RegexBasedDetector
        from detect_secrets.plugins.high_entropy_strings import HighEntropyStringsPlugin
        from detect_secrets.settings import get_plugins

        self.patterns: list[re.Pattern] = []
        self.entropy: list = []
        for plugin in get_plugins():
            if isinstance(plugin, RegexBasedDetector):
                self.patterns.extend(plugin.denylist)
            elif isinstance(plugin, HighEntropyStringsPlugin):
                self.entropy.append(plugin)
            else:  # KeywordDetector (and anything without a cheap form): its secret keywords
                try:
                    from detect_secrets.plugins.keyword import DENYLIST

                    self.patterns.append(re.compile("|".join(DENYLIST), re.I))
                except ImportError:  # pragma: no cover - an unknown layout: keep every line
                    self.patterns.append(re.compile(r"(?m)^"))
        from .regex_literals import required_literals

        self.gated = [(p, required_literals(p), bool(p.flags & re.I)) for p in self.patterns]

    def lines(self, lines: list[tuple[int, str]]) -> list[tuple[int, str]]:
        """The numbered lines worth a full scan."""
        if not lines:
            return []
        text = "\n".join(line for _, line in lines)
        lowered: str | None = None
        starts = [0]
        for _, line in lines[:-1]:
            starts.append(starts[-1] + len(line) + 1)
        hit: set[int] = set()
        for pattern, literals, icase in self.gated:
            if literals is None:
                for m in pattern.finditer(text):
                    hit.add(bisect_right(starts, m.start()) - 1)
                continue
            if icase and lowered is None:
                lowered = text.lower()
            haystack = lowered if icase else text
            todo: set[int] = set()
            for lit in literals:
                pos = haystack.find(lit)
                while pos != -1:
                    i = bisect_right(starts, pos) - 1
                    if i not in hit:
                        todo.add(i)
                    pos = (
                        haystack.find(lit, starts[i] + len(lines[i][1]) + 1)
                        if i + 1 < len(starts)
                        else -1
                    )
            for i in todo:
                if pattern.search(lines[i][1]):
                    hit.add(i)
        for (
            plugin
        ) in self.entropy:  # exactly the plugin's own test: its regex, its entropy, its limit
            limit = plugin.entropy_limit
            for m in plugin.regex.finditer(text):
                value = m.group(2)
                if math.log2(max(len(set(value)), 1)) <= limit:
                    continue  # entropy can never exceed log2(distinct characters)
                i = bisect_right(starts, m.start()) - 1
                if i not in hit and plugin.calculate_shannon_entropy(value) > limit:
                    hit.add(i)
        return [lines[i] for i in sorted(hit)]


class SecretScanner:
    """One scanner per process; ``scan(lines)`` yields :class:`Secret` for numbered lines."""

    def __init__(self) -> None:
        from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
        from detect_secrets.settings import cache_bust, configure_settings_from_baseline

        # every plugin, default filters; configured once for this process (what `default_settings` does)
        cache_bust()
        configure_settings_from_baseline(
            {
                "plugins_used": [
                    {"name": c.__name__} for c in get_mapping_from_secret_type_to_class().values()
                ]
            }
        )
        self.prefilter = _Prefilter()
        try:
            from detect_secrets.core.scan import _process_line_based_plugins

            self._process = _process_line_based_plugins
        except ImportError:  # pragma: no cover - the public, file-based path below
            self._process = None

    def scan(self, lines: Iterable[tuple[int, str]]) -> list[Secret]:
        candidates = self.prefilter.lines([(n, line[:4000]) for n, line in lines if line])
        if not candidates:
            return []
        found: list[Secret] = []
        seen: set[tuple[str, int]] = set()
        for s in self._run(candidates):
            if is_placeholder(s.secret_value):
                continue
            key = (s.type, s.line_number)
            if key not in seen:
                seen.add(key)
                found.append(Secret(s.type, s.line_number))
        return found

    def _run(self, candidates: list[tuple[int, str]]):
        if self._process is not None:
            return list(self._process(candidates, "notebook.py"))
        return _scan_via_file(candidates)


def _scan_via_file(candidates: list[tuple[int, str]]):
    """The public detect-secrets API (``scan_file``), line numbers preserved by blank padding."""
    import os
    import tempfile

    from detect_secrets.core.scan import scan_file

    last = max(n for n, _ in candidates)
    text = [""] * last
    for n, line in candidates:
        text[n - 1] = line
    fd, path = tempfile.mkstemp(suffix=".py", prefix="wellml-")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write("\n".join(text))
        return list(scan_file(path))
    finally:
        os.unlink(path)


@lru_cache(maxsize=1)
def scanner() -> SecretScanner:
    return SecretScanner()
