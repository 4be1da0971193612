"""`cache_keys` target: `client/src/keys.ts` and `client/src/keys.json`.

Per resource a query-key factory in TkDodo's hierarchy (`all`, `lists()`, `list(params)`,
`infinite(params)`, `details()`, `detail(id)`), so invalidating a prefix reaches everything under
it; mutation keys; and `invalidationMap`: for every mutation action, the key prefixes to refresh
once it succeeds, derived from the relation graph (`invalidation_map`). keys.json holds the same
data, each refresh with the reason for it, for tools that do not read TypeScript.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from schemagen import ir
from schemagen.files import RenderedFile
from schemagen.literals import json_text
from schemagen.render import RenderContext, Target, header_comment
from schemagen.targets.ts_common import SRC, Client
from schemagen.targets.typescript import template_values

Scope = Literal["all", "lists"]


@dataclass(frozen=True)
class Refresh:
    """Queries of `resource` to refresh after a mutation: all of them, or only its lists."""

    resource: str
    scope: Scope
    reason: str

    def key(self) -> list[str]:
        return [self.resource] if self.scope == "all" else [self.resource, "list"]


def mutation_actions(resource: ir.Resource) -> list[str]:
    """The actions of a resource that change data, in a stable order."""
    a = resource.actions
    names = [
        verb
        for verb, on in (
            ("create", a.create),
            ("update", a.update),
            ("delete", a.delete),
            ("bulk", a.bulk is not None),
        )
        if on
    ]
    return [f"{resource.name}.{verb}" for verb in names] + [action.action for action in a.custom]


def invalidation_map(project: ir.Project) -> dict[str, tuple[Refresh, ...]]:
    """For every mutation action, what to refresh once it succeeded, and why.

    - create: the resource's lists (a new row may belong in any of them);
    - update: every query of the resource (the row's detail, and lists it may enter or leave);
    - delete: every query of the resource, and what the delete does to others: rows whose relation
      cascades are deleted too (and their own dependents follow, transitively), rows whose relation
      is set_null change; restrict and no_action refuse the delete, so they change nothing;
    - many-to-many: a write that may change links refreshes the other side as well, and so does a
      delete on either side (the junction rows go with the row);
    - bulk: what an update and a delete refresh; custom actions: their `invalidates` list.
    """
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

    result: dict[str, tuple[Refresh, ...]] = {}
    for r in project.resources:
        a = r.actions
        itself = Refresh(r.name, "all", f"the {r.name} itself")
        updates = [itself, *links(r)]
        deletes = [itself, *deleted(r, {r.name})]
        if a.create:
            result[f"{r.name}.create"] = _merge(
                [Refresh(r.name, "lists", f"a new {r.name} may belong in any list"), *links(r)]
            )
        if a.update:
            result[f"{r.name}.update"] = _merge(updates)
        if a.delete:
            result[f"{r.name}.delete"] = _merge(deletes)
        if a.bulk:
            result[f"{r.name}.bulk"] = _merge([*updates, *deletes])
        for action in a.custom:
            result[action.action] = _merge(
                [
                    Refresh(name, "all", f"{action.action} invalidates {name}")
                    for name in action.invalidates
                    if name in by_name
                ]
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


def render(project: ir.Project, context: RenderContext) -> list[RenderedFile]:
    client = Client(project)
    invalidation = invalidation_map(project)
    return [
        context.render(
            "typescript/keys.ts.j2",
            f"{SRC}/keys.ts",
            invalidation=invalidation,
            mutations=mutation_actions,
            **template_values(client),
        ),
        RenderedFile(f"{SRC}/keys.json", json_text(keys_document(project, invalidation, context))),
    ]


def keys_document(
    project: ir.Project, invalidation: dict[str, tuple[Refresh, ...]], context: RenderContext
) -> dict[str, Any]:
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
    mutations = {
        action: action.split(".", 1) for r in project.resources for action in mutation_actions(r)
    }
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
