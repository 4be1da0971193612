"""The generated backend, end to end, on SQLite, PostgreSQL and MariaDB.

The showcase and every golden case are built by the real CLI; each one's generated pytest suite
then runs against a fresh database of each dialect (created and dropped by the `database_url`
fixture). Beside that: the list endpoint's SQL statement count does not grow with the page size,
every foreign key is indexed, and the kitchen sink's keyword-named fields and hostile strings are
part of what its suite sends.
"""

from __future__ import annotations

import importlib
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from backend_support import StatementCounter, backend
from helpers import DIALECTS, SHOWCASE, cli_env, golden_cases, pytest_generated

PROJECTS = ["showcase", *golden_cases()]
PACKAGES = {
    "showcase": "showcase",
    "minimal": "minimal",
    "relations": "library",
    "kitchen_sink": "kitchen_sink",
}
SUITE_TIMEOUT = 900  # seconds; the largest suite takes about one minute on PostgreSQL


@pytest.fixture(scope="module")
def built(build_project):
    build_project.many(PROJECTS)  # the first use builds every project at once
    return build_project


def plain(url: str) -> str:
    """`url` without its driver (`postgresql://`, `mysql://`): the form the README shows users."""
    scheme, _, rest = url.partition("://")
    return f"{scheme.partition('+')[0]}://{rest}"


def run_generated_suite(output: Path, url: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """`pytest` in a copy of the generated project, on `url` (`-rs`: only the row-level security
    tests may skip, and not on PostgreSQL)."""
    return pytest_generated(shutil.copytree(output, tmp_path / "generated"), url, SUITE_TIMEOUT)


@pytest.mark.db
@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("project", PROJECTS)
def test_generated_suite_passes(
    project: str, dialect: str, built, database_url, tmp_path: Path, guard_report
) -> None:
    # The showcase as committed (`schemagen check` proves it current): its suite then runs on the
    # schema its migrations make, with its hand-written action handlers.
    output = SHOWCASE / "generated" if project == "showcase" else built(project).output
    # The URL as users write it, no driver named: the app must pick the installed one.
    result = run_generated_suite(output, plain(database_url(dialect)), tmp_path)
    tail = "\n".join((result.stdout + result.stderr).splitlines()[-60:])
    assert result.returncode == 0, f"the generated suite of {project} failed on {dialect}:\n{tail}"
    summary = result.stdout.strip().splitlines()[-1]
    passed = re.search(r"(\d+) passed", summary)
    assert passed and int(passed.group(1)) > 5, summary
    assert not re.search(r"\d+ (failed|error)", summary), summary
    # The row-level security tests skip where there is none, and only there; on PostgreSQL they
    # report what they proved.
    has_rls = any((output / "backend").glob("*/tests/test_row_level_security.py"))
    skips = re.findall(r"^SKIPPED \[(\d+)\] \S+?:\d+: (.*)$", result.stdout, re.MULTILINE)
    may_skip = has_rls and dialect != "postgresql"
    assert all(may_skip and reason.startswith(RLS_SKIP) for _, reason in skips), skips
    skipped = re.search(r"(\d+) skipped", summary)
    assert (int(skipped.group(1)) if skipped else 0) == sum(int(n) for n, _ in skips), summary
    if has_rls and dialect == "postgresql":
        proven = re.search(RLS_PROVEN, result.stdout)
        assert proven and int(proven.group(1)) > 0 and int(proven.group(2)) > 0, tail
        guard_report(f"row-level security, {project} on PostgreSQL: {proven.group(0)}")


RLS_SKIP = "row-level security is PostgreSQL's"
RLS_PROVEN = r"(\d+) refusals and (\d+) permitted operations proven"


@pytest.mark.db
@pytest.mark.parametrize("dialect", DIALECTS)
def test_list_statements_are_constant_in_the_page_size(
    dialect: str, built, database_url, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Offices have a many-to-many field: its ids come in one extra query, not one per row.

    One more statement opens the transaction where the driver does not do it by itself: BEGIN
    on SQLite (explicit, so savepoints nest), and on PostgreSQL the statement that hands the
    caller to the database (the settings row-level security reads). None grows with the page.
    The app's embedded bulk worker is off: its look for queued runs, each second, would be
    counted with the request's statements when a page takes that long (a loaded CI machine).
    """
    from fastapi.testclient import TestClient

    monkeypatch.setenv("BULK_WORKER", "off")

    with backend(built("showcase").output, "showcase"):
        from showcase.app import create_app
        from showcase.models import complete_metadata

        app = create_app(database_url(dialect))
        engine = app.state.engine
        complete_metadata().create_all(engine)
        try:
            with TestClient(app, headers={"X-Tenant-ID": "acme"}) as client:
                people = [
                    client.post(
                        "/api/people", json={"full_name": f"P{i}", "email": f"p{i}@example.com"}
                    ).json()["id"]
                    for i in range(3)
                ]
                for i in range(20):
                    response = client.post(
                        "/api/offices", json={"name": f"Office {i}", "person_ids": people[: i % 4]}
                    )
                    assert response.status_code == 201, response.text
                counts = {}
                for limit in (1, 5, 20):
                    with StatementCounter(engine) as counter:
                        page = client.get(
                            "/api/offices", params={"limit": limit, "sort": "name"}
                        ).json()
                    assert len(page["items"]) == limit
                    counts[limit] = len(counter.statements)
                with StatementCounter(engine) as counter:
                    filtered = client.get(
                        "/api/offices", params={"limit": 20, "status": "active", "q": "office"}
                    ).json()
                assert len(filtered["items"]) == 20
        finally:
            complete_metadata().drop_all(engine)
            engine.dispose()
    expected = 2 if dialect == "mysql" else 3
    assert set(counts.values()) == {expected}, (
        f"statements per page size: {counts} (rows, then many-to-many ids)"
    )
    assert len(counter.statements) == expected, counter.statements


@pytest.mark.parametrize("project", PROJECTS)
def test_every_foreign_key_is_indexed(project: str, built) -> None:
    """A foreign key's columns lead an index, a unique constraint or the primary key."""
    import sqlalchemy as sa

    with backend(built(project).output, PACKAGES[project]) as package:
        models = importlib.import_module(package.__name__ + ".models")
        for table in models.complete_metadata().tables.values():
            leading = [tuple(c.name for c in index.columns) for index in table.indexes]
            leading += [
                tuple(c.name for c in u.columns)
                for u in table.constraints
                if isinstance(u, sa.UniqueConstraint | sa.PrimaryKeyConstraint)
            ]
            for fk in table.foreign_key_constraints:
                columns = tuple(c.name for c in fk.columns)
                assert any(cols[: len(columns)] == columns for cols in leading), (
                    f"{table.name}.{columns} is not indexed"
                )


def test_kitchen_sink_suite_sends_keywords_and_hostile_strings(built) -> None:
    """What the kitchen sink's generated suite round-trips on every database."""
    with backend(built("kitchen_sink").output, "kitchen_sink"):
        from kitchen_sink.tests.resources import RESOURCES

        samples = RESOURCES["gadget"].samples
    sample = samples[0]
    assert {
        "from",
        "class",
        "type",
        "select",
        "default",
        "import",
        "async",
        "order",
        "metadata",
    } <= set(sample)
    assert {"it's", 'say "hi"', "back\\slash", "100%s", "\u2602 launch"} <= {
        s["kind"] for s in samples
    }
    assert (
        '"quoted"' in sample["class"]
        and "\\" in sample["notes"]
        and "\U0001f680" in sample["default"]
    )
    assert re.search(r"^[A-Z]{2}-\d{3}", sample["code"])  # drawn from the field's pattern


@pytest.mark.db
@pytest.mark.parametrize("dialect", ["postgresql", "mysql"])
def test_plain_urls_reach_migrations_and_app(dialect: str, database_url, tmp_path: Path) -> None:
    """`DATABASE_URL=postgresql://...` / `mysql://...`: the migrations (env.py) and the app (db.py)
    both use psycopg / PyMySQL, never SQLAlchemy's own defaults (psycopg2 on SQLAlchemy 2.0,
    MySQLdb), which the project does not install."""
    from fastapi.testclient import TestClient

    url = plain(database_url(dialect))
    output = shutil.copytree(SHOWCASE / "generated", tmp_path / "generated")
    upgraded = subprocess.run(
        [
            sys.executable,
            "-m",
            "alembic",
            "-c",
            str(output / "migrations" / "alembic.ini"),
            "upgrade",
            "head",
        ],
        cwd=tmp_path,
        env=cli_env(DATABASE_URL=url, PYTHONDONTWRITEBYTECODE="1"),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert upgraded.returncode == 0, upgraded.stdout + upgraded.stderr
    with backend(output, "showcase"):
        from showcase import normalise_url
        from showcase.app import create_app

        driver = {"postgresql": "psycopg", "mysql": "pymysql"}[dialect]
        assert normalise_url(url).startswith(f"{dialect}+{driver}://")
        app = create_app(url)
        try:
            assert app.state.engine.dialect.driver == driver
            with TestClient(app) as client:
                created = client.post("/api/todos", json={"title": "plain URL"})
                assert created.status_code == 201, created.text
                assert client.get("/api/todos").json()["items"][0]["title"] == "plain URL"
        finally:
            app.state.engine.dispose()


@pytest.mark.parametrize(
    "url",
    ["postgresql://postgres@127.0.0.1:1/nowhere", "mysql://root@127.0.0.1:1/nowhere"],
    ids=["postgresql", "mysql"],
)
def test_an_unreachable_server_is_503_json(url: str, built) -> None:
    """No server on the port: every route answers 503 `database_unavailable` in the error shape
    (with Retry-After), /readyz 503 `not_ready`, /healthz still 200."""
    from fastapi.testclient import TestClient

    with backend(built("showcase").output, "showcase"):
        from showcase.app import create_app

        app = create_app(url)
        with TestClient(app, headers={"X-Tenant-ID": "acme"}) as client:
            assert client.get("/healthz").status_code == 200
            ready = client.get("/readyz")
            assert ready.status_code == 503 and ready.json()["error_code"] == "not_ready"
            for method, path in (
                ("GET", "/api/todos"),
                ("POST", "/api/regions"),
                ("GET", "/api/offices/00000000-0000-0000-0000-000000000000"),
            ):
                response = client.request(
                    method, path, json={"name": "x"} if method == "POST" else None
                )
                assert response.status_code == 503, response.text
                assert response.json() == {
                    "detail": response.json()["detail"],
                    "error_code": "database_unavailable",
                    "field": None,
                }
                assert response.headers["Retry-After"] == "1"
        app.state.engine.dispose()


def test_kitchen_sink_checks_slugs_and_phone_numbers(built, tmp_path: Path) -> None:
    """A slug and an E.164 number pass as they are; anything else is a 422 naming the field."""
    from fastapi.testclient import TestClient

    with backend(built("kitchen_sink").output, "kitchen_sink"):
        from kitchen_sink.app import create_app
        from kitchen_sink.models import complete_metadata

        app = create_app(f"sqlite:///{tmp_path / 'makers.db'}")
        complete_metadata().create_all(app.state.engine)
        with TestClient(app) as client:
            made = client.post(
                "/api/makers",
                json={"name": "Acme", "handle": "acme-tools-2", "hotline": "+14155550123"},
            )
            assert made.status_code == 201, made.text
            assert made.json()["handle"] == "acme-tools-2"
            found = client.get("/api/makers", params={"handle": "acme-tools-2"}).json()["items"]
            assert [m["id"] for m in found] == [made.json()["id"]]
            for field, value in (
                ("handle", "Acme Tools"),
                ("handle", "acme--tools"),
                ("handle", "-acme"),
                ("hotline", "415-555-0123"),
                ("hotline", "+0155"),
            ):
                refused = client.post("/api/makers", json={"name": "Other", field: value})
                assert refused.status_code == 422, (field, value, refused.text)
                assert refused.json()["field"] == field, refused.json()
        app.state.engine.dispose()
