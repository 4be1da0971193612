"""The API model: operations, inputs, results, errors, columns and list parameters from the IR."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from schemagen.api import ALWAYS, IDEMPOTENT, Api, build_api, filter_operators
from schemagen.build import compile_project

GOLDEN = Path(__file__).parent.parent / "golden"

SCHEMAS = {
    "shelf": """
        resource: shelf
        traits: [tenant, versioned, owned, soft_delete, audit]
        fields:
          name: string required searchable sortable
          notes: {type: text, searchable: true}
          size: {type: integer, filterable: true, sortable: true}
          opened_at: {type: datetime, filterable: true}
          tags: {type: array, of: string, filterable: true}
          meta: json
          room: {type: relation, to: room, filterable: true}
          books: {type: many_to_many, to: book}
        actions:
          bulk: true
          tidy:
            input: {reason: string required}
            handler: "acme_ext.shelves:tidy"
          recount:
            scope: collection
            handler: "acme_ext.shelves:recount"
    """,
    "room": """
        resource: room
        primary_key: integer
        fields:
          name: string required
        actions:
          bulk: {undo: false}
          delete: false
    """,
    "topic": """
        resource: topic
        traits: [branching]
        fields:
          name: string required
    """,
    "book": """
        resource: book
        fields:
          title: string required
        actions:
          list: false
    """,
}


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Api:
    root: Path = tmp_path_factory.mktemp("api")
    (root / "schemagen.toml").write_text(
        '[project]\nname = "acme"\npackage = "acme"\n', encoding="utf-8"
    )
    (root / "schemas").mkdir()
    for name, text in SCHEMAS.items():
        (root / "schemas" / f"{name}.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
    return compile_project(root).api


def test_operations_come_in_action_order_with_their_routes(api: Api) -> None:
    shelf = api.resource("shelf")
    assert [(op.action, op.method, op.path, op.operation_id) for op in shelf.operations] == [
        ("shelf.list", "GET", "/api/shelves", "listShelves"),
        ("shelf.get", "GET", "/api/shelves/{id}", "getShelf"),
        ("shelf.create", "POST", "/api/shelves", "createShelf"),
        ("shelf.update", "PATCH", "/api/shelves/{id}", "updateShelf"),
        ("shelf.delete", "DELETE", "/api/shelves/{id}", "deleteShelf"),
        ("shelf.restore", "POST", "/api/shelves/{id}/restore", "restoreShelf"),
        ("shelf.bulk", "POST", "/api/shelves/bulk", "bulkShelves"),
        ("shelf.bulk_undo", "POST", "/api/shelves/bulk/undo", "undoBulkShelves"),
        ("shelf.recount", "POST", "/api/shelves/recount", "recountShelf"),
        ("shelf.tidy", "POST", "/api/shelves/{id}/tidy", "tidyShelf"),
    ]


def test_the_router_declares_fixed_paths_before_the_id(api: Api) -> None:
    routes = [op.path for op in api.resource("shelf").routes]
    first_id = next(i for i, path in enumerate(routes) if "{id}" in path)
    assert all("{id}" in path for path in routes[first_id:])
    assert api.resource("shelf").fixed_segments() == ("bulk", "recount")


def test_inputs_and_results(api: Api) -> None:
    shelf = api.resource("shelf")
    by_verb = {op.verb: op for op in shelf.operations}
    assert by_verb["list"].query and by_verb["list"].result == "ShelfPage"
    assert not by_verb["get"].query and by_verb["get"].path_params == ("id",)
    assert (by_verb["create"].body, by_verb["create"].result, by_verb["create"].status) == (
        "ShelfCreate",
        "ShelfRead",
        201,
    )
    assert by_verb["update"].body == "ShelfUpdate"
    assert (by_verb["delete"].result, by_verb["delete"].status) == (None, 204)
    assert (by_verb["bulk"].body, by_verb["bulk"].result) == ("ShelfBulkRequest", "BulkResult")
    assert (by_verb["bulk_undo"].body, by_verb["bulk_undo"].result) == (
        "BulkUndoRequest",
        "BulkUndoResult",
    )
    tidy, recount = by_verb["tidy"], by_verb["recount"]
    assert (tidy.body, tidy.body_required, tidy.result, tidy.takes_id) == (
        "ShelfTidyInput",
        True,
        "ShelfRead",
        True,
    )
    assert (recount.body_required, recount.result, recount.takes_id) == (False, None, False)
    assert [op.verb for op in shelf.mutations] == [
        "create",
        "update",
        "delete",
        "restore",
        "bulk",
        "bulk_undo",
        "recount",
        "tidy",
    ]


def test_actions_turned_off_have_no_operation(api: Api) -> None:
    room, book = api.resource("room"), api.resource("book")
    assert room.operation("delete") is None and room.operation("bulk_undo") is None
    assert room.operation("bulk") is not None
    assert book.operation("list") is None and book.list is None


def test_errors_follow_the_traits(api: Api) -> None:
    shelf = {op.verb: op for op in api.resource("shelf").operations}
    room = {op.verb: op for op in api.resource("room").operations}
    # Every route: a refused value, a spent rate limit and an absent database; a tenant's: a
    # missing tenant.
    assert all(set(ALWAYS) <= set(op.errors) for op in [*shelf.values(), *room.values()])
    assert "tenant_required" in shelf["get"].errors
    assert "tenant_required" not in room["get"].errors
    # A body can be too large; a GET has none.
    assert "payload_too_large" in shelf["create"].errors
    assert "payload_too_large" not in shelf["list"].errors
    # Owned: writing needs a caller, another owner's system row is read-only.
    assert shelf["update"].errors == (
        "validation_error",
        "rate_limited",
        "database_unavailable",
        "tenant_required",
        "payload_too_large",
        "authentication_required",
        "forbidden",
        "not_found",
        "conflict",
        "invalid_reference",
        "version_conflict",
        "precondition_required",
        "idempotency_in_progress",
        "idempotency_key_reused",
    )
    # Every write takes an Idempotency-Key; a read does not.
    for op in [*shelf.values(), *room.values()]:
        assert (set(IDEMPOTENT) <= set(op.errors)) == (op.method != "GET"), op.action
    assert {"authentication_required", "forbidden"} <= set(shelf["delete"].errors)
    assert "forbidden" not in shelf["create"].errors  # a new row is the caller's
    assert "authentication_required" not in room["update"].errors
    # Versioned: an update needs the version, a delete may conflict on it.
    assert {"version_conflict", "precondition_required"} <= set(shelf["update"].errors)
    assert "precondition_required" not in shelf["delete"].errors
    assert "version_conflict" not in room["update"].errors
    assert {"undo_used", "undo_expired", "not_found"} <= set(shelf["bulk_undo"].errors)
    for op in [*shelf.values(), *room.values()]:
        assert len(op.errors) == len(set(op.errors))


def test_columns_carry_their_api_kinds(api: Api) -> None:
    shelf = {c.name: c for c in api.resource("shelf").columns}
    assert shelf["room_id"].kind == "integer"  # a relation is its target's key
    assert shelf["id"].kind == "uuid" and not shelf["id"].writable
    assert shelf["size"].kind == "integer" and shelf["size"].writable
    assert shelf["version"].field is None and not shelf["version"].writable
    assert "book_ids" not in shelf  # many-to-many: links, not a column
    assert "branch_deleted" not in {c.name for c in api.resource("topic").columns}
    assert api.resource("shelf").kinds()["book_ids"] == "many_to_many"


def test_list_filters_sort_and_search(api: Api) -> None:
    listing = api.resource("shelf").list
    assert listing is not None
    filters = {f.name: f for f in listing.filters}
    assert list(filters) == ["size", "opened_at", "tags", "room_id"]
    assert filters["size"].operators == ("eq", "in", "gte", "lte", "isnull")
    assert filters["tags"].operators == ("eq", "in", "isnull")
    assert filters["tags"].value_kind == "string"
    # An integer key compares as an integer does.
    assert filters["room_id"].operators == ("eq", "in", "gte", "lte", "isnull")
    assert filters["room_id"].value_kind == "integer"
    assert filters["size"].parameters() == (
        "size",
        "size__in",
        "size__gte",
        "size__lte",
        "size__isnull",
    )
    assert {"name", "size"} <= set(listing.sortable)
    assert listing.sort_tokens[:2] == (listing.sortable[0], f"-{listing.sortable[0]}")
    assert listing.searchable == ("name", "notes")
    assert listing.include_deleted


@pytest.mark.parametrize(
    ("kind", "operators"),
    [
        ("string", ("eq", "in", "gte", "lte", "isnull")),
        ("datetime", ("eq", "in", "gte", "lte", "isnull")),
        ("boolean", ("eq", "in", "isnull")),
        ("uuid", ("eq", "in", "isnull")),
        ("enum", ("eq", "in", "isnull")),
        ("json", ("isnull",)),
        ("many_to_many", ("eq", "in")),
    ],
)
def test_filter_operators(kind: str, operators: tuple[str, ...]) -> None:
    assert filter_operators(kind) == operators


def test_project_wide_operations(api: Api) -> None:
    assert api.audit is not None and api.audit.operation_id == "listAuditEntries"
    assert [c.name for c in api.audited] == ["shelf"]
    assert [op.operation_id for op in api.branch_operations] == ["mergeBranch", "discardBranch"]
    assert [op.action for op in api.system_mutations] == ["branches.merge", "branches.discard"]
    assert "tenant_required" in api.run_action.errors
    assert "tenant_required" not in api.branch_operations[0].errors  # topics have no tenant
    assert [op.operation_id for op in api.health] == ["healthz", "readyz"]
    assert api.has_bulk and api.has_bulk_undo
    names = [op.action for op in api.actions]
    assert names == sorted(names) and "shelf.tidy" in names
    assert api.handler_packages() == ["acme_ext"]
    assert list(api.handler_modules()) == ["acme_ext.shelves"]


def test_a_project_without_the_traits_has_no_project_wide_routes(tmp_path: Path) -> None:
    (tmp_path / "schemagen.toml").write_text(
        '[project]\nname = "acme"\npackage = "acme"\n', encoding="utf-8"
    )
    (tmp_path / "schemas").mkdir()
    (tmp_path / "schemas" / "note.yaml").write_text(
        "resource: note\nfields:\n  body: text\n", encoding="utf-8"
    )
    api = compile_project(tmp_path).api
    assert api.audit is None and api.branch_operations == () and not api.has_bulk
    assert "tenant_required" not in api.run_action.errors


def test_operation_ids_are_unique(api: Api) -> None:
    every = [op for r in api.resources for op in r.routes]  # the exports too
    every += [*api.branch_operations, api.run_action, *api.health]
    every += [api.audit] if api.audit else []
    ids = [op.operation_id for op in every]
    assert len(ids) == len(set(ids))
    assert len({(op.method, op.path) for op in every}) == len(every)


@pytest.mark.parametrize("case", ["minimal", "relations", "kitchen_sink"])
def test_the_golden_openapi_documents_exactly_the_model(case: str) -> None:
    compiled = compile_project(GOLDEN / case)
    api = build_api(compiled.project)
    document = json.loads((GOLDEN / case / "expected" / "openapi.json").read_text("utf-8"))
    served = {
        (method.upper(), path, operation["operationId"])
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
    }
    every = [op for r in api.resources for op in r.routes]  # the exports too
    every += [*api.branch_operations, api.run_action, *api.health]
    every += [api.audit] if api.audit else []
    every += api.changes
    every += api.bulk_runs
    assert served == {(op.method, op.path, op.operation_id) for op in every}
