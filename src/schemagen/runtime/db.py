"""The database: engines set up for the API, and a session per request.

The generated `db.py` names the project's URL (PostgreSQL through psycopg 3, MySQL/MariaDB
through PyMySQL) and makes its engine with `make_engine` here. SQLite enforces
foreign keys (so ON DELETE works) and MySQL sessions run in UTC, like the timestamps the API
stores. SQLite transactions are made explicit (BEGIN on first use), as SQLAlchemy documents for
pysqlite, so savepoints nest correctly; the database file is in WAL mode (readers never wait for
the writer), and a request that writes begins with BEGIN IMMEDIATE: it waits for the write lock
(up to `SQLITE_BUSY_TIMEOUT` seconds) at its start, where a transaction that reads first and
writes later could not wait and would be refused "database is locked" at once.

On PostgreSQL every transaction starts by setting `app.tenant_id` and `app.user_id` from the
caller (`bind`): the settings the row-level security policies read, so the database holds the
same line as the API whenever the app connects as a role that does not own the tables.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

import sqlalchemy as sa
from fastapi import Depends, Request
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry

SQLITE_BUSY_TIMEOUT = 15  # seconds a SQLite writer waits for the lock; then the request is a 503
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})  # requests that never write: no write lock


def make_engine(url: str, **options: object) -> sa.Engine:
    """An engine for `url` (with its driver), set up for this API."""
    parsed = sa.make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        given = options.get("connect_args") or {}
        assert isinstance(given, dict), "connect_args is a dict"
        # pysqlite's busy timeout, and one connection for the threads of the pool, unless given
        options["connect_args"] = {
            "check_same_thread": False,
            "timeout": SQLITE_BUSY_TIMEOUT,
            **given,
        }
    if backend == "mysql" and "charset" not in parsed.query:
        parsed = parsed.update_query_dict({"charset": "utf8mb4"})
    engine = sa.create_engine(parsed, pool_pre_ping=backend != "sqlite", **options)

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
        cursor = dbapi_connection.cursor()
        if backend == "sqlite":
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.execute(
                "PRAGMA journal_mode = WAL"
            )  # kept by the file; in memory it stays "memory"
            dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself (below)
        elif backend == "mysql":
            cursor.execute("SET time_zone = '+00:00'")
        elif backend == "postgresql":
            cursor.execute("SET TIME ZONE 'UTC'")
        cursor.close()
        if backend == "postgresql":
            dbapi_connection.commit()  # psycopg opened a transaction for the SET

    if backend == "sqlite":

        @sa.event.listens_for(engine, "begin")
        def _on_begin(connection: sa.Connection) -> None:
            connection.exec_driver_sql(
                "BEGIN IMMEDIATE" if connection.get_execution_options().get("writes") else "BEGIN"
            )

    return engine


def writer(engine: sa.Engine) -> sa.Engine:
    """`engine` for requests that write: on SQLite their transactions take the write lock at BEGIN."""
    return engine.execution_options(writes=True)


def session_factory(engine: sa.Engine) -> sessionmaker[Session]:
    factory = sessionmaker(engine, expire_on_commit=True)
    sa.event.listen(factory, "after_begin", _apply_caller)
    return factory


def bind(session: Session, tenant_id: str | None, user_id: str | None) -> None:
    """Let the session's transactions carry the caller: now, and each time one begins."""
    if session.info.get("caller") == (tenant_id, user_id):
        return  # already carried: every resource a request touches binds the same caller
    session.info["caller"] = (tenant_id, user_id)
    if session.in_transaction():
        _apply_caller(session, None, session.connection())


def _apply_caller(
    session: Session, _transaction: SessionTransaction | None, connection: sa.Connection
) -> None:
    caller = session.info.get("caller")
    if caller is not None and connection.dialect.name == "postgresql":
        # Transaction-local (the third argument): a pooled connection never carries a caller over.
        connection.execute(
            sa.text(
                "SELECT set_config('app.tenant_id', :tenant, true), set_config('app.user_id', :user, true)"
            ),
            {"tenant": caller[0] or "", "user": caller[1] or ""},
        )


def get_session(request: Request) -> Iterator[Session]:
    """A session for one request, from the app's engine (see `app.create_app`); its writer
    unless the method only reads."""
    state = request.app.state
    with state.sessionmaker(
        bind=state.engine if request.method in READ_METHODS else state.writer
    ) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]
