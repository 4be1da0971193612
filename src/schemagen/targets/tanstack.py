"""`tanstack` target: TanStack Query v5 option factories (`client/src/queries.ts`, no React) and
the React hooks that wrap them (`client/src/hooks.ts`, which re-exports the factories).

Per resource: `bookListQueryOptions(params)`, `bookInfiniteQueryOptions(params)`,
`bookQueryOptions(id)`, `create/update/delete/restoreBookMutationOptions(queryClient, extras)`,
bulk, bulk undo and custom-action mutation options, the list predicate
`matchesBookParams(row, params)` and its data (`bookQuerySpec`); then `actionQueryOptions` /
`actionMutationOptions` by action name; where the project has them, `auditEntriesQueryOptions`
and the branch mutations `mergeBranchMutationOptions` / `discardBranchMutationOptions`. Mutations
update the cache optimistically, roll back on error and refresh what `invalidationMap` says.
"""

from __future__ import annotations

from typing import Any

from schemagen import ir
from schemagen.client import (
    SRC,
    Client,
    Names,
    Operation,
    number,
    prop,
    read_columns,
    runtime_files,
    template_values,
)
from schemagen.files import RenderedFile
from schemagen.literals import ts_literal
from schemagen.targets.base import RenderContext, Target
from schemagen.types import REGISTRY, FieldType
from schemagen.types.base import Family

# A value of the right type for a required input the user has not set yet, per type family.
EMPTY: dict[Family, str] = {
    "text": '""',
    "number": "0",
    "boolean": "false",
    "temporal": '""',
    "uuid": '""',
    "json": "null",
    "enum": '""',
    "array": "[]",
    "relation": '""',
}


class Optimism:
    """Per resource: the row a create shows before the server answers, and the list query spec."""

    def __init__(self, client: Client):
        self.client = client

    def row(self, resource: ir.Resource) -> list[tuple[str, str]]:
        """(property, expression) of every Read property, before the input is laid over it."""
        fields = {f.column.name: f for f in resource.fields if f.column is not None}
        result = [(prop("id"), f"cache.temporaryId({ts_literal(self.client.key_type(resource))})")]
        for column in read_columns(resource):
            field = fields.get(column.name)
            if field is not None:
                kind = column.type if field.type == "relation" else field.type
                value = self.default(kind, field.default, field.nullable)
                if value == '""' and field.enum is not None:
                    value = ts_literal(field.enum.values[0])  # "" is no value of the enum's type
                result.append((prop(field.api_name), value))
            else:
                result.append(
                    (
                        prop(column.name),
                        TRAIT_VALUES.get(column.name)
                        or self.default(column.type, column.default, column.nullable),
                    )
                )
        for field in resource.fields:
            if field.type == "many_to_many":
                result.append((prop(field.api_name), "[]"))
        return result

    @staticmethod
    def uses_now(row: list[tuple[str, str]]) -> bool:
        """Whether the row's expressions read `now`, the time the create was made."""
        return any(expr == "now" or expr.startswith("now.") for _, expr in row)

    @staticmethod
    def default(kind: str, default: ir.Default | None, nullable: bool) -> str:
        if default is not None and default.kind == "now":
            return "now"
        if default is not None and default.kind == "today":
            return "now.slice(0, 10)"
        if default is not None and default.value is not None:
            value: Any = default.value
            if kind == FieldType.DECIMAL:
                value = number(value)
            return ts_literal(value)
        if nullable:
            return "null"
        # Not nullable and no default: required, so the input sets it; a value of the right type meanwhile.
        return EMPTY[REGISTRY[FieldType(kind)].family]

    def spec(self, resource: ir.Resource) -> dict[str, str]:
        c = self.client
        config = resource.actions.list
        assert config is not None
        kinds = c.row_kinds(resource)
        filters = (
            "{ "
            + ", ".join(f"{prop(f.name)}: {ts_literal(f.match)}" for f in c.filters(resource))
            + " }"
        )
        # An enum sorts in the order its values are declared, as the API sorts it.
        enums = {
            name: column.enum.values
            for name, column, _ in c.api_columns(resource)
            if column.enum is not None
        }
        sortable = (
            "{ "
            + ", ".join(
                f"{prop(name)}: "
                + (
                    "[" + ", ".join(ts_literal(v) for v in enums[name]) + "]"
                    if name in enums
                    else ts_literal(kinds.get(name, "text"))
                )
                for name in dict.fromkeys([*c.sortable(resource), "id"])
            )
            + " }"
        )
        search = "[" + ", ".join(ts_literal(name) for name in c.searchable(resource)) + "]"
        default_sort = "[" + ", ".join(ts_literal(token) for token in config.sort) + "]"
        return {
            "filters": filters,
            "search": search,
            "sortable": sortable,
            "defaultSort": default_sort,
            "softDelete": "true" if resource.has("soft_delete") else "false",
        }


# Trait columns in an optimistic row: the caller's tenant, branch and user, as the server will set them.
TRAIT_VALUES = {
    "tenant_id": 'api.defaultClient.config.tenantId ?? ""',
    "branch_id": 'api.defaultClient.config.branchId ?? "main"',
    "owner_id": "api.defaultClient.config.userId ?? null",
}


def variables(client: Client, resource: ir.Resource, op: Operation) -> str:
    """The type of a mutation's variables: what `mutate()` takes."""
    n = client.n(resource)
    types = [f"T.{t}" for _, t, _ in op.args]
    if op.verb == "update":
        return f"{{ id: T.{n.key}; patch: T.{n.update} }}"
    if op.custom is not None and op.custom.scope == "item":
        return (
            f"{{ id: T.{n.key}; input?: T.{n.action_input(op.custom)} }}"
            if op.args[-1][2]
            else f"{{ id: T.{n.key}; input: T.{n.action_input(op.custom)} }}"
        )
    if op.custom is not None:
        return types[0] + (" | void" if op.args[-1][2] else "")
    return types[0]


def call(op: Operation) -> str:
    """How a mutation function calls api.ts with its variables."""
    if op.verb == "update":
        return f"api.{op.function}(variables.id, variables.patch)"
    if op.custom is not None and op.custom.scope == "item":
        return f"api.{op.function}(variables.id, variables.input)"
    if op.custom is not None and op.args[-1][2]:
        return f"api.{op.function}(variables ?? {{}})"
    return f"api.{op.function}(variables)"


def options_name(n: Names, op: Operation) -> str:
    return n.action_options(op.custom) if op.custom is not None else n.mutation_options(op.verb)


def hook_name(n: Names, op: Operation) -> str:
    return n.use_action(op.custom) if op.custom is not None else n.use_mutation(op.verb)


def render(project: ir.Project, context: RenderContext) -> list[RenderedFile]:
    client = Client(project, context.api_for(project))
    values = template_values(client) | {
        "o": Optimism(client),
        "variables": variables,
        "call": call,
        "options_name": options_name,
        "hook_name": hook_name,
        "mutations": lambda r: [op for op in client.operations(r) if not op.is_query],
    }
    return [
        context.render("typescript/queries.ts.j2", f"{SRC}/queries.ts", **values),
        context.render("typescript/hooks.ts.j2", f"{SRC}/hooks.ts", **values),
        *runtime_files("tanstack"),
    ]


TARGET = Target(
    "tanstack",
    render,
    "TanStack Query v5 option factories with optimistic updates and list predicates (queries.ts), and React hooks (hooks.ts)",
    requires=("typescript", "cache_keys"),
)
