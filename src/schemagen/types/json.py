"""`json`: any JSON value; JSONB on PostgreSQL."""

from __future__ import annotations

import math
from typing import Any

from schemagen.types.base import HOSTILE, FieldType, TypeDef


def json_problem(value: Any) -> str | None:
    """Why `value` is not a JSON value (a TOML date, a non-finite number), or None."""
    if value is None or isinstance(value, str | bool | int):
        return None
    if isinstance(value, float):
        return (
            None if math.isfinite(value) else f"the JSON default holds {value}, which JSON cannot"
        )
    if isinstance(value, list):
        return next(filter(None, (json_problem(v) for v in value)), None)
    if isinstance(value, dict):
        return next(filter(None, (json_problem(v) for v in value.values())), None)
    return f"the JSON default holds {value!r}, which is not a JSON value (use a string)"


TYPE = TypeDef(
    type=FieldType.JSON,
    summary="any JSON value",
    family="json",
    sql=lambda shape: {"sqlite": "JSON", "postgresql": "JSONB", "mysql": "JSON"},
    python="Any",
    ts="JsonValue",
    zod="z.json()",
    json_schema={},
    api_kind="json",
    widget="json",
    sample=lambda f, k, resource, name: {"n": k, "text": HOSTILE, "list": [1, 2.5, None, True]},
    invalid=lambda f: [],
    default_problem=lambda value, f: json_problem(value),
    comparable=False,
    indexable=False,
    filterable=False,
)
