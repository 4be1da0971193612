"""`jsonschema` target: per resource, the Create, Update and Read shapes with every constraint.

The pydantic target feeds these documents to datamodel-code-generator, so the shapes here are the
API's contract: what the server accepts and returns.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from schemagen import ir
from schemagen.api import action_input_name
from schemagen.files import RenderedFile
from schemagen.literals import json_text
from schemagen.render import RenderContext, Target, header_comment

DRAFT = "https://json-schema.org/draft/2020-12/schema"
INT_BOUNDS = {"integer": (-(2**31), 2**31 - 1), "bigint": (-(2**63), 2**63 - 1)}
FORMATS = {
    "date": "date",
    "datetime": "date-time",
    "time": "time",
    "uuid": "uuid",
    "email": "email",
    "url": "uri",
}


def render(project: ir.Project, context: RenderContext) -> list[RenderedFile]:
    return [
        RenderedFile(f"jsonschema/{r.name}.json", json_text(resource_document(r)))
        for r in project.resources
    ]


def resource_document(resource: ir.Resource) -> dict[str, Any]:
    document: dict[str, Any] = {
        "$schema": DRAFT,
        "$id": f"{resource.name}.json",
        "$comment": header_comment(resource.source),
        "title": resource.label,
    }
    if resource.description:
        document["description"] = resource.description
    document["$defs"] = {
        f"{resource.model}Create": create_shape(resource),
        f"{resource.model}Update": update_shape(resource),
        f"{resource.model}Read": read_shape(resource),
    }
    if resource.actions.list is not None:
        document["$defs"][f"{resource.model}Page"] = page_shape(resource)
    for action in resource.actions.custom:
        document["$defs"][action_input_name(resource, action)] = action_input_shape(action)
    return document


def create_shape(resource: ir.Resource) -> dict[str, Any]:
    writable = [f for f in resource.fields if not f.readonly]
    return _object(
        f"{resource.label} (create)",
        {f.api_name: field_schema(f, with_default=True) for f in writable},
        [f.api_name for f in writable if f.required],
    )


def update_shape(resource: ir.Resource) -> dict[str, Any]:
    # No defaults here: a partial update must never reset a field the client did not send.
    writable = [f for f in resource.fields if not f.readonly]
    properties = {f.api_name: field_schema(f, with_default=False) for f in writable}
    if resource.has("versioned"):
        properties["version"] = {
            "type": "integer",
            "minimum": 1,
            "title": "Version",
            "description": "The version being updated; alternative to If-Match",
        }
    return _object(f"{resource.label} (update)", properties, [])


def read_shape(resource: ir.Resource) -> dict[str, Any]:
    properties: dict[str, Any] = {"id": _key_schema(resource.primary_key) | {"title": "ID"}}
    fields = {f.column.name: f for f in resource.fields if f.column is not None}
    for column in resource.columns:
        if (column.primary_key and column.name == "id") or not column.exposed:
            continue
        field = fields.get(column.name)
        properties[column.name] = (
            field_schema(field, with_default=False) if field else _trait_schema(column)
        )
    for field in resource.fields:
        if field.type == "many_to_many":
            properties[field.api_name] = field_schema(field, with_default=False)
    schema = _object(resource.label, properties, list(properties))
    schema["additionalProperties"] = True  # clients must tolerate fields added later
    return schema


def page_shape(resource: ir.Resource) -> dict[str, Any]:
    """One page of the list: the rows, and the cursor of the next page (null on the last)."""
    properties = {
        "items": {
            "type": "array",
            "items": {"$ref": f"#/$defs/{resource.model}Read"},
            "title": "Items",
        },
        "next_cursor": {"anyOf": [{"type": "string"}, {"type": "null"}], "title": "Next cursor"},
    }
    return _object(f"{resource.label_plural} (page)", properties, list(properties))


def action_input_shape(action: ir.CustomAction) -> dict[str, Any]:
    """The input of a custom action, with every constraint of its fields."""
    properties = {f.api_name: field_schema(f, with_default=True) for f in action.inputs}
    shape = _object(
        f"{action.label} (input)", properties, [f.api_name for f in action.inputs if f.required]
    )
    if action.description:
        shape["description"] = action.description
    return shape


def _object(title: str, properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "title": title, "properties": properties}
    if required:
        schema["required"] = required
    schema["additionalProperties"] = False
    return schema


def field_schema(field: ir.Field, *, with_default: bool) -> dict[str, Any]:
    """The JSON Schema of one field as the API carries it."""
    schema = value_schema(field.type, field)
    annotations: dict[str, Any] = {"title": field.label}
    text = "\n\n".join(x for x in (field.description, field.help) if x)
    if text:
        annotations["description"] = text
    if field.readonly:
        annotations["readOnly"] = True
    if with_default and field.default is not None and field.default.kind in ("literal", "factory"):
        annotations["default"] = _json_default(field)
    return {**_nullable(schema, field.nullable), **annotations}


def _nullable(schema: dict[str, Any], nullable: bool) -> dict[str, Any]:
    # `{}` (json) already admits null.
    return {"anyOf": [schema, {"type": "null"}]} if nullable and schema else schema


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
                "multipleOf": _number(Decimal(1).scaleb(-f.scale)),
            }
            # NUMERIC(p, s) holds less than 10^(p-s) in magnitude; an explicit, tighter bound wins.
            if f.minimum is not None and f.minimum > -limit:
                schema["minimum"] = f.minimum
            else:
                schema["exclusiveMinimum"] = _number(-limit)
            if f.maximum is not None and f.maximum < limit:
                schema["maximum"] = f.maximum
            else:
                schema["exclusiveMaximum"] = _number(limit)
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
            return _key_schema(_target_key(f))
        case "many_to_many":
            assert f is not None
            return {"type": "array", "items": _key_schema(_target_key(f)), "uniqueItems": True}
    raise ValueError(f"no JSON Schema for type {kind}")


def _target_key(field: ir.Field) -> str:
    assert field.relation is not None
    return field.relation.target_key


def _key_schema(kind: str) -> dict[str, Any]:
    return {"type": "integer"} if kind == "integer" else {"type": "string", "format": "uuid"}


def _trait_schema(column: ir.Column) -> dict[str, Any]:
    base = (
        value_schema(column.type)
        if column.type != "string"
        else {"type": "string", "maxLength": column.max_length}
    )
    return {
        **_nullable(base, column.nullable),
        "title": column.name.replace("_", " ").capitalize(),
        "readOnly": True,
    }


def _bound(value: float | None, limit: int, pick: Any) -> float | int:
    return limit if value is None else pick(value, limit)


def _with_bounds(schema: dict[str, Any], field: ir.Field | None) -> dict[str, Any]:
    if field and field.minimum is not None:
        schema["minimum"] = field.minimum
    if field and field.maximum is not None:
        schema["maximum"] = field.maximum
    return schema


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _json_default(field: ir.Field) -> Any:
    assert field.default is not None
    value = field.default.value
    if field.type == "decimal":
        return _number(Decimal(value))
    return value


TARGET = Target(
    "jsonschema", render, "JSON Schema documents of each resource's Create, Update and Read shapes"
)
