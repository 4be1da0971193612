"""Errors as values: every problem is a Diagnostic, collected and reported together."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

Path_ = tuple[str | int, ...]


@dataclass(frozen=True, slots=True, order=True)
class Diagnostic:
    """One problem in one file, located as precisely as the format allows."""

    file: str
    line: int | None = None
    column: int | None = None
    path: Path_ = ()
    message: str = ""
    level: str = "error"

    @property
    def key_path(self) -> str:
        return format_key_path(self.path)

    def location(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return where

    def __str__(self) -> str:
        key = f" {self.key_path}:" if self.path else ""
        return f"{self.location()}:{key} {self.message}"

    def as_json(self) -> dict[str, object]:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "path": self.key_path,
            "message": self.message,
            "level": self.level,
        }


@dataclass
class Diagnostics:
    """A collector that keeps every problem, in a stable order."""

    items: list[Diagnostic] = field(default_factory=list)

    def add(self, diagnostic: Diagnostic) -> None:
        self.items.append(diagnostic)

    def extend(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.items.extend(diagnostics)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.level == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if d.level == "warning"]

    def sorted(self) -> list[Diagnostic]:
        # Unique and stable: the same input gives the same report.
        return sorted(
            set(self.items), key=lambda d: (d.file, d.line or 0, d.column or 0, d.message)
        )

    def __bool__(self) -> bool:
        return bool(self.errors)


class SchemaError(Exception):
    """The schemas are invalid; carries every diagnostic found."""

    def __init__(self, diagnostics: Sequence[Diagnostic]):
        self.diagnostics = list(diagnostics)
        super().__init__(f"{len(self.diagnostics)} error(s)")


class UsageError(Exception):
    """A user mistake outside the schemas (missing project, bad flag value, existing file)."""

    def __init__(self, message: str, exit_code: int = 1):
        self.exit_code = exit_code
        super().__init__(message)


def format_key_path(path: Path_) -> str:
    """`('fields', 'name', 'type')` -> `fields.name.type`; list indexes as `[0]`."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A ` did you mean 'x'?` suffix, or an empty string when nothing is close."""
    close = difflib.get_close_matches(str(word), sorted(set(choices)), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""
