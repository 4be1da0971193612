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
from schemagen.naming import camel
from schemagen.render import RenderContext, Target, header_comment
from schemagen.targets.fastapi import Helpers, filter_operators, routes
from schemagen.targets.jsonschema import action_input_name, value_schema

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
    h = Helpers(project)
    schemas.update(shared_schemas(project))
    for resource in project.resources:
        if resource.actions.bulk:
            schemas[f"{resource.model}BulkRequest"] = bulk_request(resource, h)
    schemas["ActionRequest"] = action_request(project, h)
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
    paths["/api/actions"] = {"post": run_action(project, h)}
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
    "payload_too_large": (413, "the body is larger than the API accepts"),
    "validation_error": (
        422,
        "a value, parameter, header or id is invalid, or the body is not JSON",
    ),
    "invalid_reference": (422, "a relation names no row"),
    "precondition_required": (428, "the version is missing: send If-Match or version"),
    "database_unavailable": (503, "the database does not answer or stays busy: retry later"),
}
# What any route of a resource can answer whatever it does: a parameter, header or id it refuses,
# and a database that is away. `codes()` adds the rest per operation.
ALWAYS = ("validation_error", "database_unavailable")


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
        parameters.append(
            {"name": "id", "in": "path", "required": True, "schema": _key_schema(resource)}
        )
    parameters += trait_headers(resource, method)
    codes = [*ALWAYS, "tenant_required"] if resource.has("tenant") else [*ALWAYS]
    if method in ("POST", "PATCH"):
        codes.append("payload_too_large")
    owned, versioned = resource.has("owned"), resource.has("versioned")
    # Owned rows: writing needs a caller; another owner's system row is read-only.
    writer = ["authentication_required", "forbidden"] if owned else []
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
    elif operation_id == f"bulk{plural}":
        result["summary"] = f"Update or delete {resource.plural} by filter"
        result["requestBody"] = _body(f"{model}BulkRequest")
        responses = {"200": _json(_ref("BulkResult"), "What matched and what changed")}
        codes += writer[:1]
    elif operation_id == f"undoBulk{plural}":
        result["summary"] = f"Undo a bulk change of {resource.plural}"
        result["requestBody"] = _body("BulkUndoRequest")
        responses = {"200": _json(_ref("BulkUndoResult"), "How many rows are back")}
        codes += [*writer[:1], "not_found", "undo_used", "undo_expired"]
    elif operation_id == f"create{model}":
        result["summary"] = f"Create a {resource.name}"
        result["requestBody"] = _body(f"{model}Create")
        responses = {"201": _row(resource, "The new row") | _links(resource, h)}
        codes += [*writer[:1], "conflict", "invalid_reference"]
    elif operation_id == f"update{model}":
        result["summary"] = f"Update a {resource.name}"
        result["requestBody"] = _body(f"{model}Update")
        responses = {"200": _row(resource, "The row after the update")}
        codes += [*writer, "not_found", "conflict", "invalid_reference"]
        codes += ["version_conflict", "precondition_required"] if versioned else []
    elif operation_id == f"delete{model}":
        result["summary"] = f"Delete a {resource.name}" + (
            " (hidden: restore brings it back)" if resource.has("soft_delete") else ""
        )
        responses = {"204": {"description": "Deleted"}}
        codes += [*writer, "not_found", "conflict"]
        codes += ["version_conflict"] if versioned else []
    elif operation_id == f"restore{model}":
        result["summary"] = f"Restore a deleted {resource.name}"
        responses = {"200": _row(resource, "The row, no longer deleted")}
        codes += [*writer, "not_found", "conflict"]
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
            "501": _error("not_implemented: the handler does not exist yet"),
        }
        # The handler is yours: it may refuse with any error of the contract.
        codes += [*writer, "not_found", "conflict", "invalid_reference"]
    if parameters:
        result["parameters"] = parameters
    result["responses"] = dict(sorted((responses | errors(*codes)).items()))
    return result


def _key_schema(resource: ir.Resource) -> dict[str, Any]:
    if resource.primary_key == "integer":
        return {"type": "integer"}
    return {"type": "string", "format": "uuid"}


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": ERROR_CONTENT}


def _links(resource: ir.Resource, h: Helpers) -> dict[str, Any]:
    """The operations a new row's id opens (stateful clients and testers follow them)."""
    links: dict[str, Any] = {}
    for method, path, operation_id in routes(resource):
        if "{id}" not in path:
            continue
        parameters: dict[str, str] = {"path.id": "$response.body#/id"}
        if resource.has("versioned") and method in ("PATCH", "DELETE"):
            parameters["header.If-Match"] = "$response.header.ETag"
        links[operation_id[0].upper() + operation_id[1:]] = {
            "operationId": operation_id,
            "parameters": parameters,
        }
    return {"links": links} if links else {}


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
            "schema": {"type": "string", "pattern": _sort_pattern(sortable)},
            "description": f"Comma-separated fields, '-' for descending (a repeated field counts once); sortable: {', '.join(sortable)}; default: {','.join(config.sort)}",
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
            value = _filter_value(
                value_schema(
                    kinds[name] if field.type != "array" else (field.array_of or "string"),
                    field if field.type not in ("relation", "array") else None,
                )
            )
            if kinds[name] == "datetime":
                # "now" is the server's current time: next_action_at__lte=now
                value = {"anyOf": [value, {"const": "now"}]}
        for op in ops:
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
            **errors(*ALWAYS),
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


def _branch_codes(project: ir.Project) -> list[str]:
    tenant = any(r.has("tenant") for r in branching(project))
    return [*ALWAYS, "tenant_required"] if tenant else [*ALWAYS]


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
            **errors(*_branch_codes(project), "conflict"),
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
        "responses": {"204": {"description": "Discarded"}, **errors(*_branch_codes(project))},
    }


def bulk_request(resource: ir.Resource, h: Helpers) -> dict[str, Any]:
    """The body of a resource's bulk route: an update with its values, or a delete without."""
    query = [
        p for p in list_parameters(resource, h) if p["name"] not in ("limit", "cursor", "sort", "q")
    ]
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


def action_names(project: ir.Project, h: Helpers) -> list[tuple[str, str, str, ir.Resource]]:
    """(action name, method, path, resource) of every route the action router runs by name."""
    result = []
    for resource in project.resources:
        plural = h.plural_pascal(resource)
        custom = {f"{camel(a.name)}{resource.model}": a.action for a in resource.actions.custom}
        named = {
            f"list{plural}": "list",
            f"get{resource.model}": "get",
            f"create{resource.model}": "create",
            f"update{resource.model}": "update",
            f"delete{resource.model}": "delete",
            f"restore{resource.model}": "restore",
            f"bulk{plural}": "bulk",
            f"undoBulk{plural}": "bulk_undo",
        }
        for method, path, operation_id in routes(resource):
            name = custom.get(operation_id) or f"{resource.name}.{named[operation_id]}"
            result.append((name, operation_id, path, resource))
    return sorted(result, key=lambda item: item[0])


def action_request(project: ir.Project, h: Helpers) -> dict[str, Any]:
    """The body of /api/actions: one shape per action, its `input` that route's body (or its query
    parameters for a list), its `id` required where the route has one."""
    shapes = []
    for name, operation_id, path, resource in action_names(project, h):
        route = operation(resource, _method(resource, operation_id), path, operation_id, h)
        properties: dict[str, Any] = {"action": {"const": name}}
        required = ["action"]
        body = route.get("requestBody", {}).get("content", {}).get("application/json", {})
        if body:
            properties["input"] = body["schema"]
            required.append("input")
        elif operation_id.startswith("list"):
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
        if "{id}" in path:
            properties["id"] = _key_schema(resource)
            required.append("id")
        shapes.append(
            {
                "type": "object",
                "title": name,
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


def _method(resource: ir.Resource, operation_id: str) -> str:
    return next(m for m, _, o in routes(resource) if o == operation_id)


def run_action(project: ir.Project, h: Helpers) -> dict[str, Any]:
    names = [name for name, *_ in action_names(project, h)]
    every = [code for code in ERROR_CODES if code != "tenant_required"]
    if any(r.has("tenant") for r in project.resources):
        every.append("tenant_required")
    return {
        "operationId": "runAction",
        "tags": ["actions"],
        "summary": "Run any action by name, answered as its route answers",
        "description": "Actions: " + ", ".join(names),
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": _ref("ActionRequest")}},
        },
        "responses": {
            "200": _json({}, "As the named route answers"),
            "201": _json({}, "A create: the new row"),
            "204": {"description": "A delete"},
            "501": _error("not_implemented: a custom action's handler does not exist yet"),
            **errors(*every),
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
        responses["503"] = _error("not_ready: the database does not answer")
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
