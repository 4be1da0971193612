"""The feature modules a project carries only when it uses them: `audit`, `bulk` (with undo),
`branches`, and custom actions (`actions`)."""

from __future__ import annotations

import datetime
import sys
import types
from typing import Any

import pytest
import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm import Session
from world import (
    DRAFT,
    MEMO,
    NOTE,
    OFFICE,
    REGION,
    TAG,
    TENANT,
    AuditLogEntry,
    BulkRun,
    Draft,
    Note,
)

from schemagen.runtime import actions, api_models, audit, branches, bulk, rows, trail, writes
from schemagen.runtime.context import MAIN_BRANCH, RequestContext
from schemagen.runtime.errors import ApiError
from schemagen.runtime.lists import list_rows


class Body(BaseModel):
    model_config = ConfigDict(extra="allow")


class NoteUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str | None = None
    rank: int | None = None
    done: bool | None = None


class RegionUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = None
    version: int | None = None


def body(**values: Any) -> Body:
    return Body(**values)


def error_of(call: Any, *args: Any, **kwargs: Any) -> ApiError:
    with pytest.raises(ApiError) as raised:
        call(*args, **kwargs)
    return raised.value


def request(**values: Any) -> api_models.BulkRequest:
    return api_models.BulkRequest(**values)


UNDO = bulk.BulkConfig(batch_size=2, undo_ttl=60)


# -- audit


def test_every_audited_write_is_in_the_trail(session: Session, context: RequestContext) -> None:
    north = writes.create_row(REGION, session, context, body(name="N"))
    writes.update_row(REGION, session, context, north["id"], body(name="M", version=1))
    writes.create_row(NOTE, session, context, body(title="not audited", done=False))
    page = audit.list_audit(session, context, {"limit": "1"})
    assert [e["action"] for e in page["items"]] == ["update"]
    rest = audit.list_audit(session, context, {"cursor": page["next_cursor"]})
    assert [e["action"] for e in rest["items"]] == ["create"] and rest["next_cursor"] is None
    entry = page["items"][0]
    assert (entry["before"]["name"], entry["after"]["name"], entry["actor"]) == ("N", "M", "ann")
    assert audit.list_audit(session, context, {"action": "create", "resource": "region"})["items"]
    assert audit.list_audit(session, RequestContext(tenant_id="other"), {})["items"] == []
    assert audit.list_audit(session, RequestContext(), {})["items"] == []
    assert error_of(audit.list_audit, session, context, {"nope": "1"}).field == "nope"
    assert error_of(audit.list_audit, session, context, {"cursor": "x"}).field == "cursor"
    assert api_models.AuditPage.model_validate(page).items[0].action == "update"


def test_owned_resources_trail_is_their_writers(session: Session, context: RequestContext) -> None:
    owned_audited = MEMO.__class__(
        **{**MEMO.__dict__, "name": "memo_a", "traits": ("owned", "audit")}
    )
    from schemagen.runtime.resources import REGISTRY

    REGISTRY["memo_a"] = owned_audited
    try:
        writes.create_row(owned_audited, session, context, body(text="x"))
        assert len(audit.list_audit(session, context, {})["items"]) == 1
        assert audit.list_audit(session, RequestContext(user_id="bob"), {})["items"] == []
    finally:
        del REGISTRY["memo_a"]


def test_an_audited_resource_needs_a_trail(session: Session, context: RequestContext) -> None:
    trail.RECORDER.clear()
    audit._MODEL.clear()
    with pytest.raises(RuntimeError, match="no audit trail is configured"):
        writes.create_row(REGION, session, context, body(name="N"))
    with pytest.raises(RuntimeError, match="not configured"):
        audit.entry_model()
    bulk._MODEL.clear()
    with pytest.raises(RuntimeError, match="not configured"):
        bulk.run_model()


# -- bulk runs and their undo


def test_bulk_update_and_its_undo(session: Session, context: RequestContext) -> None:
    for n in range(5):
        writes.create_row(NOTE, session, context, body(title=f"n{n}", rank=n, done=False))
    dry = bulk.bulk(
        NOTE,
        session,
        context,
        request(operation="update", filter={"rank__gte": "2"}, values={"done": True}, dry_run=True),
        NoteUpdate,
        UNDO,
    )
    assert (dry["matched"], dry["affected"], dry["undo_token"]) == (3, 0, None)
    ran = bulk.bulk(
        NOTE,
        session,
        context,
        request(operation="update", filter={"rank__gte": "2"}, values={"done": True}),
        NoteUpdate,
        UNDO,
    )
    assert (ran["matched"], ran["affected"], ran["failed"]) == (3, 3, 0) and ran["undo_token"]
    assert api_models.BulkResult.model_validate(ran).affected == 3
    written = session.scalars(sa.select(Note).where(Note.rank == 4)).one()
    writes.update_row(NOTE, session, context, written.id, body(title="changed since"))
    undone = bulk.undo_bulk(
        NOTE, session, context, api_models.BulkUndoRequest(undo_token=ran["undo_token"])
    )
    assert undone == {"restored": 2, "skipped": 1}
    assert sorted(t for (t,) in session.execute(sa.select(Note.title).where(Note.done))) == [
        "changed since"
    ]
    used = error_of(
        bulk.undo_bulk,
        NOTE,
        session,
        context,
        api_models.BulkUndoRequest(undo_token=ran["undo_token"]),
    )
    assert used.error_code == "undo_used"
    assert (
        error_of(
            bulk.undo_bulk, NOTE, session, context, api_models.BulkUndoRequest(undo_token="nope")
        ).status
        == 404
    )
    runs = session.scalars(sa.select(BulkRun)).all()
    assert [r.dry_run for r in runs] == [True, False]


def test_bulk_delete_and_its_undo(session: Session, context: RequestContext) -> None:
    for n in range(3):
        writes.create_row(NOTE, session, context, body(title=f"n{n}", rank=n, done=False))
    ran = bulk.bulk(
        NOTE, session, context, request(operation="delete", filter={}), NoteUpdate, UNDO
    )
    assert ran["affected"] == 3 and list_rows(NOTE, session, context, {})["items"] == []
    assert bulk.undo_bulk(
        NOTE, session, context, api_models.BulkUndoRequest(undo_token=ran["undo_token"])
    ) == {"restored": 3, "skipped": 0}
    assert len(list_rows(NOTE, session, context, {})["items"]) == 3


def test_bulk_refusals(session: Session, context: RequestContext) -> None:
    def refused(**values: Any) -> ApiError:
        return error_of(bulk.bulk, NOTE, session, context, request(**values), NoteUpdate, UNDO)

    assert refused(operation="update", values={"nope": 1}).field == "nope"
    assert refused(operation="delete", values={"title": "x"}).field == "values"
    assert refused(operation="update", filter={"nope": "1"}).field == "nope"
    links = error_of(
        bulk.bulk,
        OFFICE,
        session,
        context,
        request(operation="update", values={"tag_ids": []}),
        Body,
        UNDO,
    )
    assert links.field == "values"
    no_tenant = error_of(
        bulk.bulk, OFFICE, session, RequestContext(), request(operation="delete"), Body, UNDO
    )
    assert no_tenant.error_code == "tenant_required"
    anonymous = error_of(
        bulk.bulk, MEMO, session, RequestContext(), request(operation="delete"), Body, UNDO
    )
    assert anonymous.status == 401


class NoteMetaUpdate(BaseModel):
    """An update model with a JSON field, as the project's: any JSON value, NaN included."""

    model_config = ConfigDict(extra="forbid")
    title: str | None = None
    meta: Any = None


class NoteBulkRequest(api_models.BulkRequest):
    """A resource's bulk body: its values are its update model (the generated `<Model>BulkRequest`)."""

    values: NoteMetaUpdate = NoteMetaUpdate()  # type: ignore[assignment]


@pytest.mark.parametrize(
    "meta", [float("nan"), [float("inf")], {"deep": {"n": -float("inf")}}, "a\x00b"]
)
def test_bulk_values_no_column_can_store_are_refused(
    session: Session, context: RequestContext, meta: object
) -> None:
    # A JSON field's NaN once became null on its way to the update model (the body's values are
    # read back as JSON), so the run wrote null over every row it matched with a 200.
    writes.create_row(NOTE, session, context, body(title="n", done=False, meta={"kept": 1}))
    run = NoteBulkRequest(operation="update", values=NoteMetaUpdate(meta=meta))
    refused = error_of(bulk.bulk, NOTE, session, context, run, NoteMetaUpdate, UNDO)
    assert (refused.status, refused.field) == (422, "meta"), refused.detail
    assert session.scalars(sa.select(Note.meta)).all() == [{"kept": 1}]


def test_a_batch_the_database_refuses_fails_alone(
    session: Session, context: RequestContext
) -> None:
    for n in range(3):
        writes.create_row(NOTE, session, context, body(title=f"n{n}", rank=n, done=False))
    session.execute(
        sa.text(
            "CREATE TRIGGER no_n2 BEFORE UPDATE ON notes WHEN OLD.title = 'n2' BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: no_n2'); END"
        )
    )
    session.commit()
    ran = bulk.bulk(
        NOTE,
        session,
        context,
        request(operation="update", values={"done": True}),
        NoteUpdate,
        bulk.BulkConfig(batch_size=1, undo_ttl=None),
    )
    assert (ran["affected"], ran["failed"], ran["undo_token"]) == (2, 1, None)
    assert ran["errors"][0]["error_code"] == "validation_error" and ran["errors"][0]["rows"] == 1


def test_an_expired_undo(session: Session, context: RequestContext) -> None:
    writes.create_row(NOTE, session, context, body(title="n", done=False))
    ran = bulk.bulk(NOTE, session, context, request(operation="delete"), NoteUpdate, UNDO)
    session.execute(sa.update(BulkRun).values(undo_expires_at=datetime.datetime(2000, 1, 1)))
    session.commit()
    assert (
        error_of(
            bulk.undo_bulk,
            NOTE,
            session,
            context,
            api_models.BulkUndoRequest(undo_token=ran["undo_token"]),
        ).status
        == 410
    )


def test_soft_delete_runs_undo_with_their_cascade(
    session: Session, context: RequestContext
) -> None:
    regions = [writes.create_row(REGION, session, context, body(name=f"r{n}")) for n in range(3)]
    for r in regions:
        writes.create_row(OFFICE, session, context, body(name=f"o{r['id']}", region_id=r["id"]))
    ran = bulk.bulk(REGION, session, context, request(operation="delete"), RegionUpdate, UNDO)
    assert ran["affected"] == 3 and list_rows(OFFICE, session, context, {})["items"] == []
    undone = bulk.undo_bulk(
        REGION, session, context, api_models.BulkUndoRequest(undo_token=ran["undo_token"])
    )
    assert undone == {"restored": 3, "skipped": 0}
    assert len(list_rows(OFFICE, session, context, {})["items"]) == 3
    actions = {e.action for e in session.scalars(sa.select(AuditLogEntry))}
    assert {"bulk_delete", "bulk_undo", "delete", "restore"} <= actions


def test_versioned_bulk_updates_move_versions_on(session: Session, context: RequestContext) -> None:
    north = writes.create_row(REGION, session, context, body(name="N"))
    ran = bulk.bulk(
        REGION,
        session,
        context,
        request(operation="update", values={"name": "M", "version": 9}),
        RegionUpdate,
        UNDO,
    )
    assert ran["affected"] == 1
    assert rows.get_row(REGION, session, context, north["id"])["version"] == 2
    bulk.undo_bulk(
        REGION, session, context, api_models.BulkUndoRequest(undo_token=ran["undo_token"])
    )
    assert rows.get_row(REGION, session, context, north["id"])["name"] == "N"


def test_an_undo_is_a_write_of_its_own(session: Session, context: RequestContext) -> None:
    """The run's columns get their old values back, while version moves on and updated_at is the
    undo's time (README, "Bulk"): neither is put back to what it was before the run."""
    made = writes.create_row(REGION, session, context, body(name="N"))
    ran = bulk.bulk(
        REGION,
        session,
        context,
        request(operation="update", values={"name": "M"}),
        RegionUpdate,
        UNDO,
    )
    after_run = rows.get_row(REGION, session, context, made["id"])
    undone = bulk.undo_bulk(
        REGION, session, context, api_models.BulkUndoRequest(undo_token=ran["undo_token"])
    )
    assert undone == {"restored": 1, "skipped": 0}
    back = rows.get_row(REGION, session, context, made["id"])
    assert (made["version"], after_run["version"], back["version"]) == (1, 2, 3)
    assert back["name"] == "N"
    stamps = [made["updated_at"], after_run["updated_at"], back["updated_at"]]
    assert stamps == sorted(set(stamps)), f"created, ran, undone: {stamps}"


# -- branches


def test_branches_copy_on_write_then_merge(session: Session, context: RequestContext) -> None:
    tag = writes.create_row(TAG, session, context, body(name="t"))
    kept = writes.create_row(DRAFT, session, context, body(title="kept", tag_ids=[tag["id"]]))
    gone = writes.create_row(DRAFT, session, context, body(title="gone"))
    feature = RequestContext(tenant_id=TENANT, branch_id="feature", user_id="ann")
    changed = writes.update_row(DRAFT, session, feature, kept["id"], body(title="changed"))
    assert changed["tag_ids"] == [tag["id"]]  # the copy starts with main's links
    writes.delete_row(DRAFT, session, feature, gone["id"])
    made = writes.create_row(DRAFT, session, feature, body(title="new"))
    assert {d["title"] for d in list_rows(DRAFT, session, feature, {})["items"]} == {
        "changed",
        "new",
    }
    assert {d["title"] for d in list_rows(DRAFT, session, context, {})["items"]} == {"kept", "gone"}
    assert (
        list_rows(DRAFT, session, feature, {"tag_ids": str(tag["id"])})["items"][0]["title"]
        == "changed"
    )
    merged = branches.merge_branch(session, context, "feature")
    assert merged == {"branch": "feature", "merged": {"draft": 3}}
    assert api_models.MergeResult.model_validate(merged).merged == {"draft": 3}
    titles = {d["title"]: d for d in list_rows(DRAFT, session, context, {})["items"]}
    assert set(titles) == {"changed", "new"} and titles["changed"]["tag_ids"] == [tag["id"]]
    assert made["id"] in {d["id"] for d in titles.values()}
    assert (
        session.scalar(
            sa.select(sa.func.count()).select_from(Draft).where(Draft.branch_id != MAIN_BRANCH)
        )
        == 0
    )


def test_discarding_a_branch_forgets_it(session: Session, context: RequestContext) -> None:
    kept = writes.create_row(DRAFT, session, context, body(title="kept"))
    feature = RequestContext(tenant_id=TENANT, branch_id="feature")
    writes.update_row(DRAFT, session, feature, kept["id"], body(title="changed"))
    writes.delete_row(
        DRAFT, session, feature, writes.create_row(DRAFT, session, feature, body(title="x"))["id"]
    )
    branches.discard_branch(session, context, "feature")
    assert [d["title"] for d in list_rows(DRAFT, session, feature, {})["items"]] == ["kept"]
    assert error_of(branches.merge_branch, session, context, MAIN_BRANCH).field == "name"
    assert error_of(branches.discard_branch, session, context, "b" * 65).field == "name"
    assert [r.name for r in branches.branch_resources()] == ["draft"]


def test_a_deleted_tag_leaves_every_branch(session: Session, context: RequestContext) -> None:
    tag = writes.create_row(TAG, session, context, body(name="t"))
    writes.create_row(DRAFT, session, context, body(title="d", tag_ids=[tag["id"]]))
    writes.delete_row(TAG, session, context, tag["id"])
    assert list_rows(DRAFT, session, context, {})["items"][0]["tag_ids"] == []


# -- custom actions


def install_handlers() -> None:
    module = types.ModuleType("runtime_test_handlers")

    def close(session: Session, row: Any, data: Any) -> Any:
        row.title = data.title
        return None

    def count(session: Session, row: Any, data: Any) -> Any:
        return {"count": session.scalar(sa.select(sa.func.count()).select_from(Note))}

    def every(session: Session, row: Any, data: Any) -> Any:
        return list(session.scalars(sa.select(Note)))

    module.close = close  # type: ignore[attr-defined]
    module.count = count  # type: ignore[attr-defined]
    module.every = every  # type: ignore[attr-defined]
    module.missing = None  # type: ignore[attr-defined]
    sys.modules["runtime_test_handlers"] = module


def test_custom_actions_call_their_handlers(
    session: Session, context: RequestContext, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    install_handlers()
    (tmp_path / "runtime_test_broken_handlers.py").write_text(
        "import runtime_test_absent_dependency\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    made = writes.create_row(NOTE, session, context, body(title="open", done=False))
    closed = actions.run_action(
        NOTE,
        session,
        context,
        "runtime_test_handlers:close",
        body(title="closed"),
        made["id"],
        name="close",
    )
    assert closed["title"] == "closed"
    assert actions.run_action(NOTE, session, context, "runtime_test_handlers:count", body()) == {
        "count": 1
    }
    listed = actions.run_action(NOTE, session, context, "runtime_test_handlers:every", body())
    assert [n["title"] for n in listed] == ["closed"]
    with pytest.raises(NotImplementedError, match="does not exist"):
        actions.handler("runtime_test_no_such_module:f")
    with pytest.raises(NotImplementedError, match="has no function"):
        actions.handler("runtime_test_handlers:missing")
    with pytest.raises(ModuleNotFoundError):  # the module exists; what it imports does not
        actions.handler("runtime_test_broken_handlers:f")
    assert (
        error_of(
            actions.run_action,
            NOTE,
            session,
            context,
            "runtime_test_handlers:count",
            body(x="\x00"),
        ).status
        == 422
    )
