"""The JSON Schema of a value of each field type, with a field's constraints.

The jsonschema target builds the resources' shapes from it, and the openapi target the list
parameters. What a type contributes is its registry entry's `json_schema` (schemagen.types).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from schemagen import ir
from schemagen.types import REGISTRY, FieldType


def value_schema(kind: str, field: ir.Field | None = None) -> dict[str, Any]:
    """The non-null schema for a value of a schema type, with the field's constraints."""
    f = field
    definition = REGISTRY[FieldType(kind)]
    match definition.family:
        case "text":
            schema: dict[str, Any] = dict(definition.json_schema)
            if f and f.min_length is not None:
                schema["minLength"] = f.min_length
            if f and f.max_length is not None:
                schema["maxLength"] = f.max_length
            if f and f.pattern is not None:
                schema["pattern"] = f.pattern
            return schema
        case "number" if definition.bounds is not None:
            low, high = definition.bounds
            return {
                **definition.json_schema,
                "minimum": _bound(f.minimum if f else None, low, max),
                "maximum": _bound(f.maximum if f else None, high, min),
            }
        case "number" if kind == FieldType.FLOAT:
            return _with_bounds(dict(definition.json_schema), f)
        case "number":
            assert f is not None and f.precision is not None and f.scale is not None
            limit = Decimal(10) ** (f.precision - f.scale)
            schema = {
                **definition.json_schema,
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
        case "boolean" | "temporal" | "uuid" | "json":
            return dict(definition.json_schema)
        case "enum":
            assert f is not None and f.enum is not None
            return {"type": "string", "enum": list(f.enum.values)}
        case "array":
            assert f is not None
            return {"type": "array", "items": value_schema(f.array_of or FieldType.STRING)}
        case "relation" if kind == FieldType.RELATION:
            assert f is not None
            return key_schema(_target_key(f))
        case "relation":
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
