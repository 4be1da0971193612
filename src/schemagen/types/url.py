"""`url`: an absolute URL, VARCHAR(2048)."""

from schemagen.types import _checks
from schemagen.types.base import FieldType, TypeDef
from schemagen.types.string import sql

# What the generated API checks a URL against (format "uri", as Pydantic models it): a scheme,
# "://", a host, and no white space. A default is checked against it too.
PATTERN = r"^[A-Za-z][A-Za-z0-9+.\-]*://[^\s/?#]+[^\s]*$"

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
    default_problem=_checks.builtin_pattern_default(PATTERN, "'https://example.com/'"),
    options=("max_length", "min_length"),
    shorthand=("max_length",),
    max_length=2048,
    array_item=True,
    searchable=True,
)
