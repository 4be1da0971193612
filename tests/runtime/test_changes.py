"""`runtime.changes`: the change feed, written by the writes' own transactions and read back."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from typing import Annotated, Any

import httpx
import pytest
import sqlalchemy as sa
import uvicorn
from fastapi import Depends, FastAPI, Header, Request, Response
from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm import Session
from world import DRAFT, MEMO, NOTE, OFFICE, REGION, TAG, TENANT, ChangeFeedClock

from schemagen.runtime import api_models, branches, bulk, changes, errors, softdelete, trail, writes
from schemagen.runtime.context import Principal, RequestContext, request_context
from schemagen.runtime.db import SessionDep, session_factory, writer
from schemagen.runtime.errors import ApiError


class Body(BaseModel):
    model_config = ConfigDict(extra="allow")


class NoteUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str | None = None
    done: bool | None = None


def body(**values: Any) -> Body:
    return Body(**values)


def feed(session: Session, context: RequestContext, since: int = 0) -> list[dict[str, Any]]:
    return changes.list_changes(session, context, since, 1000)["items"]


def summary(items: list[dict[str, Any]]) -> list[tuple[str, str, bool]]:
    return [(i["resource"], i["action"], i["deleted"]) for i in items]


def test_every_write_is_in_the_feed_in_commit_order(
    session: Session, context: RequestContext
) -> None:
    note = writes.create_row(NOTE, session, context, body(title="a", done=False))
    writes.update_row(NOTE, session, context, note["id"], body(title="b"))
    region = writes.create_row(REGION, session, context, body(name="N"))
    writes.delete_row(REGION, session, context, region["id"])
    softdelete.restore_row(REGION, session, context, region["id"])
    writes.delete_row(NOTE, session, context, note["id"])
    items = feed(session, context)
    assert summary(items) == [
        ("note", "create", False),
        ("note", "update", False),
        ("region", "create", False),
        ("region", "delete", True),
        ("region", "restore", False),
        ("note", "delete", True),
    ]
    positions = [i["position"] for i in items]
    assert positions == sorted(positions) and len(set(positions)) == len(positions)
    assert items[1]["row"]["title"] == "b" and items[1]["row_id"] == str(note["id"])
    assert items[-1]["row"] is None and items[0]["actor"] == "ann"
    assert api_models.ChangePage.model_validate(changes.list_changes(session, context)).items
    # One clock tick per committed transaction that recorded changes.
    assert session.scalar(sa.select(ChangeFeedClock.commits)) == 6


def test_bulk_runs_undo_and_cascades_are_in_the_feed(
    session: Session, context: RequestContext
) -> None:
    for n in range(3):
        writes.create_row(NOTE, session, context, body(title=f"n{n}", done=False))
    config = bulk.BulkConfig(batch_size=2, undo_ttl=60)
    ran = bulk.bulk(
        NOTE,
        session,
        context,
        api_models.BulkRequest(operation="update", values={"done": True}),
        NoteUpdate,
        config,
    )
    undo = api_models.BulkUndoRequest(undo_token=ran["undo_token"])
    bulk.undo_bulk(NOTE, session, context, undo)
    region = writes.create_row(REGION, session, context, body(name="R"))
    writes.create_row(OFFICE, session, context, body(name="O", region_id=region["id"]))
    writes.delete_row(REGION, session, context, region["id"])  # its offices go with it
    actions = [(i["resource"], i["action"]) for i in feed(session, context)]
    assert actions.count(("note", "bulk_update")) == 3
    assert actions.count(("note", "bulk_undo")) == 3
    assert ("office", "delete") in actions and ("region", "delete") in actions


def test_what_rolls_back_is_not_in_the_feed(session: Session, context: RequestContext) -> None:
    writes.create_row(REGION, session, context, body(name="taken"))
    with pytest.raises(ApiError):  # 409: the name is taken; the transaction rolls back
        writes.create_row(REGION, session, context, body(name="taken"))
    assert summary(feed(session, context)) == [("region", "create", False)]
    # A savepoint rolled back takes its own changes with it; the transaction keeps the rest.
    kept = writes.create_row(NOTE, session, context, body(title="kept", done=False))
    with session.begin_nested():
        trail.audit(NOTE, session, context, "update", [(kept["id"], None, kept)])
    nested = session.begin_nested()
    trail.audit(NOTE, session, context, "custom", [(kept["id"], None, kept)])
    nested.rollback()
    session.commit()
    assert [i["action"] for i in feed(session, context)] == ["create", "create", "update"]


def test_changes_are_scoped_as_their_rows(session: Session, context: RequestContext) -> None:
    writes.create_row(REGION, session, context, body(name="acme's"))
    writes.create_row(NOTE, session, context, body(title="everyone's", done=False))
    writes.create_row(MEMO, session, context, body(text="ann's"))
    other_tenant = RequestContext(tenant_id="other", user_id="ann")
    assert summary(feed(session, other_tenant)) == [
        ("note", "create", False),
        ("memo", "create", False),
    ]
    bob = RequestContext(tenant_id=TENANT, user_id="bob")
    assert [i["resource"] for i in feed(session, bob)] == ["region", "note"]
    assert [i["resource"] for i in feed(session, RequestContext())] == ["note"]
    # Branches: a branch's change is its readers' only; main's reach every branch.
    writes.create_row(TAG, session, context, body(name="t"))
    draft = writes.create_row(DRAFT, session, context, body(title="main"))
    feature = RequestContext(tenant_id=TENANT, branch_id="feature", user_id="ann")
    writes.update_row(DRAFT, session, feature, draft["id"], body(title="on feature"))
    on_feature = [i for i in feed(session, feature) if i["resource"] == "draft"]
    assert [(i["branch_id"], i["row"]["title"]) for i in on_feature] == [
        ("main", "main"),
        ("feature", "on feature"),
    ]
    on_main = [i for i in feed(session, context) if i["resource"] == "draft"]
    assert [i["branch_id"] for i in on_main] == ["main"]
    branches.merge_branch(session, context, "feature")
    merged = feed(session, context)[-1]
    assert (merged["action"], merged["branch_id"], merged["row"]["title"]) == (
        "merge",
        "main",
        "on feature",
    )


def test_pages_follow_positions(session: Session, context: RequestContext) -> None:
    for n in range(5):
        writes.create_row(NOTE, session, context, body(title=f"n{n}", done=False))
    first = changes.list_changes(session, context, 0, 2)
    assert len(first["items"]) == 2 and first["more"]
    assert first["position"] == first["items"][-1]["position"]
    rest = changes.list_changes(session, context, first["position"], 10)
    assert [i["row"]["title"] for i in rest["items"]] == ["n2", "n3", "n4"] and not rest["more"]
    caught_up = changes.list_changes(session, context, rest["position"], 10)
    assert caught_up == {"items": [], "position": rest["position"], "more": False}


def test_the_stream_length_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CHANGE_STREAM_SECONDS", raising=False)
    assert changes.stream_seconds_from_environment() == changes.DEFAULT_STREAM_SECONDS
    monkeypatch.setenv("CHANGE_STREAM_SECONDS", "2")
    assert changes.stream_seconds_from_environment() == 2
    for bad in ("0", "x", "-3"):
        monkeypatch.setenv("CHANGE_STREAM_SECONDS", bad)
        with pytest.raises(ValueError, match="CHANGE_STREAM_SECONDS must be a positive"):
            changes.stream_seconds_from_environment()


def test_the_feed_must_be_configured() -> None:
    changes._MODELS.clear()
    trail.FEED.clear()
    with pytest.raises(RuntimeError, match="not configured"):
        changes.feed_model()


# -- the stream, served by uvicorn (server-sent events need a real connection)


def get_principal(x_user_id: Annotated[str | None, Header()] = None) -> Principal | None:
    class Caller:
        id = x_user_id or ""

    return Caller() if x_user_id else None


get_context = request_context(get_principal)
ContextDep = Annotated[RequestContext, Depends(get_context)]


@pytest.fixture
def served(engine: sa.Engine) -> Iterator[str]:
    app = FastAPI()
    app.state.engine = engine
    app.state.writer = writer(engine)
    app.state.sessionmaker = session_factory(engine)
    app.state.change_stream_seconds = 3
    errors.install(app)

    @app.post("/notes", status_code=201)
    def create(session: SessionDep, context: ContextDep) -> Response:
        made = writes.create_row(NOTE, session, context, body(title="live", done=False))
        return Response(json.dumps({"id": str(made["id"])}), 201)

    @app.get("/changes/stream")
    def stream(
        request: Request,
        context: ContextDep,
        last_event_id: Annotated[int | None, Header(alias="Last-Event-ID")] = None,
    ) -> Response:
        return changes.stream_changes(request, context, last_event_id or 0)

    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    port = server.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=20)


def events(lines: Iterator[str], count: int) -> list[dict[str, Any]]:
    """The next `count` change events of a stream (fewer if it ends first)."""
    found: list[dict[str, Any]] = []
    fields: dict[str, str] = {}
    for line in lines:
        if line:
            name, _, value = line.partition(": ")
            fields[name] = value
            continue
        if fields.get("event") == "change":
            change = json.loads(fields["data"])
            assert int(fields["id"]) == change["position"]
            found.append(change)
            if len(found) == count:
                return found
        fields = {}
    return found


def test_a_stream_resumes_after_a_disconnect(served: str) -> None:
    with httpx.Client(base_url=served, timeout=20) as client:
        client.post("/notes")
        with client.stream("GET", "/changes/stream") as response:
            assert response.headers["content-type"].startswith("text/event-stream")
            lines = response.iter_lines()
            (first,) = events(lines, 1)
            client.post("/notes")  # committed while the stream is open: pushed
            (second,) = events(lines, 1)
        assert second["position"] > first["position"]
        # Disconnected: two more writes, then the client comes back with the last id it saw.
        client.post("/notes")
        client.post("/notes")
        headers = {"Last-Event-ID": str(second["position"])}
        with client.stream("GET", "/changes/stream", headers=headers) as response:
            resumed = events(response.iter_lines(), 2)
        assert [c["position"] > second["position"] for c in resumed] == [True, True]
        # The stream ends on its own after change_stream_seconds; the client reconnects.
        started = time.monotonic()
        with client.stream("GET", "/changes/stream", headers=headers) as response:
            assert len(events(response.iter_lines(), 10)) == 2
        assert time.monotonic() - started < 20
