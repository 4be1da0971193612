"""`openapi` target: the OpenAPI 3.1 document of the generated API, from the IR and the JSON Schemas.

Written twice with the same bytes: `openapi.json` at the top of the output for clients, and
`backend/<package>/openapi.json`, which the app serves as `/openapi.json` (it overrides
`app.openapi`). The document is therefore the same whatever FastAPI version runs the app, and
"the file is what the app serves" holds by construction. Operation ids are the client's names:
`listBooks`, `getBook`, `createBook`, `updateBook`, `deleteBook`, `bulkBooks`, `<action>Book`,
`runAction`.
"""

from __future__ import annotations

import json
from typing import Any

from schemagen import ir
from schemagen.files import RenderedFile
from schemagen.literals import json_text
from schemagen.render import RenderContext, Target, header_comment
from schemagen.targets.fastapi import Helpers, filter_operators, routes
from schemagen.targets.jsonschema import action_input_name, value_schema

OPENAPI_VERSION = "3.1.0"
ERROR = {"$ref": "#/components/responses/Error"}


def render(project: ir.Project, context: RenderContext) -> list[RenderedFile]:
    text = json_text(document(project, context))
    return [
        RenderedFile("openapi.json", text),
        RenderedFile(f"backend/{project.package}/openapi.json", text),
    ]


def document(project: ir.Project, context: RenderContext) -> dict[str, Any]:
    schemas: dict[str, Any] = {}
    for rendered in context.outputs.get("jsonschema", []):
        for name, shape in json.loads(rendered.content)["$defs"].items():
            schemas[name] = _refs(shape)
    schemas.update(shared_schemas())
    h = Helpers(project)
    paths: dict[str, dict[str, Any]] = {}
    for resource in project.resources:
        for method, path, operation_id in routes(resource):
            paths.setdefault(path, {})[method.lower()] = operation(
                resource, method, path, operation_id, h
            )
    paths["/api/actions"] = {"post": run_action(project)}
    paths["/healthz"] = {"get": health("healthz", "The process is up")}
    paths["/readyz"] = {"get": health("readyz", "The database answers")}
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": project.name,
            "version": "0.1.0",
            "description": header_comment(context.schemas_label),
        },
        "paths": paths,
        "components": {
            "schemas": dict(sorted(schemas.items())),
            "responses": {
                "Error": {
                    "description": "An error: not_found, conflict, validation_error, invalid_reference, tenant_required, ...",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                    },
                }
            },
        },
    }


def _refs(schema: Any) -> Any:
    """JSON Schema `$defs` references as component references."""
    if isinstance(schema, dict):
        return {
            k: (v.replace("#/$defs/", "#/components/schemas/") if k == "$ref" else _refs(v))
            for k, v in schema.items()
        }
    if isinstance(schema, list):
        return [_refs(item) for item in schema]
    return schema


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def shared_schemas() -> dict[str, Any]:
    return {
        "Error": {
            "type": "object",
            "title": "Error",
            "properties": {
                "detail": {"type": "string"},
                "error_code": {"type": "string"},
                "field": {"anyOf": [{"type": "string"}, {"type": "null"}]},
            },
            "required": ["detail", "error_code", "field"],
        },
        "BulkRequest": {
            "type": "object",
            "title": "Bulk request",
            "properties": {
                "operation": {"type": "string", "enum": ["update", "delete"]},
                "filter": {
                    "type": "object",
                    "description": "List filters: field, field__in, field__gte, field__lte, field__isnull",
                },
                "values": {
                    "type": "object",
                    "description": "For update: the fields to set, as in the Update shape",
                },
                "dry_run": {"type": "boolean", "default": False},
            },
            "required": ["operation"],
            "additionalProperties": False,
        },
        "BulkResult": {
            "type": "object",
            "title": "Bulk result",
            "properties": {
                "matched": {"type": "integer"},
                "affected": {"type": "integer"},
                "undo_token": {"anyOf": [{"type": "string"}, {"type": "null"}]},
            },
            "required": ["matched", "affected", "undo_token"],
        },
        "ActionRequest": {
            "type": "object",
            "title": "Action request",
            "properties": {
                "action": {"type": "string", "description": "resource.action, e.g. office.create"},
                "input": {
                    "type": "object",
                    "description": "The route's body, or its query parameters for list",
                },
                "id": {"anyOf": [{"type": "string"}, {"type": "integer"}, {"type": "null"}]},
            },
            "required": ["action"],
            "additionalProperties": False,
        },
    }


def operation(
    resource: ir.Resource, method: str, path: str, operation_id: str, h: Helpers
) -> dict[str, Any]:
    model = resource.model
    result: dict[str, Any] = {"operationId": operation_id, "tags": [resource.table]}
    parameters: list[dict[str, Any]] = []
    if "{id}" in path:
        key = (
            {"type": "integer"}
            if resource.primary_key == "integer"
            else {"type": "string", "format": "uuid"}
        )
        parameters.append({"name": "id", "in": "path", "required": True, "schema": key})
    if resource.has("tenant"):
        parameters.append(
            {"name": "X-Tenant-ID", "in": "header", "required": True, "schema": {"type": "string"}}
        )
    responses: dict[str, Any]
    kind = operation_id.removesuffix(model).removesuffix(h.plural_pascal(resource))
    if method == "GET" and path.endswith("{id}"):
        result["summary"] = f"Get one {resource.name}"
        responses = {"200": _json(_ref(f"{model}Read"), "The row"), "404": ERROR}
    elif method == "GET":
        result["summary"] = f"List {resource.plural}"
        parameters += list_parameters(resource, h)
        responses = {"200": _json(_ref(f"{model}Page"), "A page of rows"), "422": ERROR}
    elif method == "POST" and path.endswith("/bulk"):
        result["summary"] = f"Update or delete {resource.plural} by filter"
        result["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": _ref("BulkRequest")}},
        }
        responses = {
            "200": _json(_ref("BulkResult"), "What matched and what changed"),
            "422": ERROR,
        }
    elif method == "POST" and kind == "create":
        result["summary"] = f"Create a {resource.name}"
        result["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": _ref(f"{model}Create")}},
        }
        responses = {"201": _json(_ref(f"{model}Read"), "The new row"), "409": ERROR, "422": ERROR}
    elif method == "PATCH":
        result["summary"] = f"Update a {resource.name}"
        result["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": _ref(f"{model}Update")}},
        }
        responses = {
            "200": _json(_ref(f"{model}Read"), "The row after the update"),
            "404": ERROR,
            "409": ERROR,
            "422": ERROR,
        }
    elif method == "DELETE":
        result["summary"] = f"Delete a {resource.name}"
        responses = {"204": {"description": "Deleted"}, "404": ERROR, "409": ERROR}
    else:
        action = next(a for a in resource.actions.custom if path.endswith("/" + a.name))
        result["summary"] = action.label
        if action.description:
            result["description"] = action.description
        result["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": _ref(action_input_name(resource, action))}},
        }
        answer = _ref(f"{model}Read") if action.scope == "item" else {}
        responses = {
            "200": _json(
                answer,
                "The row after the action"
                if action.scope == "item"
                else "What the handler returns",
            ),
            "404": ERROR,
            "422": ERROR,
            "501": ERROR,
        }
    if parameters:
        result["parameters"] = parameters
    result["responses"] = responses
    return result


def list_parameters(resource: ir.Resource, h: Helpers) -> list[dict[str, Any]]:
    config = resource.actions.list
    assert config is not None
    sortable = h.sortable(resource)
    parameters: list[dict[str, Any]] = [
        {
            "name": "limit",
            "in": "query",
            "schema": {
                "type": "integer",
                "minimum": 1,
                "maximum": config.max_page_size,
                "default": config.page_size,
            },
        },
        {
            "name": "cursor",
            "in": "query",
            "schema": {"type": "string"},
            "description": "next_cursor of the previous page",
        },
        {
            "name": "sort",
            "in": "query",
            "schema": {"type": "string"},
            "description": f"Comma-separated fields, '-' for descending; sortable: {', '.join(sortable)}; default: {','.join(config.sort)}",
        },
    ]
    if h.searchable(resource):
        parameters.append(
            {
                "name": "q",
                "in": "query",
                "schema": {"type": "string"},
                "description": f"Text contained in any of: {', '.join(h.searchable(resource))}",
            }
        )
    kinds = {name: h._kind(column, field) for name, column, field in h.api_columns(resource)}
    for name in h.filterable(resource):
        field = next(f for f in resource.fields if f.api_name == name)
        if field.type == "many_to_many":
            ops = ["eq", "in"]
            value: dict[str, Any] = value_schema(_key(field))
        else:
            ops = list(filter_operators(kinds[name]))
            value = value_schema(
                kinds[name] if field.type != "array" else (field.array_of or "string"),
                field if field.type not in ("relation", "array") else None,
            )
        for op in ops:
            if op == "eq":
                parameters.append({"name": name, "in": "query", "schema": value})
            elif op == "in":
                parameters.append(
                    {
                        "name": f"{name}__in",
                        "in": "query",
                        "schema": {"type": "string"},
                        "description": "Comma-separated values",
                    }
                )
            elif op == "isnull":
                parameters.append(
                    {"name": f"{name}__isnull", "in": "query", "schema": {"type": "boolean"}}
                )
            else:
                parameters.append({"name": f"{name}__{op}", "in": "query", "schema": value})
    return parameters


def _key(field: ir.Field) -> str:
    assert field.relation is not None and field.relation.junction is not None
    return "integer" if field.relation.junction.right_type == "integer" else "uuid"


def run_action(project: ir.Project) -> dict[str, Any]:
    names = [
        f"{r.name}.{a}"
        for r in project.resources
        for a in ("list", "get", "create", "update", "delete")
        if getattr(r.actions, a)
    ]
    names += [f"{r.name}.bulk" for r in project.resources if r.actions.bulk]
    names += [a.action for r in project.resources for a in r.actions.custom]
    return {
        "operationId": "runAction",
        "tags": ["actions"],
        "summary": "Run any action by name, answered as its route answers",
        "description": "Actions: " + ", ".join(sorted(names)),
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": _ref("ActionRequest")}},
        },
        "responses": {
            "200": _json({}, "As the named route answers (201 for create, 204 for delete)"),
            "404": ERROR,
            "422": ERROR,
        },
    }


def health(operation_id: str, summary: str) -> dict[str, Any]:
    status = {
        "type": "object",
        "properties": {"status": {"type": "string"}},
        "required": ["status"],
    }
    responses: dict[str, Any] = {"200": _json(status, summary)}
    if operation_id == "readyz":
        responses["503"] = ERROR
    return {
        "operationId": operation_id,
        "tags": ["health"],
        "summary": summary,
        "responses": responses,
    }


TARGET = Target(
    "openapi",
    render,
    "The OpenAPI 3.1 document the app serves, with the client's operation ids",
    requires=("jsonschema",),
)
