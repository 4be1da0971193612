"""What a bulk run keeps, and for how long.

A run's undo images are the rows as they were: as sensitive as the rows themselves, and kept in
`bulk_runs.undo_data` beside the run. With `BULK_UNDO_KEYS` set (Fernet keys, comma-separated,
newest first: `python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key()
.decode())"` makes one) they are sealed at rest: encrypted and authenticated with the first key,
opened with any of them, so a new key goes first and an old one stays until the runs it sealed
are gone. An undo image outlives its token by nothing: once the token expires it is dropped. With
`BULK_RETENTION_DAYS` set, a finished run (done, failed or cancelled) older than that is deleted
with everything it kept; unset, runs stay.

The embedded worker applies it (`bulk_runs.purge`) at start and every `PURGE_SECONDS` after.
"""

from __future__ import annotations

import datetime
import json
import os
from collections.abc import Mapping
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from .errors import ApiError
from .values import positive_setting

KEYS_SETTING = "BULK_UNDO_KEYS"
RETENTION_SETTING = "BULK_RETENTION_DAYS"
PURGE_SECONDS = 600.0  # how often the embedded worker applies the retention
SEALED = "sealed"  # the one key of a sealed image: {"sealed": "<Fernet token>"}

_keys: MultiFernet | None = None
_retention: datetime.timedelta | None = None


def settings_from_environment() -> None:
    """Read `BULK_UNDO_KEYS` and `BULK_RETENTION_DAYS`; a key Fernet cannot use stops the start."""
    global _keys, _retention
    texts = [k.strip() for k in os.environ.get(KEYS_SETTING, "").split(",") if k.strip()]
    try:
        _keys = MultiFernet([Fernet(text) for text in texts]) if texts else None
    except ValueError:
        raise ValueError(
            f"{KEYS_SETTING} holds a key that is not a Fernet key (32 url-safe base64-encoded "
            "bytes: `Fernet.generate_key()`)"
        ) from None
    days = positive_setting(RETENTION_SETTING, 0, "days")
    _retention = datetime.timedelta(days=days) if days else None


def seal(image: dict[str, Any]) -> dict[str, Any]:
    """An undo image as it is stored: sealed when keys are set, else as it is."""
    if _keys is None:
        return image
    return {SEALED: _keys.encrypt(json.dumps(image).encode("utf-8")).decode("ascii")}


def unseal(stored: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """An undo image as `seal` stored it (None: none kept)."""
    if stored is None or SEALED not in stored:
        return None if stored is None else dict(stored)
    if _keys is None:
        raise ApiError(
            409, "conflict", f"this run's undo data is sealed, and {KEYS_SETTING} is not set"
        )
    try:
        opened = _keys.decrypt(str(stored[SEALED]).encode("ascii"))
    except InvalidToken:
        raise ApiError(
            409, "conflict", f"this run's undo data is sealed with a key {KEYS_SETTING} lacks"
        ) from None
    image: dict[str, Any] = json.loads(opened)
    return image


def kept_for() -> datetime.timedelta | None:
    """How long a finished run is kept (`BULK_RETENTION_DAYS`); None: for good."""
    return _retention
