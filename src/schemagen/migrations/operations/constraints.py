"""Constraints: unique, check and foreign key, added and dropped by one operation each.

A foreign key is dropped before anything else and added after everything else (every step in
between sees no key that could stop it); uniques and checks go with the other constraints.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from schemagen.migrations import render_py as py
from schemagen.migrations.operations.base import (
    ADD_CONSTRAINTS,
    ADD_FOREIGN_KEYS,
    DROP_CONSTRAINTS,
    DROP_FOREIGN_KEYS,
    DUPLICATES,
    Block,
    Operation,
)
from schemagen.migrations.snapshot import CheckState, ForeignKeyState, UniqueState

Constraint = UniqueState | CheckState | ForeignKeyState
Kind = Literal["unique", "check", "foreign key"]
# Order among a table's constraint steps in one phase: indexes (0) come before uniques and checks.
_RANK: dict[Kind, int] = {"unique": 1, "check": 2, "foreign key": 0}
# What `describe` calls it, and `batch_op.drop_constraint`'s type_.
_NOUN: dict[Kind, str] = {
    "unique": "unique constraint",
    "check": "check",
    "foreign key": "foreign key",
}
_TYPE: dict[Kind, str] = {"unique": "unique", "check": "check", "foreign key": "foreignkey"}


def kind_of(constraint: Constraint) -> Kind:
    if isinstance(constraint, UniqueState):
        return "unique"
    if isinstance(constraint, CheckState):
        return "check"
    return "foreign key"


def _name(constraint: Constraint) -> str:
    """The constraint's name as a revision spells it: a check's through op.f(), as the models'
    naming convention would prefix it a second time otherwise."""
    name = py.lit(constraint.name)
    return f"op.f({name})" if isinstance(constraint, CheckState) else name


@dataclass(frozen=True)
class AddConstraint(Operation):
    name: str  # the table
    constraint: Constraint
    # The rows hold it already: it replaces the same constraint under another name (the table or
    # a column was renamed), or its table is new. No warning, no data-loss question.
    holds: bool = False

    @property
    def kind(self) -> Kind:
        return kind_of(self.constraint)

    @property
    def phase(self) -> int:  # type: ignore[override]
        return ADD_FOREIGN_KEYS if self.kind == "foreign key" else ADD_CONSTRAINTS

    @property
    def rank(self) -> int:  # type: ignore[override]
        return _RANK[self.kind]

    @property
    def table(self) -> str:
        return self.name

    def sort_key(self) -> tuple[Any, ...]:
        return (self.constraint.name,)

    def describe(self) -> str:
        return f"add {_NOUN[self.kind]} {self.constraint.name} on {self.name}"

    def data_loss(self) -> str | None:
        c = self.constraint
        if isinstance(c, UniqueState) and not self.holds:
            return f"unique {c.name} on {self.name} ({', '.join(c.columns)}): {DUPLICATES}"
        return None

    def warnings(self) -> list[str]:
        c = self.constraint
        if self.holds or isinstance(c, UniqueState):
            return []
        if isinstance(c, CheckState):
            return [
                f"check {c.name} on {self.name}: existing rows that break it stop the upgrade before it changes anything"
            ]
        return [
            f"foreign key {c.name} on {self.name}: values of {', '.join(c.columns)} with no row in {c.target_table} stop the upgrade before it changes anything"
        ]

    def render(self) -> list[Block]:
        c = self.constraint
        if isinstance(c, UniqueState):
            call = f"batch_op.create_unique_constraint({_name(c)}, {py.lit(list(c.columns))})"
        elif isinstance(c, CheckState):
            call = f"batch_op.create_check_constraint({_name(c)}, sa.text({py.sql_text(c.expr)}))"
        else:
            args = [
                _name(c),
                py.lit(c.target_table),
                py.lit(list(c.columns)),
                py.lit(list(c.target_columns)),
                f"ondelete={py.lit(c.on_delete)}",
            ]
            call = f"batch_op.create_foreign_key({', '.join(args)})"
        return [Block([call], batch=self.name)]


@dataclass(frozen=True)
class DropConstraint(Operation):
    name: str  # the table
    constraint: Constraint
    late: bool = (
        False  # MySQL backs a kept foreign key with this unique: dropped after its successor
    )

    @property
    def kind(self) -> Kind:
        return kind_of(self.constraint)

    @property
    def phase(self) -> int:  # type: ignore[override]
        return DROP_FOREIGN_KEYS if self.kind == "foreign key" else DROP_CONSTRAINTS

    @property
    def rank(self) -> int:  # type: ignore[override]
        return _RANK[self.kind]

    @property
    def table(self) -> str:
        return self.name

    def sort_key(self) -> tuple[Any, ...]:
        return (self.constraint.name,)

    def describe(self) -> str:
        return f"drop {_NOUN[self.kind]} {self.constraint.name} on {self.name}"

    def render(self) -> list[Block]:
        drop = f'batch_op.drop_constraint({_name(self.constraint)}, type_="{_TYPE[self.kind]}")'
        return [Block([drop], batch=self.name)]


def foreign_key_constraint(fk: ForeignKeyState) -> str:
    """`sa.ForeignKeyConstraint(...)` inside create_table."""
    remote = [f"{fk.target_table}.{c}" for c in fk.target_columns]
    return f"sa.ForeignKeyConstraint({py.lit(list(fk.columns))}, {py.lit(remote)}, ondelete={py.lit(fk.on_delete)}, name={py.lit(fk.name)})"
