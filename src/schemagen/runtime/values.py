"""Values between JSON, Python and each database: what a column stores, what a filter means."""

from __future__ import annotations

import datetime
import decimal
import functools
import json
import math
import os
import uuid
from typing import Any, TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError
from sqlalchemy.orm import Session

from .contract import (
    INT_BOUNDS,
    INTEGER_RANGE,
    ISO_TEXT,
    JSON_LITERAL_TYPES,
    MAX_DECIMAL_EXPONENT,
    PYTHON_TYPES,
)
from .errors import ApiError, validation_error
from .resources import Column, Key, Resource

# A value as JSON has it.
Json = dict[str, "Json"] | list["Json"] | str | int | float | bool | None
Value = TypeVar("Value")


def positive_setting(name: str, default: int, unit: str) -> int:
    """The environment's `name`, a positive whole number of `unit`; `default` when unset or blank."""
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    if not text.isdigit() or int(text) < 1:
        raise ValueError(f"{name} must be a positive number of {unit}, not {text!r}")
    return int(text)


def dialect_of(session: Session) -> str:
    return session.get_bind().dialect.name


def to_db(column: Column, value: object, dialect: str) -> object:
    """A validated API value as the column stores it on `dialect`."""
    if value is None:
        return None
    if isinstance(value, datetime.datetime):  # validated: only a datetime column holds one
        return stored_time(value, dialect)
    if column.type == "array" and dialect != "postgresql":
        return jsonable(value)  # a JSON column: only JSON types go in
    return value


def stored_time(value: datetime.datetime, dialect: str) -> datetime.datetime:
    # Only PostgreSQL keeps the offset; elsewhere every timestamp is stored as naive UTC.
    aware = as_utc(value).astimezone(datetime.UTC)
    return aware if dialect == "postgresql" else aware.replace(tzinfo=None)


def as_utc(value: datetime.datetime) -> datetime.datetime:
    """A stored timestamp made aware: a naive one is UTC (SQLite and MySQL keep no offset)."""
    return value if value.tzinfo is not None else value.replace(tzinfo=datetime.UTC)


def now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def stored_now(session: Session) -> datetime.datetime:
    """The current time as this database's timestamp columns take it (naive UTC but on PostgreSQL)."""
    return stored_time(now(), dialect_of(session))


def storable(value: Value, name: str) -> Value:
    """`value` (a request's, after validation), or a 422 naming `name` when no column can hold it:
    text with NUL (PostgreSQL's cannot), a non-finite number (JSON has none to give back), a time
    that leaves years 1-9999 once in UTC (as every database stores it). Nested values included.
    """
    if isinstance(value, str):
        if "\x00" in value:
            raise validation_error(f"{name}: text cannot hold the NUL character (U+0000)", name)
    elif isinstance(value, float | decimal.Decimal):
        if not (value.is_finite() if isinstance(value, decimal.Decimal) else math.isfinite(value)):
            raise validation_error(f"{name}: numbers must be finite (no NaN or Infinity)", name)
    elif isinstance(value, datetime.datetime):
        try:
            as_utc(value).astimezone(datetime.UTC)
        except OverflowError:
            raise validation_error(
                f"{name}: the time must fall within the years 1 to 9999 in UTC", name
            ) from None
    elif isinstance(value, dict):
        for key, item in value.items():
            storable(key, name)
            storable(item, name)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            storable(item, name)
    return value


def from_db(column: Column, value: object) -> object:
    if column.type == "datetime" and isinstance(value, datetime.datetime):
        return as_utc(value)
    return value


def jsonable(value: object) -> Json:
    """`value` with every non-JSON type made JSON: decimals as numbers, times as ISO strings."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return json_default(value)


def _exponent(value: decimal.Decimal) -> int:
    exponent = value.as_tuple().exponent
    return exponent if isinstance(exponent, int) else 0  # "n", "N", "F": not a finite number


def json_default(value: object) -> Json:
    if isinstance(value, decimal.Decimal):
        return (
            int(value)
            if value == value.to_integral_value() and _exponent(value) >= 0
            else float(value)
        )
    if isinstance(value, datetime.datetime):
        return as_utc(value).isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, BaseModel):
        return jsonable(value.model_dump(by_alias=True))
    if isinstance(value, set | frozenset | tuple):
        return jsonable(list(value))
    return str(value)  # URLs and other string-like values


@functools.cache
def type_adapter(kind: str) -> TypeAdapter[Any]:
    return TypeAdapter(PYTHON_TYPES[kind])


def parse_value(column: Column, value: object, name: str) -> object:
    """A filter or cursor value (often a query-string text) as the column's Python type."""
    kind = column.item if column.type == "array" else column.type
    if kind == "enum":
        if value not in column.choices:
            raise validation_error(
                f"{name}: {value!r} is not one of {', '.join(map(repr, column.choices))}", name
            )
        return value
    if kind == "datetime" and value == "now":  # lets a saved list ask for "due before now"
        return datetime.datetime.now(datetime.UTC)
    storable(value, name)
    adapter = type_adapter(kind or "string")
    if kind in ISO_TEXT and not (isinstance(value, str) and ISO_TEXT[kind].fullmatch(value)):
        raise validation_error(
            f"{name}: {value!r} is not an ISO 8601 {kind} (as the document's format)", name
        )
    try:
        # As strictly as the document's types: "0" is not a date, "yes" not a boolean.
        if not isinstance(value, str):
            parsed = adapter.validate_json(json.dumps(value), strict=True)
        elif kind in JSON_LITERAL_TYPES:
            parsed = adapter.validate_json(value, strict=True)
        else:
            parsed = adapter.validate_json(json.dumps(value), strict=True)
    except ValidationError as error:
        raise validation_error(f"{name}: {error.errors()[0]['msg']}", name) from None
    if kind in INT_BOUNDS and not INT_BOUNDS[kind][0] <= parsed <= INT_BOUNDS[kind][1]:
        raise validation_error(f"{name}: out of range for the column", name)
    return in_range(as_utc(parsed) if kind == "datetime" else parsed, name)


def in_range(value: Value, name: str) -> Value:
    """A parsed filter or cursor value the database can compare, else a 422 naming `name`."""
    if (
        isinstance(value, int)
        and not isinstance(value, bool)
        and not INTEGER_RANGE[0] <= value <= INTEGER_RANGE[1]
    ):
        raise validation_error(
            f"{name}: integers are 64-bit ({INTEGER_RANGE[0]} to {INTEGER_RANGE[1]})", name
        )
    if (
        isinstance(value, decimal.Decimal)
        and value.is_finite()
        and value
        and abs(value.adjusted()) > MAX_DECIMAL_EXPONENT
    ):
        raise validation_error(f"{name}: the number is out of range", name)
    return storable(value, name)


def parse_key(resource: Resource, value: object, name: str = "id") -> Key:
    """A row id from a path, a body or a cursor; what cannot be an id is a 422 naming `name`."""
    try:
        if resource.key == "integer":
            if isinstance(value, bool) or not isinstance(value, int | str):
                raise TypeError(value)
            key = int(value)
            if not INTEGER_RANGE[0] <= key <= INTEGER_RANGE[1]:
                # Well-formed, but no row has it (SQLite could not even look it up).
                raise (
                    not_found(resource, value)
                    if name == "id"
                    else validation_error(f"{name}: out of range", name)
                )
            return key
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except (TypeError, ValueError):
        kind = "an integer" if resource.key == "integer" else "a UUID"
        raise validation_error(f"{name}: {value!r} is not {kind}", name) from None


def not_found(resource: Resource, key: object) -> ApiError:
    return ApiError(404, "not_found", f"{resource.label} {key} not found")
