"""The generated tests' support: the checks every resource goes through over HTTP, driven by
the facts the project's `tests/resources.py` holds about each resource (`Resource` here)."""

from __future__ import annotations

import base64
import builtins
import contextlib
import copy
import csv
import dataclasses
import datetime
import decimal
import importlib
import io
import json
import os
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypedDict, TypeVar, Unpack

import httpx
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient

from . import seeding, tenants
from .contract import BULK_WORKER_THREAD, ORDERED_TYPES, TEXT_TYPES
from .db import session_factory, writer
from .resources import REGISTRY
from .values import parse_key

TENANT = "tenant-a"
OTHER_TENANT = "tenant-b"  # the stranger isolation is proven against
UNKNOWN_TENANT = "no-such-tenant"  # with tenants as rows: never made, so refused (403)
USER = "user-a"
# What test_row_level_security proved with raw SQL ("refused", "permitted"): conftest prints it.
PROVEN: Counter[str] = Counter()
BRANCH = "feature-x"
ERROR_KEYS = {"detail", "error_code", "field"}
# Kinds whose values compare as numbers and times do (text orders by the database's collation).
ORDERED = tuple(kind for kind in ORDERED_TYPES if kind not in TEXT_TYPES)


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()  # a key an invalid payload leaves out (a value of any field)
AUTO = _Missing()  # If-Match: the current ETag of the row, read first


class Caller(TypedDict, total=False):
    """Whose request it is: tenant, user and branch headers (None leaves one out)."""

    tenant: str | None
    user: str | None
    branch: str | None


class Options(Caller, total=False):
    """What else a request may carry beside its JSON body and If-Match."""

    params: Mapping[str, str]
    content: bytes | str | Iterator[bytes]
    headers: Mapping[str, str]


@dataclass(frozen=True)
class Resource:
    name: str
    path: str
    key: str
    operations: tuple[str, ...]
    types: dict[str, str]
    samples: list[dict[str, Any]]
    minimal: dict[str, Any]
    update: dict[str, Any]
    relations: dict[str, tuple[str, bool]]
    many_to_many: dict[str, str]
    unique: list[tuple[str, ...]]
    invalid: list[tuple[dict[str, Any], str]]
    inbound: list[tuple[str, str, str]]
    searchable: tuple[str, ...]
    max_page_size: int
    tenant: bool
    bulk_values: dict[str, Any]
    actions: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    problems: list[str] = dataclasses.field(default_factory=list)
    traits: tuple[str, ...] = ()
    undo: bool = False
    filters: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    sorts: list[str | None] = dataclasses.field(default_factory=list)  # None: the default order
    tenant_key: str | None = None  # the API name of the key of the project's tenants, if here

    def has(self, trait: str) -> bool:
        return trait in self.traits

    def missing_key(self) -> int | str:
        return 2_000_000_000 if self.key == "integer" else str(uuid.uuid4())


# ---------------------------------------------------------------------------------------------
# The database under test


def create_schema(engine: sa.Engine, metadata: sa.MetaData, migrations: Path) -> None:
    """The tables: by the migrations (`migrations` is their alembic.ini) once there are
    revisions, else from the models."""
    drop_schema(engine, metadata)
    if any(migrations.parent.glob("versions/*.py")):
        from alembic import command
        from alembic.config import Config

        config = Config(str(migrations))
        config.attributes["skip_logging"] = True
        with engine.connect() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    else:
        metadata.create_all(engine)


def drop_schema(engine: sa.Engine, metadata: sa.MetaData) -> None:
    metadata.drop_all(engine)
    with engine.begin() as connection:
        connection.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))


def delete_every_row(engine: sa.Engine, metadata: sa.MetaData) -> None:
    """Empty the tables a test filled. Which ones is one query (a test fills a few): emptying
    every table each time, PostgreSQL's TRUNCATE above all, cost more than most tests."""
    with engine.begin() as connection:
        tables = filled_tables(connection, metadata)
        if not tables:
            return
        if engine.dialect.name == "postgresql":
            names = ", ".join(connection.dialect.identifier_preparer.quote(t.name) for t in tables)
            connection.exec_driver_sql(f"TRUNCATE TABLE {names} RESTART IDENTITY CASCADE")
            return
        if engine.dialect.name == "mysql":
            connection.exec_driver_sql("SET FOREIGN_KEY_CHECKS = 0")
        else:
            connection.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
        for table in tables:
            connection.execute(table.delete())
        if engine.dialect.name == "mysql":
            connection.exec_driver_sql("SET FOREIGN_KEY_CHECKS = 1")


def filled_tables(connection: sa.Connection, metadata: sa.MetaData) -> list[sa.Table]:
    """The tables holding a row, children first: one row of scalar subqueries, NULL for each
    empty table (a statement every database takes, without FROM)."""
    tables = list(reversed(metadata.sorted_tables))
    probes = [
        sa.select(sa.literal(1)).select_from(table).limit(1).scalar_subquery().label(f"t{n}")
        for n, table in enumerate(tables)
    ]
    found = connection.execute(sa.select(*probes)).one()
    return [table for table, row in zip(tables, found, strict=True) if row is not None]


# ---------------------------------------------------------------------------------------------
# The client and a factory of rows


class Api:
    """The app over HTTP, with a factory that creates valid rows (and the rows they need)."""

    def __init__(
        self, client: TestClient, engine: sa.Engine, resources: Mapping[str, Resource]
    ) -> None:
        self.client = client
        self.engine = engine
        self.resources = resources  # what the project's tests know of each resource, by name
        self.counters: Counter[str] = Counter()
        self.parents: dict[str, dict[str, Any]] = {}
        # Tenants as rows: the resource holding them, and the tenants this test made so far.
        self.tenants = next((r for r in resources.values() if r.tenant_key), None)
        scoped = [r for r in resources.values() if r.has("tenant")]
        self.scoped_paths = tuple(r.path for r in scoped)  # the routes that need the tenant
        self.scoped_names = frozenset(r.name for r in scoped)  # the router's actions that do
        self.admitted: set[str] = set()
        self.admitting = threading.Lock()

    def request(
        self,
        method: str,
        path: str,
        *,
        json: object = None,
        if_match: str | None = None,
        **options: Unpack[Options],
    ) -> httpx.Response:
        """A request with the caller's headers: tenant, user and branch (None leaves one out)."""
        self.admit(options.get("tenant", TENANT), path, json)
        headers = {
            "X-Tenant-ID": options.get("tenant", TENANT),
            "X-User-ID": options.get("user", USER),
            "X-Branch-ID": options.get("branch"),
            "If-Match": if_match,
            **options.get("headers", {}),
        }
        response: httpx.Response = self.client.request(
            method,
            path,
            headers={k: v for k, v in headers.items() if v is not None},
            params=options.get("params"),
            content=options.get("content"),
            json=json,
        )
        return response

    def admit(self, tenant: str | None, path: str, body: object) -> None:
        """Tenants as rows: before a request to a tenant resource, its tenant's row (an unknown
        X-Tenant-ID is refused). Only then: the tests of the tenants' resource itself see just
        the rows they make."""
        if self.tenants is None or tenant is None or tenant in self.admitted:
            return
        action = body.get("action") if path == "/api/actions" and isinstance(body, dict) else None
        if (
            any(path == p or path.startswith(f"{p}/") for p in self.scoped_paths)
            or (isinstance(action, str) and action.split(".")[0] in self.scoped_names)
            or path.startswith("/api/branches/")
        ):
            self.add_tenant(tenant)

    def add_tenant(self, tenant: str) -> None:
        """The row of `tenant` in the tenants' resource, when the project keeps them as rows."""
        if self.tenants is None or tenant in self.admitted:
            return
        with self.admitting:  # tests send requests from many threads at once
            if tenant in self.admitted:
                return
            assert self.tenants.tenant_key is not None
            key = tenants.key_column(REGISTRY[self.tenants.name])
            with self.engine.connect() as connection:  # the seed may have made it
                known = connection.execute(sa.select(sa.literal(1)).where(key == tenant)).first()
            if known is None:
                self.create(self.tenants.name, {self.tenants.tenant_key: tenant})
            self.admitted.add(tenant)

    def get(self, path: str, **options: Unpack[Options]) -> httpx.Response:
        return self.request("GET", path, **options)

    def post(self, path: str, json: object, **options: Unpack[Options]) -> httpx.Response:
        return self.request("POST", path, json=json, **options)

    def patch(
        self,
        path: str,
        json: object,
        *,
        if_match: str | None | _Missing = AUTO,
        **options: Unpack[Options],
    ) -> httpx.Response:
        """PATCH; a versioned row gets the If-Match of its current ETag unless told otherwise."""
        if isinstance(if_match, _Missing):
            if_match = (
                self.etag(path, **options)
                if not (isinstance(json, dict) and "version" in json)
                else None
            )
        return self.request("PATCH", path, json=json, if_match=if_match, **options)

    def etag(self, path: str, **options: Unpack[Options]) -> str | None:
        if not any(
            path.startswith(info.path + "/") and info.has("versioned")
            for info in self.resources.values()
        ):
            return None
        response = self.get(path, **options)
        return response.headers.get("ETag") if response.status_code == 200 else None

    def delete(
        self, path: str, *, if_match: str | None = None, **options: Unpack[Options]
    ) -> httpx.Response:
        return self.request("DELETE", path, if_match=if_match, **options)

    def payload(
        self, name: str, changes: dict[str, Any] | None = None, *, n: int | None = None
    ) -> dict[str, Any]:
        """A valid create body: the next sample, its required relations pointing at real rows."""
        info = self.resources[name]
        if n is None:
            n = self.counters[name]
            self.counters[name] += 1
        data = copy.deepcopy(info.samples[n % len(info.samples)])
        changes = changes or {}
        for api_name, (target, required) in info.relations.items():
            if required and api_name not in changes:
                data[api_name] = self.parent(target)["id"]
        data.update(changes)
        return {k: v for k, v in data.items() if v is not MISSING}

    def create(self, name: str, changes: dict[str, Any] | None = None) -> dict[str, Any]:
        response = self.post(self.resources[name].path, self.payload(name, changes))
        assert response.status_code == 201, f"create {name}: {response.status_code} {response.text}"
        return json_object(response)

    def parent(self, name: str) -> dict[str, Any]:
        """One row of `name` per test, for the required relations of other rows."""
        if name not in self.parents:
            self.parents[name] = self.create(name)
        return self.parents[name]

    def populate(self, name: str, count: int = 6) -> list[dict[str, Any]]:
        """`count` rows whose relations vary: two parents in turn, and null where allowed."""
        info = self.resources[name]
        pools = {
            api_name: [self.create(target), self.create(target)] if target != name else []
            for api_name, (target, _) in info.relations.items()
        }
        links = {
            api_name: [self.create(target), self.create(target)] if target != name else []
            for api_name, target in info.many_to_many.items()
        }
        rows: list[dict[str, Any]] = []
        for n in range(count):
            changes: dict[str, Any] = {}
            for api_name, (target, required) in info.relations.items():
                pool = (
                    pools[api_name] if target != name else rows[:2]
                )  # a self relation: earlier rows
                if pool and (required or n % 3 != 2):
                    changes[api_name] = pool[n % len(pool)]["id"]
                elif not required:
                    changes[api_name] = None
            for api_name, target in info.many_to_many.items():
                ids = [row["id"] for row in (links[api_name] if target != name else rows[:2])]
                changes[api_name] = ids[:1] if n % 3 == 0 else ids if n % 3 == 1 else []
            rows.append(self.create(name, changes))
        return rows

    def list(self, name: str, **params: object) -> dict[str, Any]:
        response = self.get(
            self.resources[name].path, params={k: query_text(v) for k, v in params.items()}
        )
        assert response.status_code == 200, (
            f"list {name} {params}: {response.status_code} {response.text}"
        )
        return json_object(response)

    def ids(self, name: str, **params: object) -> set[Any]:
        return {row["id"] for row in self.all(name, **params)}

    def all(self, name: str, **params: object) -> builtins.list[dict[str, Any]]:
        """Every row of the list, through every page."""
        rows: builtins.list[dict[str, Any]] = []
        cursor = None
        while True:
            page = self.list(name, **params, **({"cursor": cursor} if cursor else {}))
            rows += page["items"]
            cursor = page["next_cursor"]
            if cursor is None:
                return rows


def json_object(response: httpx.Response) -> dict[str, Any]:
    """A response's body, which must be a JSON object."""
    body = response.json()
    assert isinstance(body, dict), f"not a JSON object: {response.text}"
    return body


def query_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ",".join(query_text(v) for v in value)
    return str(value)


def assert_error(
    response: httpx.Response, status: int, error_code: str, field: str | None | _Missing = MISSING
) -> dict[str, Any]:
    assert response.status_code == status, (
        f"expected {status} {error_code}, got {response.status_code} {response.text}"
    )
    body = json_object(response)
    assert set(body) == ERROR_KEYS, body
    assert body["error_code"] == error_code, body
    if field is not MISSING:
        assert body["field"] == field, body
    return body


def same(kind: str, sent: object, got: object) -> bool:
    """Whether the API returned what was sent, allowing for equivalent spellings."""
    if sent is None or got is None:
        return sent is got
    if kind == "datetime":
        return datetime.datetime.fromisoformat(str(sent)) == datetime.datetime.fromisoformat(
            str(got)
        )
    if kind in ("decimal", "float"):
        return float(str(sent)) == float(str(got))
    if kind in ("uuid",):
        return uuid.UUID(str(sent)) == uuid.UUID(str(got))
    if kind == "many_to_many":
        assert isinstance(sent, list) and isinstance(got, list), (sent, got)
        return sorted(map(str, sent)) == sorted(map(str, got))
    return bool(sent == got)


def assert_same(info: Resource, sent: dict[str, Any], got: dict[str, Any]) -> None:
    for key, value in sent.items():
        assert key in got, f"{info.name}: {key} missing from {got}"
        assert same(info.types.get(key, "json"), value, got[key]), (
            f"{info.name}.{key}: sent {value!r}, got {got[key]!r}"
        )


# ---------------------------------------------------------------------------------------------
# The checks


def check_round_trip(api: Api, name: str) -> None:
    """Create, read, update, list and delete one row; every value comes back as sent."""
    info = api.resources[name]
    payload = api.payload(name)
    created = api.post(info.path, payload)
    assert created.status_code == 201, created.text
    row = created.json()
    assert_same(info, payload, row)
    for api_name in info.many_to_many:
        assert row[api_name] == payload.get(api_name, [])
    path = f"{info.path}/{row['id']}"
    if "get" in info.operations:
        fetched = api.get(path)
        assert fetched.status_code == 200, fetched.text
        assert fetched.json() == row
    if "update" in info.operations:
        updated = api.patch(path, info.update)
        assert updated.status_code == 200, updated.text
        assert_same(info, info.update, updated.json())
        assert updated.json()["id"] == row["id"]
        untouched = {
            k: v
            for k, v in row.items()
            if k not in info.update and k not in ("updated_at", "version")
        }
        assert_same(info, untouched, updated.json())
    if "list" in info.operations:
        assert row["id"] in api.ids(name)
    if "delete" in info.operations:
        assert api.delete(path).status_code == 204
        assert_error(api.get(path), 404, "not_found")
        assert_error(api.delete(path), 404, "not_found")


def check_minimal_create(api: Api, name: str) -> None:
    """Only the required fields: defaults fill the rest."""
    info = api.resources[name]
    payload = {
        k: v
        for k, v in api.payload(name).items()
        if k in info.minimal or (k in info.relations and info.relations[k][1])
    }
    response = api.post(info.path, payload)
    assert response.status_code == 201, response.text
    assert_same(info, payload, response.json())


def check_not_found(api: Api, name: str) -> None:
    """A well-formed id of no row is 404; what is not an id at all is 422 naming `id`."""
    info = api.resources[name]
    for key, status, code, field in (
        (info.missing_key(), 404, "not_found", None),
        ("not-an-id", 422, "validation_error", "id"),
    ):
        path = f"{info.path}/{key}"
        if "get" in info.operations:
            assert_error(api.get(path), status, code, field)
        if "update" in info.operations:
            assert_error(api.patch(path, {}), status, code, field)
        if "delete" in info.operations:
            assert_error(api.delete(path), status, code, field)


Case = TypeVar("Case")


def _each(cases: Mapping[str, Case], check: Callable[[Case], None]) -> None:
    """Run one check per case over rows made once for them all, reporting every failing case
    by its label: one test per case paid for its rows each time, the most of a suite's time."""
    failures = []
    for label, case in cases.items():
        try:
            check(case)
        except AssertionError as error:
            failures.append(f"{label}: {error}")
    assert not failures, f"{len(failures)} of {len(cases)} failed:\n" + "\n".join(failures)


def check_invalid(api: Api, name: str) -> None:
    """Each invalid value: a create with it is 422 `validation_error` naming its field, and so is
    an update of one row made for them all (a refused update changes nothing)."""
    info = api.resources[name]
    updatable = "update" in info.operations
    row = api.create(name) if updatable and info.invalid else None

    def refused(case: tuple[dict[str, Any], str]) -> None:
        changes, field = case
        assert_error(
            api.post(info.path, api.payload(name, changes)), 422, "validation_error", field
        )
        if row is not None and all(v is not MISSING for v in changes.values()):
            response = api.patch(f"{info.path}/{row['id']}", changes)
            assert_error(response, 422, "validation_error", field)

    _each({f"{case[1]}-{i}": case for i, case in enumerate(info.invalid)}, refused)


def check_null_refused(api: Api, name: str) -> None:
    """PATCH with null for a field that cannot be null is 422, never a database error."""
    info = api.resources[name]
    row = api.create(name)
    for api_name in info.minimal:
        assert_error(
            api.patch(f"{info.path}/{row['id']}", {api_name: None}),
            422,
            "validation_error",
            api_name,
        )


def check_unique(api: Api, name: str, fields: tuple[str, ...]) -> None:
    """A second row with the same values is 409 `conflict` naming one of the fields, on create and update."""
    info = api.resources[name]
    first = api.create(name)
    same_values = {f: first[f] for f in fields}
    body = assert_error(api.post(info.path, api.payload(name, same_values)), 409, "conflict")
    assert body["field"] in fields, body
    if "update" in info.operations:
        second = api.create(name)
        body = assert_error(api.patch(f"{info.path}/{second['id']}", same_values), 409, "conflict")
        assert body["field"] in fields, body


def check_reference(api: Api, name: str, field: str) -> None:
    """A reference to a row that does not exist is 422 `invalid_reference` naming the field."""
    info = api.resources[name]
    target = api.resources[
        info.relations[field][0] if field in info.relations else info.many_to_many[field]
    ]
    missing = target.missing_key()
    value = [missing] if field in info.many_to_many else missing
    assert_error(
        api.post(info.path, api.payload(name, {field: value})), 422, "invalid_reference", field
    )
    if "update" in info.operations:
        row = api.create(name)
        assert_error(
            api.patch(f"{info.path}/{row['id']}", {field: value}), 422, "invalid_reference", field
        )


def check_delete_rule(api: Api, name: str, source: str, field: str, rule: str) -> None:
    """Deleting a row that `source.field` points at: cascade, set_null, restrict, or unlink.

    A soft-deleted row still exists, so what it does differs (README, "Soft deletion and
    relations"): the cascade soft-deletes the live children with the row's own `deleted_at`, and
    restoring the row restores exactly those; set_null and many-to-many links keep pointing at
    it; restrict refuses while live children point at it; a new reference to it is refused.
    A hard delete's restrict counts soft-deleted children too, as the database's foreign key does.
    """
    info, child_info = api.resources[name], api.resources[source]
    soft = info.has("soft_delete")
    parent = api.create(name)
    path = f"{info.path}/{parent['id']}"
    reference = [parent["id"]] if rule == "unlink" else parent["id"]
    earlier = None
    if soft and rule == "cascade" and "delete" in child_info.operations:
        # A child deleted on its own before the parent: restoring the parent leaves it deleted.
        earlier = api.create(source, {field: reference})
        assert api.delete(f"{child_info.path}/{earlier['id']}").status_code == 204
    child = api.create(source, {field: reference})
    child_path = f"{child_info.path}/{child['id']}"
    response = api.delete(path)
    if rule in ("restrict", "no_action"):
        assert_error(response, 409, "conflict")
        assert api.get(path).status_code == 200
        assert api.delete(child_path).status_code == 204
        if soft or not child_info.has("soft_delete"):
            assert api.delete(path).status_code == 204
            return
        # A hard delete applies the rule as the database does: the hidden child still counts.
        body = assert_error(api.delete(path), 409, "conflict")
        assert "soft-deleted" in body["detail"], f"the refusal names the hidden rows: {body}"
        assert api.get(path).status_code == 200
        return
    assert response.status_code == 204, response.text
    after = api.get(child_path)
    if not soft:
        if rule == "cascade":
            assert_error(after, 404, "not_found")
        elif rule == "set_null":
            assert after.status_code == 200 and after.json()[field] is None, after.text
        else:
            assert after.status_code == 200 and after.json()[field] == [], after.text
        return
    if "create" in child_info.operations:
        assert_error(
            api.post(child_info.path, api.payload(source, {field: reference})),
            422,
            "invalid_reference",
            field,
        )
    if rule == "cascade":
        assert_error(after, 404, "not_found")
        hidden = api.get(child_path, params={"include_deleted": "true"}).json()
        assert (
            hidden["deleted_at"]
            == api.get(path, params={"include_deleted": "true"}).json()["deleted_at"]
        ), hidden
        assert_error(api.post(f"{child_path}/restore", None), 409, "conflict")  # its parent first
    else:
        assert after.status_code == 200 and after.json()[field] == reference, (
            "the reference stays: the row still exists"
        )
        if "update" in child_info.operations:
            again = api.patch(child_path, {field: reference})
            assert again.status_code == 200, (
                f"an unchanged reference to a soft-deleted row is not refused: {again.text}"
            )
    restored = api.post(f"{path}/restore", None)
    assert restored.status_code == 200, restored.text
    back = api.get(child_path)
    assert back.status_code == 200 and back.json()[field] == reference, back.text
    if rule == "cascade":
        assert back.json()["deleted_at"] is None
    if earlier is not None:
        assert_error(api.get(f"{child_info.path}/{earlier['id']}"), 404, "not_found")
    if rule == "cascade" and child_info.has("audit"):
        trail = api.get("/api/audit", params={"resource": source, "row_id": str(child["id"])})
        assert trail.status_code == 200, trail.text
        assert [e["action"] for e in reversed(trail.json()["items"])] == [
            "create",
            "delete",
            "restore",
        ], "the cascade's writes are audited too"


def _matches(kind: str, value: object, wanted: object) -> bool:
    if kind in ("array", "many_to_many"):
        return isinstance(value, list) and any(
            same("uuid" if kind == "many_to_many" else "json", item, wanted) for item in value
        )
    return value is not None and same(kind, wanted, value)


def _pick(rows: list[dict[str, Any]], field: str, kind: str, count: int) -> list[Any]:
    """Up to `count` distinct values rows hold (array items for arrays)."""
    values: list[Any] = []
    for row in rows:
        items = row[field] if kind in ("array", "many_to_many") else [row[field]]
        for item in items or []:
            if item is not None and not any(
                same(kind if kind not in ("array", "many_to_many") else "json", item, v)
                for v in values
            ):
                values.append(item)
    assert values, f"no value of {field} to filter on"
    return values[:count]


def check_filters(api: Api, name: str) -> None:
    """Every filter of the list over one set of rows (they only read): each its own check, every
    failing one reported by its query parameter."""
    rows = api.populate(name)
    _each(
        {f"{field}__{op}": (field, op) for field, op in api.resources[name].filters},
        lambda pair: _check_filter(api, name, rows, *pair),
    )


def _check_filter(api: Api, name: str, rows: list[dict[str, Any]], field: str, op: str) -> None:
    """`field=v`, `field__in`, `__gte`, `__lte`, `__isnull`: exactly the rows that match."""
    info = api.resources[name]
    kind = info.types[field]
    by_id = {row["id"]: row for row in rows}
    if op == "isnull":
        for flag in (True, False):
            expected = {i for i, row in by_id.items() if (row[field] is None) == flag}
            assert api.ids(name, **{f"{field}__isnull": flag}) == expected, (field, flag)
        return
    if op == "eq":
        wanted = _pick(rows, field, kind, 1)[0]
        expected = {i for i, row in by_id.items() if _matches(kind, row[field], wanted)}
        assert expected and api.ids(name, **{field: wanted}) == expected, (field, wanted)
        return
    if op == "in":
        wanted = _pick(rows, field, kind, 2)
        expected = {
            i for i, row in by_id.items() if any(_matches(kind, row[field], w) for w in wanted)
        }
        assert api.ids(name, **{f"{field}__in": wanted}) == expected, (field, wanted)
        return
    # gte / lte: whatever the collation, the two halves cover every non-null row and meet at v.
    values = _pick(rows, field, kind, 6)
    pivot = values[len(values) // 2]
    non_null = {i for i, row in by_id.items() if row[field] is not None}
    at_least = api.ids(name, **{f"{field}__gte": pivot})
    at_most = api.ids(name, **{f"{field}__lte": pivot})
    equal = {i for i in non_null if same(kind, pivot, by_id[i][field])}
    assert at_least | at_most == non_null, (field, pivot)
    assert at_least & at_most == equal, (field, pivot)
    if kind in ORDERED:
        chosen = at_least if op == "gte" else at_most
        key = _order_key(kind)
        expected = {
            i
            for i in non_null
            if (
                key(by_id[i][field]) >= key(pivot)
                if op == "gte"
                else key(by_id[i][field]) <= key(pivot)
            )
        }
        assert chosen == expected, (field, op, pivot)


def _order_key(kind: str) -> Callable[[object], tuple[float, str]]:
    """How values of an ordered kind sort: numbers as numbers, datetimes as instants in UTC,
    ISO dates and times as text."""
    if kind in ("integer", "bigint", "float", "decimal"):
        return lambda value: (float(str(value)), "")
    if kind == "datetime":
        return lambda value: (
            0.0,
            datetime.datetime.fromisoformat(str(value))
            .astimezone(datetime.UTC)
            .isoformat(timespec="microseconds"),
        )
    return lambda value: (0.0, str(value))


def check_paging(api: Api, name: str) -> None:
    """For every sort (and none), every page size walks every row exactly once, in the order of
    one big page; the rows are made once, as paging only reads."""
    rows = api.populate(name)
    _each(
        {f"sort={sort or ''}": sort for sort in api.resources[name].sorts},
        lambda sort: _check_paging(api, name, rows, sort),
    )


def _check_paging(api: Api, name: str, rows: list[dict[str, Any]], sort: str | None) -> None:
    info = api.resources[name]
    params = {"sort": sort} if sort else {}
    whole = api.list(name, limit=info.max_page_size, **params)
    order = [row["id"] for row in whole["items"]]
    assert whole["next_cursor"] is None
    assert sorted(map(str, order)) == sorted(str(row["id"]) for row in rows)
    for limit in (1, 2, 4):
        seen: list[Any] = []
        cursor = None
        for _ in range(len(rows) + 2):
            page = api.list(name, limit=limit, **params, **({"cursor": cursor} if cursor else {}))
            assert len(page["items"]) <= limit
            seen += [row["id"] for row in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert seen == order, f"limit={limit} sort={sort}: pages {seen} != {order}"
    if sort:
        field = sort.removeprefix("-")
        kind = info.types.get(field, "string")
        if kind in ORDERED:
            key = _order_key(kind)
            values = [key(row[field]) for row in whole["items"] if row[field] is not None]
            assert values == sorted(values, reverse=sort.startswith("-")), (sort, values)
            nulls = [row[field] is None for row in whole["items"]]
            assert nulls == sorted(nulls, reverse=sort.startswith("-")), (
                "NULLs come last ascending, first descending"
            )


def check_list_errors(api: Api, name: str) -> None:
    info = api.resources[name]
    assert_error(
        api.get(info.path, params={"no_such_field": "1"}), 422, "validation_error", "no_such_field"
    )
    assert_error(
        api.get(info.path, params={"sort": "no_such_field"}), 422, "validation_error", "sort"
    )
    assert_error(
        api.get(info.path, params={"limit": str(info.max_page_size + 1)}),
        422,
        "validation_error",
        "limit",
    )
    assert_error(api.get(info.path, params={"limit": "0"}), 422, "validation_error", "limit")
    assert_error(
        api.get(info.path, params={"cursor": "garbage"}), 422, "validation_error", "cursor"
    )


# Values at the edges of what a column can hold: each is a 422, never a 500 nor a stored row.
EXTREME_DATETIMES = (
    "9999-12-31T23:59:59-14:00",
    "0001-01-01T00:00:00+14:00",
)  # leave years 1-9999 in UTC
NON_FINITE = (
    "NaN",
    "Infinity",
    "-Infinity",
    "1e999",
)  # JSON numbers Python's parser turns into nan/inf


def _raw_body(values: dict[str, Any], field: str, raw: str) -> str:
    """A JSON object of `values` with `field` written as `raw`, JSON text that json.dumps cannot make."""
    parts = [f"{json.dumps(k)}: {json.dumps(v)}" for k, v in values.items() if k != field]
    return "{" + ", ".join([*parts, f"{json.dumps(field)}: {raw}"]) + "}"


def hostile_values(info: Resource, values: dict[str, Any]) -> list[tuple[str, str]]:
    """(field, raw JSON) for each writable field: NUL in text, non-finite numbers, extreme datetimes."""
    cases: list[tuple[str, str]] = []
    for field_name in values:
        kind = info.types.get(field_name)
        if kind == "datetime":
            cases += [(field_name, json.dumps(value)) for value in EXTREME_DATETIMES]
        elif kind in TEXT_TYPES:
            cases.append((field_name, json.dumps("a\x00b")))
        elif kind in ("float", "decimal"):
            cases += [(field_name, raw) for raw in NON_FINITE]
        elif kind == "json":
            cases += [(field_name, '{"deep": [1, ' + raw + "]}") for raw in NON_FINITE] + [
                (field_name, '{"text": "a\\u0000b"}')
            ]
        elif kind == "array":
            cases += [(field_name, '["a\\u0000b"]'), (field_name, "[NaN]")]
    return cases


def check_hostile_body(api: Api, name: str) -> None:
    """A body no column can store is 422 naming the field, on create, update and a bulk update's
    values: nothing is stored."""
    info = api.resources[name]
    before = api.ids(name) if "list" in info.operations else set()
    payload = api.payload(name)
    cases = hostile_values(info, payload)
    for field_name, raw in cases:
        response = api.request(
            "POST",
            info.path,
            content=_raw_body(payload, field_name, raw),
            headers={"Content-Type": "application/json"},
        )
        assert_error(response, 422, "validation_error", field_name)
    if "list" in info.operations:
        assert api.ids(name) == before, "a refused create stored nothing"
    if "update" in info.operations and info.update:
        row = api.create(name)
        path = f"{info.path}/{row['id']}"
        for field_name, raw in hostile_values(
            info, {**info.update, **{k: v for k, v in payload.items() if k not in info.relations}}
        ):
            response = api.request(
                "PATCH",
                path,
                content=_raw_body({}, field_name, raw),
                headers={"Content-Type": "application/json"},
                if_match=api.etag(path),
            )
            assert_error(response, 422, "validation_error", field_name)
        if "get" in info.operations:
            after = api.get(path)
            assert after.status_code == 200 and after.json() == row, (
                "a refused update changed nothing"
            )
        if "list" in info.operations:
            api.all(name)  # and every later list still reads
    if "bulk" in info.operations and info.bulk_values:
        # A JSON field's NaN once reached the rows as null: the run answered 200 and wrote it.
        if "create" in info.operations:
            api.create(name)
        before_run = _snapshot(api, name) if "list" in info.operations else {}
        for field_name, raw in hostile_values(
            info, {**info.update, **{k: v for k, v in payload.items() if k not in info.relations}}
        ):
            response = api.request(
                "POST",
                f"{info.path}/bulk",
                content='{"operation": "update", "filter": {}, "values": '
                + _raw_body({}, field_name, raw)
                + "}",
                headers={"Content-Type": "application/json"},
            )
            # A value of the wrong type is named where the body has it (`values.<field>`).
            refusal = assert_error(response, 422, "validation_error")
            assert refusal["field"] in (field_name, "values"), refusal
            assert field_name in refusal["detail"], refusal
        if "list" in info.operations:
            assert _snapshot(api, name) == before_run, "a refused bulk update changed nothing"


def _cursor(payload: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


def check_hostile_list(api: Api, name: str) -> None:
    """Query strings no column can compare are 422 with the parameter as `field`, never a 500:
    NUL, an over-long `q`, too many `__in` values, extreme datetimes and numbers, forged cursors."""
    info = api.resources[name]
    rows = api.populate(name, 3)

    def refused(params: dict[str, str], field_name: str) -> None:
        assert_error(api.get(info.path, params=params), 422, "validation_error", field_name)

    refused({"q": "a\x00b"}, "q")
    refused(
        {"q": "x" * 60_000}, "q"
    )  # past SQLite's LIKE pattern limit (50,000 bytes); near httpx's URL limit
    for field_name, op in info.filters:
        kind = info.types[field_name]
        param = field_name if op == "eq" else f"{field_name}__{op}"
        if op == "in":
            refused({param: ",".join(str(i) for i in range(1_001))}, param)
        if op in ("eq", "in") and kind in (*TEXT_TYPES, "array"):
            refused({param: "a\x00b"}, param)
        if op in ("eq", "gte", "lte") and kind == "datetime":
            for value in EXTREME_DATETIMES:
                refused({param: value}, param)
        if op in ("eq", "gte", "lte") and kind in ("integer", "bigint"):
            refused({param: str(10**30)}, param)
        if op in ("eq", "gte", "lte") and kind in ("float", "decimal"):
            for value in ("nan", "inf", "-Infinity", "1e999"):
                refused({param: value}, param)
    first = api.list(name, limit=1)
    assert first["next_cursor"], f"{name}: {len(rows)} rows make more than one page of 1"
    real = json.loads(
        base64.urlsafe_b64decode(first["next_cursor"] + "=" * (-len(first["next_cursor"]) % 4))
    )
    width = len(real["values"])
    forged: list[str] = [
        "garbage",
        "%%%",
        base64.urlsafe_b64encode(
            ("[" * 5_000 + "]" * 5_000).encode()
        ).decode(),  # deeper than Python's recursion
        base64.urlsafe_b64encode(b"\xff\xfe").decode(),
        _cursor([1, 2]),
        _cursor({"sort": 1, "values": 2}),
        _cursor({"sort": real["sort"], "values": 5}),
        _cursor({"sort": real["sort"], "values": None}),
        base64.urlsafe_b64encode(('{"sort": 1, "values": ' + "9" * 5_000 + "}").encode()).decode(),
    ]
    strange: tuple[object, ...] = (
        10**30,
        -(10**30),
        {"a": 1},
        [1],
        "a\x00b",
        True,
        1.5e308,
        "9999-12-31T23:59:59-14:00",
        "x" * 10_000,
    )
    for strange_value in strange:
        forged.append(_cursor({"sort": real["sort"], "values": [strange_value] * width}))
    for cursor in forged:
        response = api.get(info.path, params={"limit": "1", "cursor": cursor})
        assert response.status_code != 500, f"cursor {cursor[:60]!r}: {response.text}"
        if response.status_code != 200:  # a forged value may still be a valid position
            assert_error(response, 422, "validation_error", "cursor")


def check_search(api: Api, name: str) -> None:
    """`q`: the rows where any searchable field contains the text, case-insensitively."""
    info = api.resources[name]
    rows = api.populate(name)
    field = next(f for f in info.searchable if any(isinstance(row[f], str) for row in rows))
    text = next(row[field] for row in rows if isinstance(row[field], str))
    expected = {
        row["id"]
        for row in rows
        if any(isinstance(row[f], str) and text.lower() in row[f].lower() for f in info.searchable)
    }
    assert expected and api.ids(name, q=text) == expected
    assert api.ids(name, q="no row holds this text 0x5f3759df") == set()


def check_statements(api: Api, name: str) -> None:
    """A list takes as many SQL statements for one row as for six (the request's: not the
    embedded bulk worker's look for queued runs, which a slow page would otherwise count)."""
    api.populate(name)
    counts = []
    statements: list[str] = []

    def count(conn: sa.Connection, cursor: object, statement: str, *args: object) -> None:
        if threading.current_thread().name != BULK_WORKER_THREAD:
            statements.append(statement)

    for limit in (1, 6):
        statements.clear()
        sa.event.listen(api.engine, "before_cursor_execute", count)
        try:
            page = api.list(name, limit=limit)
        finally:
            sa.event.remove(api.engine, "before_cursor_execute", count)
        assert len(page["items"]) == limit
        counts.append(len(statements))
    assert counts[0] == counts[1], f"statements for 1 row vs 6 rows: {counts}"


def keyset_columns(name: str) -> list[str]:
    """The columns of the index a list's pages read in order: the scope's equal columns, the
    default sort's, the id (the generator's `keyset_index`, read back from the runtime)."""
    resource = REGISTRY[name]
    mapper_columns = resource.model.__mapper__.columns
    columns = [
        column
        for trait, column in (("tenant", "tenant_id"), ("branching", "branch_id"))
        if resource.has(trait)
    ]
    for spec in resource.default_sort:
        api_name = spec.removeprefix("-")
        if api_name == "id":
            break
        column = mapper_columns[resource.columns[api_name].attr].name
        if column not in columns:
            columns.append(column)
    return [*columns, "id"]


def _plan_nodes(plan: dict[str, Any]) -> Iterator[str]:
    yield str(plan["Node Type"])
    for child in plan.get("Plans", []):
        yield from _plan_nodes(child)


def check_keyset_index(api: Api, name: str) -> None:
    """The index a list's default sort derives is in the database, and on PostgreSQL the first
    page and a page after a cursor read it in order: neither sorts the rows it matches."""
    table = REGISTRY[name].model.__table__
    wanted = keyset_columns(name)
    if wanted != ["id"]:  # the primary key is that index
        found = [i["column_names"] for i in sa.inspect(api.engine).get_indexes(table.name)]
        assert wanted in found, f"{table.name}: no index on {wanted} among {found}"
    if api.engine.dialect.name != "postgresql":
        return  # MySQL and SQLite sort NULLs first: their pages read it for non-null sorts only
    api.populate(name, 3)
    pages: list[tuple[str, Mapping[str, Any]]] = []

    def capture(
        conn: sa.Connection, cursor: object, statement: str, parameters: object, *_: object
    ) -> None:
        listing = statement.lstrip().upper().startswith("SELECT") and " LIMIT " in statement.upper()
        ours = f"FROM {table.name}" in statement or f'FROM "{table.name}"' in statement
        if listing and ours and isinstance(parameters, Mapping):  # psycopg's named parameters
            pages.append((statement, parameters))

    sa.event.listen(api.engine, "before_cursor_execute", capture)
    try:
        first = api.list(name, limit=2)
        assert first["next_cursor"], first
        api.list(name, limit=2, cursor=first["next_cursor"])
    finally:
        sa.event.remove(api.engine, "before_cursor_execute", capture)
    assert len(pages) == 2, [statement for statement, _ in pages]
    with api.engine.begin() as connection:
        # Every plan is allowed but a sort and a scan of the whole table: what is left is a read
        # of an index in the list's order (an incremental sort orders ties of the sort's last
        # column by id when their directions differ).
        connection.exec_driver_sql("SET LOCAL enable_sort = off")
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        for statement, parameters in pages:
            plan = connection.exec_driver_sql(
                "EXPLAIN (FORMAT JSON) " + statement, parameters
            ).scalar_one()
            nodes = list(
                _plan_nodes((json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"])
            )
            assert "Sort" not in nodes, f"{name}: the page sorts its rows: {nodes}\n{statement}"


def check_action_router(api: Api, name: str) -> None:
    """`POST /api/actions` answers as the routes do."""
    info = api.resources[name]
    if "create" not in info.operations:
        return
    created = api.post("/api/actions", {"action": f"{name}.create", "input": api.payload(name)})
    assert created.status_code == 201, created.text
    row = created.json()
    if "get" in info.operations:
        fetched = api.post("/api/actions", {"action": f"{name}.get", "id": row["id"]})
        assert fetched.status_code == 200 and fetched.json() == row
        assert_error(
            api.post("/api/actions", {"action": f"{name}.get", "id": info.missing_key()}),
            404,
            "not_found",
        )
    if "list" in info.operations:
        listed = api.post("/api/actions", {"action": f"{name}.list", "input": {"limit": 1}})
        assert listed.status_code == 200 and len(listed.json()["items"]) == 1
    if "update" in info.operations:
        change = {**info.update, **({"version": row["version"]} if info.has("versioned") else {})}
        updated = api.post(
            "/api/actions", {"action": f"{name}.update", "id": row["id"], "input": change}
        )
        assert updated.status_code == 200, updated.text
        assert_same(info, info.update, updated.json())
    assert_error(
        api.post("/api/actions", {"action": f"{name}.create", "input": {"not_a_field": 1}}),
        422,
        "validation_error",
    )
    if "delete" in info.operations:
        assert (
            api.post("/api/actions", {"action": f"{name}.delete", "id": row["id"]}).status_code
            == 204
        )
    assert_error(
        api.post("/api/actions", {"action": f"{name}.no_such_action"}),
        422,
        "validation_error",
        "action",
    )


def check_custom_action(api: Api, name: str, action: dict[str, Any]) -> None:
    """The route validates its input and finds its row; then the handler answers (501 until written)."""
    info = api.resources[name]
    if action["scope"] == "item":
        row = api.create(name)
        path = f"{info.path}/{row['id']}/{action['name']}"
        assert_error(
            api.post(f"{info.path}/{info.missing_key()}/{action['name']}", action["valid"]),
            404,
            "not_found",
        )
    else:
        path = f"{info.path}/{action['name']}"
    assert_error(
        api.post(path, action["invalid"]), 422, "validation_error", action["invalid_field"]
    )
    if action["runnable"]:
        response = api.post(path, action["valid"])
        assert response.status_code in (200, 501), response.text
        if response.status_code == 501:
            assert_error(response, 501, "not_implemented")


def _comparable(row: dict[str, Any]) -> dict[str, Any]:
    """A row without what every write moves on: updated_at and version."""
    return {k: v for k, v in row.items() if k not in ("updated_at", "version")}


def _snapshot(api: Api, name: str) -> dict[Any, dict[str, Any]]:
    return {row["id"]: _comparable(row) for row in api.all(name)}


def _write_elsewhere(
    api: Api, name: str, row: dict[str, Any], avoid: set[str]
) -> dict[str, Any] | None:
    """PATCH `row` in a field the bulk run did not touch (a column or a link); the row as written,
    or None when the resource has no such field."""
    info = api.resources[name]
    unique = {f for fields in info.unique for f in fields}
    candidates = [
        (key, value)
        for sample in info.samples
        for key, value in sample.items()
        if key not in info.relations
    ]
    candidates += [(key, None) for key, (_, required) in info.relations.items() if not required]
    candidates += [(key, []) for key in info.many_to_many]
    for key, value in candidates:
        if (
            key in avoid
            or key in unique
            or key not in row
            or value is MISSING
            or same(info.types.get(key, "json"), value, row[key])
        ):
            continue
        response = api.patch(f"{info.path}/{row['id']}", {key: value})
        assert response.status_code == 200, response.text
        return json_object(response)
    return None


def _assert_moved_on(ran: dict[str, Any], undone: dict[str, Any]) -> None:
    """An undo is a write of its own: the version moves on and updated_at is the undo's time."""
    if "version" in ran:
        assert undone["version"] == ran["version"] + 1, (ran, undone)
    if "updated_at" in ran:
        assert datetime.datetime.fromisoformat(
            undone["updated_at"]
        ) >= datetime.datetime.fromisoformat(ran["updated_at"]), (ran, undone)


def check_bulk(api: Api, name: str) -> None:
    """Bulk update and delete by filter; a dry run changes nothing; undo restores exact values.

    A bulk delete and its undo give what deleting the rows one by one and undoing that would:
    rows hidden by the cascade of an earlier batch count, and come back.
    """
    info = api.resources[name]
    rows = api.populate(name)
    if info.has("soft_delete") and "update" in info.operations:
        # A row before its own parent in key order: its undo must wait for the parent's.
        for field, (target, _) in info.relations.items():
            if target == name and rows[0][field] is None:
                moved = api.patch(f"{info.path}/{rows[0]['id']}", {field: rows[-1]["id"]})
                assert moved.status_code == 200, moved.text
                rows[0] = moved.json()
    path = f"{info.path}/bulk"
    before = _snapshot(api, name)
    dry = api.post(path, {"operation": "delete", "filter": {}, "dry_run": True})
    assert dry.status_code == 200, dry.text
    assert dry.json() | {"undo_expires_at": None} == {
        "matched": len(rows),
        "affected": 0,
        "failed": 0,
        "errors": [],
        "undo_token": None,
        "undo_expires_at": None,
    }, dry.text
    assert _snapshot(api, name) == before
    if info.bulk_values:
        updated = api.post(path, {"operation": "update", "filter": {}, "values": info.bulk_values})
        assert updated.status_code == 200 and updated.json()["affected"] == len(rows), updated.text
        for row in api.all(name):
            assert_same(info, info.bulk_values, row)
        if info.undo:
            token = updated.json()["undo_token"]
            assert token and updated.json()["undo_expires_at"], updated.text
            ran = {row["id"]: row for row in api.all(name)}
            written = _write_elsewhere(api, name, ran[rows[0]["id"]], set(info.bulk_values))
            undone = api.post(f"{path}/undo", {"undo_token": token})
            skipped = 1 if written is not None else 0
            assert undone.status_code == 200 and undone.json() == {
                "restored": len(rows) - skipped,
                "skipped": skipped,
            }, undone.text
            now = _snapshot(api, name)
            if written is not None:
                assert now.pop(rows[0]["id"]) == _comparable(written), (
                    "a row written since the run is left alone, whatever column changed"
                )
                before = {key: row for key, row in before.items() if key != rows[0]["id"]} | {
                    rows[0]["id"]: _comparable(written)
                }
            assert now == {key: row for key, row in before.items() if key in now}, (
                "undo puts back the exact previous values"
            )
            for row in api.all(name):
                if written is None or row["id"] != rows[0]["id"]:
                    _assert_moved_on(ran[row["id"]], row)
            assert_error(api.post(f"{path}/undo", {"undo_token": token}), 409, "undo_used")
    assert_error(
        api.post(path, {"operation": "update", "filter": {"no_such_field": 1}, "values": {}}),
        422,
        "validation_error",
    )
    deleted = api.post(path, {"operation": "delete", "filter": {}})
    assert deleted.status_code == 200 and deleted.json()["affected"] == len(rows), deleted.text
    assert api.ids(name) == set()
    if info.undo:
        assert_error(api.post(f"{path}/undo", {"undo_token": "no-such-token"}), 404, "not_found")
        # A run is undone by who ran it: another caller holding the token finds no run.
        assert_error(
            api.post(f"{path}/undo", {"undo_token": deleted.json()["undo_token"]}, user="user-b"),
            404,
            "not_found",
        )
        undone = api.post(f"{path}/undo", {"undo_token": deleted.json()["undo_token"]})
        assert undone.status_code == 200 and undone.json() == {
            "restored": len(rows),
            "skipped": 0,
        }, undone.text
        assert _snapshot(api, name) == before, "undoing a delete brings every row back as it was"


# -- bulk runs in the background (runtime.bulk_runs)

RUN_WAIT_SECONDS = (
    60  # how long a check waits for the worker before it fails: a bound, not a budget
)


def _exact_items(api: Api, info: Resource, **params: str) -> list[dict[str, Any]]:
    """Every row of the list, its numbers read exactly (a decimal as the JSON's digits)."""
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        query = {
            **params,
            "limit": str(info.max_page_size),
            **({"cursor": cursor} if cursor else {}),
        }
        response = api.get(info.path, params=query)
        assert response.status_code == 200, f"list {info.name}: {response.text}"
        page = json.loads(response.text, parse_float=decimal.Decimal)
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items


def _same_cell(exports: Any, kind: str, text: str, value: object) -> bool:  # noqa: ANN401 (the module)
    """Whether a CSV cell says what the list's JSON says of a value."""
    if value is None:
        return text == ""
    if kind in ("json", "array", "many_to_many"):
        return bool(json.loads(text, parse_float=decimal.Decimal) == value)
    if kind in ("decimal", "float") and not isinstance(value, bool):
        # The export has a decimal's every digit (12.50); the JSON, the number (12.5).
        return decimal.Decimal(text) == decimal.Decimal(str(value))
    return bool(text == exports.cell(kind, value))


def check_export(api: Api, name: str) -> None:
    """`GET <table>/export`: the list's rows, whole and in its order, a cell per field saying what
    the JSON says (text that could be a formula neutralised); XLSX too; a bad parameter is 422."""
    info = api.resources[name]
    exports = importlib.import_module(f"{__name__.rsplit('.', 1)[0]}.exports")
    if "create" in info.operations:
        api.populate(name, count=3)
    sortable = REGISTRY[name].sortable
    for params in ({}, *([{"sort": f"-{sortable[0]}"}] if sortable else [])):
        items = _exact_items(api, info, **params)
        response = api.get(f"{info.path}/export", params=params)
        assert response.status_code == 200, f"export {name}: {response.text}"
        assert response.headers["content-type"].startswith("text/csv")
        header, *rows = csv.reader(io.StringIO(response.text, newline=""))
        assert header == list(exports.kinds(REGISTRY[name])), header
        assert len(rows) == len(items), (len(rows), len(items))
        kinds = exports.kinds(REGISTRY[name])
        for row, item in zip(rows, items, strict=True):
            assert list(item) == header
            for field, text in zip(header, row, strict=True):
                assert _same_cell(exports, kinds[field], text, item[field]), (field, text, item)
    book = api.get(f"{info.path}/export", params={"format": "xlsx"})
    assert book.status_code == 200 and book.headers["content-type"] == exports.FORMATS["xlsx"]
    assert book.content.startswith(b"PK"), "an XLSX file is a zip"
    for refused, field in (({"format": "pdf"}, "format"), ({"limit": "1"}, "limit")):
        assert_error(api.get(f"{info.path}/export", params=refused), 422, "validation_error", field)


def _bulk_modules() -> tuple[Any, Any]:
    """The project's `runtime.bulk` and `runtime.bulk_runs`: there only when a resource has
    bulk, so imported by name when a check of one runs (this module is in every project)."""
    package = __name__.rsplit(".", 1)[0]
    return (
        importlib.import_module(f"{package}.bulk"),
        importlib.import_module(f"{package}.bulk_runs"),
    )


@contextlib.contextmanager
def environment(**settings: str) -> Iterator[None]:
    """Settings in the environment for a check, then as they were."""
    kept = {name: os.environ.get(name) for name in settings}
    os.environ.update(settings)
    try:
        yield
    finally:
        for name, value in kept.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@contextlib.contextmanager
def bulk_settings(**settings: int) -> Iterator[None]:
    """The app's bulk settings from the environment (`BULK_ASYNC_ROWS=2`, ...) for a check, then
    as they were."""
    bulk, _ = _bulk_modules()
    try:
        with environment(**{name: str(value) for name, value in settings.items()}):
            bulk.settings_from_environment()
            yield
    finally:
        bulk.settings_from_environment()


@contextlib.contextmanager
def worker_paused(api: Api) -> Iterator[Callable[[int | None], int]]:
    """The app's embedded worker stopped: the check works the runs itself, batch by batch
    (`step(n)`: n batches, None: to the end), and the worker starts again after it."""
    _, bulk_runs = _bulk_modules()
    app = api.client.app
    assert isinstance(app, FastAPI)
    worker = app.state.bulk_worker
    if worker is not None:
        worker.stop()
    factory = session_factory(writer(api.engine))
    try:
        yield lambda batches: int(bulk_runs.work(factory, batches=batches))
    finally:
        if worker is not None:
            worker.start()


def _bulk_body(info: Resource) -> dict[str, Any]:
    if info.bulk_values:
        return {"operation": "update", "filter": {}, "values": info.bulk_values}
    return {"operation": "delete", "filter": {}}


AGENT = "audit-check/1.0 (+https://example.com/bot)"  # a User-Agent the trail keeps as sent


def queue_bulk_run(
    api: Api, name: str, body: dict[str, Any], **options: Unpack[Options]
) -> dict[str, Any]:
    response = api.post(f"{api.resources[name].path}/bulk", body, **options)
    assert response.status_code == 202, response.text
    run = json_object(response)
    assert response.headers["Location"] == f"/api/bulk_runs/{run['id']}", response.headers
    assert run["status"] == "queued" and run["processed"] == 0, run
    return run


def wait_for_run(api: Api, run_id: str) -> dict[str, Any]:
    """The run once the worker is done with it (done, cancelled or failed)."""
    deadline = time.monotonic() + RUN_WAIT_SECONDS
    while True:
        response = api.get(f"/api/bulk_runs/{run_id}")
        assert response.status_code == 200, response.text
        run = json_object(response)
        if run["status"] not in ("queued", "running"):
            return run
        assert time.monotonic() < deadline, f"bulk run still {run['status']}: {run}"
        time.sleep(0.05)


def check_bulk_run_async(api: Api, name: str) -> None:
    """A run larger than BULK_ASYNC_ROWS is answered 202 with the run (Location: its address),
    and the app's embedded worker processes it in batches to the end; the run is listed for its
    caller only, its batches' audit entries name the request's address and User-Agent, and its
    undo token puts the rows back."""
    info = api.resources[name]
    rows = api.populate(name, 5)
    with bulk_settings(BULK_ASYNC_ROWS=2, BULK_BATCH_SIZE=2):
        run = queue_bulk_run(api, name, _bulk_body(info), headers={"User-Agent": AGENT})
        assert run["matched"] == len(rows) and run["operation"] == _bulk_body(info)["operation"]
        done = wait_for_run(api, run["id"])
    assert (done["status"], done["failed"]) == ("done", 0), done
    assert done["processed"] == done["affected"] and done["finished_at"] >= done["started_at"]
    if info.bulk_values:
        assert done["affected"] == len(rows), done
        for row in api.all(name):
            assert_same(info, info.bulk_values, row)
    else:  # a row an earlier batch's cascade hid is no longer there to delete
        assert 0 < done["affected"] <= len(rows) and api.ids(name) == set(), done
    listed = api.get("/api/bulk_runs", params={"resource": name, "status": "done"})
    assert listed.status_code == 200 and run["id"] in {r["id"] for r in listed.json()["items"]}
    assert_error(api.get(f"/api/bulk_runs/{run['id']}", user="user-b"), 404, "not_found")
    if info.has("audit"):
        action = f"bulk_{_bulk_body(info)['operation']}"
        # A run keeps the caller's tenant for a tenant resource only (it scopes the run), and its
        # batches' entries carry what the run kept: of another resource, entries of no tenant.
        trail = api.get(
            "/api/audit",
            params={"resource": name, "action": action},
            tenant=TENANT if info.tenant else None,
        )
        entries = json_object(trail)["items"]
        assert len(entries) == done["affected"], entries
        assert {(e["ip_address"], e["user_agent"]) for e in entries} == {("testclient", AGENT)}
    if info.tenant:
        assert_error(api.get(f"/api/bulk_runs/{run['id']}", tenant=OTHER_TENANT), 404, "not_found")
    if info.undo:
        assert done["undo_token"], done
        undone = api.post(f"{info.path}/bulk/undo", {"undo_token": done["undo_token"]})
        assert undone.status_code == 200, undone.text
        assert undone.json() == {"restored": done["affected"], "skipped": 0}, undone.text


def check_bulk_run_cancel(api: Api, name: str) -> None:
    """A cancelled run stops before its next batch: the batches done stay done, no other row
    changes, and a finished run cannot be cancelled again (409 run_finished)."""
    info = api.resources[name]
    rows = api.populate(name, 5)
    before = _snapshot(api, name)
    with bulk_settings(BULK_ASYNC_ROWS=2, BULK_BATCH_SIZE=2), worker_paused(api) as step:
        run = queue_bulk_run(api, name, _bulk_body(info))
        assert step(1) == 1
        assert_error(
            api.post(f"/api/bulk_runs/{run['id']}/cancel", {}, user="user-b"), 404, "not_found"
        )
        cancelled = api.post(f"/api/bulk_runs/{run['id']}/cancel", {})
        assert cancelled.status_code == 200, cancelled.text
        assert (cancelled.json()["status"], cancelled.json()["processed"]) == ("cancelled", 2)
        assert step(None) == 0, "a cancelled run gets no further batch"
    after = _snapshot(api, name)
    # Two rows were changed (in the database's key order, which is not Python's for MariaDB's
    # UUIDs); every other row is as it was.
    changed = {key for key, row in before.items() if after.get(key) != row}
    if info.bulk_values:
        assert len(changed) <= 2, (before, after)
        for key in changed:
            assert_same(info, info.bulk_values, after[key])
    else:  # the two rows, and what their cascade hid
        assert len(changed) >= 2 and len(after) <= len(rows) - 2, after
    assert wait_for_run(api, run["id"])["status"] == "cancelled"
    again = api.post(f"/api/bulk_runs/{run['id']}/cancel", {})
    assert_error(again, 409, "run_finished")


def check_bulk_run_restart(api: Api, name: str) -> None:
    """A run the app was working on when it stopped is finished by the next app on the same
    database: its worker resumes the run after the last batch that committed."""
    info = api.resources[name]
    rows = api.populate(name, 5)
    app_module = importlib.import_module(__name__.rsplit(".", 2)[0] + ".app")
    url = api.engine.url.render_as_string(hide_password=False)
    with bulk_settings(BULK_ASYNC_ROWS=2, BULK_BATCH_SIZE=2), worker_paused(api) as step:
        run = queue_bulk_run(api, name, _bulk_body(info))
        assert step(1) == 1  # then the app stops
        restarted = app_module.create_app(url)
        try:
            with TestClient(restarted) as client:
                done = wait_for_run(Api(client, api.engine, api.resources), run["id"])
        finally:
            restarted.state.engine.dispose()
    assert (done["status"], done["processed"]) == ("done", done["affected"]), done
    if info.bulk_values:
        assert done["affected"] == len(rows), done
        for row in api.all(name):
            assert_same(info, info.bulk_values, row)
    else:
        assert api.ids(name) == set()


def check_rate_limits(api: Api, name: str) -> None:
    """`RATE_LIMITS`: an app started with `<name>.list=2/minute` answers the caller's third list
    429 rate_limited with Retry-After, lists for another caller, refuses the same list through
    the action router; a rule naming no action of the app stops the start."""
    info = api.resources[name]
    app_module = importlib.import_module(__name__.rsplit(".", 2)[0] + ".app")
    url = api.engine.url.render_as_string(hide_password=False)
    with environment(RATE_LIMITS=f"{name}.list=2/minute", RATE_LIMIT_STORAGE="memory://"):
        limited = app_module.create_app(url)
    try:
        with TestClient(limited) as client:
            limited_api = Api(client, api.engine, api.resources)
            for _ in range(2):
                assert limited_api.get(info.path).status_code == 200
            refused = limited_api.get(info.path)
            assert_error(refused, 429, "rate_limited", None)
            assert 1 <= int(refused.headers["Retry-After"]) <= 60, refused.headers
            assert limited_api.get(info.path, user="user-b").status_code == 200
            routed = limited_api.post("/api/actions", {"action": f"{name}.list", "input": {}})
            assert_error(routed, 429, "rate_limited", None)
    finally:
        limited.state.engine.dispose()
    with environment(RATE_LIMITS=f"{name}.no_such_action=1/minute"):
        try:
            app_module.create_app(url).state.engine.dispose()
        except ValueError as error:
            assert "RATE_LIMITS" in str(error) and "no such action" in str(error), error
        else:
            raise AssertionError("RATE_LIMITS naming no action of the app did not stop the start")


def check_bulk_confirmation(api: Api, name: str) -> None:
    """A delete of more rows than BULK_CONFIRM_ROWS needs the confirmation_token its dry run
    returned, from the same caller and filter (422 confirmation_required without one, 409
    confirmation_mismatch with another)."""
    info = api.resources[name]
    rows = api.populate(name, 3)
    path = f"{info.path}/bulk"
    with bulk_settings(BULK_CONFIRM_ROWS=2):
        refused = api.post(path, {"operation": "delete", "filter": {}})
        assert_error(refused, 422, "confirmation_required", "confirmation_token")
        dry = api.post(path, {"operation": "delete", "filter": {}, "dry_run": True})
        assert dry.status_code == 200 and dry.json()["matched"] == len(rows), dry.text
        token = dry.json()["confirmation_token"]
        wrong = api.post(path, {"operation": "delete", "filter": {}, "confirmation_token": "x"})
        assert_error(wrong, 409, "confirmation_mismatch", "confirmation_token")
        theirs = {"operation": "delete", "filter": {}, "confirmation_token": token}
        other = api.post(path, theirs, user="user-b")
        if info.has("owned"):
            # Another owner's filter matches none of these rows: nothing to confirm or delete.
            assert other.status_code == 200 and other.json()["affected"] == 0, other.text
        else:
            assert_error(other, 409, "confirmation_mismatch")
        deleted = api.post(path, theirs)
        assert deleted.status_code == 200 and deleted.json()["affected"] == len(rows), deleted.text
    assert api.ids(name) == set()


IDEMPOTENCY_KEY = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"


def _keyed(key: str) -> dict[str, str]:
    return {IDEMPOTENCY_KEY: key}


def assert_replayed(first: httpx.Response, again: httpx.Response) -> None:
    """`again` is `first` sent again: the same status and body, marked as a replay."""
    assert again.status_code == first.status_code, (first.text, again.text)
    assert again.content == first.content, (first.text, again.text)
    assert again.headers.get(REPLAYED) == "true" and REPLAYED not in first.headers
    assert again.headers.get("ETag") == first.headers.get("ETag")


def check_idempotent_create(api: Api, name: str) -> None:
    """A create sent twice with one Idempotency-Key makes one row and gets the same answer; the
    key reused with another body is 422; a delete sent again answers 204 again."""
    info = api.resources[name]
    before = api.ids(name) if "list" in info.operations else set()
    payload = api.payload(name)
    key = f"create-{uuid.uuid4()}"
    first = api.post(info.path, payload, headers=_keyed(key))
    assert first.status_code == 201, first.text
    again = api.post(info.path, payload, headers=_keyed(key))
    assert_replayed(first, again)
    made = json_object(first)
    if "list" in info.operations:
        assert api.ids(name) == before | {made["id"]}, "the create was applied once"
    another = api.payload(name)
    if another != payload:  # with nothing to write, every create sends the same body
        other = api.post(info.path, another, headers=_keyed(key))
        assert_error(other, 422, "idempotency_key_reused", IDEMPOTENCY_KEY)
    # The same key from another caller is another key (where another caller may make the row).
    if not (info.has("owned") or info.relations or info.many_to_many):
        elsewhere = api.post(info.path, api.payload(name), headers=_keyed(key), user="user-b")
        assert elsewhere.status_code == 201 and REPLAYED not in elsewhere.headers, elsewhere.text
    if "delete" in info.operations:
        path = f"{info.path}/{made['id']}"
        key = f"delete-{uuid.uuid4()}"
        etag = first.headers.get("ETag")
        deleted = api.delete(path, headers=_keyed(key), if_match=etag)
        assert deleted.status_code == 204, deleted.text
        assert_replayed(deleted, api.delete(path, headers=_keyed(key), if_match=etag))


def check_client_id(api: Api, name: str) -> None:
    """A create may name its uuid key (an offline client makes its rows' ids): the row gets it;
    an id taken already, in any tenant, is 409 `conflict` on `id`, never a second row."""
    info = api.resources[name]
    chosen = str(uuid.uuid4())
    made = api.post(info.path, {**api.payload(name), "id": chosen})
    assert made.status_code == 201, made.text
    assert json_object(made)["id"] == chosen
    assert api.get(f"{info.path}/{chosen}").status_code == 200
    again = api.post(info.path, {**api.payload(name), "id": chosen})
    assert_error(again, 409, "conflict", "id")
    if info.tenant:
        elsewhere = api.post(info.path, {**api.payload(name), "id": chosen}, tenant=OTHER_TENANT)
        assert elsewhere.status_code in (409, 422), elsewhere.text  # 422: its parents are not there
    assert_error(
        api.post(info.path, {**api.payload(name), "id": "not-a-uuid"}),
        422,
        "validation_error",
        "id",
    )


def check_idempotent_bulk(api: Api, name: str) -> None:
    """A bulk run sent twice with one key runs once (the same counts and undo token); its undo
    sent twice restores once and answers the same, where a second undo would be 409 undo_used."""
    info = api.resources[name]
    rows = api.populate(name, 3)
    path = f"{info.path}/bulk"
    operation: dict[str, Any] = (
        {"operation": "update", "filter": {}, "values": info.bulk_values}
        if info.bulk_values
        else {"operation": "delete", "filter": {}}
    )
    key = f"bulk-{uuid.uuid4()}"
    first = api.post(path, operation, headers=_keyed(key))
    assert first.status_code == 200 and json_object(first)["affected"] == len(rows), first.text
    after = _snapshot(api, name)
    again = api.post(path, operation, headers=_keyed(key))
    assert_replayed(first, again)
    assert _snapshot(api, name) == after, "the run was applied once"
    assert_error(
        api.post(path, {**operation, "dry_run": True}, headers=_keyed(key)),
        422,
        "idempotency_key_reused",
        IDEMPOTENCY_KEY,
    )
    if info.undo:
        body = {"undo_token": json_object(first)["undo_token"]}
        key = f"undo-{uuid.uuid4()}"
        undone = api.post(f"{path}/undo", body, headers=_keyed(key))
        assert undone.status_code == 200, undone.text
        assert_replayed(undone, api.post(f"{path}/undo", body, headers=_keyed(key)))
        assert_error(api.post(f"{path}/undo", body), 409, "undo_used")


def check_idempotent_race(api: Api, name: str, senders: int = 8) -> None:
    """`senders` requests at once with one key and one body: one row is made, and every one of
    them gets its answer (the database's unique key decides which request applies it)."""
    info = api.resources[name]
    before = api.ids(name) if "list" in info.operations else set()
    payload = api.payload(name)
    key = f"race-{uuid.uuid4()}"
    with ThreadPoolExecutor(max_workers=senders) as pool:
        answers = list(
            pool.map(lambda _: api.post(info.path, payload, headers=_keyed(key)), range(senders))
        )
    assert {a.status_code for a in answers} == {201}, [a.text for a in answers]
    assert len({a.content for a in answers}) == 1
    assert sum(REPLAYED in a.headers for a in answers) == senders - 1
    if "list" in info.operations:
        assert api.ids(name) == before | {json_object(answers[0])["id"]}


def feed_head(api: Api, **caller: Unpack[Caller]) -> int:
    """The last position of the change feed the caller sees."""
    position = 0
    while True:
        page = api.get("/api/changes", params={"since": str(position), "limit": "1000"}, **caller)
        assert page.status_code == 200, page.text
        body = json_object(page)
        position = int(body["position"])
        if not body["more"]:
            return position


def feed_after(api: Api, since: int, limit: int = 1000) -> list[dict[str, Any]]:
    page = api.get("/api/changes", params={"since": str(since), "limit": str(limit)})
    assert page.status_code == 200, page.text
    items: list[dict[str, Any]] = json_object(page)["items"]
    return items


def check_change_feed(api: Api, name: str) -> None:
    """A row's create, update and delete are in the feed, in order, once each (a replayed
    create adds nothing); pages resume from their position; another tenant sees none of it."""
    info = api.resources[name]
    head = feed_head(api)
    payload = api.payload(name)
    key = f"feed-{uuid.uuid4()}"
    made = api.post(info.path, payload, headers=_keyed(key))
    assert made.status_code == 201, made.text
    assert api.post(info.path, payload, headers=_keyed(key)).status_code == 201  # replayed
    row = json_object(made)
    path = f"{info.path}/{row['id']}"
    expected = [("create", False)]
    if "update" in info.operations and info.update:
        updated = api.patch(path, info.update)
        assert updated.status_code == 200, updated.text
        expected.append(("update", False))
    if "delete" in info.operations:
        deleted = api.delete(path, if_match=api.etag(path))
        assert deleted.status_code == 204, deleted.text
        expected.append(("delete", True))
    mine = [
        c for c in feed_after(api, head) if (c["resource"], c["row_id"]) == (name, str(row["id"]))
    ]
    assert [(c["action"], c["deleted"]) for c in mine] == expected, mine
    assert all(c["resource"] == name for c in mine)
    assert mine[0]["row"] == row and mine[-1]["position"] <= feed_head(api)
    positions = [c["position"] for c in mine]
    assert positions == sorted(positions)
    # Page by page from the head: the same changes, each once.
    seen: list[dict[str, Any]] = []
    position = head
    while True:
        page = api.get("/api/changes", params={"since": str(position), "limit": "1"})
        body = json_object(page)
        seen += body["items"]
        position = body["position"]
        if not body["more"]:
            break
    assert seen == feed_after(api, head)
    if info.tenant:
        elsewhere = api.get("/api/changes", params={"since": str(head)}, tenant=OTHER_TENANT)
        theirs = json_object(elsewhere)["items"]
        assert all((c["resource"], c["row_id"]) != (name, str(row["id"])) for c in theirs)


@contextlib.contextmanager
def serving(app: FastAPI, stream_seconds: int = 3) -> Iterator[str]:
    """`app` served by uvicorn on a loopback port (streams need a real connection): its URL.
    Its change streams last `stream_seconds` meanwhile."""
    import uvicorn

    before = getattr(app.state, "change_stream_seconds", None)
    app.state.change_stream_seconds = stream_seconds
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not server.started and thread.is_alive() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.started, "uvicorn did not start"
        port = server.servers[0].sockets[0].getsockname()[1]
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        app.state.change_stream_seconds = before


def stream_events(lines: Iterator[str], count: int) -> list[dict[str, Any]]:
    """The next `count` change events of a server-sent event stream (fewer if it ends first)."""
    found: list[dict[str, Any]] = []
    fields: dict[str, str] = {}
    for line in lines:
        if line:
            field, _, value = line.partition(": ")
            fields[field] = value
            continue
        if fields.get("event") == "change":
            change = json.loads(fields["data"])
            assert int(fields["id"]) == change["position"], fields
            found.append(change)
            if len(found) == count:
                break
        fields = {}
    return found


def _of(name: str, changes: list[dict[str, Any]]) -> list[str]:
    """The row ids of `name`'s changes (a row's parents are made, and streamed, before it)."""
    return [c["row_id"] for c in changes if c["resource"] == name]


def check_change_stream(api: Api, app: FastAPI, name: str) -> None:
    """The live feed: a change made while a stream is open arrives on it; after a disconnect,
    the stream resumed with Last-Event-ID sends what was missed, and nothing before it."""
    head = feed_head(api)
    headers = {"X-Tenant-ID": TENANT, "X-User-ID": USER}
    with serving(app) as url, httpx.Client(base_url=url, headers=headers, timeout=30) as client:
        api.parent(name)  # the rows every row of `name` needs, made before the stream opens
        first = api.create(name)
        query = {"since": str(head)}
        with client.stream("GET", "/api/changes/stream", params=query) as response:
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/event-stream")
            lines = response.iter_lines()
            seen = stream_events(lines, len(feed_after(api, head)))
            assert _of(name, seen)[-1:] == [str(first["id"])]
            live = api.create(name)  # while the stream is open
            (pushed,) = stream_events(lines, 1)
            assert (pushed["resource"], pushed["row_id"]) == (name, str(live["id"]))
        missed = [api.create(name), api.create(name)]  # while disconnected
        resume = {"Last-Event-ID": str(pushed["position"])}
        with client.stream("GET", "/api/changes/stream", headers=resume) as response:
            resumed = stream_events(response.iter_lines(), len(missed))
        assert _of(name, resumed) == [str(row["id"]) for row in missed]
        assert all(c["position"] > pushed["position"] for c in resumed)
        # The stream ends by itself (CHANGE_STREAM_SECONDS, short here: the test waits it out);
        # what it sent is all there was.
        app.state.change_stream_seconds = 0.5
        with client.stream("GET", "/api/changes/stream", headers=resume) as response:
            assert len(stream_events(response.iter_lines(), 100)) == len(missed)


def check_tenant(api: Api, name: str) -> None:
    """X-Tenant-ID is required, and another tenant's rows do not exist: not by id, not in lists,
    not to bulk actions, not through the action router."""
    info = api.resources[name]
    row = api.create(name)
    path = f"{info.path}/{row['id']}"
    assert_error(api.get(path, tenant=None), 400, "tenant_required")
    assert_error(api.post(info.path, api.payload(name), tenant=None), 400, "tenant_required")
    if api.tenants is not None:  # tenants as rows: one that is not a row is refused outright
        stranger = UNKNOWN_TENANT
        api.admitted.add(stranger)  # known to the test, not made
        assert_error(api.get(path, tenant=stranger), 403, "unknown_tenant", "X-Tenant-ID")
        body = assert_error(
            api.post(info.path, api.payload(name), tenant=stranger), 403, "unknown_tenant"
        )
        assert stranger in body["detail"], body
        if "list" in info.operations:
            assert_error(api.get(info.path, tenant=stranger), 403, "unknown_tenant")
    assert_error(api.get(path, tenant=OTHER_TENANT), 404, "not_found")
    if "update" in info.operations:
        assert_error(
            api.patch(path, info.update, tenant=OTHER_TENANT, if_match=None), 404, "not_found"
        )
    if "delete" in info.operations:
        assert_error(api.delete(path, tenant=OTHER_TENANT), 404, "not_found")
    if "get" in info.operations:
        assert_error(
            api.post(
                "/api/actions", {"action": f"{name}.get", "id": row["id"]}, tenant=OTHER_TENANT
            ),
            404,
            "not_found",
        )
    if "list" in info.operations:
        response = api.get(info.path, tenant=OTHER_TENANT)
        assert response.status_code == 200 and response.json()["items"] == []
    if "bulk" in info.operations:
        other = api.post(
            f"{info.path}/bulk", {"operation": "delete", "filter": {}}, tenant=OTHER_TENANT
        )
        assert other.status_code == 200 and other.json()["matched"] == 0, other.text
        assert api.get(path).status_code == 200


def check_tenant_rows(api: Api, name: str) -> None:
    """The tenants' resource: a new tenant's row admits it (X-Tenant-ID naming it is served);
    while it holds rows it keeps its row and its key (409), and once they are gone it may go."""
    info = api.resources[name]
    key = info.tenant_key
    assert key is not None, f"{name} holds no tenants"
    scoped = next(
        (
            r
            for r in api.resources.values()
            if r.has("tenant")
            and {"create", "delete"} <= set(r.operations)
            and not r.problems
            # its payload needs no row of the default tenant
            and not any(required for _, required in r.relations.values())
        ),
        None,
    )
    tenant = api.create(name)
    # A tenant reads its own row by its header alone, on its route and through the router.
    own = api.get(f"{info.path}/current", tenant=tenant[key])
    assert own.status_code == 200 and own.json()["id"] == tenant["id"], own.text
    routed = api.post("/api/actions", {"action": f"{name}.current"}, tenant=tenant[key])
    assert routed.status_code == 200 and routed.json() == own.json(), routed.text
    assert_error(api.get(f"{info.path}/current", tenant=None), 400, "tenant_required")
    api.admitted.add(UNKNOWN_TENANT)
    assert_error(api.get(f"{info.path}/current", tenant=UNKNOWN_TENANT), 403, "unknown_tenant")
    if scoped is None:
        return
    caller = {"tenant": tenant[key]}
    api.admitted.add(tenant[key])
    made = api.post(scoped.path, api.payload(scoped.name), **caller)
    assert made.status_code == 201, made.text
    path = f"{info.path}/{tenant['id']}"
    if "delete" in info.operations:
        assert_error(api.delete(path), 409, "conflict", key)
        assert api.get(path).status_code == 200, "a refused delete kept the tenant"
    if "update" in info.operations:
        changed = api.payload(name)[key]
        assert_error(api.patch(path, {key: changed}), 409, "conflict", key)
    gone = api.delete(f"{scoped.path}/{made.json()['id']}", **caller)
    assert gone.status_code == 204, gone.text
    if "delete" in info.operations and not scoped.has("soft_delete"):  # else the row is kept
        assert api.delete(path).status_code == 204, "an empty tenant could not be deleted"
        assert_error(api.get(scoped.path, **caller), 403, "unknown_tenant")


def check_soft_delete(api: Api, name: str) -> None:
    """DELETE hides the row; include_deleted shows it; restore brings it back."""
    info = api.resources[name]
    row = api.create(name)
    path = f"{info.path}/{row['id']}"
    assert api.delete(path).status_code == 204
    assert_error(api.get(path), 404, "not_found")
    hidden = api.get(path, params={"include_deleted": "true"})
    assert hidden.status_code == 200 and hidden.json()["deleted_at"] is not None, hidden.text
    if "list" in info.operations:
        assert row["id"] not in api.ids(name)
        assert row["id"] in api.ids(name, include_deleted=True)
    restored = api.post(f"{path}/restore", None)
    assert restored.status_code == 200 and restored.json()["deleted_at"] is None, restored.text
    assert _comparable(api.get(path).json()) == _comparable(row)
    assert api.delete(path).status_code == 204
    routed = api.post("/api/actions", {"action": f"{name}.restore", "id": row["id"]})
    assert routed.status_code == 200 and routed.json()["deleted_at"] is None, routed.text
    assert_error(api.post(f"{info.path}/{info.missing_key()}/restore", None), 404, "not_found")
    if info.unique:
        # A deleted row's unique values are free again where the database has partial indexes.
        assert api.delete(path).status_code == 204
        again = api.post(
            info.path, api.payload(name, {f: row[f] for fields in info.unique for f in fields})
        )
        if api.engine.dialect.name == "mysql":
            assert_error(again, 409, "conflict")
        else:
            assert again.status_code == 201, again.text
            assert_error(api.post(f"{path}/restore", None), 409, "conflict")


def check_versioned(api: Api, name: str) -> None:
    """Updates name the version they read: 428 without one, 409 when stale; ETag on every row."""
    info = api.resources[name]
    row = api.create(name)
    path = f"{info.path}/{row['id']}"
    assert row["version"] == 1
    assert api.get(path).headers["ETag"] == '"1"'
    assert_error(api.patch(path, info.update, if_match=None), 428, "precondition_required")
    # `*` matches any version (RFC 9110): it names none, so it cannot show the change saw the row.
    assert_error(api.patch(path, info.update, if_match="*"), 428, "precondition_required")
    updated = api.patch(path, info.update, if_match='"1"')
    assert updated.status_code == 200 and updated.json()["version"] == 2, updated.text
    assert updated.headers["ETag"] == '"2"'
    assert_error(api.patch(path, info.update, if_match='"1"'), 409, "version_conflict")
    assert_error(
        api.patch(path, {**info.update, "version": 1}, if_match=None), 409, "version_conflict"
    )
    by_body = api.patch(path, {**info.update, "version": 2}, if_match=None)
    assert by_body.status_code == 200 and by_body.json()["version"] == 3, by_body.text
    if "delete" in info.operations:
        assert_error(api.delete(path, if_match='"2"'), 409, "version_conflict")


def check_audit(api: Api, name: str) -> None:
    """Every write leaves an entry: action, row before and after, actor, tenant, and where the
    request came from (the test client's address and User-Agent)."""
    info = api.resources[name]
    row = api.create(name)
    path = f"{info.path}/{row['id']}"
    expected = ["create"]
    if "update" in info.operations:
        assert api.patch(path, info.update, headers={"User-Agent": AGENT}).status_code == 200
        expected.append("update")
    if "delete" in info.operations:
        assert api.delete(path).status_code == 204
        expected.append("delete")
    if info.has("soft_delete"):
        assert api.post(f"{path}/restore", None).status_code == 200
        expected.append("restore")
    listed = api.get("/api/audit", params={"resource": name, "row_id": str(row["id"])})
    assert listed.status_code == 200, listed.text
    entries = list(reversed(listed.json()["items"]))
    assert [e["action"] for e in entries] == expected, entries
    assert entries[0]["before"] is None and _comparable(entries[0]["after"]) == _comparable(row)
    for entry in entries:
        assert (
            entry["actor"] == USER
            and entry["resource"] == name
            and entry["row_id"] == str(row["id"])
        )
        assert entry["tenant_id"] == TENANT
        assert entry["ip_address"] == "testclient"  # Starlette's TestClient's peer
    assert entries[0]["user_agent"] == "testclient"
    if "update" in info.operations:
        assert entries[1]["user_agent"] == AGENT
        assert_same(info, info.update, entries[1]["after"])
        assert _comparable(entries[1]["before"]) == _comparable(row)
    other = api.get("/api/audit", params={"resource": name}, tenant=OTHER_TENANT)
    assert other.status_code == 200 and other.json()["items"] == [], (
        "another tenant's trail is not yours"
    )
    if info.has("owned"):
        others = api.get("/api/audit", params={"resource": name}, user="user-b")
        assert others.status_code == 200 and others.json()["items"] == [], (
            "another owner's trail is not yours"
        )
    assert_error(api.get("/api/audit", params={"no_such_filter": "1"}), 422, "validation_error")


def _mark_system(api: Api, name: str, key: object) -> None:
    resource = REGISTRY[name]
    with api.engine.begin() as connection:
        connection.execute(
            sa.update(resource.model)
            .where(resource.id == parse_key(resource, key))
            .values(is_system=True)
        )


def check_owned(api: Api, name: str) -> None:
    """Rows belong to their creator; system rows are readable by everyone and writable by no user."""
    info = api.resources[name]
    row = api.create(name)
    assert row["owner_id"] == USER and row["is_system"] is False
    path = f"{info.path}/{row['id']}"
    assert_error(api.get(path, user="user-b"), 404, "not_found")
    assert_error(api.get(path, user=None), 404, "not_found")
    if "update" in info.operations:
        assert_error(api.patch(path, info.update, user="user-b", if_match=None), 404, "not_found")
    if "list" in info.operations:
        assert row["id"] in api.ids(name)
        assert row["id"] not in {item["id"] for item in _every_row(api, name, user="user-b")}
    assert_error(api.post(info.path, api.payload(name), user=None), 401, "authentication_required")
    _mark_system(api, name, row["id"])
    assert api.get(path, user="user-b").status_code == 200
    assert api.get(path, user=None).status_code == 200
    for user in (
        USER,
        "user-b",
    ):  # its owner included: a system row is made and changed outside the API
        if "update" in info.operations:
            assert_error(api.patch(path, info.update, user=user), 403, "forbidden")
        if "delete" in info.operations:
            assert_error(api.delete(path, user=user), 403, "forbidden")


def check_branching(api: Api, name: str) -> None:
    """Writes on a branch copy the row and leave main alone; merge applies them; discard forgets them."""
    info = api.resources[name]
    row = api.create(name)
    path = f"{info.path}/{row['id']}"
    if "update" in info.operations:
        changed = api.patch(path, info.update, branch=BRANCH)
        assert changed.status_code == 200 and changed.json()["branch_id"] == BRANCH, changed.text
        assert api.get(path).json() == row, "main is untouched"
        assert_same(info, info.update, api.get(path, branch=BRANCH).json())
    linked = next(iter(info.many_to_many), None)
    if linked and "update" in info.operations:
        # A branch's copy has its own links: relinking it leaves main's links alone.
        other = api.create(info.many_to_many[linked])
        relinked = api.patch(path, {linked: [other["id"]]}, branch=BRANCH)
        assert relinked.status_code == 200 and relinked.json()[linked] == [other["id"]], (
            relinked.text
        )
        assert api.get(path).json()[linked] == row[linked], "main's links are untouched"
    if "list" in info.operations:
        seen = [item["id"] for item in _every_row(api, name, branch=BRANCH)]
        assert seen.count(row["id"]) == 1, "a branch sees its copy, once"
    api.counters[name] += (
        1  # the next sample's unique values are the update's, now taken on the branch
    )
    created = api.post(info.path, api.payload(name), branch=BRANCH)
    assert created.status_code == 201, created.text
    new_path = f"{info.path}/{created.json()['id']}"
    assert_error(api.get(new_path), 404, "not_found")
    doomed = api.create(name)
    doomed_path = f"{info.path}/{doomed['id']}"
    if "delete" in info.operations:
        assert api.delete(doomed_path, branch=BRANCH).status_code == 204
        assert_error(api.get(doomed_path, branch=BRANCH), 404, "not_found")
        assert api.get(doomed_path).status_code == 200, (
            "a delete on a branch hides the row there only"
        )
    reborn = 0
    if "delete" in info.operations and info.unique and api.engine.dialect.name != "mysql":
        # A row deleted on a branch frees its unique values there (MySQL has no partial indexes).
        taken = {f: doomed[f] for fields in info.unique for f in fields}
        again = api.post(info.path, api.payload(name, taken), branch=BRANCH)
        assert again.status_code == 201, again.text
        reborn = 1
    merged = api.post(f"/api/branches/{BRANCH}/merge", None)
    assert merged.status_code == 200, merged.text
    assert merged.json()["branch"] == BRANCH and merged.json()["merged"][name] == 2 + reborn + (
        "update" in info.operations
    ), merged.text
    if "update" in info.operations:
        assert_same(info, info.update, api.get(path).json())
        if linked:
            assert api.get(path).json()[linked] == [other["id"]], (
                "the merge brings the branch's links"
            )
    assert api.get(new_path).status_code == 200
    if "delete" in info.operations:
        assert_error(api.get(doomed_path), 404, "not_found")
    assert api.get(path, branch=BRANCH).json()["branch_id"] == "main", (
        "the branch is empty after a merge"
    )
    if "update" in info.operations:
        main_before = api.get(path).json()
        assert api.patch(path, info.update | {}, branch="scratch").status_code == 200
        assert api.request("DELETE", "/api/branches/scratch").status_code == 204
        assert api.get(path, branch="scratch").json() == main_before
    assert_error(api.post("/api/branches/main/merge", None), 422, "validation_error")


def _every_row(api: Api, name: str, **caller: Unpack[Caller]) -> list[dict[str, Any]]:
    """Every row of the list as a caller with other headers (`branch=`, `user=`) sees it."""
    info = api.resources[name]
    rows: list[dict[str, Any]] = []
    cursor = None
    while True:
        response = api.get(info.path, params={"cursor": cursor} if cursor else {}, **caller)
        assert response.status_code == 200, response.text
        rows += response.json()["items"]
        cursor = response.json()["next_cursor"]
        if cursor is None:
            return rows


# ---------------------------------------------------------------------------------------------
# Seed data


def check_seeded_rows_are_served(api: Api, seeds: tuple[seeding.ResourceSeed, ...]) -> None:
    """The seed command's rows, made twice with one seed, are what the API serves: each list
    answers 200 with all of them (its Read model validates each row), unique values stay apart,
    and the caller's system rows are there."""
    rows, system = 3, 1
    options = seeding.SeedOptions(rows=rows, seed=1, tenants=(TENANT,), user=USER, system=system)
    for _ in range(2):
        report = seeding.seed(session_factory(writer(api.engine)), seeds, options)
        assert report.rows == {s.name: rows for s in seeds}, report.rows
    for s in seeds:
        info = api.resources.get(s.name)
        if info is None or "list" not in info.operations:
            continue
        response = api.get(info.path, params={"limit": str(min(info.max_page_size, 100))})
        assert response.status_code == 200, f"{info.path}: {response.text}"
        items = response.json()["items"]
        # The tenants' resource also holds the row of each tenant seeded.
        tenants = len(options.tenants) if info.tenant_key else 0
        assert len(items) == 2 * rows + tenants, (s.name, len(items))
        for fields in info.unique:
            values = [tuple(item[f] for f in fields) for item in items]
            values = [v for v in values if None not in v]
            assert len(values) == len(set(values)), (s.name, fields)
        if info.has("owned"):
            assert sum(bool(item["is_system"]) for item in items) == 2 * system, s.name
