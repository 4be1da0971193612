"""The five seed systems of the showcase, end to end: each behaviour its seed describes, over HTTP,
on SQLite, PostgreSQL and MariaDB, on a schema made by the committed migrations.

- O-UI Action System: tenant isolation (routes, bulk, the action router, references) and
  Git-like branches (copy-on-write, merge, discard) on region/office/customer/person.
- Laravel Action Engine: bulk with dry run and undo restoring exact values, a record of each run,
  and an audit trail of every write, on customer and opportunity.
- OmniSync: the todo list's filters, sort and limit.
- Next Action Tracker: the due-actions list on its partial index, the `complete` action, stale
  versions refused, soft delete and restore.
- Matrx Actions: owned actions and menu items, system rows readable by everyone, the cascade.
- PostgreSQL: row-level security holds for raw SQL, and for the API itself connected as a role
  that does not own the tables; the updated_at trigger keeps raw writes honest.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from backend_support import backend
from helpers import DIALECTS, SHOWCASE

pytestmark = pytest.mark.db

TENANT, OTHER_TENANT = "acme", "globex"
ANN, BOB = "ann", "bob"


class Caller:
    """The API as one caller: their tenant, user and branch go with every request."""

    def __init__(
        self,
        client: Any,
        tenant: str | None = TENANT,
        user: str | None = ANN,
        branch: str | None = None,
    ) -> None:
        self.client = client
        self.headers = {
            k: v
            for k, v in {"X-Tenant-ID": tenant, "X-User-ID": user, "X-Branch-ID": branch}.items()
            if v is not None
        }

    def as_(self, **changes: str | None) -> Caller:
        current = {
            "tenant": self.headers.get("X-Tenant-ID"),
            "user": self.headers.get("X-User-ID"),
            "branch": self.headers.get("X-Branch-ID"),
        }
        return Caller(self.client, **(current | changes))

    def request(self, method: str, path: str, *, if_match: str | None = None, **kwargs: Any) -> Any:
        headers = self.headers | ({"If-Match": if_match} if if_match else {})
        return self.client.request(method, path, headers=headers, **kwargs)

    def get(self, path: str, **params: Any) -> Any:
        return self.request("GET", path, params=params)

    def post(self, path: str, body: Any = None, **kwargs: Any) -> Any:
        return self.request("POST", path, json=body, **kwargs)

    def patch(self, path: str, body: Any, **kwargs: Any) -> Any:
        return self.request("PATCH", path, json=body, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Any:
        return self.request("DELETE", path, **kwargs)

    def create(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = self.post(path, body)
        assert response.status_code == 201, f"POST {path}: {response.status_code} {response.text}"
        return response.json()

    def rows(self, path: str, **params: Any) -> list[dict[str, Any]]:
        response = self.get(path, **params)
        assert response.status_code == 200, response.text
        return response.json()["items"]

    def ids(self, path: str, **params: Any) -> list[Any]:
        return [row["id"] for row in self.rows(path, limit=500, **params)]


def error(response: Any, status: int, code: str) -> None:
    assert response.status_code == status, (
        f"expected {status} {code}: {response.status_code} {response.text}"
    )
    assert response.json()["error_code"] == code, response.text


def migrate(engine: Any, output: Path) -> None:
    """The schema as users get it: the committed revisions, applied with Alembic."""
    from alembic import command
    from alembic.config import Config

    config = Config(str(output / "migrations" / "alembic.ini"))
    config.attributes["skip_logging"] = True
    with engine.connect() as connection:  # env.py commits on the connection it is given
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


@pytest.fixture
def showcase() -> Iterator[Any]:
    """The committed showcase (`schemagen check` proves it current), with its revisions and its
    hand-written handlers, imported for the test and forgotten after it."""
    output = SHOWCASE / "generated"
    with backend(output, "showcase") as package:
        yield package, output


@pytest.fixture
def served(showcase, database_url) -> Iterator[Any]:
    """`served(dialect)`: (a Caller for tenant acme as ann on main, the app) on a migrated database."""
    from fastapi.testclient import TestClient

    _, output = showcase
    from showcase.app import create_app

    clients: list[Any] = []

    def serve(dialect: str, url: str | None = None) -> tuple[Caller, Any]:
        url = url or database_url(dialect)
        app = create_app(url)
        if not clients:
            migrate(app.state.engine, output)
        client = TestClient(app)
        client.__enter__()
        clients.append((client, app))
        return Caller(client), app

    yield serve
    for client, app in clients:
        client.__exit__(None, None, None)
        app.state.engine.dispose()


# ---------------------------------------------------------------------------------------------
# O-UI Action System


@pytest.mark.parametrize("dialect", DIALECTS)
def test_oui_tenants_never_meet(dialect: str, served) -> None:
    acme, _ = served(dialect)
    globex = acme.as_(tenant=OTHER_TENANT)
    region = acme.create("/api/regions", {"name": "North", "code": "NO"})
    routed = acme.post(
        "/api/actions",
        {"action": "office.create", "input": {"name": "HQ", "region_id": region["id"]}},
    )
    assert routed.status_code == 201, routed.text
    office = routed.json()
    assert office["tenant_id"] == TENANT
    acme.create("/api/customers", {"name": "Initech", "office_id": office["id"]})

    error(acme.as_(tenant=None).get("/api/offices"), 400, "tenant_required")
    assert globex.rows("/api/offices") == [] and globex.rows("/api/customers") == []
    error(globex.get(f"/api/offices/{office['id']}"), 404, "not_found")
    error(
        globex.post("/api/actions", {"action": "office.get", "id": office["id"]}), 404, "not_found"
    )
    error(
        globex.post(
            "/api/actions",
            {"action": "office.update", "id": office["id"], "input": {"name": "Mine"}},
        ),
        404,
        "not_found",
    )
    error(globex.delete(f"/api/regions/{region['id']}"), 404, "not_found")
    # A row may not point at another tenant's row.
    stolen = globex.post("/api/offices", {"name": "Annex", "region_id": region["id"]})
    error(stolen, 422, "invalid_reference")
    assert stolen.json()["field"] == "region_id"
    # Bulk actions see only the caller's rows, by route and through the action router.
    bulk = globex.post("/api/customers/bulk", {"operation": "delete", "filter": {}})
    assert bulk.status_code == 200 and bulk.json()["matched"] == 0, bulk.text
    routed_bulk = globex.post(
        "/api/actions",
        {
            "action": "customer.bulk",
            "input": {"operation": "update", "filter": {}, "values": {"tier": "gold"}},
        },
    )
    assert routed_bulk.status_code == 200 and routed_bulk.json()["matched"] == 0
    assert [c["tier"] for c in acme.rows("/api/customers")] == ["standard"]
    # The same unique name lives in both tenants.
    assert globex.create("/api/regions", {"name": "North"})["tenant_id"] == OTHER_TENANT


@pytest.mark.parametrize("dialect", DIALECTS)
def test_oui_branches_copy_on_write_then_merge(dialect: str, served) -> None:
    main, _ = served(dialect)
    draft = main.as_(branch="reorg")
    north = main.create("/api/regions", {"name": "North", "code": "NO"})
    south = main.create("/api/regions", {"name": "South", "code": "SO"})
    hq = main.create("/api/offices", {"name": "HQ", "region_id": north["id"]})

    renamed = draft.patch(f"/api/regions/{north['id']}", {"name": "North & East"})
    assert renamed.status_code == 200 and renamed.json()["branch_id"] == "reorg", renamed.text
    assert main.get(f"/api/regions/{north['id']}").json() == north, "main is untouched"
    branch_rows = draft.rows("/api/regions")
    assert sorted(r["name"] for r in branch_rows) == ["North & East", "South"], (
        "each row once, the branch's copy first"
    )
    annex = draft.create("/api/offices", {"name": "Annex", "region_id": north["id"]})
    error(main.get(f"/api/offices/{annex['id']}"), 404, "not_found")
    assert draft.delete(f"/api/regions/{south['id']}").status_code == 204
    error(draft.get(f"/api/regions/{south['id']}"), 404, "not_found")
    assert main.get(f"/api/regions/{south['id']}").status_code == 200, "deleted on the branch only"
    assert sorted(o["name"] for o in draft.rows("/api/offices")) == ["Annex", "HQ"]
    assert [o["name"] for o in main.rows("/api/offices")] == ["HQ"]

    merged = main.post("/api/branches/reorg/merge")
    assert merged.status_code == 200, merged.text
    assert merged.json() == {
        "branch": "reorg",
        "merged": {"customer": 0, "office": 1, "person": 0, "region": 2},
    }
    assert main.get(f"/api/regions/{north['id']}").json()["name"] == "North & East"
    error(main.get(f"/api/regions/{south['id']}"), 404, "not_found")
    assert sorted(o["name"] for o in main.rows("/api/offices")) == ["Annex", "HQ"]
    assert main.get(f"/api/offices/{hq['id']}").json()["region_id"] == north["id"]
    # Discard: the scratch branch's edit never reaches main.
    assert (
        main.as_(branch="scratch").patch(f"/api/offices/{hq['id']}", {"name": "Tower"}).status_code
        == 200
    )
    assert main.delete("/api/branches/scratch").status_code == 204
    assert main.as_(branch="scratch").get(f"/api/offices/{hq['id']}").json()["name"] == "HQ"
    # Branch copies are per tenant too.
    assert main.as_(tenant=OTHER_TENANT, branch="reorg").rows("/api/regions") == []


# ---------------------------------------------------------------------------------------------
# Laravel Action Engine


def _customers(caller: Caller) -> dict[Any, dict[str, Any]]:
    return {
        row["id"]: {k: v for k, v in row.items() if k != "updated_at"}
        for row in caller.rows("/api/customers", limit=200)
    }


@pytest.mark.parametrize("dialect", DIALECTS)
def test_bulk_dry_run_changes_nothing_and_undo_restores_exact_values(
    dialect: str, served, database_url
) -> None:
    caller, app = served(dialect)
    values = ["0.01", "1234.56", "99999999.99", "7", "0"]
    for i, value in enumerate(values):
        caller.create(
            "/api/customers",
            {
                "name": f"Customer {i}",
                "email": f"c{i}@example.com",
                "tier": "standard" if i % 2 else "gold",
                "lifetime_value": value,
            },
        )
    before = _customers(caller)

    dry = caller.post(
        "/api/customers/bulk",
        {
            "operation": "update",
            "filter": {"tier": "standard"},
            "values": {"lifetime_value": "5.55"},
            "dry_run": True,
        },
    )
    assert dry.status_code == 200, dry.text
    assert dry.json() | {"undo_expires_at": None} == {
        "matched": 2,
        "affected": 0,
        "failed": 0,
        "errors": [],
        "undo_token": None,
        "undo_expires_at": None,
    }
    assert _customers(caller) == before, "a dry run changes nothing"

    run = caller.post(
        "/api/customers/bulk",
        {
            "operation": "update",
            "filter": {"tier__in": "standard,gold"},
            "values": {"lifetime_value": "5.55", "tier": "platinum"},
        },
    )
    assert run.status_code == 200 and run.json()["affected"] == 5, run.text
    assert {
        (r["tier"], Decimal(str(r["lifetime_value"]))) for r in _customers(caller).values()
    } == {("platinum", Decimal("5.55"))}
    undone = caller.post("/api/customers/bulk/undo", {"undo_token": run.json()["undo_token"]})
    assert undone.status_code == 200 and undone.json() == {"restored": 5, "skipped": 0}, undone.text
    assert _customers(caller) == before, "undo puts back the exact previous values"
    error(
        caller.post("/api/customers/bulk/undo", {"undo_token": run.json()["undo_token"]}),
        409,
        "undo_used",
    )

    deleted = caller.post(
        "/api/customers/bulk", {"operation": "delete", "filter": {"tier": "gold"}}
    )
    assert deleted.json()["affected"] == 3
    assert len(_customers(caller)) == 2
    assert caller.post(
        "/api/customers/bulk/undo", {"undo_token": deleted.json()["undo_token"]}
    ).json() == {"restored": 3, "skipped": 0}
    assert _customers(caller) == before, "undoing a delete brings the rows back as they were"
    # Another tenant cannot use the token.
    error(
        caller.as_(tenant=OTHER_TENANT).post(
            "/api/customers/bulk/undo", {"undo_token": deleted.json()["undo_token"]}
        ),
        404,
        "not_found",
    )

    # Every run is recorded: matched, affected, failed, who and when.
    import sqlalchemy as sa
    from showcase.models import BulkRun

    with app.state.engine.connect() as connection:
        runs = connection.execute(sa.select(BulkRun)).all()
    # (MySQL keeps whole seconds: the three runs may share a created_at, so no order is assumed.)
    assert sorted(
        (
            r.operation,
            r.dry_run,
            r.matched,
            r.affected,
            r.failed,
            r.actor,
            r.tenant_id,
            r.undone_at is not None,
        )
        for r in runs
    ) == [
        ("delete", False, 3, 3, 0, ANN, TENANT, True),
        ("update", False, 5, 5, 0, ANN, TENANT, True),
        ("update", True, 2, 0, 0, ANN, TENANT, False),
    ]
    assert all(r.created_at is not None for r in runs)


@pytest.mark.parametrize("dialect", DIALECTS)
def test_undo_never_loses_a_newer_write(dialect: str, served) -> None:
    """Rows written, deleted or restored since the run are left alone; the others go back."""
    caller, _ = served(dialect)
    deals = [
        caller.create("/api/opportunities", {"name": f"Deal {i}", "value": f"{i}00.50"})
        for i in range(4)
    ]
    run = caller.post(
        "/api/opportunities/bulk",
        {"operation": "update", "filter": {}, "values": {"stage": "negotiation", "value": "1.25"}},
    ).json()
    assert run["affected"] == 4
    edited, deleted = deals[0]["id"], deals[1]["id"]
    assert (
        caller.patch(f"/api/opportunities/{edited}", {"value": "7.77"}, if_match='"2"').status_code
        == 200
    )
    assert caller.delete(f"/api/opportunities/{deleted}").status_code == 204
    ran = {r["id"]: r for r in caller.rows("/api/opportunities", include_deleted="true")}
    undone = caller.post("/api/opportunities/bulk/undo", {"undo_token": run["undo_token"]})
    # The soft delete wrote deleted_at, not stage or value: that row is written since all the same.
    assert undone.json() == {"restored": 2, "skipped": 2}, undone.text
    rows = {r["id"]: r for r in caller.rows("/api/opportunities", include_deleted="true")}
    assert (rows[edited]["stage"], Decimal(str(rows[edited]["value"]))) == (
        "negotiation",
        Decimal("7.77"),
    )
    assert rows[deleted]["deleted_at"] is not None and rows[deleted]["stage"] == "negotiation"
    for deal in deals[2:]:
        row = rows[deal["id"]]
        assert (row["stage"], Decimal(str(row["value"]))) == ("lead", Decimal(str(deal["value"])))
        # The undo is a write of its own: a new version, and updated_at at the undo's time.
        assert row["version"] == ran[deal["id"]]["version"] + 1 == 3, row
        assert row["updated_at"] >= ran[deal["id"]]["updated_at"], row

    gone = caller.post("/api/opportunities/bulk", {"operation": "delete", "filter": {}}).json()
    assert caller.post(f"/api/opportunities/{deals[2]['id']}/restore").status_code == 200
    again = caller.post("/api/opportunities/bulk/undo", {"undo_token": gone["undo_token"]}).json()
    assert again == {"restored": gone["affected"] - 1, "skipped": 1}, (
        "a row restored since is left alone"
    )


@pytest.mark.parametrize("dialect", DIALECTS)
def test_a_refused_batch_is_counted_and_explained(dialect: str, served) -> None:
    """Batches of the customer's size (200): one batch, refused as a whole, nothing changed."""
    caller, _ = served(dialect)
    for i in range(3):
        caller.create("/api/customers", {"name": f"C{i}", "email": f"c{i}@example.com"})
    before = _customers(caller)
    clash = caller.post(
        "/api/customers/bulk",
        {"operation": "update", "filter": {}, "values": {"email": "same@example.com"}},
    )
    assert clash.status_code == 200, clash.text
    result = clash.json()
    assert (result["matched"], result["affected"], result["failed"]) == (3, 0, 3)
    assert [(e["error_code"], e["field"], e["rows"]) for e in result["errors"]] == [
        ("conflict", "email", 3)
    ]
    assert result["undo_token"] is None, "nothing changed, nothing to undo"
    assert _customers(caller) == before


@pytest.mark.parametrize("dialect", DIALECTS)
def test_bulk_undo_expires(dialect: str, served) -> None:
    caller, app = served(dialect)
    caller.create("/api/opportunities", {"name": "Deal", "value": "10.00"})
    run = caller.post(
        "/api/opportunities/bulk", {"operation": "update", "filter": {}, "values": {"stage": "won"}}
    ).json()
    import sqlalchemy as sa
    from showcase.models import BulkRun

    with app.state.engine.begin() as connection:
        connection.execute(sa.update(BulkRun).values(undo_expires_at=datetime.datetime(2000, 1, 1)))
    error(
        caller.post("/api/opportunities/bulk/undo", {"undo_token": run["undo_token"]}),
        410,
        "undo_expired",
    )


@pytest.mark.parametrize("dialect", DIALECTS)
def test_audit_trail_of_every_write(dialect: str, served) -> None:
    caller, _ = served(dialect)
    customer = caller.create("/api/customers", {"name": "Initech"})
    deal = caller.create(
        "/api/opportunities", {"name": "Renewal", "customer_id": customer["id"], "value": "100.00"}
    )
    path = f"/api/opportunities/{deal['id']}"
    updated = caller.patch(path, {"stage": "qualified"}, if_match='"1"')
    assert updated.status_code == 200, updated.text
    assert (
        caller.post(
            f"{path}/complete",
            {"next_action_at": "2030-01-02T03:04:05Z", "next_action_details": "Call"},
        ).status_code
        == 200
    )
    bulk = caller.post(
        "/api/opportunities/bulk",
        {"operation": "update", "filter": {"stage": "qualified"}, "values": {"stage": "proposal"}},
    ).json()
    assert (
        caller.post("/api/opportunities/bulk/undo", {"undo_token": bulk["undo_token"]}).status_code
        == 200
    )
    assert caller.delete(path).status_code == 204
    assert caller.post(f"{path}/restore").status_code == 200

    trail = list(reversed(caller.rows("/api/audit", resource="opportunity", row_id=deal["id"])))
    assert [e["action"] for e in trail] == [
        "create",
        "update",
        "complete",
        "bulk_update",
        "bulk_undo",
        "delete",
        "restore",
    ]
    assert all(e["actor"] == ANN and e["tenant_id"] == TENANT for e in trail)
    assert trail[0]["before"] is None and trail[0]["after"]["name"] == "Renewal"
    assert (trail[1]["before"]["stage"], trail[1]["after"]["stage"]) == ("lead", "qualified")
    assert (
        trail[2]["after"]["next_action_details"] == "Call" and trail[2]["after"]["last_activity_at"]
    )
    assert (trail[3]["after"]["stage"], trail[4]["after"]["stage"]) == ("proposal", "qualified")
    assert trail[5]["after"] is None and trail[6]["after"]["deleted_at"] is None
    assert [e["action"] for e in caller.rows("/api/audit", resource="customer")] == ["create"]
    assert caller.as_(tenant=OTHER_TENANT).rows("/api/audit") == []
    # Branch edits are audited with their branch.
    caller.as_(branch="what-if").patch(f"/api/customers/{customer['id']}", {"tier": "gold"})
    latest = caller.rows("/api/audit", resource="customer", limit=1)[0]
    assert (latest["action"], latest["branch_id"], latest["after"]["tier"]) == (
        "update",
        "what-if",
        "gold",
    )


# ---------------------------------------------------------------------------------------------
# OmniSync


@pytest.mark.parametrize("dialect", DIALECTS)
def test_todo_filters_sort_and_limit(dialect: str, served) -> None:
    caller, _ = served(dialect)
    today = datetime.date(2030, 5, 10)
    specs = [
        ("Pay rent", "urgent", 0, False),
        ("Call mum", "normal", 2, True),
        ("File taxes", "high", 5, False),
        ("Water plants", "low", 1, False),
        ("Book flights", "high", None, False),
    ]
    for title, priority, days, done in specs:
        due = (today + datetime.timedelta(days=days)).isoformat() if days is not None else None
        caller.create(
            "/api/todos", {"title": title, "priority": priority, "due": due, "completed": done}
        )
    titles = lambda rows: [r["title"] for r in rows]
    assert titles(caller.rows("/api/todos")) == [
        "Pay rent",
        "Water plants",
        "Call mum",
        "File taxes",
        "Book flights",
    ]
    assert titles(
        caller.rows("/api/todos", completed="false", priority__in="high,urgent", sort="-due")
    ) == ["Book flights", "File taxes", "Pay rent"]
    assert titles(caller.rows("/api/todos", due__gte="2030-05-11", due__lte="2030-05-12")) == [
        "Water plants",
        "Call mum",
    ]
    assert titles(caller.rows("/api/todos", due__isnull="true")) == ["Book flights"]
    first = caller.get("/api/todos", limit=2, sort="title").json()
    second = caller.get("/api/todos", limit=2, sort="title", cursor=first["next_cursor"]).json()
    assert titles(first["items"] + second["items"]) == [
        "Book flights",
        "Call mum",
        "File taxes",
        "Pay rent",
    ]
    assert titles(caller.rows("/api/todos", q="PLANT")) == ["Water plants"]
    error(caller.get("/api/todos", limit=201), 422, "validation_error")


# ---------------------------------------------------------------------------------------------
# Next Action Tracker


def _indexes(engine: Any, table: str) -> dict[str, dict[str, Any]]:
    import sqlalchemy as sa

    return {index["name"]: index for index in sa.inspect(engine).get_indexes(table)}


@pytest.mark.parametrize("dialect", DIALECTS)
def test_next_actions_due_list_and_complete(dialect: str, served) -> None:
    caller, app = served(dialect)
    now = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    at = lambda hours: (now + datetime.timedelta(hours=hours)).isoformat()
    deals = {
        name: caller.create(
            "/api/opportunities",
            {
                "name": name,
                "value": "1000.00",
                "next_action_at": when,
                "next_action_details": f"{name} follow-up",
            },
        )
        for name, when in [
            ("Overdue", at(-48)),
            ("Due soon", at(-1)),
            ("Later", at(72)),
            ("Idle", None),
        ]
    }
    due = caller.rows("/api/opportunities", next_action_at__lte="now", sort="next_action_at")
    assert [d["name"] for d in due] == ["Overdue", "Due soon"], "due before now, soonest first"
    # The list runs on the partial index (tenant_id, next_action_at) WHERE next_action_at IS NOT NULL.
    index = _indexes(app.state.engine, "opportunities")["ix_opportunities_tenant_id_next_action_at"]
    assert index["column_names"] == ["tenant_id", "next_action_at"]
    if dialect != "mysql":
        where = index["dialect_options"].get(f"{dialect}_where")
        assert where is not None and "next_action_at IS NOT NULL" in str(where)

    overdue = deals["Overdue"]
    path = f"/api/opportunities/{overdue['id']}"
    completed = caller.post(
        f"{path}/complete", {"next_action_at": at(24), "next_action_details": "Send proposal"}
    )
    assert completed.status_code == 200, completed.text
    row = completed.json()
    assert row["next_action_details"] == "Send proposal"
    assert datetime.datetime.fromisoformat(row["next_action_at"]) == now + datetime.timedelta(
        hours=24
    )
    touched = datetime.datetime.fromisoformat(row["last_activity_at"])
    assert abs(touched - datetime.datetime.now(datetime.UTC)) < datetime.timedelta(minutes=1)
    assert row["version"] == 2
    assert [
        d["name"]
        for d in caller.rows("/api/opportunities", next_action_at__lte="now", sort="next_action_at")
    ] == ["Due soon"]
    won = caller.patch(
        f"/api/opportunities/{deals['Later']['id']}", {"stage": "won"}, if_match='"1"'
    )
    assert won.status_code == 200
    error(
        caller.post(
            f"/api/opportunities/{deals['Later']['id']}/complete", {"next_action_at": at(1)}
        ),
        409,
        "conflict",
    )

    # versioned: no version is 428, a stale one is 409; the ETag is the version.
    error(caller.patch(path, {"value": "2000.00"}), 428, "precondition_required")
    error(caller.patch(path, {"value": "2000.00"}, if_match='"1"'), 409, "version_conflict")
    etag = caller.get(path).headers["ETag"]
    assert etag == '"2"'
    assert caller.patch(path, {"value": "2000.00"}, if_match=etag).json()["version"] == 3

    # soft_delete: hidden, listed on request, restored.
    assert caller.delete(path).status_code == 204
    error(caller.get(path), 404, "not_found")
    assert overdue["id"] not in caller.ids("/api/opportunities")
    assert overdue["id"] in caller.ids("/api/opportunities", include_deleted="true")
    restored = caller.post(f"{path}/restore")
    assert restored.status_code == 200 and restored.json()["deleted_at"] is None
    assert caller.get(path).json()["value"] in (2000, 2000.0)


# ---------------------------------------------------------------------------------------------
# Matrx Actions


def _mark_system(app: Any, model: Any, key: str) -> None:
    """Make a row a system row, as a seed script or an admin would: straight in the database."""
    import sqlalchemy as sa

    with app.state.engine.begin() as connection:
        connection.execute(
            sa.update(model).where(model.id == uuid.UUID(key)).values(is_system=True, owner_id=None)
        )


@pytest.mark.parametrize("dialect", DIALECTS)
def test_matrx_owned_actions_and_system_rows(dialect: str, served) -> None:
    ann, app = served(dialect)
    bob, nobody = ann.as_(user=BOB), ann.as_(user=None)
    summarize = ann.create(
        "/api/matrx_actions",
        {
            "name": "Summarize",
            "action_type": "prompt",
            "scope": "global",
            "tags": ["text", "ai"],
            "variable_context_map": {"input": "selection.text", "quote": 'it\'s "quoted"'},
            "execution_settings": {"model": "small", "temperature": 0.2},
        },
    )
    private = ann.create(
        "/api/matrx_actions", {"name": "My macro", "action_type": "workflow", "tags": ["mine"]}
    )
    menu = ann.create(
        "/api/matrx_menu_items",
        {"label": "AI", "action_id": summarize["id"], "menu_type": "toolbar"},
    )
    child = ann.create(
        "/api/matrx_menu_items",
        {
            "label": "Summarize selection",
            "action_id": summarize["id"],
            "parent_id": menu["id"],
            "display_order": 2,
            "context_requirements": {"selection": True},
        },
    )
    assert (
        summarize["owner_id"] == ANN
        and summarize["variable_context_map"]["quote"] == 'it\'s "quoted"'
    )
    assert [r["name"] for r in ann.rows("/api/matrx_actions", tags="ai")] == ["Summarize"]

    # Other users see none of ann's rows.
    assert bob.rows("/api/matrx_actions") == [] and bob.rows("/api/matrx_menu_items") == []
    error(bob.get(f"/api/matrx_actions/{private['id']}"), 404, "not_found")
    error(bob.patch(f"/api/matrx_actions/{private['id']}", {"name": "Mine now"}), 404, "not_found")
    error(
        nobody.post("/api/matrx_actions", {"name": "Anon", "action_type": "prompt"}),
        401,
        "authentication_required",
    )
    error(
        bob.post("/api/matrx_menu_items", {"label": "Hijack", "action_id": private["id"]}),
        422,
        "invalid_reference",
    )

    # A system action is readable by everyone and writable by no user.
    from showcase.models import MatrxAction

    _mark_system(app, MatrxAction, summarize["id"])
    assert [r["name"] for r in bob.rows("/api/matrx_actions")] == ["Summarize"]
    assert nobody.get(f"/api/matrx_actions/{summarize['id']}").json()["is_system"] is True
    error(bob.patch(f"/api/matrx_actions/{summarize['id']}", {"name": "Mine"}), 403, "forbidden")
    error(bob.delete(f"/api/matrx_actions/{summarize['id']}"), 403, "forbidden")
    bobs_item = bob.create(
        "/api/matrx_menu_items", {"label": "Bob's shortcut", "action_id": summarize["id"]}
    )
    assert bobs_item["owner_id"] == BOB and [
        r["label"] for r in ann.rows("/api/matrx_menu_items")
    ] == ["AI", "Summarize selection"]

    # Deleting an action deletes its menu items (cascade), nested ones included.
    assert ann.delete(f"/api/matrx_actions/{private['id']}").status_code == 204
    second = ann.create("/api/matrx_actions", {"name": "Translate", "action_type": "prompt"})
    top = ann.create("/api/matrx_menu_items", {"label": "Translate", "action_id": second["id"]})
    ann.create(
        "/api/matrx_menu_items",
        {"label": "To French", "action_id": second["id"], "parent_id": top["id"]},
    )
    assert ann.delete(f"/api/matrx_actions/{second['id']}").status_code == 204
    assert sorted(r["label"] for r in ann.rows("/api/matrx_menu_items")) == [
        "AI",
        "Summarize selection",
    ]
    assert ann.get(f"/api/matrx_menu_items/{child['id']}").json()["parent_id"] == menu["id"]
    if dialect == "postgresql":
        index = _indexes(app.state.engine, "matrx_actions")
        assert any(
            i["column_names"] == ["tags"] and i["dialect_options"].get("postgresql_using") == "gin"
            for i in index.values()
        ), index


# ---------------------------------------------------------------------------------------------
# PostgreSQL: the database holds the same line


def _role(connection: Any, login: bool) -> str:
    name = f"sg_role_{uuid.uuid4().hex[:8]}"
    connection.exec_driver_sql(f"CREATE ROLE {name} {'LOGIN' if login else 'NOLOGIN'}")
    connection.exec_driver_sql(
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {name}"
    )
    connection.exec_driver_sql(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {name}")
    return name


def _drop_role(engine: Any, name: str) -> None:
    with engine.begin() as connection:
        connection.exec_driver_sql(f"DROP OWNED BY {name}")
        connection.exec_driver_sql(f"DROP ROLE {name}")


def test_postgresql_row_level_security_holds_for_raw_sql(served) -> None:
    import sqlalchemy as sa

    acme, app = served("postgresql")
    acme.create("/api/regions", {"name": "North"})
    acme.as_(tenant=OTHER_TENANT).create("/api/regions", {"name": "Far"})
    acme.create("/api/matrx_actions", {"name": "Ann's", "action_type": "prompt"})
    acme.as_(user=BOB).create("/api/matrx_actions", {"name": "Bob's", "action_type": "prompt"})
    engine = app.state.engine
    with engine.begin() as connection:
        role = _role(connection, login=False)
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql(f"SET ROLE {role}")
            names = lambda sql: sorted(connection.execute(sa.text(sql)).scalars())
            assert names("SELECT name FROM regions") == [], "no tenant setting: no rows"
            connection.execute(sa.text("SELECT set_config('app.tenant_id', 'acme', false)"))
            assert names("SELECT name FROM regions") == ["North"]
            connection.execute(sa.text("SELECT set_config('app.tenant_id', 'globex', false)"))
            assert names("SELECT name FROM regions") == ["Far"]
            assert names("SELECT name FROM matrx_actions") == []
            connection.execute(sa.text("SELECT set_config('app.user_id', 'bob', false)"))
            assert names("SELECT name FROM matrx_actions") == ["Bob's"]
            with pytest.raises(sa.exc.ProgrammingError):  # WITH CHECK: not in another tenant's name
                connection.execute(
                    sa.text(
                        "INSERT INTO regions (id, tenant_id, branch_id, name) VALUES (gen_random_uuid(), 'acme', 'main', 'Sneaky')"
                    )
                )
            connection.rollback()
            connection.exec_driver_sql("RESET ROLE")
    finally:
        _drop_role(engine, role)


def test_postgresql_api_as_a_role_that_does_not_own_the_tables(served, database_url) -> None:
    """Connected as a plain role, the database enforces RLS on the app too; the app's session
    settings make its own queries pass exactly as before."""
    import sqlalchemy as sa

    _, app = served("postgresql")
    owner_url = app.state.engine.url
    with app.state.engine.begin() as connection:
        role = _role(connection, login=True)
    try:
        restricted, restricted_app = served(
            "postgresql", owner_url.set(username=role).render_as_string(hide_password=False)
        )
        region = restricted.create("/api/regions", {"name": "North"})
        assert [r["name"] for r in restricted.rows("/api/regions")] == ["North"]
        assert restricted.as_(tenant=OTHER_TENANT).rows("/api/regions") == []
        assert restricted.patch(f"/api/regions/{region['id']}", {"code": "NO"}).status_code == 200
        action = restricted.create("/api/matrx_actions", {"name": "Mine", "action_type": "prompt"})
        error(restricted.as_(user=BOB).get(f"/api/matrx_actions/{action['id']}"), 404, "not_found")
        # Every table the policies cover, through the app: links (the junction), the audit trail,
        # bulk runs and their undo, a branch and its merge.
        ada = restricted.create("/api/people", {"full_name": "Ada", "email": "ada@example.com"})
        office = restricted.create("/api/offices", {"name": "HQ", "person_ids": [ada["id"]]})
        assert restricted.get(f"/api/offices/{office['id']}").json()["person_ids"] == [ada["id"]]
        moved = restricted.as_(branch="b1").patch(
            f"/api/offices/{office['id']}", {"person_ids": []}
        )
        assert moved.status_code == 200 and moved.json()["person_ids"] == [], moved.text
        assert restricted.post("/api/branches/b1/merge").status_code == 200
        assert restricted.get(f"/api/offices/{office['id']}").json()["person_ids"] == []
        restricted.create("/api/opportunities", {"name": "Deal", "stage": "lead"})
        assert [e["action"] for e in restricted.rows("/api/audit")] == ["create"]
        assert restricted.as_(user=BOB, tenant=OTHER_TENANT).rows("/api/audit") == []
        restricted.create("/api/customers", {"name": "Acme"})
        run = restricted.post(
            "/api/customers/bulk", {"operation": "update", "filter": {}, "values": {"tier": "gold"}}
        )
        assert run.status_code == 200 and run.json()["affected"] == 1, run.text
        token = {"undo_token": run.json()["undo_token"]}
        error(restricted.as_(user=BOB).post("/api/customers/bulk/undo", token), 404, "not_found")
        undone = restricted.post("/api/customers/bulk/undo", token)
        assert undone.json() == {"restored": 1, "skipped": 0}, undone.text
        with restricted_app.state.engine.connect() as connection:
            assert connection.execute(sa.text("SELECT count(*) FROM regions")).scalar() == 0, (
                "no caller: RLS hides every row"
            )
        restricted_app.state.engine.dispose()
    finally:
        _drop_role(app.state.engine, role)


def test_postgresql_trigger_keeps_updated_at_for_raw_writes(served) -> None:
    import sqlalchemy as sa

    acme, app = served("postgresql")
    todo = acme.create("/api/todos", {"title": "Raw"})
    with app.state.engine.begin() as connection:
        connection.execute(
            sa.text("UPDATE todos SET title = 'Raw SQL' WHERE id = :id"), {"id": todo["id"]}
        )
    after = acme.get(f"/api/todos/{todo['id']}").json()
    assert after["title"] == "Raw SQL"
    assert datetime.datetime.fromisoformat(after["updated_at"]) > datetime.datetime.fromisoformat(
        todo["updated_at"]
    )
