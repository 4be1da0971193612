"""Where the runtime meets HTTP (`errors`, `http`, `context`, `db`): a small FastAPI app over it."""

from __future__ import annotations

import datetime
import decimal
import uuid
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Annotated, Any

import pytest
import sqlalchemy as sa
from fastapi import Depends, FastAPI, Header, Query, Request, Response
from fastapi.testclient import TestClient
from pydantic import BaseModel, BeforeValidator, ConfigDict
from world import NOTE, REGION, USER

from schemagen.runtime import errors, http
from schemagen.runtime.context import Principal, RequestContext, request_context
from schemagen.runtime.db import SessionDep, bind, session_factory, writer
from schemagen.runtime.errors import ApiError, ConstraintFields, from_database, from_validation
from schemagen.runtime.lists import list_rows
from schemagen.runtime.writes import create_row


class Caller:
    def __init__(self, id: str) -> None:
        self.id = id


def get_principal(x_user_id: Annotated[str | None, Header()] = None) -> Principal | None:
    return Caller(x_user_id) if x_user_id else None


get_context = request_context(get_principal)
ContextDep = Annotated[RequestContext, Depends(get_context)]


class NoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str
    done: bool = False
    due: datetime.date | None = None
    price: decimal.Decimal | None = None


class NoteQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title__in: Annotated[list[str] | None, BeforeValidator(http.comma_separated)] = None
    limit: int | None = None


def build_app(engine: sa.Engine) -> FastAPI:
    app = FastAPI()
    app.state.engine = engine
    app.state.writer = writer(engine)
    app.state.sessionmaker = session_factory(engine)
    errors.install(app, ConstraintFields(unique={"uq_x": "x"}))

    @app.post("/notes", status_code=201)
    def create(
        body: Annotated[NoteIn, http.json_body(NoteIn)], session: SessionDep, context: ContextDep
    ) -> Response:
        return http.respond_row(NOTE, create_row(NOTE, session, context, body), status_code=201)

    @app.get("/notes")
    def listing(
        params: Annotated[NoteQuery, Query()], session: SessionDep, context: ContextDep
    ) -> Response:
        return http.respond(list_rows(NOTE, session, context, http.query_values(params)))

    @app.get("/raw")
    def raw(request: Request) -> dict[str, Any]:
        return http.query_params(request)

    @app.get("/notes/{id}")
    def get(id: uuid.UUID) -> Response:
        raise ApiError(404, "not_found", f"note {id} not found")

    @app.patch("/notes/bulk")
    def bulk() -> None: ...

    @app.get("/whoami")
    def whoami(context: ContextDep) -> dict[str, Any]:
        return {"tenant": context.tenant_id, "branch": context.branch_id, "user": context.user_id}

    @app.get("/boom/{kind}")
    def boom(kind: str) -> None:
        orig = Exception("database is locked") if kind == "locked" else Exception("other")
        if kind in ("locked", "other"):
            raise sa.exc.OperationalError("SELECT 1", {}, orig)
        if kind == "timeout":
            raise sa.exc.TimeoutError()
        if kind == "todo":
            raise NotImplementedError("later")
        if kind == "validation":
            NoteIn.model_validate({"title": 5})
        raise RuntimeError("unexpected")

    return app


@pytest.fixture
def client(engine: sa.Engine) -> Iterator[TestClient]:
    with TestClient(build_app(engine), raise_server_exceptions=False) as client:
        yield client


def shape(response: Any) -> tuple[int, str, str | None]:
    body = response.json()
    assert set(body) == {"detail", "error_code", "field"}, body
    return response.status_code, body["error_code"], body["field"]


def test_bodies_are_strict_json(client: TestClient) -> None:
    made = client.post("/notes", json={"title": "a", "due": "2024-01-02", "price": 1.25})
    assert (
        made.status_code == 201
        and made.json()["price"] == 1.25
        and made.json()["due"] == "2024-01-02"
    )
    assert shape(client.post("/notes", json={"title": "a", "due": 0})) == (
        422,
        "validation_error",
        "due",
    )
    assert shape(client.post("/notes", content=b"{")) == (422, "validation_error", None)
    assert shape(client.post("/notes", content=b"\xff\xfe")) == (422, "validation_error", None)
    assert shape(client.post("/notes", json={"title": "a", "x": 1}))[0] == 422


def test_query_parameters(client: TestClient) -> None:
    for title in ("a", "b", "c"):
        client.post("/notes", json={"title": title})
    page = client.get("/notes", params=[("title__in", "a,b"), ("title__in", "c"), ("limit", "2")])
    assert [item["title"] for item in page.json()["items"]] == ["a", "b"]
    assert client.get("/raw", params=[("x", "1"), ("x", "2"), ("x", "3"), ("y", "4")]).json() == {
        "x": ["1", "2", "3"],
        "y": "4",
    }
    assert http.comma_separated(5) == 5
    assert http.comma_separated(["a,b", 3]) == ["a", "b", 3]


def test_errors_keep_the_contract(client: TestClient) -> None:
    assert shape(client.get(f"/notes/{uuid.uuid4()}")) == (404, "not_found", None)
    assert shape(client.get("/notes/not-a-uuid")) == (422, "validation_error", "id")
    assert shape(client.get("/nowhere")) == (404, "not_found", None)
    refused = client.delete("/notes")
    assert shape(refused) == (405, "method_not_allowed", None)
    assert refused.headers["Allow"] == "GET, POST"
    wrong = client.put("/notes/bulk")
    assert wrong.status_code == 405 and wrong.headers["Allow"] == "PATCH"
    locked = client.get("/boom/locked")
    assert (
        shape(locked) == (503, "database_unavailable", None)
        and locked.headers["Retry-After"] == "1"
    )
    assert shape(client.get("/boom/other")) == (500, "internal_error", None)
    assert shape(client.get("/boom/timeout")) == (503, "database_unavailable", None)
    assert shape(client.get("/boom/todo")) == (501, "not_implemented", None)
    assert shape(client.get("/boom/validation")) == (422, "validation_error", "title")
    assert shape(client.get("/boom/anything")) == (500, "internal_error", None)
    assert errors.CONSTRAINTS.unique == {"uq_x": "x"}
    errors.CONSTRAINTS = ConstraintFields()


def test_the_caller_comes_from_headers(client: TestClient) -> None:
    headers = {"X-Tenant-ID": "acme", "X-Branch-ID": "b1", "X-User-ID": USER}
    assert client.get("/whoami", headers=headers).json() == {
        "tenant": "acme",
        "branch": "b1",
        "user": USER,
    }
    assert client.get("/whoami").json() == {"tenant": None, "branch": "main", "user": None}
    too_long = client.get("/whoami", headers={"X-Tenant-ID": "t" * 65})
    assert shape(too_long) == (422, "validation_error", "X-Tenant-ID")


def test_responses_carry_etags_for_versioned_rows() -> None:
    response = http.respond_row(REGION, {"id": 1, "version": 3})
    assert response.headers["ETag"] == '"3"'
    assert "ETag" not in http.respond_row(NOTE, {"id": 1}).headers
    body = http.respond(
        {"d": decimal.Decimal("2.50"), "n": decimal.Decimal(3), "t": datetime.time(1)}
    ).body
    assert body == b'{"d":2.5,"n":3,"t":"01:00:00"}'


def test_strict_input() -> None:
    assert http.strict(NoteIn, {"title": "x", "done": True}).done is True
    with pytest.raises(ApiError) as raised:
        http.parse_json(NoteIn, '{"title": 1}')
    assert raised.value.field == "title"


class ListInput(BaseModel):
    """A list's parameters as the action router's JSON `input` carries them (`limit`, a filter)."""

    model_config = ConfigDict(extra="forbid")
    limit: Annotated[int, BeforeValidator(http.integral)] = 5
    rank: Annotated[int, BeforeValidator(http.strict_text("integer"))] | None = None


def test_a_whole_number_with_a_zero_fraction_is_an_integer() -> None:
    # JSON Schema's `integer` takes 97.0: the document allows it, so the API reads it.
    given = http.parse_json(ListInput, '{"limit": 97.0, "rank": -3.0}')
    assert (given.limit, given.rank) == (97, -3)
    assert type(given.limit) is int
    for raw, field in (('{"limit": 97.5}', "limit"), ('{"rank": 0.25}', "rank")):
        with pytest.raises(ApiError) as raised:
            http.parse_json(ListInput, raw)
        assert raised.value.field == field
    with pytest.raises(ApiError):
        http.parse_json(ListInput, '{"limit": "97"}')  # text is still no number


# -- database refusals, as each driver reports them


def refusal(orig: Any, *, integrity: bool = True) -> sa.exc.DBAPIError:
    kind = sa.exc.IntegrityError if integrity else sa.exc.DataError
    return kind("INSERT", {}, orig)


class Diag(SimpleNamespace):
    pass


class PgError(Exception):
    def __init__(self, sqlstate: str | None, **diag: Any) -> None:
        super().__init__("pg")
        self.sqlstate = sqlstate
        self.diag = Diag(
            **{"column_name": None, "constraint_name": None, "table_name": None, **diag}
        )


def test_refusals_name_their_field_on_every_database() -> None:
    errors.CONSTRAINTS = ConstraintFields(
        unique={"uq_notes_title": "title"},
        unique_columns={("notes", ("title",)): "title"},
        foreign_keys={"fk_offices_region": "region_id"},
        columns={("notes", "title"): "title", ("notes", "rank"): "rank"},
    )
    try:
        cases: list[tuple[Any, str, tuple[int, str, str | None]]] = [
            (
                PgError("23505", constraint_name="uq_notes_title"),
                "create",
                (409, "conflict", "title"),
            ),
            (
                PgError("23503", constraint_name="fk_offices_region"),
                "create",
                (422, "invalid_reference", "region_id"),
            ),
            (PgError("23503"), "delete", (409, "conflict", None)),
            (
                PgError("23502", table_name="notes", column_name="title"),
                "create",
                (422, "validation_error", "title"),
            ),
            (PgError("23514", constraint_name="ck_x"), "create", (422, "validation_error", None)),
            (
                PgError("22003", table_name="notes", column_name="rank"),
                "create",
                (422, "validation_error", "rank"),
            ),
            (
                Exception(1062, "Duplicate entry 'a' for key 'notes.uq_notes_title'"),
                "create",
                (409, "conflict", "title"),
            ),
            (
                Exception(
                    1452, "a foreign key constraint fails (CONSTRAINT `fk_offices_region` ...)"
                ),
                "create",
                (422, "invalid_reference", "region_id"),
            ),
            (
                Exception(1048, "Column 'title' cannot be null"),
                "create",
                (422, "validation_error", None),
            ),
            (
                Exception(3819, "Check constraint 'ck_x' is violated."),
                "create",
                (422, "validation_error", None),
            ),
            (
                Exception(1406, "Data too long for column 'rank' at row 1"),
                "create",
                (422, "validation_error", "rank"),
            ),
            (Exception(9999, "something else"), "create", (409, "conflict", None)),
            (
                Exception("UNIQUE constraint failed: notes.title"),
                "create",
                (409, "conflict", "title"),
            ),
            (
                Exception("NOT NULL constraint failed: notes.rank"),
                "create",
                (422, "validation_error", "rank"),
            ),
            (
                Exception("FOREIGN KEY constraint failed"),
                "update",
                (422, "invalid_reference", None),
            ),
            (Exception("CHECK constraint failed: ck_x"), "create", (422, "validation_error", None)),
            (Exception("no idea"), "create", (409, "conflict", None)),
        ]
        for orig, operation, wanted in cases:
            error = from_database(refusal(orig), operation)
            assert (error.status, error.error_code, error.field) == wanted, orig
        assert from_database(refusal(Exception("odd"), integrity=False), "create").status == 422
    finally:
        errors.CONSTRAINTS = ConstraintFields()


def test_what_counts_as_unavailable() -> None:
    def operational(orig: Any) -> sa.exc.DBAPIError:
        return sa.exc.OperationalError("SELECT 1", {}, orig)

    assert errors.unavailable(operational(PgError(None)))
    assert errors.unavailable(operational(PgError("08006")))
    assert not errors.unavailable(operational(PgError("42P01")))
    assert errors.unavailable(operational(Exception(2003, "can't connect")))
    assert not errors.unavailable(operational(Exception(1146, "no table")))
    assert errors.unavailable(operational(Exception("unable to open database file")))
    assert not errors.unavailable(refusal(Exception("UNIQUE constraint failed: x")))
    invalidated = sa.exc.DBAPIError("SELECT 1", {}, Exception("gone"), connection_invalidated=True)
    assert errors.unavailable(invalidated)


def test_validation_errors_name_the_first_field() -> None:
    assert from_validation([]).detail == "invalid request"
    error = from_validation([{"loc": ("body", "items", 0, "name"), "msg": "bad"}], request=True)
    assert (error.field, error.detail) == ("items", "items.name: bad")
    assert from_validation([{"msg": "bad"}]).detail == "bad"


def test_database_errors_roll_back(session: Any) -> None:
    with pytest.raises(ApiError) as raised, errors.database_errors(session, "update"):
        raise sa.orm.exc.StaleDataError("stale")
    assert raised.value.error_code == "version_conflict"
    with pytest.raises(KeyError), errors.database_errors(session, "update"):
        raise KeyError("x")


def test_sessions_carry_the_caller(engine: sa.Engine) -> None:
    with session_factory(engine)() as session:
        bind(session, "acme", "ann")
        session.execute(sa.text("SELECT 1"))
        bind(session, "acme", "ann")  # the same caller again: nothing to do
        bind(session, "other", None)  # in a transaction: applied at once (a no-op on SQLite)
        assert session.info["caller"] == ("other", None)
    with writer(engine).connect() as connection:
        assert connection.execute(sa.text("PRAGMA foreign_keys")).scalar() == 1


def test_mysql_engines_speak_utf8mb4() -> None:
    from schemagen.runtime.db import make_engine

    engine = make_engine("mysql+pymysql://user@127.0.0.1:1/nowhere")  # never connected
    assert engine.url.query["charset"] == "utf8mb4"
    engine.dispose()
