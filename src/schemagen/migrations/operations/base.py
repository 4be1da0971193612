"""The small base every migration operation stands on: the phases a revision runs in, the
`Operation` contract, and the few rendering helpers several subjects share."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from schemagen.migrations import render_py as py
from schemagen.migrations.snapshot import ColumnState

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


def execute_sql(sql: str) -> str:
    return f"op.execute(sa.text({py.sql_text(sql)}))"


def on_postgresql(statements: list[str]) -> list[str]:
    if not statements:
        return []
    return ['if dialect == "postgresql":', *(f"    {execute_sql(sql)}" for sql in statements)]


def on_dialects(dialects: tuple[str, ...], lines: list[str]) -> list[str]:
    """`lines`, run only on `dialects` (on every dialect when there are none)."""
    if not dialects:
        return lines
    test = (
        f"dialect == {py.lit(dialects[0])}"
        if len(dialects) == 1
        else f"dialect in {py.lit(dialects)}"
    )
    return [f"if {test}:", *(f"    {line}" for line in lines)]


def existing_args(column: ColumnState, enums: Enums) -> list[str]:
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


def update_column(
    table: str, column: str, type_: str, value: str, where: str | None = None
) -> list[str]:
    """An UPDATE of one column, through SQLAlchemy so each dialect binds `value` its own way.

    `where` is a condition on the column, e.g. ".is_(None)"."""
    ref = f"table.c[{py.lit(column)}]"
    condition = f".where({ref}{where})" if where else ""
    return [
        f"table = sa.table({py.lit(table)}, sa.column({py.lit(column)}, {type_}))",
        f"op.execute(table.update(){condition}.values({{{py.lit(column)}: {value}}}))",
    ]


DUPLICATES = (
    "rows that repeat a value would make the upgrade fail; it then counts them first and stops "
    "before changing anything"
)
