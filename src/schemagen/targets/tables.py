"""`tables` target: `client/src/tables.ts` and `client/src/tables.json`, the definitions an
auto-generated table renders from.

Per resource (`bookTable`): the columns of the schema's `ui.table` (accessor, header, type and
formatter, sortable, filterable with its operators, enum options, relation), the default sort and
page size, whether it can show deleted rows (soft_delete: `include_deleted`), the row actions
(update, delete, restore on deleted rows, item actions), the bulk actions with the undo that
follows them, the collection actions, and the list hook and query options that feed it.
"""

from __future__ import annotations

from typing import Any

from schemagen import ir
from schemagen.client import (
    SRC,
    Client,
    Filter,
    runtime_files,
    template_values,
    ts_value,
    with_hooks,
)
from schemagen.files import RenderedFile
from schemagen.literals import json_text
from schemagen.naming import humanize
from schemagen.render import header_comment
from schemagen.targets.base import RenderContext, Target
from schemagen.types import FieldType

# How a cell shows a value, per field type (tests/unit/test_types.py: none missing).
FORMATS: dict[FieldType, str] = {
    FieldType.STRING: "text",
    FieldType.TEXT: "text",
    FieldType.INTEGER: "number",
    FieldType.BIGINT: "number",
    FieldType.FLOAT: "number",
    FieldType.DECIMAL: "decimal",
    FieldType.BOOLEAN: "boolean",
    FieldType.DATE: "date",
    FieldType.DATETIME: "datetime",
    FieldType.TIME: "time",
    FieldType.UUID: "text",
    FieldType.EMAIL: "text",
    FieldType.URL: "url",
    FieldType.JSON: "json",
    FieldType.ENUM: "enum",
    FieldType.ARRAY: "list",
    FieldType.RELATION: "relation",
    FieldType.MANY_TO_MANY: "list",
    FieldType.SLUG: "text",
    FieldType.PHONE: "text",
}


def column(
    client: Client,
    resource: ir.Resource,
    name: str,
    sortable: tuple[str, ...],
    filters: dict[str, Filter],
) -> dict[str, Any] | None:
    """A column of the table: a field by its schema name, or a column such as created_at."""
    field = next((f for f in resource.fields if f.name == name), None)
    if field is not None:
        kind, accessor, header = field.type, field.api_name, field.label
    else:
        col = next((c for c in resource.columns if c.name == name and c.exposed), None)
        if col is None:
            return None
        kind, accessor, header = col.type, col.name, "ID" if name == "id" else humanize(name)
    data: dict[str, Any] = {
        "accessor": accessor,
        "header": header,
        "type": kind,
        "format": FORMATS[kind],
    }
    if field is not None and field.type == FieldType.DECIMAL:
        data["scale"] = field.scale
    data["sortable"] = accessor in sortable
    data["filterable"] = (
        {"operators": list(filters[accessor].operators)} if accessor in filters else False
    )
    if field is not None and field.enum is not None:
        data["options"] = [{"value": o.value, "label": o.label} for o in field.enum.options]
    if field is not None and field.relation is not None:
        target = client.by_name[field.relation.target]
        title = target.title_api_name
        data["relation"] = {
            "resource": target.name,
            "titleField": title,
            "multiple": field.relation.kind == "many_to_many",
        }
    return data


def table(client: Client, resource: ir.Resource) -> dict[str, Any]:
    r, n = resource, client.n(resource)
    a = r.actions
    row_actions: list[dict[str, Any]] = []
    if a.update:
        row_actions.append({"action": f"{r.name}.update", "label": "Edit", "kind": "update"})
    if a.delete:
        row_actions.append(
            {"action": f"{r.name}.delete", "label": "Delete", "kind": "delete", "confirm": True}
        )
    if r.has("soft_delete"):
        row_actions.append(
            {
                "action": f"{r.name}.restore",
                "label": "Restore",
                "kind": "restore",
                "onlyDeleted": True,
            }
        )
    collection_actions: list[dict[str, Any]] = []
    for action in a.custom:
        entry = {"action": action.action, "label": action.label, "kind": "custom"}
        (row_actions if action.scope == "item" else collection_actions).append(entry)
    bulk_actions: list[dict[str, Any]] = []
    if a.bulk:
        for operation in ("update", "delete"):
            bulk_actions.append(
                {
                    "action": f"{r.name}.bulk",
                    "operation": operation,
                    "label": f"{operation.capitalize()} matching",
                    "dryRun": a.bulk.dry_run,
                    "undo": a.bulk.undo,
                    "undoAction": f"{r.name}.bulk_undo" if a.bulk.undo else None,
                }
            )
    sortable = client.sortable(r)
    filters = {f.name: f for f in client.filters(r)}
    columns = [
        c
        for c in (column(client, r, name, sortable, filters) for name in r.ui.table_columns)
        if c is not None
    ]
    views = [view(client, r, v, row_actions, sortable, filters) for v in r.views]
    return {
        "resource": r.name,
        "label": r.label,
        "labelPlural": r.label_plural,
        "columns": columns,
        "defaultSort": list(r.ui.table_default_sort),
        "pageSize": r.ui.table_page_size,
        "searchable": bool(client.searchable(r)),
        "softDelete": r.has("soft_delete"),
        "rowActions": row_actions,
        "bulkActions": bulk_actions,
        "collectionActions": collection_actions,
        "listHook": n.use_list if a.list else None,
        "listQueryOptions": n.list_options if a.list else None,
        "views": views,
    }


def view(
    client: Client,
    resource: ir.Resource,
    v: ir.View,
    row_actions: list[dict[str, Any]],
    sortable: tuple[str, ...],
    filters: dict[str, Filter],
) -> dict[str, Any]:
    """A named view (`views:`): the list parameters it reads with, its sort, columns and row
    actions; a tree view names the self relation its rows hang under."""
    return {
        "name": v.name,
        "title": v.title,
        "description": v.description,
        "params": {
            name: list(value) if isinstance(value, tuple) else value for name, value in v.params
        },
        "sort": list(v.sort),
        "columns": [
            c
            for c in (column(client, resource, name, sortable, filters) for name in v.columns)
            if c is not None
        ],
        "rowActions": [a for a in row_actions if v.actions is None or a["action"] in v.actions],
        "tree": None if v.tree is None else {"parent": v.tree},
    }


def render(project: ir.Project, context: RenderContext) -> list[RenderedFile]:
    client = Client(project, context.api_for(project))
    tables = {r.name: table(client, r) for r in project.resources}
    document = {"$comment": header_comment(context.schemas_label), "tables": tables}
    code = {name: ts_value(with_hooks(data)) for name, data in tables.items()}
    return [
        context.render(
            "typescript/tables.ts.j2",
            f"{SRC}/tables.ts",
            tables=code,
            uses_hooks=any(data["listHook"] for data in tables.values()),
            **template_values(client),
        ),
        RenderedFile(f"{SRC}/tables.json", json_text(document)),
        *runtime_files("tables"),
    ]


TARGET = Target(
    "tables",
    render,
    "Table definitions per resource: columns with formatters, sort, filters, row and bulk actions (tables.ts, tables.json)",
    requires=("typescript", "tanstack"),
)
