"""Safe YAML loading that remembers the line of every value, for ``file:line: pointer`` messages.

Only YAML's safe tags are constructed: a ``!!python/object`` (or any other unsafe tag)
is refused with the line it stands on.
"""

from __future__ import annotations

import yaml

from ..values import Value

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
    loader = _UniqueKeyLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return YamlDocument(None, {})
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
