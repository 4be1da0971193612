"""What a revision does to rows: prechecks that count the rows a step would fail on (Python
expressions of SELECT count(*) queries, built with SQLAlchemy so each dialect quotes names and
binds values its own way), fills of existing rows, and raw SQL (`Execute`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from schemagen.migrations import render_py as py
from schemagen.migrations.operations.base import (
    ALTER_TABLES,
    Block,
    Enums,
    Operation,
    execute_sql,
    update_column,
)
from schemagen.migrations.snapshot import ColumnState


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


def fill_column(
    table: str, column: ColumnState, enums: Enums, value: str, *, only_null: bool = True
) -> list[str]:
    """An UPDATE that gives `column` the value `value` (where it is NULL)."""
    return update_column(
        table, column.name, py.sa_type(column, enums), value, ".is_(None)" if only_null else None
    )


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
                lines.append(execute_sql(sql))
            else:
                lines += [f"if dialect == {py.lit(dialect)}:", f"    {execute_sql(sql)}"]
        return [Block(lines)]
