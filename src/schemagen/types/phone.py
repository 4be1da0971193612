"""`phone`: a telephone number in E.164 form, `+` and up to 15 digits (`+14155550123`), VARCHAR(16).

One canonical form, so equal numbers compare equal and a unique phone means one subscriber.
To the generated runtime a phone is a string.
"""

from __future__ import annotations

from typing import Any

from schemagen.types import _checks
from schemagen.types.base import FieldType, TypeDef
from schemagen.types.string import sql

PATTERN = r"^\+[1-9]\d{1,14}$"
LENGTH = 16  # "+" and at most 15 digits


def _sample(f: Any, k: int, resource: str, name: str) -> Any:
    return f"+1555{k:07d}"


TYPE = TypeDef(
    type=FieldType.PHONE,
    summary="a telephone number in E.164 form: '+' then up to 15 digits, e.g. '+14155550123'",
    family="text",
    sql=sql,
    python="str",
    ts="string",
    zod="z.string()",
    json_schema={"type": "string"},
    api_kind="string",
    widget="tel",
    sample=_sample,
    invalid=lambda f: ["555-0100", "+0123456", "+1" + "2" * 15, 12],
    default_problem=_checks.builtin_pattern_default(PATTERN, "'+14155550123'"),
    max_length=LENGTH,
    pattern=PATTERN,
    searchable=True,
)
