"""Bulk runs in the background (`runtime.bulk_runs`) on SQLite, PostgreSQL and MariaDB: a large
run is queued and answered at once, a worker processes it a batch at a time (two at once never
apply one batch, a worker that dies mid-batch leaves nothing of it), it can be cancelled between
batches, survives a restart, and a large delete needs its dry run's confirmation token."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm import Session, sessionmaker
from world import NOTE, TENANT, USER, Base, BulkRun, ChangeFeedEntry, Note

from schemagen.runtime import api_models, audit, bulk, bulk_runs, writes
from schemagen.runtime.context import RequestContext
from schemagen.runtime.db import make_engine, session_factory, writer
from schemagen.runtime.errors import ApiError
from schemagen.runtime.http import Accepted

DIALECTS = ("sqlite", "postgresql", "mysql")
TABLES = ("notes", "bulk_runs", "change_feed", "change_feed_clock", "audit_log")
# Runs of more than 3 rows go to the background, 2 rows a batch; deletes of more than 3 need confirming.
CONFIG = bulk.BulkConfig(batch_size=2, undo_ttl=60, async_rows=3, confirm_rows=3)


class NoteUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str | None = None
    rank: int | None = None
    done: bool | None = None


class Body(BaseModel):
    model_config = ConfigDict(extra="allow")


Factory = sessionmaker[Session]


@pytest.fixture(params=DIALECTS)
def database(request: pytest.FixtureRequest, database_url: Callable[[str], str]) -> str:
    url = database_url(request.param)
    engine = make_engine(url)
    Base.metadata.create_all(engine, tables=[Base.metadata.tables[t] for t in TABLES])
    engine.dispose()
    return url


@pytest.fixture
def factory(database: str) -> Iterator[Factory]:
    yield from sessions(database)


def sessions(url: str) -> Iterator[Factory]:
    """Sessions on `url` (its notes and system tables made, unless they are) as the app's requests
    and its worker get them (the writer: BEGIN IMMEDIATE on SQLite)."""
    engine = make_engine(url)
    Base.metadata.create_all(engine, tables=[Base.metadata.tables[t] for t in TABLES])
    bulk.register(NOTE, NoteUpdate, CONFIG)
    yield session_factory(writer(engine))
    engine.dispose()


CALLER = RequestContext(tenant_id=TENANT, user_id=USER)


def notes(factory: Factory, count: int) -> None:
    with factory() as session:
        for n in range(count):
            writes.create_row(NOTE, session, CALLER, Body(title=f"n{n}", rank=n, done=False))


def run_bulk(factory: Factory, caller: RequestContext = CALLER, **body: Any) -> dict[str, Any]:
    with factory() as session:
        return bulk.bulk(NOTE, session, caller, api_models.BulkRequest(**body), NoteUpdate, CONFIG)


def done_count(factory: Factory) -> int:
    with factory() as session:
        return session.scalar(sa.select(sa.func.count()).where(Note.done == sa.true())) or 0


def state(factory: Factory, run_id: str, caller: RequestContext = CALLER) -> dict[str, Any]:
    with factory() as session:
        return bulk_runs.get_run(session, caller, run_id)


def test_a_large_run_is_queued_and_the_worker_finishes_it(factory: Factory) -> None:
    notes(factory, 5)
    small = run_bulk(factory, operation="update", filter={"rank__lte": "2"}, values={"done": True})
    assert not isinstance(small, Accepted) and small["affected"] == 3  # as before: answered whole
    queued = run_bulk(factory, operation="update", values={"title": "all"})
    assert isinstance(queued, Accepted) and queued.location == f"/api/bulk_runs/{queued['id']}"
    assert (queued["status"], queued["matched"], queued["processed"]) == ("queued", 5, 0)
    api_models.BulkRun.model_validate(dict(queued))
    assert bulk_runs.work(factory, batches=1) == 1
    running = state(factory, queued["id"])
    assert (running["status"], running["processed"], running["undo_token"]) == ("running", 2, None)
    assert bulk_runs.work(factory) == 2  # 2 + 2 + 1 rows
    finished = state(factory, queued["id"])
    assert (finished["status"], finished["affected"], finished["failed"]) == ("done", 5, 0)
    assert finished["finished_at"] >= finished["started_at"] and finished["undo_token"]
    with factory() as session:
        assert set(session.scalars(sa.select(Note.title))) == {"all"}
        undone = bulk.undo_bulk(
            NOTE, session, CALLER, api_models.BulkUndoRequest(undo_token=finished["undo_token"])
        )
    assert undone == {"restored": 5, "skipped": 0}


def test_runs_are_their_callers(factory: Factory) -> None:
    notes(factory, 4)
    queued = run_bulk(factory, operation="update", values={"done": True})
    for other in (RequestContext(tenant_id=TENANT, user_id="bob"), RequestContext()):
        with factory() as session:
            assert bulk_runs.list_runs(session, other, {})["items"] == []
            with pytest.raises(ApiError) as missing:
                bulk_runs.cancel_run(session, other, queued["id"])
            assert missing.value.status == 404
    with factory() as session:
        page = bulk_runs.list_runs(session, CALLER, {"limit": "1", "status": "queued"})
        assert [run["id"] for run in page["items"]] == [queued["id"]]
        assert bulk_runs.list_runs(session, CALLER, {"status": "done"})["items"] == []
        with pytest.raises(ApiError) as unknown:
            bulk_runs.list_runs(session, CALLER, {"nope": "1"})
        assert unknown.value.field == "nope"


def test_paging_the_runs(factory: Factory) -> None:
    notes(factory, 1)
    for _ in range(3):
        run_bulk(factory, operation="update", values={"done": True}, dry_run=True)
    with factory() as session:
        first = bulk_runs.list_runs(session, CALLER, {"limit": "2"})
        rest = bulk_runs.list_runs(session, CALLER, {"cursor": first["next_cursor"]})
        with pytest.raises(ApiError) as bad:
            bulk_runs.list_runs(session, CALLER, {"cursor": "x y"})
    seen = [run["id"] for run in first["items"] + rest["items"]]
    assert len(set(seen)) == 3 and rest["next_cursor"] is None and bad.value.field == "cursor"


# What a caller can put in the query string of the runs' and the audit trail's lists that no
# column can compare or no cursor of theirs holds: each is a 422 naming the parameter, never a 500
# (NUL failed on PostgreSQL, an id past 64 bits on SQLite and PostgreSQL, a time outside years
# 1-9999 in UTC everywhere, a digit key where the runs' ids are uuids on PostgreSQL and MariaDB).
FORGED_RUN_CURSORS = (
    "9999-12-31T23:59:59-14:00 00000000-0000-0000-0000-000000000001",
    "0001-01-01T00:00:00+14:00 00000000-0000-0000-0000-000000000001",
    "2020-01-01T00:00:00+00:00 5",
    "2020-01-01T00:00:00+00:00 " + "9" * 30,
    "2020-01-01T00:00:00+00:00 a\x00b",
)
FORGED_TRAIL_CURSORS = ("1" + "0" * 25, "-" + "9" * 30, "9" * 5000, " 5", "\u0663", "a\x00b")


def test_hostile_parameters_of_the_runs_and_the_trail_are_422(factory: Factory) -> None:
    def refused(call: Callable[..., object], params: dict[str, str]) -> ApiError:
        with factory() as session, pytest.raises(ApiError) as raised:
            call(session, CALLER, params)
        assert raised.value.status == 422, raised.value.detail
        return raised.value

    for name in ("resource", "status"):
        assert refused(bulk_runs.list_runs, {name: "a\x00b"}).field == name
    for cursor in FORGED_RUN_CURSORS:
        assert refused(bulk_runs.list_runs, {"cursor": cursor}).field == "cursor", cursor
    for name in ("resource", "row_id", "action"):
        assert refused(audit.list_audit, {name: "a\x00b"}).field == name
    for cursor in FORGED_TRAIL_CURSORS:
        assert refused(audit.list_audit, {"cursor": cursor}).field == "cursor", cursor[:40]
    # The tokens a caller sends back are compared with stored ones: NUL failed on PostgreSQL.
    notes(factory, 5)
    with factory() as session, pytest.raises(ApiError) as raised:
        bulk.undo_bulk(NOTE, session, CALLER, api_models.BulkUndoRequest(undo_token="a\x00b"))
    assert (raised.value.status, raised.value.field) == (422, "undo_token")
    with pytest.raises(ApiError) as raised:
        run_bulk(factory, operation="delete", confirmation_token="a\x00b")
    assert (raised.value.status, raised.value.field) == (422, "confirmation_token")


def test_a_cancelled_run_stops_between_batches(factory: Factory) -> None:
    notes(factory, 6)
    queued = run_bulk(factory, operation="update", values={"done": True})
    assert bulk_runs.work(factory, batches=1) == 1
    with factory() as session:
        cancelled = bulk_runs.cancel_run(session, CALLER, queued["id"])
    assert (cancelled["status"], cancelled["processed"]) == ("cancelled", 2)
    assert cancelled["undo_token"]  # what it changed can be undone
    assert bulk_runs.work(factory) == 0 and done_count(factory) == 2
    with factory() as session, pytest.raises(ApiError) as again:
        bulk_runs.cancel_run(session, CALLER, queued["id"])
    assert (again.value.status, again.value.error_code) == (409, "run_finished")


def test_a_run_survives_a_restart(database: str) -> None:
    bulk.register(NOTE, NoteUpdate, CONFIG)
    engine = make_engine(database)
    first = session_factory(writer(engine))
    notes(first, 5)
    queued = run_bulk(first, operation="update", values={"done": True})
    assert bulk_runs.work(first, batches=1) == 1
    engine.dispose()  # the app stops mid-run
    engine = make_engine(database)
    again = session_factory(writer(engine))
    worker = bulk_runs.Worker(again, poll_seconds=0.05)  # as the app's lifespan starts it
    worker.start()
    try:
        for _ in range(400):
            if state(again, queued["id"])["status"] == "done":
                break
            threading.Event().wait(0.05)
    finally:
        worker.stop()
    assert state(again, queued["id"])["affected"] == 5 and done_count(again) == 5
    engine.dispose()


def changes_per_row(factory: Factory) -> dict[str, int]:
    with factory() as session:
        counted = session.execute(
            sa.select(ChangeFeedEntry.row_id, sa.func.count())
            .where(ChangeFeedEntry.action == "bulk_update")
            .group_by(ChangeFeedEntry.row_id)
        )
        return {row_id: n for row_id, n in counted}


def test_two_workers_apply_each_batch_once(factory: Factory) -> None:
    notes(factory, 12)
    queued = run_bulk(factory, operation="update", values={"done": True})
    done = [0, 0]

    def worker(slot: int) -> None:
        done[slot] = bulk_runs.work(factory)

    threads = [threading.Thread(target=worker, args=(slot,)) for slot in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(done) == 6  # 12 rows, 2 a batch: each batch by one worker
    finished = state(factory, queued["id"])
    assert (finished["status"], finished["affected"]) == ("done", 12)
    assert sorted(changes_per_row(factory).values()) == [1] * 12  # no row changed twice


def test_a_worker_that_dies_mid_batch_leaves_nothing_of_it(
    factory: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    notes(factory, 4)
    queued = run_bulk(factory, operation="update", values={"done": True})
    applied = bulk_runs._apply

    def dies(*args: Any) -> Any:
        applied(*args)  # the rows are changed in the transaction, then the worker is gone
        raise SystemExit("killed")

    monkeypatch.setattr(bulk_runs, "_apply", dies)
    with pytest.raises(SystemExit):
        bulk_runs.work(factory)
    assert done_count(factory) == 0 and state(factory, queued["id"])["processed"] == 0
    monkeypatch.setattr(bulk_runs, "_apply", applied)
    assert bulk_runs.work(factory) == 2
    assert sorted(changes_per_row(factory).values()) == [1] * 4


# A worker in a process of its own, killed (SIGKILL) while its second batch is applied and not
# yet committed: `marker` is written at that point, and the process sleeps until it is killed.
KILLED_WORKER = """
import sys, time
from pathlib import Path
url, marker = sys.argv[1], Path(sys.argv[2])
from test_bulk_runs import CONFIG, NOTE, NoteUpdate
from world import AuditLogEntry, BulkRun, ChangeFeedClock, ChangeFeedEntry
from schemagen.runtime import audit, bulk, bulk_runs, changes
from schemagen.runtime.db import make_engine, session_factory, writer
audit.configure(AuditLogEntry)  # as the generated db.py hands the system tables over
bulk.configure(BulkRun)
changes.configure(ChangeFeedEntry, ChangeFeedClock)
bulk.register(NOTE, NoteUpdate, CONFIG)
applied, calls = bulk_runs._apply, []
def apply_then_hang(*args):
    result = applied(*args)
    calls.append(1)
    if len(calls) == 2:
        marker.write_text("in the second batch")
        time.sleep(120)
    return result
bulk_runs._apply = apply_then_hang
bulk_runs.work(session_factory(writer(make_engine(url))))
"""


def test_a_worker_process_killed_mid_batch_is_redone_exactly_once(
    database: str, factory: Factory, tmp_path: Path
) -> None:
    """SIGKILL, not an exception: the killed process's transaction dies with it (the database
    rolls it back when the connection drops; SQLite's lock goes with the process), the batch it
    held is done again by the next worker, and no row is changed twice or left out of the undo."""
    notes(factory, 6)
    queued = run_bulk(factory, operation="update", values={"done": True})
    marker = tmp_path / "in-batch"
    here = Path(__file__).parent
    child = subprocess.Popen(
        [sys.executable, "-c", KILLED_WORKER, database, str(marker)],
        cwd=here,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(here), str(here.parent)])},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        for _ in range(600):
            if marker.exists() or child.poll() is not None:
                break
            time.sleep(0.05)
        assert marker.exists(), (child.stdout.read() if child.stdout else b"").decode()[-3000:]
    finally:
        child.kill()
        child.wait(30)
    assert child.returncode == -signal.SIGKILL
    # The first batch committed; the second died with the process.
    assert state(factory, queued["id"])["processed"] == 2 and done_count(factory) == 2
    assert bulk_runs.work(factory) == 2  # 6 rows, 2 a batch: the two left, the dead one redone
    finished = state(factory, queued["id"])
    assert (finished["status"], finished["affected"], finished["failed"]) == ("done", 6, 0)
    assert sorted(changes_per_row(factory).values()) == [1] * 6  # no row changed twice
    with factory() as session:
        undone = bulk.undo_bulk(
            NOTE, session, CALLER, api_models.BulkUndoRequest(undo_token=finished["undo_token"])
        )
    assert undone == {"restored": 6, "skipped": 0} and done_count(factory) == 0


def test_a_large_delete_needs_its_dry_runs_token(factory: Factory) -> None:
    notes(factory, 5)

    def refused(**body: Any) -> ApiError:
        with pytest.raises(ApiError) as raised:
            run_bulk(factory, operation="delete", **body)
        return raised.value

    missing = refused()
    assert (missing.status, missing.error_code, missing.field) == (
        422,
        "confirmation_required",
        "confirmation_token",
    )
    small = run_bulk(factory, operation="delete", filter={"rank__lte": "1"}, dry_run=True)
    assert "confirmation_token" not in small  # 2 rows: nothing to confirm
    dry = run_bulk(factory, operation="delete", dry_run=True)
    token = dry["confirmation_token"]
    assert token and dry["matched"] == 5
    assert refused(confirmation_token="made-up").error_code == "confirmation_mismatch"
    other = refused(confirmation_token=token, filter={"rank__gte": "0"})
    assert other.error_code == "confirmation_mismatch"  # a dry run of another filter
    with pytest.raises(ApiError) as not_theirs:
        run_bulk(
            factory,
            RequestContext(tenant_id=TENANT, user_id="bob"),
            operation="delete",
            confirmation_token=token,
        )
    assert not_theirs.value.error_code == "confirmation_mismatch"
    queued = run_bulk(factory, operation="delete", confirmation_token=token)
    assert isinstance(queued, Accepted) and queued["matched"] == 5
    assert refused(confirmation_token=token).error_code == "confirmation_mismatch"  # used
    bulk_runs.work(factory)
    assert state(factory, queued["id"])["affected"] == 5
    with factory() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Note)) == 0


def test_a_refused_row_is_named_and_the_others_apply(
    database_url: Callable[[str], str],
) -> None:
    """On SQLite, whose trigger refuses one row: the path is the same on every database."""
    url = database_url("sqlite")
    engine = make_engine(url)
    Base.metadata.create_all(engine, tables=[Base.metadata.tables[t] for t in TABLES])
    bulk.register(NOTE, NoteUpdate, CONFIG)
    factory = session_factory(writer(engine))
    notes(factory, 4)
    with factory() as session:
        session.execute(
            sa.text(
                "CREATE TRIGGER no_n2 BEFORE UPDATE ON notes WHEN OLD.title = 'n2' BEGIN"
                " SELECT RAISE(ABORT, 'CHECK constraint failed: no_n2'); END"
            )
        )
        session.commit()
        refused_id = str(session.scalars(sa.select(Note.id).where(Note.title == "n2")).one())
    queued = run_bulk(factory, operation="update", values={"done": True})
    bulk_runs.work(factory)
    finished = state(factory, queued["id"])
    assert (finished["affected"], finished["failed"], finished["processed"]) == (3, 1, 4)
    [error] = finished["errors"]
    assert (error["row_id"], error["rows"], error["error_code"]) == (
        refused_id,
        1,
        "validation_error",
    )
    assert done_count(factory) == 3
    engine.dispose()


def test_a_run_of_a_resource_no_longer_served_fails(factory: Factory) -> None:
    notes(factory, 4)
    queued = run_bulk(factory, operation="update", values={"done": True})
    with factory() as session:
        session.execute(sa.update(BulkRun).values(resource="gone"))
        session.commit()
    assert bulk_runs.work(factory) == 0
    failed = state(factory, queued["id"])
    assert failed["status"] == "failed" and "gone" in failed["errors"][0]["detail"]


def test_the_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BULK_ASYNC_ROWS", "7")
    bulk.settings_from_environment()
    try:
        assert (bulk.async_limit(CONFIG), bulk.confirm_limit(CONFIG)) == (7, 3)
        monkeypatch.setenv("BULK_CONFIRM_ROWS", "zero")
        with pytest.raises(ValueError, match="BULK_CONFIRM_ROWS must be a positive number"):
            bulk.settings_from_environment()
        monkeypatch.setenv("BULK_WORKER", "broker")
        with pytest.raises(ValueError, match="BULK_WORKER must be one of embedded, off"):
            bulk_runs.worker_mode()
    finally:
        monkeypatch.delenv("BULK_ASYNC_ROWS")
        monkeypatch.delenv("BULK_CONFIRM_ROWS")
        bulk.settings_from_environment()


def test_work_returns_when_a_run_makes_no_progress(monkeypatch: pytest.MonkeyPatch) -> None:
    """A run that answers `lost` or `over` and is still found (another worker ahead, or one this
    worker may not finish) is looked at a bounded number of times: `work` returns, it never spins.
    (The old loop spun for ever here.)"""
    looks: list[object] = []
    monkeypatch.setattr(bulk_runs, "next_run", lambda factory: "run-1")
    monkeypatch.setattr(
        bulk_runs, "process_batch", lambda factory, run: looks.append(run) or "lost"
    )
    assert bulk_runs.work(sessionmaker(), batches=1) == 0
    assert looks == ["run-1"] * bulk_runs.MAX_IDLE_LOOKS
