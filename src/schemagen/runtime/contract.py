"""Facts of the API contract that the runtime and the generator share, keyed by API kind.

An API kind is the type the API gives a column: a schema field type (`string`, `decimal`,
`enum`, ...), with relations as their target's key (`uuid` or `integer`). The generator reads
these (the OpenAPI document, the client and the generated tests describe what the runtime does),
so this module imports the standard library only.
"""

from __future__ import annotations

import datetime
import decimal
import re
import uuid
from collections.abc import Iterable
from typing import Any

# Kinds whose values have an order: they filter with `__gte` and `__lte` too.
ORDERED_TYPES = (
    "string",
    "text",
    "email",
    "url",
    "integer",
    "bigint",
    "float",
    "decimal",
    "date",
    "datetime",
    "time",
)
TEXT_TYPES = ("string", "text", "email", "url", "enum")
# Kinds a search (`q`) matches as they are; any other searchable kind is compared as text.
SEARCH_TEXT_TYPES = ("string", "text", "email", "url")
# Kinds whose query-string text is their JSON (`?n=3`, `?b=true`).
JSON_LITERAL_TYPES = ("integer", "bigint", "float", "decimal", "boolean")
UNSORTABLE_TYPES = ("json", "array")
# The Python type a filter or cursor value is parsed as.
PYTHON_TYPES: dict[str, Any] = {
    "string": str,
    "text": str,
    "email": str,
    "url": str,
    "enum": str,
    "integer": int,
    "bigint": int,
    "float": float,
    "decimal": decimal.Decimal,
    "boolean": bool,
    "date": datetime.date,
    "datetime": datetime.datetime,
    "time": datetime.time,
    "uuid": uuid.UUID,
    "json": Any,
}
INT_BOUNDS = {"integer": (-(2**31), 2**31 - 1), "bigint": (-(2**63), 2**63 - 1)}
# Every integer column holds at most a signed 64-bit value; SQLite cannot even bind a larger one.
INTEGER_RANGE = (-(2**63), 2**63 - 1)
# Decimal filter values: far past any column's precision, short of where databases overflow.
MAX_DECIMAL_EXPONENT = 100
# Pydantic reads a number, or a numeric text, as a timestamp: a date, time or datetime filter is
# its ISO text only.
ISO_TEXT = {
    "date": re.compile(r"\d{4}-\d{2}-\d{2}"),
    "datetime": re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})"),
    "time": re.compile(r"\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:\d{2})?"),
}

# The list's own query parameters; every other one is a filter.
LIST_PARAMETERS = ("limit", "cursor", "sort", "q")
# Bounds of a list's query string: a longer `q` or more `__in` values is a 422, not a statement
# the database refuses (SQLite's LIKE pattern and every driver's parameter count have limits).
MAX_SEARCH_LENGTH = 500
MAX_IN_VALUES = 1000
DEFAULT_PAGE_SIZE = 50
DEFAULT_MAX_PAGE_SIZE = 500
# Many-to-many fields filter by the ids they link to.
LINK_OPERATORS = ("eq", "in")

# The audit trail's list: `GET /api/audit`.
AUDIT_PAGE_SIZE = 50
AUDIT_MAX_PAGE_SIZE = 500
AUDIT_FILTERS = ("resource", "row_id", "action")

# The bulk runs' list: `GET /api/bulk_runs`.
BULK_RUNS_PAGE_SIZE = 50
BULK_RUNS_MAX_PAGE_SIZE = 500

# The change feed: `GET /api/changes`, `GET /api/changes/stream`.
CHANGES_PAGE_SIZE = 100
CHANGES_MAX_PAGE_SIZE = 1000


def filter_operators(kind: str) -> tuple[str, ...]:
    """The operators a list filter takes on a column of API kind `kind` (`f`, `f__in`, ...)."""
    if kind == "array":
        return ("eq", "in", "isnull")
    if kind == "json":
        return ("isnull",)
    if kind in ORDERED_TYPES:
        return ("eq", "in", "gte", "lte", "isnull")
    return ("eq", "in", "isnull")


SCOPE_LENGTH = 64  # tenant, branch and user ids: the width of their columns
BULK_WORKER_THREAD = "bulk-worker"  # the embedded bulk worker's thread, by name
# Where a write came from, on audit entries and bulk runs: the peer's address (an IPv6 address
# with an IPv4 tail is 45 characters) and its User-Agent, cut to the column.
IP_ADDRESS_LENGTH = 45
USER_AGENT_LENGTH = 512

# An export's formats (`GET /api/<table>/export?format=`), their media types and the schema of
# each answer in the OpenAPI document.
EXPORT_FORMATS = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
EXPORT_SCHEMAS: dict[str, dict[str, Any]] = {
    "text/csv": {"type": "string"},
    EXPORT_FORMATS["xlsx"]: {"type": "string", "format": "binary"},
}


# Rate limits (runtime.ratelimits): the settings, and the grammar of a rule, which schemagen.toml's
# `[app] rate_limits` is checked against at build time as `RATE_LIMITS` is at start-up.
RATE_LIMITS_SETTING = "RATE_LIMITS"
RATE_LIMIT_STORAGE_SETTING = "RATE_LIMIT_STORAGE"
DEFAULT_RATE_LIMIT_STORAGE = "memory://"
ANY_ACTION = "*"
# `office.create`, `*.bulk` or `*`; a limit as `limits` reads it, within sane numbers.
RULE_ACTION = r"\*|\*\.[a-z_][a-z0-9_]*|[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*"
RULE_LIMIT = r"[1-9][0-9]{0,8} */ *(?:[1-9][0-9]{0,5} +)?(?:second|minute|hour|day)s?"


def parse_rules(text: str, setting: str = RATE_LIMITS_SETTING) -> dict[str, str]:
    """`office.create=30/minute, *.bulk=10/minute` as a mapping; a ValueError names `setting`."""
    rules: dict[str, str] = {}
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        action, sep, limit = (s.strip() for s in part.partition("="))
        if not sep:
            raise ValueError(f"{setting}: {part!r} is not action=limit (e.g. '*.bulk=10/minute')")
        rules[action] = limit
    return rules


def rule_action_problem(action: str) -> str | None:
    if not re.fullmatch(RULE_ACTION, action):
        return f"{action!r} is no action: 'resource.action', '*.action' or '*'"
    return None


def rule_limit_problem(limit: str) -> str | None:
    if not re.fullmatch(RULE_LIMIT, limit):
        return (
            f"{limit!r} is no limit: N/unit or N/M units, the unit second, minute, hour or day "
            "(e.g. '10/minute', '5/10 seconds')"
        )
    return None


def rule_problem(action: str, limit: str) -> str | None:
    """What is wrong with one rule, or None."""
    return rule_action_problem(action) or rule_limit_problem(limit)


def action_problem(action: str, actions: Iterable[str]) -> str | None:
    """What is wrong with a rule's action, given the app's action names, or None."""
    if action == ANY_ACTION:
        return None
    known = set(actions)
    if action.startswith("*."):
        verbs = {name.rpartition(".")[2] for name in known}
        if action[2:] not in verbs:
            return f"{action!r}: no action of this app is a {action[2:]!r}"
        return None
    if action not in known:
        return f"{action!r}: this app has no such action"
    return None
