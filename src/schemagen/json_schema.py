"""The JSON Schema of a value of each field type, with a field's constraints.

The jsonschema target builds the resources' shapes from it, and the openapi target the list
parameters; the client targets read the integer bounds.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from schemagen import ir

INT_BOUNDS = {"integer": (-(2**31), 2**31 - 1), "bigint": (-(2**63), 2**63 - 1)}
FORMATS = {
    "date": "date",
    "datetime": "date-time",
    "time": "time",
    "uuid": "uuid",
    "email": "email",
    "url": "uri",
}


def value_schema(kind: str, field: ir.Field | None = None) -> dict[str, Any]:
    """The non-null schema for a value of a schema type, with the field's constraints."""
    f = field
    match kind:
        case "string" | "text" | "email" | "url":
            schema: dict[str, Any] = {"type": "string"}
            if kind in FORMATS:
                schema["format"] = FORMATS[kind]
            if f and f.min_length is not None:
                schema["minLength"] = f.min_length
            if f and f.max_length is not None:
                schema["maxLength"] = f.max_length
            if f and f.pattern is not None:
                schema["pattern"] = f.pattern
            return schema
        case "integer" | "bigint":
            low, high = INT_BOUNDS[kind]
            return {
                "type": "integer",
                "minimum": _bound(f.minimum if f else None, low, max),
                "maximum": _bound(f.maximum if f else None, high, min),
            }
        case "float":
            return _with_bounds({"type": "number"}, f)
        case "decimal":
            assert f is not None and f.precision is not None and f.scale is not None
            limit = Decimal(10) ** (f.precision - f.scale)
            schema = {
                "type": "number",
                "format": "decimal",
                "multipleOf": number(Decimal(1).scaleb(-f.scale)),
            }
            # NUMERIC(p, s) holds less than 10^(p-s) in magnitude; an explicit, tighter bound wins.
            if f.minimum is not None and f.minimum > -limit:
                schema["minimum"] = f.minimum
            else:
                schema["exclusiveMinimum"] = number(-limit)
            if f.maximum is not None and f.maximum < limit:
                schema["maximum"] = f.maximum
            else:
                schema["exclusiveMaximum"] = number(limit)
            return schema
        case "boolean":
            return {"type": "boolean"}
        case "date" | "datetime" | "time" | "uuid":
            return {"type": "string", "format": FORMATS[kind]}
        case "json":
            return {}
        case "enum":
            assert f is not None and f.enum is not None
            return {"type": "string", "enum": list(f.enum.values)}
        case "array":
            assert f is not None
            return {"type": "array", "items": value_schema(f.array_of or "string")}
        case "relation":
            assert f is not None
            return key_schema(_target_key(f))
        case "many_to_many":
            assert f is not None
            return {"type": "array", "items": key_schema(_target_key(f)), "uniqueItems": True}
    raise ValueError(f"no JSON Schema for type {kind}")


def _target_key(field: ir.Field) -> str:
    assert field.relation is not None
    return field.relation.target_key


def key_schema(kind: str) -> dict[str, Any]:
    return {"type": "integer"} if kind == "integer" else {"type": "string", "format": "uuid"}


def _bound(value: float | None, limit: int, pick: Any) -> float | int:
    return limit if value is None else pick(value, limit)


def _with_bounds(schema: dict[str, Any], field: ir.Field | None) -> dict[str, Any]:
    if field and field.minimum is not None:
        schema["minimum"] = field.minimum
    if field and field.maximum is not None:
        schema["maximum"] = field.maximum
    return schema


def number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)
