"""Helpers for the tests of the generated backend: import a built package, count statements."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any, Self


@contextmanager
def backend(output: Path, package: str) -> Iterator[ModuleType]:
    """The generated `package` imported from `output/backend`, forgotten afterwards.

    No bytecode is written: the built projects are shared with the golden-file tests, which
    compare every file in them.
    """
    path = str(output / "backend")
    dont_write = sys.dont_write_bytecode
    sys.dont_write_bytecode = True
    # Another project of the same package name (the migration tests' `library`) may have been
    # imported before: start from nothing, or `package.app` is looked up in that one.
    _forget(package)
    importlib.invalidate_caches()
    sys.path.insert(0, path)
    try:
        yield importlib.import_module(package)
    finally:
        sys.path.remove(path)
        sys.dont_write_bytecode = dont_write
        _forget(package)


def _forget(package: str) -> None:
    for name in [
        n for n in sys.modules if n == package or n.startswith((f"{package}.", f"{package}_ext"))
    ]:
        del sys.modules[name]


class StatementCounter:
    """Counts the SQL statements an engine sends while active."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.statements: list[str] = []

    def _count(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        self.statements.append(statement)

    def __enter__(self) -> Self:
        import sqlalchemy as sa

        self.statements = []
        sa.event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc: object) -> None:
        import sqlalchemy as sa

        sa.event.remove(self.engine, "before_cursor_execute", self._count)
