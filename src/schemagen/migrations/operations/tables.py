"""Tables: create, drop, rename, comment, primary key."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from schemagen import sql as ddl
from schemagen.literals import sql_identifier
from schemagen.migrations import render_py as py
from schemagen.migrations.operations.base import (
    ALTER_TABLES,
    CREATE_TABLES,
    DROP_TABLES,
    RENAME_TABLES,
    Block,
    Enums,
    Operation,
    execute_sql,
    on_postgresql,
)
from schemagen.migrations.operations.constraints import foreign_key_constraint
from schemagen.migrations.operations.indexes import create_index_lines
from schemagen.migrations.snapshot import TableState


@dataclass(frozen=True)
class CreateTable(Operation):
    phase: ClassVar[int] = CREATE_TABLES
    state: TableState
    enums: Enums = field(compare=False)
    deferred: frozenset[str] = frozenset()  # foreign keys added later (AddForeignKey): cycles
    order: int = 0  # position among the new tables: referenced tables first

    @property
    def table(self) -> str:
        return self.state.name

    def sort_key(self) -> tuple[Any, ...]:
        return (self.order,)

    def describe(self) -> str:
        return f"create table {self.table}"

    def render(self) -> list[Block]:
        t = self.state
        args = [py.lit(t.name)]
        args += [py.column(c, self.enums) for c in t.columns]
        args.append(
            f"sa.PrimaryKeyConstraint({', '.join(map(py.lit, t.primary_key))}, name={py.lit(t.primary_key_name)})"
        )
        args += [
            foreign_key_constraint(fk) for fk in t.foreign_keys if fk.name not in self.deferred
        ]
        args += [
            f"sa.UniqueConstraint({', '.join(map(py.lit, u.columns))}, name={py.lit(u.name)})"
            for u in t.uniques
        ]
        args += [
            f"sa.CheckConstraint({py.sql_text(c.expr)}, name=op.f({py.lit(c.name)}))"
            for c in t.checks
        ]
        if t.comment is not None:
            args.append(f"comment={py.lit(t.comment)}")
        lines = [f"op.create_table({', '.join(args)})"]
        for index in t.indexes:
            lines += create_index_lines(t.name, index)
        postgresql = [ddl.create_trigger_sql(t.name, tr.name, tr.function) for tr in t.triggers]
        if t.policies:
            postgresql.append(ddl.enable_row_security_sql(t.name))
        postgresql += [
            ddl.create_policy_sql(t.name, p.name, p.command, p.using, p.check) for p in t.policies
        ]
        lines += on_postgresql(postgresql)
        return [Block(lines)]


@dataclass(frozen=True)
class DropTable(Operation):
    phase: ClassVar[int] = DROP_TABLES
    state: TableState
    order: int = 0  # referencing tables first

    @property
    def table(self) -> str:
        return self.state.name

    def sort_key(self) -> tuple[Any, ...]:
        return (self.order,)

    def describe(self) -> str:
        return f"drop table {self.table}"

    def data_loss(self) -> str | None:
        return f"drop table {self.table}: every row in it is lost"

    def render(self) -> list[Block]:
        return [Block([f"op.drop_table({py.lit(self.table)})"])]


@dataclass(frozen=True)
class RenameTable(Operation):
    phase: ClassVar[int] = RENAME_TABLES
    old: str
    new: str

    @property
    def table(self) -> str:
        return self.new

    def describe(self) -> str:
        return f"rename table {self.old} to {self.new}"

    def render(self) -> list[Block]:
        return [Block([f"op.rename_table({py.lit(self.old)}, {py.lit(self.new)})"])]


@dataclass(frozen=True)
class AlterTableComment(Operation):
    phase: ClassVar[int] = ALTER_TABLES
    rank: ClassVar[int] = 9
    name: str
    old: str | None
    new: str | None

    @property
    def table(self) -> str:
        return self.name

    def describe(self) -> str:
        return f"change the comment of table {self.name}"

    def render(self) -> list[Block]:
        # SQLite keeps no comments.
        if self.new is None:
            call = (
                f"op.drop_table_comment({py.lit(self.name)}, existing_comment={py.lit(self.old)})"
            )
        else:
            call = f"op.create_table_comment({py.lit(self.name)}, {py.lit(self.new)}, existing_comment={py.lit(self.old)})"
        return [Block(['if dialect != "sqlite":', f"    {call}"])]


@dataclass(frozen=True)
class ReplacePrimaryKey(Operation):
    """A new name (the table was renamed) or new columns for the primary key."""

    phase: ClassVar[int] = ALTER_TABLES
    rank: ClassVar[int] = 5  # after new columns exist, before old ones go
    name: str
    old_name: str
    old_columns: tuple[str, ...]
    new_name: str
    new_columns: tuple[str, ...]

    @property
    def table(self) -> str:
        return self.name

    def describe(self) -> str:
        return f"replace primary key {self.old_name} of {self.name} by {self.new_name}"

    def warnings(self) -> list[str]:
        if self.old_columns != self.new_columns:
            return [
                f"primary key of {self.name} on ({', '.join(self.new_columns)}): rows that repeat those values make the upgrade fail"
            ]
        return []

    def render(self) -> list[Block]:
        if self.old_columns == self.new_columns:
            # Only the name: PostgreSQL renames it; MySQL calls every primary key PRIMARY; SQLite
            # rebuilds the table.
            rename = f"ALTER TABLE {sql_identifier(self.name)} RENAME CONSTRAINT {sql_identifier(self.old_name)} TO {sql_identifier(self.new_name)}"
            lines = [
                'if dialect == "postgresql":',
                f"    {execute_sql(rename)}",
                'elif dialect == "sqlite":',
                f'    with op.batch_alter_table({py.lit(self.name)}, recreate="always") as batch_op:',
                f'        batch_op.drop_constraint({py.lit(self.old_name)}, type_="primary")',
                f"        batch_op.create_primary_key({py.lit(self.new_name)}, {py.lit(list(self.new_columns))})",
            ]
            return [Block(lines)]
        lines = [
            f'batch_op.drop_constraint({py.lit(self.old_name)}, type_="primary")',
            f"batch_op.create_primary_key({py.lit(self.new_name)}, {py.lit(list(self.new_columns))})",
        ]
        return [Block(lines, batch=self.name)]
