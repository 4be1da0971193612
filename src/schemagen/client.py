"""What the TypeScript client targets share: names, TypeScript types of fields, list parameters,
the operations as the client calls them, and the values every client template gets.

The client lives in `client/` of the output: `package.json`, `tsconfig.json` and `src/*.ts`. Each
client target writes its own modules; they import each other with `.js` extensions so that the
compiled output runs under Node's ESM loader as well as in bundlers.

Every schema string reaches TypeScript through `ts_literal` (or `comment_text` inside a doc
comment); names derived from schemas are snake_case identifiers, so they are safe as property
names, and are only ever used as variable names with a prefix or suffix.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from schemagen import ir
from schemagen.api import NOT_FILTERS, Api, ListApi, build_api
from schemagen.api import Operation as ApiOperation
from schemagen.diagnostics import UsageError
from schemagen.literals import comment_text, ts_literal, ts_string
from schemagen.naming import camel, pascal
from schemagen.types import REGISTRY, FieldType

CLIENT = "client"
SRC = f"{CLIENT}/src"
# The client modules in the order index.ts re-exports them, with the target that writes each.
MODULES: tuple[tuple[str, str], ...] = (
    ("types", "typescript"),
    ("api", "typescript"),
    ("schemas", "zod"),
    ("keys", "cache_keys"),
    ("queries", "tanstack"),
    ("hooks", "tanstack"),
    ("forms", "forms"),
    ("tables", "tables"),
    ("idb", "indexeddb"),
)
CLIENT_TARGETS = ("typescript", "zod", "cache_keys", "tanstack", "forms", "tables", "indexeddb")

_IDENTIFIER = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*\Z")
# How the client's local matching compares a column's values (queries.ts), per field type
# (tests/unit/test_types.py: none missing).
MATCH_KINDS: dict[FieldType, str] = {
    FieldType.STRING: "text",
    FieldType.TEXT: "text",
    FieldType.INTEGER: "number",
    FieldType.BIGINT: "number",
    FieldType.FLOAT: "number",
    FieldType.DECIMAL: "number",
    FieldType.BOOLEAN: "boolean",
    FieldType.DATE: "text",  # ISO dates and times order as text
    FieldType.DATETIME: "datetime",  # offsets differ: compared as instants
    FieldType.TIME: "text",
    FieldType.UUID: "text",
    FieldType.EMAIL: "text",
    FieldType.URL: "text",
    FieldType.JSON: "json",
    FieldType.ENUM: "text",
    FieldType.ARRAY: "array",
    FieldType.RELATION: "key",
    FieldType.MANY_TO_MANY: "many",
}


def read_columns(resource: ir.Resource) -> list[ir.Column]:
    """The columns of the Read shape after its id, in order: internal bookkeeping left out."""
    return [c for c in resource.columns if not (c.primary_key and c.name == "id") and c.exposed]


@functools.lru_cache(maxsize=4096)
def prop(name: str) -> str:
    """A property name: bare when it is an identifier (keywords are fine as property names), else quoted."""
    if name == "__proto__":  # in an object literal, even quoted, it would set the prototype
        return '["__proto__"]'
    return name if _IDENTIFIER.match(name) else ts_literal(name)


@dataclass(frozen=True)
class Raw:
    """Code to put into a TypeScript value as it is: only ever code schemagen wrote, never a schema string."""

    code: str


def ts_value(value: Any, indent: str = "", width: int = 100) -> str:
    """A TypeScript expression for plain data (and Raw code), on one line when it fits, else one
    member a line; strings through ts_literal's escaping, property names through prop."""
    flats: dict[int, str] = {}
    _flat(value, flats)
    return _pretty(value, indent, width, flats)


def _pretty(value: Any, indent: str, width: int, flats: dict[int, str]) -> str:
    flat = flats[id(value)] if isinstance(value, dict | list | tuple) else _flat(value, flats)
    if len(indent) + len(flat) <= width or not isinstance(value, dict | list | tuple) or not value:
        return flat
    inner = indent + "  "
    if isinstance(value, dict):
        lines = [
            f"{inner}{prop(str(k))}: {_pretty(v, inner, width, flats)}," for k, v in value.items()
        ]
        return "{\n" + "\n".join(lines) + "\n" + indent + "}"
    lines = [f"{inner}{_pretty(v, inner, width, flats)}," for v in value]
    return "[\n" + "\n".join(lines) + "\n" + indent + "]"


def _flat(value: Any, flats: dict[int, str]) -> str:
    """The one-line form of `value`; containers' forms are kept in `flats` by id."""
    if isinstance(value, Raw):
        return value.code
    if isinstance(value, str):
        return ts_string(value)
    if value is None or isinstance(value, bool):
        return "null" if value is None else "true" if value else "false"
    if type(value) is int:
        return str(value)
    if isinstance(value, dict):
        text = (
            "{ " + ", ".join(f"{prop(str(k))}: {_flat(v, flats)}" for k, v in value.items()) + " }"
            if value
            else "{}"
        )
    elif isinstance(value, list | tuple):
        text = "[" + ", ".join(_flat(v, flats) for v in value) + "]"
    else:
        return ts_literal(value)
    flats[id(value)] = text
    return text


def doc(*texts: str | None) -> str:
    """A one-line JSDoc comment of the texts, or nothing."""
    text = ": ".join(comment_text(t) for t in texts if t)
    return f"/** {text} */" if text else ""


def number(value: Any) -> int | float:
    """A schema number (or a decimal's text) as a JSON number."""
    if isinstance(value, bool):
        raise TypeError("a boolean is not a number")
    if isinstance(value, str | Decimal):
        d = Decimal(str(value))
        return int(d) if d == d.to_integral_value() else float(d)
    return value


@dataclass(frozen=True)
class Prop:
    """One property of an object type."""

    name: str  # the API name
    type: str  # TypeScript type
    optional: bool = False
    doc: str = ""

    @property
    def key(self) -> str:
        return prop(self.name)


class Names:
    """The client's names for one resource: book → Book, Books, book (DESIGN §5)."""

    def __init__(self, resource: ir.Resource):
        r = resource
        self.resource = r
        self.action = r.name  # the action prefix: book.create
        self.model = r.model  # Book: the Read type
        self.plural = pascal(r.plural)  # Books
        self.var = camel(r.name)  # book
        self.key = f"{r.model}Id"
        self.create = f"{r.model}Create"
        self.update = f"{r.model}Update"
        self.list_params = f"{r.model}ListParams"
        self.page = f"{r.model}Page"
        self.sort = f"{r.model}Sort"
        self.bulk_request = f"{r.model}BulkRequest"
        self.filter = f"{r.model}Filter"
        # api.ts
        self.list_fn = f"list{self.plural}"
        self.get_fn = f"get{r.model}"
        self.create_fn = f"create{r.model}"
        self.update_fn = f"update{r.model}"
        self.delete_fn = f"delete{r.model}"
        self.bulk_fn = f"bulk{self.plural}"
        self.restore_fn = f"restore{r.model}"
        self.bulk_undo_fn = f"undoBulk{self.plural}"
        # keys.ts
        self.keys = f"{self.var}Keys"
        # queries.ts / hooks.ts
        self.list_options = f"{self.var}ListQueryOptions"
        self.infinite_options = f"{self.var}InfiniteQueryOptions"
        self.detail_options = f"{self.var}QueryOptions"
        self.matches = f"matches{r.model}Params"
        self.query_spec = f"{self.var}QuerySpec"
        self.use_list = f"use{r.model}List"
        self.use_infinite = f"use{r.model}InfiniteList"
        self.use_detail = f"use{r.model}"
        # forms.ts / tables.ts / idb.ts
        self.form = f"{self.var}Form"
        self.table = f"{self.var}Table"
        # zod
        self.read_schema = f"{self.var}Schema"
        self.create_schema = f"{self.var}CreateSchema"
        self.update_schema = f"{self.var}UpdateSchema"

    def mutation_options(self, verb: str) -> str:
        if verb == "bulk":
            return f"bulk{self.plural}MutationOptions"
        if verb == "bulk_undo":
            return f"undoBulk{self.plural}MutationOptions"
        return f"{verb}{self.model}MutationOptions"

    def use_mutation(self, verb: str) -> str:
        if verb == "bulk":
            return f"useBulk{self.plural}"
        if verb == "bulk_undo":
            return f"useUndoBulk{self.plural}"
        return f"use{pascal(verb)}{self.model}"

    def action_fn(self, action: ir.CustomAction) -> str:
        return f"{camel(action.name)}{self.model}"  # the operation id: closeOffice

    def action_input(self, action: ir.CustomAction) -> str:
        return f"{self.model}{pascal(action.name)}Input"

    def action_options(self, action: ir.CustomAction) -> str:
        return f"{camel(action.name)}{self.model}MutationOptions"

    def use_action(self, action: ir.CustomAction) -> str:
        return f"use{pascal(action.name)}{self.model}"

    def enum_type(self, field: ir.Field) -> str:
        return f"{self.model}{pascal(field.name)}"

    def enum_schema(self, field: ir.Field) -> str:
        return f"{self.var}{pascal(field.name)}Schema"

    def action_schema(self, action: ir.CustomAction) -> str:
        return f"{self.var}{pascal(action.name)}InputSchema"


class Client:
    """The client's view of a project: names, types and the operations of every resource."""

    def __init__(self, project: ir.Project, api: Api | None = None):
        self.project = project
        self.api = api if api is not None and api.project is project else build_api(project)
        self.by_name = {r.name: r for r in project.resources}
        self.names = {r.name: Names(r) for r in project.resources}

    def n(self, resource: ir.Resource | str) -> Names:
        return self.names[resource if isinstance(resource, str) else resource.name]

    # -- what the project serves beside its resources

    @property
    def audited(self) -> list[ir.Resource]:
        """The resources whose writes `GET /api/audit` lists (the route exists when any does)."""
        return list(self.api.audited)

    @property
    def branching(self) -> list[ir.Resource]:
        """The resources a branch merge or discard changes (the routes exist when any does)."""
        return list(self.api.branching)

    @property
    def bulk_undo(self) -> bool:
        return self.api.has_bulk_undo

    # -- types

    def key_type(self, resource: ir.Resource | str) -> str:
        r = self.by_name[resource] if isinstance(resource, str) else resource
        return "number" if r.primary_key == "integer" else "string"

    def value_type(
        self,
        kind: str,
        field: ir.Field | None = None,
        resource: ir.Resource | None = None,
        *,
        inline_enum: bool = False,
    ) -> str:
        """The TypeScript type of a non-null value of a schema type. A resource's enum fields have
        a named type; an action input's enum is its union inline, as the backend's `Literal` is
        (a named one could clash with the resource field of the same name)."""
        scalar = REGISTRY[FieldType(kind)].ts
        if scalar:
            return scalar
        assert field is not None
        if kind == "enum":
            assert resource is not None and field.enum is not None
            if inline_enum:
                return " | ".join(ts_literal(v) for v in field.enum.values)
            return self.n(resource).enum_type(field)
        if kind == "array":
            return f"{self.value_type(field.array_of or 'string')}[]"
        assert field.relation is not None
        key = self.n(field.relation.target).key
        return key if kind == "relation" else f"{key}[]"

    def field_type(
        self,
        field: ir.Field,
        resource: ir.Resource,
        *,
        nullable: bool | None = None,
        inline_enum: bool = False,
    ) -> str:
        base = self.value_type(field.type, field, resource, inline_enum=inline_enum)
        if (
            inline_enum
            and field.type == "enum"
            and (field.nullable if nullable is None else nullable)
        ):
            base = f"({base})"
        null = field.nullable if nullable is None else nullable
        # json admits null already
        return f"{base} | null" if null and field.type != "json" else base

    def read_props(self, resource: ir.Resource) -> list[Prop]:
        """The Read shape, in the order the API sends it: id, columns, many-to-many ids."""
        fields = {f.column.name: f for f in resource.fields if f.column is not None}
        result = [Prop("id", self.n(resource).key, doc=doc("ID"))]
        for column in read_columns(resource):
            field = fields.get(column.name)
            if field is not None:
                result.append(
                    Prop(
                        field.api_name,
                        self.field_type(field, resource),
                        doc=doc(field.label, field.description),
                    )
                )
            else:
                base = REGISTRY[column.type].ts
                result.append(
                    Prop(
                        column.name,
                        f"{base} | null" if column.nullable else base,
                        doc=doc(f"{column.origin}: set by the server"),
                    )
                )
        for field in resource.fields:
            if field.type == "many_to_many":
                result.append(
                    Prop(
                        field.api_name,
                        self.field_type(field, resource),
                        doc=doc(field.label, field.description),
                    )
                )
        return result

    def create_props(self, resource: ir.Resource) -> list[Prop]:
        return [
            Prop(
                f.api_name,
                self.field_type(f, resource),
                optional=not f.required,
                doc=doc(f.label, f.description, f.help),
            )
            for f in resource.fields
            if not f.readonly
        ]

    def update_props(self, resource: ir.Resource) -> list[Prop]:
        props = [
            Prop(f.api_name, self.field_type(f, resource), optional=True, doc=doc(f.label))
            for f in resource.fields
            if not f.readonly
        ]
        if resource.has("versioned"):
            props.append(
                Prop(
                    "version",
                    "number",
                    optional=True,
                    doc=doc("The version being updated; alternative to If-Match"),
                )
            )
        return props

    def input_props(self, resource: ir.Resource, action: ir.CustomAction) -> list[Prop]:
        return [
            Prop(
                f.api_name,
                self.field_type(f, resource, inline_enum=True),
                optional=not f.required,
                doc=doc(f.label, f.description, f.help),
            )
            for f in action.inputs
        ]

    # -- lists

    def listing(self, resource: ir.Resource) -> ListApi | None:
        return self.api.resource(resource).list

    def filters(self, resource: ir.Resource) -> list[Filter]:
        """Every filterable field with its operators, as the backend's list route accepts them."""
        listing = self.listing(resource)
        if listing is None:
            return []
        result = []
        for f in listing.filters:
            field = f.field
            if f.kind == "many_to_many":
                assert field.relation is not None
                value = self.key_type(field.relation.target)
                result.append(Filter(f.name, "many", f.operators, value, field))
            elif f.kind == "array":
                value = self.value_type(f.value_kind)
                result.append(Filter(f.name, "array", f.operators, value, field))
            else:
                value = self.value_type(field.type, field, resource)
                result.append(Filter(f.name, _match_kind(field.type), f.operators, value, field))
        return result

    def sortable(self, resource: ir.Resource) -> tuple[str, ...]:
        listing = self.listing(resource)
        return listing.sortable if listing is not None else ()

    def sort_tokens(self, resource: ir.Resource) -> list[str]:
        listing = self.listing(resource)
        return list(listing.sort_tokens) if listing is not None else []

    def searchable(self, resource: ir.Resource) -> tuple[str, ...]:
        listing = self.listing(resource)
        return listing.searchable if listing is not None else ()

    def api_columns(self, resource: ir.Resource) -> list[tuple[str, ir.Column, ir.Field | None]]:
        """(API name, column, field) in the order of the Read shape; many-to-many fields excluded."""
        return [(c.name, c.column, c.field) for c in self.api.resource(resource).columns]

    def list_props(self, resource: ir.Resource) -> list[Prop]:
        config = resource.actions.list
        assert config is not None
        n = self.n(resource)
        props = [
            Prop(
                "limit",
                "number",
                True,
                doc(f"Rows per page: 1 to {config.max_page_size}, default {config.page_size}"),
            ),
            Prop("cursor", "string", True, doc("next_cursor of the previous page")),
            Prop(
                "sort",
                f"{n.sort} | readonly {n.sort}[]",
                True,
                doc("Sort keys, '-' for descending; default " + ",".join(config.sort)),
            ),
        ]
        if self.searchable(resource):
            props.append(
                Prop(
                    "q",
                    "string",
                    True,
                    doc("Text contained in any of: " + ", ".join(self.searchable(resource))),
                )
            )
        if resource.has("soft_delete"):
            props.append(
                Prop(
                    "include_deleted",
                    "boolean",
                    True,
                    doc("Deleted rows too (deleted_at set); by default a list hides them"),
                )
            )
        for f in self.filters(resource):
            instant = doc('An ISO 8601 instant, or "now" (the server\'s current time)')
            for op in f.operators:
                if op == "eq":
                    props.append(Prop(f.name, f.value, True))
                elif op == "in":
                    props.append(
                        Prop(f"{f.name}__in", f"readonly {_parenthesized(f.value)}[]", True)
                    )
                elif op == "isnull":
                    props.append(Prop(f"{f.name}__isnull", "boolean", True))
                else:
                    props.append(
                        Prop(
                            f"{f.name}__{op}",
                            f.value,
                            True,
                            instant if f.match == "datetime" else "",
                        )
                    )
        return props

    def filter_props(self, resource: ir.Resource) -> list[Prop]:
        return [p for p in self.list_props(resource) if p.name not in NOT_FILTERS]

    def row_kinds(self, resource: ir.Resource) -> dict[str, str]:
        """Every Read property that lists sort or search by, with how values compare."""
        fields = {f.api_name: f for f in resource.fields}
        kinds: dict[str, str] = {}
        for name, column, field in self.api_columns(resource):
            kinds[name] = _match_kind(field.type if field is not None else column.type)
        for name, f in fields.items():
            if f.type == "many_to_many":
                kinds[name] = "many"
        return kinds

    # -- operations

    def verbs(self, resource: ir.Resource) -> list[str]:
        """The built-in mutations of a resource."""
        return [op.verb for op in self.api.resource(resource).mutations if op.custom is None]

    def operations(self, resource: ir.Resource) -> list[Operation]:
        """Every action of a resource, as the client calls it (same order as the action router)."""
        r, n = resource, self.n(resource)
        key = n.key
        ops: list[Operation] = []
        for op in self.api.resource(resource).operations:
            if op.custom is not None:
                action = op.custom
                args = [("id", key, False)] if op.takes_id else []
                args.append(("input", n.action_input(action), not op.body_required))
                summary = ". ".join(x for x in (action.label, action.description) if x)
                result = n.model if op.result is not None else "unknown"
                wire = "id+body" if op.takes_id else "body"
                ops.append(Operation(op, n.action_fn(action), args, result, wire, summary))
                continue
            verb = op.verb
            if verb == "list":
                args, result, wire = [("params", n.list_params, True)], n.page, "params"
                summary = f"A page of {r.label_plural}"
            elif verb == "get":
                args, result, wire = [("id", key, False)], n.model, "id"
                summary = f"One {r.label}"
            elif verb == "create":
                args, result, wire = [("input", n.create, False)], n.model, "body"
                summary = f"A new {r.label}"
            elif verb == "update":
                args = [("id", key, False), ("patch", n.update, False)]
                result, wire = n.model, "id+body"
                summary = f"Change some fields of a {r.label}"
            elif verb == "delete":
                args, result, wire = [("id", key, False)], "void", "id"
                summary = f"Delete a {r.label}" + (
                    " (it is hidden: restore brings it back)" if r.has("soft_delete") else ""
                )
            elif verb == "restore":
                args, result, wire = [("id", key, False)], n.model, "id"
                summary = f"Bring back a deleted {r.label}"
            elif verb == "bulk":
                args, result, wire = [("body", n.bulk_request, False)], "BulkResult", "body"
                summary = f"Update or delete {r.label_plural} by filter"
            else:
                args, result, wire = [("body", "BulkUndoRequest", False)], "BulkUndoResult", "body"
                summary = f"Undo a bulk change of {r.label_plural} by its undo token"
            ops.append(Operation(op, op.operation_id, args, result, wire, summary))
        return ops

    def route(self, resource: ir.Resource, operation: Operation) -> tuple[str, str]:
        """(method, path template) of an operation's route; `{id}` stands for the row's id."""
        return operation.api.method, operation.api.path


@dataclass(frozen=True)
class Filter:
    name: str  # API name
    match: (
        str  # how the predicate compares: text, number, datetime, boolean, key, array, many, json
    )
    operators: tuple[str, ...]
    value: str  # TypeScript type of one value
    field: ir.Field


@dataclass(frozen=True)
class Operation:
    """An operation of the API model as the client calls it."""

    api: ApiOperation
    function: str  # createBook (api.ts), also the operation id
    args: list[tuple[str, str, bool]]  # (parameter, TypeScript type, optional)
    result: str  # TypeScript type
    wire: str  # how /api/actions carries the arguments: params, id, body, id+body
    summary: str = ""  # for a doc comment (schema text: through comment_text)

    @property
    def action(self) -> str:
        return self.api.action  # book.create

    @property
    def verb(self) -> str:
        return self.api.verb  # list, get, create, ..., or the custom action's name

    @property
    def custom(self) -> ir.CustomAction | None:
        return self.api.custom

    @property
    def is_query(self) -> bool:
        return self.api.is_query


def interface(name: str, props: list[Prop], comment: str = "") -> str:
    """`export interface Name {...}`; an object that takes no properties when there are none."""
    head = f"{comment}\n" if comment else ""
    if not props:
        return f"{head}export type {name} = {{ [key: string]: never }};"
    lines = [f"{head}export interface {name} {{"]
    for p in props:
        if p.doc:
            lines.append(f"  {p.doc}")
        lines.append(f"  {p.key}{'?' if p.optional else ''}: {p.type};")
    lines.append("}")
    return "\n".join(lines)


def _match_kind(kind: str) -> str:
    return MATCH_KINDS[FieldType(kind)]


def _parenthesized(type_text: str) -> str:
    return f"({type_text})" if " " in type_text else type_text


def enabled_modules(enabled: frozenset[str] | None) -> list[str]:
    """The client modules the project builds (every one when `enabled` is None)."""
    return [module for module, target in MODULES if enabled is None or target in enabled]


def check_names(client: Client) -> None:
    """Fail clearly when two names the client exports would collide (index.ts re-exports all).

    Names come from resources, models and custom actions, so `configure` on `client` would make
    `configureClient`, the client's own function.
    """
    owners: dict[str, str] = {name: "the client itself" for name in RESERVED}
    if client.audited:
        owners.update({name: "the audit log (GET /api/audit)" for name in AUDIT_NAMES})
    if client.branching:
        owners.update({name: "branch merge and discard" for name in BRANCH_NAMES})
    for r in client.project.resources:
        n = client.n(r)
        names = [
            n.model,
            n.key,
            n.create,
            n.update,
            n.list_params,
            n.page,
            n.sort,
            n.filter,
            n.bulk_request,
            n.keys,
            n.matches,
            n.query_spec,
        ]
        names += [
            n.list_fn,
            n.get_fn,
            n.create_fn,
            n.update_fn,
            n.delete_fn,
            n.bulk_fn,
            n.restore_fn,
            n.bulk_undo_fn,
            n.list_options,
            n.infinite_options,
            n.detail_options,
        ]
        names += [
            n.use_list,
            n.use_infinite,
            n.use_detail,
            n.form,
            n.table,
            n.read_schema,
            n.create_schema,
            n.update_schema,
        ]
        verbs = ("create", "update", "delete", "restore", "bulk", "bulk_undo")
        names += [n.mutation_options(v) for v in verbs] + [n.use_mutation(v) for v in verbs]
        names += [n.enum_type(f) for f in r.fields if f.enum] + [
            n.enum_schema(f) for f in r.fields if f.enum
        ]
        for action in r.actions.custom:
            names += [
                n.action_fn(action),
                n.action_input(action),
                n.action_options(action),
                n.use_action(action),
                n.action_schema(action),
            ]
        owner = f"resource '{r.name}' ({r.source})"
        seen: set[str] = set()
        for name in names:
            if name in seen or (name in owners and owners[name] != owner):
                other = owners.get(name, owner)
                raise UsageError(
                    f"the TypeScript client would name two things `{name}` ({other} and {owner}): rename a resource, model, field or action"
                )
            seen.add(name)
            owners[name] = owner


# Names the client exports for the audit log, when any resource has the audit trait.
AUDIT_NAMES = frozenset(
    {
        "AuditEntry",
        "AuditPage",
        "AuditListParams",
        "listAuditEntries",
        "auditKeys",
        "auditEntriesQueryOptions",
        "useAuditEntries",
        "auditEntrySchema",
        "auditPageSchema",
    }
)
# Names the client exports for branches, when any resource has the branching trait.
BRANCH_NAMES = frozenset(
    {
        "MergeResult",
        "mergeBranch",
        "discardBranch",
        "mergeBranchMutationOptions",
        "discardBranchMutationOptions",
        "useMergeBranch",
        "useDiscardBranch",
        "mergeResultSchema",
    }
)

# Names the client modules export whatever the schemas say.
RESERVED = frozenset(
    {
        "JsonValue",
        "BulkResult",
        "BulkUndoRequest",
        "BulkUndoResult",
        "bulkResultSchema",
        "bulkUndoRequestSchema",
        "bulkUndoResultSchema",
        "ApiError",
        "ApiClient",
        "ClientConfig",
        "RequestOptions",
        "configureClient",
        "createApiClient",
        "defaultClient",
        "runAction",
        "ActionMap",
        "ActionName",
        "ActionArgs",
        "ActionResult",
        "invalidationMap",
        "mutationKeys",
        "MutationAction",
        "QueryKeyPrefix",
        "invalidateAfter",
        "matchesParams",
        "compareRows",
        "QuerySpec",
        "MutationExtras",
        "actionQueryOptions",
        "actionMutationOptions",
        "QueryActionName",
        "MutationActionName",
        "useActionQuery",
        "useActionMutation",
        "FormField",
        "FormDefinition",
        "forms",
        "TableColumn",
        "TableDefinition",
        "tables",
        "formatters",
        "StoreDefinition",
        "stores",
        "openDatabase",
        "DATABASE_NAME",
        "StoreName",
        "StoreRow",
        "idbGet",
        "idbGetAll",
        "idbPut",
        "idbDelete",
        "OptimisticContext",
        "MatchKind",
        "QueryActionMap",
        "MutationActionMap",
        "ActionQueryOptions",
        "QueryExtras",
        "InfiniteExtras",
        "FormRules",
        "TableAction",
        "BulkAction",
        "ColumnFormat",
        "formatCell",
        "IndexDefinition",
        "queryParams",
    }
)


def template_values(client: Client) -> dict[str, object]:
    """What every client template gets."""
    project = client.project
    operations = [op for r in project.resources for op in client.operations(r)]
    create = next((op for op in operations if op.verb == "create"), None)
    listing = next((op for op in operations if op.verb == "list"), None)
    return {
        "project": project,
        "c": client,
        "doc": doc,
        "obj": interface,
        "prop": prop,
        "result_type": result_type,
        # Names for examples in doc comments (identifiers: safe in a comment).
        "example_create": create.action if create else "book.create",
        "example_function": create.function if create else "createBook",
        "example_list": listing.action if listing else "book.list",
    }


def result_type(operation: Operation) -> str:
    return operation.result if operation.result in ("void", "unknown") else f"T.{operation.result}"


def with_hooks(data: dict[str, Any]) -> dict[str, Any]:
    """The definition as forms.ts holds it: the hooks referenced, not named."""
    result = dict(data)
    for key in ("listHook", "listQueryOptions"):
        if key in result:
            result[key] = Raw(f"hooks.{result[key]}") if result[key] else None
    for key, value in result.items():
        if isinstance(value, dict):
            result[key] = with_hooks(value)
        elif isinstance(value, list):
            result[key] = [with_hooks(v) if isinstance(v, dict) else v for v in value]
    return result
