"""`datetime`: a moment with its time zone; the default `now` is the database's."""

import datetime as dt
from typing import Any

from schemagen.types import _checks
from schemagen.types.base import FieldType, TypeDef

_parsed = _checks.parsed_default(
    "datetime", lambda v: v == "now" or dt.datetime.fromisoformat(v), "ISO 8601 or 'now'"
)


def _default(value: Any, f: Any) -> str | None:
    """An ISO 8601 moment with its offset (or `now`) that is a moment in UTC too: the API stores
    UTC, and refuses input outside the years 1 to 9999 there as it would this default."""
    problem = _parsed(value, f)
    if problem is None and value != "now":
        try:
            dt.datetime.fromisoformat(value).astimezone(dt.UTC)
        except OverflowError:
            return f"default {value!r} is outside the years 1 to 9999 in UTC"
    return problem


TYPE = TypeDef(
    type=FieldType.DATETIME,
    summary="a moment, timezone-aware (ISO 8601); default 'now' is a server default",
    family="temporal",
    sql=lambda shape: {
        "sqlite": "DATETIME",
        "postgresql": "TIMESTAMP WITH TIME ZONE",
        "mysql": "DATETIME",
    },
    python="datetime.datetime",
    ts="string",
    zod="z.iso.datetime({ offset: true })",  # the API wants an offset and sends one
    json_schema={"type": "string", "format": "date-time"},
    api_kind="datetime",
    widget="datetime",
    sample=lambda f, k, resource, name: (
        dt.datetime(2024, 1, 1, 10, tzinfo=dt.UTC) + dt.timedelta(hours=k)
    ).isoformat(),
    invalid=lambda f: ["not a time", "2024-01-01T10:00:00"],  # the second has no time zone
    default_problem=_default,
    array_item=True,
)
