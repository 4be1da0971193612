"""Columns: add, drop, rename and alter one column; which type changes keep every value."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, ClassVar

from schemagen.literals import sql_identifier
from schemagen.migrations import render_py as py
from schemagen.migrations.operations.base import (
    ALTER_TABLES,
    Block,
    Enums,
    Operation,
    execute_sql,
    existing_args,
)
from schemagen.migrations.operations.data import fill_column
from schemagen.migrations.snapshot import ColumnState
from schemagen.sql import sql_types
from schemagen.types import FIELD_TYPES, REGISTRY, FieldType


@dataclass(frozen=True)
class AddColumn(Operation):
    """A new column. On a table with rows, NOT NULL needs a value for them: the server default
    fills them, or (`fill`) an UPDATE between adding the column as nullable and making it NOT NULL."""

    phase: ClassVar[int] = ALTER_TABLES
    rank: ClassVar[int] = 2
    name: str
    column: ColumnState
    enums: Enums = field(compare=False)
    fill: str | None = None  # a Python expression for the existing rows
    fill_note: str | None = None  # a comment saying where the fill comes from
    position: int = 0
    # NOT NULL with nothing to fill: added as NULL, then made NOT NULL (SQLite cannot add a NOT
    # NULL column without a default). A precheck stops the upgrade first if the table has rows.
    staged: bool = False

    @property
    def table(self) -> str:
        return self.name

    def sort_key(self) -> tuple[Any, ...]:
        return (self.position,)

    def describe(self) -> str:
        return f"add column {self.name}.{self.column.name}"

    def render(self) -> list[Block]:
        col = self.column
        if self.fill is None and not self.staged:
            return [Block([f"batch_op.add_column({py.column(col, self.enums)})"], batch=self.name)]
        blocks = [
            Block(
                [f"batch_op.add_column({py.column(col, self.enums, nullable=True)})"],
                batch=self.name,
            )
        ]
        if self.fill is not None:
            lines = [f"# {self.fill_note}"] if self.fill_note else []
            lines += fill_column(self.name, col, self.enums, self.fill, only_null=False)
            blocks.append(Block(lines))
        nullable = col.nullable
        alter = [
            f"batch_op.alter_column({py.lit(col.name)}, {', '.join(existing_args(_replace(col, nullable=True), self.enums))}, nullable={nullable})"
        ]
        if not nullable:
            blocks.append(Block(alter, batch=self.name))
        return blocks


def _replace(column: ColumnState, **changes: Any) -> ColumnState:

    return replace(column, **changes)


@dataclass(frozen=True)
class DropColumn(Operation):
    phase: ClassVar[int] = ALTER_TABLES
    rank: ClassVar[int] = 6
    name: str
    column: ColumnState
    enums: Enums = field(compare=False)

    @property
    def table(self) -> str:
        return self.name

    def sort_key(self) -> tuple[Any, ...]:
        return (self.column.name,)

    def describe(self) -> str:
        return f"drop column {self.name}.{self.column.name}"

    def data_loss(self) -> str | None:
        return f"drop column {self.name}.{self.column.name}: its values are lost"

    def render(self) -> list[Block]:
        lines = []
        if self.column.enum:
            # SQLite checks enum values with a CHECK constraint named after the type; the table
            # rebuild must not keep it, since it names the dropped column.
            lines += [
                'if dialect == "sqlite":',
                f'    batch_op.drop_constraint(op.f({py.lit(sqlite_enum_check(self.name, self.column.enum))}), type_="check")',
            ]
        lines.append(f"batch_op.drop_column({py.lit(self.column.name)})")
        return [Block(lines, batch=self.name)]


def sqlite_enum_check(table: str, enum: str) -> str:
    """The name SQLAlchemy's naming convention gives the CHECK of a non-native enum."""
    return f"ck_{table}_{enum}"


@dataclass(frozen=True)
class RenameColumn(Operation):
    phase: ClassVar[int] = ALTER_TABLES
    rank: ClassVar[int] = 0
    name: str
    old: str
    column: ColumnState  # as it is before the rename (its new definition is AlterColumn's job)
    enums: Enums = field(compare=False)
    new: str = ""

    @property
    def table(self) -> str:
        return self.name

    def sort_key(self) -> tuple[Any, ...]:
        return (self.old,)

    def describe(self) -> str:
        return f"rename column {self.name}.{self.old} to {self.new}"

    def render(self) -> list[Block]:
        # Not in a batch: SQLite renames in place (and rewrites CHECKs and indexes that name the
        # column), where a rebuild would copy a CHECK that still names the old column.
        args = [
            py.lit(self.name),
            py.lit(self.old),
            f"new_column_name={py.lit(self.new)}",
            *existing_args(self.column, self.enums),
        ]
        return [Block([f"op.alter_column({', '.join(args)})"])]


@dataclass(frozen=True)
class AlterColumn(Operation):
    """Type, length, nullability, server default or comment of one column (not enum values)."""

    phase: ClassVar[int] = ALTER_TABLES
    rank: ClassVar[int] = 4
    name: str
    old: ColumnState
    new: ColumnState
    old_enums: Enums = field(compare=False)
    new_enums: Enums = field(compare=False)
    backfill: str | None = None  # fills NULLs before NOT NULL: a Python expression
    backfill_note: str = "Rows holding NULL get the default before the column becomes NOT NULL."

    @property
    def table(self) -> str:
        return self.name

    def sort_key(self) -> tuple[Any, ...]:
        return (self.new.name,)

    @property
    def type_changed(self) -> bool:
        old, new = self.old, self.new
        return old.type_key() != new.type_key() or (old.enum is None) != (new.enum is None)

    def describe(self) -> str:
        what = []
        if self.type_changed:
            what.append(
                f"type {_type_text(self.old, self.old_enums)} -> {_type_text(self.new, self.new_enums)}"
            )
        if self.old.nullable != self.new.nullable:
            what.append("NULL" if self.new.nullable else "NOT NULL")
        if self.old.default != self.new.default:
            what.append("default")
        if self.old.comment != self.new.comment:
            what.append("comment")
        return f"alter column {self.name}.{self.new.name} ({', '.join(what)})"

    @property
    def cut(self) -> int | None:
        """The new length when a text column gets shorter: longer values are cut to it first."""
        old, new = self.old, self.new
        if (
            self.type_changed
            and old.enum is None
            and new.enum is None
            and old.type in _TEXTS
            and new.type in _TEXTS
            and new.type != "text"
            and new.length is not None
            and not widens(old, new, self.old_enums, self.new_enums)
        ):
            return new.length
        return None

    def data_loss(self) -> str | None:
        if self.type_changed and not widens(self.old, self.new, self.old_enums, self.new_enums):
            change = f"change {self.name}.{self.new.name} from {_type_text(self.old, self.old_enums)} to {_type_text(self.new, self.new_enums)}"
            if self.cut is not None:
                return f"{change}: values longer than {self.cut} characters are cut to their first {self.cut}"
            return (
                f"{change}: values that do not convert make the upgrade fail "
                "(on SQLite and PostgreSQL it then changes nothing)"
            )
        return None

    def render(self) -> list[Block]:
        old, new = self.old, self.new
        blocks = []
        if self.backfill is not None:
            blocks.append(
                Block(
                    [
                        f"# {self.backfill_note}",
                        *fill_column(self.name, old, self.old_enums, self.backfill),
                    ]
                )
            )
        if self.cut is not None:
            ref = f"table.c[{py.lit(new.name)}]"
            blocks.append(
                Block(
                    [
                        f"# Accepted data loss: values longer than {self.cut} characters are cut to fit.",
                        f"table = sa.table({py.lit(self.name)}, sa.column({py.lit(new.name)}, {py.sa_type(old, self.old_enums)}))",
                        f"op.execute(table.update().where(sa.func.char_length({ref}) > {self.cut}).values({{{py.lit(new.name)}: sa.func.substr({ref}, 1, {self.cut})}}))",
                    ]
                )
            )
        args = [py.lit(new.name), *existing_args(old, self.old_enums)]
        using = _postgresql_using(old, new) if self.type_changed else None
        if self.type_changed:
            args.append(f"type_={py.sa_type(new, self.new_enums)}")
            if using:
                args.append(f"postgresql_using={py.lit(using)}")
        if using and old.default is not None:
            # PostgreSQL casts the default along with the column, and cannot across types: it is
            # dropped first and set again after.
            sql = f"ALTER TABLE {sql_identifier(self.name)} ALTER COLUMN {sql_identifier(new.name)} DROP DEFAULT"
            blocks.append(Block(['if dialect == "postgresql":', f"    {execute_sql(sql)}"]))
        if old.nullable != new.nullable:
            args.append(f"nullable={new.nullable}")
        if old.default != new.default or (using and old.default is not None):
            args.append(f"server_default={py.server_default(new, self.new_enums)}")
        if old.comment != new.comment:
            args.append(f"comment={py.lit(new.comment)}")
        # From or to an enum, SQLite's CHECK goes or comes with the type (`existing_type` names it).
        blocks.append(Block([f"batch_op.alter_column({', '.join(args)})"], batch=self.name))
        return blocks


def _pg_type(column: ColumnState, enums: Enums) -> str:
    if column.enum:
        return sql_identifier(column.enum)
    kind = "integer_pk" if column.type == "integer_key" else column.type
    length = column.length or _default_length(column.type)
    return sql_types(
        kind,
        length=length,
        precision=column.precision,
        scale=column.scale,
        array_of=column.array_of,
    )["postgresql"]


def _type_text(column: ColumnState, enums: Enums) -> str:
    if column.enum:
        return f"enum {column.enum}"
    kind = "integer_pk" if column.type == "integer_key" else column.type
    if kind == "array":
        return f"array of {column.array_of}"
    return sql_types(
        kind,
        length=column.length or _default_length(column.type),
        precision=column.precision,
        scale=column.scale,
        array_of=column.array_of,
    )["postgresql"]


def _postgresql_using(old: ColumnState, new: ColumnState) -> str | None:
    """A cast for PostgreSQL when the type family changes (it only converts implicitly within one)."""
    if old.type == new.type and (old.enum is None) == (new.enum is None):
        return None
    source = sql_identifier(new.name)  # renames run first
    if old.enum or new.enum:
        source = f"CAST({source} AS text)"
    if new.type == "json":
        return f"to_jsonb({source})"
    return f"CAST({source} AS {_pg_type(new, {})})"


_INTEGERS = {"integer": 1, "integer_key": 2, "bigint": 2}
# Stored as VARCHAR or TEXT: a value of one fits the other when it is long enough.
_TEXTS = tuple(t for t, d in REGISTRY.items() if d.family == "text")


def _default_length(kind: str) -> int | None:
    """The VARCHAR length of a snapshot column that records none (older snapshots)."""
    return REGISTRY[FieldType(kind)].max_length if kind in FIELD_TYPES else None


def widens(old: ColumnState, new: ColumnState, old_enums: Enums, new_enums: Enums) -> bool:
    """True when every value of the old type fits the new one unchanged."""
    if old.enum and new.enum:
        return set(old_enums.get(old.enum, ())) <= set(new_enums.get(new.enum, ()))
    if old.enum and new.type in _TEXTS:
        longest = max((len(v) for v in old_enums.get(old.enum, ())), default=0)
        return new.type == "text" or (new.length or 0) >= longest
    if old.type in _TEXTS and new.type in _TEXTS:
        if new.type == "text":
            return True
        return old.type != "text" and (new.length or 0) >= (old.length or 0)
    if old.type in _INTEGERS and new.type in _INTEGERS:
        return _INTEGERS[new.type] >= _INTEGERS[old.type]
    if old.type in _INTEGERS and new.type == "decimal":
        digits = 10 if _INTEGERS[old.type] == 1 else 19
        return (new.precision or 0) - (new.scale or 0) >= digits
    if old.type == "decimal" and new.type == "decimal":
        return (new.scale or 0) >= (old.scale or 0) and (new.precision or 0) - (new.scale or 0) >= (
            old.precision or 0
        ) - (old.scale or 0)
    if old.type == "integer" and new.type == "float":
        return True
    if old.type == "date" and new.type == "datetime":
        return True
    return old.type in ("json", "array") and new.type == "json"
