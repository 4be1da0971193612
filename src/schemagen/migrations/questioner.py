"""Questions the autodetector cannot answer from the schemas, answered without asking anyone.

Django asks a person whether a field was renamed and what fills a new NOT NULL column; schemagen
answers non-interactively and conservatively: renames are never guessed (only `renamed_from`
declares one), steps that can lose data are refused unless the user accepted data loss, and a
NOT NULL column added to a table with rows needs a default.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from schemagen.migrations import render_py as py
from schemagen.migrations.snapshot import ColumnState


class MigrationRefused(Exception):
    """The schema change needs a decision: every problem, each with what to do."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class Questioner:
    """The answers for an upgrade. `accept_data_loss` is the user's `--accept-data-loss`."""

    accept_data_loss: bool = False
    problems: list[str] = field(default_factory=list)

    def fill_not_null(
        self, table: str, column: ColumnState, enums: dict[str, tuple[str, ...]]
    ) -> tuple[str, str]:
        """What fills the existing rows of a NOT NULL column added without a default."""
        if not self.accept_data_loss:
            self.problems.append(
                f"add column {table}.{column.name}: it is NOT NULL without a default, and the rows already in "
                f"{table} need a value. Give the field a `default` (it fills them) or make it nullable; "
                "--accept-data-loss fills them with a placeholder instead"
            )
        return py.placeholder(
            column, enums
        ), f"No default: existing rows get a placeholder ({py.placeholder(column, enums)})."

    def unsupported(self, problem: str) -> None:
        """A change migrate cannot write; refused whatever the flags."""
        self.problems.append(problem)

    def check(self, steps: list[str]) -> None:
        """Raise MigrationRefused for every problem and, unless accepted, every data-losing step."""
        problems = list(self.problems)
        if steps and not self.accept_data_loss:
            problems += [f"{step} (pass --accept-data-loss to allow it)" for step in steps]
        if problems:
            raise MigrationRefused(problems)


@dataclass
class DowngradeQuestioner(Questioner):
    """A downgrade restores the old schema, not the old data: placeholders where nothing else can fill."""

    accept_data_loss: bool = True

    def fill_not_null(
        self, table: str, column: ColumnState, enums: dict[str, tuple[str, ...]]
    ) -> tuple[str, str]:
        value = py.placeholder(column, enums)
        return (
            value,
            f"The upgrade dropped this column: its values are gone, so existing rows get {value}.",
        )
