"""`date`: a calendar day, ISO 8601; the default `today` is the database's."""

import datetime as dt

from schemagen.types import _checks
from schemagen.types.base import FieldType, TypeDef, same_sql

TYPE = TypeDef(
    type=FieldType.DATE,
    summary="a calendar day (ISO 8601); default 'today' is a server default",
    family="temporal",
    sql=same_sql("DATE"),
    python="datetime.date",
    ts="string",
    zod="z.iso.date()",
    json_schema={"type": "string", "format": "date"},
    api_kind="date",
    widget="date",
    sample=lambda f, k, resource, name: (dt.date(2024, 1, 1) + dt.timedelta(days=k)).isoformat(),
    invalid=lambda f: ["not a time"],
    default_problem=_checks.parsed_default(
        "date", lambda v: v == "today" or dt.date.fromisoformat(v), "ISO 8601 or 'today'"
    ),
    array_item=True,
)
