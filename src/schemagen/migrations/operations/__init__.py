"""Typed migration operations: what changes, in which phase, what it may lose, and its Alembic code.

Operations never hold DDL text: each one knows the state it needs (a table, the column before and
after) and renders itself as Python that calls `op.*` with `sa.*` types spelled as the models spell
them (see `render_py`). A downgrade is not the reverse of each operation: it is the diff from the
new state back to the old one, computed by the same autodetector, so it is ordered as carefully.

Rendering is dialect-aware inside one revision file: the same revision runs on SQLite (table
rebuilds through `op.batch_alter_table`), PostgreSQL (native enum types) and MySQL/MariaDB. The
few steps that differ test `dialect`, which the revision sets from the migration context.

One module per subject, on a small base: `tables`, `columns`, `indexes`, `constraints` (unique,
check and foreign key: one add and one drop operation), `enums`, `data` (prechecks, fills, raw
SQL) and `postgresql` (trigger functions, triggers, row-level security).
"""

from __future__ import annotations

from schemagen.migrations.operations.base import (
    ADD_CONSTRAINTS,
    ADD_FOREIGN_KEYS,
    ALTER_TABLES,
    CREATE_TABLES,
    DROP_CONSTRAINTS,
    DROP_ENUM_TYPES,
    DROP_FOREIGN_KEYS,
    DROP_TABLES,
    DUPLICATES,
    ENUM_TYPES,
    LATE_DROPS,
    RENAME_TABLES,
    Block,
    Enums,
    Operation,
    Precheck,
    execute_sql,
    existing_args,
    on_dialects,
    on_postgresql,
    update_column,
)
from schemagen.migrations.operations.columns import (
    AddColumn,
    AlterColumn,
    DropColumn,
    RenameColumn,
    sqlite_enum_check,
    widens,
)
from schemagen.migrations.operations.constraints import (
    AddConstraint,
    Constraint,
    DropConstraint,
    Kind,
    foreign_key_constraint,
    kind_of,
)
from schemagen.migrations.operations.data import (
    Execute,
    count_beyond,
    count_dangling,
    count_duplicates,
    count_failing_check,
    count_missing_target,
    count_nulls,
    count_rows,
    count_values,
    fill_column,
    narrowed_bound,
    rows_view,
    sql_value,
)
from schemagen.migrations.operations.enums import (
    AlterEnum,
    CreateEnum,
    DropEnum,
    RenameEnum,
    RenameEnumCheck,
)
from schemagen.migrations.operations.indexes import (
    AddIndex,
    DropIndex,
    create_index_lines,
)
from schemagen.migrations.operations.postgresql import (
    AddPolicy,
    AddTrigger,
    CreateFunction,
    DropFunction,
    DropPolicy,
    DropTrigger,
)
from schemagen.migrations.operations.tables import (
    AlterTableComment,
    CreateTable,
    DropTable,
    RenameTable,
    ReplacePrimaryKey,
)

__all__ = [
    "ADD_CONSTRAINTS",
    "ADD_FOREIGN_KEYS",
    "ALTER_TABLES",
    "CREATE_TABLES",
    "DROP_CONSTRAINTS",
    "DROP_ENUM_TYPES",
    "DROP_FOREIGN_KEYS",
    "DROP_TABLES",
    "DUPLICATES",
    "ENUM_TYPES",
    "LATE_DROPS",
    "RENAME_TABLES",
    "AddColumn",
    "AddConstraint",
    "AddIndex",
    "AddPolicy",
    "AddTrigger",
    "AlterColumn",
    "AlterEnum",
    "AlterTableComment",
    "Block",
    "Constraint",
    "CreateEnum",
    "CreateFunction",
    "CreateTable",
    "DropColumn",
    "DropConstraint",
    "DropEnum",
    "DropFunction",
    "DropIndex",
    "DropPolicy",
    "DropTable",
    "DropTrigger",
    "Enums",
    "Execute",
    "Kind",
    "Operation",
    "Precheck",
    "RenameColumn",
    "RenameEnum",
    "RenameEnumCheck",
    "RenameTable",
    "ReplacePrimaryKey",
    "count_beyond",
    "count_dangling",
    "count_duplicates",
    "count_failing_check",
    "count_missing_target",
    "count_nulls",
    "count_rows",
    "count_values",
    "create_index_lines",
    "execute_sql",
    "existing_args",
    "fill_column",
    "foreign_key_constraint",
    "kind_of",
    "narrowed_bound",
    "on_dialects",
    "on_postgresql",
    "rows_view",
    "sql_value",
    "sqlite_enum_check",
    "update_column",
    "widens",
]
