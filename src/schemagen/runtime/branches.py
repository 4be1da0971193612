"""Branches: merge one into main, or discard it."""

from __future__ import annotations

import dataclasses
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .context import MAIN_BRANCH, RequestContext, enter
from .contract import SCOPE_LENGTH
from .errors import database_errors, validation_error
from .resources import REGISTRY, Resource
from .rows import serialize
from .trail import audit, recorded
from .writes import delete_keys


def branch_resources() -> list[Resource]:
    return [resource for resource in REGISTRY.values() if resource.has("branching")]


def _branch_name(name: str) -> str:
    if name == MAIN_BRANCH:
        raise validation_error(f"{MAIN_BRANCH!r} is the branch others merge into", "name")
    if len(name) > SCOPE_LENGTH:
        raise validation_error(f"a branch name is at most {SCOPE_LENGTH} characters", "name")
    return name


def _branch_rows(
    resource: Resource, session: Session, context: RequestContext, branch: str
) -> sa.Select[Any]:
    enter(resource, session, context)
    statement = sa.select(resource.model).where(resource.model.branch_id == branch)
    if resource.has("tenant"):
        statement = statement.where(resource.model.tenant_id == context.tenant_id)
    if resource.has("owned"):  # the caller merges or discards their own rows' changes only
        statement = statement.where(resource.model.owner_id == context.user_id)
    return statement


def merge_branch(session: Session, context: RequestContext, name: str) -> dict[str, Any]:
    """Apply `name` to main: its copies replace main's rows, its deletions delete them; the branch is then empty."""
    branch = _branch_name(name)
    merged: dict[str, int] = {}
    with database_errors(session, "update"):
        for resource in branch_resources():
            model = resource.model
            rows = list(
                session.scalars(_branch_rows(resource, session, context, branch).order_by(model.id))
            )
            mains = (
                {
                    row.id: row
                    for row in session.scalars(
                        sa.select(model).where(
                            model.branch_id == MAIN_BRANCH, model.id.in_([r.id for r in rows])
                        )
                    )
                }
                if rows
                else {}
            )
            audited = recorded(resource)
            befores = (
                dict(zip(mains, serialize(resource, session, list(mains.values())), strict=True))
                if resource.has("audit") and mains
                else {}
            )
            gone = [row.id for row in rows if row.branch_deleted and row.id in mains]
            moved = [row.id for row in rows if not row.branch_deleted]
            tombstones = [row.id for row in rows if row.branch_deleted]
            _drop_links(resource, session, tombstones, branch)
            session.execute(
                sa.delete(model).where(model.branch_id == branch, model.id.in_(tombstones))
            )
            if gone:
                delete_keys(
                    resource, session, gone
                )  # with the relations' on_delete, as a delete on main
            if moved:  # the branch's rows, and their links, become main's
                _drop_links(resource, session, moved, MAIN_BRANCH)
                session.execute(
                    sa.delete(model).where(model.branch_id == MAIN_BRANCH, model.id.in_(moved))
                )
                session.execute(
                    sa.update(model)
                    .where(model.branch_id == branch, model.id.in_(moved))
                    .values(branch_id=MAIN_BRANCH)
                    .execution_options(synchronize_session=False)
                )
                for link in resource.many_to_many.values():
                    junction = link.junction
                    session.execute(
                        sa.update(junction)
                        .where(
                            junction.c[link.left].in_(moved),
                            junction.c[link.branch_column] == branch,
                        )
                        .values({link.branch_column: MAIN_BRANCH})
                    )
            session.expire_all()
            if audited:
                afters = (
                    serialize(
                        resource,
                        session,
                        list(
                            session.scalars(
                                sa.select(model).where(
                                    model.branch_id == MAIN_BRANCH, model.id.in_(moved)
                                )
                            )
                        ),
                    )
                    if moved
                    else []
                )
                main_context = dataclasses.replace(context, branch_id=MAIN_BRANCH)
                audit(
                    resource,
                    session,
                    main_context,
                    "merge",
                    [(key, befores.get(key), None) for key in gone]
                    + [(item["id"], befores.get(item["id"]), item) for item in afters],
                )
            merged[resource.name] = len(rows)
        session.commit()
    return {"branch": branch, "merged": merged}


def discard_branch(session: Session, context: RequestContext, name: str) -> None:
    """Forget every change made on `name`."""
    branch = _branch_name(name)
    with database_errors(session, "delete"):
        for resource in branch_resources():
            model = resource.model
            keys = list(
                session.scalars(
                    _branch_rows(resource, session, context, branch).with_only_columns(model.id)
                )
            )
            if keys:
                _drop_links(resource, session, keys, branch)
                session.execute(
                    sa.delete(model).where(model.branch_id == branch, model.id.in_(keys))
                )
        session.commit()


def _drop_links(resource: Resource, session: Session, keys: list[Any], branch: str) -> None:
    """Delete the many-to-many links the rows `keys` have on `branch`."""
    for link in resource.many_to_many.values():
        if keys:
            junction = link.junction
            session.execute(
                sa.delete(junction).where(
                    junction.c[link.left].in_(keys), junction.c[link.branch_column] == branch
                )
            )
