"""Soft deletion: hiding rows with what it means for the relations pointing at them, and restoring."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .context import RequestContext
from .errors import ApiError, database_errors
from .resources import REGISTRY, Resource, Row
from .rows import dump_row, fresh, load, load_links, serialize
from .trail import audit, recorded
from .values import dialect_of, stored_now
from .versions import bump_version, check_version, expected_version


def restore_row(
    resource: Resource, session: Session, context: RequestContext, key: object
) -> dict[str, Any]:
    """Bring a soft-deleted row back (a row that is not deleted stays as it is)."""
    row = load(resource, session, context, key, write=True, include_deleted=True)
    expected = expected_version(resource, context, None, required=False)
    with database_errors(session, "update"):
        check_version(resource, row, expected)
        if row.deleted_at is None:
            return serialize(resource, session, [row])[0]
        if not restorable(resource, session, row):
            raise ApiError(
                409,
                "conflict",
                f"{resource.label} {row.id} points at a deleted row its relation cascades from or restricts: restore that first",
            )
        before = serialize(resource, session, [row])[0] if resource.has("audit") else None
        undelete(resource, session, context, [row])
        item = fresh(resource, session, row)
        audit(resource, session, context, "restore", [(row.id, before, item)])
        session.commit()
    return item


def soft_delete(
    resource: Resource,
    session: Session,
    context: RequestContext,
    rows: Sequence[Any],
    cascaded: dict[Any, dict[str, Any]] | None = None,
) -> None:
    """Hide `rows`, and apply what soft deletion means to each relation pointing at them.

    cascade: the live children are soft-deleted too (validate makes sure they can be), all with
    one deleted_at, later than that of any child deleted before, so that a restore brings back
    exactly the rows this delete hid. restrict, no_action: refused (409) while a live row points
    here. set_null, and many-to-many links: kept, since the rows still exist. The caller audits
    `rows`; the children the cascade hides are audited here, being writes of this request too.
    `cascaded`, when given, gets the image (dump_row) of each row of `resource` itself that the
    cascade hides, as it was before: a bulk run's own rows it reaches through a self relation.
    """
    tree: list[tuple[Resource, list[Any]]] = []
    seen: set[tuple[str, Any]] = set()
    latest: datetime.datetime | None = None  # the newest deleted_at among children deleted before
    pending: list[tuple[Resource, list[Any]]] = [(resource, list(rows))]
    while pending:
        current, batch = pending.pop()
        batch = [row for row in batch if (current.name, row.id) not in seen]
        if not batch:
            continue
        seen.update((current.name, row.id) for row in batch)
        tree.append((current, batch))
        keys = [row.id for row in batch]
        for inbound in current.inbound:
            source = REGISTRY[inbound.source]
            column = getattr(source.model, inbound.attr)
            if inbound.on_delete == "cascade":
                pending.append(
                    (
                        source,
                        list(
                            session.scalars(
                                sa.select(source.model).where(
                                    column.in_(keys), source.model.deleted_at.is_(None)
                                )
                            )
                        ),
                    )
                )
                newest = session.scalar(
                    sa.select(sa.func.max(source.model.deleted_at)).where(column.in_(keys))
                )
                latest = (
                    newest if latest is None or (newest is not None and newest > latest) else latest
                )
            elif inbound.on_delete in ("restrict", "no_action"):
                live = sa.select(source.id).where(column.in_(keys))
                if source.has("soft_delete"):
                    live = live.where(source.model.deleted_at.is_(None))
                if session.scalars(live.limit(1)).first() is not None:
                    raise ApiError(
                        409, "conflict", f"{current.label} is still referenced by {source.label}"
                    )
    stamp = _deletion_stamp(session, latest)
    for depth, (current, batch) in enumerate(tree):
        if depth and cascaded is not None and current is resource:
            links = load_links(current, session, batch)
            cascaded.update((row.id, dump_row(current, row, links)) for row in batch)
        if depth and recorded(current):
            audit(
                current,
                session,
                context,
                "delete",
                [
                    (row.id, before, None)
                    for row, before in zip(
                        batch,
                        serialize(current, session, batch)
                        if current.has("audit")
                        else [None] * len(batch),
                        strict=True,
                    )
                ],
            )
        for row in batch:
            row.deleted_at = stamp
            bump_version(current, row)
    session.flush()


def _deletion_stamp(session: Session, latest: datetime.datetime | None) -> datetime.datetime:
    """Now, as stored (MySQL keeps whole seconds), and after `latest`."""
    stamp = stored_now(session)
    step = datetime.timedelta(microseconds=1)
    if dialect_of(session) == "mysql":
        stamp, step = stamp.replace(microsecond=0), datetime.timedelta(seconds=1)
    return latest + step if latest is not None and latest >= stamp else stamp


def undelete(
    resource: Resource, session: Session, context: RequestContext, rows: Sequence[Any]
) -> None:
    """Bring back soft-deleted `rows` and the children their delete's cascade hid: those whose
    deleted_at is the row's own. Children deleted before it stay deleted. The caller audits
    `rows`, this the children."""
    pending: list[tuple[Resource, list[Any]]] = [(resource, list(rows))]
    first = True
    while pending:
        current, batch = pending.pop()
        children_audited = not first and recorded(current)
        first = False
        befores = (
            serialize(current, session, batch)
            if children_audited and current.has("audit")
            else [None] * len(batch)
        )
        by_stamp: dict[Any, list[Any]] = {}
        for row in batch:
            if row.deleted_at is not None:
                by_stamp.setdefault(row.deleted_at, []).append(row.id)
        for inbound in current.inbound:
            if inbound.on_delete != "cascade":
                continue
            source = REGISTRY[inbound.source]
            column = getattr(source.model, inbound.attr)
            for stamp, keys in by_stamp.items():
                pending.append(
                    (
                        source,
                        list(
                            session.scalars(
                                sa.select(source.model).where(
                                    column.in_(keys), source.model.deleted_at == stamp
                                )
                            )
                        ),
                    )
                )
        for row in batch:
            if row.deleted_at is not None:
                row.deleted_at = None
                bump_version(current, row)
        session.flush()
        if children_audited and batch:
            afters = [fresh(current, session, row) for row in batch]
            audit(
                current,
                session,
                context,
                "restore",
                [
                    (row.id, before, after)
                    for row, before, after in zip(batch, befores, afters, strict=True)
                ],
            )


def restorable(resource: Resource, session: Session, row: Row) -> bool:
    """Whether `row` may come back: no relation that cascades or restricts points it at a
    soft-deleted row (restore that one first, which brings back what its delete hid)."""
    for parent in REGISTRY.values():
        if not parent.has("soft_delete"):
            continue
        for inbound in parent.inbound:
            key = getattr(row, inbound.attr) if inbound.source == resource.name else None
            if key is None or inbound.on_delete == "set_null":
                continue
            hidden = sa.select(parent.id).where(
                parent.id == key, parent.model.deleted_at.is_not(None)
            )
            if session.scalars(hidden.limit(1)).first() is not None:
                return False
    return True
