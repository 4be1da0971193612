"""Fixtures of the runtime's unit tests: fresh tables per test, the system tables handed over."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session
from world import (
    TENANT,
    USER,
    AuditLogEntry,
    Base,
    BulkRun,
    ChangeFeedClock,
    ChangeFeedEntry,
    IdempotencyKey,
)

from schemagen.runtime import audit, bulk, changes, idempotency, trail
from schemagen.runtime.context import RequestContext
from schemagen.runtime.db import make_engine, session_factory
from schemagen.runtime.resources import REGISTRY


@pytest.fixture(autouse=True)
def system_tables() -> Iterator[None]:
    """The project's system tables (audit, bulk runs, idempotency keys, the change feed),
    handed over as the generated db.py does."""
    audit.configure(AuditLogEntry)
    bulk.configure(BulkRun)
    idempotency.configure(IdempotencyKey)
    changes.configure(ChangeFeedEntry, ChangeFeedClock)
    yield
    audit.configure(AuditLogEntry)
    bulk.configure(BulkRun)
    changes.configure(ChangeFeedEntry, ChangeFeedClock)
    assert set(REGISTRY) >= {"note", "region", "office", "tag", "memo", "draft"}
    assert trail.RECORDER


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[sa.Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'runtime.db'}")
    Base.metadata.create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: sa.Engine) -> Iterator[Session]:
    with session_factory(engine)() as session:
        yield session


@pytest.fixture
def context() -> RequestContext:
    return RequestContext(tenant_id=TENANT, user_id=USER)
