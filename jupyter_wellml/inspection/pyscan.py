"""Walk the Python of a notebook in cell order: imports (aliases resolved), calls by qualified name,
literal arguments, string constants and simple assignments.

Names are resolved the way a reader would: ``import pandas as pd`` makes ``pd.read_csv`` the call
``pandas.read_csv``; ``est = sagemaker.estimator.Estimator(...)`` makes ``est.fit()`` the call
``sagemaker.estimator.Estimator.fit``; a method on an object of unknown origin is ``.fit``.
Nothing is executed.
"""

from __future__ import annotations

import ast
import builtins
import re
from collections import deque
from typing import Any

from ..values import Frozen, Value


class NotLiteral:
    """The value of an expression that is not a literal: one instance, :data:`NOT_LITERAL`.

    It stands for "computed at run time" inside the scanner only; facts turn it into ``None``
    (:func:`jupyter_wellml.inspection.facts.plain`), so it never reaches a review. It pickles as
    the module's singleton, so scans cross process boundaries intact.
    """

    __slots__ = ()
    _instance: NotLiteral | None = None

    def __new__(cls) -> NotLiteral:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "<expr>"

    def __reduce__(self) -> str:
        return "NOT_LITERAL"


NOT_LITERAL: Any = NotLiteral()
#: the key of the name table holding the last module imported with ``from m import *``
STAR = "*"
#: names Python defines itself: never taken from a star import
_BUILTINS = frozenset(dir(builtins)) | {"display", "get_ipython", "print"}
#: marks a name bound to what a call returned (an instance), in the scanner's name table
INSTANCE = "()"
#: constant types a literal may hold (bytes, ``...`` and complex numbers are not literals here)
LITERAL_CONSTANTS = (str, int, float, bool, type(None))


class Import(Value):
    __slots__ = ("alias", "cell", "line", "module", "name")

    def __init__(self, module: str, name: str | None, alias: str, cell: int, line: int) -> None:
        self.module = module
        self.name = name
        self.alias = alias
        self.cell = cell
        self.line = line

    @property
    def qualified(self) -> str:
        return f"{self.module}.{self.name}" if self.name else self.module


class Call(Value):
    __slots__ = ("args", "cell", "in_loop", "keywords", "line", "name", "refs", "star_kwargs")

    def __init__(
        self,
        name: str,
        cell: int,
        line: int,
        args: list[Any],
        keywords: dict[str, Any],
        star_kwargs: bool = False,
        refs: dict[int | str, str] | None = None,
        in_loop: bool = False,
    ) -> None:
        self.name = name  # qualified, or ".attr" when the receiver is unknown
        self.cell = cell
        self.line = line
        self.args = args  # literal values of the first positional arguments (NOT_LITERAL otherwise)
        self.keywords = keywords  # keyword → literal value (NOT_LITERAL when not a literal)
        self.star_kwargs = star_kwargs
        # what a non-literal argument refers to, by position or keyword: the qualified name of
        # the call that made it (``cfg = AutoMLConfig(...)``; ``submit(cfg)`` → ``...AutoMLConfig``)
        # or of a module attribute, else the dotted name as written (``metrics=error_rate``)
        self.refs = refs
        self.in_loop = in_loop  # written inside a for or while loop's body

    def ref(self, key: int | str) -> str | None:
        return self.refs.get(key) if self.refs else None

    @property
    def last(self) -> str:
        return self.name.rsplit(".", 1)[-1]

    def kw(self, key: str, default: Any = None) -> Any:
        v = self.keywords.get(key, default)
        return default if v is NOT_LITERAL else v


class Literal(Value):
    __slots__ = ("cell", "line", "value")

    def __init__(self, value: str, cell: int, line: int) -> None:
        self.value = value
        self.cell = cell
        self.line = line


#: a key a cell read while it was not in the table
ABSENT: Any = type("Absent", (), {"__repr__": lambda self: "<absent>"})()


class Watched(dict):
    """A name table that notes, for the cell being scanned, what the cell depends on: the value
    each key had when the cell first read it (unless the cell wrote it first), and the keys the
    cell wrote. Only ``get``, item assignment and ``pop`` are used on these tables."""

    __slots__ = ("reads", "writes")

    def __init__(self) -> None:
        super().__init__()
        self.reads: dict[str, Any] = {}
        self.writes: set[str] = set()

    def get(self, key, default=None):
        if key not in self.reads and key not in self.writes:
            self.reads[key] = dict.get(self, key, ABSENT)
        return dict.get(self, key, default)

    def __setitem__(self, key, value) -> None:
        self.writes.add(key)
        dict.__setitem__(self, key, value)

    def pop(self, key, *default):
        self.writes.add(key)
        return dict.pop(self, key, *default)


class CodeIndex(Value):
    """Everything the fact extractors read, for a whole notebook."""

    __slots__ = ("assigned", "calls", "consts", "imports", "names", "strings")

    def __init__(
        self,
        imports: list[Import] | None = None,
        calls: list[Call] | None = None,
        strings: list[Literal] | None = None,
        assigned: list[tuple[str, Any, int, int]] | None = None,
        names: dict[str, str] | None = None,
        consts: dict[str, Any] | None = None,
    ) -> None:
        self.imports = [] if imports is None else imports
        self.calls = [] if calls is None else calls
        self.strings = [] if strings is None else strings
        self.assigned = [] if assigned is None else assigned  # (target, literal, cell, line)
        self.names = Watched() if names is None else names
        self.consts = Watched() if consts is None else consts


class CellScan(Frozen):
    """What scanning one cell read from the name tables and added to the index.

    Scanning is a pure function of the cell's code and of the ``reads`` (aliases and constants
    the cell looked up, with the values they had), so a later review whose tables hold the same
    values for those keys can :meth:`Scanner.replay` the scan instead of walking the code again.
    """

    __slots__ = ("assigned", "calls", "cell", "imports", "reads", "strings", "writes")

    def __init__(
        self,
        cell: int,
        reads: tuple[tuple[tuple[str, Any], ...], tuple[tuple[str, Any], ...]],
        writes: tuple[tuple[tuple[str, Any], ...], tuple[tuple[str, Any], ...]],
        imports: tuple[Import, ...],
        calls: tuple[Call, ...],
        strings: tuple[Literal, ...],
        assigned: tuple[tuple[str, Any, int, int], ...],
    ) -> None:
        self._set(
            cell=cell,
            reads=reads,  # names, consts
            writes=writes,  # final values
            imports=imports,
            calls=calls,
            strings=strings,
            assigned=assigned,
        )

    def with_reads(self, consts: dict[str, Any]) -> CellScan:
        """This scan, depending also on these constants (read by the cell's shell lines)."""
        return CellScan(
            self.cell,
            _merge_reads(self.reads, consts),
            self.writes,
            self.imports,
            self.calls,
            self.strings,
            self.assigned,
        )


#: the ref of an argument whose literal value came from a constant assigned earlier
CONST_REF = "const:"


def _const_ref(node: ast.AST) -> str | None:
    return CONST_REF + node.id if type(node) is ast.Name else None


def _merge_reads(reads: tuple, extra: dict[str, Any]) -> tuple:
    names, consts = reads
    known = {k for k, _ in consts}
    return names, (*consts, *((k, v) for k, v in extra.items() if k not in known))


def same_value(a: Any, b: Any) -> bool:
    """Equal and of the same types throughout (``1`` is not ``True``; ``[1]`` is not ``(1,)``)."""
    if a is b:
        return True
    if type(a) is not type(b):
        return False
    if type(a) is list:
        return len(a) == len(b) and all(same_value(x, y) for x, y in zip(a, b))
    if type(a) is dict:
        return list(a) == list(b) and all(same_value(a[k], b[k]) for k in a)
    return a == b


_KEEP = (ast.Call, ast.Import, ast.ImportFrom, ast.Assign)
_LOOPS = (ast.For, ast.AsyncFor, ast.While)
#: the fields of a loop that are its body: a call in them runs once per iteration
_LOOP_BODIES = frozenset({"body", "orelse"})


class LoopedCall:
    """Tags, in :func:`interesting_nodes`' output, a call written inside a loop's body."""


#: argument nodes whose origin a :class:`Call` remembers in ``refs``
_REF_NODES = frozenset({ast.Name, ast.Attribute, ast.Call, ast.Subscript})


def interesting_nodes(tree: ast.Module) -> tuple[tuple[type, ast.AST], ...]:
    """The nodes the scanner reads, in statement order (one walk of the tree).

    Each statement is walked as :func:`ast.walk` does (breadth first), each node carrying whether
    it lies in a loop's body (a call there is tagged :class:`LoopedCall`), so loop bodies are
    walked once; only the fields that can hold nodes are read (:func:`_node_fields`). The result
    depends only on the tree, so callers cache it with the cell: replaying it is far cheaper than
    walking the AST again on every review of an edited notebook.
    """
    out: list[tuple[type, ast.AST]] = []
    append = out.append
    node_type = ast.AST
    fields_of = _FIELDS
    for stmt in tree.body:
        todo = deque(((stmt, False),))
        pop, push = todo.popleft, todo.append
        while todo:
            node, looped = pop()
            t = type(node)
            fields = fields_of.get(t)
            if fields is None:
                fields = fields_of[t] = _node_fields(t)
            loop = t in _LOOPS
            for name in fields:
                value = getattr(node, name, None)
                inner = looped or (loop and name in _LOOP_BODIES)
                if type(value) is list:
                    for item in value:
                        if isinstance(item, node_type):
                            push((item, inner))
                elif isinstance(value, node_type):
                    push((value, inner))
            if t in _KEEP:
                append((LoopedCall if looped and t is ast.Call else t, node))
            elif t in _KEEP_SOME and _kept(t, node):
                append((t, node))
    return tuple(out)


#: fields of the AST's node classes that hold names, numbers or flags, never nodes (and ``ctx``,
#: the Load/Store marker, which holds nothing the scanner reads)
_NOT_NODES = frozenset(
    {
        "ctx",
        "id",
        "attr",
        "arg",
        "name",
        "module",
        "level",
        "kind",
        "type_comment",
        "asname",
        "is_async",
        "conversion",
        "simple",
    }
)
#: node class -> the fields :func:`interesting_nodes` reads (filled on first sight)
_FIELDS: dict[type, tuple[str, ...]] = {}


def _node_fields(t: type) -> tuple[str, ...]:
    """The fields of node class ``t`` that may hold nodes (a constant holds none)."""
    if t is ast.Constant:
        return ()
    return tuple(f for f in t._fields if f not in _NOT_NODES)


_KEEP_SOME = frozenset({ast.Constant, ast.AnnAssign, ast.withitem})


def _kept(t: type, node) -> bool:
    """Texts of a useful length, annotated assignments with a value, ``with ... as`` items."""
    if t is ast.Constant:
        v = node.value
        return type(v) is str and 3 <= len(v) <= 2048
    if t is ast.AnnAssign:
        return node.value is not None
    return node.optional_vars is not None


class Scanner:
    """Feeds cells in notebook order into one :class:`CodeIndex`."""

    def __init__(self) -> None:
        self.index = CodeIndex()

    def add(self, tree: ast.Module | tuple, cell: int, line_offset: int = 0) -> None:
        """Feed one cell: its module AST, or the node list :func:`interesting_nodes` made of it."""
        nodes = tree if isinstance(tree, tuple) else interesting_nodes(tree)
        index = self.index
        names = index.names
        off = line_offset
        for t, node in nodes:
            if t is ast.Call or t is LoopedCall:
                self._call(node, cell, off, t is LoopedCall)
            elif t is ast.Constant:
                index.strings.append(Literal(node.value, cell, node.lineno + off))
            elif t is ast.Import:
                for a in node.names:
                    alias = a.asname or a.name.split(".")[0]
                    names[alias] = a.name if a.asname else a.name.split(".")[0]
                    index.imports.append(Import(a.name, None, alias, cell, node.lineno + off))
            elif t is ast.ImportFrom:
                mod = ("." * node.level) + (node.module or "")
                for a in node.names:
                    if a.name == "*":
                        index.imports.append(Import(mod, None, "*", cell, node.lineno + off))
                        names[STAR] = mod  # unknown bare names may come from it
                        continue
                    alias = a.asname or a.name
                    names[alias] = f"{mod}.{a.name}"
                    index.imports.append(Import(mod, a.name, alias, cell, node.lineno + off))
            elif t is ast.Assign:
                self._assign(node.targets, node.value, cell, node.lineno + off)
            elif t is ast.AnnAssign:
                self._assign([node.target], node.value, cell, node.lineno + off)
            elif t is ast.withitem:
                self._assign(
                    [node.optional_vars],
                    node.context_expr,
                    cell,
                    getattr(node.context_expr, "lineno", 0) + off,
                )

    def scan(self, nodes: tuple, cell: int, line_offset: int = 0) -> CellScan:
        """:meth:`add` one cell (its :func:`interesting_nodes`) and return what it read and added."""
        index = self.index
        names, consts = index.names, index.consts
        for table in (names, consts):
            table.reads = {}
            table.writes = set()
        start = (len(index.imports), len(index.calls), len(index.strings), len(index.assigned))
        self.add(nodes, cell, line_offset)
        return CellScan(
            cell,
            (tuple(names.reads.items()), tuple(consts.reads.items())),
            (
                tuple((k, dict.get(names, k, ABSENT)) for k in sorted(names.writes)),
                tuple((k, dict.get(consts, k, ABSENT)) for k in sorted(consts.writes)),
            ),
            tuple(index.imports[start[0] :]),
            tuple(index.calls[start[1] :]),
            tuple(index.strings[start[2] :]),
            tuple(index.assigned[start[3] :]),
        )

    def can_replay(self, scan: CellScan) -> bool:
        """Do the name tables hold, for every key ``scan`` read, the value it read then?"""
        for table, reads in zip((self.index.names, self.index.consts), scan.reads):
            for key, value in reads:
                if not same_value(dict.get(table, key, ABSENT), value):
                    return False
        return True

    def replay(self, scan: CellScan, cell: int) -> CellScan:
        """Add a scan again (as cell ``cell``) without reading the code; returns it as added."""
        index = self.index
        for table, writes in zip((index.names, index.consts), scan.writes):
            for key, value in writes:
                if value is ABSENT:
                    dict.pop(table, key, None)
                else:
                    dict.__setitem__(table, key, value)
        if cell != scan.cell:
            scan = CellScan(
                cell,
                scan.reads,
                scan.writes,
                tuple(Import(i.module, i.name, i.alias, cell, i.line) for i in scan.imports),
                tuple(
                    Call(c.name, cell, c.line, c.args, c.keywords, c.star_kwargs, c.refs, c.in_loop)
                    for c in scan.calls
                ),
                tuple(Literal(x.value, cell, x.line) for x in scan.strings),
                tuple((t, v, cell, line) for t, v, _, line in scan.assigned),
            )
        index.imports.extend(scan.imports)
        index.calls.extend(scan.calls)
        index.strings.extend(scan.strings)
        index.assigned.extend(scan.assigned)
        return scan

    def _assign(self, targets, value, cell: int, line: int) -> None:
        names, consts = self.index.names, self.index.consts
        vt = type(value)
        for target in targets:
            if type(target) is not ast.Name:
                if (
                    type(target) in (ast.Tuple, ast.List)
                    and vt in (ast.Tuple, ast.List)
                    and len(target.elts) == len(value.elts)
                ):
                    for t, v in zip(target.elts, value.elts):
                        self._assign([t], v, cell, line)
                elif type(target) is ast.Subscript and type(target.value) is ast.Name:
                    self._assign_item(target, value, cell, line)
                continue
            name = target.id
            if vt is ast.Call:
                q = self._made_by(value)
                if q and not q.startswith("."):
                    names[name] = q + INSTANCE  # what the call made: calling it is `q.__call__`
                else:
                    names.pop(name, None)
                consts.pop(name, None)
            elif vt in (ast.Name, ast.Attribute):
                q = names.get(value.id) if vt is ast.Name else self.qualname(value)
                if q and not q.startswith("."):
                    names[name] = q
                else:
                    names.pop(name, None)
                lit = self.literal(value)
                if lit is not NOT_LITERAL:
                    consts[name] = lit
            else:
                names.pop(name, None)
                lit = self.literal(value)
                if lit is not NOT_LITERAL:
                    consts[name] = lit
                    self.index.assigned.append((name, lit, cell, line))
                else:
                    consts.pop(name, None)

    def _assign_item(self, target: ast.Subscript, value, cell: int, line: int) -> None:
        """``hub["HF_MODEL_ID"] = "bert-base-uncased"``: one literal key of a settings dict,
        noted as a one-key dict assigned to ``hub[]``."""
        key, lit = self.literal(target.slice), self.literal(value)
        if isinstance(key, str) and isinstance(lit, str):
            self.index.assigned.append((f"{target.value.id}[]", {key: lit}, cell, line))

    def _call(self, node: ast.Call, cell: int, off: int, in_loop: bool = False) -> None:
        name = self.qualname(node.func)
        if not name or name in (
            "get_ipython.run_line_magic",
            "get_ipython.run_cell_magic",
            "get_ipython.system",
            "get_ipython.getoutput",
        ):
            return
        literal = self.literal
        args = []
        refs: dict[int | str, str] | None = None
        for i, a in enumerate(node.args[:4]):
            value = literal(a)
            args.append(value)
            if type(a) in _REF_NODES:
                ref = self._ref(a) if value is NOT_LITERAL else _const_ref(a)
                if ref:
                    refs = refs or {}
                    refs[i] = ref
        keywords: dict[str, Any] = {}
        star = False
        for kw in node.keywords:
            if kw.arg is None:
                star = True
                continue
            value = keywords[kw.arg] = literal(kw.value)
            if type(kw.value) in _REF_NODES:
                ref = self._ref(kw.value) if value is NOT_LITERAL else _const_ref(kw.value)
                if ref:
                    refs = refs or {}
                    refs[kw.arg] = ref
            elif type(kw.value) in (ast.List, ast.Tuple) and NOT_LITERAL in value:
                # functions or objects named in a list (`metrics=[masked_accuracy]`): under
                # "<keyword>[]", joined by commas
                named = [
                    self._ref(e) for e in kw.value.elts[:16] if type(e) in (ast.Name, ast.Attribute)
                ]
                if any(named):
                    refs = refs or {}
                    refs[f"{kw.arg}[]"] = ",".join(n for n in named if n)
        self.index.calls.append(
            Call(name, cell, node.lineno + off, args, keywords, star, refs, in_loop)
        )

    def _ref(self, node: ast.AST) -> str | None:
        """What an argument refers to: the qualified name of its origin, or the dotted name."""
        q = self._receiver(node)
        if q:
            return q
        parts = []
        while type(node) is ast.Attribute and len(parts) < 4:
            parts.append(node.attr)
            node = node.value
        if type(node) is ast.Name:
            parts.append(node.id)
            return ".".join(reversed(parts))
        return None

    # ------------------------------------------------------------------ resolution
    def qualname(self, node: ast.AST) -> str | None:
        t = type(node)
        if t is ast.Name:
            q = self.index.names.get(node.id) or self._starred(node.id) or node.id
            return f"{q[:-2]}.__call__" if q.endswith(INSTANCE) else q
        if t is ast.Attribute:
            base = self._receiver(node.value)
            if base:
                return f"{base}.{node.attr}"
            chain = [node.attr]
            inner = node.value
            while type(inner) is ast.Attribute and len(chain) < 4:
                chain.append(inner.attr)
                inner = inner.value
            if type(inner) is ast.Call:
                # a reader built up on an unknown session (`spark.read.option(...).csv(path)`)
                # keeps what it reads with: ".read.option.csv"
                made = self.qualname(inner.func)
                if made and made.startswith(".") and _READER_CHAIN.search(made):
                    return made + "." + ".".join(reversed(chain))
            # `spark.read.csv` on an unknown `spark` is ".read.csv": the attributes a reader sees
            return "." + ".".join(reversed(chain))
        if t is ast.Call:
            return self.qualname(node.func)
        if t is ast.Subscript:
            return self.qualname(node.value)
        return None

    def _starred(self, name: str) -> str | None:
        """``from fastai.vision.all import *`` then ``untar_data(...)``: a function called by a
        name neither assigned, imported nor built in is taken from the module imported with
        ``*`` (only a called name: an unknown object's methods stay unknown)."""
        if name in _BUILTINS:
            return None
        star = self.index.names.get(STAR)
        return f"{star}.{name}" if star else None

    def _receiver(self, node: ast.AST) -> str | None:
        t = type(node)
        if t is ast.Name:
            q = self.index.names.get(node.id)
            return q[:-2] if q and q.endswith(INSTANCE) else q
        if t is ast.Attribute:
            base = self._receiver(node.value)
            return f"{base}.{node.attr}" if base else None
        if t is ast.Call:
            q = self._made_by(node)
            return q if q and not q.startswith(".") else None
        if t is ast.Subscript:
            return self._receiver(node.value)
        return None

    def _made_by(self, node: ast.Call) -> str | None:
        """What a call makes, by name; an AWS SDK client or resource names its service as well
        (``boto3.client("firehose")`` makes ``boto3.client.firehose``): its ``put_record`` is
        Firehose's, not a feature store's."""
        q = self.qualname(node.func)
        if (
            q
            and q.rsplit(".", 1)[-1] in ("client", "resource")
            and (q.startswith("boto3") or "boto_session" in q or "Session" in q)
        ):
            service = self.literal(node.args[0]) if node.args else None
            if service is None or service is NOT_LITERAL:
                kw = next((k for k in node.keywords if k.arg == "service_name"), None)
                service = self.literal(kw.value) if kw is not None else None
            if isinstance(service, str) and service and "." not in service:
                return f"{q}.{service}"
        return q

    def _placeholder(self, node: ast.AST) -> str:
        label = ast.unparse(node)
        return "{" + label[:40] + "}"

    def _format(self, template: str, node: ast.Call) -> Any:
        """``"s3://{}/{}".format(bucket, prefix)``: known arguments filled in, others as ``{expr}``."""
        from string import Formatter

        args = list(node.args)
        kwargs = {k.arg: k.value for k in node.keywords if k.arg}
        out: list[str] = []
        auto = 0
        try:
            for text, field, _spec, _conv in Formatter().parse(template):
                out.append(text)
                if field is None:
                    continue
                head = field.split(".", 1)[0].split("[", 1)[0]
                if head == "":
                    arg = args[auto] if auto < len(args) else None
                    auto += 1
                elif head.isdigit():
                    arg = args[int(head)] if int(head) < len(args) else None
                else:
                    arg = kwargs.get(head)
                if arg is None or head != field:
                    out.append("{" + (field or "?") + "}")
                    continue
                value = self.literal(arg)
                if isinstance(value, (str, int, float)) and not isinstance(value, bool):
                    out.append(str(value))
                else:
                    out.append(self._placeholder(arg))
        except (ValueError, IndexError):
            return NOT_LITERAL
        return "".join(out)

    def literal(self, node: ast.AST) -> Any:
        """The value of a literal expression, strings with ``{name}`` for unknown parts; else NOT_LITERAL."""
        t = type(node)
        if t is ast.Constant:
            v = node.value
            if type(v) is float and v - v != 0:  # inf and nan (1e999): no JSON for them
                return NOT_LITERAL
            return v if isinstance(v, LITERAL_CONSTANTS) else NOT_LITERAL
        if t is ast.Name:
            return self.index.consts.get(node.id, NOT_LITERAL)
        if t in (ast.List, ast.Tuple, ast.Set):  # a set (`{"multi_error"}`) read as a list
            return [self.literal(e) for e in node.elts[:32]]
        if t is ast.UnaryOp and type(node.op) is ast.USub and type(node.operand) is ast.Constant:
            v = node.operand.value
            return -v if isinstance(v, (int, float)) else NOT_LITERAL
        if (
            t is ast.Subscript
            and type(node.value) is ast.Call
            and node.value.args
            and self.qualname(node.value.func) in ("glob.glob", "glob.iglob")
        ):
            # `glob.glob(os.path.join(folder, "**/train.gz"), recursive=True)[0]`: a file the
            # pattern matches, known by the pattern
            pattern = self.literal(node.value.args[0])
            return pattern if isinstance(pattern, str) else NOT_LITERAL
        other = _LITERAL_OF.get(t)
        return NOT_LITERAL if other is None else other(self, node)

    def _literal_fstring(self, node: ast.JoinedStr) -> Any:
        parts = []
        for v in node.values:
            if type(v) is ast.Constant:
                parts.append(str(v.value))
            elif type(v) is ast.FormattedValue:
                inner = self.literal(v.value)
                if inner is NOT_LITERAL or isinstance(inner, (list, dict)):
                    label = ast.unparse(v.value)
                    parts.append("{" + label[:40] + "}")
                else:
                    parts.append(str(inner))
        return "".join(parts)

    def _literal_sum(self, node: ast.BinOp) -> Any:
        if type(node.op) is not ast.Add:
            return NOT_LITERAL
        a, b = self.literal(node.left), self.literal(node.right)
        if isinstance(a, str) and isinstance(b, str):
            return a + b
        # "s3://" + bucket: a template, like an f-string's unknown parts
        if isinstance(a, str) and b is NOT_LITERAL and type(node.left) is ast.Constant:
            return a + self._placeholder(node.right)
        if isinstance(b, str) and a is NOT_LITERAL and type(node.right) is ast.Constant:
            return self._placeholder(node.left) + b
        return NOT_LITERAL

    def _literal_call(self, node: ast.Call) -> Any:
        """``"...".format(...)`` and ``os.path.join`` of literals."""
        func = node.func
        if (
            type(func) is ast.Attribute
            and func.attr == "format"
            and type(func.value) is ast.Constant
            and isinstance(func.value.value, str)
        ):
            return self._format(func.value.value, node)
        q = self.qualname(node.func)
        if q in _PATH_OF and len(node.args) == 1 and not node.keywords:
            # `Path("data/train.csv")`, `os.path.expanduser("~/.aws/credentials")`: the path
            inner = self.literal(node.args[0])
            return inner if isinstance(inner, str) else NOT_LITERAL
        if q in ("os.path.join", "posixpath.join", "os.path.join.join") and node.args:
            parts = [self.literal(a) for a in node.args]
            if all(isinstance(p, str) for p in parts):
                return "/".join(p.rstrip("/") for p in parts)
            if isinstance(parts[-1], str) and not any(isinstance(p, (list, dict)) for p in parts):
                # `os.path.join(data_folder, "train.csv")`: a template, like an f-string's
                return "/".join(
                    p.rstrip("/") if isinstance(p, str) else self._placeholder(a)
                    for p, a in zip(parts, node.args)
                )
        return NOT_LITERAL

    def _literal_dict(self, node: ast.Dict) -> Any:
        out = {}
        for k, v in zip(node.keys, node.values):
            key = self.literal(k) if k is not None else NOT_LITERAL
            if isinstance(key, str):
                out[key] = self.literal(v)
        return out


#: a Spark-style reader (``x.read``, ``x.readStream``) being configured before it reads
_READER_CHAIN = re.compile(r"\.read(?:Stream)?(?:\.|$)")


#: calls that return the path they are given (as a path object or normalised)
_PATH_OF = frozenset(
    {
        "pathlib.Path",
        "pathlib.PurePath",
        "os.path.expanduser",
        "os.path.abspath",
        "os.path.normpath",
        "os.fspath",
    }
)


#: the node types whose literal value takes more than a line (see ``Scanner.literal``)
_LITERAL_OF = {
    ast.JoinedStr: Scanner._literal_fstring,
    ast.BinOp: Scanner._literal_sum,
    ast.Call: Scanner._literal_call,
    ast.Dict: Scanner._literal_dict,
}
