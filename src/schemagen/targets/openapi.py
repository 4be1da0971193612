"""`openapi` target: the OpenAPI 3.1 document of the generated API, from the IR and the JSON Schemas.

Written twice with the same bytes: `openapi.json` at the top of the output for clients, and
`backend/<package>/openapi.json`, which the app serves as `/openapi.json` (it overrides
`app.openapi`). The document is therefore the same whatever FastAPI version runs the app, and
"the file is what the app serves" holds by construction. Operation ids are the client's names:
`listBooks`, `getBook`, `createBook`, `updateBook`, `deleteBook`, `restoreBook`, `bulkBooks`,
`undoBulkBooks`, `<action>Book`, `listAuditEntries`, `mergeBranch`, `discardBranch`, `runAction`.
The traits show as parameters (X-Tenant-ID, X-Branch-ID, X-User-ID, If-Match, include_deleted),
as the ETag header of versioned rows, and as the error codes each operation can answer with.
"""

from __future__ import annotations

import json
from typing import Any

from schemagen import ir
from schemagen.api import ERROR_CODES, PAGING, Api, Operation, ResourceApi
from schemagen.files import RenderedFile
from schemagen.json_schema import value_schema
from schemagen.literals import json_text
from schemagen.render import header_comment
from schemagen.runtime.contract import AUDIT_MAX_PAGE_SIZE, AUDIT_PAGE_SIZE
from schemagen.targets.base import RenderContext, Target

OPENAPI_VERSION = "3.1.0"


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
    api = context.api_for(project)
    schemas.update(shared_schemas(api))
    for resource in api.resources:
        bulk = resource.operation("bulk")
        if bulk is not None and bulk.body is not None:
            schemas[bulk.body] = bulk_request(resource)
    schemas["ActionRequest"] = action_request(api)
    paths: dict[str, dict[str, Any]] = {}
    for resource in api.resources:
        for op in resource.routes:
            paths.setdefault(op.path, {})[op.method.lower()] = operation(resource, op)
    if api.audit is not None:
        paths[api.audit.path] = {"get": list_audit(api, api.audit)}
    for op in api.branch_operations:
        paths[op.path] = {op.method.lower(): branch_operation(api, op)}
    paths[api.run_action.path] = {"post": run_action(api)}
    for op, summary in zip(api.health, ("The process is up", "The database answers"), strict=True):
        paths[op.path] = {"get": health(op, summary)}
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
                    "description": "An error: " + ", ".join(ERROR_CODES) + ", ...",
                    "content": ERROR_CONTENT,
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


ERROR_CONTENT = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}


def errors(*codes: str) -> dict[str, Any]:
    """The error responses of an operation, one per status, naming the codes it can answer with."""
    by_status: dict[str, list[str]] = {}
    for code in dict.fromkeys(codes):
        status, meaning = ERROR_CODES[code]
        by_status.setdefault(str(status), []).append(f"{code}: {meaning}")
    return {
        status: {"description": "; ".join(lines), "content": ERROR_CONTENT}
        for status, lines in sorted(by_status.items())
    }


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


def _object(title: str, properties: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "type": "object",
        "title": title,
        "properties": properties,
        "required": list(properties),
        **extra,
    }


def shared_schemas(api: Api) -> dict[str, Any]:
    schemas: dict[str, Any] = {
        "Error": {
            "type": "object",
            "title": "Error",
            "properties": {
                "detail": {"type": "string"},
                "error_code": {
                    "type": "string",
                    "description": "One of: " + ", ".join(ERROR_CODES) + " (and others)",
                },
                "field": {"anyOf": [{"type": "string"}, {"type": "null"}]},
            },
            "required": ["detail", "error_code", "field"],
        },
        "BulkResult": _object(
            "Bulk result",
            {
                "matched": {"type": "integer", "description": "Rows the filter selected"},
                "affected": {"type": "integer", "description": "Rows changed (none on a dry run)"},
                "failed": {"type": "integer", "description": "Rows the change was refused for"},
                "errors": {
                    "type": "array",
                    "description": "Why: one entry per refused batch (at most 20)",
                    "items": _object(
                        "Bulk error",
                        {
                            "detail": {"type": "string"},
                            "error_code": {"type": "string"},
                            "field": _nullable({"type": "string"}),
                            "rows": {"type": "integer", "description": "Rows in the refused batch"},
                        },
                    ),
                },
                "undo_token": _nullable({"type": "string"})
                | {"description": "For the resource's bulk undo; null when there is none"},
                "undo_expires_at": _nullable({"type": "string", "format": "date-time"}),
            },
        ),
    }
    if api.has_bulk_undo:
        schemas["BulkUndoRequest"] = _object(
            "Bulk undo request",
            {"undo_token": {"type": "string", "description": "The undo_token of a bulk result"}},
            additionalProperties=False,
        )
        schemas["BulkUndoResult"] = _object(
            "Bulk undo result",
            {
                "restored": {"type": "integer", "description": "Rows back as they were"},
                "skipped": {
                    "type": "integer",
                    "description": "Rows written since the run, left as they are",
                },
            },
        )
    if api.has_audit:
        row = _nullable({"type": "object"})
        schemas["AuditEntry"] = _object(
            "Audit entry",
            {
                "id": {"type": "integer"},
                "resource": {"type": "string"},
                "row_id": {"type": "string"},
                "action": {
                    "type": "string",
                    "description": "create, update, delete, restore, bulk_update, bulk_delete, bulk_undo, merge or a custom action's name",
                },
                "before": row | {"description": "The row before the write; null for a create"},
                "after": row | {"description": "The row after the write; null for a delete"},
                "actor": _nullable({"type": "string"}),
                "tenant_id": _nullable({"type": "string"}),
                "branch_id": _nullable({"type": "string"}),
                "at": {"type": "string", "format": "date-time"},
            },
        )
        schemas["AuditPage"] = _object(
            "Audit entries (page)",
            {
                "items": {"type": "array", "items": _ref("AuditEntry")},
                "next_cursor": _nullable({"type": "string"}),
            },
        )
    if api.has_branching:
        schemas["MergeResult"] = _object(
            "Merge result",
            {
                "branch": {"type": "string"},
                "merged": _object(
                    "Rows merged per resource",
                    {r.name: {"type": "integer"} for r in api.branching},
                ),
            },
        )
    return schemas


def _header(
    name: str, description: str, *, required: bool = False, **schema: Any
) -> dict[str, Any]:
    return {
        "name": name,
        "in": "header",
        "required": required,
        "description": description,
        "schema": {"type": "string", **schema},
    }


def trait_headers(resource: ir.Resource, method: str) -> list[dict[str, Any]]:
    """The headers the resource's traits read on every route (If-Match on PATCH and DELETE)."""
    result = []
    if resource.has("tenant"):
        result.append(_header("X-Tenant-ID", "The tenant the request acts in", required=True))
    if resource.has("branching"):
        result.append(_header("X-Branch-ID", "The branch to read and write", default="main"))
    if resource.has("owned"):
        result.append(_header("X-User-ID", "The caller (until real authentication replaces it)"))
    if resource.has("versioned") and method in ("PATCH", "DELETE"):
        text = (
            'The version the change is based on, as the ETag gave it ("3"); or send version in the body'
            if method == "PATCH"
            else 'Delete only if the row is still at this version ("3")'
        )
        result.append(_header("If-Match", text))
    return result


def _row(resource: ir.Resource, description: str) -> dict[str, Any]:
    """A response carrying one row; versioned rows come with their version as the ETag."""
    response = _json(_ref(f"{resource.model}Read"), description)
    if resource.has("versioned"):
        response["headers"] = {
            "ETag": {
                "description": 'The row\'s version, quoted ("3"): send it back as If-Match',
                "schema": {"type": "string"},
            }
        }
    return response


def _include_deleted(resource: ir.Resource, what: str) -> list[dict[str, Any]]:
    if not resource.has("soft_delete"):
        return []
    return [
        {
            "name": "include_deleted",
            "in": "query",
            "schema": {"type": "boolean", "default": False},
            "description": f"Deleted rows too (deleted_at set): {what}",
        }
    ]


# A summary per built-in operation, of the resource's name.
SUMMARIES = {
    "get": "Get one {name}",
    "list": "List {plural}",
    "bulk": "Update or delete {plural} by filter",
    "bulk_undo": "Undo a bulk change of {plural}",
    "create": "Create a {name}",
    "update": "Update a {name}",
    "delete": "Delete a {name}",
    "restore": "Restore a deleted {name}",
}


def operation(api: ResourceApi, op: Operation) -> dict[str, Any]:
    """One route's OpenAPI operation: parameters, body, answers and the errors the model lists."""
    resource = api.resource
    result: dict[str, Any] = {"operationId": op.operation_id, "tags": [op.tag]}
    parameters: list[dict[str, Any]] = []
    if op.takes_id:
        parameters.append(
            {"name": "id", "in": "path", "required": True, "schema": _key_schema(resource)}
        )
    parameters += trait_headers(resource, op.method)
    if op.custom is None:
        result["summary"] = SUMMARIES[op.verb].format(name=resource.name, plural=resource.plural)
    else:
        result["summary"] = op.custom.label
        if op.custom.description:
            result["description"] = op.custom.description
    if op.verb == "delete" and resource.has("soft_delete"):
        result["summary"] += " (hidden: restore brings it back)"
    if op.body is not None:
        result["requestBody"] = _body(op.body)
    responses: dict[str, Any]
    if op.custom is not None:
        responses = {
            "200": _json(
                _ref(op.result) if op.result else {},
                "The row after the action" if op.takes_id else "What the handler returns",
            ),
            "501": _error("not_implemented: the handler does not exist yet"),
        }
    elif op.verb == "get":
        parameters += _include_deleted(resource, "a deleted row is found")
        responses = {"200": _row(resource, "The row")}
    elif op.verb == "list":
        parameters += list_parameters(api)
        parameters += _include_deleted(resource, "hidden by default")
        responses = {"200": _json(_ref(str(op.result)), "A page of rows")}
    elif op.verb == "delete":
        responses = {"204": {"description": "Deleted"}}
    elif op.result == api.read:
        description = ANSWERS[op.verb]
        responses = {str(op.status): _row(resource, description)}
        if op.verb == "create":
            responses["201"] |= _links(api)
    else:
        responses = {str(op.status): _json(_ref(str(op.result)), ANSWERS[op.verb])}
    if parameters:
        result["parameters"] = parameters
    result["responses"] = dict(sorted((responses | errors(*op.errors)).items()))
    return result


ANSWERS = {
    "create": "The new row",
    "update": "The row after the update",
    "restore": "The row, no longer deleted",
    "bulk": "What matched and what changed",
    "bulk_undo": "How many rows are back",
}


def _key_schema(resource: ir.Resource) -> dict[str, Any]:
    if resource.primary_key == "integer":
        return {"type": "integer"}
    return {"type": "string", "format": "uuid"}


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": ERROR_CONTENT}


def _links(api: ResourceApi) -> dict[str, Any]:
    """The operations a new row's id opens (stateful clients and testers follow them)."""
    links: dict[str, Any] = {}
    for op in api.routes:
        if not op.takes_id:
            continue
        parameters: dict[str, str] = {"path.id": "$response.body#/id"}
        if api.resource.has("versioned") and op.method in ("PATCH", "DELETE"):
            parameters["header.If-Match"] = "$response.header.ETag"
        links[op.operation_id[0].upper() + op.operation_id[1:]] = {
            "operationId": op.operation_id,
            "parameters": parameters,
        }
    return {"links": links} if links else {}


def _body(schema: str) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": _ref(schema)}}}


def list_parameters(api: ResourceApi) -> list[dict[str, Any]]:
    listing = api.list
    assert listing is not None
    config, sortable = listing.config, listing.sortable
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
            "schema": {"type": "string", "pattern": _sort_pattern(sortable)},
            "description": f"Comma-separated fields, '-' for descending (a repeated field counts once); sortable: {', '.join(sortable)}; default: {','.join(config.sort)}",
        },
    ]
    if listing.searchable:
        parameters.append(
            {
                "name": "q",
                "in": "query",
                "schema": {"type": "string"},
                "description": f"Text contained in any of: {', '.join(listing.searchable)}",
            }
        )
    for f in listing.filters:
        name, field = f.name, f.field
        if f.kind == "many_to_many":
            value: dict[str, Any] = value_schema(f.value_kind)
        else:
            value = _filter_value(
                value_schema(
                    f.value_kind, field if field.type not in ("relation", "array") else None
                )
            )
            if f.kind == "datetime":
                # "now" is the server's current time: next_action_at__lte=now
                value = {"anyOf": [value, {"const": "now"}]}
        for op in f.operators:
            if op == "eq":
                parameters.append({"name": name, "in": "query", "schema": value})
            elif op == "in":
                item = value.get("anyOf", [value])[0]  # "now" is one value, not a list's
                if item.get("type") == "string" and "format" not in item and "enum" not in item:
                    item = {**item, "pattern": "^[^,]*$"}  # a comma separates values
                parameters.append(
                    {
                        "name": f"{name}__in",
                        "in": "query",
                        "schema": {"type": "array", "items": item, "minItems": 1},
                        "style": "form",
                        "explode": False,
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


# What a filter value does not need to satisfy: one that no row can hold simply matches nothing.
# The integer bounds stay (the database cannot compare beyond them) and so do the formats the
# server parses (date, date-time, time, uuid) and enums.
_UNCHECKED = (
    "minLength",
    "maxLength",
    "pattern",
    "multipleOf",
    "exclusiveMinimum",
    "exclusiveMaximum",
)


def _filter_value(schema: dict[str, Any]) -> dict[str, Any]:
    result = {k: v for k, v in schema.items() if k not in _UNCHECKED}
    if result.get("type") == "number":
        result.pop("minimum", None)
        result.pop("maximum", None)
        result.pop("format", None)
    if result.get("format") in ("email", "uri"):
        del result["format"]
    return result


def _sort_pattern(sortable: list[str]) -> str:
    """Keys, comma-separated; empty is the default order."""
    key = "-?(?:" + "|".join(sortable) + ")"
    return f"^(?:{key}(?:,{key})*)?$"


def list_audit(api: Api, op: Operation) -> dict[str, Any]:
    names = ", ".join(r.name for r in api.audited)
    return {
        "operationId": op.operation_id,
        "tags": [op.tag],
        "summary": "The audit log, newest first",
        "description": f"Every write of {names}, in the caller's tenant (X-Tenant-ID).",
        "parameters": [
            *_tenant_header(
                api.audited, "The tenant whose entries to list; none: entries without one"
            ),
            *(
                {"name": name, "in": "query", "schema": {"type": "string"}, "description": text}
                for name, text in (
                    ("resource", f"A resource's name: {names}"),
                    ("row_id", "A row's id"),
                    (
                        "action",
                        "create, update, delete, restore, bulk_update, ... or a custom action",
                    ),
                )
            ),
            {
                "name": "limit",
                "in": "query",
                "schema": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": AUDIT_MAX_PAGE_SIZE,
                    "default": AUDIT_PAGE_SIZE,
                },
            },
            {
                "name": "cursor",
                "in": "query",
                "schema": {"type": "string"},
                "description": "next_cursor of the previous page",
            },
        ],
        "responses": {
            "200": _json(_ref(str(op.result)), "A page of entries"),
            **errors(*op.errors),
        },
    }


def _branch_parameters(api: Api) -> list[dict[str, Any]]:
    name = {
        "name": "name",
        "in": "path",
        "required": True,
        "schema": {"type": "string", "maxLength": 64},
        "description": "The branch (X-Branch-ID of its writes); not main",
    }
    return [name, *_tenant_header(api.branching, "The tenant whose rows the branch holds")]


def _tenant_header(resources: tuple[ir.Resource, ...], description: str) -> list[dict[str, Any]]:
    """An optional X-Tenant-ID, when any of the resources a project-wide route reads is a tenant's."""
    return [_header("X-Tenant-ID", description)] if any(r.has("tenant") for r in resources) else []


def branch_operation(api: Api, op: Operation) -> dict[str, Any]:
    """mergeBranch or discardBranch."""
    names = ", ".join(r.name for r in api.branching)
    result: dict[str, Any] = {"operationId": op.operation_id, "tags": [op.tag]}
    if op.verb == "merge":
        result["summary"] = "Merge a branch into main"
        result["description"] = (
            f"The branch's copies of {names} replace main's rows and its deletions apply; the branch is then empty."
        )
        answer = {"200": _json(_ref(str(op.result)), "How many rows of each resource were merged")}
    else:
        result["summary"] = "Discard a branch"
        result["description"] = f"The branch's rows of {names} are thrown away; main is untouched."
        answer = {"204": {"description": "Discarded"}}
    result["parameters"] = _branch_parameters(api)
    result["responses"] = {**answer, **errors(*op.errors)}
    return result


def bulk_request(api: ResourceApi) -> dict[str, Any]:
    """The body of a resource's bulk route: an update with its values, or a delete without."""
    resource = api.resource
    query = [p for p in list_parameters(api) if p["name"] not in PAGING]
    filters = {
        "type": "object",
        "description": "The list's filters (field, field__in, field__gte, field__lte, field__isnull); none: every row",
        "properties": {p["name"]: p["schema"] for p in query},
        "additionalProperties": False,
    }
    dry_run = {"type": "boolean", "default": False, "description": "Count only, change nothing"}

    def shape(operation: str, values: dict[str, Any] | None) -> dict[str, Any]:
        properties = {"operation": {"const": operation}, "filter": filters}
        if values is not None:
            properties["values"] = values
        return {
            "type": "object",
            "title": f"Bulk {operation}",
            "properties": {**properties, "dry_run": dry_run},
            "required": ["operation"],
            "additionalProperties": False,
        }

    update = _ref(f"{resource.model}Update") | {"description": "The fields to set, as in an update"}
    return {
        "title": f"{resource.label} bulk request",
        "oneOf": [shape("update", update), shape("delete", None)],
    }


def action_request(api: Api) -> dict[str, Any]:
    """The body of /api/actions: one shape per action, its `input` that route's body (or its query
    parameters for a list), its `id` required where the route has one."""
    shapes = []
    for op in api.actions:
        assert op.resource is not None
        resource = api.resource(op.resource)
        route = operation(resource, op)
        properties: dict[str, Any] = {"action": {"const": op.action}}
        required = ["action"]
        body = route.get("requestBody", {}).get("content", {}).get("application/json", {})
        if body:
            properties["input"] = body["schema"]
            required.append("input")
        elif op.query:
            properties["input"] = {
                "type": "object",
                "description": "The list's query parameters",
                "properties": {
                    p["name"]: _one_or_many(p["schema"])
                    for p in route.get("parameters", [])
                    if p["in"] == "query"
                },
                "additionalProperties": False,
            }
        else:
            properties["input"] = {"type": "object", "maxProperties": 0}
        if op.takes_id:
            properties["id"] = _key_schema(resource.resource)
            required.append("id")
        shapes.append(
            {
                "type": "object",
                "title": op.action,
                "properties": properties,
                "required": required,
                "additionalProperties": False,
            }
        )
    return {"title": "Action request", "oneOf": shapes}


def _one_or_many(schema: dict[str, Any]) -> dict[str, Any]:
    """A `__in` filter in JSON: a list of values, or one value (a text is split at commas too)."""
    if schema.get("type") != "array":
        return schema
    item = {k: v for k, v in schema["items"].items() if k != "pattern"}
    return {"anyOf": [{**schema, "items": item}, item]}


def run_action(api: Api) -> dict[str, Any]:
    op = api.run_action
    names = [action.action for action in api.actions]
    return {
        "operationId": op.operation_id,
        "tags": [op.tag],
        "summary": "Run any action by name, answered as its route answers",
        "description": "Actions: " + ", ".join(names),
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": _ref(str(op.body))}},
        },
        "responses": {
            "200": _json({}, "As the named route answers"),
            "201": _json({}, "A create: the new row"),
            "204": {"description": "A delete"},
            "501": _error("not_implemented: a custom action's handler does not exist yet"),
            **errors(*op.errors),
        },
    }


def health(op: Operation, summary: str) -> dict[str, Any]:
    status = {
        "type": "object",
        "properties": {"status": {"type": "string"}},
        "required": ["status"],
    }
    responses: dict[str, Any] = {"200": _json(status, summary)}
    if op.verb == "readyz":
        responses["503"] = _error("not_ready: the database does not answer")
    return {
        "operationId": op.operation_id,
        "tags": [op.tag],
        "summary": summary,
        "responses": responses,
    }


TARGET = Target(
    "openapi",
    render,
    "The OpenAPI 3.1 document the app serves, with the client's operation ids",
    requires=("jsonschema",),
)
