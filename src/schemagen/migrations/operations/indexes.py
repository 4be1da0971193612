"""Indexes: on every dialect, or only where they exist (a GIN index on PostgreSQL)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from schemagen import sql as ddl
from schemagen.migrations import render_py as py
from schemagen.migrations.operations.base import (
    ADD_CONSTRAINTS,
    DROP_CONSTRAINTS,
    DUPLICATES,
    Block,
    Operation,
    on_dialects,
)
from schemagen.migrations.snapshot import IndexState


def create_index_lines(table: str, index: IndexState) -> list[str]:
    args = [py.lit(index.name), py.lit(table), py.lit(list(index.columns))]
    args += ddl.index_options(unique=index.unique, where=index.where, using=index.using)
    return on_dialects(index.dialects, [f"op.create_index({', '.join(args)})"])


@dataclass(frozen=True)
class AddIndex(Operation):
    phase: ClassVar[int] = ADD_CONSTRAINTS
    rank: ClassVar[int] = 0
    name: str
    index: IndexState
    recreated: bool = False  # the same index under its old name was dropped: it held already

    @property
    def table(self) -> str:
        return self.name

    def sort_key(self) -> tuple[Any, ...]:
        return (self.index.name,)

    def describe(self) -> str:
        return f"add {'unique ' if self.index.unique else ''}index {self.index.name} on {self.name}"

    def data_loss(self) -> str | None:
        if self.index.unique and not self.recreated:
            return f"unique index {self.index.name} on {self.name} ({', '.join(self.index.columns)}): {DUPLICATES}"
        return None

    def render(self) -> list[Block]:
        return [Block(create_index_lines(self.name, self.index))]


@dataclass(frozen=True)
class DropIndex(Operation):
    phase: ClassVar[int] = DROP_CONSTRAINTS
    rank: ClassVar[int] = 0
    name: str
    index: IndexState
    late: bool = False  # MySQL needs an index on a kept foreign key: drop after the new ones exist

    @property
    def table(self) -> str:
        return self.name

    def sort_key(self) -> tuple[Any, ...]:
        return (self.index.name,)

    def describe(self) -> str:
        return f"drop index {self.index.name} on {self.name}"

    def render(self) -> list[Block]:
        drop = f"op.drop_index({py.lit(self.index.name)}, table_name={py.lit(self.name)})"
        return [Block(on_dialects(self.index.dialects, [drop]))]
