"""Safe YAML loading that remembers the line of every value, for ``file:line: pointer`` messages.

Only YAML's safe tags are constructed: a ``!!python/object`` (or any other unsafe tag)
is refused with the line it stands on. Loading is bounded: a text over :data:`MAX_BYTES`, or
whose aliases would expand it to more than :data:`MAX_NODES` values (a "billion laughs"
document of a few hundred bytes), or whose aliases refer to themselves, is refused at once
with the line, before anything walks the expanded data.
"""

from __future__ import annotations

import yaml

from ..values import Value

#: Largest YAML text loaded (the largest file of the built-in lens has 6 KB).
MAX_BYTES = 1 << 20
#: Most values (mappings, sequences, scalars and keys, aliases counted at each use) one
#: document may expand to (the largest built-in file has 283).
MAX_NODES = 50_000

try:  # the C parser is ~10x faster; the Python one is the fallback
    _Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - libyaml missing
    _Loader = yaml.SafeLoader


class _UniqueKeyLoader(_Loader):  # type: ignore[misc, valid-type]
    """SafeLoader that refuses duplicate mapping keys instead of keeping the last one."""

    def construct_mapping(self, node, deep=False):
        seen: dict = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"duplicate key {key!r} (first at line {seen[key] + 1})",
                    key_node.start_mark,
                )
            seen[key] = key_node.start_mark.line
        return super().construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _UniqueKeyLoader.construct_mapping
)


class YamlSyntaxError(Exception):
    """The file is not valid safe YAML; ``line`` is 1-based."""

    def __init__(self, message: str, line: int | None):
        super().__init__(message)
        self.line = line


def escape_pointer_token(token: object) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


def pointer_of(parts) -> str:
    return "".join("/" + escape_pointer_token(p) for p in parts)


class YamlDocument(Value):
    """The data of one YAML file and the 1-based line of every JSON pointer in it."""

    __slots__ = ("data", "lines")

    def __init__(self, data: object, lines: dict[str, int] | None = None) -> None:
        self.data = data
        self.lines = {} if lines is None else lines

    def line_of(self, pointer: str) -> int | None:
        """Line of ``pointer``, or of its nearest parent that has one."""
        while True:
            if pointer in self.lines:
                return self.lines[pointer]
            if not pointer:
                return None
            pointer = pointer.rsplit("/", 1)[0]


def safe_load(text: str):
    """The data of a YAML text, loaded as :func:`load_yaml` loads it (safe tags, bounded)."""
    return load_yaml(text).data


def _children(node) -> list:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _check_expansion(root) -> None:
    """Refuse a node graph whose aliases expand it past :data:`MAX_NODES` or loop on themselves.

    An alias is the anchored node itself, shared: the size of every node is computed once
    (post-order, no recursion), so the check costs the size of the text, not of the expansion.
    """
    size: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[object, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            on_path.discard(key)
            total = 1 + sum(size[id(c)] for c in _children(node))
            size[key] = total
            if total > MAX_NODES:
                raise YamlSyntaxError(
                    f"the aliases of this value expand the document to more than {MAX_NODES} "
                    "values (a 'billion laughs' document): refused; repeat less through aliases",
                    node.start_mark.line + 1,
                )
            continue
        if key in size:
            continue
        if key in on_path:
            raise YamlSyntaxError(
                "an alias refers to the value that contains it (a recursive alias): refused",
                node.start_mark.line + 1,
            )
        on_path.add(key)
        stack.append((node, True))
        stack.extend((c, False) for c in _children(node) if id(c) not in size)


def _index_lines(node, pointer: str, lines: dict[str, int]) -> None:
    lines.setdefault(pointer, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            child = pointer + "/" + escape_pointer_token(key_node.value)
            lines[child] = key_node.start_mark.line + 1
            _index_lines(value_node, child, lines)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _index_lines(item, f"{pointer}/{i}", lines)


def load_yaml(text: str) -> YamlDocument:
    """Parse one YAML document safely; raise :class:`YamlSyntaxError` with the line."""
    if len(text) > MAX_BYTES:
        raise YamlSyntaxError(
            f"the text has {len(text)} characters; YAML of at most {MAX_BYTES} is read", None
        )
    loader = _UniqueKeyLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return YamlDocument(None, {})
        _check_expansion(node)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or str(exc)
        if exc.context and "constructor" in type(exc).__module__:
            problem = f"{exc.context} {problem}".strip()
        raise YamlSyntaxError(_tidy(problem), line) from None
    except yaml.YAMLError as exc:  # pragma: no cover - unmarked errors are rare
        raise YamlSyntaxError(_tidy(str(exc)), None) from None
    finally:
        loader.dispose()
    lines: dict[str, int] = {}
    _index_lines(node, "", lines)
    return YamlDocument(data, lines)


def _tidy(message: str) -> str:
    message = " ".join(message.split())
    if "could not determine a constructor for the tag" in message:
        tag = message.split("tag", 1)[1].strip().strip("'")
        return f"unsafe or unknown YAML tag {tag} (only plain YAML data is allowed in a lens)"
    return message
