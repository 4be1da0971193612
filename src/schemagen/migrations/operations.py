"""Typed migration operations: what changes, in which phase, what it may lose, and its Alembic code.

Operations never hold DDL text: each one knows the state it needs (a table, the column before and
after) and renders itself as Python that calls `op.*` with `sa.*` types spelled as the models spell
them (see `render_py`). A downgrade is not the reverse of each operation: it is the diff from the
new state back to the old one, computed by the same autodetector, so it is ordered as carefully.

Rendering is dialect-aware inside one revision file: the same revision runs on SQLite (table
rebuilds through `op.batch_alter_table`), PostgreSQL (native enum types) and MySQL/MariaDB. The
few steps that differ test `dialect`, which the revision sets from the migration context.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from schemagen import sql as ddl
from schemagen.literals import sql_identifier, sql_literal
from schemagen.migrations import render_py as py
from schemagen.migrations.snapshot import (
    CheckState,
    ColumnState,
    ForeignKeyState,
    IndexState,
    PolicyState,
    TableState,
    TriggerState,
    UniqueState,
)
from schemagen.sql import sql_types
from schemagen.types import FIELD_TYPES, REGISTRY, FieldType

Enums = dict[str, tuple[str, ...]]

# Phases: foreign keys and indexes are dropped first and added last, so every step in between
# sees no constraint that could stop it; table changes run table by table.
DROP_FOREIGN_KEYS = 0
DROP_CONSTRAINTS = 1
RENAME_TABLES = 2
ENUM_TYPES = 3
CREATE_TABLES = 4
ALTER_TABLES = 5
DROP_TABLES = 6
DROP_ENUM_TYPES = 7
ADD_CONSTRAINTS = 8
LATE_DROPS = 9
ADD_FOREIGN_KEYS = 10


@dataclass
class Block:
    """Statements of one step. With `batch`, they use `batch_op` inside `op.batch_alter_table(batch)`."""

    lines: list[str]
    batch: str | None = None


@dataclass(frozen=True)
class Precheck:
    """Rows that would make a step fail, counted before the revision changes anything.

    `query` is a Python expression: a SELECT of one count, over the tables as they are before the
    revision (its renames have not run). `problem` follows the count in the error: what those rows
    are and what to do about them."""

    query: str
    problem: str


@dataclass(frozen=True)
class Operation:
    """One step of a migration."""

    phase: ClassVar[int]
    rank: ClassVar[int] = 0  # order among the operations on one table within a phase
    # Run first in upgrade() (or downgrade()), for every step of the revision: see Precheck.
    prechecks: tuple[Precheck, ...] = field(default=(), compare=False, kw_only=True)

    @property
    def table(self) -> str:
        raise NotImplementedError

    def sort_key(self) -> tuple[Any, ...]:
        return ()

    def describe(self) -> str:
        raise NotImplementedError

    def data_loss(self) -> str | None:
        """Why this step can lose data, or None."""
        return None

    def warnings(self) -> list[str]:
        """What can make this step fail on a database that has rows."""
        return []

    def render(self) -> list[Block]:
        raise NotImplementedError


def _execute(sql: str) -> str:
    return f"op.execute(sa.text({py.sql_text(sql)}))"


def _existing(column: ColumnState, enums: Enums) -> list[str]:
    """The `existing_*` arguments: MySQL restates the whole column on every ALTER."""
    args = [f"existing_type={py.sa_type(column, enums)}", f"existing_nullable={column.nullable}"]
    default = py.server_default(column, enums)
    if default is not None:
        args.append(f"existing_server_default={default}")
    if column.comment is not None:
        args.append(f"existing_comment={py.lit(column.comment)}")
    if column.autoincrement:
        args.append("autoincrement=True")
    return args


def _update(table: str, column: str, type_: str, value: str, where: str | None = None) -> list[str]:
    """An UPDATE of one column, through SQLAlchemy so each dialect binds `value` its own way.

    `where` is a condition on the column, e.g. ".is_(None)"."""
    ref = f"table.c[{py.lit(column)}]"
    condition = f".where({ref}{where})" if where else ""
    return [
        f"table = sa.table({py.lit(table)}, sa.column({py.lit(column)}, {type_}))",
        f"op.execute(table.update(){condition}.values({{{py.lit(column)}: {value}}}))",
    ]


# Prechecks: Python expressions of SELECT count(*) queries, built with SQLAlchemy so each dialect
# quotes names and binds values its own way.


def _count(source: str, *conditions: str) -> str:
    where = f".where({', '.join(conditions)})" if conditions else ""
    return f"sa.select(sa.func.count()).select_from({source}){where}"


def _table_expr(name: str) -> str:
    return f"sa.table({py.lit(name)})"


def _column_expr(name: str, type_: str | None = None) -> str:
    return f"sa.column({py.lit(name)}{', ' + type_ if type_ else ''})"


def sql_value(value: str) -> str:
    """A SQL expression of a Python value expression (`sa.func.now()` is one already)."""
    return value if value.startswith("sa.") else f"sa.literal({value})"


def count_nulls(table: str, column: str) -> str:
    return _count(_table_expr(table), f"{_column_expr(column)}.is_(None)")


def count_rows(table: str) -> str:
    return _count(_table_expr(table))


def count_missing_target(
    table: str, column: str | None, target: str | None, key: str, key_type: str, value: str
) -> str:
    """Rows that need `value` (all of them, or those where `column` is NULL) while `target` has no
    row whose `key` is `value` (None: the target table is new in this revision, so empty)."""
    conditions = [f"{_column_expr(column)}.is_(None)"] if column else []
    if target is not None:
        keys = f"sa.select({_column_expr(key)}).select_from({_table_expr(target)})"
        conditions.append(f"sa.literal({value}, {key_type}).not_in({keys})")
    return _count(_table_expr(table), *conditions)


def count_dangling(table: str, column: str, target: str | None, key: str) -> str:
    """Rows whose `column` names no row of `target` (None: new in this revision, so empty)."""
    conditions = [f"{_column_expr(column)}.is_not(None)"]
    if target is not None:
        keys = f"sa.select({_column_expr(key)}).select_from({_table_expr(target)})"
        conditions.append(f"{_column_expr(column)}.not_in({keys})")
    return _count(_table_expr(table), *conditions)


def rows_view(table: str, columns: list[tuple[str, str]]) -> str:
    """The rows of `table` (its name before the revision) as the step will see them: each column
    under its new name, from `(new name, SQL expression)` pairs."""
    selected = ", ".join(f"{expr}.label({py.lit(name)})" for name, expr in columns)
    return f"sa.select({selected}).select_from({_table_expr(table)}).subquery({py.lit(table)})"


def count_duplicates(view: str, columns: tuple[str, ...], where: str | None) -> str:
    """Values of `columns` that more than one row holds (NULLs never clash). A partial unique
    index's `where` applies where the index is partial: PostgreSQL and SQLite."""
    refs = ", ".join(_column_expr(c) for c in columns)
    conditions = [f"{_column_expr(c)}.is_not(None)" for c in columns]
    if where:
        conditions.append(f'sa.text({py.sql_text(where)}) if dialect != "mysql" else sa.true()')
    groups = (
        f"sa.select({refs}).select_from({view}).where({', '.join(conditions)})"
        f".group_by({refs}).having(sa.func.count() > 1).subquery()"
    )
    return _count(groups)


def count_failing_check(view: str, expr: str) -> str:
    return _count(view, f"sa.text({py.sql_text(f'NOT ({expr})')})")


def count_beyond(table: str, column: str, bound: int) -> str:
    return _count(_table_expr(table), f"sa.func.abs({_column_expr(column)}) >= {bound}")


def narrowed_bound(old: ColumnState, new: ColumnState) -> int | None:
    """The magnitude the new numeric type cannot hold when it holds fewer digits than the old."""
    if old.type in ("bigint", "integer_key") and new.type == "integer":
        return 2**31
    if new.type == "decimal" and old.type in ("integer", "bigint", "integer_key", "decimal"):
        digits = (new.precision or 0) - (new.scale or 0)
        if old.type == "decimal" and (old.precision or 0) - (old.scale or 0) <= digits:
            return None
        return 10**digits
    return None


def count_values(table: str, column: str, values: tuple[str, ...]) -> str:
    return _count(
        _table_expr(table),
        f"sa.cast({_column_expr(column)}, sa.String()).in_({py.lit(list(values))})",
    )


def _fill(
    table: str, column: ColumnState, enums: Enums, value: str, *, only_null: bool = True
) -> list[str]:
    """An UPDATE that gives `column` the value `value` (where it is NULL)."""
    return _update(
        table, column.name, py.sa_type(column, enums), value, ".is_(None)" if only_null else None
    )


# ---------------------------------------------------------------------------------------------
# Tables


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
            _foreign_key_constraint(fk) for fk in t.foreign_keys if fk.name not in self.deferred
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
            lines += _create_index(t.name, index)
        postgresql = [ddl.create_trigger_sql(t.name, tr.name, tr.function) for tr in t.triggers]
        if t.policies:
            postgresql.append(ddl.enable_row_security_sql(t.name))
        postgresql += [
            ddl.create_policy_sql(t.name, p.name, p.command, p.using, p.check) for p in t.policies
        ]
        lines += _on_postgresql(postgresql)
        return [Block(lines)]


def _on_postgresql(statements: list[str]) -> list[str]:
    if not statements:
        return []
    return ['if dialect == "postgresql":', *(f"    {_execute(sql)}" for sql in statements)]


def _foreign_key_constraint(fk: ForeignKeyState) -> str:
    remote = [f"{fk.target_table}.{c}" for c in fk.target_columns]
    return f"sa.ForeignKeyConstraint({py.lit(list(fk.columns))}, {py.lit(remote)}, ondelete={py.lit(fk.on_delete)}, name={py.lit(fk.name)})"


def _create_index(table: str, index: IndexState) -> list[str]:
    args = [py.lit(index.name), py.lit(table), py.lit(list(index.columns))]
    args += ddl.index_options(unique=index.unique, where=index.where, using=index.using)
    return _on_dialects(index.dialects, [f"op.create_index({', '.join(args)})"])


def _on_dialects(dialects: tuple[str, ...], lines: list[str]) -> list[str]:
    """`lines`, run only on `dialects` (on every dialect when there are none)."""
    if not dialects:
        return lines
    test = (
        f"dialect == {py.lit(dialects[0])}"
        if len(dialects) == 1
        else f"dialect in {py.lit(dialects)}"
    )
    return [f"if {test}:", *(f"    {line}" for line in lines)]


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
                f"    {_execute(rename)}",
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


# ---------------------------------------------------------------------------------------------
# Columns


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
            lines += _fill(self.name, col, self.enums, self.fill, only_null=False)
            blocks.append(Block(lines))
        nullable = col.nullable
        alter = [
            f"batch_op.alter_column({py.lit(col.name)}, {', '.join(_existing(_replace(col, nullable=True), self.enums))}, nullable={nullable})"
        ]
        if not nullable:
            blocks.append(Block(alter, batch=self.name))
        return blocks


def _replace(column: ColumnState, **changes: Any) -> ColumnState:
    from dataclasses import replace

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
            *_existing(self.column, self.enums),
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
                        *_fill(self.name, old, self.old_enums, self.backfill),
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
        args = [py.lit(new.name), *_existing(old, self.old_enums)]
        using = _postgresql_using(old, new) if self.type_changed else None
        if self.type_changed:
            args.append(f"type_={py.sa_type(new, self.new_enums)}")
            if using:
                args.append(f"postgresql_using={py.lit(using)}")
        if using and old.default is not None:
            # PostgreSQL casts the default along with the column, and cannot across types: it is
            # dropped first and set again after.
            sql = f"ALTER TABLE {sql_identifier(self.name)} ALTER COLUMN {sql_identifier(new.name)} DROP DEFAULT"
            blocks.append(Block(['if dialect == "postgresql":', f"    {_execute(sql)}"]))
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


# ---------------------------------------------------------------------------------------------
# Enums


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
        return [Block(['if dialect == "postgresql":', f"    {_execute(sql)}"])]


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
            update = _update(
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
            lines += [f"        {_execute(sql)}" for sql in self.add_value_statements()]
            if self.column.default != self.new_column.default:
                lines.append(f"    {self.set_default_statement()}")
        else:
            lines += ["    " + line for line in self.recreate_statements()]
        args = [
            py.lit(name),
            *_existing(self.column, old_enums),
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
            return _execute(f"ALTER TABLE {table} ALTER COLUMN {column} DROP DEFAULT")
        return _execute(f"ALTER TABLE {table} ALTER COLUMN {column} SET DEFAULT {default.sql}")

    def recreate_statements(self) -> list[str]:
        enum, table, column = (
            self.enum,
            sql_identifier(self.name),
            sql_identifier(self.new_column.name),
        )
        old = f"{enum}_old"
        lines = [
            "# Recreate the type: PostgreSQL cannot remove or reorder the values of an enum.",
            _execute(f"ALTER TYPE {sql_identifier(enum)} RENAME TO {sql_identifier(old)}"),
            f"{py.enum_type(enum, self.new_values, constraint=False)}.create(op.get_bind())",
        ]
        if self.column.default is not None:
            lines.append(_execute(f"ALTER TABLE {table} ALTER COLUMN {column} DROP DEFAULT"))
        lines.append(
            _execute(
                f"ALTER TABLE {table} ALTER COLUMN {column} TYPE {sql_identifier(enum)} USING CAST(CAST({column} AS text) AS {sql_identifier(enum)})"
            )
        )
        if self.new_column.default is not None:
            lines.append(self.set_default_statement())
        lines.append(_execute(f"DROP TYPE {sql_identifier(old)}"))
        return lines


# ---------------------------------------------------------------------------------------------
# Indexes and constraints


# A new unique cannot be filled like a NOT NULL column: only the user can say it holds.
_DUPLICATES = (
    "rows that repeat a value would make the upgrade fail; it then counts them first and stops "
    "before changing anything"
)


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
            return f"unique index {self.index.name} on {self.name} ({', '.join(self.index.columns)}): {_DUPLICATES}"
        return None

    def render(self) -> list[Block]:
        return [Block(_create_index(self.name, self.index))]


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
        return [Block(_on_dialects(self.index.dialects, [drop]))]


@dataclass(frozen=True)
class AddUnique(Operation):
    phase: ClassVar[int] = ADD_CONSTRAINTS
    rank: ClassVar[int] = 1
    name: str
    unique: UniqueState
    recreated: bool = False

    @property
    def table(self) -> str:
        return self.name

    def sort_key(self) -> tuple[Any, ...]:
        return (self.unique.name,)

    def describe(self) -> str:
        return f"add unique constraint {self.unique.name} on {self.name}"

    def data_loss(self) -> str | None:
        if self.recreated:
            return None
        return f"unique {self.unique.name} on {self.name} ({', '.join(self.unique.columns)}): {_DUPLICATES}"

    def render(self) -> list[Block]:
        return [
            Block(
                [
                    f"batch_op.create_unique_constraint({py.lit(self.unique.name)}, {py.lit(list(self.unique.columns))})"
                ],
                batch=self.name,
            )
        ]


@dataclass(frozen=True)
class DropUnique(Operation):
    phase: ClassVar[int] = DROP_CONSTRAINTS
    rank: ClassVar[int] = 1
    name: str
    unique: UniqueState
    late: bool = False  # as DropIndex.late: MySQL backs a foreign key with this index

    @property
    def table(self) -> str:
        return self.name

    def sort_key(self) -> tuple[Any, ...]:
        return (self.unique.name,)

    def describe(self) -> str:
        return f"drop unique constraint {self.unique.name} on {self.name}"

    def render(self) -> list[Block]:
        return [
            Block(
                [f'batch_op.drop_constraint({py.lit(self.unique.name)}, type_="unique")'],
                batch=self.name,
            )
        ]


@dataclass(frozen=True)
class AddCheck(Operation):
    phase: ClassVar[int] = ADD_CONSTRAINTS
    rank: ClassVar[int] = 2
    name: str
    check: CheckState
    recreated: bool = False

    @property
    def table(self) -> str:
        return self.name

    def sort_key(self) -> tuple[Any, ...]:
        return (self.check.name,)

    def describe(self) -> str:
        return f"add check {self.check.name} on {self.name}"

    def warnings(self) -> list[str]:
        if self.recreated:
            return []
        return [
            f"check {self.check.name} on {self.name}: existing rows that break it stop the upgrade before it changes anything"
        ]

    def render(self) -> list[Block]:
        return [
            Block(
                [
                    f"batch_op.create_check_constraint(op.f({py.lit(self.check.name)}), sa.text({py.sql_text(self.check.expr)}))"
                ],
                batch=self.name,
            )
        ]


@dataclass(frozen=True)
class DropCheck(Operation):
    phase: ClassVar[int] = DROP_CONSTRAINTS
    rank: ClassVar[int] = 2
    name: str
    check: CheckState

    @property
    def table(self) -> str:
        return self.name

    def sort_key(self) -> tuple[Any, ...]:
        return (self.check.name,)

    def describe(self) -> str:
        return f"drop check {self.check.name} on {self.name}"

    def render(self) -> list[Block]:
        return [
            Block(
                [f'batch_op.drop_constraint(op.f({py.lit(self.check.name)}), type_="check")'],
                batch=self.name,
            )
        ]


@dataclass(frozen=True)
class AddForeignKey(Operation):
    phase: ClassVar[int] = ADD_FOREIGN_KEYS
    name: str
    foreign_key: ForeignKeyState
    existing_rows: bool = (
        True  # False on a new table, or when it replaces the same key under another name
    )

    @property
    def table(self) -> str:
        return self.name

    def sort_key(self) -> tuple[Any, ...]:
        return (self.foreign_key.name,)

    def describe(self) -> str:
        return f"add foreign key {self.foreign_key.name} on {self.name}"

    def warnings(self) -> list[str]:
        if not self.existing_rows:
            return []
        fk = self.foreign_key
        return [
            f"foreign key {fk.name} on {self.name}: values of {', '.join(fk.columns)} with no row in {fk.target_table} stop the upgrade before it changes anything"
        ]

    def render(self) -> list[Block]:
        fk = self.foreign_key
        args = [
            py.lit(fk.name),
            py.lit(fk.target_table),
            py.lit(list(fk.columns)),
            py.lit(list(fk.target_columns)),
            f"ondelete={py.lit(fk.on_delete)}",
        ]
        return [Block([f"batch_op.create_foreign_key({', '.join(args)})"], batch=self.name)]


@dataclass(frozen=True)
class DropForeignKey(Operation):
    phase: ClassVar[int] = DROP_FOREIGN_KEYS
    name: str
    foreign_key: ForeignKeyState

    @property
    def table(self) -> str:
        return self.name

    def sort_key(self) -> tuple[Any, ...]:
        return (self.foreign_key.name,)

    def describe(self) -> str:
        return f"drop foreign key {self.foreign_key.name} on {self.name}"

    def render(self) -> list[Block]:
        return [
            Block(
                [f'batch_op.drop_constraint({py.lit(self.foreign_key.name)}, type_="foreignkey")'],
                batch=self.name,
            )
        ]


@dataclass(frozen=True)
class Execute(Operation):
    """Raw SQL, per dialect ("*" for any): for steps the typed operations do not cover."""

    phase: ClassVar[int] = ALTER_TABLES
    rank: ClassVar[int] = 10
    statements: tuple[tuple[str, str], ...]  # (dialect or "*", SQL)
    description: str = "execute SQL"
    target: str = ""

    @property
    def table(self) -> str:
        return self.target

    def describe(self) -> str:
        return self.description

    def render(self) -> list[Block]:
        lines = []
        for dialect, sql in self.statements:
            if dialect == "*":
                lines.append(_execute(sql))
            else:
                lines += [f"if dialect == {py.lit(dialect)}:", f"    {_execute(sql)}"]
        return [Block(lines)]


# ---------------------------------------------------------------------------------------------
# PostgreSQL only: trigger functions, triggers, row-level security. Each renders the statements
# the models' create_all runs (`schemagen.sql`), behind `if dialect == "postgresql"`.


@dataclass(frozen=True)
class CreateFunction(Operation):
    """A trigger function, or its new body (CREATE OR REPLACE): before any trigger needs it."""

    phase: ClassVar[int] = ENUM_TYPES
    rank: ClassVar[int] = 4
    name: str
    body: str

    @property
    def table(self) -> str:
        return ""

    def sort_key(self) -> tuple[Any, ...]:
        return (self.name,)

    def describe(self) -> str:
        return f"create function {self.name} (PostgreSQL)"

    def render(self) -> list[Block]:
        return [Block(_on_postgresql([ddl.create_function_sql(self.name, self.body)]))]


@dataclass(frozen=True)
class DropFunction(Operation):
    """After the tables and triggers that used it are gone."""

    phase: ClassVar[int] = DROP_ENUM_TYPES
    rank: ClassVar[int] = 4
    name: str

    @property
    def table(self) -> str:
        return ""

    def sort_key(self) -> tuple[Any, ...]:
        return (self.name,)

    def describe(self) -> str:
        return f"drop function {self.name} (PostgreSQL)"

    def render(self) -> list[Block]:
        return [Block(_on_postgresql([ddl.drop_function_sql(self.name)]))]


@dataclass(frozen=True)
class AddTrigger(Operation):
    """Once the columns it touches exist."""

    phase: ClassVar[int] = ADD_CONSTRAINTS
    rank: ClassVar[int] = 3
    name: str
    trigger: TriggerState

    @property
    def table(self) -> str:
        return self.name

    def sort_key(self) -> tuple[Any, ...]:
        return (self.trigger.name,)

    def describe(self) -> str:
        return f"add trigger {self.trigger.name} on {self.name} (PostgreSQL)"

    def render(self) -> list[Block]:
        sql = ddl.create_trigger_sql(self.name, self.trigger.name, self.trigger.function)
        return [Block(_on_postgresql([sql]))]


@dataclass(frozen=True)
class DropTrigger(Operation):
    """Before the columns it touches go (a dropped table takes its triggers along)."""

    phase: ClassVar[int] = DROP_CONSTRAINTS
    rank: ClassVar[int] = 3
    name: str
    trigger: TriggerState

    @property
    def table(self) -> str:
        return self.name

    def sort_key(self) -> tuple[Any, ...]:
        return (self.trigger.name,)

    def describe(self) -> str:
        return f"drop trigger {self.trigger.name} on {self.name} (PostgreSQL)"

    def render(self) -> list[Block]:
        return [Block(_on_postgresql([ddl.drop_trigger_sql(self.name, self.trigger.name)]))]


@dataclass(frozen=True)
class AddPolicy(Operation):
    """Row-level security enabled (again: it is idempotent) and one policy."""

    phase: ClassVar[int] = ADD_CONSTRAINTS
    rank: ClassVar[int] = 4
    name: str
    policy: PolicyState

    @property
    def table(self) -> str:
        return self.name

    def sort_key(self) -> tuple[Any, ...]:
        return (self.policy.name,)

    def describe(self) -> str:
        return f"add row-level security policy {self.policy.name} on {self.name} (PostgreSQL)"

    def render(self) -> list[Block]:
        p = self.policy
        statements = [
            ddl.enable_row_security_sql(self.name),
            ddl.create_policy_sql(self.name, p.name, p.command, p.using, p.check),
        ]
        return [Block(_on_postgresql(statements))]


@dataclass(frozen=True)
class DropPolicy(Operation):
    """One policy; with the table's last one, row-level security is disabled too (else the
    table would show no row at all to the roles it held)."""

    phase: ClassVar[int] = DROP_CONSTRAINTS
    rank: ClassVar[int] = 4
    name: str
    policy: PolicyState
    disable: bool = False

    @property
    def table(self) -> str:
        return self.name

    def sort_key(self) -> tuple[Any, ...]:
        return (self.policy.name,)

    def describe(self) -> str:
        return f"drop row-level security policy {self.policy.name} on {self.name} (PostgreSQL)"

    def render(self) -> list[Block]:
        statements = [ddl.drop_policy_sql(self.name, self.policy.name)]
        if self.disable:
            statements.append(ddl.disable_row_security_sql(self.name))
        return [Block(_on_postgresql(statements))]
