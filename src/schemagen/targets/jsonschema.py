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
from schemagen.json_schema import key_schema, number, value_schema
from schemagen.literals import json_text
from schemagen.render import header_comment
from schemagen.targets.base import RenderContext, Target
from schemagen.types import FieldType

DRAFT = "https://json-schema.org/draft/2020-12/schema"


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


# A uuid key may be chosen by the client (an offline client names its new rows itself).
CLIENT_ID = "The new row's id, made by the client (a UUID); left out, the server makes one"


def create_shape(resource: ir.Resource) -> dict[str, Any]:
    writable = [f for f in resource.fields if not f.readonly]
    properties = {f.api_name: field_schema(f, with_default=True) for f in writable}
    if resource.primary_key == "uuid":
        key = key_schema("uuid") | {"title": "ID", "description": CLIENT_ID}
        properties = {"id": key, **properties}
    return _object(
        f"{resource.label} (create)",
        properties,
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
    properties: dict[str, Any] = {"id": key_schema(resource.primary_key) | {"title": "ID"}}
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


def _trait_schema(column: ir.Column) -> dict[str, Any]:
    base = (
        value_schema(column.type)
        if column.type != FieldType.STRING
        else {"type": "string", "maxLength": column.max_length}
    )
    return {
        **_nullable(base, column.nullable),
        "title": column.name.replace("_", " ").capitalize(),
        "readOnly": True,
    }


def _json_default(field: ir.Field) -> Any:
    assert field.default is not None
    value = field.default.value
    if field.type == FieldType.DECIMAL:
        return number(Decimal(value))
    return value


TARGET = Target(
    "jsonschema", render, "JSON Schema documents of each resource's Create, Update and Read shapes"
)
