"""A small world for the runtime's unit tests: SQLAlchemy models and their `Resource`s.

`note` has no trait and a column of every kind; `region` (tenant, soft delete, versioned, audit,
its `updated_at` from a clock that ticks at each write) has `office`s that cascade from it and link to `tag`s; `memo` is owned; `draft` is per tenant,
branching and audited, with links kept per branch; `badge` restricts deleting its `person`, and
`office.manager_id` points at a person without a foreign key (set to null on delete). Each test
gets fresh tables in a SQLite database of its own.
"""

from __future__ import annotations

import datetime
import decimal
import itertools
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from schemagen.runtime.resources import Column, Inbound, ManyToMany, Resource, register

TENANT = "acme"
USER = "ann"


class Base(DeclarativeBase):
    pass


def uuid_key() -> Mapped[uuid.UUID]:
    return mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)


class Note(Base):
    __tablename__ = "notes"
    id: Mapped[uuid.UUID] = uuid_key()
    title: Mapped[str] = mapped_column(sa.String(100))
    body: Mapped[str | None] = mapped_column(sa.Text)
    rank: Mapped[int | None]
    big: Mapped[int | None] = mapped_column(sa.BigInteger)
    price: Mapped[decimal.Decimal | None] = mapped_column(sa.Numeric(12, 2))
    score: Mapped[float | None]
    due: Mapped[datetime.date | None]
    at: Mapped[datetime.datetime | None] = mapped_column(sa.DateTime(timezone=True))
    alarm: Mapped[datetime.time | None]
    done: Mapped[bool] = mapped_column(default=False)
    kind: Mapped[str | None] = mapped_column(
        sa.Enum("low", "high", "urgent", name="kind", native_enum=False)
    )
    tags: Mapped[list[str] | None] = mapped_column(sa.JSON)
    meta: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    ref: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)


_TICKS = itertools.count()


def tick() -> datetime.datetime:
    """A clock that moves on by a second at each reading: writes in one test get distinct times,
    whatever the machine's clock resolution."""
    return datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC) + datetime.timedelta(
        seconds=next(_TICKS)
    )


class Region(Base):
    __tablename__ = "regions"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(50))
    tenant_id: Mapped[str] = mapped_column(sa.String(64))
    deleted_at: Mapped[datetime.datetime | None]
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime.datetime] = mapped_column(default=tick, onupdate=tick)
    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}  # noqa: RUF012
    __table_args__ = (sa.UniqueConstraint("tenant_id", "name", name="uq_regions_name"),)


class Person(Base):
    __tablename__ = "people"
    id: Mapped[uuid.UUID] = uuid_key()
    name: Mapped[str] = mapped_column(sa.String(50))


class Tag(Base):
    __tablename__ = "tags"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(50))
    tenant_id: Mapped[str] = mapped_column(sa.String(64))


office_tags = sa.Table(
    "office_tags",
    Base.metadata,
    sa.Column(
        "office_id", sa.Uuid, sa.ForeignKey("offices.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("tag_id", sa.Integer, sa.ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
)


class Office(Base):
    __tablename__ = "offices"
    id: Mapped[uuid.UUID] = uuid_key()
    name: Mapped[str] = mapped_column(sa.String(50))
    tenant_id: Mapped[str] = mapped_column(sa.String(64))
    region_id: Mapped[int] = mapped_column(sa.ForeignKey("regions.id", ondelete="CASCADE"))
    manager_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)  # no foreign key
    deleted_at: Mapped[datetime.datetime | None]


class Badge(Base):
    __tablename__ = "badges"
    id: Mapped[uuid.UUID] = uuid_key()
    person_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("people.id"))


class Memo(Base):
    __tablename__ = "memos"
    id: Mapped[uuid.UUID] = uuid_key()
    text: Mapped[str] = mapped_column(sa.String(50))
    owner_id: Mapped[str] = mapped_column(sa.String(64))
    is_system: Mapped[bool] = mapped_column(default=False)


class Draft(Base):
    __tablename__ = "drafts"
    id: Mapped[uuid.UUID] = uuid_key()
    branch_id: Mapped[str] = mapped_column(sa.String(64), primary_key=True, default="main")
    branch_deleted: Mapped[bool] = mapped_column(default=False)
    title: Mapped[str] = mapped_column(sa.String(50))
    tenant_id: Mapped[str] = mapped_column(sa.String(64))


draft_tags = sa.Table(
    "draft_tags",
    Base.metadata,
    sa.Column("draft_id", sa.Uuid, primary_key=True),
    sa.Column("tag_id", sa.Integer, primary_key=True),
    sa.Column("branch_id", sa.String(64), primary_key=True),
)


class AuditLogEntry(Base):
    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    resource: Mapped[str] = mapped_column(sa.String(64))
    row_id: Mapped[str] = mapped_column(sa.String(64))
    action: Mapped[str] = mapped_column(sa.String(64))
    before: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    actor: Mapped[str | None] = mapped_column(sa.String(64))
    tenant_id: Mapped[str | None] = mapped_column(sa.String(64))
    branch_id: Mapped[str | None] = mapped_column(sa.String(64))
    ip_address: Mapped[str | None] = mapped_column(sa.String(45))
    user_agent: Mapped[str | None] = mapped_column(sa.String(512))
    at: Mapped[datetime.datetime]


class BulkRun(Base):
    __tablename__ = "bulk_runs"
    id: Mapped[uuid.UUID] = uuid_key()
    resource: Mapped[str] = mapped_column(sa.String(64))
    operation: Mapped[str] = mapped_column(sa.String(16))
    filter: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    values: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    dry_run: Mapped[bool]
    matched: Mapped[int]
    affected: Mapped[int]
    failed: Mapped[int]
    actor: Mapped[str | None] = mapped_column(sa.String(64))
    tenant_id: Mapped[str | None] = mapped_column(sa.String(64))
    branch_id: Mapped[str | None] = mapped_column(sa.String(64))
    ip_address: Mapped[str | None] = mapped_column(sa.String(45))
    user_agent: Mapped[str | None] = mapped_column(sa.String(512))
    created_at: Mapped[datetime.datetime]
    undo_token: Mapped[str | None] = mapped_column(sa.String(64))
    undo_expires_at: Mapped[datetime.datetime | None]
    undo_data: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    undone_at: Mapped[datetime.datetime | None]
    status: Mapped[str] = mapped_column(sa.String(16), default="done")
    last_key: Mapped[str | None] = mapped_column(sa.String(64))
    errors: Mapped[list[dict[str, Any]] | None] = mapped_column(sa.JSON)
    started_at: Mapped[datetime.datetime | None]
    finished_at: Mapped[datetime.datetime | None]
    confirmation_token: Mapped[str | None] = mapped_column(sa.String(64), unique=True)


class IdempotencyKey(Base):
    __tablename__ = "idempotency_keys"
    id: Mapped[int] = mapped_column(primary_key=True)
    digest: Mapped[str] = mapped_column(sa.String(64), unique=True)
    key: Mapped[str] = mapped_column(sa.String(255))
    fingerprint: Mapped[str] = mapped_column(sa.String(64))
    actor: Mapped[str | None] = mapped_column(sa.String(64))
    tenant_id: Mapped[str | None] = mapped_column(sa.String(64))
    branch_id: Mapped[str | None] = mapped_column(sa.String(64))
    status: Mapped[int | None]
    headers: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    body: Mapped[str | None] = mapped_column(sa.JSON)
    created_at: Mapped[datetime.datetime]
    expires_at: Mapped[datetime.datetime]


class ChangeFeedEntry(Base):
    __tablename__ = "change_feed"
    id: Mapped[int] = mapped_column(primary_key=True)
    resource: Mapped[str] = mapped_column(sa.String(100))
    row_id: Mapped[str] = mapped_column(sa.String(64))
    action: Mapped[str] = mapped_column(sa.String(64))
    row: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    actor: Mapped[str | None] = mapped_column(sa.String(64))
    tenant_id: Mapped[str | None] = mapped_column(sa.String(64))
    owner_id: Mapped[str | None] = mapped_column(sa.String(64))
    branch_id: Mapped[str | None] = mapped_column(sa.String(64))
    ip_address: Mapped[str | None] = mapped_column(sa.String(45))
    user_agent: Mapped[str | None] = mapped_column(sa.String(512))
    at: Mapped[datetime.datetime]


class ChangeFeedClock(Base):
    __tablename__ = "change_feed_clock"
    id: Mapped[int] = mapped_column(primary_key=True)
    commits: Mapped[int]


KEY = Column("id", "uuid", writable=False)
NOTE_FILTERS = "id title body rank big price score due at alarm done kind tags meta ref"
NOTE = register(
    Resource(
        name="note",
        label="Note",
        model=Note,
        key="uuid",
        columns={
            "id": KEY,
            "title": Column("title", "string"),
            "body": Column("body", "text", nullable=True),
            "rank": Column("rank", "integer", nullable=True),
            "big": Column("big", "bigint", nullable=True),
            "price": Column("price", "decimal", nullable=True),
            "score": Column("score", "float", nullable=True),
            "due": Column("due", "date", nullable=True),
            "at": Column("at", "datetime", nullable=True),
            "alarm": Column("alarm", "time", nullable=True),
            "done": Column("done", "boolean"),
            "kind": Column("kind", "enum", nullable=True, choices=("low", "high", "urgent")),
            "tags": Column("tags", "array", nullable=True, item="string"),
            "meta": Column("meta", "json", nullable=True),
            "ref": Column("ref", "uuid", nullable=True),
        },
        filterable=tuple(NOTE_FILTERS.split()),
        sortable=("id", "title", "rank", "price", "score", "due", "at", "kind", "done"),
        searchable=("title", "body", "rank"),
        default_sort=("title",),
        page_size=3,
        max_page_size=10,
    )
)
PERSON = register(
    Resource(
        name="person",
        label="Person",
        model=Person,
        key="uuid",
        columns={"id": KEY, "name": Column("name", "string")},
        inbound=(
            Inbound("badge", "person_id", "restrict"),
            Inbound("office", "manager_id", "set_null", enforced=False),
        ),
    )
)
BADGE = register(
    Resource(
        name="badge",
        label="Badge",
        model=Badge,
        key="uuid",
        columns={"id": KEY, "person_id": Column("person_id", "uuid", references="person")},
    )
)
TAG = register(
    Resource(
        name="tag",
        label="Tag",
        model=Tag,
        key="integer",
        columns={
            "id": Column("id", "integer", writable=False),
            "name": Column("name", "string"),
            "tenant_id": Column("tenant_id", "string", writable=False),
        },
        traits=("tenant",),
        unlinks=((draft_tags, "tag_id", None),),
    )
)
REGION = register(
    Resource(
        name="region",
        label="Region",
        model=Region,
        key="integer",
        columns={
            "id": Column("id", "integer", writable=False),
            "name": Column("name", "string"),
            "tenant_id": Column("tenant_id", "string", writable=False),
            "deleted_at": Column("deleted_at", "datetime", nullable=True, writable=False),
            "version": Column("version", "integer", writable=False),
            "updated_at": Column("updated_at", "datetime", writable=False),
        },
        filterable=("name",),
        sortable=("id", "name"),
        inbound=(Inbound("office", "region_id", "cascade"),),
        traits=("tenant", "soft_delete", "versioned", "audit"),
    )
)
OFFICE = register(
    Resource(
        name="office",
        label="Office",
        model=Office,
        key="uuid",
        columns={
            "id": KEY,
            "name": Column("name", "string"),
            "tenant_id": Column("tenant_id", "string", writable=False),
            "region_id": Column("region_id", "integer", references="region"),
            "manager_id": Column(
                "manager_id", "uuid", nullable=True, references="person", enforced=False
            ),
            "deleted_at": Column("deleted_at", "datetime", nullable=True, writable=False),
        },
        many_to_many={"tag_ids": ManyToMany(office_tags, "office_id", "tag_id", "tag", "integer")},
        filterable=("name", "tag_ids", "region_id"),
        sortable=("id", "name"),
        traits=("tenant", "soft_delete", "audit"),
    )
)
MEMO = register(
    Resource(
        name="memo",
        label="Memo",
        model=Memo,
        key="uuid",
        columns={
            "id": KEY,
            "text": Column("text", "string"),
            "owner_id": Column("owner_id", "string", writable=False),
            "is_system": Column("is_system", "boolean", writable=False),
        },
        filterable=("text",),
        sortable=("id",),
        traits=("owned",),
    )
)
DRAFT = register(
    Resource(
        name="draft",
        label="Draft",
        model=Draft,
        key="uuid",
        columns={
            "id": KEY,
            "title": Column("title", "string"),
            "tenant_id": Column("tenant_id", "string", writable=False),
        },
        many_to_many={
            "tag_ids": ManyToMany(
                draft_tags, "draft_id", "tag_id", "tag", "integer", branch="branch_id"
            )
        },
        filterable=("title", "tag_ids"),
        sortable=("id", "title"),
        traits=("tenant", "branching", "audit"),
    )
)
