"""Writing rows: every write reaches a row through `apply_values()`, where references, links and
row-level rules (tenant, owner, branch, version) meet."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel
from sqlalchemy.orm import Session

from . import tenants
from .context import MAIN_BRANCH, RequestContext, enter, require_principal, scoped
from .errors import ApiError, database_errors, validation_error
from .resources import REGISTRY, Expression, Item, Key, Resource, Row
from .rows import fresh, load, load_links, serialize
from .softdelete import soft_delete
from .trail import audit
from .values import dialect_of, parse_key, storable, to_db
from .versions import bump_version, check_version, expected_version


def values_of(data: BaseModel) -> dict[str, object]:
    """What the client sent, by API name; fields it left out are not there. Every value is
    `storable`: refused here, a value never reaches a row that every later read would fail on."""
    return {
        name: storable(value, name)
        for name, value in data.model_dump(exclude_unset=True, by_alias=True).items()
    }


def create_row(
    resource: Resource, session: Session, context: RequestContext, data: BaseModel
) -> Item:
    enter(resource, session, context)
    values = values_of(data)
    with database_errors(session, "create"):
        row = resource.model()
        chosen = values.pop("id", None)
        if chosen is not None and resource.key == "uuid":
            take_id(resource, session, row, parse_key(resource, chosen))
        if resource.has("tenant"):
            row.tenant_id = context.tenant_id
        if resource.has("owned"):
            row.owner_id = require_principal(resource, context)
        if resource.has("branching"):
            row.branch_id = context.branch_id
        apply_values(resource, session, context, row, values, creating=True)
        item = fresh(resource, session, row)
        audit(resource, session, context, "create", [(row.id, None, item)])
        session.commit()
    return item


def take_id(resource: Resource, session: Session, row: Row, key: object) -> None:
    """A create's id chosen by the client (uuid keys: the Create shape offers it). Taken already,
    by any row in any tenant or branch, it is 409 `conflict` naming `id`: a branch's new row
    must not stand in for main's row of that id, which the database's key alone would allow."""
    if session.scalars(sa.select(resource.id).where(resource.id == key).limit(1)).first():
        raise ApiError(409, "conflict", f"id: {resource.label} {key} exists already", "id")
    row.id = key


def update_row(
    resource: Resource, session: Session, context: RequestContext, key: object, data: BaseModel
) -> Item:
    values = values_of(data)
    row = load(resource, session, context, key, write=True)
    expected = expected_version(resource, context, values.pop("version", None), required=True)
    with database_errors(session, "update"):
        check_version(resource, row, expected)
        before = serialize(resource, session, [row])[0] if resource.has("audit") else None
        apply_values(resource, session, context, row, values, creating=False)
        item = fresh(resource, session, row)
        audit(resource, session, context, "update", [(row.id, before, item)])
        session.commit()
    return item


def delete_row(resource: Resource, session: Session, context: RequestContext, key: object) -> None:
    row = load(resource, session, context, key, write=True)
    expected = expected_version(resource, context, None, required=False)
    with database_errors(session, "delete"):
        check_version(resource, row, expected)
        before = serialize(resource, session, [row])[0] if resource.has("audit") else None
        remove(resource, session, context, [row])
        audit(resource, session, context, "delete", [(row.id, before, None)])
        session.commit()


def remove(
    resource: Resource,
    session: Session,
    context: RequestContext,
    rows: Sequence[Row],
    cascaded: dict[Key, dict[str, Any]] | None = None,
) -> None:
    """Delete rows (already loaded for writing) as the resource's traits say.

    soft_delete: hide them (`cascaded`: see soft_delete). On a branch: a row main also holds is
    marked deleted on the branch only; a row the branch created is deleted. Otherwise: delete,
    with the relations' on_delete.
    """
    if resource.has("soft_delete"):
        soft_delete(resource, session, context, rows, cascaded)
        return
    if resource.has("branching") and context.branch_id != MAIN_BRANCH:
        keys = [row.id for row in rows]
        in_main = set(
            session.scalars(
                sa.select(resource.id).where(
                    resource.id.in_(keys), resource.model.branch_id == MAIN_BRANCH
                )
            )
        )
        for row in rows:
            if row.id in in_main:
                row.branch_deleted = True
                bump_version(resource, row)
        session.flush()
        only_here = [key for key in keys if key not in in_main]
        if only_here:
            delete_keys(resource, session, only_here, branch=context.branch_id)
        return
    delete_keys(resource, session, [row.id for row in rows])


def apply_values(
    resource: Resource,
    session: Session,
    context: RequestContext,
    row: Row,
    values: Mapping[str, object],
    *,
    creating: bool,
) -> None:
    """The one place a write reaches a row: checks, conversions, references, many-to-many links."""
    dialect = dialect_of(session)
    scalars: dict[str, object] = {}
    links: dict[str, list[object]] = {}
    for name, value in values.items():
        if name in resource.many_to_many:
            if not isinstance(value, list | tuple):  # the schema makes it a list of ids
                raise validation_error(f"{name} cannot be null; send [] to clear it", name)
            links[name] = list(dict.fromkeys(value))
        elif name in resource.columns and resource.columns[name].writable:
            column = resource.columns[name]
            if value is None and not column.nullable:
                raise validation_error(f"{name} cannot be null", name)
            scalars[name] = value
    check_references(resource, session, context, scalars, links, None if creating else row)
    key = resource.tenant_key
    if not creating and key in scalars:  # a tenant's new key: only while it holds no rows
        held = getattr(row, resource.columns[key].attr)
        if scalars[key] != held:
            tenants.refuse_while_holding_rows(resource, session, [held])
    for name, value in scalars.items():
        column = resource.columns[name]
        setattr(row, column.attr, to_db(column, value, dialect))
    if creating:
        session.add(row)
    else:
        bump_version(resource, row)
    session.flush()  # the row has its id, and the database has checked its constraints
    for name, keys in links.items():
        link = resource.many_to_many[name]
        if not creating:
            session.execute(sa.delete(link.junction).where(link.of(row)))
        if keys:
            session.execute(sa.insert(link.junction), [link.link(row, key) for key in keys])


def check_references(
    resource: Resource,
    session: Session,
    context: RequestContext,
    scalars: Mapping[str, object],
    links: Mapping[str, list[object]],
    row: Row = None,
) -> None:
    """Every id the write points at exists and is visible to the caller (tenant, owner, branch), else 422.

    On an update (`row`), an id the row already points at is not checked again: it may name a
    row soft-deleted since, and a client must be able to send back what it read.
    """
    current = load_links(resource, session, [row]) if row is not None and links else {}
    wanted: list[tuple[str, str, list[object]]] = []
    for name, value in scalars.items():
        column = resource.columns[name]
        if (
            column.references
            and value is not None
            and (row is None or getattr(row, column.attr) != value)
        ):
            wanted.append((name, column.references, [value]))
    for name, keys in links.items():
        kept = set(current.get(name, {}).get(row.id, [])) if row is not None else set()
        keys = [key for key in keys if key not in kept]
        if keys:
            wanted.append((name, resource.many_to_many[name].target, keys))
    for name, target_name, keys in wanted:
        target = REGISTRY[target_name]
        if target.has("tenant") and not context.tenant_id:
            raise ApiError(
                400, "tenant_required", f"{name}: {target.label} needs the X-Tenant-ID header"
            )
        found = set(
            session.scalars(
                scoped(target, context, sa.select(target.id)).where(target.id.in_(keys))
            )
        )
        missing = [k for k in keys if k not in found]
        if missing:
            raise ApiError(
                422, "invalid_reference", f"{name}: no {target.label} {missing[0]}", name
            )


def delete_keys(
    resource: Resource, session: Session, keys: list[Key], branch: str = MAIN_BRANCH
) -> None:
    """Delete rows by id (on `branch` for branching resources); relations without a database
    foreign key get their on_delete here."""
    if resource.tenant_key is not None:
        tenants.refuse_while_holding_rows(
            resource, session, tenants.keys_of(resource, session, keys)
        )
    for inbound in resource.inbound:
        source = REGISTRY[inbound.source]
        column = getattr(source.model, inbound.attr)
        if inbound.on_delete in ("restrict", "no_action"):
            # Checked here when the database's refusal would not say why: a soft-deleted row
            # still refers to the row, and the foreign key counts it.
            if not inbound.enforced or source.has("soft_delete"):
                refuse_if_referenced(resource, session, source, column, keys)
        elif inbound.enforced:
            continue  # the database's foreign key applies it
        elif inbound.on_delete == "cascade":
            children = list(session.scalars(sa.select(source.id).where(column.in_(keys))))
            if children:
                delete_keys(source, session, children)
        elif inbound.on_delete == "set_null":
            session.execute(
                sa.update(source.model).where(column.in_(keys)).values({inbound.attr: None})
            )
    for junction, column_name, branch_column in resource.unlinks:
        statement = sa.delete(junction).where(junction.c[column_name].in_(keys))
        if branch_column is not None:  # the deleted rows' own links, not other branches' copies'
            statement = statement.where(junction.c[branch_column] == branch)
        session.execute(statement)
    statement = sa.delete(resource.model).where(resource.id.in_(keys))
    if resource.has("branching"):
        statement = statement.where(resource.model.branch_id == branch)
    session.execute(statement)


def refuse_if_referenced(
    resource: Resource, session: Session, source: Resource, column: Expression, keys: list[Key]
) -> None:
    """409 while rows of `source` point at `keys` through a restrict or no_action relation. A
    hard delete counts soft-deleted rows as the database does (they still exist), and says so
    when only those remain. Rows deleted by the same statement (a self relation) do not count."""
    referring = sa.select(source.id).where(column.in_(keys))
    if source is resource:
        referring = referring.where(source.id.not_in(keys))
    if session.scalars(referring.limit(1)).first() is None:
        return
    if (
        source.has("soft_delete")
        and session.scalars(referring.where(source.model.deleted_at.is_(None)).limit(1)).first()
        is None
    ):
        raise ApiError(
            409,
            "conflict",
            f"{resource.label} is still referenced by soft-deleted {source.label} rows: hidden, they still exist, and a hard delete counts them as the foreign key does",
        )
    raise ApiError(409, "conflict", f"{resource.label} is still referenced by {source.label}")
