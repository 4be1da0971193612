"""Enum types: native on PostgreSQL, ENUM on MySQL, a CHECK constraint on SQLite."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from schemagen.literals import sql_identifier, sql_literal
from schemagen.migrations import render_py as py
from schemagen.migrations.operations.base import (
    ALTER_TABLES,
    DROP_ENUM_TYPES,
    ENUM_TYPES,
    Block,
    Operation,
    execute_sql,
    existing_args,
    update_column,
)
from schemagen.migrations.snapshot import ColumnState


@dataclass(frozen=True)
class CreateEnum(Operation):
    """A native enum type for a column added to (or changed on) an existing table. PostgreSQL only:
    `create` does nothing elsewhere. New tables create their enum types themselves."""

    phase: ClassVar[int] = ENUM_TYPES
    rank: ClassVar[int] = 2
    name: str
    values: tuple[str, ...]

    @property
    def table(self) -> str:
        return ""

    def sort_key(self) -> tuple[Any, ...]:
        return (self.name,)

    def describe(self) -> str:
        return f"create enum type {self.name}"

    def render(self) -> list[Block]:
        return [
            Block(
                [f"{py.enum_type(self.name, self.values, constraint=False)}.create(op.get_bind())"]
            )
        ]


@dataclass(frozen=True)
class DropEnum(Operation):
    phase: ClassVar[int] = DROP_ENUM_TYPES
    name: str
    values: tuple[str, ...]

    @property
    def table(self) -> str:
        return ""

    def sort_key(self) -> tuple[Any, ...]:
        return (self.name,)

    def describe(self) -> str:
        return f"drop enum type {self.name}"

    def render(self) -> list[Block]:
        return [
            Block(
                [
                    f"{py.enum_type(self.name, self.values, constraint=False)}.drop(op.get_bind(), checkfirst=True)"
                ]
            )
        ]


@dataclass(frozen=True)
class RenameEnum(Operation):
    phase: ClassVar[int] = ENUM_TYPES
    rank: ClassVar[int] = 0
    old: str
    new: str

    @property
    def table(self) -> str:
        return ""

    def sort_key(self) -> tuple[Any, ...]:
        return (self.old,)

    def describe(self) -> str:
        return f"rename enum type {self.old} to {self.new}"

    def render(self) -> list[Block]:
        sql = f"ALTER TYPE {sql_identifier(self.old)} RENAME TO {sql_identifier(self.new)}"
        return [Block(['if dialect == "postgresql":', f"    {execute_sql(sql)}"])]


@dataclass(frozen=True)
class RenameEnumCheck(Operation):
    """SQLite's CHECK for an enum is named after its table and type: renamed with either."""

    phase: ClassVar[int] = ALTER_TABLES
    rank: ClassVar[int] = 1
    name: str
    column: str
    old_check: str
    new_check: str
    values: tuple[str, ...]

    @property
    def table(self) -> str:
        return self.name

    def sort_key(self) -> tuple[Any, ...]:
        return (self.column,)

    def describe(self) -> str:
        return f"rename check {self.old_check} to {self.new_check} (SQLite)"

    def render(self) -> list[Block]:
        lines = [
            'if dialect == "sqlite":',
            f"    with op.batch_alter_table({py.lit(self.name)}) as batch_op:",
            f'        batch_op.drop_constraint(op.f({py.lit(self.old_check)}), type_="check")',
            f"        batch_op.create_check_constraint(op.f({py.lit(self.new_check)}), sa.text({py.sql_text(py.in_list(self.column, self.values))}))",
        ]
        return [Block(lines)]


@dataclass(frozen=True)
class AlterEnum(Operation):
    """New, removed or reordered values of the enum of one column (and its default, which may
    have been one of the removed values).

    PostgreSQL adds values with ALTER TYPE ... ADD VALUE, which cannot run inside a transaction
    block; removing or reordering recreates the type and casts the column to it. MySQL restates
    the ENUM column; SQLite rebuilds the table with the new CHECK. Rows holding a removed value
    first get the column's new default, or NULL when it has none and may be NULL.
    """

    phase: ClassVar[int] = ALTER_TABLES
    rank: ClassVar[int] = 3
    name: str
    column: ColumnState  # before, under its new name and enum name (renames run first)
    new_column: ColumnState
    old_values: tuple[str, ...]
    new_values: tuple[str, ...]

    @property
    def table(self) -> str:
        return self.name

    def sort_key(self) -> tuple[Any, ...]:
        return (self.new_column.name,)

    @property
    def enum(self) -> str:
        assert self.new_column.enum is not None
        return self.new_column.enum

    @property
    def removed(self) -> tuple[str, ...]:
        return tuple(v for v in self.old_values if v not in self.new_values)

    @property
    def added(self) -> tuple[str, ...]:
        return tuple(v for v in self.new_values if v not in self.old_values)

    @property
    def appends_only(self) -> bool:
        """Only new values, the old ones in their order: PostgreSQL can add them in place."""
        return not self.removed and self.old_values == tuple(
            v for v in self.new_values if v in self.old_values
        )

    def describe(self) -> str:
        parts = []
        if self.added:
            parts.append("add " + ", ".join(repr(v) for v in self.added))
        if self.removed:
            parts.append("remove " + ", ".join(repr(v) for v in self.removed))
        if not self.removed and not self.appends_only:
            parts.append("reorder values")
        return f"alter enum {self.enum} of {self.name}.{self.new_column.name} ({'; '.join(parts)})"

    def replacement(self) -> str | None:
        default = self.new_column.default
        if default is not None and default.value in self.new_values:
            return py.lit(default.value)
        if self.column.nullable:
            return "None"
        return None

    def data_loss(self) -> str | None:
        if not self.removed:
            return None
        values = ", ".join(repr(v) for v in self.removed)
        where = f"{self.name}.{self.new_column.name}"
        replacement = self.replacement()
        if replacement is None:
            return f"remove {values} from enum {self.enum}: rows of {where} holding them make the upgrade fail; change them first"
        return f"remove {values} from enum {self.enum}: rows of {where} holding them are set to {replacement}"

    def render(self) -> list[Block]:
        blocks = []
        old_enums = {self.enum: self.old_values}
        name = self.new_column.name
        replacement = self.replacement()
        if self.removed and replacement is not None:
            comment = f"# Rows holding a removed value get {'NULL' if replacement == 'None' else 'the default'}."
            update = update_column(
                self.name,
                name,
                py.enum_type(self.enum, self.old_values),
                replacement,
                f".in_({py.lit(list(self.removed))})",
            )
            blocks.append(Block([comment, *update]))
        lines = ['if dialect == "postgresql":']
        if self.appends_only:
            lines.append("    # ADD VALUE cannot run inside a transaction block.")
            lines.append("    with op.get_context().autocommit_block():")
            lines += [f"        {execute_sql(sql)}" for sql in self.add_value_statements()]
            if self.column.default != self.new_column.default:
                lines.append(f"    {self.set_default_statement()}")
        else:
            lines += ["    " + line for line in self.recreate_statements()]
        args = [
            py.lit(name),
            *existing_args(self.column, old_enums),
            f"type_={py.enum_type(self.enum, self.new_values)}",
        ]
        if self.column.default != self.new_column.default:
            args.append(
                f"server_default={py.server_default(self.new_column, {self.enum: self.new_values})}"
            )
        lines += [
            "else:",
            f"    with op.batch_alter_table({py.lit(self.name)}) as batch_op:",
            f"        batch_op.alter_column({', '.join(args)})",
        ]
        blocks.append(Block(lines))
        return blocks

    def add_value_statements(self) -> list[str]:
        statements = []
        for i, value in enumerate(self.new_values):
            if value in self.old_values:
                continue
            if i > 0:
                position = f"AFTER {sql_literal(self.new_values[i - 1])}"
            else:
                position = f"BEFORE {sql_literal(next(v for v in self.new_values if v in self.old_values))}"
            statements.append(
                f"ALTER TYPE {sql_identifier(self.enum)} ADD VALUE IF NOT EXISTS {sql_literal(value)} {position}"
            )
        return statements

    def set_default_statement(self) -> str:
        default = self.new_column.default
        table, column = sql_identifier(self.name), sql_identifier(self.new_column.name)
        if default is None or default.sql is None:
            return execute_sql(f"ALTER TABLE {table} ALTER COLUMN {column} DROP DEFAULT")
        return execute_sql(f"ALTER TABLE {table} ALTER COLUMN {column} SET DEFAULT {default.sql}")

    def recreate_statements(self) -> list[str]:
        enum, table, column = (
            self.enum,
            sql_identifier(self.name),
            sql_identifier(self.new_column.name),
        )
        old = f"{enum}_old"
        lines = [
            "# Recreate the type: PostgreSQL cannot remove or reorder the values of an enum.",
            execute_sql(f"ALTER TYPE {sql_identifier(enum)} RENAME TO {sql_identifier(old)}"),
            f"{py.enum_type(enum, self.new_values, constraint=False)}.create(op.get_bind())",
        ]
        if self.column.default is not None:
            lines.append(execute_sql(f"ALTER TABLE {table} ALTER COLUMN {column} DROP DEFAULT"))
        lines.append(
            execute_sql(
                f"ALTER TABLE {table} ALTER COLUMN {column} TYPE {sql_identifier(enum)} USING CAST(CAST({column} AS text) AS {sql_identifier(enum)})"
            )
        )
        if self.new_column.default is not None:
            lines.append(self.set_default_statement())
        lines.append(execute_sql(f"DROP TYPE {sql_identifier(old)}"))
        return lines
