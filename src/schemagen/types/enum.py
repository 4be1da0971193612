"""`enum`: one of a list of values; native on PostgreSQL and MySQL, a CHECK on SQLite."""

from typing import Any

from schemagen.diagnostics import did_you_mean
from schemagen.types.base import FieldType, SqlShape, TypeDef

LONGEST_VALUE = 63  # PostgreSQL's limit on an enum label


def _sql(shape: SqlShape) -> dict[str, str]:
    assert shape.enum is not None
    width = max(len(v) for v in shape.enum.values)
    return {"sqlite": f"VARCHAR({width})", "postgresql": shape.enum.name, "mysql": "ENUM"}


def _default(value: Any, f: Any) -> str | None:
    values = [o.value for o in f.enum_values]
    if value not in values:
        return f"default {value!r} is not one of the enum values ({', '.join(map(str, values))}){did_you_mean(str(value), values)}"
    return None


def _sample(f: Any, k: int, resource: str, name: str) -> Any:
    assert f is not None and f.enum is not None
    return f.enum.values[k % len(f.enum.values)]


TYPE = TypeDef(
    type=FieldType.ENUM,
    summary="one of a list of values",
    family="enum",
    sql=_sql,
    python="str",
    ts="",
    zod="",
    json_schema={"type": "string"},
    api_kind="enum",
    widget="select",
    sample=_sample,
    invalid=lambda f: ["not one of the values"],
    default_problem=_default,
    options=("values",),
    shorthand=("values",),
    shorthand_variadic=True,
)
