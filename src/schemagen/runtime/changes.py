"""The change feed: every committed change of a row, in commit order, for clients that keep a copy.

Every write reports its rows to `trail.audit` (create, update, delete, restore, bulk runs and
their undo, merges, custom actions, cascades); `record` keeps them with the session, and
`_write` inserts them into the project's feed table in the same transaction, just before it
commits: a change is in the feed exactly when its write committed. Before inserting, the
transaction bumps the one row of the clock table, so transactions that record changes commit
one after the other from there: positions (the feed table's ids) follow the commit order, and a
reader that has seen position N never later meets a new change below N.

A change is scoped as its row: the tenant's (tenant resources), the owner's (owned rows; system
rows are everyone's), and the branch's it was written on (branching resources; main's changes
reach every branch's readers, as main's rows do). A delete is a tombstone: no row.

`GET /api/changes?since=N` pages through what the caller may see after position N;
`GET /api/changes/stream` sends the same as server-sent events (`id:` the position, so a client
that reconnects with `Last-Event-ID` resumes where it was), polling the table: every app
instance serves every change, whichever instance wrote it.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Sequence
from typing import Any

import sqlalchemy as sa
from fastapi import Request
from sqlalchemy.dialects.mysql import insert as mysql_insert
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, SessionTransaction
from starlette.concurrency import run_in_threadpool
from starlette.responses import StreamingResponse

from .api_models import MAX_POSITION
from .context import MAIN_BRANCH, RequestContext
from .contract import CHANGES_MAX_PAGE_SIZE, CHANGES_PAGE_SIZE
from .db import bind
from .resources import Resource
from .trail import Change, use_feed
from .values import as_utc, dialect_of, json_default, jsonable, positive_setting, stored_now

POLL = 0.5  # seconds between two reads of the table while a stream waits for changes
HEARTBEAT = 15.0  # seconds of silence after which a stream sends a comment (proxies keep it open)
DEFAULT_STREAM_SECONDS = 300  # how long a stream lasts: `CHANGE_STREAM_SECONDS`
RETRY_MS = 1000  # what a stream tells EventSource to wait before it reconnects
_PENDING = "change_feed"  # the changes a session's transaction will commit, in its info

_MODELS: list[type[Any]] = []  # the project's feed table and its clock, once configured


def configure(model: type[Any], clock: type[Any]) -> None:
    """Record every change in `model` (the project's `ChangeFeedEntry`), ordered by `clock`."""
    _MODELS[:] = [model, clock]
    use_feed(record)
    for name, listener in (
        ("before_commit", _write),
        ("after_soft_rollback", _forget),
    ):
        if not sa.event.contains(Session, name, listener):
            sa.event.listen(Session, name, listener)


def feed_model() -> type[Any]:
    if not _MODELS:
        raise RuntimeError("the change feed is not configured (runtime.changes.configure)")
    return _MODELS[0]


def stream_seconds_from_environment() -> int:
    """`CHANGE_STREAM_SECONDS`: how long one stream lasts before the client reconnects."""
    return positive_setting("CHANGE_STREAM_SECONDS", DEFAULT_STREAM_SECONDS, "seconds")


def record(
    resource: Resource,
    session: Session,
    context: RequestContext,
    action: str,
    changes: Sequence[Change],
) -> None:
    """Keep the changes with the session's transaction (through `trail.audit`)."""
    pending: list[tuple[SessionTransaction | None, dict[str, Any]]] = session.info.setdefault(
        _PENDING, []
    )
    savepoint = session.get_nested_transaction()
    at = stored_now(session)
    for key, before, after in changes:
        row = after if after is not None else before
        owner = None
        if resource.has("owned") and not (row or {}).get("is_system"):
            # A caller writes only their own rows: a row without its before is the writer's.
            owner = (row or {}).get("owner_id") or context.user_id
        pending.append(
            (
                savepoint,
                {
                    "resource": resource.name,
                    "row_id": str(key),
                    "action": action,
                    "row": jsonable(after),
                    "actor": context.user_id,
                    "tenant_id": context.tenant_id if resource.has("tenant") else None,
                    "owner_id": owner,
                    "branch_id": context.branch_id if resource.has("branching") else None,
                    "at": at,
                },
            )
        )


def _write(session: Session) -> None:
    """Insert the transaction's changes as it commits, after taking the clock."""
    pending = session.info.get(_PENDING)
    if not pending or session.in_nested_transaction():
        return
    session.flush()  # every row lock the transaction needs, before the clock's
    _take_clock(session)
    session.execute(sa.insert(feed_model()), [entry for _, entry in pending])
    pending.clear()


def _take_clock(session: Session) -> None:
    """Count this commit on the clock's one row, making the row with the first change.

    One upsert, whatever the row's state: an UPDATE that finds no row and then an INSERT (in a
    savepoint) left MySQL's gap lock of the UPDATE in each of two first writers, whose inserts
    then deadlocked; InnoDB rolled back the whole transaction, savepoint included, and the
    request answered 500. An upsert that meets the row locks it exclusively and waits its turn.
    """
    clock = _MODELS[1]
    session.execute(tick_statement(clock, dialect_of(session)))


def tick_statement(clock: type[Any], dialect: str) -> sa.Executable:
    """`INSERT (id 1, commits 1)`, or on the existing row `commits = commits + 1`."""
    if dialect == "mysql":
        return (
            mysql_insert(clock)
            .values(id=1, commits=1)
            .on_duplicate_key_update(commits=clock.commits + 1)
        )
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    return (
        insert(clock)
        .values(id=1, commits=1)
        .on_conflict_do_update(index_elements=[clock.id], set_={"commits": clock.commits + 1})
    )


def _forget(session: Session, previous: SessionTransaction) -> None:
    """A rolled-back transaction's changes never happened; a savepoint's, only its own."""
    pending = session.info.get(_PENDING)
    if not pending:
        return
    if not previous.nested:
        pending.clear()
        return
    pending[:] = [(tag, entry) for tag, entry in pending if not _within(tag, previous)]


def _within(tag: SessionTransaction | None, transaction: SessionTransaction) -> bool:
    while tag is not None:
        if tag is transaction:
            return True
        tag = tag.parent
    return False


def visible(context: RequestContext) -> sa.ColumnElement[bool]:
    """The changes the caller may see: of their tenant or none, their own or no one's, of their
    branch, main or none."""
    model = feed_model()
    tenant = (
        sa.or_(model.tenant_id.is_(None), model.tenant_id == context.tenant_id)
        if context.tenant_id
        else model.tenant_id.is_(None)
    )
    owner = (
        sa.or_(model.owner_id.is_(None), model.owner_id == context.user_id)
        if context.user_id is not None
        else model.owner_id.is_(None)
    )
    branches = {MAIN_BRANCH, context.branch_id}
    branch = sa.or_(model.branch_id.is_(None), model.branch_id.in_(sorted(branches)))
    return sa.and_(tenant, owner, branch)


def read(session: Session, context: RequestContext, since: int, limit: int) -> list[dict[str, Any]]:
    """Up to `limit` changes after position `since` the caller may see, oldest first."""
    bind(session, context.tenant_id, context.user_id)
    model = feed_model()
    rows = session.scalars(
        sa.select(model).where(model.id > since, visible(context)).order_by(model.id).limit(limit)
    )
    return [
        {
            "position": row.id,
            "resource": row.resource,
            "row_id": row.row_id,
            "action": row.action,
            "deleted": row.row is None,
            "row": row.row,
            "branch_id": row.branch_id,
            "actor": row.actor,
            "at": as_utc(row.at),
        }
        for row in rows
    ]


def list_changes(
    session: Session, context: RequestContext, since: int = 0, limit: int = CHANGES_PAGE_SIZE
) -> dict[str, Any]:
    """A page of changes after `since`: `position` is where the next page starts (`since`)."""
    limit = max(1, min(limit, CHANGES_MAX_PAGE_SIZE))
    items = read(session, context, since, limit + 1)
    more = len(items) > limit
    items = items[:limit]
    return {
        "items": items,
        "position": items[-1]["position"] if items else since,
        "more": more,
    }


def resume_from(last_event_id: str | None, since: int) -> int:
    """Where a stream starts: after `Last-Event-ID` when it is a position, else after `since`."""
    text = (last_event_id or "").strip()
    if text.isdigit() and len(text) <= len(str(MAX_POSITION)) and int(text) <= MAX_POSITION:
        return int(text)
    return since


class EventStream(StreamingResponse):
    media_type = "text/event-stream"


def event(change: dict[str, Any]) -> str:
    data = json.dumps(change, default=json_default, ensure_ascii=False, separators=(",", ":"))
    return f"id: {change['position']}\nevent: change\ndata: {data}\n\n"


def stream_changes(request: Request, context: RequestContext, since: int) -> EventStream:
    """Server-sent events: every change after `since` the caller may see, then each new one as
    it commits, for `CHANGE_STREAM_SECONDS`; the client reconnects with `Last-Event-ID`."""
    state = request.app.state
    seconds = getattr(state, "change_stream_seconds", DEFAULT_STREAM_SECONDS)

    def poll(position: int) -> list[dict[str, Any]]:
        with state.sessionmaker(bind=state.engine) as session:
            return read(session, context, position, CHANGES_MAX_PAGE_SIZE)

    async def events() -> AsyncIterator[str]:
        position = since
        end = time.monotonic() + seconds
        quiet_since = time.monotonic()
        yield f"retry: {RETRY_MS}\n\n"
        while time.monotonic() < end:
            changes = await run_in_threadpool(poll, position)
            for change in changes:
                position = change["position"]
                yield event(change)
            if changes:
                quiet_since = time.monotonic()
                if len(changes) == CHANGES_MAX_PAGE_SIZE:
                    continue  # more are waiting: no pause
            elif time.monotonic() - quiet_since >= HEARTBEAT:
                quiet_since = time.monotonic()
                yield ": still here\n\n"
            if await request.is_disconnected():
                return
            await asyncio.sleep(POLL)

    return EventStream(events(), headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
