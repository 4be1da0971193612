"""`runtime.idempotency`: Idempotency-Key on the writes of a small app over the runtime."""

from __future__ import annotations

import datetime
import threading
import uuid
from collections.abc import Iterator
from typing import Annotated, Any

import pytest
import sqlalchemy as sa
from fastapi import Depends, FastAPI, Header, Response
from fastapi.testclient import TestClient
from pydantic import BaseModel, ConfigDict
from world import NOTE, Base, ChangeFeedClock, IdempotencyKey, Note

from schemagen.runtime import errors, http, idempotency
from schemagen.runtime.context import Principal, RequestContext, request_context
from schemagen.runtime.db import SessionDep, make_engine, session_factory, writer
from schemagen.runtime.errors import ApiError
from schemagen.runtime.routing import ScopedRouter
from schemagen.runtime.writes import create_row, delete_row


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


def build_app(engine: sa.Engine) -> FastAPI:
    app = FastAPI()
    app.state.engine = engine
    app.state.writer = writer(engine)
    app.state.sessionmaker = session_factory(engine)
    errors.install(app)
    idempotency.install(app, ttl=60)
    router = ScopedRouter(prefix="/notes", writes=[idempotency.guard(get_context)])

    @router.post("", status_code=201)
    def create(
        body: Annotated[NoteIn, http.json_body(NoteIn)], session: SessionDep, context: ContextDep
    ) -> Response:
        if body.title == "refused":
            raise ApiError(409, "conflict", "refused before anything is written")
        return http.respond_row(NOTE, create_row(NOTE, session, context, body), status_code=201)

    @router.get("")
    def count(session: SessionDep) -> dict[str, int]:
        return {"rows": session.scalar(sa.select(sa.func.count()).select_from(Note)) or 0}

    @router.delete("/{id}", status_code=204)
    def delete(id: uuid.UUID, session: SessionDep, context: ContextDep) -> None:
        delete_row(NOTE, session, context, id)

    app.include_router(router)
    return app


@pytest.fixture
def client(engine: sa.Engine) -> Iterator[TestClient]:
    with TestClient(build_app(engine), raise_server_exceptions=False) as client:
        yield client


def rows(client: TestClient) -> int:
    count: int = client.get("/notes").json()["rows"]
    return count


def keyed(key: str, **headers: str) -> dict[str, str]:
    return {"Idempotency-Key": key, **headers}


def test_a_replayed_create_gets_the_first_answer_and_is_applied_once(client: TestClient) -> None:
    first = client.post("/notes", json={"title": "a"}, headers=keyed("k1"))
    again = client.post("/notes", json={"title": "a"}, headers=keyed("k1"))
    assert first.status_code == again.status_code == 201
    assert again.content == first.content
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert again.headers["content-type"] == first.headers["content-type"]
    assert rows(client) == 1
    # Without a key, the same body is another write.
    assert client.post("/notes", json={"title": "a"}).status_code == 201
    assert rows(client) == 2


def test_a_replayed_delete_answers_204_again(client: TestClient) -> None:
    made = client.post("/notes", json={"title": "a"}).json()
    first = client.delete(f"/notes/{made['id']}", headers=keyed("d"))
    again = client.delete(f"/notes/{made['id']}", headers=keyed("d"))
    assert (first.status_code, again.status_code) == (204, 204)
    assert again.content == b"" and again.headers["Idempotent-Replayed"] == "true"
    # Another key: the delete runs, and the row is gone.
    assert client.delete(f"/notes/{made['id']}", headers=keyed("d2")).status_code == 404


def test_a_key_reused_for_another_request_is_refused(client: TestClient) -> None:
    client.post("/notes", json={"title": "a"}, headers=keyed("k"))
    other = client.post("/notes", json={"title": "b"}, headers=keyed("k"))
    assert other.status_code == 422
    assert other.json() == {
        "detail": "Idempotency-Key: the key was used for another request (another body, path or method)",
        "error_code": "idempotency_key_reused",
        "field": "Idempotency-Key",
    }
    made = client.post("/notes", json={"title": "c"}).json()
    assert client.delete(f"/notes/{made['id']}", headers=keyed("k")).status_code == 422
    assert rows(client) == 2


def test_keys_are_the_callers_own(client: TestClient) -> None:
    """The same key from another user, tenant or branch is another key."""
    for headers in ({}, {"X-User-ID": "bob"}, {"X-Tenant-ID": "other"}, {"X-Branch-ID": "b"}):
        answer = client.post("/notes", json={"title": "a"}, headers=keyed("same", **headers))
        assert answer.status_code == 201 and "Idempotent-Replayed" not in answer.headers
    assert rows(client) == 4


def test_what_committed_nothing_keeps_no_key(client: TestClient, engine: sa.Engine) -> None:
    refused = client.post("/notes", json={"title": "refused"}, headers=keyed("r"))
    invalid = client.post("/notes", json={"title": 5}, headers=keyed("r"))
    assert (refused.status_code, invalid.status_code) == (409, 422)
    with engine.connect() as connection:
        assert connection.scalar(sa.select(sa.func.count()).select_from(IdempotencyKey)) == 0
    # Sent again (corrected), it runs: nothing was applied before.
    assert client.post("/notes", json={"title": "a"}, headers=keyed("r")).status_code == 201
    assert rows(client) == 1


def test_an_expired_key_is_a_new_one(client: TestClient, engine: sa.Engine) -> None:
    client.post("/notes", json={"title": "a"}, headers=keyed("old"))
    with engine.begin() as connection:
        connection.execute(
            sa.update(IdempotencyKey).values(expires_at=datetime.datetime(2000, 1, 1))
        )
    again = client.post("/notes", json={"title": "a"}, headers=keyed("old"))
    assert again.status_code == 201 and "Idempotent-Replayed" not in again.headers
    assert rows(client) == 2
    with engine.connect() as connection:  # the expired row made way for the new one
        assert connection.scalar(sa.select(sa.func.count()).select_from(IdempotencyKey)) == 1


def test_the_key_table_holds_the_answer(client: TestClient, engine: sa.Engine) -> None:
    made = client.post(
        "/notes", json={"title": "a"}, headers=keyed("k", **{"X-User-ID": "ann"})
    ).json()
    with engine.connect() as connection:
        row = connection.execute(sa.select(IdempotencyKey)).one()
    assert (row.key, row.actor, row.tenant_id, row.branch_id, row.status) == (
        "k",
        "ann",
        None,
        "main",
        201,
    )
    assert row.headers == {"content-type": "application/json"}
    assert http.json.loads(row.body) == made
    assert row.expires_at - row.created_at == datetime.timedelta(seconds=60)


def test_concurrent_requests_with_one_key_apply_once(client: TestClient) -> None:
    answers: list[Any] = []

    def send() -> None:
        answers.append(client.post("/notes", json={"title": "race"}, headers=keyed("race")))

    threads = [threading.Thread(target=send) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert rows(client) == 1
    assert {a.status_code for a in answers} == {201}
    assert len({a.content for a in answers}) == 1
    assert sum("Idempotent-Replayed" in a.headers for a in answers) == 5


def test_a_request_that_loses_its_key_answers_as_the_holder(
    engine: sa.Engine, client: TestClient
) -> None:
    """The race as PostgreSQL and MySQL run it: both requests looked the key up and found none;
    the second's insert meets the first's committed key, and its transaction rolls back."""
    state = client.app.state  # type: ignore[attr-defined]
    context = RequestContext()
    holder = client.post("/notes", json={"title": "a"}, headers=keyed("held"))
    digest = idempotency.digest_of("held", context)
    with engine.connect() as connection:
        fingerprint = connection.scalar(sa.select(IdempotencyKey.fingerprint))
    claim = idempotency.Claim(digest, "held", fingerprint, None, None, "main", 60)
    with state.sessionmaker(bind=state.writer) as session:
        session.info["idempotency"] = claim
        with pytest.raises(ApiError) as refused:
            create_row(NOTE, session, context, NoteIn(title="a"))
    assert (refused.value.status, refused.value.error_code) == (409, "idempotency_in_progress")
    assert claim.lost and not claim.committed
    assert rows(client) == 1  # the loser's row was rolled back with its key
    answer = idempotency.answer_of_holder(state, claim)
    assert answer.status_code == 201 and answer.body == holder.content
    assert answer.headers["Idempotent-Replayed"] == "true"
    other = idempotency.Claim(digest, "held", "another request", None, None, "main", 60)
    assert idempotency.answer_of_holder(state, other).status_code == 422


def test_a_key_without_an_answer_yet_is_409(
    client: TestClient, engine: sa.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A key committed with its write whose answer never got stored (the process died between)."""
    monkeypatch.setattr(idempotency, "WAIT", 0.0)
    client.post("/notes", json={"title": "a"}, headers=keyed("stuck"))
    with engine.begin() as connection:
        connection.execute(sa.update(IdempotencyKey).values(status=None, body=None))
    stuck = client.post("/notes", json={"title": "a"}, headers=keyed("stuck"))
    assert stuck.status_code == 409
    assert stuck.json()["error_code"] == "idempotency_in_progress"
    assert rows(client) == 1


def test_the_header_is_checked_and_documented(client: TestClient) -> None:
    for bad in ("", "has space", "x" * 256):
        answer = client.post("/notes", json={"title": "a"}, headers=keyed(bad))
        assert (answer.status_code, answer.json()["field"]) == (422, "Idempotency-Key"), bad
    assert client.get("/notes", headers=keyed("read")).status_code == 200  # reads ignore it
    assert rows(client) == 0
    paths = client.get("/openapi.json").json()["paths"]
    header = {
        "name": "Idempotency-Key",
        "in": "header",
        "required": False,
        "description": idempotency.IDEMPOTENCY_KEY,
    }
    found = next(p for p in paths["/notes"]["post"]["parameters"] if p["in"] == "header")
    assert {k: found[k] for k in header} == header
    assert found["schema"]["anyOf"][0]["maxLength"] == 255
    assert "parameters" not in paths["/notes"]["get"] or all(
        p["name"] != "Idempotency-Key" for p in paths["/notes"]["get"]["parameters"]
    )
    delete = paths["/notes/{id}"]["delete"]["parameters"]
    assert next(p["name"] for p in delete if p["in"] == "header") == "Idempotency-Key"


def test_a_path_that_is_no_route_of_its_method_is_left_to_the_route(client: TestClient) -> None:
    """`DELETE /notes/bulk` matches `/notes/{id}`: the id is refused as it is without a key,
    and the key is neither looked up nor kept."""
    first = client.delete("/notes/bulk", headers=keyed("k"))
    again = client.delete("/notes/bulk", headers=keyed("k"))
    assert first.status_code == again.status_code == 422
    assert again.json()["field"] == "id" and "Idempotent-Replayed" not in again.headers


def test_the_time_to_live_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("IDEMPOTENCY_TTL", raising=False)
    assert idempotency.ttl_from_environment() == idempotency.DEFAULT_TTL
    monkeypatch.setenv("IDEMPOTENCY_TTL", " 30 ")
    assert idempotency.ttl_from_environment() == 30
    for bad in ("0", "-1", "1.5", "day"):
        monkeypatch.setenv("IDEMPOTENCY_TTL", bad)
        with pytest.raises(ValueError, match="IDEMPOTENCY_TTL must be a positive number"):
            idempotency.ttl_from_environment()


def test_the_key_table_must_be_configured() -> None:
    idempotency._MODEL.clear()
    with pytest.raises(RuntimeError, match="not configured"):
        idempotency.key_model()


def innodb_deadlocks(engine: sa.Engine) -> int:
    with engine.connect() as connection:
        row = connection.exec_driver_sql("SHOW GLOBAL STATUS LIKE 'Innodb_deadlocks'").one()
    return int(row[1])


@pytest.mark.db
@pytest.mark.parametrize("dialect", ["postgresql", "mysql"])
def test_requests_racing_with_one_key_take_no_lock_that_deadlocks(
    dialect: str, database_url: Any
) -> None:
    """Eight requests at once with one key, five times, on a server database: each race applies
    once and every request gets the answer. On MariaDB no deadlock happens at all: a request
    that loses the key held the key's row locked while its insert waited on the key's index,
    and the holder storing its answer waited on that row (seen in CI: one request answered 503
    and the others 409 idempotency_in_progress, the answer never stored)."""
    engine = make_engine(database_url(dialect))
    Base.metadata.create_all(engine)
    try:
        before = innodb_deadlocks(engine) if dialect == "mysql" else 0
        with TestClient(build_app(engine), raise_server_exceptions=False) as client:
            for race in range(5):
                key = f"race-{race}"
                answers: list[Any] = []

                def send(key: str = key, answers: list[Any] = answers) -> None:
                    answers.append(client.post("/notes", json={"title": key}, headers=keyed(key)))

                threads = [threading.Thread(target=send) for _ in range(8)]
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join()
                assert {a.status_code for a in answers} == {201}, [a.text for a in answers]
                assert len({a.content for a in answers}) == 1
                assert sum("Idempotent-Replayed" in a.headers for a in answers) == 7
            assert rows(client) == 5
        if dialect == "mysql":
            assert innodb_deadlocks(engine) == before
    finally:
        engine.dispose()


@pytest.mark.db
@pytest.mark.parametrize("dialect", ["postgresql", "mysql"])
def test_the_first_writers_of_a_database_take_the_change_clock_in_turn(
    dialect: str, database_url: Any
) -> None:
    """Eight creates at once on a database that has recorded no change yet: each makes the
    change-feed clock's row or counts on it, and none fails (on MariaDB an UPDATE that found no
    row and then an INSERT deadlocked, and the request answered 500; seen in the matrix)."""
    engine = make_engine(database_url(dialect))
    try:
        before = innodb_deadlocks(engine) if dialect == "mysql" else 0
        for _ in range(5):  # each time on fresh tables: the race is the first change's
            Base.metadata.drop_all(engine)
            Base.metadata.create_all(engine)
            with TestClient(build_app(engine), raise_server_exceptions=False) as client:
                answers: list[Any] = []
                start = threading.Barrier(8)

                def send(n: int, answers: list[Any] = answers, start: Any = start) -> None:
                    start.wait()
                    answers.append(client.post("/notes", json={"title": f"first {n}"}))

                threads = [threading.Thread(target=send, args=(n,)) for n in range(8)]
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join()
                assert [a.status_code for a in answers] == [201] * 8, [a.text for a in answers]
            with engine.connect() as connection:
                assert connection.scalar(sa.select(ChangeFeedClock.commits)) == 8
        if dialect == "mysql":
            assert innodb_deadlocks(engine) == before
    finally:
        engine.dispose()
