"""Bulk runs in the background: the worker that processes them, and `/api/bulk_runs`.

A run `bulk.bulk` queued (it may touch more rows than `async_rows`) is processed a batch at a
time (the resource's `batch_size`), each batch in a transaction of its own that changes the rows,
writes their audit entries, change-feed entries and undo images, and moves the run on (its
`last_key`, counts and errors), all or nothing. A worker claims a batch by locking the run's row
(`SELECT ... FOR UPDATE`; SQLite's writers take the database's write lock at BEGIN) and moves
`last_key` with an UPDATE conditional on the value it read: two workers never apply one batch,
and a worker killed mid-batch leaves nothing of it, so the next claim does it again. A run lives
in the database, so a run that was queued or running when the app stopped resumes at its next
start. Cancelling marks the run: the worker stops before its next batch.

The embedded worker (`Worker`) is a thread of the app's process, started and stopped by the
app's lifespan (`BULK_WORKER=embedded`, the default; `off`: this process works on no run).
"""

from __future__ import annotations

import datetime
import logging
import os
import secrets
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from . import bulk, retention
from .context import MAIN_BRANCH, RequestContext
from .contract import BULK_RUNS_MAX_PAGE_SIZE, BULK_RUNS_PAGE_SIZE, BULK_WORKER_THREAD
from .db import bind
from .errors import ApiError, validation_error
from .lists import page_limit, single
from .resources import Resource, Row
from .values import (
    as_utc,
    dialect_of,
    now,
    parse_key,
    storable,
    stored_now,
    stored_time,
)

log = logging.getLogger(__name__)

WORKER_SETTING = "BULK_WORKER"
WORKER_MODES = ("embedded", "off")
POLL_SECONDS = 1.0  # how often an idle worker looks for runs another process queued
MAX_IDLE_LOOKS = 3  # looks at one run that brought no batch before `work` returns
STOP_SECONDS = 60.0  # how long `Worker.stop` waits for the batch in hand
Outcome = Literal["batch", "over", "lost"]


def worker_mode() -> str:
    """`BULK_WORKER`: `embedded` (default: the app's process works on the runs) or `off`."""
    mode = os.environ.get(WORKER_SETTING, "").strip() or "embedded"
    if mode not in WORKER_MODES:
        raise ValueError(f"{WORKER_SETTING} must be one of {', '.join(WORKER_MODES)}, not {mode!r}")
    return mode


def _as_worker(session: Session) -> None:
    """A worker reads every run (PostgreSQL's row-level security lets a transaction that says
    `app.bulk_worker`), then works on one as its caller (`bind`): the policies of the run's row
    and of the rows it changes hold as for the caller's own requests."""
    if dialect_of(session) == "postgresql":
        session.execute(sa.text("SELECT set_config('app.bulk_worker', 'on', true)"))


def process_batch(factory: sessionmaker[Session], run_id: object) -> Outcome:
    """Work on the next batch of run `run_id`: `batch` (one done), `over` (the run is finished,
    now or before, or cancelled) or `lost` (another worker moved it on first: nothing applied)."""
    with factory() as session:
        _as_worker(session)
        runs = bulk.run_model()
        caller = session.execute(
            sa.select(runs.tenant_id, runs.actor).where(runs.id == run_id)
        ).first()
        if caller is None:
            return "over"
        # As its caller from here on: the run's row, and the rows it changes, are theirs.
        bind(session, caller.tenant_id, caller.actor)
        run = session.scalars(
            sa.select(runs).where(runs.id == run_id, runs.status.in_(bulk.ACTIVE)).with_for_update()
        ).first()
        if run is None:
            return "over"
        try:
            entry = bulk.registered(run.resource)
            values = bulk.checked_values(
                entry.resource, run.operation, dict(run.values or {}), entry.update_model
            )
        except (LookupError, ApiError) as error:
            reason = error.detail if isinstance(error, ApiError) else str(error)
            _finish(session, run, "failed", None, _error(reason, "run_failed", None, 0))
            session.commit()
            return "over"
        resource, config = entry.resource, entry.config
        context = RequestContext(
            tenant_id=run.tenant_id,
            branch_id=run.branch_id or MAIN_BRANCH,
            user_id=run.actor,
            client_ip=run.ip_address,
            user_agent=run.user_agent,
        )
        statement = bulk.matching(resource, session, context, run.filter)
        position = run.last_key
        if position is not None:
            statement = statement.where(resource.id > parse_key(resource, position, "last_key"))
        keys = list(session.scalars(statement.order_by(resource.id).limit(bulk.batch_size(config))))
        if not keys:
            _finish(session, run, "done", config)
            session.commit()
            return "over"
        changed = bulk.changed_attrs(resource, context, run.operation, values)
        saved, refused = _apply(resource, session, context, run.operation, keys, values, changed)
        moved: dict[str, Any] = {
            "last_key": str(keys[-1]),
            "affected": runs.affected + (len(keys) - len(refused)),
            "failed": runs.failed + len(refused),
            "status": "running",
            "started_at": run.started_at or stored_now(session),
        }
        if refused:
            moved["errors"] = [*(run.errors or []), *refused][: bulk.MAX_BULK_ERRORS]
        if saved and config.undo_ttl is not None:
            kept = retention.unseal(run.undo_data) or {"changed": changed, "rows": []}
            image = {"changed": changed, "rows": [*kept["rows"], *saved]}
            moved["undo_data"] = retention.seal(image)
        claimed = session.execute(
            sa.update(runs)
            .where(
                runs.id == run.id,
                runs.status.in_(bulk.ACTIVE),
                runs.last_key.is_(None) if position is None else runs.last_key == position,
            )
            .values(moved)
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            session.rollback()
            return "lost"
        session.commit()
        return "batch"


def _apply(
    resource: Resource,
    session: Session,
    context: RequestContext,
    operation: str,
    keys: list[Any],
    values: Mapping[str, Any],
    changed: list[str] | None,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """One batch: (the undo images of the changed rows, why each refused row was refused).

    The batch goes in a savepoint; refused, it goes again a row at a time, each in a savepoint, so
    the others apply and each refused row is named with its reason."""
    try:
        with session.begin_nested():
            return bulk.bulk_batch(
                resource, session, context, operation, keys, values, changed, {}, {}
            ), []
    except bulk.REFUSALS:
        pass
    saved: list[dict[str, Any]] = []
    refused: list[dict[str, Any]] = []
    for key in keys:
        try:
            with session.begin_nested():
                saved += bulk.bulk_batch(
                    resource, session, context, operation, [key], values, changed, {}, {}
                )
        except bulk.REFUSALS as error:
            reason = bulk.refusal(error, operation)
            refused.append(_error(reason.detail, reason.error_code, reason.field, 1, str(key)))
    return saved, refused


def _error(
    detail: str, code: str, field: str | None, rows: int, row_id: str | None = None
) -> dict[str, Any]:
    return {"detail": detail, "error_code": code, "field": field, "rows": rows, "row_id": row_id}


def _finish(
    session: Session,
    run: Row,
    status: str,
    config: bulk.BulkConfig | None,
    error: dict[str, Any] | None = None,
) -> None:
    """End a run: its status and time; what it changed gets an undo token (as a run answered in
    its request does) that lives `undo_ttl` from now."""
    run.status = status
    run.finished_at = stored_now(session)
    run.started_at = run.started_at or run.finished_at
    if error is not None:
        run.errors = [*(run.errors or []), error][: bulk.MAX_BULK_ERRORS]
    ttl = config.undo_ttl if config is not None else None
    # Whether the run saved any row (a sealed image says so by being there: it is sealed only
    # with rows in it).
    if ttl is not None and run.undo_data and run.undo_token is None:
        run.undo_token = secrets.token_urlsafe(24)
        run.undo_expires_at = stored_time(
            now() + datetime.timedelta(seconds=ttl), dialect_of(session)
        )


def next_run(factory: sessionmaker[Session]) -> object | None:
    """The id of the oldest run still to be worked on, if any."""
    with factory() as session:
        _as_worker(session)
        runs = bulk.run_model()
        return session.scalars(
            sa.select(runs.id)
            .where(runs.status.in_(bulk.ACTIVE))
            .order_by(runs.created_at, runs.id)
            .limit(1)
        ).first()


def work(
    factory: sessionmaker[Session],
    batches: int | None = None,
    stopping: Callable[[], bool] = lambda: False,
) -> int:
    """Work on the runs, oldest first, until none is left, `batches` batches are done or
    `stopping()`: the number of batches done. Any number of workers may call it at once."""
    done = 0
    idle: tuple[object, int] = (None, 0)  # the run last seen without progress, and how often
    while (batches is None or done < batches) and not stopping():
        run_id = next_run(factory)
        if run_id is None:
            break
        if process_batch(factory, run_id) == "batch":
            done += 1
            idle = (None, 0)
            continue
        # `over` or `lost`: the next look normally finds another run, or this one moved on. A
        # run seen again and again without a batch (one this caller may not finish) is left to
        # the next call instead of spinning here.
        idle = (run_id, idle[1] + 1 if idle[0] == run_id else 1)
        if idle[1] >= MAX_IDLE_LOOKS:
            log.warning("bulk worker: run %s made no progress in %d looks", run_id, MAX_IDLE_LOOKS)
            break
    return done


class Worker:
    """The embedded worker: a thread of the app's process that works on the runs (`work`),
    woken when this process queues one and every `poll_seconds` for the others'."""

    def __init__(self, factory: sessionmaker[Session], poll_seconds: float = POLL_SECONDS):
        self.factory = factory
        self.poll_seconds = poll_seconds
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._stopping.clear()
        self._thread = threading.Thread(target=self._loop, name=BULK_WORKER_THREAD, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop after the batch in hand (it commits or rolls back whole)."""
        self._stopping.set()
        bulk.QUEUED.set()
        if self._thread is not None:
            self._thread.join(STOP_SECONDS)
            # Still alive: stuck in the database; its batch commits or rolls back whole when it ends.
            if self._thread.is_alive():
                log.error("bulk worker: still in a batch after %.0f s; left behind", STOP_SECONDS)

    def _loop(self) -> None:
        purged = -retention.PURGE_SECONDS  # the first look purges
        while not self._stopping.is_set():
            try:
                if time.monotonic() - purged >= retention.PURGE_SECONDS:
                    purge(self.factory)
                    purged = time.monotonic()
                work(self.factory, stopping=self._stopping.is_set)
            except Exception:  # the database away, a deadlock: the batch rolled back, try later
                log.exception("bulk worker: a batch failed; it is tried again")
            bulk.QUEUED.wait(self.poll_seconds)
            bulk.QUEUED.clear()


def purge(
    factory: sessionmaker[Session], moment: datetime.datetime | None = None
) -> tuple[int, int]:
    """What runs keep no longer (runtime.retention): the undo images whose token expired are
    dropped, and finished runs older than `BULK_RETENTION_DAYS` deleted. (images, runs)."""
    moment = moment or now()
    with factory() as session:
        _as_worker(session)
        runs = bulk.run_model()
        dialect = dialect_of(session)
        dropped = session.execute(
            sa.update(runs)
            .where(runs.undo_data.is_not(None), runs.undo_expires_at < stored_time(moment, dialect))
            .values(undo_data=sa.null())
            .execution_options(synchronize_session=False)
        )
        deleted = 0
        kept = retention.kept_for()
        if kept is not None:
            gone = session.execute(
                sa.delete(runs)
                .where(
                    runs.status.not_in(bulk.ACTIVE),
                    runs.created_at < stored_time(moment - kept, dialect),
                )
                .execution_options(synchronize_session=False)
            )
            deleted = int(gone.rowcount)  # type: ignore[attr-defined]
        session.commit()
        return int(dropped.rowcount), deleted  # type: ignore[attr-defined]


# -- /api/bulk_runs


def _visible(session: Session, context: RequestContext) -> sa.Select[Any]:
    bind(session, context.tenant_id, context.user_id)
    runs = bulk.run_model()
    return sa.select(runs).where(bulk.callers_runs(runs, context))


def _run(session: Session, context: RequestContext, run_id: object, lock: bool = False) -> Row:
    runs = bulk.run_model()
    missing = ApiError(404, "not_found", f"bulk run {run_id} not found")
    kind = runs.__table__.c.id.type.python_type  # the project's: a UUID
    try:
        key = run_id if isinstance(run_id, kind) else kind(str(run_id))
    except ValueError:
        raise missing from None
    statement = _visible(session, context).where(runs.id == key)
    run = session.scalars(statement.with_for_update() if lock else statement).first()
    if run is None:
        raise missing
    return run


def _run_position(cursor: object) -> tuple[datetime.datetime, uuid.UUID]:
    """The run a next_cursor names (`<created_at> <id>`), else a 422: a time every database can
    hold (years 1-9999 in UTC) and a run's id, which is a uuid."""
    created, _, key = single(cursor, "cursor").partition(" ")
    try:
        at = as_utc(datetime.datetime.fromisoformat(created)).astimezone(datetime.UTC)
        return at, uuid.UUID(key)
    except (ValueError, OverflowError):
        raise validation_error("cursor: not a cursor this API gave out", "cursor") from None


def list_runs(
    session: Session, context: RequestContext, params: Mapping[str, Any]
) -> dict[str, Any]:
    """The caller's runs, newest first (`resource`, `status`, `limit`, `cursor`)."""
    params = dict(params)
    runs = bulk.run_model()
    limit = page_limit(params.pop("limit", None), BULK_RUNS_PAGE_SIZE, BULK_RUNS_MAX_PAGE_SIZE)
    cursor = params.pop("cursor", None)
    statement = _visible(session, context)
    for name, value in params.items():
        if name not in ("resource", "status"):
            raise validation_error(f"unknown filter {name!r} (filters: resource, status)", name)
        statement = statement.where(getattr(runs, name) == storable(single(value, name), name))
    if cursor not in (None, ""):
        at, after = _run_position(cursor)
        at = stored_time(at, dialect_of(session))
        statement = statement.where(
            sa.or_(runs.created_at < at, sa.and_(runs.created_at == at, runs.id < after))
        )
    order = (runs.created_at.desc(), runs.id.desc())
    found = list(session.scalars(statement.order_by(*order).limit(limit + 1)))
    items = [bulk.describe_run(run) for run in found[:limit]]
    more = len(found) > limit
    last = found[limit - 1] if more else None
    return {
        "items": items,
        "next_cursor": f"{as_utc(last.created_at).isoformat()} {last.id}" if last else None,
    }


def get_run(session: Session, context: RequestContext, run_id: object) -> dict[str, Any]:
    return bulk.describe_run(_run(session, context, run_id))


def cancel_run(session: Session, context: RequestContext, run_id: object) -> dict[str, Any]:
    """Stop a queued or running run before its next batch (the batch in hand, if any, finishes
    first: this waits for its lock). What it changed so far keeps its undo token."""
    run = _run(session, context, run_id, lock=True)
    if run.status not in bulk.ACTIVE:
        raise ApiError(
            409, "run_finished", f"bulk run {run_id} is {run.status}: there is nothing to cancel"
        )
    try:
        config: bulk.BulkConfig | None = bulk.registered(run.resource).config
    except LookupError:
        config = None
    _finish(session, run, "cancelled", config)
    session.commit()
    return bulk.describe_run(run)
