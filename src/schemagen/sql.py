"""SQL as the generated project spells it, in one place: the DDL type of a column per dialect,
SQLAlchemy column types, Python and server defaults, index options, and the DDL only PostgreSQL
gets (trigger functions, triggers, row-level security).

The sqlalchemy target writes the models with these expressions and the migrations write revisions
with the same ones (asked about snapshot columns), so a revision and the model it must match
cannot drift. SQLAlchemy types are looked up per field type in `SA_TYPES`: a type the map misses
is an error, never a silent default.
"""

from __future__ import annotations

from collections.abc import Callable

from schemagen import ir
from schemagen.literals import py_literal, sql_identifier
from schemagen.types import REGISTRY, FieldType, SqlShape

# Items JSON cannot hold natively; outside PostgreSQL they are stored as strings and parsed back.
ARRAY_ITEM_PARSERS = {
    FieldType.DATE: "datetime.date.fromisoformat",
    FieldType.DATETIME: "datetime.datetime.fromisoformat",
    FieldType.TIME: "datetime.time.fromisoformat",
    FieldType.UUID: "uuid.UUID",
}
INTEGER_KEY = (
    'sa.BigInteger().with_variant(sa.Integer(), "sqlite")'  # SQLite autoincrements INTEGER only
)
# The models name the JSON type once (`models.JSONType`); a revision spells it out (see render_py).
JSON_TYPE_NAME = "JSONType"


def _string(column: ir.Column) -> str:
    return f"sa.String({column.max_length})"


def _integer(column: ir.Column) -> str:
    return INTEGER_KEY if column.primary_key or column.origin == "relation" else "sa.Integer()"


def _enum(column: ir.Column) -> str:
    assert column.enum is not None
    values = ", ".join(py_literal(v) for v in column.enum.values)
    # Native on PostgreSQL (a named type) and MySQL (ENUM); a CHECK constraint on SQLite.
    return f"sa.Enum({values}, name={py_literal(column.enum.name)}, create_constraint=True, validate_strings=True)"


def _array(column: ir.Column) -> str:
    kind = column.array_of or FieldType.STRING
    item = sa_type(
        ir.Column(
            column.name,
            column.attr,
            kind,
            False,
            {},
            # Items of the VARCHAR types are VARCHAR(255), whatever the type's own default.
            max_length=255 if REGISTRY[kind].max_length is not None else None,
        )
    )
    parse = ARRAY_ITEM_PARSERS.get(kind)
    stored = f"JSONArray({parse})" if parse else "sa.JSON(none_as_null=True)"
    return f'{stored}.with_variant(postgresql.ARRAY({item}), "postgresql")'


def _no_column(column: ir.Column) -> str:
    raise AssertionError(f"a {column.type} field has no column of its own type")


# The SQLAlchemy type of a column, per field type (tests/unit/test_types.py: none missing).
SA_TYPES: dict[FieldType, Callable[[ir.Column], str]] = {
    FieldType.STRING: _string,
    FieldType.TEXT: lambda _: "sa.Text()",
    FieldType.INTEGER: _integer,
    FieldType.BIGINT: lambda _: "sa.BigInteger()",
    FieldType.FLOAT: lambda _: "sa.Double()",
    FieldType.DECIMAL: lambda c: f"sa.Numeric({c.precision}, {c.scale})",
    FieldType.BOOLEAN: lambda _: "sa.Boolean()",
    FieldType.DATE: lambda _: "sa.Date()",
    FieldType.DATETIME: lambda _: "sa.DateTime(timezone=True)",
    FieldType.TIME: lambda _: "sa.Time()",
    FieldType.UUID: lambda _: "sa.Uuid()",
    FieldType.EMAIL: _string,
    FieldType.URL: _string,
    FieldType.JSON: lambda _: JSON_TYPE_NAME,
    FieldType.ENUM: _enum,
    FieldType.ARRAY: _array,
    FieldType.RELATION: _no_column,  # its column has the target's key type
    FieldType.MANY_TO_MANY: _no_column,
    FieldType.SLUG: _string,
    FieldType.PHONE: _string,
}


def sql_types(
    kind: str,
    *,
    length: int | None = None,
    precision: int | None = None,
    scale: int | None = None,
    enum: ir.EnumType | None = None,
    array_of: str | None = None,
) -> dict[str, str]:
    """The DDL type of a column on each dialect: documentation for readers and migrations.

    `integer_pk` is an integer key (an id, or a relation's column to one): BIGINT where the
    database can autoincrement it."""
    if kind == "integer_pk":
        return {"sqlite": "INTEGER", "postgresql": "BIGINT", "mysql": "BIGINT"}
    return REGISTRY[FieldType(kind)].sql(
        SqlShape(
            length=length,
            precision=precision,
            scale=scale,
            enum=enum,
            array_of=FieldType(array_of) if array_of else None,
        )
    )


def sa_type(column: ir.Column) -> str:
    """The SQLAlchemy type expression of a column."""
    return SA_TYPES[column.type](column)


def default_args(column: ir.Column) -> list[str]:
    """The `default=` and `server_default=` arguments of a column, as `name=expression` texts."""
    default = column.default
    if default is None:
        return []
    if column.primary_key and column.type == "uuid":
        return ["default=uuid.uuid4"]
    if default.kind == "now":
        return ["server_default=sa.func.now()"]
    if default.kind == "today":
        return ["server_default=sa.func.current_date()"]
    if default.kind == "factory":
        return [f"default=lambda: {py_literal(default.value)}"]
    value = default.value
    python = _python_default(column, value)
    if default.sql is None:
        return [f"default={python}"]
    family = REGISTRY[column.type].family
    if family == "boolean":
        server = "sa.true()" if value else "sa.false()"
    elif family == "number":
        server = f"sa.text({py_literal(str(value))})"
    elif family in ("temporal", "uuid"):
        # Rendered by the column type, so the database holds what SQLAlchemy binds: SQLite
        # stores times as '09:30:00.000000', uuids outside PostgreSQL as 32 hex digits.
        server = f"sa.literal({python}, {sa_type(column)})"
    else:
        server = py_literal(str(value))  # SQLAlchemy quotes a plain string for the DDL
    return [f"default={python}", f"server_default={server}"]


def _python_default(column: ir.Column, value: object) -> str:
    """A Python expression of a literal default, of the column's Python type."""
    python = REGISTRY[column.type].python
    if python in ("decimal.Decimal", "uuid.UUID"):
        return f"{python}({py_literal(str(value))})"
    if python.startswith("datetime."):
        return f"{python}.fromisoformat({py_literal(value)})"
    return py_literal(value)


def index_options(*, unique: bool, where: str | None, using: str | None) -> list[str]:
    """The keyword arguments of `sa.Index(...)` and `op.create_index(...)` beyond name and columns."""
    options = ["unique=True"] if unique else []
    if where:
        # Partial on PostgreSQL and SQLite; MySQL has no partial indexes, so it indexes every row.
        text = f"sa.text({sql_text_literal(where)})"
        options += [f"postgresql_where={text}", f"sqlite_where={text}"]
    if using:
        options.append(f"postgresql_using={py_literal(using)}")
    return options


def sql_text_literal(expr: str) -> str:
    """A Python literal of SQL for `sa.text()`: colons escaped, so `':x'` in a string is no bind parameter."""
    return py_literal(expr.replace(":", "\\:"))


def ddl_literal(sql: str) -> str:
    """A Python literal of SQL for `sa.DDL()`, which applies %-formatting to its statement."""
    return py_literal(sql.replace("%", "%%"))


# ---------------------------------------------------------------------------------------------
# PostgreSQL-only DDL: the models (create_all) and the migrations run exactly these statements.


def create_function_sql(name: str, body: str) -> str:
    return (
        f"CREATE OR REPLACE FUNCTION {sql_identifier(name)}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        f"BEGIN\n  {body}\nEND\n$$"
    )


def drop_function_sql(name: str) -> str:
    return f"DROP FUNCTION IF EXISTS {sql_identifier(name)}()"


def create_trigger_sql(table: str, name: str, function: str) -> str:
    return f"CREATE TRIGGER {sql_identifier(name)} BEFORE UPDATE ON {sql_identifier(table)} FOR EACH ROW EXECUTE FUNCTION {sql_identifier(function)}()"


def drop_trigger_sql(table: str, name: str) -> str:
    return f"DROP TRIGGER IF EXISTS {sql_identifier(name)} ON {sql_identifier(table)}"


def enable_row_security_sql(table: str) -> str:
    # Not FORCE: the owner, who runs the migrations, keeps seeing every row.
    return f"ALTER TABLE {sql_identifier(table)} ENABLE ROW LEVEL SECURITY"


def disable_row_security_sql(table: str) -> str:
    return f"ALTER TABLE {sql_identifier(table)} DISABLE ROW LEVEL SECURITY"


def create_policy_sql(
    table: str, name: str, command: str, using: str | None, check: str | None
) -> str:
    sql = f"CREATE POLICY {sql_identifier(name)} ON {sql_identifier(table)} FOR {command}"
    sql += f" USING ({using})" if using is not None else ""
    return sql + (f" WITH CHECK ({check})" if check is not None else "")


def row_security_sql(table: str, policies: tuple[ir.Policy, ...]) -> list[str]:
    """Row-level security on, and the table's policies: what create_all runs on PostgreSQL."""
    if not policies:
        return []
    return [
        enable_row_security_sql(table),
        *(create_policy_sql(table, p.name, p.command, p.using, p.check) for p in policies),
    ]


def drop_policy_sql(table: str, name: str) -> str:
    return f"DROP POLICY IF EXISTS {sql_identifier(name)} ON {sql_identifier(table)}"
