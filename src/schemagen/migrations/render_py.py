"""Python expressions for revision files: types, columns and defaults exactly as the models spell them.

`schemagen.sql` renders the models' types and defaults; this module asks it the same questions
about snapshot columns, so a migration and the model it must match cannot drift.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from schemagen import ir
from schemagen.literals import py_literal, sql_literal
from schemagen.migrations.snapshot import ColumnState, DefaultState
from schemagen.sql import JSON_TYPE_NAME, default_args, sql_text_literal
from schemagen.sql import sa_type as column_sa_type
from schemagen.types import FieldType

# The models name this expression once; a revision spells it out (it must not import the models,
# which change after the revision is written).
JSON_TYPE = 'sa.JSON().with_variant(postgresql.JSONB(), "postgresql")'

lit = py_literal
sql_text = sql_text_literal


def ir_column(column: ColumnState, enums: dict[str, tuple[str, ...]]) -> ir.Column:
    """The IR column the sqlalchemy target would render for this snapshot column."""
    enum = None
    if column.enum is not None:
        values = enums.get(column.enum, ())
        enum = ir.EnumType(column.enum, tuple(ir.EnumOption(v, v) for v in values))
    default = (
        ir.Default(column.default.value, column.default.sql, column.default.kind)
        if column.default
        else None
    )  # type: ignore[arg-type]
    key = column.type == "integer_key"
    return ir.Column(
        name=column.name,
        attr=column.name,
        type=FieldType.INTEGER if key else FieldType(column.type),
        nullable=column.nullable,
        sql_types={},
        origin="relation" if key else "field",
        max_length=column.length,
        precision=column.precision,
        scale=column.scale,
        enum=enum,
        array_of=FieldType(column.array_of) if column.array_of else None,
        default=default,
        comment=column.comment,
    )


def sa_type(column: ColumnState, enums: dict[str, tuple[str, ...]]) -> str:
    text = column_sa_type(ir_column(column, enums))
    if text == JSON_TYPE_NAME:
        return JSON_TYPE
    # The models parse arrays of dates, times and uuids back with their JSONArray; the column a
    # revision creates is the JSON underneath it, so revisions need nothing from the models.
    return re.sub(r"JSONArray\([\w.]+\)", "sa.JSON(none_as_null=True)", text)


def enum_type(name: str, values: tuple[str, ...], *, constraint: bool = True) -> str:
    args = ", ".join(lit(v) for v in values)
    extra = ", create_constraint=True, validate_strings=True" if constraint else ""
    return f"sa.Enum({args}, name={lit(name)}{extra})"


def _default_parts(column: ColumnState, enums: dict[str, tuple[str, ...]]) -> dict[str, str]:
    if column.default is None:
        return {}
    parts = {}
    for arg in default_args(ir_column(column, enums)):
        key, _, value = arg.partition("=")
        parts[key] = value
    return parts


def server_default(column: ColumnState | None, enums: dict[str, tuple[str, ...]]) -> str | None:
    """The `server_default=` expression of the models, or None."""
    if column is None:
        return None
    return _default_parts(column, enums).get("server_default")


def default_value(column: ColumnState, enums: dict[str, tuple[str, ...]]) -> str | None:
    """An expression for the value the default gives a row (to fill existing rows), or None."""
    if column.default is None:
        return None
    if column.default.kind == "now":
        return "sa.func.now()"
    if column.default.kind == "today":
        return "sa.func.current_date()"
    return _default_parts(column, enums).get("default")


def fill_value(column: ColumnState, enums: dict[str, tuple[str, ...]], value: DefaultState) -> str:
    """An expression for `value` (a `backfill:`) as the column's type binds it."""
    if value.kind == "factory":  # JSON and arrays: the value itself
        return lit(value.value)
    expression = default_value(replace(column, default=value), enums)
    assert expression is not None
    return expression


def column(
    col: ColumnState,
    enums: dict[str, tuple[str, ...]],
    *,
    nullable: bool | None = None,
    with_default: bool = True,
) -> str:
    """`sa.Column(...)` for create_table and add_column."""
    args = [lit(col.name), sa_type(col, enums)]
    if col.autoincrement:
        args.append("autoincrement=True")
    args.append(f"nullable={col.nullable if nullable is None else nullable}")
    default = server_default(col, enums) if with_default else None
    if default is not None:
        args.append(f"server_default={default}")
    if col.comment is not None:
        args.append(f"comment={lit(col.comment)}")
    return f"sa.Column({', '.join(args)})"


# A value of each type for rows that must get one and have none (downgrades only); an enum's is
# its first value (tests/unit/test_types.py: none missing).
PLACEHOLDERS: dict[FieldType, str] = {
    FieldType.STRING: "''",
    FieldType.TEXT: "''",
    FieldType.INTEGER: "0",
    FieldType.BIGINT: "0",
    FieldType.FLOAT: "0",
    FieldType.DECIMAL: 'decimal.Decimal("0")',
    FieldType.BOOLEAN: "False",
    FieldType.DATE: "datetime.date(1970, 1, 1)",
    FieldType.DATETIME: "datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)",
    FieldType.TIME: "datetime.time(0, 0)",
    FieldType.UUID: 'uuid.UUID("00000000-0000-0000-0000-000000000000")',
    FieldType.EMAIL: "''",
    FieldType.URL: "''",
    FieldType.JSON: "[]",
    FieldType.ENUM: "''",
    FieldType.ARRAY: "[]",
    FieldType.RELATION: "None",  # a relation's column is recorded as its key type
    FieldType.MANY_TO_MANY: "None",
    FieldType.SLUG: "''",
    FieldType.PHONE: "''",
}


def placeholder(col: ColumnState, enums: dict[str, tuple[str, ...]]) -> str:
    """A value of the column's type for rows that must get one and have none (downgrades only)."""
    if col.enum and enums.get(col.enum):
        return lit(enums[col.enum][0])
    if col.type == "integer_key":
        return "0"
    return PLACEHOLDERS[FieldType(col.type)]


def json_value(value: Any) -> str:
    return lit(value)


def in_list(column_name: str, values: tuple[str, ...]) -> str:
    """The SQL of the CHECK constraint SQLAlchemy makes for a non-native enum."""
    return f"{column_name} IN ({', '.join(sql_literal(v) for v in values)})"
