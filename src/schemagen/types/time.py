"""`time`: a time of day, ISO 8601."""

import datetime as dt

from schemagen.types import _checks
from schemagen.types.base import FieldType, TypeDef, same_sql

TYPE = TypeDef(
    type=FieldType.TIME,
    summary="a time of day (ISO 8601)",
    family="temporal",
    sql=same_sql("TIME"),
    python="datetime.time",
    ts="string",
    zod="z.iso.time()",
    json_schema={"type": "string", "format": "time"},
    api_kind="time",
    widget="time",
    sample=lambda f, k, resource, name: (
        (dt.datetime(2024, 1, 1, 9) + dt.timedelta(minutes=k)).time().isoformat()
    ),
    invalid=lambda f: ["not a time"],
    default_problem=_checks.parsed_default("time", dt.time.fromisoformat, "ISO 8601"),
    array_item=True,
)
