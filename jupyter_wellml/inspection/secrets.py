"""Secrets in code and outputs, found by the detect-secrets library (network verification off).

detect-secrets' full pipeline (every plugin, then its heuristic filters) costs a few hundred
microseconds a line. Most notebook lines cannot hold a secret, so lines first pass a prefilter
built from detect-secrets' *own* plugin definitions: the union of its regex detectors' patterns,
its secret-keyword list, and its entropy test on quoted strings. Only lines the prefilter keeps
go through the full pipeline, so the result equals scanning every line, at a fraction of the cost.

Placeholders are not secrets: ``<token>``, ``${TOKEN}``, ``YourToken``, ``your-api-key``,
``xxxx``, ``changeme`` and values containing ``EXAMPLE`` are dropped. Random-looking strings
that the line names as identifiers (ETags, request ids, commit hashes, resource names) are
dropped unless the line also speaks of credentials, and "Telegram bot tokens" inside AWS ARNs
(an account id followed by a resource id has the same shape) are dropped.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable
from functools import cache, lru_cache

from ..values import Frozen

# Patterns are kept as text and compiled on first use: they only matter once the prefilter has
# kept a line, and most notebooks have none (a fresh CLI process then never compiles them).
_PLACEHOLDER = (
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


SPEC_FORMAT = 2
MAX_LINE = 4000
#: detect-secrets plugins that report what is not a credential (an IP address is not a secret)
NOT_CREDENTIALS = frozenset({"IPPublicDetector"})
#: our plugins (:mod:`.secret_plugins`): credentials detect-secrets has no detector for
OUR_PLUGINS = (
    "HuggingFaceTokenDetector",
    "GoogleApiKeyDetector",
    "GoogleOAuthClientSecretDetector",
    "DatabricksTokenDetector",
    "AnthropicKeyDetector",
)


#: detect-secrets' keyword-less heuristics report any random-looking string; a string on a line
#: that names it as an identifier (an ETag, a request or host id, a commit hash, a resource
#: name) is not a secret, unless the line also speaks of credentials
_ENTROPY_TYPES = frozenset({"Base64 High Entropy String", "Hex High Entropy String"})
_IDENTIFIER = (
    r"(?i)(?:\b|_)(?:e?tag|ids?|hash|sha\d*|commit|digest|uuid|guid|checksum|md5"
    r"|request[-_]?id|host[-_]?id|x-amz-id(?:-2)?|name|prefix|arn|version|revision"
    r"|image[-_]?ids?|endpoint[-_]?config[-_]?name)(?:\b|_)",
)
_CREDENTIAL_WORDS = (r"(?i)key|secret|token|passw|pwd|credential|auth|bearer|signature|private",)
#: the Telegram bot token pattern (digits:35 chars) also matches ARNs' "account:resource"
_ARN = (r"arn:aws[\w-]*:",)


@cache
def _rx(source: tuple) -> re.Pattern:
    return re.compile(*source)


def _identifier_not_secret(kind: str, line: str) -> bool:
    if kind in _ENTROPY_TYPES:
        return bool(_rx(_IDENTIFIER).search(line)) and not _rx(_CREDENTIAL_WORDS).search(line)
    if kind == "Telegram Bot Token":
        return bool(_rx(_ARN).search(line))
    return False


INDIRECT_REFERENCE = "detect_secrets.filters.heuristic.is_indirect_reference"


def _indirect(line: str) -> bool:
    from detect_secrets.filters.heuristic import is_indirect_reference

    return is_indirect_reference(line)


def _embedded(value: str | None, line: str) -> bool:
    """An access-key-shaped run inside a longer run of letters and digits (a DNA sequence, a
    hash): detect-secrets' AWS pattern has no word boundaries, real key ids stand alone."""
    if not value:
        return False
    at = line.find(value)
    while at != -1:
        before = line[at - 1] if at > 0 else ""
        after = line[at + len(value)] if at + len(value) < len(line) else ""
        if not (before.isalnum() or after.isalnum()):
            return False
        at = line.find(value, at + 1)
    return True


def credible(kind: str, where: str, line: str) -> bool:
    """Is a finding a credential worth reporting? Random-looking strings that only the entropy
    heuristics flag are run ids, hashes and base64 images in outputs, and in code they count
    only on a line that speaks of credentials (``api_secret = "..."``); detectors of a key's
    format or of a secret keyword always count."""
    if kind not in _ENTROPY_TYPES:
        return True
    return where == "code" and bool(_rx(_CREDENTIAL_WORDS).search(line))


class Secret(Frozen):
    __slots__ = ("kind", "line")

    def __init__(self, kind: str, line: int) -> None:
        self._set(
            kind=kind,
            line=line,  # 1-based line in the scanned text
        )


def is_placeholder(value: str | None) -> bool:
    if not value:
        return True
    return bool(_rx(_PLACEHOLDER).match(value.strip().strip("'\"")))


class _Prefilter:
    """Cheap test: which lines could detect-secrets find anything on?

    Each regex detector's patterns are searched separately over the whole text (patterns that
    start with a literal, like ``AKIA`` or ``ghp_``, only run on lines holding that literal),
    hits are mapped back to lines; quoted strings are kept when their entropy can reach the
    entropy detectors' limits. The prefilter is plain data (:meth:`spec`), cached on disk per
    detect-secrets install, so a process with nothing to report never imports detect-secrets.
    """

    def __init__(self, spec: dict) -> None:
        # (pattern, flags, literals or None); patterns are compiled when first needed
        self.gated = [
            (pattern, flags, None if lits is None else tuple(lits), bool(flags & re.I))
            for pattern, flags, lits in spec["patterns"]
        ]
        self.entropy = [(re.compile(p, f), limit) for p, f, limit in spec["entropy"]]
        self._spec = spec

    def spec(self) -> dict:
        return self._spec

    @staticmethod
    def spec_from_plugins() -> dict:
        """The prefilter's data from detect-secrets' configured plugins (imports detect-secrets)."""
        from detect_secrets.plugins.base import RegexBasedDetector
        from detect_secrets.plugins.high_entropy_strings import HighEntropyStringsPlugin
        from detect_secrets.settings import get_plugins

        from .regex_literals import required_literals

        patterns: list[re.Pattern] = []
        entropy: list = []
        for plugin in get_plugins():
            if isinstance(plugin, RegexBasedDetector):
                patterns.extend(plugin.denylist)
            elif isinstance(plugin, HighEntropyStringsPlugin):
                # the plugin's own entropy only counts its charset and may subtract for digits:
                # plain Shannon entropy of the match is never lower, so nothing is missed
                entropy.append([plugin.regex.pattern, plugin.regex.flags, plugin.entropy_limit])
            else:  # KeywordDetector (and anything without a cheap form): its secret keywords
                try:
                    from detect_secrets.plugins.keyword import DENYLIST

                    patterns.append(re.compile("|".join(DENYLIST), re.I))
                except ImportError:  # pragma: no cover - an unknown layout: keep every line
                    patterns.append(re.compile(r"(?m)^"))
        gated = []
        for p in patterns:
            lits = required_literals(p)
            gated.append([p.pattern, p.flags, sorted(lits) if lits is not None else None])
        return {"format": SPEC_FORMAT, "patterns": gated, "entropy": entropy}

    def lines(self, lines: list[tuple[int, str]]) -> list[tuple[int, str]]:
        """The numbered lines worth a full scan."""
        if not lines:
            return []
        text = "\n".join(line for _, line in lines)
        starts = [0]
        for _, line in lines[:-1]:
            starts.append(starts[-1] + len(line) + 1)
        hit: set[int] = set()
        lowered: list[str] = []  # the text in lower case, made once when a pattern needs it
        for pattern, flags, literals, icase in self.gated:
            if literals is None:
                for m in re.compile(pattern, flags).finditer(text):
                    hit.add(bisect_right(starts, m.start()) - 1)
                continue
            if icase and not lowered:
                lowered.append(text.lower())
            haystack = lowered[0] if icase else text
            todo = _lines_with(haystack, literals, starts, lines) - hit
            if todo:
                compiled = re.compile(pattern, flags)
                hit.update(i for i in todo if compiled.search(lines[i][1]))
        hit |= self._high_entropy(text, starts, hit)
        return [lines[i] for i in sorted(hit)]

    def _high_entropy(self, text: str, starts: list[int], hit: set[int]) -> set[int]:
        """The lines (not yet in ``hit``) with a quoted value of high entropy."""
        found: set[int] = set()
        for regex, limit in self.entropy:
            for m in regex.finditer(text):
                value = m.group(2)
                if math.log2(max(len(set(value)), 1)) <= limit:
                    continue  # entropy can never exceed log2(distinct characters)
                i = bisect_right(starts, m.start()) - 1
                if i not in hit and i not in found and _entropy(value) > limit:
                    found.add(i)
        return found


def _lines_with(
    haystack: str, literals: list[str], starts: list[int], lines: list[tuple[int, str]]
) -> set[int]:
    """The lines that hold any of ``literals`` (each line found once per literal)."""
    found: set[int] = set()
    for lit in literals:
        pos = haystack.find(lit)
        while pos != -1:
            i = bisect_right(starts, pos) - 1
            found.add(i)
            pos = (
                haystack.find(lit, starts[i] + len(lines[i][1]) + 1) if i + 1 < len(starts) else -1
            )
    return found


def _entropy(value: str) -> float:
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in Counter(value).values())


class SecretScanner:
    """The full detect-secrets pipeline (every plugin, default filters), configured once."""

    def __init__(self) -> None:
        from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
        from detect_secrets.settings import cache_bust, configure_settings_from_baseline

        # every plugin but the ones that report what is not a credential, plus ours; default
        # filters; configured once for this process (what `default_settings` does)
        cache_bust()
        from . import secret_plugins

        ours = [{"name": name, "path": f"file://{secret_plugins.__file__}"} for name in OUR_PLUGINS]
        configure_settings_from_baseline({"plugins_used": ours})
        theirs = [
            {"name": c.__name__}
            for c in get_mapping_from_secret_type_to_class().values()
            if c.__name__ not in NOT_CREDENTIALS and c.__name__ not in OUR_PLUGINS
        ]
        cache_bust()
        settings = configure_settings_from_baseline({"plugins_used": theirs + ours})
        # `x = f(...)` lines are "indirect references" to detect-secrets, whatever the secret:
        # right for a keyword match (`password = get_password()`), wrong for a key of a known
        # format passed to a call (`Github("ghp_...")`); it is applied to keyword matches only
        settings.disable_filters(INDIRECT_REFERENCE)
        self.prefilter = _Prefilter(_Prefilter.spec_from_plugins())
        try:
            from detect_secrets.core.scan import _process_line_based_plugins

            self._process = _process_line_based_plugins
        except ImportError:  # pragma: no cover - the public, file-based path below
            self._process = None

    def scan(self, lines: Iterable[tuple[int, str]], *, prefilter: bool = True) -> list[Secret]:
        """Secrets on numbered lines; ``prefilter=False`` runs detect-secrets on every line."""
        numbered = [(n, line[:MAX_LINE]) for n, line in lines if line]
        candidates = self.prefilter.lines(numbered) if prefilter else numbered
        return self.confirm(candidates)

    def confirm(self, candidates: list[tuple[int, str]]) -> list[Secret]:
        """detect-secrets on lines the prefilter kept; placeholders dropped."""
        if not candidates:
            return []
        found: list[Secret] = []
        seen: set[tuple[str, int]] = set()
        text_of = dict(candidates)
        for s in self._run(candidates):
            if is_placeholder(s.secret_value):
                continue
            if _identifier_not_secret(s.type, text_of.get(s.line_number, "")):
                continue
            if s.type == "Secret Keyword" and _indirect(text_of.get(s.line_number, "")):
                continue
            if s.type == "AWS Access Key" and _embedded(
                s.secret_value, text_of.get(s.line_number, "")
            ):
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


def scan_lines(lines: Iterable[tuple[int, str]]) -> list[Secret]:
    """Secrets on numbered lines. detect-secrets is imported only when a line passes the
    prefilter (most notebooks have none)."""
    numbered = [(n, line[:MAX_LINE]) for n, line in lines if line]
    candidates = prefilter().lines(numbered)
    return scanner().confirm(candidates) if candidates else []


def _spec_path() -> str | None:
    """The cache file of the prefilter data for the installed detect-secrets, or None."""
    import hashlib
    import os
    from importlib.util import find_spec

    try:
        found = find_spec("detect_secrets")
    except (ImportError, ValueError):
        return None
    if found is None or not found.origin:
        return None
    root = os.path.dirname(found.origin)
    stamp = [root, SPEC_FORMAT]
    for folder in (root, os.path.join(root, "plugins")):
        try:
            with os.scandir(folder) as entries:
                stamp.extend(
                    (e.name, e.stat().st_mtime_ns, e.stat().st_size)
                    for e in sorted(entries, key=lambda e: e.name)
                    if e.name.endswith(".py")
                )
        except OSError:
            return None
    from ..catalog.locate import cache_dir

    digest = hashlib.sha256(repr(stamp).encode()).hexdigest()[:24]
    return os.path.join(cache_dir(), f"secrets-prefilter-{digest}.json")


@lru_cache(maxsize=1)
def prefilter() -> _Prefilter:
    """The prefilter, from the disk cache when it matches the installed detect-secrets."""
    import json
    import os

    path = _spec_path()
    if path:
        try:
            with open(path, encoding="utf-8") as fh:
                spec = json.load(fh)
            if spec.get("format") == SPEC_FORMAT:
                return _Prefilter(spec)
        except (OSError, ValueError, KeyError, TypeError):
            pass
    built = scanner().prefilter
    if path:
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            tmp = f"{path}.{os.getpid()}.tmp"
            with open(tmp, "w", encoding="utf-8") as fh:
                json.dump(built.spec(), fh)
            os.replace(tmp, path)
        except OSError:
            pass
    return built


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
