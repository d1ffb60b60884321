"""R code, read for the same facts as Python: a tokenizer that knows R's strings, raw strings,
comments, backtick names and ``pkg::fn`` names, and a reader of calls and assignments on top.

No maintained R grammar installs from the package registries here without fetching grammars
at run time, so R is tokenized here: enough to find calls (``read.csv("x.csv")``,
``caret::train(...)``, ``model %>% fit(...)``) with their literal arguments, and constants
(``path <- "data/train.csv"``), whatever the spacing, quoting or line breaks. Nothing is run.
The calls become :class:`~.pyscan.Call` values, so the fact tables read them like Python's.
"""

from __future__ import annotations

import re
from typing import Any

from .pyscan import NOT_LITERAL, Call

_TOKEN = re.compile(
    r"""
    (?P<comment>\#[^\n]*)
  | (?P<raw>[rR]["'](?P<dashes>-*)(?P<open>[(\[{]))
  | (?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
  | (?P<backtick>`[^`]*`)
  | (?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?[Li]?|0[xX][0-9a-fA-F]+L?)
  | (?P<name>(?:[A-Za-z]|\.(?![0-9]))[\w.]*(?:(?::::?)(?:[A-Za-z.][\w.]*|`[^`]*`))?)
  | (?P<op><<-|->>|<-|->|\|>|%[^%\n]*%|==|!=|<=|>=|&&|\|\||::|[-+*/^$@~!&|<>=?:;,(){}\[\]])
  | (?P<newline>\n)
  | (?P<space>[ \t\r\f]+)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_CLOSE = {"(": ")", "[": "]", "{": "}"}
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "'": "'", "0": "\0"}


class Token:
    __slots__ = ("kind", "line", "text", "value")

    def __init__(self, kind: str, text: str, line: int, value: Any = None) -> None:
        self.kind = kind  # name | string | number | op
        self.text = text
        self.line = line
        self.value = value

    def __repr__(self) -> str:
        return f"Token({self.kind}, {self.text!r}, {self.line})"


def _unquote(text: str) -> str:
    body = text[1:-1]
    if "\\" not in body:
        return body
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), body)


def tokenize(source: str) -> list[Token]:
    """Tokens of R code (comments and blanks dropped; strings unquoted; lines 1-based)."""
    out: list[Token] = []
    line = 1
    pos = 0
    n = len(source)
    while pos < n:
        m = _TOKEN.match(source, pos)
        if m is None:  # pragma: no cover - `other` matches any character
            break
        kind = m.lastgroup
        text = m.group(0)
        if kind == "raw":  # r"(...)", r"-[...]-": ends at the matching close and dashes
            close = _CLOSE[m.group("open")] + m.group("dashes") + text[1]
            end = source.find(close, m.end())
            end = n if end == -1 else end
            value = source[m.end() : end]
            out.append(Token("string", source[pos : end + len(close)], line, value))
            line += source.count("\n", pos, end + len(close))
            pos = end + len(close)
            continue
        if kind == "string":
            out.append(Token("string", text, line, _unquote(text)))
        elif kind == "number":
            value: Any = text.rstrip("Li")
            try:
                value = (
                    int(value, 0) if re.fullmatch(r"\d+|0[xX][0-9a-fA-F]+", value) else float(value)
                )
            except ValueError:
                value = NOT_LITERAL
            out.append(Token("number", text, line, value))
        elif kind == "name":
            out.append(Token("name", text.replace("`", ""), line))
        elif kind == "backtick":
            out.append(Token("name", text[1:-1], line))
        elif kind == "op" or kind == "other":
            out.append(Token("op", text, line))
        line += text.count("\n")
        pos = m.end()
    return out


#: functions whose first argument is a name written without quotes (R's non-standard evaluation)
_UNQUOTED = frozenset({"data", "utils::data", "library", "require", "requireNamespace"})
_CONSTANTS = {"TRUE": True, "FALSE": False, "T": True, "F": False, "NULL": None, "NA": None}
_ASSIGN = ("<-", "<<-", "=")


class RScan:
    """Calls (as :class:`Call`, name qualified as ``pkg::fn`` when written so), library loads
    and string constants of R code, in order."""

    def __init__(self, cell: int, consts: dict[str, Any] | None = None) -> None:
        self.cell = cell
        self.consts: dict[str, Any] = {} if consts is None else consts
        self.calls: list[Call] = []
        self.libraries: list[tuple[str, int]] = []

    def read(self, source: str) -> RScan:
        tokens = tokenize(source)
        self._scan(tokens, 0, len(tokens))
        return self

    # ------------------------------------------------------------------ structure
    def _scan(self, toks: list[Token], start: int, end: int) -> None:
        i = start
        while i < end:
            t = toks[i]
            if (
                t.kind == "name"
                and i + 3 < end
                and toks[i + 1].text == "$"
                and toks[i + 2].kind == "name"
                and toks[i + 3].text == "("
            ):
                # an R6 method or constructor: `Predictor$new(...)`
                t = toks[i + 2] = Token("name", f"{t.text}${toks[i + 2].text}", toks[i + 2].line)
                i += 2
            if t.kind == "name" and i + 1 < end and toks[i + 1].text == "(":
                close = _matching(toks, i + 1, end)
                self._call(toks, i, close)
                self._scan(toks, i + 2, close)  # calls nested in the arguments
                i = close + 1
                continue
            if (
                t.kind == "name"
                and i + 2 < end
                and toks[i + 1].text in _ASSIGN
                and toks[i + 2].kind in ("string", "number")
                and (
                    i + 3 >= end
                    or toks[i + 3].text in (";", "}")
                    or toks[i + 3].line > toks[i + 2].line
                )
            ):
                self.consts[t.text] = toks[i + 2].value
            i += 1

    def _call(self, toks: list[Token], i: int, close: int) -> None:
        name = toks[i].text
        args: list[Any] = []
        keywords: dict[str, Any] = {}
        for a, b in _split_args(toks, i + 2, close):
            if b - a >= 2 and toks[a].kind in ("name", "string") and toks[a + 1].text == "=":
                key = toks[a].text if toks[a].kind == "name" else toks[a].value
                keywords[key] = self._value(toks, a + 2, b)
            elif b - a == 1 and name in _UNQUOTED and toks[a].kind == "name":
                args.append(toks[a].text)  # `data(iris)`: R reads the symbol as a name
            elif b > a:
                args.append(self._value(toks, a, b))
        line = toks[_chain_start(toks, i)].line
        self.calls.append(Call(name.replace(":::", "::"), self.cell, line, args[:8], keywords))
        if name in ("library", "require", "requireNamespace", "suppressPackageStartupMessages"):
            pkg = args[0] if args else None
            if isinstance(pkg, str):
                self.libraries.append((pkg, line))
            elif b_name := _bare_name(toks, i + 2, close):
                self.libraries.append((b_name, line))

    def _value(self, toks: list[Token], a: int, b: int) -> Any:
        if b - a == 1:
            t = toks[a]
            if t.kind in ("string", "number"):
                return t.value
            if t.kind == "name":
                if t.text in _CONSTANTS:
                    return _CONSTANTS[t.text]
                return self.consts.get(t.text, NOT_LITERAL)
        if b - a == 2 and toks[a].text == "-" and toks[a + 1].kind == "number":
            v = toks[a + 1].value
            return -v if isinstance(v, (int, float)) else NOT_LITERAL
        if (
            b - a >= 3
            and toks[a].kind == "name"
            and toks[a].text in ("c", "list")
            and toks[a + 1].text == "("
        ):
            close = _matching(toks, a + 1, b)
            if close == b - 1:
                return [self._value(toks, x, y) for x, y in _split_args(toks, a + 2, close)][:32]
        if (
            b - a >= 3
            and toks[a].text in ("paste0", "file.path", "paste")
            and toks[a + 1].text == "("
        ):
            close = _matching(toks, a + 1, b)
            parts = [self._value(toks, x, y) for x, y in _split_args(toks, a + 2, close)]
            if close == b - 1 and parts and all(isinstance(p, str) for p in parts):
                sep = (
                    "/"
                    if toks[a].text == "file.path"
                    else ("" if toks[a].text == "paste0" else " ")
                )
                return sep.join(parts)
        return NOT_LITERAL


def _is_pipe(tok: Token) -> bool:
    return tok.kind == "op" and (tok.text in ("|>", "+") or tok.text.startswith("%"))


def _chain_start(toks: list[Token], i: int) -> int:
    """Where the expression a call belongs to starts: ``wf %>%\n  fit(...)`` is one statement
    from ``wf`` on (as Python reports a call in a method chain at the chain's first line)."""
    j = i
    while j >= 2 and _is_pipe(toks[j - 1]):
        k = j - 2  # the operand before the pipe: a name, or a call ending in `)`
        if toks[k].text == ")":
            depth = 0
            while k >= 0:
                if toks[k].text == ")":
                    depth += 1
                elif toks[k].text == "(":
                    depth -= 1
                    if depth == 0:
                        break
                k -= 1
            k -= 1
        if k < 0 or toks[k].kind != "name":
            break
        j = k
    return j


def _matching(toks: list[Token], open_at: int, end: int) -> int:
    depth = 0
    for j in range(open_at, end):
        text = toks[j].text
        if toks[j].kind != "op":
            continue
        if text in ("(", "[", "{"):
            depth += 1
        elif text in (")", "]", "}"):
            depth -= 1
            if depth == 0:
                return j
    return end - 1 if end > open_at else open_at


def _split_args(toks: list[Token], start: int, close: int) -> list[tuple[int, int]]:
    out = []
    depth = 0
    a = start
    for j in range(start, close):
        text = toks[j].text
        if toks[j].kind == "op":
            if text in ("(", "[", "{"):
                depth += 1
            elif text in (")", "]", "}"):
                depth -= 1
            elif text == "," and depth == 0:
                out.append((a, j))
                a = j + 1
    if close > a:
        out.append((a, close))
    return out


def _bare_name(toks: list[Token], start: int, close: int) -> str | None:
    if close - start == 1 and toks[start].kind == "name":
        return toks[start].text
    return None


def scan_r(source: str, cell: int, consts: dict[str, Any]) -> RScan:
    """Scan one cell of R code; ``consts`` carries string constants from cell to cell."""
    return RScan(cell, consts).read(source)
