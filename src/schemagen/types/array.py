"""`array(of)`: a list of scalars; `type[]` on PostgreSQL, JSON elsewhere."""

from __future__ import annotations

from schemagen.types.base import FieldType, SqlShape, TypeDef


def _sql(shape: SqlShape) -> dict[str, str]:
    from schemagen.types import REGISTRY, item_shape

    item = REGISTRY[shape.array_of or FieldType.STRING]
    return {
        "sqlite": "JSON",
        "postgresql": f"{item.sql(item_shape(item.type))['postgresql']}[]",
        "mysql": "JSON",
    }


TYPE = TypeDef(
    type=FieldType.ARRAY,
    summary="a list of one scalar type",
    family="array",
    sql=_sql,
    python="",
    ts="",
    zod="",
    json_schema={"type": "array"},
    api_kind="array",
    widget="tags",
    sample=None,  # two of its item type's samples, drawn by the target
    invalid=lambda f: ["not a list"],
    default_problem=None,  # a list of its item type's defaults, checked by validate
    options=("of",),
    shorthand=("of",),
    comparable=False,
)
