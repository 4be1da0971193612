"""Revision files: the history in `versions/`, and rendering the next one.

Files are named `0001_<slug>.py`, `0002_...`, and a revision's id is its file's number (`0002`),
so `alembic downgrade 0002` and `schemagen db downgrade 0002` name it as the file does; never a
clock or a random number, so the same history gives byte-identical files on any machine. Each revision records `schemagen_state`, the sha256 of
snapshot.json after it: `check` uses it to notice a snapshot that does not belong to the history.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

from schemagen.literals import comment_text, py_doc_text, py_literal
from schemagen.migrations import operations as ops
from schemagen.render import RenderContext

REVISION_FILE = re.compile(
    r"(\d{4})_[a-z0-9_]*\.py"
)  # fullmatch: `$` would allow a trailing newline
_ASSIGNMENT = re.compile(
    r"^(revision|down_revision|schemagen_state)\s*(?::[^=]*)?=\s*(.+?)\s*$", re.MULTILINE
)


class HistoryError(Exception):
    """versions/ cannot be continued; the message says why and what to do."""


@dataclass(frozen=True)
class RevisionFile:
    path: Path
    revision: str
    down_revision: str | tuple[str, ...] | None
    state: str | None  # schemagen_state, when schemagen wrote it
    number: int | None  # from the file name: 0001_... -> 1


@dataclass(frozen=True)
class History:
    """The revisions in versions/ and where the next one goes."""

    revisions: tuple[RevisionFile, ...]

    @property
    def head(self) -> RevisionFile | None:
        seen: dict[str, RevisionFile] = {}
        for r in self.revisions:
            if (other := seen.setdefault(r.revision, r)) is not r:
                raise HistoryError(
                    f"versions/{other.path.name} and versions/{r.path.name} are both revision "
                    f"{r.revision} (two branches each wrote one): delete yours, take the other "
                    "branch's snapshot.json, and run `schemagen migrate` again"
                )
        referenced: set[str] = set()
        for r in self.revisions:
            downs = r.down_revision if isinstance(r.down_revision, tuple) else (r.down_revision,)
            referenced.update(d for d in downs if d)
        heads = [r for r in self.revisions if r.revision not in referenced]
        if len(heads) > 1:
            names = ", ".join(sorted(h.path.name for h in heads))
            raise HistoryError(
                f"versions/ has {len(heads)} heads ({names}); merge them with `alembic merge heads` first"
            )
        return heads[0] if heads else None

    @property
    def next_number(self) -> int:
        return max((r.number or 0 for r in self.revisions), default=0) + 1


def read_history(versions: Path) -> History:
    """Every revision file in `versions` (schemagen's and hand-written ones), read without importing."""
    revisions = []
    if versions.is_dir():
        for path in sorted(versions.glob("*.py")):
            text = path.read_text(encoding="utf-8")
            values: dict[str, object] = {}
            for name, expr in _ASSIGNMENT.findall(text):
                try:
                    values.setdefault(name, ast.literal_eval(expr))
                except (ValueError, SyntaxError):
                    continue
            revision = values.get("revision")
            if not isinstance(revision, str):
                continue  # not a revision (a helper module, say)
            down = values.get("down_revision")
            down_revision = (
                tuple(down)
                if isinstance(down, list | tuple)
                else down
                if isinstance(down, str)
                else None
            )
            state = values.get("schemagen_state")
            number = REVISION_FILE.fullmatch(path.name)
            revisions.append(
                RevisionFile(
                    path,
                    revision,
                    down_revision,
                    state if isinstance(state, str) else None,
                    int(number.group(1)) if number else None,
                )
            )
    return History(tuple(revisions))


def slug(message: str) -> str:
    text = re.sub(r"[^a-z0-9]+", "_", message.lower()).strip("_")
    return text[:50].rstrip("_") or "migration"


def body(operations: list[ops.Operation]) -> list[str]:
    """The statements of `upgrade()` or `downgrade()`, one comment per step, batches merged."""
    merged: list[tuple[str | None, list[str]]] = []
    for operation in operations:
        first = True
        for block in operation.render():
            lines = ([f"# {comment_text(operation.describe())}"] if first else []) + block.lines
            first = False
            if block.batch is not None and merged and merged[-1][0] == block.batch:
                merged[-1][1].extend(lines)
            else:
                merged.append((block.batch, list(lines)))
    result = _prechecks(operations)
    for batch, lines in merged:
        if batch is None:
            result += lines
        else:
            result.append(f"with op.batch_alter_table({py_literal(batch)}) as batch_op:")
            result += ["    " + line for line in lines]
    if any(
        re.search(r"\bdialect\b", line) and not line.lstrip().startswith("#") for line in result
    ):
        result.insert(0, "dialect = op.get_context().dialect.name")
    return result or ["pass"]


PRECHECK = "_stop_if_rows"  # the revision's helper that runs the prechecks (revision.py.j2)


def _prechecks(operations: list[ops.Operation]) -> list[str]:
    """One call before any change: the rows that would make a step fail stop the revision there,
    with a clear message, instead of a constraint failing half-way through it."""
    checks = list(dict.fromkeys(p for o in operations for p in o.prechecks))
    if not checks:
        return []
    lines = [
        "# Before any change: rows that would make a step fail stop the revision here.",
        f"{PRECHECK}(",
        "    [",
    ]
    for check in checks:
        lines.append(f"        ({check.query}, {py_literal(check.problem)}),")
    return [*lines, "    ]", ")"]


@dataclass(frozen=True)
class RenderedRevision:
    filename: str
    revision: str
    text: str  # before formatting


def render_revision(
    context: RenderContext,
    *,
    number: int,
    message: str,
    down_revision: str | None,
    down_number: int | None,
    upgrade: list[ops.Operation],
    downgrade: list[ops.Operation],
    state: str,
    source: str,
    ini_path: str,
    dialects: tuple[str, ...],
    accepted: list[str],
    warnings: list[str],
) -> RenderedRevision:
    upgrade_lines = body(upgrade)
    downgrade_lines = body(downgrade)
    revision = f"{number:04d}"
    template = context.env.get_template("alembic/revision.py.j2")
    text = template.render(
        number=f"{number:04d}",
        message=py_doc_text(message),
        revision=revision,
        down_revision=down_revision,
        down_number=f"{down_number:04d}" if down_number else None,
        steps=[py_doc_text(o.describe()) for o in upgrade],
        accepted=[py_doc_text(a) for a in accepted],
        warnings=[py_doc_text(w) for w in warnings],
        mysql="mysql" in dialects,
        source=py_doc_text(source),
        ini_path=py_doc_text(ini_path),
        state=state,
        upgrade=upgrade_lines,
        downgrade=downgrade_lines,
        prechecks=any(line.startswith(f"{PRECHECK}(") for line in upgrade_lines + downgrade_lines),
    )
    return RenderedRevision(f"{number:04d}_{slug(message)}.py", revision, text)
