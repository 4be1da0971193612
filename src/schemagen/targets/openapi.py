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
    schemas.update(shared_schemas(project))
    h = Helpers(project)
    paths: dict[str, dict[str, Any]] = {}
    for resource in project.resources:
        for method, path, operation_id in routes(resource):
            paths.setdefault(path, {})[method.lower()] = operation(
                resource, method, path, operation_id, h
            )
    if audited(project):
        paths["/api/audit"] = {"get": list_audit(project)}
    if branching(project):
        paths["/api/branches/{name}/merge"] = {"post": merge_branch(project)}
        paths["/api/branches/{name}"] = {"delete": discard_branch(project)}
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
                    "description": "An error: " + ", ".join(ERROR_CODES) + ", ...",
                    "content": ERROR_CONTENT,
                }
            },
        },
    }


def audited(project: ir.Project) -> list[ir.Resource]:
    return [r for r in project.resources if r.has("audit")]


def branching(project: ir.Project) -> list[ir.Resource]:
    return [r for r in project.resources if r.has("branching")]


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
# Every error_code the API answers with: its HTTP status and what it means.
ERROR_CODES: dict[str, tuple[int, str]] = {
    "tenant_required": (400, "the X-Tenant-ID header is missing"),
    "authentication_required": (401, "there is no caller (X-User-ID)"),
    "forbidden": (403, "a system row of another owner is read-only"),
    "not_found": (404, "no such row, or one the caller may not see"),
    "conflict": (409, "a unique value is taken"),
    "version_conflict": (409, "the row changed since the version sent (If-Match or version)"),
    "undo_used": (409, "the bulk change was undone already"),
    "undo_expired": (410, "the undo token has expired"),
    "validation_error": (422, "a value or parameter is invalid"),
    "invalid_reference": (422, "a relation names no row"),
    "precondition_required": (428, "the version is missing: send If-Match or version"),
}


def errors(*codes: str) -> dict[str, Any]:
    """The error responses of an operation, one per status, naming the codes it can answer with."""
    by_status: dict[str, list[str]] = {}
    for code in codes:
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


def shared_schemas(project: ir.Project) -> dict[str, Any]:
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
    if any(r.actions.bulk is not None and r.actions.bulk.undo for r in project.resources):
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
    if audited(project):
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
    if branching(project):
        schemas["MergeResult"] = _object(
            "Merge result",
            {
                "branch": {"type": "string"},
                "merged": _object(
                    "Rows merged per resource",
                    {r.name: {"type": "integer"} for r in branching(project)},
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
    parameters += trait_headers(resource, method)
    codes = ["tenant_required"] if resource.has("tenant") else []
    owned, versioned = resource.has("owned"), resource.has("versioned")
    plural = h.plural_pascal(resource)
    responses: dict[str, Any]
    if operation_id == f"get{model}":
        result["summary"] = f"Get one {resource.name}"
        parameters += _include_deleted(resource, "a deleted row is found")
        responses = {"200": _row(resource, "The row")}
        codes += ["not_found"]
    elif operation_id == f"list{plural}":
        result["summary"] = f"List {resource.plural}"
        parameters += list_parameters(resource, h)
        parameters += _include_deleted(resource, "hidden by default")
        responses = {"200": _json(_ref(f"{model}Page"), "A page of rows")}
        codes += ["validation_error"]
    elif operation_id == f"bulk{plural}":
        result["summary"] = f"Update or delete {resource.plural} by filter"
        result["requestBody"] = _body("BulkRequest")
        responses = {"200": _json(_ref("BulkResult"), "What matched and what changed")}
        codes += ["validation_error"]
    elif operation_id == f"undoBulk{plural}":
        result["summary"] = f"Undo a bulk change of {resource.plural}"
        result["requestBody"] = _body("BulkUndoRequest")
        responses = {"200": _json(_ref("BulkUndoResult"), "How many rows are back")}
        codes += ["not_found", "undo_used", "undo_expired", "validation_error"]
    elif operation_id == f"create{model}":
        result["summary"] = f"Create a {resource.name}"
        result["requestBody"] = _body(f"{model}Create")
        responses = {"201": _row(resource, "The new row")}
        codes += ["authentication_required"] if owned else []
        codes += ["conflict", "validation_error", "invalid_reference"]
    elif operation_id == f"update{model}":
        result["summary"] = f"Update a {resource.name}"
        result["requestBody"] = _body(f"{model}Update")
        responses = {"200": _row(resource, "The row after the update")}
        codes += ["forbidden"] if owned else []
        codes += ["not_found", "conflict"]
        codes += ["version_conflict"] if versioned else []
        codes += ["validation_error", "invalid_reference"]
        codes += ["precondition_required"] if versioned else []
    elif operation_id == f"delete{model}":
        result["summary"] = f"Delete a {resource.name}" + (
            " (hidden: restore brings it back)" if resource.has("soft_delete") else ""
        )
        responses = {"204": {"description": "Deleted"}}
        codes += ["forbidden"] if owned else []
        codes += ["not_found", "conflict"]
        codes += ["version_conflict"] if versioned else []
    elif operation_id == f"restore{model}":
        result["summary"] = f"Restore a deleted {resource.name}"
        responses = {"200": _row(resource, "The row, no longer deleted")}
        codes += ["forbidden"] if owned else []
        codes += ["not_found", "conflict"]
    else:
        action = next(a for a in resource.actions.custom if path.endswith("/" + a.name))
        result["summary"] = action.label
        if action.description:
            result["description"] = action.description
        result["requestBody"] = _body(action_input_name(resource, action))
        answer = _ref(f"{model}Read") if action.scope == "item" else {}
        responses = {
            "200": _json(
                answer,
                "The row after the action"
                if action.scope == "item"
                else "What the handler returns",
            ),
        }
        codes += ["not_found", "validation_error"]
        responses["501"] = ERROR
    if parameters:
        result["parameters"] = parameters
    result["responses"] = dict(sorted((responses | errors(*codes)).items()))
    return result


def _body(schema: str) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": _ref(schema)}}}


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
            if kinds[name] == "datetime":
                # "now" is the server's current time: next_action_at__lte=now
                value = {"anyOf": [value, {"const": "now"}]}
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


def list_audit(project: ir.Project) -> dict[str, Any]:
    names = ", ".join(r.name for r in audited(project))
    return {
        "operationId": "listAuditEntries",
        "tags": ["audit"],
        "summary": "The audit log, newest first",
        "description": f"Every write of {names}, in the caller's tenant (X-Tenant-ID).",
        "parameters": [
            *_tenant_header(
                audited(project), "The tenant whose entries to list; none: entries without one"
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
                "schema": {"type": "integer", "minimum": 1, "maximum": 500, "default": 50},
            },
            {
                "name": "cursor",
                "in": "query",
                "schema": {"type": "string"},
                "description": "next_cursor of the previous page",
            },
        ],
        "responses": {
            "200": _json(_ref("AuditPage"), "A page of entries"),
            **errors("validation_error"),
        },
    }


def _branch_parameters(project: ir.Project) -> list[dict[str, Any]]:
    name = {
        "name": "name",
        "in": "path",
        "required": True,
        "schema": {"type": "string", "maxLength": 64},
        "description": "The branch (X-Branch-ID of its writes); not main",
    }
    return [name, *_tenant_header(branching(project), "The tenant whose rows the branch holds")]


def _tenant_header(resources: list[ir.Resource], description: str) -> list[dict[str, Any]]:
    """An optional X-Tenant-ID, when any of the resources a project-wide route reads is a tenant's."""
    return [_header("X-Tenant-ID", description)] if any(r.has("tenant") for r in resources) else []


def merge_branch(project: ir.Project) -> dict[str, Any]:
    names = ", ".join(r.name for r in branching(project))
    return {
        "operationId": "mergeBranch",
        "tags": ["branches"],
        "summary": "Merge a branch into main",
        "description": f"The branch's copies of {names} replace main's rows and its deletions apply; the branch is then empty.",
        "parameters": _branch_parameters(project),
        "responses": {
            "200": _json(_ref("MergeResult"), "How many rows of each resource were merged"),
            **errors("conflict", "validation_error"),
        },
    }


def discard_branch(project: ir.Project) -> dict[str, Any]:
    names = ", ".join(r.name for r in branching(project))
    return {
        "operationId": "discardBranch",
        "tags": ["branches"],
        "summary": "Discard a branch",
        "description": f"The branch's rows of {names} are thrown away; main is untouched.",
        "parameters": _branch_parameters(project),
        "responses": {"204": {"description": "Discarded"}, **errors("validation_error")},
    }


def run_action(project: ir.Project) -> dict[str, Any]:
    names = [
        f"{r.name}.{a}"
        for r in project.resources
        for a in ("list", "get", "create", "update", "delete")
        if getattr(r.actions, a)
    ]
    names += [f"{r.name}.restore" for r in project.resources if r.has("soft_delete")]
    names += [f"{r.name}.bulk" for r in project.resources if r.actions.bulk]
    names += [
        f"{r.name}.bulk_undo"
        for r in project.resources
        if r.actions.bulk is not None and r.actions.bulk.undo
    ]
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
