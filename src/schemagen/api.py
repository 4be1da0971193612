"""The API model: what the generated HTTP API offers, built once from the IR.

Every API-facing target (fastapi, openapi, tests, cache_keys and the TypeScript client) reads
the operations, their inputs, results and errors, the exposed columns and the list parameters from
here, so a route, an operation id or a filter operator is decided in one place.

- `Operation`: one route: its action name (`book.create`, the action router's name), HTTP
  method, path, operation id (`createBook`, also the client's function), inputs (path, query,
  body), result (schema and status) and the error codes it can answer with.
- `ResourceApi`: a resource's operations (in action order, `routes` in router order), the columns
  its Read shape exposes with their API kinds, and its list parameters (`ListApi`: filters with
  operators, sort keys, search fields).
- `Api`: every resource's, plus what the project serves beside them (the audit log, branch merge
  and discard, the action router, health checks) and the handler modules custom actions name.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from schemagen import ir
from schemagen.naming import camel, pascal
from schemagen.runtime.api_models import CHANGE_STREAM, ERROR_CODES
from schemagen.runtime.contract import EXPORT_FORMATS
from schemagen.traits import SCOPE_COLUMNS, live_rows
from schemagen.types import REGISTRY, FieldType

# List parameters that are neither a filter nor include_deleted.
PAGING = ("limit", "cursor", "sort", "q")
# List parameters that are not filters: not part of a bulk request's filter.
NOT_FILTERS = (*PAGING, "include_deleted")

# What any route can answer whatever it does: a parameter, header or id it refuses, and a
# database that is away.
ALWAYS = ("validation_error", "rate_limited", "database_unavailable")
# What a write with an Idempotency-Key can be answered besides its own answers.
IDEMPOTENT = ("idempotency_in_progress", "idempotency_key_reused")

Method = Literal["GET", "POST", "PATCH", "DELETE"]
BUILTIN_VERBS = ("list", "get", "create", "update", "delete", "restore", "bulk", "bulk_undo")
# Where each route sits in a resource's router: fixed paths (`/bulk`, collection actions) before
# `/{id}`, so no fixed segment is ever taken for an id.
_ROUTER_RANK = {
    "list": 0,
    "create": 1,
    "bulk": 2,
    "bulk_undo": 3,
    "export": 3,
    "current": 3,
    "collection": 4,
    "get": 5,
    "update": 6,
    "delete": 7,
    "restore": 8,
    "item": 9,
}


# A summary per built-in operation, of the resource's name, and what its answer is.
SUMMARIES = {
    "get": "Get one {name}",
    "list": "List {plural}",
    "bulk": "Update or delete {plural} by filter",
    "bulk_undo": "Undo a bulk change of {plural}",
    "create": "Create {a} {name}",
    "update": "Update {a} {name}",
    "delete": "Delete {a} {name}",
    "restore": "Restore a deleted {name}",
    "export": "Export {plural} as CSV or XLSX",
    "current": "The caller's own {name} (the tenant X-Tenant-ID names)",
}
ANSWERS = {
    "get": "The row",
    "list": "A page of rows",
    "create": "The new row",
    "update": "The row after the update",
    "delete": "Deleted",
    "restore": "The row, no longer deleted",
    "bulk": "What matched and what changed",
    "bulk_undo": "How many rows are back",
    "export": "Every row the list's parameters select, as a file of the format asked for",
    "current": "The tenant's own row",
}


BULK_QUEUED = (
    "A run larger than the API runs in the request: queued, the run (BulkRun) in the body and its"
    " address in Location; follow it at GET /api/bulk_runs/{id}"
)


def _article(name: str) -> str:
    """`an office`, `a region`: by the first letter (a name starting with u, as in user or
    unit, mostly sounds like a consonant)."""
    return "an" if name[:1] in ("a", "e", "i", "o") else "a"


def filter_operators(kind: str) -> tuple[str, ...]:
    """The operators a list filter takes on a field of API kind `kind` (the field types'
    registry says, as the generated runtime.lists.operators() decides alike)."""
    return REGISTRY[FieldType(kind)].filter_operators


def api_kind(column: ir.Column, field: ir.Field | None) -> str:
    """How the API carries a column's value: its type's runtime kind (a relation's column has
    its target's key type)."""
    return REGISTRY[column.type].api_kind


def unique_sets(resource: ir.Resource) -> list[tuple[str, ...]]:
    """The API names of each unique constraint over writable fields (scope columns left out:
    a unique per tenant or branch holds within the caller's scope), in declaration order."""
    sets = [u.columns for u in resource.uniques] + [
        i.columns
        for i in resource.indexes
        if i.unique and i.where in (None, live_rows(resource.traits))
    ]
    writable = {f.api_name for f in resource.fields if not f.readonly}
    result: list[tuple[str, ...]] = []
    for columns in sets:
        named = tuple(c for c in columns if c not in SCOPE_COLUMNS)
        if named and all(n in writable for n in named) and named not in result:
            result.append(named)
    return result


def action_input_name(resource: ir.Resource, action: ir.CustomAction) -> str:
    """The schema of a custom action's body: OfficeCloseInput."""
    return f"{resource.model}{pascal(action.name)}Input"


@dataclass(frozen=True)
class Operation:
    """One route of the API."""

    action: str  # the action router's name: book.create, office.close, branches.merge
    verb: str  # list, get, create, update, delete, restore, bulk, bulk_undo, or a custom action's name
    method: Method
    path: str  # `{id}` stands for the row's id
    operation_id: str  # createBook: OpenAPI's operationId and the client's function
    tag: str
    path_params: tuple[str, ...] = ()
    query: bool = False  # takes the resource's list parameters
    body: str | None = None  # the schema of the request body
    body_required: bool = True
    result: str | None = None  # the schema of the answer; None: no body (204) or any JSON
    status: int = 200
    errors: tuple[str, ...] = ()  # error codes (ERROR_CODES), in the order they were decided
    custom: ir.CustomAction | None = None
    resource: str | None = None  # the resource's name; None for the project's own routes
    summary: str = ""
    description: str | None = None  # what the route's docstring says, when it says more
    answer: str = "Successful Response"  # what the success response is
    also: tuple[tuple[int, str], ...] = ()  # other successful answers: (status, what it is)
    media: str | None = None  # the success answer's media type when it is not JSON
    files: tuple[str, ...] = ()  # a download's media types (an export: CSV, XLSX)

    @property
    def is_query(self) -> bool:
        """A read: list, get, or a tenant's own row."""
        return self.verb in ("list", "get", "current") and self.custom is None

    @property
    def takes_id(self) -> bool:
        return "id" in self.path_params


@dataclass(frozen=True)
class ApiColumn:
    """A column of the Read shape: its API name, and how the API carries its value."""

    name: str
    column: ir.Column
    field: ir.Field | None  # None for trait columns (created_at, version, ...)
    kind: str  # api_kind

    @property
    def writable(self) -> bool:
        return not (self.field is None or self.field.readonly or self.column.primary_key)


@dataclass(frozen=True)
class Filter:
    """A filterable field of a list and the operators it takes (`name`, `name__in`, ...)."""

    name: str  # API name
    field: ir.Field
    kind: str  # api_kind, or many_to_many
    operators: tuple[str, ...]

    @property
    def value_kind(self) -> str:
        """The kind of one value compared: an array's item, a many-to-many link's key."""
        relation = self.field.relation
        if self.kind == "many_to_many":
            assert relation is not None and relation.junction is not None
            return "integer" if relation.junction.right_type == "integer" else "uuid"
        if self.kind == "array":
            return self.field.array_of or "string"
        return self.kind

    def parameters(self) -> tuple[str, ...]:
        """The query parameters of this filter: region_id, region_id__in, ..."""
        return tuple(self.name if op == "eq" else f"{self.name}__{op}" for op in self.operators)


@dataclass(frozen=True)
class ListApi:
    """A resource's list parameters besides limit and cursor."""

    config: ir.ListConfig
    filters: tuple[Filter, ...]
    sortable: tuple[str, ...]  # API names
    searchable: tuple[str, ...]  # API names
    include_deleted: bool  # soft_delete: deleted rows on request

    @property
    def sort_tokens(self) -> tuple[str, ...]:
        return tuple(token for name in self.sortable for token in (name, f"-{name}"))

    @property
    def filterable(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.filters)

    @property
    def sort_pattern(self) -> str:
        """`sort`: keys, comma-separated, '-' for descending; empty is the default order."""
        key = "-?(?:" + "|".join(self.sortable) + ")"
        return f"^(?:{key}(?:,{key})*)?$"


@dataclass(frozen=True)
class ResourceApi:
    resource: ir.Resource
    operations: tuple[Operation, ...]  # in action order: list, get, create, ..., custom actions
    columns: tuple[ApiColumn, ...]  # the Read shape's columns, in order (many-to-many excluded)
    list: ListApi | None
    # GET /api/<table>/export: a download, not an operation of the client or the action router
    export: Operation | None = None

    @property
    def name(self) -> str:
        return self.resource.name

    @property
    def read(self) -> str:
        return f"{self.resource.model}Read"

    def links(self) -> dict[str, dict[str, object]]:
        """OpenAPI links of a create's answer: the operations the new row's id opens (stateful
        clients and testers follow them), with its ETag as If-Match where rows are versioned."""
        links: dict[str, dict[str, object]] = {}
        for op in self.routes:
            if not op.takes_id:
                continue
            parameters = {"path.id": "$response.body#/id"}
            if self.resource.has("versioned") and op.method in ("PATCH", "DELETE"):
                parameters["header.If-Match"] = "$response.header.ETag"
            name = op.operation_id[0].upper() + op.operation_id[1:]
            links[name] = {"operationId": op.operation_id, "parameters": parameters}
        return links

    @property
    def routes(self) -> tuple[Operation, ...]:
        """The operations in the order the resource's router declares them, the export's too."""
        exported = (self.export,) if self.export is not None else ()
        return tuple(sorted((*self.operations, *exported), key=_router_rank))

    @property
    def mutations(self) -> tuple[Operation, ...]:
        return tuple(op for op in self.operations if not op.is_query)

    @property
    def verbs(self) -> tuple[str, ...]:
        return tuple(op.verb for op in self.operations)

    def operation(self, verb: str) -> Operation | None:
        return next((op for op in self.operations if op.verb == verb and op.custom is None), None)

    def fixed_segments(self) -> tuple[str, ...]:
        """The fixed path segments beside `/{id}` (bulk, collection actions): never an id."""
        base = f"/api/{self.resource.table}/"
        return tuple(
            dict.fromkeys(
                op.path.removeprefix(base).split("/")[0]
                for op in self.routes
                if op.path.startswith(base) and not op.path.startswith(base + "{id}")
            )
        )

    def kinds(self) -> dict[str, str]:
        """API kind of every Read property that is a column, and of many-to-many fields."""
        return {c.name: c.kind for c in self.columns} | {
            f.api_name: "many_to_many" for f in self.resource.fields if f.type == "many_to_many"
        }


@dataclass(frozen=True)
class Api:
    project: ir.Project
    resources: tuple[ResourceApi, ...]
    audited: tuple[ir.Resource, ...]  # GET /api/audit lists their writes (exists when any)
    branching: tuple[ir.Resource, ...]  # branch merge and discard change them (exist when any)
    audit: Operation | None
    branch_operations: tuple[Operation, ...]  # mergeBranch, discardBranch
    run_action: Operation
    health: tuple[Operation, ...]
    changes: tuple[Operation, ...] = ()  # listChanges, streamChanges: the change feed
    bulk_runs: tuple[Operation, ...] = ()  # listBulkRuns, getBulkRun, cancelBulkRun (with bulk)

    def resource(self, resource: ir.Resource | str) -> ResourceApi:
        name = resource if isinstance(resource, str) else resource.name
        return self._by_name[name]

    @property
    def _by_name(self) -> dict[str, ResourceApi]:
        return {r.name: r for r in self.resources}

    @property
    def has_audit(self) -> bool:
        return bool(self.audited)

    @property
    def has_branching(self) -> bool:
        return bool(self.branching)

    @property
    def has_bulk(self) -> bool:
        return any(r.resource.actions.bulk for r in self.resources)

    @property
    def has_export(self) -> bool:
        return any(r.export is not None for r in self.resources)

    @property
    def has_bulk_undo(self) -> bool:
        return any(r.operation("bulk_undo") is not None for r in self.resources)

    @property
    def actions(self) -> tuple[Operation, ...]:
        """Every resource operation the action router runs by name, sorted by that name."""
        return tuple(
            sorted((op for r in self.resources for op in r.operations), key=lambda op: op.action)
        )

    @property
    def limited_actions(self) -> tuple[str, ...]:
        """The actions rate limits may name: every route's that asks for a caller (the health
        checks do not), and so every action the action router runs."""
        system = (self.audit, *self.branch_operations, self.run_action, *self.changes)
        operations = [op for r in self.resources for op in r.routes]
        operations += [op for op in (*system, *self.bulk_runs) if op is not None]
        return tuple(sorted({op.action for op in operations}))

    @property
    def system_mutations(self) -> tuple[Operation, ...]:
        """Mutations of the project rather than of one resource: merging and discarding a branch."""
        return self.branch_operations

    def handler_modules(self) -> dict[str, list[tuple[ir.Resource, ir.CustomAction]]]:
        """The modules custom actions name outside the generated package, with their actions."""
        by_module: dict[str, list[tuple[ir.Resource, ir.CustomAction]]] = defaultdict(list)
        for resource in self.project.resources:
            for action in resource.actions.custom:
                module, _, function = action.handler.partition(":")
                if module.split(".")[0] == self.project.package or not function.isidentifier():
                    continue  # inside the generated package: the user places it by hand
                by_module[module].append((resource, action))
        return by_module

    def handler_packages(self) -> list[str]:
        return sorted({module.split(".")[0] for module in self.handler_modules()})


def build_api(project: ir.Project) -> Api:
    """The API model of a project."""
    audited = tuple(r for r in project.resources if r.has("audit"))
    branching = tuple(r for r in project.resources if r.has("branching"))
    scope = _scope_codes(project)
    resources = tuple(_resource_api(r, scope(r)) for r in project.resources)
    audit = None
    if audited:
        audit = Operation(
            "audit.list",
            "list",
            "GET",
            "/api/audit",
            "listAuditEntries",
            "audit",
            query=True,
            result="AuditPage",
            errors=ALWAYS,
            summary="The audit log, newest first",
            description=f"Every write of {', '.join(r.name for r in audited)}, in the caller's tenant (X-Tenant-ID).",
            answer="A page of entries",
        )
    branch_ops: tuple[Operation, ...] = ()
    if branching:
        codes = (*ALWAYS, *next((scope(r) for r in branching if r.has("tenant")), ()))
        names = ", ".join(r.name for r in branching)
        branch_ops = (
            Operation(
                "branches.merge",
                "merge",
                "POST",
                "/api/branches/{name}/merge",
                "mergeBranch",
                "branches",
                path_params=("name",),
                result="MergeResult",
                errors=(*codes, "conflict", *IDEMPOTENT),
                summary="Merge a branch into main",
                description=f"The branch's copies of {names} replace main's rows and its deletions apply; the branch is then empty.",
                answer="How many rows of each resource were merged",
            ),
            Operation(
                "branches.discard",
                "discard",
                "DELETE",
                "/api/branches/{name}",
                "discardBranch",
                "branches",
                path_params=("name",),
                status=204,
                errors=(*codes, *IDEMPOTENT),
                summary="Discard a branch",
                description=f"The branch's rows of {names} are thrown away; main is untouched.",
                answer="Discarded",
            ),
        )
    every = [code for code in ERROR_CODES if code not in (*TENANT_CODES, "not_ready")]
    every += next((scope(r) for r in project.resources if r.has("tenant")), ())
    run_action = Operation(
        "actions.run",
        "run",
        "POST",
        "/api/actions",
        "runAction",
        "actions",
        body="ActionRequest",
        errors=tuple(every),
        summary="Run any action by name, answered as its route answers",
        # FastAPI strips a description's trailing space, so a project without actions says so in words.
        description="Actions: "
        + (", ".join(sorted(op.action for r in resources for op in r.operations)) or "none"),
        answer="As the named route answers",
        also=((201, "A create: the new row"), (204, "A delete")),
    )
    health = (
        Operation(
            "health.healthz",
            "healthz",
            "GET",
            "/healthz",
            "healthz",
            "health",
            result="Health",
            summary="The process is up",
            answer="The process is up",
        ),
        Operation(
            "health.readyz",
            "readyz",
            "GET",
            "/readyz",
            "readyz",
            "health",
            result="Health",
            errors=("not_ready",),
            summary="The database answers",
            answer="The database answers",
        ),
    )
    feed = (
        Operation(
            "changes.list",
            "list",
            "GET",
            "/api/changes",
            "listChanges",
            "changes",
            query=True,
            result="ChangePage",
            errors=ALWAYS,
            summary="The change feed after a position",
            description="Every committed change of a row the caller may see (tenant, owner, branch), oldest first: creates and updates with the row, deletes as tombstones.",
            answer="A page of changes",
        ),
        Operation(
            "changes.stream",
            "stream",
            "GET",
            "/api/changes/stream",
            "streamChanges",
            "changes",
            query=True,
            errors=ALWAYS,
            summary="The change feed, live (server-sent events)",
            description="The changes after since (or Last-Event-ID), then each one as it commits; the stream ends after CHANGE_STREAM_SECONDS and the client reconnects with Last-Event-ID.",
            answer=CHANGE_STREAM,
            media="text/event-stream",
        ),
    )
    runs: tuple[Operation, ...] = ()
    if any(r.actions.bulk for r in project.resources):
        runs = _bulk_run_operations()
    return Api(
        project, resources, audited, branching, audit, branch_ops, run_action, health, feed, runs
    )


TENANT_CODES = ("tenant_required", "unknown_tenant")


def _scope_codes(project: ir.Project) -> Callable[[ir.Resource], tuple[str, ...]]:
    """What a resource's routes answer about the caller's tenant: none without the trait; 400
    without X-Tenant-ID; and 403 for one that names no tenant when tenants are rows."""
    codes = TENANT_CODES if project.tenants else TENANT_CODES[:1]
    return lambda resource: codes if resource.has("tenant") else ()


def _bulk_run_operations() -> tuple[Operation, ...]:
    """`/api/bulk_runs`: the caller's bulk runs (of their tenant), one run, and its cancel."""
    return (
        Operation(
            "bulk_runs.list",
            "list",
            "GET",
            "/api/bulk_runs",
            "listBulkRuns",
            "bulk_runs",
            query=True,
            result="BulkRunPage",
            errors=ALWAYS,
            summary="The caller's bulk runs, newest first",
            description="Runs in the background and runs answered in their request, made by the caller (X-User-ID) in their tenant (X-Tenant-ID).",
            answer="A page of runs",
        ),
        Operation(
            "bulk_runs.get",
            "get",
            "GET",
            "/api/bulk_runs/{id}",
            "getBulkRun",
            "bulk_runs",
            path_params=("id",),
            result="BulkRun",
            errors=(*ALWAYS, "not_found"),
            summary="One bulk run: its status and progress",
            answer="The run",
        ),
        Operation(
            "bulk_runs.cancel",
            "cancel",
            "POST",
            "/api/bulk_runs/{id}/cancel",
            "cancelBulkRun",
            "bulk_runs",
            path_params=("id",),
            result="BulkRun",
            errors=(*ALWAYS, "not_found", "run_finished", *IDEMPOTENT),
            summary="Cancel a bulk run before its next batch",
            description="A queued or running run stops before its next batch; what it changed stays, with its undo token.",
            answer="The run, cancelled",
        ),
    )


def _resource_api(resource: ir.Resource, scope: tuple[str, ...]) -> ResourceApi:
    fields = {f.column.name: f for f in resource.fields if f.column is not None}
    columns = tuple(
        ApiColumn(c.name, c, fields.get(c.name), api_kind(c, fields.get(c.name)))
        for c in resource.columns
        if c.exposed
    )
    return ResourceApi(
        resource,
        _operations(resource, scope),
        columns,
        _list_api(resource, columns),
        _export(resource, scope),
    )


def _export(resource: ir.Resource, scope: tuple[str, ...]) -> Operation | None:
    """`GET /api/<table>/export`: the list's rows as a file, for resources with `export`."""
    r = resource
    if not r.actions.export:
        return None
    return Operation(
        f"{r.name}.export",
        "export",
        "GET",
        f"/api/{r.table}/export",
        f"export{pascal(r.plural)}",
        r.table,
        errors=(*ALWAYS, *scope),
        resource=r.name,
        summary=SUMMARIES["export"].format(plural=r.plural),
        answer=ANSWERS["export"],
        files=tuple(EXPORT_FORMATS.values()),
    )


def _list_api(resource: ir.Resource, columns: tuple[ApiColumn, ...]) -> ListApi | None:
    config = resource.actions.list
    if config is None:
        return None
    kinds = {c.name: c.kind for c in columns}
    filters = []
    for name in config.filterable:
        field = resource.field(name)
        kind = "many_to_many" if field.type == "many_to_many" else kinds[field.api_name]
        filters.append(Filter(field.api_name, field, kind, filter_operators(kind)))
    sortable = tuple(
        n for n in config.sortable if n in kinds and REGISTRY[FieldType(kinds[n])].comparable
    )
    searchable = tuple(
        resource.field(n).api_name
        for n in config.searchable
        if resource.field(n).column is not None
    )
    return ListApi(config, tuple(filters), sortable, searchable, resource.has("soft_delete"))


def _operations(resource: ir.Resource, scope: tuple[str, ...]) -> tuple[Operation, ...]:
    """A resource's operations in action order; the errors each can answer with."""
    r, a = resource, resource.actions
    base, model, plural = f"/api/{r.table}", r.model, pascal(r.plural)
    item = f"{base}/{{id}}"
    codes = (*ALWAYS, *scope)
    written = (*codes, "payload_too_large")  # POST and PATCH carry a body
    # Owned rows: writing needs a caller; another owner's system row is read-only.
    writer = ("authentication_required", "forbidden") if r.has("owned") else ()
    versioned = r.has("versioned")

    def op(verb: str, method: Method, path: str, operation_id: str, **rest: object) -> Operation:
        errors = rest.pop("errors", ())
        assert isinstance(errors, tuple)
        head = written if method in ("POST", "PATCH") else codes
        if method != "GET":
            errors = (*errors, *IDEMPOTENT)
        return Operation(
            f"{r.name}.{verb}",
            verb,
            method,
            path,
            operation_id,
            r.table,
            path_params=("id",) if "{id}" in path else (),
            errors=tuple(dict.fromkeys((*head, *errors))),
            resource=r.name,
            summary=SUMMARIES[verb].format(name=r.name, plural=r.plural, a=_article(r.name))
            + (
                " (hidden: restore brings it back)"
                if verb == "delete" and r.has("soft_delete")
                else ""
            ),
            answer=ANSWERS[verb],
            **rest,  # type: ignore[arg-type]
        )

    ops: list[Operation] = []
    if a.list:
        ops.append(op("list", "GET", base, f"list{plural}", query=True, result=f"{model}Page"))
    if a.get:
        ops.append(
            op("get", "GET", item, f"get{model}", result=f"{model}Read", errors=("not_found",))
        )
    if r.tenant_key is not None:  # the tenants' resource: a tenant reads its own row
        ops.append(
            op(
                "current",
                "GET",
                f"{base}/current",
                f"getCurrent{model}",
                result=f"{model}Read",
                errors=TENANT_CODES,
            )
        )
    if a.create:
        ops.append(
            op(
                "create",
                "POST",
                base,
                f"create{model}",
                body=f"{model}Create",
                result=f"{model}Read",
                status=201,
                errors=(*writer[:1], "conflict", "invalid_reference"),
            )
        )
    if a.update:
        version = ("version_conflict", "precondition_required") if versioned else ()
        ops.append(
            op(
                "update",
                "PATCH",
                item,
                f"update{model}",
                body=f"{model}Update",
                result=f"{model}Read",
                errors=(*writer, "not_found", "conflict", "invalid_reference", *version),
            )
        )
    if a.delete:
        version = ("version_conflict",) if versioned else ()
        ops.append(
            op(
                "delete",
                "DELETE",
                item,
                f"delete{model}",
                status=204,
                errors=(*writer, "not_found", "conflict", *version),
            )
        )
    if r.has("soft_delete"):
        ops.append(
            op(
                "restore",
                "POST",
                f"{item}/restore",
                f"restore{model}",
                result=f"{model}Read",
                errors=(*writer, "not_found", "conflict"),
            )
        )
    if a.bulk:
        ops.append(
            op(
                "bulk",
                "POST",
                f"{base}/bulk",
                f"bulk{plural}",
                body=f"{model}BulkRequest",
                result="BulkResult",
                errors=(*writer[:1], "confirmation_required", "confirmation_mismatch"),
                also=((202, BULK_QUEUED),),
            )
        )
        if a.bulk.undo:
            ops.append(
                op(
                    "bulk_undo",
                    "POST",
                    f"{base}/bulk/undo",
                    f"undoBulk{plural}",
                    body="BulkUndoRequest",
                    result="BulkUndoResult",
                    errors=(*writer[:1], "not_found", "undo_used", "undo_expired"),
                )
            )
    for action in a.custom:
        on_item = action.scope == "item"
        ops.append(
            Operation(
                action.action,
                action.name,
                "POST",
                f"{item if on_item else base}/{action.name}",
                f"{camel(action.name)}{model}",
                r.table,
                path_params=("id",) if on_item else (),
                body=action_input_name(r, action),
                body_required=any(f.required for f in action.inputs),
                result=f"{model}Read" if on_item else None,
                # The handler is the user's: it may refuse with any error of the contract.
                errors=tuple(
                    dict.fromkeys(
                        (
                            *written,
                            *writer,
                            "not_found",
                            "conflict",
                            "invalid_reference",
                            "not_implemented",
                            *IDEMPOTENT,
                        )
                    )
                ),
                summary=action.label,
                description=action.description,
                answer="The row after the action" if on_item else "What the handler returns",
                custom=action,
                resource=r.name,
            )
        )
    return tuple(ops)


def _router_rank(op: Operation) -> int:
    if op.custom is not None:
        return _ROUTER_RANK[op.custom.scope]
    return _ROUTER_RANK[op.verb]
