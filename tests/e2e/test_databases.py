"""The generated models on real databases: SQLite, PostgreSQL and MariaDB/MySQL.

For the showcase and every golden case: `create_all` in a fresh database, then the database is
inspected for every named table, column, primary key, unique, index, check and foreign key the
models declare. Then small real round trips: rows with enums (quotes and all), decimals, JSON and
arrays go in and come back equal; server defaults equal the Python defaults; ON DELETE does what
the schema says.
"""

from __future__ import annotations

import datetime
import decimal
import uuid
from types import ModuleType
from typing import Any

import pytest
import sqlalchemy as sa
from helpers import DIALECTS, BuiltProject, golden_cases, import_module_from
from sqlalchemy.orm import Session

pytestmark = pytest.mark.db

PROJECTS = ["showcase", *golden_cases()]


@pytest.fixture(scope="module")
def models(build_project) -> Any:
    """`models(project)`: the project's models.py imported once per module."""
    imported: dict[str, ModuleType] = {}

    def get(name: str) -> ModuleType:
        if name not in imported:
            # The first use builds every project's models at once (or reuses full builds).
            build_project.many(PROJECTS, targets=("sqlalchemy",))
            project: BuiltProject = build_project(name, targets=("sqlalchemy",))
            imported[name] = import_module_from(project.models_path)
        return imported[name]

    return get


def engine_with_foreign_keys(database_engine, dialect: str) -> sa.Engine:
    """An engine on a fresh database; SQLite enforces foreign keys only when asked per connection."""
    engine = database_engine(dialect)
    if dialect == "sqlite":

        @sa.event.listens_for(engine, "connect")
        def _enable_foreign_keys(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.execute("PRAGMA foreign_keys = ON")

    return engine


def assert_declared(declared: dict[str, Any], reflected: dict[str, Any], what: str) -> None:
    """Every declared object is in the database, by name, with the same definition."""
    wrong = {
        name: (value, reflected.get(name, "<missing>"))
        for name, value in declared.items()
        if reflected.get(name) != value
    }
    assert not wrong, f"{what}: declared vs in the database: {wrong}\n(database has: {reflected})"


def on_delete(dialect: str, rule: str | None) -> str:
    # MySQL's default rule is RESTRICT (NO ACTION is a synonym), and SHOW CREATE TABLE omits it.
    if dialect == "mysql" and rule in (None, "NO ACTION"):
        return "RESTRICT"
    return rule or "NO ACTION"


# ---------------------------------------------------------------------------------------------
# Schema: everything the models declare exists in the database, under its name


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("project", PROJECTS)
def test_create_all_makes_every_named_object(
    project: str, dialect: str, models, database_engine
) -> None:
    module = models(project)
    metadata: sa.MetaData = module.Base.metadata
    engine = database_engine(dialect)
    metadata.create_all(engine)

    inspector = sa.inspect(engine)
    assert set(inspector.get_table_names()) == set(metadata.tables)
    for table in metadata.tables.values():
        where = f"{dialect}: {table.name}"
        assert {c["name"] for c in inspector.get_columns(table.name)} == set(table.c.keys()), where

        primary_key = inspector.get_pk_constraint(table.name)
        assert primary_key["constrained_columns"] == [c.name for c in table.primary_key.columns], (
            where
        )
        if dialect == "postgresql":  # MySQL calls every primary key PRIMARY; SQLite keeps no name
            assert primary_key["name"] == table.primary_key.name, where

        uniques = {
            u.name: [c.name for c in u.columns]
            for u in table.constraints
            if isinstance(u, sa.UniqueConstraint)
        }
        reflected_uniques = {
            u["name"]: u["column_names"] for u in inspector.get_unique_constraints(table.name)
        }
        assert_declared(uniques, reflected_uniques, f"{where} uniques")

        indexes = {i.name: ([c.name for c in i.columns], i.unique) for i in table.indexes}
        reflected_indexes = {
            i["name"]: (i["column_names"], bool(i["unique"]))
            for i in inspector.get_indexes(table.name)
        }
        assert_declared(indexes, reflected_indexes, f"{where} indexes")
        if dialect == "postgresql":
            partial = {
                i.name: str(i.dialect_options["postgresql"]["where"])
                for i in table.indexes
                if i.dialect_options["postgresql"]["where"] is not None
            }
            reflected_partial = {
                i["name"]: i["dialect_options"].get("postgresql_where")
                for i in inspector.get_indexes(table.name)
            }
            for name in partial:
                assert reflected_partial[name], f"{where}: index {name} is not partial"

        # Enum CHECKs exist only where the enum is not native (SQLite); the schema's own everywhere.
        checks = {
            c.name
            for c in table.constraints
            if isinstance(c, sa.CheckConstraint)
            and (dialect == "sqlite" or not getattr(c, "_type_bound", False))
        }
        assert checks <= {c["name"] for c in inspector.get_check_constraints(table.name)}, where

        foreign_keys = {
            fk.name: (fk.column_keys, fk.referred_table.name, on_delete(dialect, fk.ondelete))
            for fk in table.foreign_key_constraints
        }
        reflected_fks = {
            fk["name"]: (
                fk["constrained_columns"],
                fk["referred_table"],
                on_delete(dialect, fk["options"].get("ondelete")),
            )
            for fk in inspector.get_foreign_keys(table.name)
        }
        assert_declared(foreign_keys, reflected_fks, f"{where} foreign keys")

        if dialect == "postgresql":  # comments: SQLite has none
            assert inspector.get_table_comment(table.name)["text"] == table.comment, where
            comments = {c["name"]: c.get("comment") for c in inspector.get_columns(table.name)}
            assert comments == {c.name: c.comment for c in table.c}, where

    if dialect == "postgresql":
        enums = {
            t.name: list(t.enums)
            for table in metadata.tables.values()
            for t in (c.type for c in table.c)
            if isinstance(t, sa.Enum)
        }
        assert {e["name"]: e["labels"] for e in inspector.get_enums()} == enums


# ---------------------------------------------------------------------------------------------
# Round trips


@pytest.mark.parametrize("dialect", DIALECTS)
def test_showcase_office_round_trip(dialect: str, models, database_engine) -> None:
    """An office with an enum, a decimal, JSON, an array and relations goes in and comes back."""
    m = models("showcase")
    engine = engine_with_foreign_keys(database_engine, dialect)
    m.Base.metadata.create_all(engine)
    settings = {"hours": {"mon": [9, 17]}, "note": 'it\'s "fine" \\ 🚀', "open": True, "none": None}
    with Session(engine) as session:
        region = m.Region(name="North", code="NO")
        person = m.Person(full_name="Ada Lovelace", email="ada@example.com")
        parent = m.Office(name="HQ", region=region)
        office = m.Office(
            name="Branch",
            status="inactive",
            region=region,
            parent=parent,
            budget=decimal.Decimal("1234567890.12"),
            tags=["a", "it's", 'say "hi"', "🚀"],
            settings=settings,
            people=[person],
        )
        session.add_all([office, m.Customer(name="Acme", office=office, tier="gold")])
        session.commit()
        office_id = office.id

    with Session(engine) as session:
        office = session.get(m.Office, office_id)
        assert office is not None
        assert office.status == "inactive"
        assert office.budget == decimal.Decimal("1234567890.12")
        assert office.tags == ["a", "it's", 'say "hi"', "🚀"]
        assert office.settings == settings
        assert office.parent.name == "HQ" and office.region.name == "North"
        assert [p.email for p in office.people] == ["ada@example.com"]
        assert [c.name for c in office.customers] == ["Acme"]
        assert office.customers[0].lifetime_value == decimal.Decimal(0)  # default
        assert office.created_at is not None and office.updated_at is not None
        # Filtering by the enum and the decimal works in SQL, not only in Python.
        found = session.scalars(
            sa.select(m.Office.name).where(m.Office.status == "inactive", m.Office.budget > 1000)
        ).all()
        assert found == ["Branch"]
        # The check constraint is real.
        office.budget = decimal.Decimal(-1)
        with pytest.raises((sa.exc.IntegrityError, sa.exc.OperationalError)):  # MariaDB: 4025
            session.commit()


KIND_VALUES = ["economy", "it's", 'say "hi"', "back\\slash", "100%s", "\U0001f680 launch"]
HOSTILE_JSON = {
    "it's": ['"', "\\", "</script>", "${y}", "%s", "\u2028"],
    "n": 1.5,
    "nested": {"ok": [True, None]},
}


@pytest.mark.parametrize("dialect", DIALECTS)
def test_kitchen_sink_round_trip(dialect: str, models, database_engine) -> None:
    """One gadget per enum value, each with hostile JSON, arrays and decimals, read back equal."""
    m = models("kitchen_sink")
    engine = engine_with_foreign_keys(database_engine, dialect)
    m.Base.metadata.create_all(engine)
    with Session(engine) as session:
        maker = m.Maker(name='Maker "x"')
        parts = [m.Part(name="bolt"), m.Part(name="it's a nut")]
        for i, kind in enumerate(KIND_VALUES):
            session.add(
                m.Gadget(
                    tenant_id="t1",
                    name=f"gadget {i} {kind}",
                    maker=maker,
                    parts=parts if i == 0 else [],
                    kind=kind,
                    type=f"type {i}",
                    external_id=uuid.uuid4(),
                    price=decimal.Decimal("12345678.90"),
                    ratio=decimal.Decimal("-9.9999"),
                    settings=HOSTILE_JSON,
                    tags=[kind, "plain"],
                    scores=[1, -2, 2**31 - 1],
                    from_=datetime.date(2024, 2, 29),
                    class_="first",
                    order=i,
                    async_=True,
                    select={"a": [1, 2]},
                    metadata_=["x"],
                )
            )
        session.commit()

    with Session(engine) as session:
        gadgets = session.scalars(sa.select(m.Gadget).order_by(m.Gadget.order)).all()
        assert [g.kind for g in gadgets] == KIND_VALUES
        for g in gadgets:
            assert g.settings == HOSTILE_JSON
            assert g.tags == [g.kind, "plain"]
            assert g.scores == [1, -2, 2**31 - 1]
            assert g.price == decimal.Decimal("12345678.90")
            assert g.ratio == decimal.Decimal("-9.9999")
            assert g.from_ == datetime.date(2024, 2, 29)
            assert (g.class_, g.async_, g.select, g.metadata_) == (
                "first",
                True,
                {"a": [1, 2]},
                ["x"],
            )
            assert g.maker.name == 'Maker "x"'
            # Python-side defaults
            assert (g.quantity, g.code, g.active, g.version, g.is_system) == (
                1,
                "AB-123",
                True,
                1,
                False,
            )
            assert (
                g.default == "-- not SQL; %s not a format; # not a comment; \U0001f680 \u2028 done"
            )
        assert sorted(p.name for p in gadgets[0].parts) == ["bolt", "it's a nut"]
        # Each quoted enum value also works as a SQL parameter, and was stored as written.
        for kind in KIND_VALUES:
            assert session.scalars(sa.select(m.Gadget.kind).where(m.Gadget.kind == kind)).all() == [
                kind
            ]
        # Untyped columns: the values exactly as the database holds them.
        raw = (
            sa.select(sa.column("kind"))
            .select_from(sa.table("gadgets"))
            .order_by(sa.column("order"))
        )
        assert list(session.scalars(raw)) == KIND_VALUES
        # A value outside the enum is refused by the database itself.
        with pytest.raises(sa.exc.DBAPIError):
            session.execute(sa.update(sa.table("gadgets", sa.column("kind"))).values(kind="nope"))
        session.rollback()


@pytest.mark.parametrize("dialect", DIALECTS)
def test_none_in_nullable_json_and_arrays_is_sql_null(
    dialect: str, models, database_engine
) -> None:
    """None stored in a JSON or array column is SQL NULL, so `IS NULL` (the isnull filter) finds it."""
    m = models("kitchen_sink")
    engine = database_engine(dialect)
    m.Base.metadata.create_all(engine)
    with Session(engine) as session:
        maker = m.Maker(name="m")
        session.add(
            m.Gadget(
                tenant_id="t", name="nulls", maker=maker, select=None, metadata_=None, scores=None
            )
        )
        session.add(
            m.Gadget(
                tenant_id="t",
                name="values",
                external_id=uuid.uuid4(),  # unique, and its default is a constant
                maker=maker,
                type="x",
                select=0,
                metadata_={},
                scores=[],
            )
        )
        session.commit()
        for column in (m.Gadget.select, m.Gadget.metadata_, m.Gadget.scores):
            found = session.scalars(sa.select(m.Gadget.name).where(column.is_(None))).all()
            assert found == ["nulls"], column


@pytest.mark.parametrize("dialect", DIALECTS)
def test_arrays_of_dates_round_trip(dialect: str, models, database_engine) -> None:
    m = models("kitchen_sink")
    engine = database_engine(dialect)
    m.Base.metadata.create_all(engine)
    dates, ids = [datetime.date(2024, 2, 29)], [uuid.uuid4()]
    with Session(engine) as session:
        session.add(
            m.Gadget(tenant_id="t", name="a", maker=m.Maker(name="m"), dates=dates, linked=ids)
        )
        session.commit()
        session.expire_all()
        gadget = session.scalars(sa.select(m.Gadget)).one()
        assert (gadget.dates, gadget.linked) == (dates, ids)


@pytest.mark.parametrize("dialect", DIALECTS)
def test_server_defaults_equal_python_defaults(dialect: str, models, database_engine) -> None:
    """A row inserted without the ORM's defaults gets, from the database, the same values."""
    m = models("kitchen_sink")
    engine = database_engine(dialect)
    m.Base.metadata.create_all(engine)
    table: sa.Table = m.Gadget.__table__
    maker_id = uuid.uuid4()
    with engine.begin() as connection:
        connection.execute(m.Maker.__table__.insert().values(id=maker_id, name="maker"))
    # The same table without any Python-side default: only the server can fill the gaps.
    bare = sa.Table(
        table.name,
        sa.MetaData(),
        *(sa.Column(c.name, c.type, primary_key=c.primary_key) for c in table.c),
    )
    values: dict[str, Any] = {"tenant_id": "t1", "name": "bare", "maker_id": maker_id}
    for column in table.c:
        if column.name not in values and not column.nullable and column.server_default is None:
            assert column.default is not None, f"{column.name}: NOT NULL without any default"
            values[column.name] = (
                column.default.arg(None) if callable(column.default.arg) else column.default.arg
            )
    problems = []
    with engine.begin() as connection:
        connection.execute(bare.insert().values(**values))
        row = connection.execute(sa.select(table).where(table.c.name == "bare")).mappings().one()
        for column in table.c:
            if column.server_default is None:
                continue
            if column.default is None or callable(column.default.arg):  # now(), current_date
                if row[column.name] is None:
                    problems.append(f"{column.name}: no value from the server default")
                continue
            if row[column.name] != column.default.arg:
                problems.append(
                    f"{column.name}: server default gave {row[column.name]!r}, Python default is {column.default.arg!r}"
                )
            # ... stored the way SQLAlchemy binds the value, so that filtering by it matches.
            where = table.c[column.name] == column.default.arg
            if (
                connection.execute(
                    sa.select(sa.func.count()).select_from(table).where(where)
                ).scalar()
                != 1
            ):
                problems.append(
                    f"{column.name}: filtering by the default value does not find the row"
                )
    assert not problems, f"{dialect}:\n" + "\n".join(problems)


@pytest.mark.parametrize("dialect", DIALECTS)
def test_on_delete_rules(dialect: str, models, database_engine) -> None:
    """restrict refuses, set_null clears, cascade deletes: enforced by the database."""
    m = models("relations")
    engine = engine_with_foreign_keys(database_engine, dialect)
    m.Base.metadata.create_all(engine)
    with Session(engine) as session:
        author, co_author = m.Author(name="A"), m.Author(name="B")
        publisher = m.Publisher(name="P")
        book = m.Book(
            title="T",
            author=author,
            co_author=co_author,
            publisher=publisher,
            translators=[co_author],
        )
        book.chapters = [m.Chapter(number=1), m.Chapter(number=2)]
        genre = m.Genre(name="root")
        book.genres = [m.Genre(name="leaf", parent=genre)]
        session.add(book)
        session.commit()
        book_id = book.id
        assert isinstance(author.id, int) and isinstance(book.id, uuid.UUID)

        # set_null: the co-author goes, the book stays without one.
        session.delete(co_author)
        session.commit()
        session.expire_all()
        assert session.get(m.Book, book_id).co_author_id is None
        assert (
            session.scalars(sa.select(m.book_translators.c.author_id)).all() == []
        )  # junction rows cascade
        # restrict: the author of a book cannot go.
        session.delete(author)
        with pytest.raises(sa.exc.IntegrityError):
            session.commit()
        session.rollback()
        # self relation: deleting the parent genre clears the child's parent.
        session.delete(genre)
        session.commit()
        assert session.scalars(sa.select(m.Genre.parent_id)).all() == [None]
        # cascade: the book's chapters go with it.
        session.delete(session.get(m.Book, book_id))
        session.commit()
        assert session.scalars(sa.select(sa.func.count()).select_from(m.Chapter)).one() == 0
