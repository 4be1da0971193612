"""`string(n)`: a bounded line of text, VARCHAR(n)."""

from schemagen.types import _checks
from schemagen.types.base import FieldType, SqlShape, TypeDef

DEFAULT_LENGTH = 255
# MySQL's VARCHAR holds at most 65,535 bytes a row; 16,383 four-byte characters fit.
LONGEST = 16383


def sql(shape: SqlShape) -> dict[str, str]:
    text = f"VARCHAR({shape.length})"
    return {"sqlite": text, "postgresql": text, "mysql": text}


TYPE = TypeDef(
    type=FieldType.STRING,
    summary="a line of text; max_length defaults to 255",
    family="text",
    sql=sql,
    python="str",
    ts="string",
    zod="z.string()",
    json_schema={"type": "string"},
    api_kind="string",
    widget="text",
    sample=lambda f, k, resource, name: _checks.free_text(f, k, name),
    invalid=_checks.text_invalid,
    default_problem=_checks.text_default,
    options=("max_length", "min_length", "pattern"),
    shorthand=("max_length",),
    max_length=DEFAULT_LENGTH,
    length_limit=LONGEST,
    array_item=True,
    searchable=True,
)
