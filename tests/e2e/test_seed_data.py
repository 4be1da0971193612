"""The generated `seed` command on the committed showcase, on SQLite, PostgreSQL and MariaDB.

Seeded rows are what the API serves (every list answers 200 with every row: the Read models
validate each one), uniques hold, the same seed makes the same rows in another database, and a
second run adds rows beside the first's. The command line of both the generated module and
`schemagen seed` is covered on SQLite.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from backend_support import backend
from helpers import DIALECTS, SHOWCASE

pytestmark = pytest.mark.db

ROWS = 12
TENANTS = ("acme", "globex")
USER, OTHER_USER = "ann", "bob"
SYSTEM = 2
# Set by the server's clock at each write, so no two runs share them.
CLOCK_COLUMNS = frozenset({"created_at", "updated_at"})
# Unique fields of the showcase, by resource: (path, field).
UNIQUES = (("/api/people", "email"), ("/api/offices", "name"), ("/api/regions", "name"))


@pytest.fixture
def showcase() -> Iterator[tuple[Any, Path]]:
    output = SHOWCASE / "generated"
    with backend(output, "showcase") as package:
        yield package, output


def migrate(url: str, output: Path) -> None:
    from alembic import command
    from alembic.config import Config
    from showcase.db import create_db_engine

    config = Config(str(output / "migrations" / "alembic.ini"))
    config.attributes["skip_logging"] = True
    engine = create_db_engine(url)
    try:
        with engine.connect() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    finally:
        engine.dispose()


def seed(url: str, seed_value: int = 7) -> None:
    from showcase.seed import main

    argv = ["--rows", str(ROWS), "--seed", str(seed_value), "--user", USER]
    argv += [f"--tenant={t}" for t in TENANTS] + ["--system", str(SYSTEM), "--database-url", url]
    assert main(argv) == 0


def listed(client: Any, path: str, tenant: str, user: str) -> list[dict[str, Any]]:
    response = client.get(
        path, params={"limit": 4 * ROWS}, headers={"X-Tenant-ID": tenant, "X-User-ID": user}
    )
    assert response.status_code == 200, f"GET {path}: {response.status_code} {response.text}"
    body = response.json()
    assert body["next_cursor"] is None, path
    return list(body["items"])


def dump(url: str) -> dict[str, list[dict[str, Any]]]:
    """Every seeded table's rows, in key order, without the columns the clock sets."""
    import sqlalchemy as sa
    from showcase.db import create_db_engine
    from showcase.runtime.resources import REGISTRY
    from showcase.seed import SEEDS

    engine = create_db_engine(url)
    tables: dict[str, list[dict[str, Any]]] = {}
    try:
        with engine.connect() as connection:
            for resource_seed in SEEDS:
                resource = REGISTRY[resource_seed.name]
                table = resource.model.__table__
                rows = connection.execute(sa.select(table).order_by(*table.primary_key.columns))
                tables[table.name] = [
                    {k: v for k, v in row._mapping.items() if k not in CLOCK_COLUMNS}
                    for row in rows
                ]
                for many in resource.many_to_many.values():
                    junction = many.junction
                    tables[junction.name] = [
                        dict(row._mapping)
                        for row in connection.execute(
                            sa.select(junction).order_by(*junction.columns)
                        )
                    ]
    finally:
        engine.dispose()
    return tables


@pytest.mark.parametrize("dialect", DIALECTS)
def test_seeded_rows_are_served_unique_and_repeatable(
    dialect: str, showcase: tuple[Any, Path], database_url: Any
) -> None:
    from fastapi.testclient import TestClient
    from showcase.app import create_app
    from showcase.tests.resources import RESOURCES

    _, output = showcase
    first, twin = database_url(dialect), database_url(dialect)
    for url in (first, twin):
        migrate(url, output)
        seed(url)
    assert dump(first) == dump(twin), "the same seed made other rows"

    seed(first)  # a second run: new rows beside the first's, uniques kept
    app = create_app(first)
    with TestClient(app) as client:
        for resource in RESOURCES.values():
            if "list" not in resource.operations:
                continue
            tenants = TENANTS if resource.tenant else TENANTS[:1]
            for tenant in tenants:
                rows = listed(client, resource.path, tenant, USER)
                assert len(rows) == 2 * ROWS, (resource.name, tenant, len(rows))
            if "owned" in resource.traits:
                # Another user sees only the system rows, which no API call can make.
                others = listed(client, resource.path, TENANTS[0], OTHER_USER)
                assert len(others) == 2 * SYSTEM, resource.name
                assert all(row["is_system"] for row in others)
            for field, (target, _) in resource.relations.items():
                pointed = {row[field] for row in rows} - {None}
                known = {
                    row["id"] for row in listed(client, RESOURCES[target].path, tenants[-1], USER)
                }
                assert pointed <= known, (resource.name, field)
        for path, field in UNIQUES:
            for tenant in TENANTS:
                values = [row[field] for row in listed(client, path, tenant, USER)]
                assert len(values) == len(set(values)), (path, field)
    app.state.engine.dispose()


def test_the_seed_commands_run_from_the_command_line(
    showcase: tuple[Any, Path], database_url: Any
) -> None:
    """`python -m showcase.seed` and `schemagen seed` report their counts; a bad option is one
    line and exit 1 or 2, never a traceback."""
    _, output = showcase
    url = database_url("sqlite")
    migrate(url, output)
    env = os.environ | {"DATABASE_URL": url, "PYTHONPATH": str(output / "backend")}
    module = [sys.executable, "-m", "showcase.seed"]
    done = subprocess.run(
        [*module, "--rows", "3", "--only", "region"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "region (tenant demo): 3 rows" in done.stdout
    assert done.stdout.splitlines()[-1].startswith("3 rows in ")

    refused = subprocess.run(
        [*module, "--only", "regions"], env=env, capture_output=True, text=True, check=False
    )
    assert refused.returncode == 1
    assert refused.stderr.startswith("seed: unknown resource 'regions'"), refused.stderr
    assert "Traceback" not in refused.stderr

    cli = [sys.executable, "-m", "schemagen", "seed", "-C", str(SHOWCASE)]
    env_cli = os.environ | {"DATABASE_URL": url}
    through = subprocess.run(
        [*cli, "--rows", "2", "--only", "todo", "--seed", "3"],
        env=env_cli,
        check=False,
        capture_output=True,
        text=True,
    )
    assert through.returncode == 0, through.stderr
    assert "todo: 2 rows" in through.stdout
