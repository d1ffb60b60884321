"""IPython syntax → Python, line by line, so every fact keeps its cell line.

Cells that are plain Python are parsed as they are (the common, fast case). Cells with IPython
syntax (``%magic``, ``!shell``, ``x = !cmd``, ``obj?``, automagic lines such as
``pip install x`` or ``cd dir``) go through IPython's own ``TransformerManager``. Cell magics
are handled here: ``%%time``/``%%capture``-style bodies are Python, ``%%writefile x.py`` bodies
are inspected as code, ``%%bash`` bodies are shell, other cell magics (``%%sql``, ``%%html`` ...)
are not Python and are skipped.
"""

from __future__ import annotations

import ast
import re
import warnings
from functools import lru_cache

from ..values import Value

#: Cell magics whose body is Python run in the kernel.
PYTHON_BODY_MAGICS = frozenset(
    {
        "time",
        "timeit",
        "capture",
        "prun",
        "debug",
        "memit",
        "mprun",
        "sagemaker_run",
        "local",
        "spark",
        "cache",
        "tensorboard",
        "dvc",
        "synapse",
        "pyspark",
    }
)
#: Cell magics whose body is SQL (read for warehouse queries and BigQuery ML statements).
SQL_MAGICS = frozenset({"sql", "bigquery", "bq", "sparksql", "spark_sql", "athena", "snowflake"})
#: Cell magics whose body is shell.
SHELL_MAGICS = frozenset({"bash", "sh", "script", "system", "sx", "zsh"})
#: Line magics IPython runs without ``%`` (automagic) that notebooks commonly use that way.
AUTOMAGIC = frozenset(
    {
        "pip",
        "conda",
        "mamba",
        "uv",
        "cd",
        "pwd",
        "env",
        "set_env",
        "load_ext",
        "reload_ext",
        "matplotlib",
        "autoreload",
        "aimport",
        "run",
        "store",
        "who",
        "whos",
        "history",
        "mkdir",
        "rm",
        "cp",
        "mv",
        "cat",
        "ls",
        "ll",
        "rmdir",
        "bookmark",
        "config",
        "precision",
        "xmode",
        "alias",
        "sc",
        "pinfo",
        "psearch",
        "reset",
        "timeit",
        "time",
        "wellml",
    }
)

_LINE_MAGIC = re.compile(
    r"^(?P<indent>\s*)(?:(?P<target>[A-Za-z_][\w.,\s]*?)\s*=\s*)?(?P<sigil>%{1,2}|!{1,2})(?P<rest>.*)$"
)
_AUTOMAGIC = re.compile(r"^(?P<indent>\s*)(?P<name>[A-Za-z_][\w-]*)(?:\s+(?P<args>.*))?$")
#: what follows a name in Python, never in an automagic line: ``ll = Estimator(`` (a multi-line
#: assignment to a name that is also an IPython alias), ``ls[0]``, ``cat.x``, ``cd += 1``
_PYTHON_CONTINUATION = re.compile(r"^(?:=(?!=)|[-+*/%&|^@<>]=|\.(?=[A-Za-z_])|[(\[:,]|\))")
_CELL_MAGIC = re.compile(r"^%%(?P<name>[\w.-]+)\s*(?P<args>.*)$")


class MagicLine(Value):
    """A line of IPython syntax: ``kind`` is ``magic`` (``%name``), ``shell`` (``!cmd``) or ``cell_magic``."""

    __slots__ = ("args", "form", "kind", "line", "name")

    def __init__(self, line: int, kind: str, name: str, args: str, form: str) -> None:
        self.line = line  # 1-based line in the cell
        self.kind = kind
        self.name = name
        self.args = args
        self.form = form  # magic | shell | automagic | cell_magic | cell_shell


class CellCode(Value):
    """What the engine inspects of one code cell."""

    __slots__ = ("error", "language", "magics", "nodes", "offset", "python", "tree", "writefile")

    def __init__(
        self,
        python: str | None,
        offset: int = 0,
        magics: list[MagicLine] | None = None,
        language: str = "python",
        writefile: str | None = None,
        tree: ast.Module | None = None,
        error: tuple[int | None, str] | None = None,
        nodes: tuple | None = None,
    ) -> None:
        self.python = python  # Python text with the cell's line numbering (None: not Python)
        self.offset = offset  # lines to add to a line of ``python`` to get the cell line
        self.magics = [] if magics is None else magics
        self.language = language  # python | shell | other | scala | sql | r | csharp
        self.writefile = writefile
        self.tree = tree
        self.error = error  # (cell line, message) when it cannot be parsed
        self.nodes = nodes  # pyscan.interesting_nodes(tree), computed once with the cell


def parse(text: str) -> ast.Module:
    """``ast.parse`` with the host's warning filters set aside: a notebook's ``"\\d"`` escape
    (a SyntaxWarning) is read the same way whether or not the process turns warnings into
    errors (pytest does, a kernel may), so a review never depends on them."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ast.parse(text)


@lru_cache(maxsize=1)
def _transformer():
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager()


@lru_cache(maxsize=8192)
def analyse_cell(source: str) -> CellCode:
    """Split one code cell into Python (with line numbers kept) and IPython magic/shell lines.

    Results are cached by cell text: the sidebar reviews a notebook again after every edit, and
    all cells but the edited one are the same. A :class:`CellCode` is never modified after this.
    """
    if source.startswith("%%"):
        return _cell_magic(source)
    return _python_cell(source, 0)


#: languages a Spark cell magic (``%%synapse``, ``%%spark``) runs other than Python
OTHER_BODY_LANGUAGES = {"scala": "scala", "sql": "sql", "sparksql": "sql", "csharp": "csharp",
                        "r": "r", "sparkr": "r"}  # fmt: skip


def _body_language(args: str) -> str | None:
    """The language a Spark cell magic's arguments name (``scala``, ``-l sql``,
    ``--language scala``), when it is not Python."""
    words = args.lower().replace("=", " ").split()
    for i, word in enumerate(words):
        if word in ("-l", "--language") and i + 1 < len(words):
            return OTHER_BODY_LANGUAGES.get(words[i + 1])
    return OTHER_BODY_LANGUAGES.get(words[0]) if words else None


def _cell_magic(source: str) -> CellCode:
    first, _, body = source.partition("\n")
    m = _CELL_MAGIC.match(first.strip())
    name = m.group("name") if m else first[2:].split(" ", 1)[0]
    args = m.group("args").strip() if m else ""
    head = MagicLine(1, "cell_magic", name, args, "cell_magic")
    if name in ("writefile", "file"):
        target = args.split()[-1] if args.split() else ""
        if target.endswith(".py"):
            code = _python_cell(body, 1)
        else:
            code = CellCode(python=None, offset=1, language="other")
        code.writefile = target or None
        code.magics.insert(0, head)
        return code
    if name in SHELL_MAGICS:
        magics = [head]
        for i, line in enumerate(body.split("\n"), start=2):
            stripped = line.strip()
            if stripped and not stripped.startswith("#"):
                magics.append(MagicLine(i, "shell", stripped.split()[0], stripped, "cell_shell"))
        return CellCode(python=None, offset=1, magics=magics, language="shell")
    if name in PYTHON_BODY_MAGICS and _body_language(args) is not None:
        # `%%synapse scala`, `%%spark -l sql`: the body is in the language named
        return CellCode(python=None, offset=1, magics=[head], language=_body_language(args))
    if name in PYTHON_BODY_MAGICS:
        code = _python_cell(body, 1)
        code.magics.insert(0, head)
        return code
    return CellCode(python=None, offset=1, magics=[head], language="other")


def _join_continued(lines: list[str], i: int, found: MagicLine) -> int:
    """The last line of a magic continued with backslashes (``!pip install \\`` + next line:
    one command), with its words joined into ``found.args``."""
    j = i
    while lines[j].rstrip().endswith("\\") and j + 1 < len(lines):
        j += 1
    if j > i:
        parts = [lines[k].rstrip().removesuffix("\\").strip() for k in range(i + 1, j + 1)]
        found.args = " ".join([found.args.rstrip().removesuffix("\\").strip(), *parts])
    return j


def _automagic(lines: list[str], i: int, stripped: str, offset: int) -> MagicLine | None:
    """Line ``i`` as an automagic (``pip install x`` without ``%``), rewritten to ``%pip ...``
    in ``lines``; None when it is Python."""
    m = _AUTOMAGIC.match(lines[i])
    if (
        m
        and m.group("name") in AUTOMAGIC
        and m.group("args") is not None
        and not _PYTHON_CONTINUATION.match(m.group("args"))
        and not _parses(stripped)
    ):
        lines[i] = f"{m.group('indent')}%{stripped}"
        args = (m.group("args") or "").strip()
        return MagicLine(i + 1 + offset, "magic", m.group("name"), args, "automagic")
    return None


def _find_magics(lines: list[str], offset: int) -> tuple[list[MagicLine], bool]:
    """The magic lines of a Python cell (automagics rewritten in ``lines``), and whether the
    cell uses any IPython syntax."""
    magics: list[MagicLine] = []
    ipython_syntax = False
    continued = -1  # last line of a magic continued with backslashes
    for i, line in enumerate(lines):
        if i <= continued:
            continue
        stripped = line.lstrip()
        if not stripped or stripped[0] == "#":
            continue
        # (a magic line holds its sigil, an automagic starts with its name: most lines are
        # neither, and skip both regular expressions)
        found = _magic_line(line, i + 1 + offset) if "%" in line or "!" in line else None
        if found is not None:
            continued = _join_continued(lines, i, found)
        elif stripped[0] == "?" or stripped.endswith("?"):
            ipython_syntax = True  # help syntax (obj? / ?obj); TransformerManager knows it
        elif stripped[0].isalpha() and stripped.split(None, 1)[0] in AUTOMAGIC:
            found = _automagic(lines, i, stripped, offset)
        if found is not None:
            magics.append(found)
            ipython_syntax = True
    return magics, ipython_syntax


def _python_cell(source: str, offset: int) -> CellCode:
    lines = source.split("\n")
    magics, ipython_syntax = _find_magics(lines, offset)
    code = CellCode(python=None, offset=offset, magics=magics)
    text = "\n".join(lines)
    tree = None
    if ipython_syntax:
        # the common forms (whole-line %magic, !cmd, x = !cmd) are rewritten here exactly as
        # TransformerManager writes them; anything else goes through IPython itself
        quick = _simple_magics(lines, magics, offset)
        if quick is not None:
            tree = _parse_or_none(quick)
            if tree is not None:
                code.python = quick
        if tree is None:
            code.python = _to_python(text)
    else:
        code.python = _leading_indent(text)
    try:
        code.tree = tree if tree is not None else parse(code.python)
        from .pyscan import interesting_nodes

        code.nodes = interesting_nodes(code.tree)
    except SyntaxError as exc:
        code.error = ((exc.lineno + offset) if exc.lineno else None, exc.msg)
    except (ValueError, RecursionError, MemoryError) as exc:
        code.error = (None, f"cannot parse: {type(exc).__name__}")
    return code


def _leading_indent(text: str) -> str:
    """What IPython does to a cell whose first line is indented (its ``leading_indent``
    transform): the first line's indentation is removed from every line that starts with it
    (a cell pasted with a leading space runs; line numbers stay)."""
    if text[:1] not in (" ", "\t"):
        return text
    lines = text.split("\n")
    prefix = lines[0][: len(lines[0]) - len(lines[0].lstrip(" \t"))]
    return "\n".join(ln[len(prefix) :] if ln.startswith(prefix) else ln for ln in lines)


def _simple_magics(lines: list[str], magics: list[MagicLine], offset: int) -> str | None:
    """The cell with each magic line written as the ``get_ipython()`` call IPython's
    TransformerManager makes of it, or None when the cell needs IPython itself (help syntax,
    continued lines, ``%%`` inside a cell, magic-looking lines that may sit in a string)."""
    if not magics or any(m.kind != "magic" and m.kind != "shell" for m in magics):
        return None
    by_line = {m.line - 1 - offset: m for m in magics}
    if len(by_line) != len(magics):
        return None
    out = list(lines)
    for i, line in enumerate(lines):
        if '"""' in line or "'''" in line or line.rstrip().endswith("\\"):
            return None
        if i not in by_line:
            stripped = line.lstrip()
            if stripped[:1] == "?" or (stripped.endswith("?") and stripped[:1] != "#"):
                return None
            continue
        m = _LINE_MAGIC.match(line)
        if m is None:
            return None
        sigil, rest = m.group("sigil"), m.group("rest")
        indent, target = m.group("indent"), m.group("target")
        if sigil == "%%" or rest.rstrip().endswith("?"):
            return None
        if sigil == "%":
            name, _, args = rest.lstrip().partition(" ")
            if not name:
                return None
            call = f"get_ipython().run_line_magic({name!r}, {args.strip()!r})"
        else:
            fn = "getoutput" if sigil == "!!" or target is not None else "system"
            call = f"get_ipython().{fn}({rest.rstrip()!r})"
        out[i] = f"{indent}{target} = {call}" if target is not None else f"{indent}{call}"
    return "\n".join(out)


def _parse_or_none(text: str) -> ast.Module | None:
    try:
        return parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def _magic_line(line: str, lineno: int) -> MagicLine | None:
    """``%name args``, ``!cmd``, ``x = !cmd`` or ``x = %name args`` on one line, else None."""
    m = _LINE_MAGIC.match(line)
    if m is None:
        return None
    sigil, rest = m.group("sigil"), m.group("rest")
    if m.group("target") is not None and (sigil not in ("!", "%") or rest[:1] == "="):
        return (
            None  # an ordinary expression such as `a = b % c` never matches; this guards `x = !=`
        )
    if sigil.startswith("!"):
        cmd = rest.strip()
        return MagicLine(lineno, "shell", _first_word(cmd), cmd, "shell")
    name, _, args = rest.strip().partition(" ")
    return MagicLine(lineno, "magic", name, args.strip(), "magic")


def _to_python(text: str) -> str:
    """IPython → Python through TransformerManager; if that shifts line numbers, blank the magic lines instead."""
    try:
        out = _transformer().transform_cell(text)
    except Exception:
        out = None
    n = len(text.rstrip("\n").split("\n"))
    if out is not None and len(out.rstrip("\n").split("\n")) == n:
        return out
    kept = []
    continues: str | None = None  # indent of a magic line continued with a backslash
    for line in text.split("\n"):
        stripped = line.lstrip()
        indent = line[: len(line) - len(stripped)]
        m = _LINE_MAGIC.match(line)
        if continues is not None:
            kept.append(f"{continues}pass")
            if not line.rstrip().endswith("\\"):
                continues = None
        elif stripped.startswith(("%", "!", "?")) or (
            stripped.endswith("?") and not stripped.startswith("#")
        ):
            kept.append(f"{indent}pass")
            if stripped.startswith(("%", "!")) and line.rstrip().endswith("\\"):
                continues = indent
        elif m and m.group("target") and m.group("sigil") in ("!", "%"):
            kept.append(f"{indent}{m.group('target')} = None")
        else:
            kept.append(line)
    return "\n".join(kept)


def _parses(line: str) -> bool:
    try:
        parse(line)
    except SyntaxError:
        return False
    except (ValueError, RecursionError):
        return False
    return True


def _first_word(cmd: str) -> str:
    word = cmd.split(None, 1)[0] if cmd.split() else ""
    return word.rsplit("/", 1)[-1]
