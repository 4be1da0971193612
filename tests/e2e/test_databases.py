"""The generated models on real databases: SQLite, PostgreSQL and MariaDB/MySQL.

For the showcase and every golden case: `create_all` in a fresh database, then the database is
inspected for every named table, column, primary key, unique, index, check and foreign key the
models declare. Then small real round trips: rows with enums (quotes and all), decimals, JSON and
arrays go in and come back equal; server defaults equal the Python defaults; ON DELETE does what
the schema says. Then the traits' database objects: uniques over the live rows (soft_delete),
the project's own tables, and on PostgreSQL the updated_at trigger, row-level security for a
role that is not the owner, and GIN indexes.
"""

from __future__ import annotations

import datetime
import decimal
import uuid
from types import ModuleType
from typing import Any

import pytest
import sqlalchemy as sa
from helpers import DIALECTS, BuiltProject, golden_cases
from sqlalchemy.orm import Session

pytestmark = pytest.mark.db

PROJECTS = ["showcase", *golden_cases()]


@pytest.fixture(scope="module")
def models(build_project) -> Any:
    """`models(project)`: the project's models imported once per module, every table loaded."""
    imported: dict[str, ModuleType] = {}

    def get(name: str) -> ModuleType:
        if name not in imported:
            # The first use builds every project's models at once (or reuses full builds).
            build_project.many(PROJECTS, targets=("sqlalchemy",))
            project: BuiltProject = build_project(name, targets=("sqlalchemy",))
            imported[name] = project.import_models()
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

        # An index declared for some databases only (GIN: PostgreSQL) exists there and only there.
        here = [i for i in table.indexes if dialect in i.info.get("dialects", (dialect,))]
        elsewhere = {i.name for i in table.indexes} - {i.name for i in here}
        indexes = {i.name: ([c.name for c in i.columns], i.unique) for i in here}
        reflected_indexes = {
            i["name"]: (i["column_names"], bool(i["unique"]))
            for i in inspector.get_indexes(table.name)
        }
        assert_declared(indexes, reflected_indexes, f"{where} indexes")
        assert not elsewhere & set(reflected_indexes), f"{where}: made where not declared"
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
        # Keys set by hand: relations to a branching resource are view-only (no foreign key).
        def row(model: Any, **values: Any) -> Any:
            if hasattr(model, "tenant_id"):
                values.setdefault("tenant_id", "t1")
            instance = model(**values)
            session.add(instance)
            session.flush()
            return instance

        region = row(m.Region, name="North", code="NO")
        person = row(m.Person, full_name="Ada Lovelace", email="ada@example.com")
        parent = row(m.Office, name="HQ", region_id=region.id)
        office = row(
            m.Office,
            name="Branch",
            status="inactive",
            region_id=region.id,
            parent_id=parent.id,
            budget=decimal.Decimal("1234567890.12"),
            tags=["a", "it's", 'say "hi"', "🚀"],
            settings=settings,
        )
        session.execute(m.office_people.insert().values(office_id=office.id, person_id=person.id))
        row(m.Customer, name="Acme", office_id=office.id, tier="gold")
        session.commit()
        office_id = office.id

    with Session(engine) as session:
        office = session.scalars(sa.select(m.Office).where(m.Office.id == office_id)).one()
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


KIND_VALUES = ["economy", "it's", 'say "hi"', "back\\slash", "100%s", "\u2602 launch"]
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


# ---------------------------------------------------------------------------------------------
# Traits in the database


def gadget(m: ModuleType, maker: Any, name: str, **values: Any) -> Any:
    """A gadget whose other unique values (external_id; maker and type) are its own."""
    values.setdefault("tenant_id", "t1")
    values.setdefault("external_id", uuid.uuid4())
    values.setdefault("type", uuid.uuid4().hex)
    return m.Gadget(name=name, maker=maker, **values)


@pytest.mark.parametrize("dialect", DIALECTS)
def test_soft_deleted_rows_do_not_hold_their_unique_values(
    dialect: str, models, database_engine
) -> None:
    """Unique over the live rows on SQLite and PostgreSQL; MySQL has no partial index: every row."""
    m = models("kitchen_sink")
    engine = database_engine(dialect)
    m.Base.metadata.create_all(engine)
    gone = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
    with Session(engine) as session:
        maker = m.Maker(name="m")
        session.add_all([gadget(m, maker, "same", deleted_at=gone)])
        session.commit()
        session.add(gadget(m, maker, "same", deleted_at=gone))
        if dialect == "mysql":
            with pytest.raises(sa.exc.IntegrityError):
                session.commit()
            return
        session.commit()  # a second deleted row with the same name
        session.add(gadget(m, maker, "same"))
        session.commit()  # one live row with it
        session.add(gadget(m, maker, "same"))
        with pytest.raises(sa.exc.IntegrityError):
            session.commit()  # a second live one is refused
        session.rollback()
        # Per tenant, as before.
        session.add(gadget(m, maker, "same", tenant_id="t2"))
        session.commit()


@pytest.mark.parametrize("dialect", DIALECTS)
def test_the_audit_log_and_bulk_runs_tables_take_rows(
    dialect: str, models, database_engine
) -> None:
    m = models("kitchen_sink")
    engine = database_engine(dialect)
    m.Base.metadata.create_all(engine)
    with Session(engine) as session:
        entry = m.AuditLogEntry(
            resource="gadget", row_id="r1", action="update", before={"a": 1}, after=None
        )
        run = m.BulkRun(
            resource="gadget",
            operation="delete",
            filter={"kind": "x"},
            dry_run=False,
            undo_token="tok",
        )
        session.add_all([entry, run])
        session.commit()
        session.expire_all()
        entry = session.scalars(sa.select(m.AuditLogEntry)).one()
        assert (entry.id, entry.before, entry.after, entry.at is not None) == (
            1,
            {"a": 1},
            None,
            True,
        )
        run = session.scalars(sa.select(m.BulkRun)).one()
        assert isinstance(run.id, uuid.UUID)
        assert (run.matched, run.affected, run.failed, run.values) == (0, 0, 0, None)
        session.add(
            m.BulkRun(
                resource="gadget", operation="update", filter={}, dry_run=True, undo_token="tok"
            )
        )
        with pytest.raises(sa.exc.IntegrityError):
            session.commit()  # undo tokens are unique


def test_postgresql_keeps_updated_at_current_for_raw_updates(models, database_engine) -> None:
    m = models("kitchen_sink")
    engine = database_engine("postgresql")
    m.Base.metadata.create_all(engine)
    with Session(engine) as session:
        session.add(m.Draft(title="first"))
        session.commit()
    past = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
    with engine.begin() as connection:
        # A statement that sets updated_at itself keeps its value ...
        connection.execute(
            sa.text("UPDATE drafts SET title = 'second', updated_at = :t"), {"t": past}
        )
        assert connection.execute(sa.text("SELECT updated_at FROM drafts")).scalar_one() == past
    with engine.begin() as connection:
        # ... one that does not gets the time of its transaction.
        connection.execute(sa.text("UPDATE drafts SET title = 'third'"))
        updated, now = connection.execute(sa.text("SELECT updated_at, now() FROM drafts")).one()
        assert updated == now


def test_postgresql_row_level_security_holds_a_role_that_is_not_the_owner(
    models, database_engine
) -> None:
    m = models("kitchen_sink")
    engine = database_engine("postgresql")
    m.Base.metadata.create_all(engine)
    with Session(engine) as session:  # as the owner: row-level security does not apply
        maker = m.Maker(name="m")
        session.add_all(
            [
                gadget(m, maker, "mine", owner_id="u1"),
                gadget(m, maker, "system", owner_id="u2", is_system=True),
                gadget(m, maker, "theirs", owner_id="u2"),
                gadget(m, maker, "other tenant", tenant_id="t2", owner_id="u1"),
            ]
        )
        session.commit()
    role = f"sg_app_{uuid.uuid4().hex[:8]}"
    with engine.begin() as connection:
        connection.exec_driver_sql(f"CREATE ROLE {role} NOLOGIN")
        connection.exec_driver_sql(f"GRANT SELECT, INSERT, UPDATE, DELETE ON gadgets TO {role}")
    try:
        with engine.connect() as connection:
            # One transaction: SET ROLE and the settings hold until it ends.
            connection.exec_driver_sql(f"SET ROLE {role}")
            assert connection.execute(sa.text("SELECT current_user")).scalar_one() == role

            def names() -> list[str]:
                return sorted(connection.execute(sa.text("SELECT name FROM gadgets")).scalars())

            assert names() == []  # no tenant and no user: nothing
            connection.execute(sa.text("SELECT set_config('app.tenant_id', 't1', false)"))
            connection.execute(sa.text("SELECT set_config('app.user_id', 'u1', false)"))
            assert names() == ["mine", "system"]  # the caller's rows and the system ones
            connection.execute(sa.text("SELECT set_config('app.user_id', 'u2', false)"))
            assert names() == ["system", "theirs"]
            # Writes are checked too: a row for another owner is refused.
            with pytest.raises(sa.exc.ProgrammingError, match="row-level security"):
                connection.execute(
                    sa.text("UPDATE gadgets SET owner_id = 'u1' WHERE name = 'theirs'")
                )
            connection.rollback()
    finally:
        with engine.begin() as connection:
            connection.exec_driver_sql(f"DROP OWNED BY {role}")
            connection.exec_driver_sql(f"DROP ROLE {role}")
    with engine.connect() as connection:
        policy = (
            connection.execute(
                sa.text("SELECT policyname FROM pg_policies WHERE tablename = 'gadgets'")
            )
            .scalars()
            .all()
        )
        forced = connection.execute(
            sa.text(
                "SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE relname = 'gadgets'"
            )
        ).one()
    assert sorted(policy) == [f"gadgets_{c}" for c in ("delete", "insert", "select", "update")]
    assert tuple(forced) == (True, False)


def test_postgresql_indexes_an_indexed_array_with_gin(models, database_engine) -> None:
    m = models("kitchen_sink")
    engine = database_engine("postgresql")
    m.Base.metadata.create_all(engine)
    with engine.connect() as connection:
        definition = connection.execute(
            sa.text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_gadgets_tags'")
        ).scalar_one()
    assert "USING gin (tags)" in definition
