"""Small value classes: fields in ``__slots__``, set by a plain ``__init__``.

:class:`Value` adds what a dataclass would (equality and ``repr`` from the fields, and
:meth:`Value.replace`); :class:`Frozen` also refuses to change a field once set, and hashes.

Why not :mod:`dataclasses`: every dataclass is built at import time by generating and compiling
its methods. The ~30 classes that the review engine and the catalog define cost about 25 ms at
each start (importing :mod:`dataclasses`, which imports :mod:`inspect`, included), a third of a
one-notebook ``jupyter wellml review`` run. Plain classes cost nothing to define.
"""

from __future__ import annotations

from typing import Any


class Value:
    """Equality, ``repr`` and :meth:`replace` from the fields named in ``__slots__``.

    Subclasses list their fields in ``__slots__`` and set them all in ``__init__``, whose
    parameters have the same names; a slot whose name starts with ``_`` is not a field (a value
    derived from the fields, say). ``_compare`` (default: every field) names the fields that
    equality looks at. Instances of a :class:`Value` that is not :class:`Frozen` are not hashable,
    as with a dataclass that is not frozen.
    """

    __slots__ = ()
    _compare: tuple[str, ...] | None = None

    def _fields(self) -> list[str]:
        return [name for name in self.__slots__ if name[0] != "_"]

    def _key(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in (self._compare or self._fields()))

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._key() == other._key()  # type: ignore[attr-defined]

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        inner = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._fields())
        return f"{type(self).__name__}({inner})"

    def replace(self, **changes: Any):
        """A copy with ``changes`` applied (like :func:`dataclasses.replace`)."""
        values = {name: getattr(self, name) for name in self._fields()}
        unknown = set(changes) - set(values)
        if unknown:
            raise TypeError(f"{type(self).__name__} has no field {sorted(unknown)[0]!r}")
        values.update(changes)
        return type(self)(**values)


def _rebuild(cls: type, fields: dict[str, Any]) -> Any:
    return cls(**fields)


class Frozen(Value):
    """A :class:`Value` whose fields cannot change: ``__init__`` sets them all at once with
    :meth:`_set`, and assignment is refused afterwards. Hashable, and picklable through
    ``__init__``."""

    __slots__ = ()

    def _set(self, **fields: Any) -> None:
        """Set fields (only from ``__init__``)."""
        for name, value in fields.items():
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable: cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable: cannot delete {name!r}")

    def __hash__(self) -> int:
        return hash(self._key())

    def __reduce__(self) -> tuple[Any, ...]:
        return _rebuild, (type(self), {name: getattr(self, name) for name in self._fields()})
