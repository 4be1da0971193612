"""`schemagen watch`'s loop: which files are a project's inputs, and waiting until they change.

Rebuilding is the command line's (it reports like `schemagen build`); this module only says when.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from schemagen.config.paths import SCHEMA_SUFFIXES, ProjectPaths, find_project, locate

DEFAULT_QUIET_MS = (
    150  # a save that writes several files (or an editor's temp + rename) is one batch
)
READY_POLL_MS = 100


@dataclass(frozen=True)
class Inputs:
    """What a build reads: the configuration file, the schema files, the template overrides."""

    config_file: Path
    schemas_dir: Path | None
    templates_dir: Path | None

    @classmethod
    def of(cls, start: Path) -> Inputs:
        """The project's inputs as its configuration names them now. An unreadable configuration
        leaves only the configuration file to watch, until it is fixed."""
        paths: ProjectPaths | None = locate(start)
        if paths is None:
            return cls(find_project(start), None, None)
        return cls(paths.config_file, paths.schemas_dir, paths.templates_dir)

    def folders(self) -> list[Path]:
        """What to hand the watcher: folders that exist, and the configuration file itself."""
        watched = [self.config_file]
        watched += [d for d in (self.schemas_dir, self.templates_dir) if d and d.is_dir()]
        return watched

    def filter(self, ignored: Callable[[Any, str], bool]) -> Callable[[Any, str], bool]:
        """A watcher's filter: inputs only, less what `ignored` (editors' swap files) leaves out."""
        return lambda change, path: ignored(change, path) and self.is_input(Path(path))

    def is_input(self, path: Path) -> bool:
        if path == self.config_file:
            return True
        if self.schemas_dir is not None and path.parent == self.schemas_dir:
            # What find_schema_files reads: directly in the folder, not hidden.
            return path.suffix in SCHEMA_SUFFIXES and not path.name.startswith(".")
        return self.templates_dir is not None and path.is_relative_to(self.templates_dir)


def input_changes(start: Path, quiet_ms: int = DEFAULT_QUIET_MS) -> Iterator[list[Path]]:
    """The project's changed input files, one sorted batch per burst of saves, until Ctrl-C ends
    the iteration (no KeyboardInterrupt escapes the watcher itself).

    The first batch is empty, as soon as the watcher is in place: a build started then misses no
    save made while it runs (the watcher keeps collecting in its own thread). After a change to
    the configuration the inputs are located again (it may name other folders) and the watcher
    restarted: an editor that saves by renaming a new file over the old one leaves a watch on the
    old file behind.
    """
    import logging

    import watchfiles

    # Its "KeyboardInterrupt caught, stopping watch" warning: Ctrl-C is how a user stops us.
    logging.getLogger("watchfiles.main").setLevel(logging.ERROR)
    ready = False
    while True:
        inputs = Inputs.of(start)
        restart = False
        for batch in watchfiles.watch(
            *inputs.folders(),
            watch_filter=inputs.filter(watchfiles.DefaultFilter()),
            step=quiet_ms,
            # An empty batch after this long without a change: the first says the watch is on.
            rust_timeout=READY_POLL_MS,
            yield_on_timeout=True,
            raise_interrupt=False,
        ):
            if not batch:
                if not ready:
                    ready = True
                    yield []
                continue
            changed = sorted({Path(path) for _, path in batch})
            yield changed
            if inputs.config_file in changed or Inputs.of(start) != inputs:
                restart = True
                break
        if not restart:
            return
