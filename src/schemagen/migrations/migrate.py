"""`schemagen migrate` and the pending-migration checks of `check` and `build`.

The revisions in `<output>/migrations/versions/` and `snapshot.json` are history: written by
`migrate` only, never re-rendered by `build`, never owned by the manifest (so never deleted).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from schemagen.files import RenderedFile
from schemagen.format import format_python
from schemagen.migrations import operations as ops
from schemagen.migrations.autodetect import autodetect, diff
from schemagen.migrations.questioner import DowngradeQuestioner, MigrationRefused, Questioner
from schemagen.migrations.revision import History, HistoryError, read_history, render_revision
from schemagen.migrations.snapshot import (
    EMPTY,
    SNAPSHOT_NAME,
    SchemaState,
    SnapshotError,
    hints_of,
    load_snapshot,
    state_of,
)
from schemagen.migrations.status import Status
from schemagen.render import RenderContext
from schemagen.write import commit_files

if TYPE_CHECKING:
    from schemagen.build import Compiled

__all__ = [
    "MigrationError",
    "MigrationPlan",
    "MigrationRefused",
    "Status",
    "migration_status",
    "plan_migration",
    "write_migration",
]

MIGRATIONS = "migrations"


class MigrationError(Exception):
    """The history cannot be read or continued (a corrupt snapshot, several heads, ...)."""


def migrations_dir(compiled: Compiled) -> Path:
    return compiled.config.output_dir / MIGRATIONS


@dataclass
class MigrationPlan:
    """The next revision, in memory."""

    folder: Path
    filename: str
    revision: str
    text: str
    snapshot: str
    operations: list[ops.Operation]
    accepted: list[str]
    warnings: list[str]

    @property
    def path(self) -> Path:
        return self.folder / "versions" / self.filename


def _history(folder: Path) -> tuple[History, SchemaState | None]:
    try:
        history = read_history(folder / "versions")
        head = history.head
        snapshot = load_snapshot(folder / SNAPSHOT_NAME)
    except (HistoryError, SnapshotError, OSError, UnicodeDecodeError) as error:
        raise MigrationError(str(error)) from None
    if snapshot is None and head is not None and head.state is not None:
        raise MigrationError(
            f"{folder / SNAPSHOT_NAME} is missing but versions/ holds revisions; restore it from version control"
        )
    if (
        snapshot is not None
        and head is not None
        and head.state is not None
        and head.state != snapshot.digest()
    ):
        raise MigrationError(
            f"{folder / SNAPSHOT_NAME} does not match the latest revision {head.path.name}: it must be the schema state after it. "
            "Restore both from version control (or delete the revision and the snapshot change together)"
        )
    return history, snapshot


def migration_status(compiled: Compiled) -> Status:
    """Whether the schemas have changes no revision captures (without writing anything)."""
    folder = migrations_dir(compiled)
    try:
        _, snapshot = _history(folder)
    except MigrationError as error:
        return Status(started=True, problems=[str(error)])
    if snapshot is None:
        return Status(started=False)
    operations, _ = autodetect(
        snapshot,
        state_of(compiled.project),
        hints_of(compiled.project),
        Questioner(accept_data_loss=True),
    )
    return Status(started=True, pending=[o.describe() for o in operations])


def plan_migration(
    compiled: Compiled, message: str | None = None, *, accept_data_loss: bool = False
) -> MigrationPlan | None:
    """The next revision from the schema diff; None when nothing changed. Raises MigrationRefused
    (with every problem) when a step needs --accept-data-loss or a default."""
    config, project = compiled.config, compiled.project
    folder = migrations_dir(compiled)
    history, snapshot = _history(folder)
    old = snapshot or EMPTY
    new = state_of(project)
    questioner = Questioner(accept_data_loss=accept_data_loss)
    upgrade, matching = autodetect(old, new, hints_of(project), questioner)
    if not upgrade:
        return None
    losses = [loss for o in upgrade if (loss := o.data_loss())]
    questioner.check(losses)
    accepted = losses + questioner.accepted
    downgrade = diff(new, old, matching.inverted(), DowngradeQuestioner())
    warnings = [w for o in upgrade for w in o.warnings()]
    head = history.head
    number = history.next_number
    context = RenderContext(
        templates=config.templates_dir, schemas_label=config.relative(config.schemas_dir) + "/"
    )
    rendered = render_revision(
        context,
        number=number,
        message=message or _default_message(old, upgrade),
        down_revision=head.revision if head else None,
        down_number=head.number if head else None,
        upgrade=upgrade,
        downgrade=downgrade,
        state=new.digest(),
        source=config.relative(config.schemas_dir) + "/",
        ini_path=config.relative(folder / "alembic.ini"),
        dialects=tuple(project.dialects),
        accepted=accepted,
        warnings=warnings,
    )
    [formatted] = format_python([RenderedFile(f"versions/{rendered.filename}", rendered.text)])
    return MigrationPlan(
        folder,
        rendered.filename,
        rendered.revision,
        formatted.content,
        new.dumps(),
        upgrade,
        accepted,
        warnings,
    )


def _default_message(old: SchemaState, upgrade: list[ops.Operation]) -> str:
    if not old.tables:
        return "initial"
    described = [
        o.describe()
        for o in upgrade
        if not isinstance(o, ops.AddIndex | ops.DropIndex)
        and not (isinstance(o, ops.AddConstraint | ops.DropConstraint) and o.kind == "foreign key")
    ] or [upgrade[0].describe()]
    return "; ".join(described[:2]) + (
        f" and {len(described) - 2} more" if len(described) > 2 else ""
    )


def write_migration(plan: MigrationPlan) -> None:
    """Write the revision and the snapshot as one transaction of the output folder's writer:
    both or neither, even when the process is killed."""
    output = plan.folder.parent
    commit_files(
        output,
        {
            plan.path.relative_to(output).as_posix(): plan.text.encode("utf-8"),
            (plan.folder / SNAPSHOT_NAME).relative_to(output).as_posix(): plan.snapshot.encode(
                "utf-8"
            ),
        },
    )
