"""`url`: an absolute URL, VARCHAR(2048)."""

from schemagen.types import _checks
from schemagen.types.base import FieldType, TypeDef
from schemagen.types.string import sql

TYPE = TypeDef(
    type=FieldType.URL,
    summary="an absolute URL",
    family="text",
    sql=sql,
    python="str",
    ts="string",
    zod="z.url()",
    json_schema={"type": "string", "format": "uri"},
    api_kind="url",
    widget="url",
    sample=lambda f, k, resource, name: f"https://example.com/{name}/{k}?q=it%27s",
    invalid=lambda f: ["not a url"],
    default_problem=_checks.text_default,
    options=("max_length", "min_length"),
    shorthand=("max_length",),
    max_length=2048,
    array_item=True,
    searchable=True,
)
