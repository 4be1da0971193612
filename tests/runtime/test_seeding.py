"""`runtime.seeding`: seed rows over the world's resources, on SQLite, PostgreSQL and MariaDB."""

from __future__ import annotations

import datetime
import decimal
import re
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, Any, Literal

import pytest
import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints
from sqlalchemy.orm import Session
from world import (
    TENANT,
    USER,
    Badge,
    Base,
    Draft,
    Memo,
    Note,
    Office,
    Person,
    Region,
    Tag,
    draft_tags,
    office_tags,
)

from schemagen.runtime import seeding
from schemagen.runtime.db import make_engine, session_factory, writer
from schemagen.runtime.resources import REGISTRY, Column, Resource, register
from schemagen.runtime.seeding import FieldSeed, ResourceSeed, SeedError, SeedOptions

OTHER_TENANT = "globex"


class Create(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NoteCreate(Create):
    id: uuid.UUID | None = None
    title: Annotated[str, StringConstraints(min_length=3, max_length=100)]
    body: str | None = None
    rank: Annotated[int, Field(ge=2, le=9)] | None = None
    big: int | None = None
    price: Annotated[decimal.Decimal, Field(max_digits=12, decimal_places=2, ge=0)] | None = None
    score: Annotated[float, Field(ge=0.5, le=1.5)] | None = None
    due: datetime.date | None = None
    at: datetime.datetime | None = None
    alarm: datetime.time | None = None
    done: bool = False
    kind: Literal["low", "high", "urgent"] | None = None
    tags: list[str] | None = None
    meta: dict[str, Any] | None = None
    ref: uuid.UUID | None = None


class NamedCreate(Create):
    name: Annotated[str, StringConstraints(max_length=50)]


class PersonCreate(NamedCreate):
    id: uuid.UUID | None = None


class BadgeCreate(Create):
    id: uuid.UUID | None = None
    person_id: uuid.UUID


class OfficeCreate(NamedCreate):
    id: uuid.UUID | None = None
    region_id: int
    manager_id: uuid.UUID | None = None
    tag_ids: list[int] = []


class MemoCreate(Create):
    id: uuid.UUID | None = None
    text: Annotated[str, StringConstraints(max_length=50, pattern=r"^[A-Z]{2}-\d$")]


class DraftCreate(Create):
    id: uuid.UUID | None = None
    title: Annotated[str, StringConstraints(max_length=50)]
    tag_ids: list[int] = []


class ContactCreate(Create):
    """Formats the world's note has no column of: checked by the Create model alone."""

    email: EmailStr


NAME = FieldSeed("name", "string", required=True, max_length=50)
NOTE_FIELDS = (
    FieldSeed("title", "string", required=True, min_length=3, max_length=100),
    FieldSeed("body", "text", nullable=True),
    FieldSeed("rank", "integer", nullable=True, minimum=2, maximum=9),
    FieldSeed("big", "bigint", nullable=True),
    FieldSeed("price", "decimal", nullable=True, minimum=0, precision=12, scale=2),
    FieldSeed("score", "float", nullable=True, minimum=0.5, maximum=1.5),
    FieldSeed("due", "date", nullable=True),
    FieldSeed("at", "datetime", nullable=True),
    FieldSeed("alarm", "time", nullable=True),
    FieldSeed("done", "boolean"),
    FieldSeed("kind", "enum", nullable=True, choices=("low", "high", "urgent")),
    FieldSeed("tags", "array", nullable=True, item="string"),
    FieldSeed("meta", "json", nullable=True),
    FieldSeed("ref", "uuid", nullable=True),
)
SEEDS = (
    ResourceSeed("note", NoteCreate, NOTE_FIELDS),
    ResourceSeed(
        "office",
        OfficeCreate,
        (
            FieldSeed("name", "string", required=True, max_length=50, unique=True),
            FieldSeed("region_id", "relation", required=True),
            FieldSeed("manager_id", "relation", nullable=True),
            FieldSeed("tag_ids", "many_to_many"),
        ),
    ),
    ResourceSeed("badge", BadgeCreate, (FieldSeed("person_id", "relation", required=True),)),
    ResourceSeed("person", PersonCreate, (NAME,)),
    ResourceSeed(
        "region",
        NamedCreate,
        (FieldSeed("name", "string", required=True, max_length=50, unique=True),),
    ),
    ResourceSeed("tag", NamedCreate, (NAME,)),
    ResourceSeed(
        "memo",
        MemoCreate,
        (
            FieldSeed(
                "text",
                "string",
                required=True,
                max_length=50,
                patterned=True,
                pattern_values=("AB-1", "CD-2", "EF-3"),
            ),
        ),
    ),
    ResourceSeed(
        "draft",
        DraftCreate,
        (
            FieldSeed("title", "string", required=True, max_length=50),
            FieldSeed("tag_ids", "many_to_many"),
        ),
    ),
)
TABLES = (Note, Region, Office, Person, Badge, Tag, Memo, Draft)
OPTIONS = SeedOptions(rows=15, seed=3, tenants=(TENANT, OTHER_TENANT), user=USER, system=4)


def sessions(engine: sa.Engine) -> Callable[[], Session]:
    return session_factory(writer(engine))


def fresh_engine(url: str) -> sa.Engine:
    engine = make_engine(url)
    Base.metadata.create_all(engine)
    return engine


def dump(engine: sa.Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every seeded table, in key order, without the clock's `updated_at`."""
    tables = [model.__table__ for model in TABLES] + [office_tags, draft_tags]
    found: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as connection:
        for table in tables:
            columns = [c for c in table.columns if c.name != "updated_at"]
            found[table.name] = [
                tuple(row)
                for row in connection.execute(
                    sa.select(*columns).order_by(*table.primary_key.columns)
                )
            ]
    return found


@pytest.mark.db
@pytest.mark.parametrize("dialect", ["sqlite", "postgresql", "mysql"])
def test_rows_follow_the_rules_parents_first(dialect: str, database_url: Any) -> None:
    engine = fresh_engine(database_url(dialect))
    try:
        heard: list[tuple[str, str | None, int]] = []
        report = seeding.seed(
            sessions(engine), SEEDS, OPTIONS, lambda r, t, n, _s: heard.append((r, t, n))
        )
        names = [name for name, _, _ in heard]
        for parent, child in (
            ("region", "office"),
            ("tag", "office"),
            ("person", "office"),
            ("person", "badge"),
            ("tag", "draft"),
        ):
            assert names.index(parent) < names.index(child), (parent, child, names)
        per_tenant = 2 * OPTIONS.rows
        assert report.rows == {
            "note": 15,
            "person": 15,
            "badge": 15,
            "memo": 15,
            "region": per_tenant,
            "tag": per_tenant,
            "office": per_tenant,
            "draft": per_tenant,
        }
        with Session(engine) as session:
            notes = session.scalars(sa.select(Note)).all()
            assert all(3 <= len(n.title) <= 100 for n in notes)
            assert all(n.rank is None or 2 <= n.rank <= 9 for n in notes)
            assert all(n.score is None or 0.5 <= n.score <= 1.5 for n in notes)
            assert all(n.kind in (None, "low", "high", "urgent") for n in notes)
            assert {n.done for n in notes} == {True, False}
            for office in session.scalars(sa.select(Office)):
                region = session.get(Region, office.region_id)
                assert region is not None and region.tenant_id == office.tenant_id
            linked = session.execute(
                sa.select(Office.tenant_id, Tag.tenant_id)
                .join(office_tags, office_tags.c.office_id == Office.id)
                .join(Tag, Tag.id == office_tags.c.tag_id)
            ).all()
            assert linked and all(a == b for a, b in linked)  # links stay in their tenant
            memos = session.scalars(sa.select(Memo)).all()
            assert {m.owner_id for m in memos} == {USER}
            assert sum(m.is_system for m in memos) == OPTIONS.system
            assert all(re.fullmatch(r"[A-Z]{2}-\d", m.text) for m in memos)
            assert {d.branch_id for d in session.scalars(sa.select(Draft))} == {"main"}
            names_by_tenant = session.execute(sa.select(Office.tenant_id, Office.name)).all()
            assert len(set(names_by_tenant)) == len(names_by_tenant)

        again = seeding.seed(sessions(engine), SEEDS, OPTIONS)  # the same seed, a second time
        assert again.rows == report.rows
        with Session(engine) as session:
            offices = session.execute(sa.select(Office.tenant_id, Office.name)).all()
            assert len(offices) == 2 * per_tenant and len(set(offices)) == len(offices)
    finally:
        engine.dispose()


def test_the_same_seed_makes_the_same_rows(tmp_path: Path) -> None:
    engines = [fresh_engine(f"sqlite:///{tmp_path / f'{n}.db'}") for n in range(3)]
    try:
        for engine, seed_value in zip(engines, (3, 3, 4), strict=True):
            seeding.seed(sessions(engine), SEEDS, SeedOptions(rows=6, seed=seed_value))
        first, twin, other = (dump(engine) for engine in engines)
        assert first == twin
        assert first["notes"] != other["notes"]
    finally:
        for engine in engines:
            engine.dispose()


def test_a_row_the_database_refuses_is_drawn_again_then_the_run_stops(session: Session) -> None:
    """The region's names are unique per tenant in the database; declared without `unique`, and
    with one possible value, the second row is refused every time."""
    one_name = ResourceSeed(
        "region", NamedCreate, (FieldSeed("name", "enum", required=True, choices=("north",)),)
    )
    with pytest.raises(SeedError, match=r"region: no valid row in 20 draws; .*(UNIQUE|unique)"):
        seeding.seed(lambda: session, [one_name], SeedOptions(rows=2, tenants=(TENANT,)))


@pytest.mark.parametrize(
    ("seeds", "options", "message"),
    [
        (SEEDS, SeedOptions(only=("regions",)), "unknown resource 'regions'; expected one of"),
        (SEEDS, SeedOptions(rows=2, system=3), r"system \(3\) cannot exceed rows \(2\)"),
        (SEEDS, SeedOptions(tenants=()), "at least one tenant"),
        (
            SEEDS,
            SeedOptions(only=("badge",)),
            "badge.person_id: no person row to point at",
        ),
        (
            [
                ResourceSeed(
                    "note",
                    NoteCreate,
                    (FieldSeed("kind", "enum", unique=True, choices=("low", "high")),),
                )
            ],
            SeedOptions(rows=3),
            "note.kind: unique with 2 values",
        ),
        (
            [
                ResourceSeed(
                    "note",
                    NoteCreate,
                    (FieldSeed("rank", "integer", unique=True, minimum=2, maximum=3),),
                )
            ],
            SeedOptions(rows=3),
            "note.rank: unique, and its bounds hold no more distinct values",
        ),
    ],
)
def test_a_run_that_cannot_go_on_says_why(
    engine: sa.Engine, seeds: Any, options: SeedOptions, message: str
) -> None:
    with pytest.raises(SeedError, match=message):
        seeding.seed(sessions(engine), seeds, options)


def test_an_optional_unique_field_is_null_once_its_values_run_out(engine: sa.Engine) -> None:
    """Two enum values, two integers in bounds: the other rows leave them NULL (no unique
    constraint counts NULLs) instead of ending the run."""
    fields = (
        FieldSeed("title", "string", required=True, min_length=3, max_length=100),
        FieldSeed("kind", "enum", nullable=True, unique=True, choices=("low", "high")),
        FieldSeed("rank", "integer", nullable=True, unique=True, minimum=2, maximum=3),
    )
    report = seeding.seed(
        sessions(engine), [ResourceSeed("note", NoteCreate, fields)], SeedOptions(rows=5)
    )
    assert report.rows == {"note": 5}
    with engine.connect() as connection:
        rows = connection.execute(sa.select(Note.kind, Note.rank)).all()
    kinds = [kind for kind, _ in rows if kind is not None]
    ranks = [rank for _, rank in rows if rank is not None]
    assert sorted(kinds) == ["high", "low"] and sorted(ranks) == [2, 3]
    assert len(rows) == 5


@pytest.fixture
def probes() -> Iterator[Callable[[str, dict[str, Column]], Resource]]:
    """`probe(name, columns)`: a resource registered for one test only."""
    made: list[str] = []

    def probe(name: str, columns: dict[str, Column]) -> Resource:
        made.append(name)
        return register(Resource(name=name, label=name, model=Note, key="uuid", columns=columns))

    yield probe
    for name in made:
        del REGISTRY[name]


def test_values_keep_their_formats_and_lengths(probes: Any) -> None:
    """Many draws of each format, plain and with serials: every one within its field's rules."""
    seeder = seeding.ResourceSeeder.__new__(seeding.ResourceSeeder)
    seeder.resource = probes("probe", {"id": Column("id", "uuid")})
    seeder.faker = seeding.Faker("en_US")
    seeder.faker.seed_instance(1)
    email = FieldSeed("email", "email", max_length=30)
    url = FieldSeed("homepage", "url", max_length=40)
    slug = FieldSeed("handle", "slug", max_length=12)
    phone = FieldSeed("hotline", "phone", max_length=16)
    decimal_field = FieldSeed("ratio", "decimal", precision=5, scale=4)
    for serial in [None, *range(200)]:
        address = seeder.value(email, "email", serial)
        assert isinstance(address, str) and len(address) <= 30
        ContactCreate(email=address)
        link = seeder.value(url, "url", serial)
        assert (
            isinstance(link, str) and re.fullmatch(r"https://[^\s/]+/\S*", link) and len(link) <= 40
        )
        handle = seeder.value(slug, "slug", serial)
        assert isinstance(handle, str) and re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", handle)
        assert len(handle) <= 12
        number = seeder.value(phone, "phone", serial)
        assert isinstance(number, str) and re.fullmatch(r"\+[1-9]\d{1,14}", number)
        ratio = decimal.Decimal(str(seeder.value(decimal_field, "decimal", None)))
        assert 0 <= ratio <= decimal.Decimal("9.9999") and -ratio.as_tuple().exponent <= 4
    serials = [seeder.value(email, "email", n) for n in range(200)]
    assert len(set(serials)) == 200  # a serial keeps unique values apart, even cut to length


def test_order_cuts_a_cycle_at_an_optional_relation(probes: Any) -> None:
    for name, target in (("hen", "egg"), ("egg", "hen")):
        probes(name, {f"{target}_id": Column(f"{target}_id", "uuid", references=target)})
    hen = ResourceSeed("hen", NamedCreate, (FieldSeed("egg_id", "relation", required=True),))
    egg = ResourceSeed("egg", NamedCreate, (FieldSeed("hen_id", "relation", nullable=True),))
    assert [s.name for s in seeding.order([hen, egg])] == ["egg", "hen"]
    both = ResourceSeed("egg", NamedCreate, (FieldSeed("hen_id", "relation", required=True),))
    with pytest.raises(SeedError, match="required relations form a cycle: egg, hen"):
        seeding.order([hen, both])


def test_a_batch_the_database_refuses_is_done_again_a_row_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Three regions of a tenant from three names: a batch whose draws repeat a name is refused
    whole (no savepoint a row), then done again from the same draws with the repeat drawn anew.
    Some of these seeds repeat a name; every run ends with the three names."""
    three_names = ResourceSeed(
        "region",
        NamedCreate,
        (FieldSeed("name", "enum", required=True, choices=("north", "south", "east")),),
    )
    batches: list[bool] = []  # careful or not, each batch of the current run
    original = seeding.ResourceSeeder.batch

    def spy(self: Any, *args: Any, careful: bool, **kwargs: Any) -> None:
        batches.append(careful)
        original(self, *args, careful=careful, **kwargs)

    monkeypatch.setattr(seeding.ResourceSeeder, "batch", spy)
    redone = 0
    for seed_value in range(6):
        batches.clear()
        engine = fresh_engine(f"sqlite:///{tmp_path / f'{seed_value}.db'}")
        try:
            options = SeedOptions(rows=3, seed=seed_value, tenants=(TENANT,), batch_size=3)
            seeding.seed(sessions(engine), [three_names], options)
            redone += batches == [False, True]
            with Session(engine) as session:
                names = sorted(session.scalars(sa.select(Region.name)))
            assert names == ["east", "north", "south"]
        finally:
            engine.dispose()
    assert redone, "no seed repeated a name: the test proves nothing"
