"""Questions the autodetector cannot answer from the schemas, answered without asking anyone.

Django asks a person whether a field was renamed and what fills a new NOT NULL column; schemagen
answers non-interactively and conservatively: renames are never guessed (only `renamed_from`
declares one), steps that can lose data are refused unless the user accepted data loss, and a
column that becomes NOT NULL on a table with rows needs a `backfill:` or a default. No
placeholder ever goes into a foreign key: it would point at no row.
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


@dataclass(frozen=True)
class Subject:
    """The column a question is about, as the user knows it: resource and field, table and column."""

    resource: str
    field: str
    table: str
    column: ColumnState
    target: str | None = None  # a relation's target table: no placeholder can point into it

    def __str__(self) -> str:
        return f"resource {self.resource}, field {self.field} ({self.table}.{self.column.name})"


@dataclass
class Questioner:
    """The answers for an upgrade. `accept_data_loss` is the user's `--accept-data-loss`.

    Existing rows of a column that becomes NOT NULL (added, or tightened) get the field's
    `backfill:` or its default; the autodetector asks here only when the schema gives neither."""

    accept_data_loss: bool = False
    problems: list[str] = field(default_factory=list)
    accepted: list[str] = field(default_factory=list)  # the answers --accept-data-loss gave

    def fill_not_null(
        self, subject: Subject, enums: dict[str, tuple[str, ...]], *, added: bool
    ) -> tuple[str | None, str | None]:
        """What fills the existing rows: a Python expression and a comment saying where it comes
        from, or (None, None): no value, and a precheck stops the upgrade if any row needs one."""
        if subject.target is not None:
            if self.accept_data_loss:
                self.accepted.append(f"{subject}: no placeholder; {_relation_stop(subject, added)}")
            else:
                self.problems.append(_relation_problem(subject, added))
            return None, None
        placeholder = py.placeholder(subject.column, enums)
        what = "existing rows get" if added else "rows holding NULL get"
        if self.accept_data_loss:
            self.accepted.append(f"{subject}: {what} the placeholder {placeholder}")
        else:
            self.problems.append(_column_problem(subject, added, placeholder))
        return placeholder, f"No backfill or default: {what} a placeholder ({placeholder})."

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


def _column_problem(subject: Subject, added: bool, placeholder: str) -> str:
    table = subject.table
    if added:
        why = (
            f"a new NOT NULL column without a default, and the rows already in {table} need a value"
        )
        rows = "existing rows"
    else:
        why = "it becomes NOT NULL, and rows holding NULL would make the upgrade fail"
        rows = "rows holding NULL"
    return (
        f"{subject}: {why}. Give the field `backfill: <value>` for them (or a `default`), or keep "
        f"it optional; --accept-data-loss gives {rows} the placeholder {placeholder} instead"
    )


def _relation_stop(subject: Subject, added: bool) -> str:
    if added:
        return f"the upgrade stops, changing nothing, while {subject.table} has rows"
    return f"the upgrade stops, changing nothing, while a row of {subject.table} holds NULL in {subject.column.name}"


def _relation_problem(subject: Subject, added: bool) -> str:
    table, target = subject.table, subject.target
    if added:
        why = f"a new required relation, and the rows already in {table} need a row of {target} to point at"
    else:
        why = "it becomes required, and rows holding NULL would make the upgrade fail"
    return (
        f"{subject}: {why}. Give the field `backfill: <id of an existing row of {target}>`, or keep it "
        f"optional. --accept-data-loss writes no placeholder (it would break the foreign key): "
        f"{_relation_stop(subject, added)}"
    )


@dataclass
class DowngradeQuestioner(Questioner):
    """A downgrade restores the old schema, not the old data: placeholders where nothing else can
    fill, never into a foreign key (a precheck stops the downgrade while rows need one)."""

    accept_data_loss: bool = True

    def fill_not_null(
        self, subject: Subject, enums: dict[str, tuple[str, ...]], *, added: bool
    ) -> tuple[str | None, str | None]:
        if subject.target is not None:
            return None, None
        value = py.placeholder(subject.column, enums)
        if added:
            return (
                value,
                f"The upgrade dropped this column: its values are gone, so existing rows get {value}.",
            )
        return value, f"Rows holding NULL get a placeholder ({value})."
