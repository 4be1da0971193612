"""Reading rows: the one place a row is fetched by id, the Read shape, and exact row images."""

from __future__ import annotations

import datetime
import decimal
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from . import tenants
from .context import RequestContext, enter, require_principal, scoped, tenant_of
from .db import bind
from .errors import ApiError
from .resources import Item, Key, Resource, Row
from .values import from_db, not_found, parse_key

# The related ids of rows' many-to-many fields: field -> row id -> ids.
Links = dict[str, dict[Key, list[Key]]]


def load(
    resource: Resource,
    session: Session,
    context: RequestContext,
    key: object,
    *,
    write: bool = False,
    include_deleted: bool = False,
) -> Row:
    """The one place a row is fetched by id: scoped, or 404.

    `write`: the caller is about to change the row, so it must be theirs (owned), and on a branch
    it becomes the branch's own copy first (copy-on-write).
    """
    enter(resource, session, context)
    key = parse_key(resource, key)
    row = session.scalars(
        scoped(resource, context, include_deleted=include_deleted).where(resource.id == key)
    ).first()
    if row is None:
        raise not_found(resource, key)
    # A system row is everyone's to read and no user's to write (PostgreSQL's policies agree):
    # only the tables' owner changes it, outside the API.
    if (
        write
        and resource.has("owned")
        and (row.owner_id != require_principal(resource, context) or row.is_system)
    ):
        raise ApiError(
            403, "forbidden", f"{resource.label} {key} is a system row: read-only for you"
        )
    if write and resource.has("branching") and row.branch_id != context.branch_id:
        row = branch_copy(resource, session, row, context.branch_id)
    return row


def branch_copy(resource: Resource, session: Session, row: Row, branch: str) -> Row:
    """`row` (main's) copied onto `branch`, where writes then change only the copy."""
    copy = resource.model(
        **{**row_values(resource, row), "branch_id": branch, "branch_deleted": False}
    )
    session.add(copy)
    session.flush()
    for link in resource.many_to_many.values():  # the copy starts with the links main's row has
        junction = link.junction
        links = sa.select(
            junction.c[link.left], junction.c[link.right], sa.literal(branch, sa.String())
        ).where(link.of(row))
        session.execute(
            sa.insert(junction).from_select([link.left, link.right, link.branch_column], links)
        )
    return copy


def row_values(resource: Resource, row: Row) -> dict[str, object]:
    """Every column of `row` by attribute, as loaded: what a copy or an undo needs."""
    return {attr.key: getattr(row, attr.key) for attr in sa.inspect(resource.model).column_attrs}


def serialize(resource: Resource, session: Session, rows: Sequence[Row]) -> list[Item]:
    """Rows as the Read shape: one dict per row; many-to-many ids in one extra query at most."""
    links = load_links(resource, session, rows)
    items = []
    for row in rows:
        item = {
            name: from_db(column, getattr(row, column.attr))
            for name, column in resource.columns.items()
        }
        for name in resource.many_to_many:
            item[name] = links[name].get(row.id, [])
        items.append(item)
    return items


def load_links(resource: Resource, session: Session, rows: Sequence[Row]) -> Links:
    """The related ids of every many-to-many field of `rows` (by row id), as one UNION ALL query."""
    found: Links = {name: {} for name in resource.many_to_many}
    if not rows or not resource.many_to_many:
        return found
    keys = [row.id for row in rows]
    branches = {row.id: row.branch_id for row in rows} if resource.has("branching") else {}
    parts = []
    for name, link in resource.many_to_many.items():
        junction = link.junction
        branch = junction.c[link.branch] if link.branch else sa.null()
        statement = sa.select(
            sa.literal(name, sa.String()).label("field"),
            junction.c[link.left].label("owner"),
            sa.cast(junction.c[link.right], sa.String()).label("related"),
            sa.cast(branch, sa.String()).label("branch"),
        ).where(junction.c[link.left].in_(keys))
        if link.branch:
            statement = statement.where(branch.in_(set(branches.values())))
        parts.append(statement)
    query = parts[0] if len(parts) == 1 else sa.union_all(*parts)
    for name, owner, related, branch in session.execute(query):
        if branch is not None and branches.get(owner) != branch:
            continue  # the links of another branch's copy of this row
        found[name].setdefault(owner, []).append(
            _key_from_text(resource.many_to_many[name].key, related)
        )
    for by_owner in found.values():
        for values in by_owner.values():
            values.sort(key=str)
    return found


def _key_from_text(kind: str, text: str) -> Key:
    return int(text) if kind == "integer" else uuid.UUID(text)


def get_row(
    resource: Resource,
    session: Session,
    context: RequestContext,
    key: object,
    include_deleted: bool = False,
) -> Item:
    return serialize(
        resource, session, [load(resource, session, context, key, include_deleted=include_deleted)]
    )[0]


def tenant_row(resource: Resource, session: Session, context: RequestContext) -> Item:
    """The caller's own row of the tenants' resource: the one X-Tenant-ID names (400 without
    it, 403 `unknown_tenant` when it names no row)."""
    tenant = tenant_of(resource, context)
    bind(session, tenant, context.user_id)
    row = session.scalars(
        sa.select(resource.model).where(tenants.key_column(resource) == tenant)
    ).first()
    if row is None:
        raise tenants.unknown(tenant)
    return serialize(resource, session, [row])[0]


def fresh(resource: Resource, session: Session, row: Row) -> Item:
    """`row` as the database now holds it (server defaults, triggers, rounding), as the Read shape."""
    session.flush()
    session.expire(row)
    return serialize(resource, session, [row])[0]


def dump_row(
    resource: Resource, row: Row, links: Mapping[str, Mapping[Key, list[Key]]] | None = None
) -> dict[str, Any]:
    """Every column of `row` exactly (decimals, times and ids tagged), and its links when given."""
    dump: dict[str, Any] = {
        "values": {attr: encode_value(value) for attr, value in row_values(resource, row).items()}
    }
    if links:
        dump["links"] = {
            name: [encode_value(key) for key in sorted(by_row.get(row.id, []), key=str)]
            for name, by_row in links.items()
        }
    return dump


_TAGS: dict[str, tuple[type, Callable[[Any], str], Callable[[str], object]]] = {
    "decimal": (decimal.Decimal, str, decimal.Decimal),
    "datetime": (datetime.datetime, datetime.datetime.isoformat, datetime.datetime.fromisoformat),
    "date": (datetime.date, datetime.date.isoformat, datetime.date.fromisoformat),
    "time": (datetime.time, datetime.time.isoformat, datetime.time.fromisoformat),
    "uuid": (uuid.UUID, str, uuid.UUID),
}


def encode_value(value: object) -> list[Any]:
    """A column value as JSON that `decode_value` turns back into the same Python value."""
    if isinstance(value, list | tuple):
        return ["list", [encode_value(item) for item in value]]
    for tag, (kind, encode, _) in _TAGS.items():
        if isinstance(value, kind):
            return [tag, encode(value)]
    return ["raw", value]


def decode_value(encoded: Sequence[Any]) -> Row:
    tag, payload = encoded
    if tag == "list":
        return [decode_value(item) for item in payload]
    if tag == "raw":
        return payload
    return _TAGS[tag][2](payload)
