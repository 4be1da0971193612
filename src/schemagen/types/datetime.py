"""`datetime`: a moment with its time zone; the default `now` is the database's."""

import datetime as dt

from schemagen.types import _checks
from schemagen.types.base import FieldType, TypeDef

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
    default_problem=_checks.parsed_default(
        "datetime", lambda v: v == "now" or dt.datetime.fromisoformat(v), "ISO 8601 or 'now'"
    ),
    array_item=True,
)
