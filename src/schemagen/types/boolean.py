"""`boolean`: true or false."""

from typing import Any

from schemagen.types.base import FieldType, TypeDef


def _default(value: Any, f: Any) -> str | None:
    if isinstance(value, bool):
        return None
    return f"the default of a boolean must be true or false, got {value!r}"


TYPE = TypeDef(
    type=FieldType.BOOLEAN,
    summary="true or false",
    family="boolean",
    sql=lambda shape: {"sqlite": "BOOLEAN", "postgresql": "BOOLEAN", "mysql": "BOOL"},
    python="bool",
    ts="boolean",
    zod="z.boolean()",
    json_schema={"type": "boolean"},
    api_kind="boolean",
    widget="checkbox",
    sample=lambda f, k, resource, name: k % 2 == 0,
    invalid=lambda f: ["maybe"],
    default_problem=_default,
    array_item=True,
)
