"""`text`: text of any length, TEXT."""

from schemagen.types import _checks
from schemagen.types.base import FieldType, TypeDef, same_sql

TYPE = TypeDef(
    type=FieldType.TEXT,
    summary="text of any length",
    family="text",
    sql=same_sql("TEXT"),
    python="str",
    ts="string",
    zod="z.string()",
    json_schema={"type": "string"},
    api_kind="text",
    widget="textarea",
    sample=lambda f, k, resource, name: _checks.free_text(f, k, name),
    invalid=_checks.text_invalid,
    default_problem=_checks.text_default,
    options=("max_length", "min_length", "pattern"),
    shorthand=("max_length",),
    array_item=True,
    searchable=True,
)
