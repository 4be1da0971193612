"""`cache_keys` target: `client/src/keys.ts` and `client/src/keys.json`.

Per resource a query-key factory in TkDodo's hierarchy (`all`, `lists()`, `list(params)`,
`infinite(params)`, `details()`, `detail(id)`), so invalidating a prefix reaches everything under
it; mutation keys; `auditKeys` for the audit log where the project has one; and
`invalidationMap`: for every mutation action (and the project's `branches.merge` and
`branches.discard`), the key prefixes to refresh once it succeeds, derived from the relation graph
and the traits (`invalidation_map`). keys.json holds the same data, each refresh with the reason
for it, for tools that do not read TypeScript.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from schemagen import ir
from schemagen.api import Api
from schemagen.client import SRC, Client, runtime_files, template_values
from schemagen.files import RenderedFile
from schemagen.literals import json_text
from schemagen.render import header_comment
from schemagen.targets.base import RenderContext, Target

Scope = Literal["all", "lists"]
# Key roots beside the resources' own: reserved resource names (validate.RESERVED_RESOURCES), so
# no resource's keys can start with them.
AUDIT = "audit"  # the audit log's queries: ["audit", "list", params]
BULK_RUNS = "bulk_runs"  # the bulk runs' queries: ["bulk_runs", "list", params], [.., "detail", id]


@dataclass(frozen=True)
class Refresh:
    """Queries of `resource` to refresh after a mutation: all of them, or only its lists."""

    resource: str
    scope: Scope
    reason: str

    def key(self) -> list[str]:
        return [self.resource] if self.scope == "all" else [self.resource, "list"]


def invalidation_map(api: Api) -> dict[str, tuple[Refresh, ...]]:
    """For every mutation action, what to refresh once it succeeded, and why.

    - create: the resource's lists (a new row may belong in any of them);
    - update: every query of the resource (the row's detail, and lists it may enter or leave);
    - delete: every query of the resource, and what the delete does to others: rows whose relation
      cascades are deleted too (and their own dependents follow, transitively), rows whose relation
      is set_null change; restrict and no_action refuse the delete, so they change nothing;
    - many-to-many: a write that may change links refreshes the other side as well, and so does a
      delete on either side (the junction rows go with the row);
    - restore: what an update refreshes (the row is back in the lists it matches), and the rows
      the soft delete's cascade hid, which come back with it;
    - bulk: what an update and a delete refresh, and so does undoing a bulk change;
    - custom actions: their `invalidates` list;
    - audit: every write of an audited resource refreshes the audit log's queries;
    - branches.merge and branches.discard: every query of every branching resource (what a
      branch shows, and main after a merge, changes).
    """
    project = api.project
    by_name = {r.name: r for r in project.resources}
    # Relations pointing at each resource: (source resource, relation).
    inbound: dict[str, list[tuple[ir.Resource, ir.Relation]]] = {
        r.name: [] for r in project.resources
    }
    for r in project.resources:
        for rel in r.relations:
            inbound[rel.target].append((r, rel))

    def links(resource: ir.Resource) -> list[Refresh]:
        """The other side of every writable many-to-many field of `resource`."""
        return [
            Refresh(
                f.relation.target,
                "all",
                f"{resource.name}.{f.name}: many-to-many links change on both sides",
            )
            for f in resource.fields
            if f.relation is not None and f.relation.kind == "many_to_many" and not f.readonly
        ]

    def deleted(resource: ir.Resource, seen: set[str]) -> list[Refresh]:
        """What deleting rows of `resource` changes elsewhere."""
        result = []
        for f in resource.fields:
            if f.relation is not None and f.relation.kind == "many_to_many":
                result.append(
                    Refresh(
                        f.relation.target,
                        "all",
                        f"{resource.name}.{f.name}: its many-to-many links are deleted with the row",
                    )
                )
        for source, rel in inbound[resource.name]:
            via = f"{source.name}.{rel.name}"
            if rel.kind == "many_to_many":
                result.append(
                    Refresh(
                        source.name,
                        "all",
                        f"{via}: many-to-many links to the deleted row are removed",
                    )
                )
            elif rel.on_delete == "cascade":
                result.append(
                    Refresh(source.name, "all", f"{via}: on_delete cascade deletes its rows")
                )
                if source.name not in seen:
                    seen.add(source.name)
                    result.extend(deleted(source, seen))
            elif rel.on_delete == "set_null":
                result.append(Refresh(source.name, "all", f"{via}: on_delete set_null clears it"))
        return result

    def restored(resource: ir.Resource, seen: set[str]) -> list[Refresh]:
        """What restoring a soft-deleted row brings back elsewhere: the rows its delete's cascade
        hid (children with soft_delete, transitively; validate allows no other cascade)."""
        result = []
        for source, rel in inbound[resource.name]:
            if rel.kind != "many_to_many" and rel.on_delete == "cascade":
                via = f"{source.name}.{rel.name}"
                result.append(
                    Refresh(
                        source.name, "all", f"{via}: restore brings back the rows its cascade hid"
                    )
                )
                if source.name not in seen:
                    seen.add(source.name)
                    result.extend(restored(source, seen))
        return result

    def audited(resource: ir.Resource) -> list[Refresh]:
        if not resource.has("audit"):
            return []
        return [Refresh(AUDIT, "all", f"writes of {resource.name} are recorded in the audit log")]

    result: dict[str, tuple[Refresh, ...]] = {}
    for resource_api in api.resources:
        r = resource_api.resource
        itself = Refresh(r.name, "all", f"the {r.name} itself")
        updates = [itself, *links(r), *audited(r)]
        deletes = [itself, *deleted(r, {r.name}), *audited(r)]
        for op in resource_api.mutations:
            action = op.custom
            if action is not None:
                refreshes = [
                    Refresh(name, "all", f"{action.action} invalidates {name}")
                    for name in action.invalidates
                    if name in by_name
                ] + audited(r)
            elif op.verb == "create":
                created = Refresh(r.name, "lists", f"a new {r.name} may belong in any list")
                refreshes = [created, *links(r), *audited(r)]
            elif op.verb == "update":
                refreshes = updates
            elif op.verb == "delete":
                refreshes = deletes
            elif op.verb == "restore":
                refreshes = [*updates, *restored(r, {r.name})]
            else:  # bulk and bulk_undo: a run is recorded (or undone)
                runs = Refresh(BULK_RUNS, "all", f"a bulk change of {r.name} is a run")
                refreshes = [*updates, *deletes, runs]
            result[op.action] = _merge(refreshes)
    if api.has_bulk:
        # A cancelled run stops: its own queries, and the lists of what runs change.
        result["bulk_runs.cancel"] = _merge(
            [Refresh(BULK_RUNS, "all", "a cancelled run stops")]
            + [
                Refresh(r.resource.name, "all", f"a run of {r.resource.name} stops")
                for r in api.resources
                if r.operation("bulk") is not None
            ]
        )
    for op in api.system_mutations:
        result[op.action] = _merge(
            [
                Refresh(r.name, "all", f"a branch {op.verb} changes {r.name} rows")
                for r in api.branching
            ]
            + [x for r in api.branching for x in audited(r)]
        )
    return result


def _merge(refreshes: list[Refresh]) -> tuple[Refresh, ...]:
    """One refresh per resource, in first-seen order; `all` wins over `lists`; first reason kept."""
    merged: dict[str, Refresh] = {}
    for refresh in refreshes:
        known = merged.get(refresh.resource)
        if known is None:
            merged[refresh.resource] = refresh
        elif known.scope == "lists" and refresh.scope == "all":
            merged[refresh.resource] = Refresh(
                refresh.resource, "all", f"{known.reason}; {refresh.reason}"
            )
    return tuple(merged.values())


# The key factories of the project's own queries, by the name the invalidation map uses.
SYSTEM_KEYS = {AUDIT: "auditKeys", BULK_RUNS: "bulkRunKeys"}


def render(project: ir.Project, context: RenderContext) -> list[RenderedFile]:
    api = context.api_for(project)
    client = Client(project, api)
    invalidation = invalidation_map(api)
    return [
        context.render(
            "typescript/keys.ts.j2",
            f"{SRC}/keys.ts",
            invalidation=invalidation,
            mutations=lambda r: [op.action for op in api.resource(r).mutations],
            keys_of=lambda name: SYSTEM_KEYS.get(name) or client.n(name).keys,
            **template_values(client),
        ),
        RenderedFile(f"{SRC}/keys.json", json_text(keys_document(api, invalidation, context))),
        *runtime_files("cache_keys"),
    ]


def keys_document(
    api: Api, invalidation: dict[str, tuple[Refresh, ...]], context: RenderContext
) -> dict[str, Any]:
    project = api.project
    keys = {
        r.name: {
            "all": [r.name],
            "lists": [r.name, "list"],
            "list": [r.name, "list", "{params}"],
            "infinite": [r.name, "list", "infinite", "{params}"],
            "details": [r.name, "detail"],
            "detail": [r.name, "detail", "{id}"],
        }
        for r in project.resources
    }
    if api.has_audit:
        keys[AUDIT] = {
            "all": [AUDIT],
            "lists": [AUDIT, "list"],
            "list": [AUDIT, "list", "{params}"],
        }
    if api.has_bulk:
        keys[BULK_RUNS] = {
            "all": [BULK_RUNS],
            "lists": [BULK_RUNS, "list"],
            "list": [BULK_RUNS, "list", "{params}"],
            "detail": [BULK_RUNS, "detail", "{id}"],
        }
    mutations = {
        op.action: op.action.split(".", 1)
        for op in [*(op for r in api.resources for op in r.mutations), *api.system_mutations]
    }
    if api.has_bulk:
        mutations["bulk_runs.cancel"] = ["bulk_runs", "cancel"]
    return {
        "$comment": header_comment(context.schemas_label),
        "keys": keys,
        "mutations": mutations,
        "invalidationMap": {
            action: [{"key": x.key(), "reason": x.reason} for x in refreshes]
            for action, refreshes in invalidation.items()
        },
    }


TARGET = Target(
    "cache_keys",
    render,
    "Query-key factories per resource and the invalidation map derived from the relations (keys.ts, keys.json)",
    requires=("typescript",),
)
