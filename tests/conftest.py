"""Shared fixtures: projects built once per session, and fresh databases on every dialect.

Databases
---------
`database_url(dialect)` returns the URL of a new, empty, uniquely named database (`sg_test_<hex>`)
that is dropped when the test ends, pass or fail; `database_engine(dialect)` is the same as an
Engine that is disposed before the drop. Dialects: "sqlite" (a file in the test's tmp folder),
"postgresql" and "mysql" (MariaDB or MySQL).

A server that cannot be reached skips the test with the reason, unless SCHEMAGEN_REQUIRE_DBS=1
(as in CI), which fails it instead. The servers default to the local ones; override them with
server-level URLs (no database name):
    SCHEMAGEN_TEST_POSTGRESQL_URL=postgresql+psycopg://postgres@127.0.0.1:5432
    SCHEMAGEN_TEST_MYSQL_URL=mysql+pymysql://root@127.0.0.1:3306
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import subprocess
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from helpers import (
    DIALECTS,
    GOLDEN,
    GUARD_COUNTS,
    MERMAID_HARNESS,
    REDOCLY_HARNESS,
    SHOWCASE,
    TS_HARNESS,
    WEB_HARNESS,
    BuiltProject,
    copy_project,
    golden_cases,
    run_cli,
)

SERVER_URLS = {
    "postgresql": os.environ.get(
        "SCHEMAGEN_TEST_POSTGRESQL_URL", "postgresql+psycopg://postgres@127.0.0.1:5432"
    ),
    "mysql": os.environ.get("SCHEMAGEN_TEST_MYSQL_URL", "mysql+pymysql://root@127.0.0.1:3306"),
}
ADMIN_DATABASE = {"postgresql": "postgres", "mysql": ""}
QUERY = {"postgresql": "", "mysql": "?charset=utf8mb4"}
CONNECT_TIMEOUT = 3  # seconds; a local server answers at once

# Expected golden output is data, not tests: never collect it (generated projects hold tests/).
collect_ignore_glob = ["golden/*/expected/*"]


GUARD_LINES = pytest.StashKey[list[str]]()


@pytest.fixture(scope="session")
def guard_report(request: pytest.FixtureRequest) -> Callable[[str], None]:
    """`guard_report(line)`: a line for the run's "guards" summary, so CI shows what the guards
    proved (the counts an issue's closing note quotes)."""
    return request.config.stash.setdefault(GUARD_LINES, []).append


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """The guards' counts, after the results: lines from `guard_report` and helpers.GUARD_COUNTS."""
    lines = config.stash.get(GUARD_LINES, []) + [
        f"{name}: {line}" for name, line in sorted(GUARD_COUNTS.items())
    ]
    if lines:
        terminalreporter.section("guards")
        for line in lines:
            terminalreporter.write_line(line)


def require_dbs() -> bool:
    return os.environ.get("SCHEMAGEN_REQUIRE_DBS") == "1"


# ---------------------------------------------------------------------------------------------
# Projects built once per session


class ProjectBuilder:
    """Builds projects by name, each once: a golden case (its folder name) or "showcase".

    `targets` limits the build (`schemagen build --target ...`) for tests that need only part of
    the output, such as the models; a full build of the same project serves them too.
    """

    def __init__(self, tmp_path_factory: pytest.TempPathFactory) -> None:
        self.tmp_path_factory = tmp_path_factory
        self.built: dict[tuple[str, tuple[str, ...]], BuiltProject] = {}

    def __call__(self, name: str, targets: tuple[str, ...] = ()) -> BuiltProject:
        key = (name, tuple(sorted(targets)))
        if (name, ()) in self.built:
            return self.built[(name, ())]
        if key not in self.built:
            source = SHOWCASE if name == "showcase" else GOLDEN / name
            if not (source / "schemagen.toml").is_file():
                raise LookupError(
                    f"no project named {name!r} (golden cases: {', '.join(golden_cases())})"
                )
            folder = self.tmp_path_factory.mktemp(f"built-{name}-{'-'.join(key[1]) or 'all'}")
            root = copy_project(source, folder / name)
            run_cli("build", *(f"--target={t}" for t in key[1]), cwd=root)
            self.built[key] = BuiltProject(name, root)
        return self.built[key]

    def many(self, names: list[str], targets: tuple[str, ...] = ()) -> list[BuiltProject]:
        """Build several at once, side by side (each build is its own process)."""
        unique = list(dict.fromkeys(names))
        # pytest makes the session's base folder on first use, and not thread-safely: make it here.
        self.tmp_path_factory.getbasetemp()
        with ThreadPoolExecutor(max(1, len(unique))) as pool:
            built = dict(zip(unique, pool.map(lambda n: self(n, targets), unique), strict=True))
        return [built[n] for n in names]


@pytest.fixture(scope="session")
def build_project(tmp_path_factory: pytest.TempPathFactory) -> ProjectBuilder:
    """`build_project(name)`: the project built by the real CLI, once per session (`.many([...])`
    builds several in parallel). Treat the result as read-only: copy it before changing anything.
    """
    return ProjectBuilder(tmp_path_factory)


# ---------------------------------------------------------------------------------------------
# The TypeScript harness (tests/ts): the pinned tsc and libraries the generated clients build with


def _missing(reason: str) -> None:
    """Skip without Node; in CI a missing tool fails the run instead."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI: these tests must run)", pytrace=False)
    pytest.skip(reason)


def npm_ci(harness: Path) -> Path:
    """`harness`/node_modules as its package-lock.json pins it: `npm ci` only when the lock changed."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        _missing(f"node and npm are needed for the tests that use {harness.name}/")
    modules = harness / "node_modules"
    stamp = modules / ".schemagen-lock.sha256"  # which lock file `npm ci` installed
    digest = hashlib.sha256((harness / "package-lock.json").read_bytes()).hexdigest()
    if not (stamp.is_file() and stamp.read_text(encoding="utf-8").strip() == digest):
        result = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=harness,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if result.returncode != 0:
            pytest.fail(
                f"npm ci failed in {harness}:\n{result.stdout}\n{result.stderr}", pytrace=False
            )
        stamp.write_text(digest + "\n", encoding="utf-8")
    return modules


@pytest.fixture(scope="session")
def node_modules() -> Path:
    """tests/ts/node_modules: the pinned TypeScript and libraries of the client tests."""
    return npm_ci(TS_HARNESS)


@pytest.fixture(scope="session")
def web_node_modules() -> Path:
    """tests/web/node_modules: React, vitest, jsdom and testing-library for the web runtime."""
    return npm_ci(WEB_HARNESS)


@pytest.fixture(scope="session")
def redocly_modules() -> Path:
    """tests/redocly/node_modules: the pinned Redocly CLI (tests/e2e/test_redocly.py)."""
    return npm_ci(REDOCLY_HARNESS)


@pytest.fixture(scope="session")
def mermaid_modules() -> Path:
    """tests/mermaid/node_modules: the pinned Mermaid, whose parser reads the generated erd.md."""
    return npm_ci(MERMAID_HARNESS)


@pytest.fixture(scope="session")
def graphviz_dot() -> str:
    """Graphviz's `dot`, which `schemagen erd --format svg` runs (CI installs it: .ci/run)."""
    dot = shutil.which("dot")
    if dot is None:
        _missing("Graphviz's `dot` is needed for the SVG diagram (apt-get install graphviz)")
    assert dot is not None
    return dot


# ---------------------------------------------------------------------------------------------
# Database servers and fresh databases


def _server_url(dialect: str, database: str) -> str:
    return f"{SERVER_URLS[dialect]}/{database}{QUERY[dialect]}"


def _shown(url: str) -> str:
    import sqlalchemy as sa

    return sa.engine.make_url(url).render_as_string(hide_password=True)


def _admin_engine(dialect: str) -> Any:
    import sqlalchemy as sa

    return sa.create_engine(
        _server_url(dialect, ADMIN_DATABASE[dialect]),
        isolation_level="AUTOCOMMIT",
        poolclass=sa.pool.NullPool,
        connect_args={"connect_timeout": CONNECT_TIMEOUT},
    )


@pytest.fixture(scope="session")
def database_servers() -> dict[str, str | None]:
    """For each dialect, None when usable, else why not (asked once per session)."""
    status: dict[str, str | None] = {"sqlite": None}
    for dialect in ("postgresql", "mysql"):
        try:
            engine = _admin_engine(dialect)
            with engine.connect() as connection:
                connection.exec_driver_sql("SELECT 1")
            engine.dispose()
            status[dialect] = None
        except ImportError as error:
            status[dialect] = f"the {dialect} driver is not installed ({error})"
        except Exception as error:  # noqa: BLE001 - any failure to connect means "not available"
            first = (
                str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
            )
            status[dialect] = (
                f"{dialect} server at {_shown(SERVER_URLS[dialect])} is unreachable: {first}"
            )
    return status


def _skip_or_fail(reason: str) -> None:
    if require_dbs():
        pytest.fail(
            f"{reason} (SCHEMAGEN_REQUIRE_DBS=1: a missing database fails the run)", pytrace=False
        )
    pytest.skip(reason)


def _drop(dialect: str, name: str) -> None:
    engine = _admin_engine(dialect)
    try:
        with engine.connect() as connection:
            if dialect == "postgresql":
                connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            else:
                # A connection still open in the database would make DROP wait on its locks.
                rows = connection.exec_driver_sql(
                    "SELECT id FROM information_schema.processlist WHERE db = %s AND id <> CONNECTION_ID()",
                    (name,),
                ).all()
                for (pid,) in rows:
                    with contextlib.suppress(Exception):  # it may have ended meanwhile
                        connection.exec_driver_sql(f"KILL {int(pid)}")
                connection.exec_driver_sql(f"DROP DATABASE IF EXISTS `{name}`")
    finally:
        engine.dispose()


@pytest.fixture
def database_url(
    database_servers: dict[str, str | None], tmp_path: Path
) -> Iterator[Callable[[str], str]]:
    """`database_url(dialect)`: the URL of a fresh, empty database, dropped after the test."""
    created: list[tuple[str, str]] = []

    def make(dialect: str) -> str:
        if dialect not in DIALECTS:
            raise ValueError(f"unknown dialect {dialect!r}; expected one of {DIALECTS}")
        reason = database_servers.get(dialect)
        if reason:
            _skip_or_fail(reason)
        name = f"sg_test_{uuid.uuid4().hex[:8]}"
        if dialect == "sqlite":
            return f"sqlite:///{tmp_path / (name + '.db')}"
        engine = _admin_engine(dialect)
        try:
            with engine.connect() as connection:
                if dialect == "postgresql":
                    connection.exec_driver_sql(
                        f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0"
                    )
                else:
                    connection.exec_driver_sql(
                        f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
                    )
        finally:
            engine.dispose()
        created.append((dialect, name))
        return _server_url(dialect, name)

    yield make
    errors = []
    for dialect, name in reversed(created):
        try:
            _drop(dialect, name)
        except Exception as error:  # noqa: BLE001 - try every drop, then report
            errors.append(f"{dialect} {name}: {error}")
    if errors:
        raise RuntimeError("could not drop test databases:\n" + "\n".join(errors))


@pytest.fixture
def database_engine(database_url: Callable[[str], str]) -> Iterator[Callable[[str], Any]]:
    """`database_engine(dialect)`: an Engine on a fresh database; disposed before it is dropped."""
    import sqlalchemy as sa

    engines: list[Any] = []

    def make(dialect: str) -> Any:
        engine = sa.create_engine(database_url(dialect))
        engines.append(engine)
        return engine

    yield make
    for engine in engines:
        engine.dispose()
