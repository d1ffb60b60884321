"""Errors of jupyter-wellml. Each carries where the problem is, so every surface can say it."""

from __future__ import annotations

from .values import Frozen


class WellMLError(Exception):
    """Base class: a problem the user can fix, with a message naming what and where."""


class LensIssue(Frozen):
    """One problem found while loading a lens: ``file:line: pointer: message``."""

    __slots__ = ("line", "message", "path", "pointer", "severity")

    def __init__(
        self, path: str, line: int | None, pointer: str, message: str, severity: str = "error"
    ) -> None:
        self._set(
            path=path,
            line=line,
            pointer=pointer,
            message=message,
            severity=severity,  # "error" (the item was skipped) or "warning"
        )

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        pointer = self.pointer or "/"
        return f"{where}: {pointer}: {self.message}"

    def to_json(self) -> dict:
        return {
            "path": self.path,
            "line": self.line,
            "pointer": self.pointer,
            "message": self.message,
            "severity": self.severity,
            "text": str(self),
        }


class LensError(WellMLError):
    """A lens could not be loaded at all (every issue is listed)."""

    def __init__(self, issues: list[LensIssue]):
        self.issues = list(issues)
        super().__init__("\n".join(str(i) for i in self.issues))


class UnknownPracticeError(WellMLError, KeyError):
    """A practice id that names no practice (or more than one)."""

    def __init__(self, message: str, candidates: tuple = ()):
        self.candidates = candidates
        super().__init__(message)

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


class NotebookError(WellMLError):
    """A notebook that cannot be read, with the reason and where."""

    def __init__(self, message: str, path: str | None = None):
        self.path = path
        super().__init__(f"{path}: {message}" if path else message)
        self.reason = message


class RecordError(WellMLError):
    """A record that does not fit record.v1, naming the field and what is accepted."""


class WorkloadError(WellMLError):
    """A workload that cannot be reviewed (its file, a notebook it lists, a milestone), in one line."""
