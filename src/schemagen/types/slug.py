"""`slug(n)`: a URL-safe name: lowercase letters and digits in words joined by single hyphens.

VARCHAR(n), n = 50 by default (Django's SlugField). The API checks the pattern; to the generated
runtime a slug is a string (filters, sort and search as for `string`).
"""

from __future__ import annotations

import re
from typing import Any

from schemagen.types import _checks
from schemagen.types.base import MISSING, FieldType, TypeDef
from schemagen.types.string import sql

PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
DEFAULT_LENGTH = 50


def _sample(f: Any, k: int, resource: str, name: str) -> Any:
    """`<k>-<the field name's words>`, cut to the field's max_length and padded to its min_length;
    the row number leads so that a cut value stays unique."""
    words = [w for w in re.split(r"[^a-z0-9]+", name.lower()) if w]
    text = "-".join([str(k), *words])
    if f is not None and f.max_length:
        text = text[: f.max_length].rstrip("-")
    minimum = f.min_length if f is not None and f.min_length else 0
    text += "x" * max(0, minimum - len(text))
    if f is not None and f.max_length and len(text) > f.max_length:
        return MISSING
    return text


def _invalid(f: Any) -> list[Any]:
    """Off the pattern (within the lengths, so the pattern is what refuses them), too long, too
    short, not a string."""
    values: list[Any] = [
        text
        for text in ("Not-A-Slug", "double--hyphen", "-")
        if len(text) <= (f.max_length or len(text)) and len(text) >= (f.min_length or 0)
    ][:2]
    values.append(12)
    if f.max_length:
        values.append("x" * (f.max_length + 1))
    if f.min_length:
        values.append("x" * (f.min_length - 1))
    return values


TYPE = TypeDef(
    type=FieldType.SLUG,
    summary="lowercase letters and digits in words joined by single hyphens, e.g. 'hello-world-2'",
    family="text",
    sql=sql,
    python="str",
    ts="string",
    zod="z.string()",
    json_schema={"type": "string"},
    api_kind="string",
    widget="slug",
    sample=_sample,
    invalid=_invalid,
    default_problem=_checks.builtin_pattern_default(PATTERN, "'hello-world-2'"),
    options=("max_length", "min_length"),
    shorthand=("max_length",),
    max_length=DEFAULT_LENGTH,
    length_limit=255,
    pattern=PATTERN,
    searchable=True,
)
