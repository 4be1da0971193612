"""`email`: an e-mail address, VARCHAR(320), checked for its syntax."""

from schemagen.types import _checks
from schemagen.types.base import FieldType, TypeDef
from schemagen.types.string import sql

TYPE = TypeDef(
    type=FieldType.EMAIL,
    summary="an e-mail address",
    family="text",
    sql=sql,
    python="str",
    ts="string",
    zod="z.email()",
    json_schema={"type": "string", "format": "email"},
    api_kind="email",
    widget="email",
    sample=lambda f, k, resource, name: f"{name.replace('_', '.')}.{k}@example.com",
    invalid=lambda f: ["not an email"],
    default_problem=_checks.text_default,
    options=("max_length", "min_length"),
    shorthand=("max_length",),
    max_length=320,
    array_item=True,
    searchable=True,
)
