"""Tenants as rows: a project whose resource declares `tenant_key` keeps its tenants in that
resource's table, and every tenant row's tenant_id points at one of them (a foreign key).

The API refuses what the foreign key would, with its own answers: an X-Tenant-ID that names no
tenant is 403 `unknown_tenant` before anything is read or written, and a tenant that still holds
rows keeps its row and its key (409 `conflict`).
"""

from __future__ import annotations

from collections.abc import Collection

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .errors import ApiError
from .resources import REGISTRY, Resource

TENANT_HEADER = "X-Tenant-ID"


def require_known(resource: Resource, session: Session, tenant_id: str) -> None:
    """403 `unknown_tenant` unless a row of the tenants' resource has `tenant_id` as its key."""
    if resource.tenants is None:
        return
    tenants = REGISTRY[resource.tenants]
    found = session.scalar(sa.select(sa.literal(1)).where(key_column(tenants) == tenant_id))
    if found is None:
        raise unknown(tenant_id)


def unknown(tenant_id: str) -> ApiError:
    return ApiError(
        403, "unknown_tenant", f"{TENANT_HEADER}: there is no tenant {tenant_id!r}", TENANT_HEADER
    )


def key_column(tenants: Resource) -> sa.ColumnElement[str]:
    assert tenants.tenant_key is not None, f"{tenants.name} holds no tenants"
    column: sa.ColumnElement[str] = getattr(tenants.model, tenants.columns[tenants.tenant_key].attr)
    return column


def refuse_while_holding_rows(tenants: Resource, session: Session, keys: Collection[str]) -> None:
    """409 `conflict` when a tenant among `keys` still holds a row of any tenant resource: it
    keeps its row and its key until they are gone (the foreign key would refuse it anyway)."""
    if not keys:
        return
    for name in REGISTRY:  # every resource, its module imported: a tenant changes seldom
        source = REGISTRY[name]
        if source.tenants != tenants.name:
            continue
        held = session.scalar(
            sa.select(source.model.tenant_id).where(source.model.tenant_id.in_(keys)).limit(1)
        )
        if held is not None:
            raise ApiError(
                409,
                "conflict",
                f"tenant {held!r} still holds {source.label} rows: it keeps its row and its "
                f"{tenants.tenant_key} until they are deleted",
                tenants.tenant_key,
            )


def keys_of(tenants: Resource, session: Session, ids: Collection[object]) -> list[str]:
    """The tenant keys of the rows `ids` of the tenants' resource."""
    return list(session.scalars(sa.select(key_column(tenants)).where(tenants.id.in_(ids))))
