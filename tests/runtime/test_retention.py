"""What bulk runs keep (`runtime.retention`): undo images sealed at rest with BULK_UNDO_KEYS
(rotated keys still open old ones), dropped once their token expires, and finished runs deleted
past BULK_RETENTION_DAYS, on SQLite, PostgreSQL and MariaDB."""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet
from test_bulk_runs import CALLER, DIALECTS, Factory, done_count, notes, run_bulk, sessions
from world import NOTE, BulkRun

from schemagen.runtime import api_models, bulk, bulk_runs, retention
from schemagen.runtime.errors import ApiError
from schemagen.runtime.http import Accepted
from schemagen.runtime.values import dialect_of, now, stored_time


@pytest.fixture(params=DIALECTS)
def factory(
    request: pytest.FixtureRequest, database_url: Callable[[str], str]
) -> Iterator[Factory]:
    yield from sessions(database_url(request.param))


@pytest.fixture
def settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """Set the environment, then `retention.settings_from_environment()`; reset after."""
    yield monkeypatch
    monkeypatch.delenv(retention.KEYS_SETTING, raising=False)
    monkeypatch.delenv(retention.RETENTION_SETTING, raising=False)
    retention.settings_from_environment()


def configure(monkeypatch: pytest.MonkeyPatch, **values: str) -> None:
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    retention.settings_from_environment()


def stored_image(factory: Factory) -> object:
    with factory() as session:
        statement = sa.select(BulkRun.undo_data).where(BulkRun.undo_data.is_not(None))
        return session.scalars(statement).first()


def expire_tokens(factory: Factory) -> None:
    with factory() as session:
        moment = stored_time(now() - datetime.timedelta(minutes=1), dialect_of(session))
        session.execute(sa.update(BulkRun).values(undo_expires_at=moment))
        session.commit()


def undo(factory: Factory, token: str) -> dict[str, int]:
    with factory() as session:
        request = api_models.BulkUndoRequest(undo_token=token)
        return bulk.undo_bulk(NOTE, session, CALLER, request)


def test_undo_images_are_sealed_and_open_with_any_listed_key(factory: Factory, settings) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    configure(settings, BULK_UNDO_KEYS=old)
    notes(factory, 3)
    small = run_bulk(factory, operation="update", values={"title": "secret-free"})
    image = stored_image(factory)
    assert isinstance(image, dict) and set(image) == {retention.SEALED}
    assert '"rows"' not in json.dumps(image)  # the image is not readable at rest
    configure(settings, BULK_UNDO_KEYS=f"{new},{old}")  # a new key first, the old one kept
    assert undo(factory, small["undo_token"]) == {"restored": 3, "skipped": 0}


def test_a_background_run_seals_its_image_batch_by_batch(factory: Factory, settings) -> None:
    configure(settings, BULK_UNDO_KEYS=Fernet.generate_key().decode())
    notes(factory, 5)
    queued = run_bulk(factory, operation="update", values={"done": True})
    assert isinstance(queued, Accepted)
    bulk_runs.work(factory)
    assert set(stored_image(factory)) == {retention.SEALED}
    with factory() as session:
        token = bulk_runs.get_run(session, CALLER, queued["id"])["undo_token"]
    assert undo(factory, token) == {"restored": 5, "skipped": 0} and done_count(factory) == 0


def test_a_sealed_image_without_its_key_is_refused_not_lost(factory: Factory, settings) -> None:
    configure(settings, BULK_UNDO_KEYS=Fernet.generate_key().decode())
    notes(factory, 2)
    small = run_bulk(factory, operation="update", values={"done": True})
    for keys in ("", Fernet.generate_key().decode()):
        configure(settings, BULK_UNDO_KEYS=keys)
        with pytest.raises(ApiError) as refused:
            undo(factory, small["undo_token"])
        assert (refused.value.status, refused.value.error_code) == (409, "conflict")
        assert retention.KEYS_SETTING in refused.value.detail
    assert done_count(factory) == 2 and stored_image(factory) is not None


def test_a_key_fernet_cannot_use_stops_the_start(settings) -> None:
    settings.setenv(retention.KEYS_SETTING, "not-a-key")
    with pytest.raises(ValueError, match="BULK_UNDO_KEYS holds a key that is not a Fernet key"):
        retention.settings_from_environment()
    settings.setenv(retention.KEYS_SETTING, "")
    settings.setenv(retention.RETENTION_SETTING, "a week")
    with pytest.raises(ValueError, match="BULK_RETENTION_DAYS must be a positive number of days"):
        retention.settings_from_environment()


def test_expired_images_are_dropped_and_old_runs_deleted(factory: Factory, settings) -> None:
    configure(settings, BULK_RETENTION_DAYS="30")
    notes(factory, 5)
    small = run_bulk(factory, operation="update", filter={"rank__lte": "1"}, values={"done": True})
    queued = run_bulk(factory, operation="update", values={"title": "queued"})
    assert isinstance(queued, Accepted)
    # Nothing has expired yet: nothing goes.
    assert bulk_runs.purge(factory) == (0, 0)
    assert undo(factory, small["undo_token"]) == {"restored": 2, "skipped": 0}
    again = run_bulk(factory, operation="update", filter={"rank__lte": "1"}, values={"done": True})
    expire_tokens(factory)  # as a minute after their 60 s
    assert bulk_runs.purge(factory) == (2, 0)  # both images: the undone run's, and again's
    with pytest.raises(ApiError) as expired:
        undo(factory, again["undo_token"])
    assert (expired.value.status, expired.value.error_code) == (410, "undo_expired")
    # 31 days on: the finished runs go, the queued one (still to be worked on) stays.
    gone = bulk_runs.purge(factory, now() + datetime.timedelta(days=31))
    assert gone[1] == 2
    with factory() as session:
        assert list(session.scalars(sa.select(BulkRun.status))) == ["queued"]


def test_without_a_retention_runs_stay(factory: Factory, settings) -> None:
    configure(settings)
    notes(factory, 2)
    run_bulk(factory, operation="update", values={"done": True})
    assert bulk_runs.purge(factory, now() + datetime.timedelta(days=3650))[1] == 0
    with factory() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(BulkRun)) == 1
