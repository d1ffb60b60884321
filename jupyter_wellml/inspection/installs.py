"""Package installs in notebooks (``%pip``, ``!pip``, automagic ``pip``, ``!{sys.executable} -m pip``,
``subprocess`` pip, ``%conda``, ``uv pip``) and how each requirement is pinned.

Requirements are parsed with :mod:`packaging` (PEP 508); conda specs follow conda's match-spec
forms (``name=1.2``, ``name>=1``).
"""

from __future__ import annotations

import re
import shlex
from typing import Any

PIN_KINDS = ("exact", "lower_bound", "range", "unpinned", "requirements_file", "url", "local")

#: options of an install whose value is a requirements file or a local path, and how it is kept
_PATH_OPTIONS = {"-r": "-r", "--requirement": "-r", "-e": "-e", "--editable": "-e"}
_OPTIONS_WITH_VALUE = {
    "-i",
    "--index-url",
    "--extra-index-url",
    "-f",
    "--find-links",
    "-c",
    "--constraint",
    "-t",
    "--target",
    "--prefix",
    "--root",
    "--trusted-host",
    "--progress-bar",
    "--log",
    "--cache-dir",
    "--platform",
    "--python-version",
    "--implementation",
    "--abi",
    "--src",
    "--upgrade-strategy",
    "--no-binary",
    "--only-binary",
    "--config-settings",
    "-C",
    "--python",
    "-p",
    "--channel",
    "-n",
    "--name",
    "--index",
    "--default-index",
    "--retries",
    "--timeout",
    "--proxy",
    "--cert",
    "--client-cert",
}
_SPLIT = re.compile(r"\s*(?:&&|\|\||;)\s*")
_PIP = re.compile(
    # pip's general options may stand before the command (`pip -q install x`, `-m pip --quiet install`)
    r"(?:(?:^|[\s/(])(?:pip3?(?:\.\d+)?|uv\s+pip)|(?:^|\s)-m\s+pip)"
    r"(?:\s+-{1,2}[A-Za-z][\w-]*(?:=\S+)?)*\s+install\b"
)
_CONDA = re.compile(r"(?:^|[\s/(])(?:conda|mamba|micromamba)\s+install\b")


def installs_in_command(command: str) -> list[tuple[str, str, str]]:
    """``(tool, spec_token, raw_argument)`` for every requirement a shell/magic command installs.

    ``spec_token`` is ``-r FILE`` for requirement files and ``-e PATH`` for editable installs.
    """
    found: list[tuple[str, str, str]] = []
    for part in _SPLIT.split(command):
        tool = None
        m = _PIP.search(part)
        if m:
            tool = "uv" if "uv" in m.group(0) else "pip"
            rest = part[m.end() :]
        else:
            m = _CONDA.search(part)
            if m:
                tool = "mamba" if "mamba" in m.group(0) else "conda"
                rest = part[m.end() :]
        if tool is None:
            continue
        found.extend((tool, tok, tok) for tok in _requirement_tokens(_shell_words(rest)))
    return found


#: pip options that choose where packages come from
_INDEX_OPTIONS = {
    "--index-url": "index",
    "-i": "index",
    "--extra-index-url": "extra_index",
    "--trusted-host": "trusted_host",
    "--find-links": "find_links",
    "-f": "find_links",
}


def index_options(command: str) -> dict[str, str]:
    """Where an install takes packages from: ``index``, ``extra_index``, ``trusted_host`` and
    ``find_links`` as the command gives them (``--index-url=URL`` or ``--index-url URL``)."""
    if "-i" not in command and "--" not in command and "-f" not in command:
        return {}
    found: dict[str, str] = {}
    words = _shell_words(command)
    for i, word in enumerate(words):
        name, eq, value = word.partition("=")
        key = _INDEX_OPTIONS.get(name)
        if key is None:
            continue
        if not eq:
            value = words[i + 1] if i + 1 < len(words) else ""
        if value and key not in found:
            found[key] = value
    return found


def _shell_words(text: str) -> list[str]:
    """Words as a POSIX shell splits them: an unquoted ``>`` or ``<`` is a redirection even
    inside a word (``pip install x>=1`` installs ``x`` and writes to the file ``=1``), while
    quoted specifiers (``"x>=1"``) stay whole. A word starting with ``#`` starts a comment, and
    the parentheses of a subshell (``!(pip install x y)``) are words of their own."""
    try:
        lexer = shlex.shlex(text, posix=True, punctuation_chars="|&;<>()")
        lexer.whitespace_split = True
        lexer.commenters = ""
        words = list(lexer)
    except ValueError:
        words = text.split()
    out: list[str] = []
    for i, word in enumerate(words):
        if word.startswith("#"):
            break
        if word.isdigit() and i + 1 < len(words) and words[i + 1][:1] in "<>":
            continue  # the file descriptor of `2>&1`
        out.append(word)
    return out


def installs_in_args(args: list[Any]) -> list[tuple[str, str, str]]:
    """Installs in a subprocess argument list such as ``[sys.executable, "-m", "pip", "install", "x==1"]``."""
    words = [a for a in args if isinstance(a, str)]
    if "install" not in words:
        return []
    i = words.index("install")
    before = " ".join(words[:i])
    if "pip" not in before and "conda" not in before and "mamba" not in before:
        return []
    tool = (
        "conda"
        if ("conda" in before or "mamba" in before) and "pip" not in before
        else ("uv" if "uv" in before else "pip")
    )
    return [(tool, tok, tok) for tok in _requirement_tokens(words[i + 1 :])]


#: a word that is wholly an IPython expansion (``{name}``, ``$name``, ``${name}``)
_EXPANSION = re.compile(r"\{[^{}]*\}|\$\{?\w+\}?")


def _requirement_tokens(tokens: list[str]) -> list[str]:
    out: list[str] = []
    skip = False
    for i, tok in enumerate(tokens):
        if skip:
            skip = False
            continue
        marker = _PATH_OPTIONS.get(tok)
        if marker:  # `-r FILE`, `-e PATH`: kept whole, as `-r FILE`
            if i + 1 < len(tokens):
                out.append(f"{marker} {tokens[i + 1]}")
            skip = True
            continue
        if tok.startswith(("-r", "--requirement=")) and len(tok) > 2 and not tok.startswith("--r"):
            out.append(f"-r {tok.split('=', 1)[-1] if '=' in tok else tok[2:]}")
            continue
        if tok.startswith("-"):
            if tok in _OPTIONS_WITH_VALUE:
                skip = True
            continue
        if tok in (">", ">>", "2>&1", "/dev/null", "|", "<", ")", "(") or tok.startswith(
            (">", "2>", "<", "&")
        ):
            break
        if _EXPANSION.fullmatch(tok):
            continue  # `{USER_FLAG}`, `$PACKAGES`: a value IPython fills in, unknown here
        out.append(tok)
    return out


def classify(tool: str, token: str) -> dict[str, Any]:
    """``{spec, name, pin}`` for one requirement token of an install."""
    if token.startswith("-r "):
        return {"spec": token, "name": None, "pin": "requirements_file"}
    if token.startswith("-e "):
        return {"spec": token, "name": None, "pin": "local"}
    spec = token.strip()
    if len(spec) > 1 and spec[0] == spec[-1] and spec[0] in "'\"":
        spec = spec[1:-1]  # only matching outer quotes: `x; python_version<"3.8"` keeps its own
    if (
        re.match(r"^(git\+|hg\+|svn\+|https?://|ftp://|file:)", spec)
        or " @ " in spec
        or "@git+" in spec
    ):
        name = (
            spec.split("@")[0].strip()
            if "@" in spec and not spec.startswith(("git+", "http"))
            else None
        )
        return {"spec": spec, "name": name or None, "pin": "url"}
    if spec.startswith((".", "/", "~")) or spec.endswith((".whl", ".tar.gz", ".zip")):
        return {"spec": spec, "name": None, "pin": "local"}
    if tool in ("conda", "mamba"):
        return _conda(spec)
    return _pep508(spec)


#: ``name[extras] specifiers`` without a marker or URL: the common case, parsed with
#: packaging's SpecifierSet alone (packaging.requirements also loads markers and platform tags)
_SIMPLE_REQUIREMENT = re.compile(
    r"^\s*(?P<name>[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?:\[[^\]]*\])?\s*(?P<spec>[^;@]*)$"
)


def _pep508(spec: str) -> dict[str, Any]:
    cleaned = re.sub(r"\{[^}]*\}|\$\{?\w+\}?", "0", spec)  # `x=={version}` pins through a variable
    simple = _SIMPLE_REQUIREMENT.match(cleaned)
    if simple and not simple.group("spec").strip():  # a bare name: nothing to parse
        return {
            "spec": spec,
            "name": simple.group("name").lower().replace("_", "-"),
            "pin": "unpinned",
        }
    if simple:
        from packaging.specifiers import InvalidSpecifier, SpecifierSet

        try:
            specifier = SpecifierSet(simple.group("spec").strip())
        except InvalidSpecifier:
            simple = None
        else:
            name, url = simple.group("name"), None
    if not simple:
        from packaging.requirements import InvalidRequirement, Requirement

        try:
            req = Requirement(cleaned)
        except InvalidRequirement:
            # what pip would refuse (`boto3>=1.24.*`): its operators still say what was meant
            name = re.split(r"[<>=!~\[ ;]", spec, maxsplit=1)[0] or None
            ops = set(_OPERATOR.findall(spec[len(name or "") :]))
            return {
                "spec": spec,
                "name": name.lower().replace("_", "-") if name else None,
                "pin": "unpinned" if not ops else _pin(ops, "*" in spec),
            }
        specifier, name, url = req.specifier, req.name, req.url
    ops = {s.operator for s in specifier}
    if url:
        pin = "url"
    elif not ops:
        pin = "unpinned"
    else:
        pin = _pin(ops, any(s.version.endswith("*") for s in specifier if s.operator == "=="))
    return {"spec": spec, "name": name.lower().replace("_", "-"), "pin": pin}


#: a version operator of a requirement (PEP 440)
_OPERATOR = re.compile(r"===|==|!=|~=|>=|<=|<|>")


def _pin(ops: set[str], wildcard: bool) -> str:
    """The pin kind of a requirement with version operators ``ops`` (``wildcard``: an ``==``
    with ``.*``)."""
    if ops & {"==", "==="} and not wildcard:
        return "exact"
    if ops <= {">=", ">"}:
        return "lower_bound"
    return "range"


def _conda(spec: str) -> dict[str, Any]:
    spec = spec.split("::")[-1]
    m = re.match(r"^([A-Za-z0-9_.\-]+)\s*(.*)$", spec)
    if not m:
        return {"spec": spec, "name": None, "pin": "unpinned"}
    name, rest = m.group(1), m.group(2).strip()
    if not rest:
        pin = "unpinned"
    elif rest.startswith("==") or (rest.startswith("=") and re.match(r"^=\d+(\.\d+){2,}$", rest)):
        pin = "exact"
    elif rest.startswith((">=", ">")) and "," not in rest and "<" not in rest:
        pin = "lower_bound"
    else:
        pin = "range"
    return {"spec": spec, "name": name.lower(), "pin": pin}
