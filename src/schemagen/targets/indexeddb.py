"""`indexeddb` target: `client/src/idb.ts` and `client/src/idb.json`, IndexedDB stores as data.

One object store per resource, named after its table, keyed by `[tenant_id, branch_id, id]` as the
tenant and branching traits apply (plain `id` otherwise), with an index per filterable field
(behind the same scope, so one tenant's or branch's rows come out together). `openDatabase()`
opens the database and brings its stores and indexes in line with these definitions.
"""

from __future__ import annotations

from typing import Any

from schemagen import ir
from schemagen.client import SRC, Client, runtime_files, template_values, ts_value
from schemagen.files import RenderedFile
from schemagen.literals import json_text
from schemagen.render import header_comment
from schemagen.targets.base import RenderContext, Target
from schemagen.types import REGISTRY

# IndexedDB keys are numbers, strings, dates, binary data and arrays of those: booleans and JSON
# values are not, so an index on them would hold no rows.
UNINDEXABLE = ("boolean", "json")  # type families


def scope(resource: ir.Resource) -> list[str]:
    return [
        column
        for trait, column in (("tenant", "tenant_id"), ("branching", "branch_id"))
        if resource.has(trait)
    ]


def store(client: Client, resource: ir.Resource) -> dict[str, Any]:
    prefix = scope(resource)
    key_path: str | list[str] = [*prefix, "id"] if prefix else "id"
    indexes = []
    for f in client.filters(resource):
        if REGISTRY[f.field.type].family in UNINDEXABLE:
            continue
        if f.match in ("array", "many"):
            # Each item of the array is a key of its own (multiEntry), which needs a single key path.
            indexes.append(
                {"name": f"by_{f.name}", "keyPath": f.name, "unique": False, "multiEntry": True}
            )
        else:
            path: str | list[str] = [*prefix, f.name] if prefix else f.name
            indexes.append(
                {"name": f"by_{f.name}", "keyPath": path, "unique": False, "multiEntry": False}
            )
    return {
        "name": resource.table,
        "resource": resource.name,
        "keyPath": key_path,
        "indexes": indexes,
    }


def render(project: ir.Project, context: RenderContext) -> list[RenderedFile]:
    client = Client(project, context.api_for(project))
    stores = {r.name: store(client, r) for r in project.resources}
    document = {
        "$comment": header_comment(context.schemas_label),
        "database": project.name,
        "stores": stores,
    }
    return [
        context.render(
            "typescript/idb.ts.j2",
            f"{SRC}/idb.ts",
            stores={name: ts_value(data, "  ") for name, data in stores.items()},
            **template_values(client),
        ),
        RenderedFile(f"{SRC}/idb.json", json_text(document)),
        *runtime_files("indexeddb"),
    ]


TARGET = Target(
    "indexeddb",
    render,
    "IndexedDB store definitions per resource, scoped key paths and filter indexes, with openDatabase() (idb.ts, idb.json)",
    requires=("typescript",),
)
