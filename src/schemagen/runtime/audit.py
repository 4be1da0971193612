"""The audit trail: every write of an audited resource appends `(row, before, after)` entries.

The project hands its audit table's model over once (`configure`, in the generated `db.py`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .context import RequestContext
from .contract import (
    AUDIT_FILTERS,
    AUDIT_MAX_PAGE_SIZE,
    AUDIT_PAGE_SIZE,
    INTEGER_RANGE,
)
from .db import bind
from .errors import validation_error
from .lists import page_limit, single
from .resources import REGISTRY, Resource
from .trail import Change, use_recorder
from .values import as_utc, jsonable, storable, stored_now

_MODEL: list[type[Any]] = []  # the project's audit table, once configured


def configure(model: type[Any]) -> None:
    """Record the audit trail in `model` (the project's `AuditLogEntry`) from now on."""
    _MODEL[:] = [model]
    use_recorder(record)


def entry_model() -> type[Any]:
    if not _MODEL:
        raise RuntimeError("the audit trail is not configured (runtime.audit.configure)")
    return _MODEL[0]


def record(
    resource: Resource,
    session: Session,
    context: RequestContext,
    action: str,
    changes: Sequence[Change],
) -> None:
    """Append `(row id, before, after)` entries, in the write's transaction (through `trail.audit`)."""
    at = stored_now(session)
    branch = context.branch_id if resource.has("branching") else None
    session.execute(
        sa.insert(entry_model()),
        [
            {
                "resource": resource.name,
                "row_id": str(key),
                "action": action,
                "before": jsonable(before),
                "after": jsonable(after),
                "actor": context.user_id,
                "tenant_id": context.tenant_id,
                "branch_id": branch,
                "ip_address": context.client_ip,
                "user_agent": context.user_agent,
                "at": at,
            }
            for key, before, after in changes
        ],
    )


def _entry_id(cursor: object) -> int:
    """The id a next_cursor of the trail names: ASCII digits within 64 bits, else a 422."""
    text = single(cursor, "cursor")
    if text.isascii() and text.isdigit() and len(text) <= 19 and int(text) <= INTEGER_RANGE[1]:
        return int(text)
    raise validation_error("cursor: not a cursor this API gave out", "cursor")


def list_audit(
    session: Session, context: RequestContext, params: Mapping[str, Any]
) -> dict[str, Any]:
    """The newest entries first, for the caller's tenant (entries without one when no X-Tenant-ID).

    Entries of owned resources hold their owners' rows: each caller sees only the ones they wrote.
    """
    bind(session, context.tenant_id, context.user_id)
    params = dict(params)
    entry = entry_model()
    limit = page_limit(params.pop("limit", None), AUDIT_PAGE_SIZE, AUDIT_MAX_PAGE_SIZE)
    cursor = params.pop("cursor", None)
    statement = sa.select(entry).where(
        entry.tenant_id == context.tenant_id if context.tenant_id else entry.tenant_id.is_(None)
    )
    owned = [resource.name for resource in REGISTRY.values() if resource.has("owned")]
    if owned:
        mine = entry.actor == context.user_id if context.user_id is not None else sa.false()
        statement = statement.where(sa.or_(entry.resource.not_in(owned), mine))
    for name, value in params.items():
        if name not in AUDIT_FILTERS:
            raise validation_error(
                f"unknown filter {name!r} (filters: {', '.join(AUDIT_FILTERS)})", name
            )
        statement = statement.where(getattr(entry, name) == storable(single(value, name), name))
    if cursor not in (None, ""):
        statement = statement.where(entry.id < _entry_id(cursor))
    rows = list(session.scalars(statement.order_by(entry.id.desc()).limit(limit + 1)))
    items = [
        {
            "id": row.id,
            "resource": row.resource,
            "row_id": row.row_id,
            "action": row.action,
            "before": row.before,
            "after": row.after,
            "actor": row.actor,
            "tenant_id": row.tenant_id,
            "branch_id": row.branch_id,
            "ip_address": row.ip_address,
            "user_agent": row.user_agent,
            "at": as_utc(row.at),
        }
        for row in rows[:limit]
    ]
    return {"items": items, "next_cursor": str(rows[limit - 1].id) if len(rows) > limit else None}
