"""`schemagen db`: Alembic on the project's generated migrations, from any folder.

Alembic runs in this process on `<output>/migrations/alembic.ini`, whose env.py imports the
generated backend by path and takes the database the app uses: `DATABASE_URL`, else the app's
default SQLite file (`DEFAULT_URL` of the generated package, beside its backend/ folder). What can
go wrong for a user (no migrations, an unknown revision, a database that does not answer, a
revision that stops itself) is an `ApplyError` with one line saying what to do.
"""

from __future__ import annotations

import os
import re
import sys
from typing import TYPE_CHECKING

from schemagen.migrations.revision import History, HistoryError, read_history

if TYPE_CHECKING:
    from schemagen.config.project import ProjectConfig

COMMANDS = ("upgrade", "downgrade", "current", "history")


class ApplyError(Exception):
    """A failure of `schemagen db` the user can act on; `exit_code` 2 for a bad argument."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def run_alembic(config: ProjectConfig, command: str, *args: str) -> None:
    """Run Alembic's `command` (one of COMMANDS) with `args` on the project's migrations."""
    folder = config.output_dir / "migrations"
    ini = folder / "alembic.ini"
    if not ini.is_file():
        raise ApplyError(
            f"no migrations: {config.relative(ini)} does not exist; run `schemagen build` "
            "(the alembic target writes it), then `schemagen migrate -m initial`"
        )
    history = read_history(folder / "versions")
    if not history.revisions:
        raise ApplyError(
            f"no migrations yet in {config.relative(folder / 'versions')}/: "
            "run `schemagen migrate -m initial` to write the first revision"
        )
    try:
        _ = history.head
    except HistoryError as exc:
        raise ApplyError(str(exc)) from None
    try:
        import sqlalchemy.exc
        from alembic import command as alembic_command
        from alembic.config import Config
        from alembic.util import CommandError
    except ImportError as exc:
        raise ApplyError(
            f"`schemagen db` runs Alembic and SQLAlchemy, which are not installed here ({exc}): "
            "install the generated project (pip install -e generated) or `pip install alembic`"
        ) from None
    args = tuple(_by_number(history, arg) for arg in args)
    alembic_config = Config(str(ini))
    options: dict[str, bool] = {"indicate_current": True} if command == "history" else {}
    try:
        getattr(alembic_command, command)(alembic_config, *args, **options)
    except CommandError as exc:
        message = str(exc)
        unknown = "Can't locate revision" in message or "No such revision" in message
        raise ApplyError(
            f"{message} (revisions: {_ids(history)})" if unknown else message,
            exit_code=2 if unknown else 1,
        ) from None
    except sqlalchemy.exc.DBAPIError as exc:
        if exc.connection_invalidated or isinstance(exc, sqlalchemy.exc.OperationalError):
            raise ApplyError(
                f"cannot use the database {_database(config)}: {_first_line(exc.orig)}; "
                "set DATABASE_URL to one that answers"
            ) from None
        raise ApplyError(f"the database refused a step: {_first_line(exc.orig)}") from None
    except ModuleNotFoundError as exc:
        raise ApplyError(
            f"the generated backend cannot be imported ({exc}): install the generated project's "
            "dependencies (pip install -e generated) or, for this database, its driver"
        ) from None


def _by_number(history: History, revision: str) -> str:
    """`0002` as the id of the file `0002_*.py`: the same since ids are file numbers, and the way
    to name a revision written before that (its id a hash)."""
    if re.fullmatch(r"\d{4}", revision):
        numbered = next((r for r in history.revisions if r.number == int(revision)), None)
        if numbered is not None:
            return numbered.revision
    return revision


def _ids(history: History) -> str:
    return ", ".join(["base", *(r.revision for r in history.revisions), "head"])


def _first_line(error: object) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


def _database(config: ProjectConfig) -> str:
    """The database env.py used, password hidden: the generated package's `database_url()`."""
    from sqlalchemy.engine import make_url

    package = sys.modules.get(config.package)
    url = getattr(package, "database_url", None)
    text = url() if callable(url) else os.environ.get("DATABASE_URL", "")
    try:
        return make_url(text).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - an unparsable URL is shown as the user gave it
        return text
