"""Migrations end to end: schema evolutions applied step by step on SQLite, PostgreSQL and MariaDB.

`tests/migrations/evolution/v1 ... v7` are seven versions of one project's schemas. The real CLI
writes one revision per version (`schemagen migrate`), then each database gets them one by one,
with rows inserted before every step and checked after it: nothing is lost on a non-destructive
step, a renamed column or table keeps its values, a new NOT NULL column with a default is filled,
traits added to tables with rows bring their columns, partial uniques and (on PostgreSQL) their
trigger, row-level security policy and GIN index. At head `alembic check` finds no difference between the database and the models, and `downgrade
base` followed by `upgrade head` works on the database that holds the rows.
"""

from __future__ import annotations

import datetime
import decimal
import json
import shutil
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from helpers import DIALECTS, REPO, run_cli
from typer.testing import CliRunner

from schemagen.cli import app

pytestmark = pytest.mark.db

EVOLUTION = REPO / "tests" / "migrations" / "evolution"
VERSIONS = sorted(p.name for p in EVOLUTION.glob("v*") if p.is_dir())
DESTRUCTIVE = {"v4", "v6"}  # written with --accept-data-loss
UUID_COLUMNS = {"id", "author_id", "writer_id", "book_id", "publisher_id", "flagship_id"}


class Evolution:
    """The evolution project after every version was migrated (and built once, at head)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.migrations = root / "generated" / "migrations"
        self.outputs: dict[str, Any] = {}

    @property
    def revisions(self) -> list[str]:
        """Revision ids in order, from the files `migrate` wrote."""
        ids = []
        for path in sorted((self.migrations / "versions").glob("0*.py")):
            line = next(
                line for line in path.read_text().splitlines() if line.startswith("revision = ")
            )
            ids.append(line.split('"')[1])
        return ids

    def use(self, version: str) -> None:
        shutil.rmtree(self.root / "schemas", ignore_errors=True)
        shutil.copytree(EVOLUTION / version, self.root / "schemas")


@pytest.fixture(scope="module")
def evolution(tmp_path_factory: pytest.TempPathFactory) -> Evolution:
    root = tmp_path_factory.mktemp("evolution") / "evolution"
    root.mkdir()
    shutil.copy2(EVOLUTION / "schemagen.toml", root / "schemagen.toml")
    project = Evolution(root)
    for version in VERSIONS:
        project.use(version)
        if version == "v4":
            project.outputs["refused v4"] = run_cli("migrate", "-m", version, cwd=root, check=False)
        # In this process (the real command, without starting Python six times).
        args = [
            "migrate",
            "-C",
            str(root),
            "-m",
            version,
            *(["--accept-data-loss"] if version in DESTRUCTIVE else []),
        ]
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 0, f"migrate {version}: {result.output}"
    run_cli("build", cwd=root)  # the models and env.py of the head version
    project.outputs["check at head"] = run_cli("check", cwd=root, check=False)
    return project


# ---------------------------------------------------------------------------------------------
# The CLI around the evolution


def test_one_revision_per_version(evolution: Evolution) -> None:
    files = sorted(p.name for p in (evolution.migrations / "versions").glob("*.py"))
    assert files == [f"{n:04d}_{v}.py" for n, v in enumerate(VERSIONS, start=1)]
    assert len(set(evolution.revisions)) == len(VERSIONS)
    assert (evolution.migrations / "snapshot.json").is_file()


def test_at_head_check_passes(evolution: Evolution) -> None:
    assert evolution.outputs["check at head"].returncode == 0, evolution.outputs[
        "check at head"
    ].stderr


def test_data_loss_is_refused_without_the_flag(evolution: Evolution) -> None:
    refused = evolution.outputs["refused v4"]
    assert refused.returncode == 1
    for step in (
        "drop column authors.bio",
        "remove 'archived' from enum book_status",
        "from VARCHAR(20) to VARCHAR(10)",
        "drop table imprints",
    ):
        assert step in refused.stderr, refused.stderr
    assert "--accept-data-loss" in refused.stderr and "Traceback" not in refused.stderr
    assert "nothing was written" in refused.stderr


def test_revisions_name_what_they_do(evolution: Evolution) -> None:
    v4 = next((evolution.migrations / "versions").glob("0004_*.py")).read_text()
    assert "Data loss accepted (--accept-data-loss):" in v4
    assert "MySQL and MariaDB commit every DDL statement" in v4
    v2 = next((evolution.migrations / "versions").glob("0002_*.py")).read_text()
    assert "ADD VALUE IF NOT EXISTS 'archived'" in v2 and "autocommit_block" in v2
    assert "Create Date" not in v2


# ---------------------------------------------------------------------------------------------
# On the databases


class Database:
    """Rows in and out of a database whose tables change under it: reflected afresh each time."""

    def __init__(self, url: str) -> None:
        # Pooled: a new MySQL connection costs PyMySQL a fresh SSL context (tens of milliseconds).
        self.engine = sa.create_engine(url)
        self.dialect = self.engine.dialect.name

    def table(self, table_name: str) -> sa.Table:
        table = sa.Table(table_name, sa.MetaData(), autoload_with=self.engine)
        for column in table.columns:
            # Reflection sees CHAR(32) on SQLite; the models bind uuid.UUID through sa.Uuid.
            if column.name in UUID_COLUMNS and not isinstance(column.type, sa.Integer):
                column.type = sa.Uuid()
            if column.name == "settings":
                column.type = sa.JSON()
        return table

    def tables(self) -> set[str]:
        return set(sa.inspect(self.engine).get_table_names()) - {"alembic_version"}

    def columns(self, table_name: str) -> set[str]:
        return {c["name"] for c in sa.inspect(self.engine).get_columns(table_name)}

    def insert(self, table_name: str, **values: Any) -> Any:
        table = self.table(table_name)
        with self.engine.begin() as connection:
            result = connection.execute(table.insert().values(**values))
            return values.get("id") or result.inserted_primary_key[0]

    def update(self, table_name: str, key: Any, **values: Any) -> None:
        table = self.table(table_name)
        with self.engine.begin() as connection:
            connection.execute(table.update().where(table.c.id == key).values(**values))

    def delete(self, table_name: str, key: Any) -> None:
        table = self.table(table_name)
        with self.engine.begin() as connection:
            connection.execute(table.delete().where(table.c.id == key))

    def row(self, table_name: str, key: Any) -> dict[str, Any]:
        table = self.table(table_name)
        with self.engine.connect() as connection:
            found = connection.execute(sa.select(table).where(table.c.id == key)).mappings().one()
        return {k: _plain(v) for k, v in found.items()}

    def count(self, table_name: str) -> int:
        with self.engine.connect() as connection:
            return connection.execute(
                sa.select(sa.func.count()).select_from(self.table(table_name))
            ).scalar_one()

    def pairs(self, table_name: str, left: str, right: str) -> set[tuple[Any, Any]]:
        table = self.table(table_name)
        with self.engine.connect() as connection:
            return {
                (r[0], r[1]) for r in connection.execute(sa.select(table.c[left], table.c[right]))
            }


def _plain(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in "{[":
        try:
            return json.loads(value)  # JSON is LONGTEXT to MariaDB's reflection
        except ValueError:
            return value
    return value


def alembic_config(evolution: Evolution) -> Any:
    from alembic.config import Config

    config = Config(str(evolution.migrations / "alembic.ini"))
    config.attributes["skip_logging"] = True  # keep pytest's logging as it is
    return config


@pytest.mark.parametrize("dialect", DIALECTS)
def test_evolution_step_by_step(
    dialect: str,
    evolution: Evolution,
    database_url: Callable[[str], str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from alembic import command

    url = database_url(dialect)
    monkeypatch.setenv("DATABASE_URL", url)
    config = alembic_config(evolution)
    revisions = evolution.revisions
    db = Database(url)
    try:
        ids = _v1(db, lambda: command.upgrade(config, revisions[0]))
        _v2(db, ids, lambda: command.upgrade(config, revisions[1]))
        _v3(db, ids, lambda: command.upgrade(config, revisions[2]))
        _v4(db, ids, lambda: command.upgrade(config, revisions[3]))
        _v5(db, ids, lambda: command.upgrade(config, revisions[4]))
        _v6(db, ids, lambda: command.upgrade(config, revisions[5]))
        _v7(db, ids, lambda: command.upgrade(config, revisions[6]))

        # At head the database is exactly what the models describe.
        command.check(config)

        # Down to nothing and back up, with the rows in place (those a downgrade cannot take back
        # removed first: a duplicate email, a deleted label's name and a deleted book's isbn,
        # which the old unique constraints would refuse).
        db.delete("authors", ids["a3"])
        if "t4" in ids:
            db.delete("labels", ids["t4"])
        if "b4" in ids:
            db.delete("volumes", ids["b4"])
        command.downgrade(config, "base")
        assert db.tables() == set(), f"{dialect}: left behind by downgrade base"
        if dialect == "postgresql":
            with db.engine.connect() as connection:
                enums = (
                    connection.exec_driver_sql("SELECT typname FROM pg_type WHERE typtype = 'e'")
                    .scalars()
                    .all()
                )
                functions = connection.exec_driver_sql(
                    "SELECT proname FROM pg_proc WHERE proname = 'schemagen_touch_updated_at'"
                ).all()
            assert enums == [], f"enum types left behind: {enums}"
            assert functions == [], f"functions left behind: {functions}"
        command.upgrade(config, "head")
        command.check(config)
        assert db.tables() == {
            "authors",
            "volumes",
            "labels",
            "volumes_labels",
            "publishers",
            "shelves",
            "audit_log",
            "bulk_runs",
            "idempotency_keys",
            "change_feed",
            "change_feed_clock",
        }
    finally:
        db.engine.dispose()


def _v1(db: Database, upgrade: Callable[[], None]) -> dict[str, Any]:
    upgrade()
    ids: dict[str, Any] = {
        "a1": uuid.uuid4(),
        "a2": uuid.uuid4(),
        "b1": uuid.uuid4(),
        "b2": uuid.uuid4(),
    }
    db.insert(
        "authors",
        id=ids["a1"],
        name="Ann",
        email="ann@example.org",
        bio="Writes.",
        nickname="annie",
    )
    db.insert("authors", id=ids["a2"], name="Bob")
    ids["t1"] = db.insert("tags", name="fiction")
    ids["t2"] = db.insert("tags", name="poetry")
    db.insert(
        "books",
        id=ids["b1"],
        title="First",
        status="draft",
        price=decimal.Decimal("9.50"),
        author_id=ids["a1"],
        pages=100,
        legacy_code="L-1",
    )
    db.insert(
        "books",
        id=ids["b2"],
        title="Second",
        status="published",
        author_id=ids["a2"],
        legacy_code="L-22",
    )
    for book, tag in (("b1", "t1"), ("b1", "t2"), ("b2", "t1")):
        db.insert("books_tags", book_id=ids[book], tag_id=ids[tag])
    return ids


def _v2(db: Database, ids: dict[str, Any], upgrade: Callable[[], None]) -> None:
    upgrade()
    ann = db.row("authors", ids["a1"])
    assert (ann["name"], ann["email"], ann["bio"], ann["nickname"], ann["country"]) == (
        "Ann",
        "ann@example.org",
        "Writes.",
        "annie",
        None,
    )
    # NOT NULL columns added to a table with rows: their defaults filled them.
    assert bool(ann["active"]) is True and isinstance(ann["created_at"], datetime.datetime)
    first = db.row("books", ids["b1"])
    assert (
        first["title"],
        first["status"],
        first["price"],
        first["pages"],
        first["legacy_code"],
    ) == ("First", "draft", decimal.Decimal("9.50"), 100, "L-1")
    assert (first["isbn"], first["publisher_id"]) == (None, None)
    assert db.count("books_tags") == 3
    # New tables (a foreign-key cycle), a new enum value, a wider column, a new unique column.
    ids["p1"], ids["i1"], ids["b3"] = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    db.insert("publishers", id=ids["p1"], name="Pub")
    db.insert("imprints", id=ids["i1"], name="Imprint", publisher_id=ids["p1"])
    db.update("publishers", ids["p1"], flagship_id=ids["i1"])
    db.insert(
        "books",
        id=ids["b3"],
        title="T" * 250,
        status="archived",
        author_id=ids["a1"],
        pages=300,
        isbn="ISBN-3",
        publisher_id=ids["p1"],
        legacy_code="L-333",
    )


def _v3(db: Database, ids: dict[str, Any], upgrade: Callable[[], None]) -> None:
    upgrade()
    assert {"tags", "books_tags"}.isdisjoint(db.tables())
    ann = db.row("authors", ids["a1"])
    assert ann["pen_name"] == "annie" and "nickname" not in ann  # a renamed column keeps its values
    assert db.row("books", ids["b1"])["writer_id"] == ids["a1"]
    assert db.row("labels", ids["t2"])["name"] == "poetry"
    assert db.pairs("books_labels", "book_id", "label_id") == {
        (ids["b1"], ids["t1"]),
        (ids["b1"], ids["t2"]),
        (ids["b2"], ids["t1"]),
    }
    ids["t3"] = db.insert("labels", name="drama")  # the integer key still counts up
    assert ids["t3"] not in (ids["t1"], ids["t2"])
    db.insert("books_labels", book_id=ids["b2"], label_id=ids["t3"])


def _v4(db: Database, ids: dict[str, Any], upgrade: Callable[[], None]) -> None:
    upgrade()
    assert "bio" not in db.columns("authors") and "imprints" not in db.tables()
    assert (
        "flagship_id" not in db.columns("publishers")
        and db.row("publishers", ids["p1"])["name"] == "Pub"
    )
    assert db.row("books", ids["b3"])["status"] == "draft"  # 'archived' was removed: the default
    assert db.row("books", ids["b2"])["legacy_code"] == "L-22"  # narrowed, and it fits
    assert db.row("authors", ids["a1"])["pen_name"] == "annie"
    # The unique constraint on email is gone.
    ids["a3"] = uuid.uuid4()
    db.insert("authors", id=ids["a3"], name="Ann again", email="ann@example.org")


def _v5(db: Database, ids: dict[str, Any], upgrade: Callable[[], None]) -> None:
    upgrade()
    bob = db.row("authors", ids["a2"])
    assert bob["country"] == "US"  # NULL filled by the default before NOT NULL
    assert bob["tier"] == "basic"  # new NOT NULL column, filled by its default
    first = db.row("books", ids["b1"])
    assert first["settings"] == {
        "format": "paperback"
    }  # a default only Python applies, filled by UPDATE
    assert first["price"] == decimal.Decimal("9.50") and first["status"] == "draft"
    ids["b4"] = uuid.uuid4()
    db.insert("books", id=ids["b4"], title="Fourth", writer_id=ids["a2"], settings={})
    assert db.row("books", ids["b4"])["status"] == "published"  # the new server default
    db.update("labels", ids["t1"], color="red")


def _v6(db: Database, ids: dict[str, Any], upgrade: Callable[[], None]) -> None:
    upgrade()
    assert {"books", "books_labels"}.isdisjoint(db.tables())
    assert db.count("volumes") == 4
    assert db.row("volumes", ids["b3"])["title"] == "T" * 250
    assert db.pairs("volumes_labels", "book_id", "label_id") == {
        (ids["b1"], ids["t1"]),
        (ids["b1"], ids["t2"]),
        (ids["b2"], ids["t1"]),
        (ids["b2"], ids["t3"]),
    }
    assert db.row("authors", ids["a1"])["tier"] == "basic"  # string -> enum
    assert db.row("labels", ids["t1"])["color"] == "red"  # enum -> string
    # The title no longer fits version 1 (VARCHAR(200)): shortened so the downgrade can run.
    db.update("volumes", ids["b3"], title="Third")


def _v7(db: Database, ids: dict[str, Any], upgrade: Callable[[], None]) -> None:
    upgrade()
    # The traits' columns arrive on tables with rows, filled by their defaults.
    ann = db.row("authors", ids["a1"])
    assert (ann["pen_name"], ann["owner_id"], bool(ann["is_system"]), ann["deleted_at"]) == (
        "annie",
        None,
        False,
        None,
    )
    publisher = db.row("publishers", ids["p1"])
    assert publisher["name"] == "Pub" and isinstance(publisher["updated_at"], datetime.datetime)
    assert db.row("labels", ids["t1"])["name"] == "fiction"
    assert db.count("volumes") == 4 and "keywords" in db.columns("volumes")
    assert {"audit_log", "bulk_runs", "shelves"} <= db.tables()
    ids["s1"] = uuid.uuid4()
    db.insert("shelves", id=ids["s1"], tenant_id="t1", name="Top")
    shelf = db.row("shelves", ids["s1"])
    assert (shelf["branch_id"], bool(shelf["branch_deleted"]), shelf["version"]) == (
        "main",
        False,
        1,
    )

    # A label's name is unique over the live rows now (over every row on MySQL).
    gone = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
    if db.dialect == "mysql":
        with pytest.raises(sa.exc.IntegrityError):
            db.insert("labels", name="fiction", deleted_at=gone.replace(tzinfo=None))
    else:
        ids["t4"] = db.insert("labels", name="fiction", deleted_at=gone)
    with pytest.raises(sa.exc.IntegrityError):
        db.insert("labels", name="fiction")

    # The book gained soft_delete with rows in place (its author did, and the cascade from it
    # needs it): the rows are live, and the isbn is unique over the live ones (every row on MySQL).
    assert db.row("volumes", ids["b3"])["deleted_at"] is None
    copy = {"title": "Copy", "writer_id": ids["a1"], "isbn": "ISBN-3", "settings": {}}
    if db.dialect == "mysql":
        with pytest.raises(sa.exc.IntegrityError):
            db.insert("volumes", id=uuid.uuid4(), **copy, deleted_at=gone.replace(tzinfo=None))
    else:
        ids["b4"] = db.insert("volumes", id=uuid.uuid4(), **copy, deleted_at=gone)
    with pytest.raises(sa.exc.IntegrityError):
        db.insert("volumes", id=uuid.uuid4(), **copy)

    if db.dialect != "postgresql":
        return
    with db.engine.begin() as connection:
        triggers = connection.exec_driver_sql(
            "SELECT tgrelid::regclass::text, tgname FROM pg_trigger WHERE NOT tgisinternal"
        ).all()
        policies = connection.exec_driver_sql("SELECT tablename, policyname FROM pg_policies").all()
        secured = connection.exec_driver_sql(
            "SELECT relname FROM pg_class WHERE relrowsecurity ORDER BY relname"
        ).scalars()
        gin = connection.exec_driver_sql(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_volumes_keywords'"
        ).scalar_one()
        # The trigger of a table that gained timestamps keeps updated_at current for raw SQL.
        connection.exec_driver_sql("UPDATE publishers SET updated_at = '2000-01-01T00:00:00Z'")
        connection.exec_driver_sql("UPDATE publishers SET name = 'Pub'")
        touched = connection.exec_driver_sql("SELECT updated_at > '2001-01-01' FROM publishers")
        assert touched.scalars().all() == [True]
    assert sorted(triggers) == [
        ("authors", "trg_authors_updated_at"),  # since v2
        ("publishers", "trg_publishers_updated_at"),
        ("shelves", "trg_shelves_updated_at"),
    ]
    every = ("delete", "insert", "select", "update")
    assert sorted(policies) == sorted(
        [("authors", f"authors_{c}") for c in every]
        + [("shelves", f"shelves_{c}") for c in every]
        + [("audit_log", "audit_log_insert"), ("audit_log", "audit_log_select")]
        + [("bulk_runs", f"bulk_runs_{c}") for c in ("insert", "select", "update")]
        + [("idempotency_keys", f"idempotency_keys_{c}") for c in every]
        + [("change_feed", "change_feed_insert"), ("change_feed", "change_feed_select")]
    )
    assert list(secured) == [
        "audit_log",
        "authors",
        "bulk_runs",
        "change_feed",
        "idempotency_keys",
        "shelves",
    ]
    assert "USING gin (keywords)" in gin


# ---------------------------------------------------------------------------------------------
# The CLI on a small project


LIBRARY = REPO / "tests" / "migrations" / "golden" / "library"


@pytest.fixture(scope="module")
def library_v1(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("library") / "library"
    root.mkdir()
    shutil.copy2(LIBRARY / "schemagen.toml", root / "schemagen.toml")
    shutil.copytree(LIBRARY / "v1", root / "schemas")
    run_cli("build", cwd=root)
    run_cli("migrate", "-m", "initial", cwd=root)
    return root


@pytest.fixture
def library(library_v1: Path, tmp_path: Path) -> Path:
    """The library case at v1 with its first revision, built: a copy of its own."""
    return Path(shutil.copytree(library_v1, tmp_path / "library"))


def test_before_the_first_revision_build_suggests_one_and_check_passes(tmp_path: Path) -> None:
    root = tmp_path / "fresh"
    root.mkdir()
    shutil.copy2(LIBRARY / "schemagen.toml", root / "schemagen.toml")
    shutil.copytree(LIBRARY / "v1", root / "schemas")
    assert "schemagen migrate -m initial" in run_cli("build", cwd=root).stderr
    assert run_cli("check", cwd=root).returncode == 0
    assert (root / "generated" / "migrations" / "env.py").is_file()
    assert (root / "generated" / "migrations" / "versions" / "README.md").is_file()


def test_migrate_names_the_file_after_the_message_and_says_what_it_did(library: Path) -> None:
    shutil.rmtree(library / "schemas")
    shutil.copytree(LIBRARY / "v2", library / "schemas")
    result = run_cli("migrate", "-m", "Pen names & ISBN", cwd=library)
    assert "rename column authors.nickname to pen_name" in result.stdout
    assert "created generated/migrations/versions/0002_pen_names_isbn.py" in result.stdout
    assert "warning" not in result.stderr  # the unique column is new: no duplicates to fear
    assert "no changes" in run_cli("migrate", cwd=library).stdout


def test_a_pending_migration_warns_in_build_and_fails_check(library: Path) -> None:
    (library / "schemas" / "author.yaml").write_text(
        "resource: author\nfields:\n  name: string(100) required\n  nickname: string(80)\n"
    )
    build = run_cli("build", cwd=library)
    assert "pending migration" in build.stderr and "alter column authors.nickname" in build.stderr
    result = run_cli("check", "--json", cwd=library, check=False)
    assert result.returncode == 1
    data = json.loads(result.stdout)
    assert data["ok"] is False and data["changes"] == []
    assert data["migrations"]["pending"] == [
        "alter column authors.nickname (type VARCHAR(50) -> VARCHAR(80))"
    ]


def test_a_snapshot_that_does_not_belong_to_the_history_is_reported(library: Path) -> None:
    snapshot = library / "generated" / "migrations" / "snapshot.json"
    snapshot.write_text(snapshot.read_text().replace('"length": 100', '"length": 90'))
    check = run_cli("check", cwd=library, check=False)
    assert (
        check.returncode == 1
        and "does not match the latest revision 0001_initial.py" in check.stderr
    )
    migrate = run_cli("migrate", cwd=library, check=False)
    assert migrate.returncode == 1 and "Traceback" not in migrate.stderr
    snapshot.write_text("{not json")
    migrate = run_cli("migrate", cwd=library, check=False)
    assert (
        migrate.returncode == 1
        and "is corrupt" in migrate.stderr
        and "Traceback" not in migrate.stderr
    )


def test_build_never_touches_the_history(library: Path) -> None:
    versions = library / "generated" / "migrations" / "versions"
    before = {p.name: p.read_bytes() for p in versions.iterdir()}
    run_cli("build", "--force", cwd=library)
    assert {p.name: p.read_bytes() for p in versions.iterdir()} == before
    manifest = json.loads((library / "generated" / ".schemagen-manifest.json").read_text())
    assert "migrations/env.py" in manifest["files"]
    assert not any(
        path.startswith("migrations/versions/0") or path.endswith("snapshot.json")
        for path in manifest["files"]
    )


# ---------------------------------------------------------------------------------------------
# The kitchen sink: every type and trait, migrated from nothing


@pytest.fixture(scope="module")
def kitchen_sink(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The kitchen-sink golden case with its first revision written by `schemagen migrate`."""
    from helpers import GOLDEN, copy_project

    project = copy_project(GOLDEN / "kitchen_sink", tmp_path_factory.mktemp("kitchen") / "ks")
    run_cli("migrate", "-m", "initial", cwd=project)
    run_cli("build", cwd=project)
    return project


@pytest.mark.parametrize("dialect", DIALECTS)
def test_the_kitchen_sink_migrates_from_nothing(
    dialect: str,
    kitchen_sink: Path,
    database_url: Callable[[str], str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Arrays of dates and uuids, enums with quotes, every trait's triggers and policies: the
    revision needs nothing from models.py, and at head the database is what the models say."""
    from alembic import command
    from alembic.config import Config

    url = database_url(dialect)
    monkeypatch.setenv("DATABASE_URL", url)
    config = Config(str(kitchen_sink / "generated" / "migrations" / "alembic.ini"))
    config.attributes["skip_logging"] = True
    revision = next((kitchen_sink / "generated" / "migrations" / "versions").glob("*.py"))
    assert "JSONArray" not in revision.read_text(encoding="utf-8")
    command.upgrade(config, "head")
    command.check(config)
    command.downgrade(config, "base")
    engine = sa.create_engine(url)
    try:
        assert set(sa.inspect(engine).get_table_names()) <= {"alembic_version"}
    finally:
        engine.dispose()


# ---------------------------------------------------------------------------------------------
# Steps that existing rows can make fail: refused, backfilled, or stopped before any change


ANN = uuid.UUID("6f1c2a3e-0000-4000-8000-000000000001")
AUTHOR_V1 = "resource: author\nfields:\n  name: string(100) required\n  country: string(2)\n  nickname: string(40)\n"
BOOK_V1 = "resource: book\nfields:\n  title: string(100) required\n"
# Optional -> required, each with the value its NULL rows get; a new required relation to Ann.
AUTHOR_V2 = AUTHOR_V1.replace(
    "country: string(2)", "country: {type: string, max_length: 2, required: true, backfill: US}"
)
BOOK_V2 = BOOK_V1 + f"  author: {{type: relation, to: author, required: true, backfill: {ANN}}}\n"
# A table rebuild (nickname NOT NULL, backfilled) and then a unique that duplicates break.
AUTHOR_V3 = AUTHOR_V2.replace(
    "name: string(100) required", "name: string(100) required unique"
).replace(
    "nickname: string(40)",
    "nickname: {type: string, max_length: 40, required: true, backfill: anon}",
)
# A new required relation without a backfill: accepted, it has no placeholder to write.
PUBLISHER = "resource: publisher\nfields:\n  name: string(100) required\n"
BOOK_V4 = BOOK_V2 + "  publisher: {type: relation, to: publisher, required: true}\n"


class Guarded:
    """A project whose revisions 1-4 are the versions above, written by the real CLI."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.migrations = root / "generated" / "migrations"
        self.outputs: dict[str, Any] = {}

    def use(self, **files: str) -> None:
        shutil.rmtree(self.root / "schemas", ignore_errors=True)
        (self.root / "schemas").mkdir()
        for name, text in files.items():
            (self.root / "schemas" / f"{name}.yaml").write_text(text)

    def revision(self, number: int) -> str:
        path = next((self.migrations / "versions").glob(f"{number:04d}_*.py"))
        line = next(
            line for line in path.read_text().splitlines() if line.startswith("revision = ")
        )
        return line.split('"')[1]


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory) -> Guarded:
    root = tmp_path_factory.mktemp("guarded") / "guarded"
    root.mkdir()
    shutil.copy2(LIBRARY / "schemagen.toml", root / "schemagen.toml")
    project = Guarded(root)
    project.use(author=AUTHOR_V1, book=BOOK_V1)
    run_cli("migrate", "-m", "v1", cwd=root)
    project.use(author=AUTHOR_V2.replace(", backfill: US", ""), book=BOOK_V1)
    project.outputs["no backfill"] = run_cli("migrate", "-m", "v2", cwd=root, check=False)
    project.use(author=AUTHOR_V2, book=BOOK_V2)
    run_cli("migrate", "-m", "v2", cwd=root)
    project.use(author=AUTHOR_V3, book=BOOK_V2)
    project.outputs["unique"] = run_cli("migrate", "-m", "v3", cwd=root, check=False)
    run_cli("migrate", "-m", "v3", "--accept-data-loss", cwd=root)
    project.use(author=AUTHOR_V3, book=BOOK_V4, publisher=PUBLISHER)
    project.outputs["relation"] = run_cli("migrate", "-m", "v4", cwd=root, check=False)
    project.outputs["relation accepted"] = run_cli(
        "migrate", "-m", "v4", "--accept-data-loss", cwd=root
    )
    run_cli("build", cwd=root)
    return project


def test_a_step_existing_rows_can_fail_is_refused_with_what_to_do(guarded: Guarded) -> None:
    refused = guarded.outputs["no backfill"]
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert "resource author, field country (authors.country): it becomes NOT NULL" in refused.stderr
    assert "`backfill: <value>`" in refused.stderr and "nothing was written" in refused.stderr
    unique = guarded.outputs["unique"]
    assert unique.returncode == 1 and "unique uq_authors_name on authors (name)" in unique.stderr
    relation = guarded.outputs["relation"]
    assert relation.returncode == 1
    assert "resource book, field publisher (books.publisher_id)" in relation.stderr
    assert "`backfill: <id of an existing row of publishers>`" in relation.stderr
    assert "writes no placeholder" in relation.stderr
    # Accepted, the revision holds no placeholder for the key, and says what happens instead.
    v4 = next((guarded.migrations / "versions").glob("0004_*.py")).read_text()
    assert "00000000-0000-0000-0000-000000000000" not in v4
    assert (
        "stops, changing nothing, while books has rows"
        in guarded.outputs["relation accepted"].stderr
    )


class Rows:
    """Everything a database holds: its tables, alembic_version and every row, for comparisons."""

    def __init__(self, url: str) -> None:
        self.engine = sa.create_engine(url, poolclass=sa.pool.NullPool)

    def state(self) -> dict[str, Any]:
        metadata = sa.MetaData()
        metadata.reflect(self.engine)
        with self.engine.connect() as connection:
            return {
                name: sorted(map(repr, connection.execute(sa.select(table)).all()))
                for name, table in metadata.tables.items()
            }

    def execute(self, sql: str, **params: Any) -> None:
        with self.engine.begin() as connection:
            connection.execute(sa.text(sql), params)

    def scalar(self, sql: str) -> Any:
        with self.engine.connect() as connection:
            return connection.execute(sa.text(sql)).scalar()


def _key(dialect: str, value: uuid.UUID) -> Any:
    # sa.Uuid stores 32 hex digits outside PostgreSQL.
    return value if dialect == "postgresql" else value.hex


@pytest.fixture
def guarded_db(
    guarded: Guarded,
    database_url: Callable[[str], str],
    monkeypatch: pytest.MonkeyPatch,
    request: Any,
) -> Any:
    from alembic.config import Config

    dialect = request.param
    url = database_url(dialect)
    monkeypatch.setenv("DATABASE_URL", url)
    config = Config(str(guarded.migrations / "alembic.ini"))
    config.attributes["skip_logging"] = True
    rows = Rows(url)
    yield dialect, config, rows
    rows.engine.dispose()


def _v1_rows(rows: Rows, dialect: str, *, ann: bool = True) -> None:
    if ann:
        rows.execute("INSERT INTO authors (id, name) VALUES (:id, 'Ann')", id=_key(dialect, ANN))
    rows.execute(
        "INSERT INTO authors (id, name, country, nickname) VALUES (:id, 'Bob', 'FR', 'bobby')",
        id=_key(dialect, uuid.uuid4()),
    )
    rows.execute(
        "INSERT INTO books (id, title) VALUES (:id, 'First')", id=_key(dialect, uuid.uuid4())
    )


def _stopped(config: Any, revision: str, rows: Rows, match: str) -> None:
    """Upgrading to `revision` fails with a message matching `match` and changes nothing."""
    from alembic import command
    from alembic.util import CommandError

    before = rows.state()
    with pytest.raises(CommandError, match=match):
        command.upgrade(config, revision)
    assert rows.state() == before
    assert not [t for t in before if t.startswith("_alembic_tmp")]


@pytest.mark.parametrize("guarded_db", DIALECTS, indirect=True)
def test_a_backfill_fills_the_rows_before_the_column_becomes_not_null(
    guarded: Guarded, guarded_db: Any
) -> None:
    from alembic import command

    dialect, config, rows = guarded_db
    command.upgrade(config, guarded.revision(1))
    _v1_rows(rows, dialect)
    command.upgrade(config, guarded.revision(2))
    assert rows.scalar("SELECT country FROM authors WHERE name = 'Ann'") == "US"
    assert rows.scalar("SELECT country FROM authors WHERE name = 'Bob'") == "FR"
    assert uuid.UUID(str(rows.scalar("SELECT author_id FROM books"))) == ANN
    with pytest.raises(sa.exc.IntegrityError):
        rows.execute(
            "INSERT INTO authors (id, name, country) VALUES (:id, 'Cy', NULL)",
            id=_key(dialect, uuid.uuid4()),
        )


@pytest.mark.parametrize("guarded_db", DIALECTS, indirect=True)
def test_a_backfill_that_names_no_row_stops_the_upgrade_before_any_change(
    guarded: Guarded, guarded_db: Any
) -> None:
    from alembic import command

    dialect, config, rows = guarded_db
    command.upgrade(config, guarded.revision(1))
    _v1_rows(rows, dialect, ann=False)
    _stopped(config, guarded.revision(2), rows, "authors has no row with that id")
    rows.execute("INSERT INTO authors (id, name) VALUES (:id, 'Ann')", id=_key(dialect, ANN))
    command.upgrade(config, guarded.revision(2))
    assert uuid.UUID(str(rows.scalar("SELECT author_id FROM books"))) == ANN


@pytest.mark.parametrize("guarded_db", DIALECTS, indirect=True)
def test_a_unique_over_duplicates_stops_the_upgrade_before_any_change(
    guarded: Guarded, guarded_db: Any
) -> None:
    from alembic import command

    dialect, config, rows = guarded_db
    command.upgrade(config, guarded.revision(1))
    _v1_rows(rows, dialect)
    command.upgrade(config, guarded.revision(2))
    rows.execute("UPDATE authors SET name = 'Ann'")
    _stopped(
        config,
        guarded.revision(3),
        rows,
        r"1 value\(s\) of \(name\) are held by more than one row of authors",
    )
    rows.execute("UPDATE authors SET name = 'Bob' WHERE country = 'FR'")
    command.upgrade(config, guarded.revision(3))
    assert rows.scalar("SELECT nickname FROM authors WHERE name = 'Ann'") == "anon"


@pytest.mark.parametrize("guarded_db", ["sqlite", "postgresql"], indirect=True)
def test_a_revision_that_fails_half_way_leaves_the_database_as_it_was(
    guarded: Guarded, guarded_db: Any
) -> None:
    """Without its precheck (as a hand-written revision may be), revision 4 creates publishers,
    adds books.publisher_id, then fails making it NOT NULL (a table rebuild on SQLite): on SQLite
    and PostgreSQL nothing of it stays, not even `_alembic_tmp_books`, so it can run again."""
    from alembic import command

    dialect, config, rows = guarded_db
    command.upgrade(config, guarded.revision(1))
    _v1_rows(rows, dialect)
    command.upgrade(config, guarded.revision(3))
    path = next((guarded.migrations / "versions").glob("0004_*.py"))
    text = path.read_text()
    assert "    _stop_if_rows(\n" in text
    try:
        path.write_text(text.replace("    _stop_if_rows(\n", "    (\n"))
        before = rows.state()
        with pytest.raises(sa.exc.IntegrityError):
            command.upgrade(config, guarded.revision(4))
        assert rows.state() == before  # the same version, tables and rows
        rows.execute("DELETE FROM books")
        command.upgrade(config, guarded.revision(4))
    finally:
        path.write_text(text)
    assert "publishers" in rows.state()


@pytest.mark.parametrize("guarded_db", DIALECTS, indirect=True)
def test_a_new_required_relation_without_backfill_never_gets_a_placeholder(
    guarded: Guarded, guarded_db: Any
) -> None:
    from alembic import command

    dialect, config, rows = guarded_db
    command.upgrade(config, guarded.revision(1))
    _v1_rows(rows, dialect)
    command.upgrade(config, guarded.revision(3))
    _stopped(
        config,
        guarded.revision(4),
        rows,
        "1 row\\(s\\) in books, and resource book, field publisher",
    )
    rows.execute("DELETE FROM books")
    command.upgrade(config, guarded.revision(4))
    command.check(config)
