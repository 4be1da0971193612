"""Write rendered files into the output folder: plan in memory, then apply atomically.

`plan` compares the rendered files with the folder and its manifest and decides everything
without writing a byte; `check` and `diff` are `plan` plus `Plan.unified_diff`. `apply` then
replaces the whole output at once, as a transaction (see "Applying a plan" below): every later
schemagen command sees the old output or the new one, never a mix, even after `kill -9`.

Ownership rules (DESIGN §4): the manifest lists every file schemagen owns with the hash of its
bytes. A generated file edited by hand is a conflict unless forced; a file the manifest does not
own is never touched; `once` files (user code) are scaffolded when absent and then left alone.
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import json
import os
import posixpath
import re
import shutil
import signal
import stat
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from schemagen.files import MANIFEST_NAME, STAGING_NAME, RenderedFile
from schemagen.format import ruff_version

__all__ = [
    "MANIFEST_NAME",
    "STAGING_NAME",
    "Applied",
    "Change",
    "Conflict",
    "Manifest",
    "ManifestEntry",
    "OutputFolder",
    "Plan",
    "Recovery",
    "WriteError",
    "apply",
    "commit_files",
    "content_hash",
    "output_lock",
    "plan",
    "recover",
    "validate_path",
]

MANIFEST_VERSION = 1

_SHA256 = re.compile(r"[0-9a-f]{64}")
_DRIVE = re.compile(r"[A-Za-z]:")


class WriteError(Exception):
    """A user-facing error about the output folder; nothing has been written when it is raised
    by `plan`, and `apply` names the file it failed on."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def content_hash(data: bytes | str) -> str:
    """The sha256 hex digest of `data` (text is hashed as its UTF-8 bytes)."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def validate_path(path: str) -> None:
    """Raise WriteError unless `path` is a plain relative POSIX path inside the output folder.

    Names come from user schemas, so this is defence in depth against writing anywhere else.
    """
    reason = None
    if not isinstance(path, str) or not path:
        reason = "it is empty"
    elif "\\" in path:
        reason = "it contains a backslash; use / as the separator"
    elif "\0" in path:
        reason = "it contains a NUL character"
    elif path.startswith("/") or _DRIVE.match(path):
        reason = "it is absolute"
    elif any(part in ("", ".", "..") for part in path.split("/")):
        reason = "it has an empty, '.' or '..' segment"
    elif path == MANIFEST_NAME:
        reason = "that name is reserved for the manifest"
    elif path.split("/")[0] == STAGING_NAME:
        reason = "that folder is reserved for schemagen's unfinished writes"
    if reason:
        raise WriteError(f"invalid output path {path!r}: {reason}")


# ---------------------------------------------------------------------------------------------
# The manifest


@dataclass(frozen=True, slots=True)
class ManifestEntry:
    """One owned file: the sha256 of its bytes on disk, and of its pre-format render if known."""

    sha256: str
    source: str | None = None

    def to_json(self) -> dict[str, str]:
        data = {"sha256": self.sha256}
        if self.source is not None:
            data["source"] = self.source
        return data


@dataclass(slots=True)
class Manifest:
    """`.schemagen-manifest.json`: every file schemagen owns in the output folder."""

    files: dict[str, ManifestEntry] = field(default_factory=dict)
    formatter: str | None = None

    @classmethod
    def load(cls, output_dir: Path) -> Manifest:
        """Read the manifest of `output_dir`; empty when absent, WriteError when corrupt."""
        text = _read_manifest_text(Path(output_dir))
        return cls() if text is None else cls.loads(text, Path(output_dir) / MANIFEST_NAME)

    @classmethod
    def loads(cls, text: str, where: Path | str = MANIFEST_NAME) -> Manifest:
        """Parse manifest text; `where` names the file in error messages."""

        def corrupt(why: str) -> WriteError:
            return WriteError(
                f"{where} is corrupt: {why}. Restore it from version control, or delete it: "
                "schemagen then adopts generated files that are unchanged and reports the others."
            )

        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise corrupt(f"invalid JSON ({error.msg} at line {error.lineno})") from None
        if not isinstance(data, dict) or "schemagen_manifest" not in data:
            raise corrupt("not a schemagen manifest")
        version = data["schemagen_manifest"]
        if version != MANIFEST_VERSION:
            if isinstance(version, int) and version > MANIFEST_VERSION:
                raise WriteError(f"{where} was written by a newer schemagen; upgrade schemagen")
            raise corrupt(f"unknown version {version!r}")
        formatter = data.get("formatter")
        files = data.get("files")
        if formatter is not None and not isinstance(formatter, str):
            raise corrupt('"formatter" is not a string')
        if not isinstance(files, dict):
            raise corrupt('"files" is not an object')
        entries = {}
        for path, entry in files.items():
            try:
                validate_path(path)  # a tampered manifest must not make us delete elsewhere
            except WriteError as error:
                raise corrupt(error.message) from None
            if not isinstance(entry, dict) or not _SHA256.fullmatch(str(entry.get("sha256"))):
                raise corrupt(f"bad entry for {path}")
            source = entry.get("source")
            if source is not None and not isinstance(source, str):
                raise corrupt(f"bad source hash for {path}")
            entries[path] = ManifestEntry(entry["sha256"], source)
        return cls(entries, formatter)

    def dumps(self) -> str:
        """Deterministic JSON: sorted keys, indent 2, trailing newline."""
        data: dict[str, object] = {
            "schemagen_manifest": MANIFEST_VERSION,
            "files": {path: self.files[path].to_json() for path in sorted(self.files)},
        }
        if self.formatter is not None:
            data["formatter"] = self.formatter
        return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _read_manifest_text(output_dir: Path) -> str | None:
    where = output_dir / MANIFEST_NAME
    try:
        return where.read_bytes().decode("utf-8")
    except FileNotFoundError:
        return None
    except NotADirectoryError:
        raise WriteError(f"the output folder {output_dir} is a file, not a folder") from None
    except UnicodeDecodeError:
        raise WriteError(f"{where} is corrupt: not UTF-8 text; delete it") from None
    except OSError as error:
        raise WriteError(f"cannot read {where}: {error.strerror or error}") from None


# ---------------------------------------------------------------------------------------------
# A read-only view of the output folder


class OutputFolder:
    """The output folder as `plan` sees it: its manifest, and each file read at most once.

    Create one per build to reuse previous formatting (`reusable`), then pass it to `plan`, so
    that no file is read twice.
    """

    def __init__(self, output_dir: Path) -> None:
        self.path = Path(output_dir)
        try:
            self.root = self.path.resolve()
        except (OSError, RuntimeError) as error:
            raise WriteError(f"cannot open the output folder {self.path}: {error}") from None
        if self.root.exists() and not self.root.is_dir():
            raise WriteError(f"the output folder {self.path} is a file, not a folder")
        self.manifest_text = _read_manifest_text(self.root)
        self.manifest = (
            Manifest()
            if self.manifest_text is None
            else Manifest.loads(self.manifest_text, self.path / MANIFEST_NAME)
        )
        self._files: dict[str, bytes | None] = {}

    def read(self, path: str) -> bytes | None:
        """The bytes of `path` on disk, None when absent; never follows a symbolic link."""
        if path not in self._files:
            self._files[path] = self._read(path)
        return self._files[path]

    def _read(self, path: str) -> bytes | None:
        validate_path(path)
        full = self.root / path
        try:
            mode = os.lstat(full).st_mode
            if stat.S_ISLNK(mode):
                raise WriteError(
                    f"{path} is a symbolic link; schemagen never writes through links. "
                    "Replace it with a regular file or remove it."
                )
            if not stat.S_ISREG(mode):
                raise WriteError(f"{path} exists but is not a regular file; move it away")
            return full.read_bytes()
        except (FileNotFoundError, NotADirectoryError):
            # NotADirectoryError: a parent is a file, so this path does not exist either.
            return None
        except OSError as error:
            raise WriteError(f"cannot read {path}: {error.strerror or error}") from None

    def exists(self, path: str) -> bool:
        """Whether anything (even a broken link) is at `path`."""
        return os.path.lexists(self.root / path)

    def reusable(self, path: str, source: str, formatter: str | None = None) -> str | None:
        """The content on disk if formatting `path` again would give it back, else None.

        True when the manifest says the file was formatted by the same `formatter` (default:
        the current ruff) from a render with the same `source` hash, and the file is untouched
        since. Lets the build format only the files whose render changed.
        """
        entry = self.manifest.files.get(path)
        if entry is None or entry.source is None or entry.source != source:
            return None
        if self.manifest.formatter != (formatter or ruff_version()):
            return None
        data = self.read(path)
        if data is None or content_hash(data) != entry.sha256:
            return None
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return None


# ---------------------------------------------------------------------------------------------
# The plan


@dataclass(frozen=True, slots=True)
class Change:
    """One file operation; `old`/`new` are the contents before/after (None when absent).

    `old_sha256` is the hash of the bytes `plan` read (`old` is only their text for diffs):
    `apply` replaces or deletes the file only while it still has exactly these bytes.
    """

    path: str
    kind: Literal["create", "update", "delete", "scaffold"]
    old: str | None
    new: str | None
    old_sha256: str | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Conflict:
    """A file schemagen must not overwrite or delete; `forced` when `force` overrides it."""

    path: str
    reason: Literal["edited", "unowned", "edited_stale", "changed_while_building"]
    message: str
    forced: bool = False


@dataclass(slots=True)
class Plan:
    """Everything a build would do to the output folder, decided in memory."""

    output_dir: Path
    changes: list[Change]
    conflicts: list[Conflict]
    manifest: Manifest
    unchanged: int
    manifest_changed: bool

    def is_clean(self) -> bool:
        """True when no file would change (conflicts are reported separately)."""
        return not self.changes

    @property
    def blocking(self) -> list[Conflict]:
        """The conflicts that stop `apply`: all of them, except those overridden by `force`."""
        return [c for c in self.conflicts if not c.forced]

    def unified_diff(self) -> str:
        """A git-style unified diff of every change, ordered by path."""
        return "".join(_diff(change) for change in self.changes)


def plan(
    output: Path | OutputFolder,
    files: Iterable[RenderedFile],
    *,
    force: bool = False,
    sources: dict[str, str] | None = None,
    formatter: str | None = None,
    prune: bool = True,
) -> Plan:
    """Decide what writing `files` into the output folder would do; never writes anything.

    With `prune=False` (a build of some targets only) owned files that were not rendered are
    kept, and stay owned, instead of being deleted as stale.

    `sources` maps a path to the hash of its pre-format render (kept in the manifest for
    `OutputFolder.reusable`); `formatter` defaults to the current ruff version.
    """
    folder = output if isinstance(output, OutputFolder) else OutputFolder(output)
    sources = sources or {}
    old = folder.manifest
    rendered = _index(files)

    changes: list[Change] = []
    conflicts: list[Conflict] = []
    owned: dict[str, ManifestEntry] = {}
    unchanged = 0

    for path, file in rendered.items():
        if file.once:
            # User space: written when absent, then theirs forever (and never owned).
            if folder.exists(path):
                unchanged += 1
            else:
                changes.append(Change(path, "scaffold", None, file.content))
            continue
        data = _encode(file)
        entry = old.files.get(path)
        disk = folder.read(path)
        if disk is None:
            changes.append(Change(path, "create", None, file.content))
        elif disk == data:
            # Also adopts an identical unowned file, and a hand edit that matches the new render.
            unchanged += 1
        elif entry is None:
            conflicts.append(Conflict(path, "unowned", _UNOWNED.format(path=path)))
            continue  # not ours: stays out of the manifest
        elif (seen := content_hash(disk)) == entry.sha256:
            changes.append(Change(path, "update", _decode(disk), file.content, seen))
        else:
            conflicts.append(Conflict(path, "edited", _EDITED.format(path=path), forced=force))
            if force:
                changes.append(Change(path, "update", _decode(disk), file.content, seen))
        owned[path] = ManifestEntry(content_hash(data), sources.get(path))

    for path in sorted(old.files.keys() - rendered.keys()):
        if not prune:
            owned[path] = old.files[path]
            continue
        disk = folder.read(path)
        if disk is None:
            continue
        if (seen := content_hash(disk)) != old.files[path].sha256:
            message = _EDITED_STALE.format(path=path)
            conflicts.append(Conflict(path, "edited_stale", message, forced=force))
            if not force:
                continue
        changes.append(Change(path, "delete", _decode(disk), None, seen))

    changes.sort(key=lambda c: c.path)
    conflicts.sort(key=lambda c: c.path)
    _check_targets(folder, changes)

    manifest = Manifest(owned, formatter or ruff_version())
    text = manifest.dumps()
    # A folder that never had a manifest and gets no owned file stays without one.
    manifest_changed = text != folder.manifest_text and (folder.manifest_text is not None or owned)
    return Plan(folder.root, changes, conflicts, manifest, unchanged, bool(manifest_changed))


_EDITED = (
    "{path} was edited by hand since schemagen wrote it; build stopped so your edit is not "
    "lost. Move the edit out of the generated file (or re-run with --force to overwrite it)."
)
_EDITED_STALE = (
    "{path} is no longer generated but was edited by hand; build stopped so your edit is not "
    "lost. Move or delete it (or re-run with --force to delete it)."
)
_UNOWNED = (
    "{path} exists and was not written by schemagen; it is never overwritten, even with "
    "--force. Move or delete it, then build again."
)


def _index(files: Iterable[RenderedFile]) -> dict[str, RenderedFile]:
    """Validate the rendered paths and index them, sorted by path."""
    rendered: dict[str, RenderedFile] = {}
    for file in files:
        validate_path(file.path)
        if file.path in rendered:
            raise WriteError(f"two generated files have the same path: {file.path}")
        rendered[file.path] = file
    folders = set()
    for path in rendered:
        parts = path.split("/")
        folders.update("/".join(parts[:i]) for i in range(1, len(parts)))
    if clash := sorted(folders & rendered.keys()):
        raise WriteError(f"{clash[0]} is generated both as a file and as a folder")
    return dict(sorted(rendered.items()))


def _encode(file: RenderedFile) -> bytes:
    try:
        return file.content.encode("utf-8")
    except UnicodeEncodeError as error:
        raise WriteError(f"internal error: {file.path} is not valid text ({error})") from None


def _decode(data: bytes) -> str:
    # Only for showing the old side of a diff: a hand edit may not be valid UTF-8.
    return data.decode("utf-8", errors="replace")


def _check_targets(folder: OutputFolder, changes: list[Change]) -> None:
    """Raise WriteError unless every file to write or delete lies inside the output folder."""
    deleting = {c.path for c in changes if c.kind == "delete"}
    checked: set[str] = set()
    for change in changes:
        parent = posixpath.dirname(change.path)
        if parent in checked:
            continue
        checked.add(parent)
        _check_inside(folder.root, change.path)
        if not parent or os.path.isdir(folder.root / parent):
            continue
        # A missing folder is created by `apply`; a file in its way must be one we delete.
        prefix = ""
        for part in parent.split("/"):
            prefix = posixpath.join(prefix, part)
            try:
                mode = os.lstat(folder.root / prefix).st_mode
            except FileNotFoundError:
                break
            except OSError as error:
                raise WriteError(f"cannot write {change.path}: {error.strerror}") from None
            if stat.S_ISDIR(mode):
                continue
            if prefix in deleting:
                break
            raise WriteError(f"cannot write {change.path}: {prefix} is a file, not a folder")


def _check_inside(root: Path, path: str) -> None:
    # Resolving the parent follows any symbolic link on the way: it must stay under the root.
    try:
        parent = (root / path).parent.resolve()
    except (OSError, RuntimeError) as error:
        raise WriteError(f"cannot write {path}: {error}") from None
    if not parent.is_relative_to(root):
        raise WriteError(
            f"cannot write {path}: its folder is a symbolic link leading outside the output folder"
        )


def _diff(change: Change) -> str:
    a, b = f"a/{change.path}", f"b/{change.path}"
    header = [f"diff --git {a} {b}\n"]
    if change.old is None:
        header.append("new file mode 100644\n")
    if change.new is None:
        header.append("deleted file mode 100644\n")
    lines = difflib.unified_diff(
        _lines(change.old),
        _lines(change.new),
        a if change.old is not None else "/dev/null",
        b if change.new is not None else "/dev/null",
    )
    body = [
        line if line.endswith("\n") else f"{line}\n\\ No newline at end of file\n" for line in lines
    ]
    return "".join(header + body)


def _lines(text: str | None) -> list[str]:
    # Split on "\n" only: str.splitlines also splits on form feeds and other separators.
    if not text:
        return []
    parts = text.split("\n")
    lines = [part + "\n" for part in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


# ---------------------------------------------------------------------------------------------
# Applying a plan: one transaction over the whole output folder
#
# 1. Stage: every new file (and the new manifest) is written into `.schemagen-staging/` inside
#    the output folder (so the same filesystem: a rename moves it into place), then flushed.
# 2. Verify: each file to replace or delete must still hold the bytes `plan` read, and each file
#    to create must still be absent; otherwise it changed while schemagen was building, and the
#    transaction is dropped with nothing written (`Applied.committed` is False).
# 3. Commit: the journal (every deletion and rename, with the old and new hashes) is written to
#    a temporary name, flushed, and renamed to `journal.json`. That rename is the commit point.
# 4. Roll forward: deletions, then renames, then the manifest; flush; delete the journal and the
#    staging folder. Every step is idempotent and checks the file it replaces first, so a killed
#    roll-forward is finished by the next schemagen command (`recover`), and a file edited by hand
#    after step 2 is kept, never overwritten.
#
# `recover` runs first in every command that reads or writes the output: a committed journal is
# rolled forward, a staging folder without one is deleted (the old output never changed), and
# orphan temporary files from older schemagen versions are removed. A lock on the output folder
# keeps two schemagen processes from recovering or applying at the same time.

JOURNAL_NAME = "journal.json"
JOURNAL_VERSION = 1
_JOURNAL_TMP = "journal.tmp"
# What schemagen before the journal left behind when killed: `.schemagen-<16 hex>.tmp` anywhere.
_ORPHAN_TMP = re.compile(r"\.schemagen-[0-9a-f]{16}\.tmp")
_STAGED = re.compile(r"[0-9]{1,9}|manifest")
_OTHER = "not a regular file"  # a "hash" no file has: a folder or link where a file was


@dataclass(slots=True)
class Applied:
    """What `apply` did. `conflicts` are files that changed on disk while schemagen was building:
    each was kept as it is. Before the commit point that drops the whole transaction
    (`committed` False: nothing written); after it, only those files are skipped."""

    committed: bool = False
    conflicts: list[Conflict] = field(default_factory=list)


@dataclass(slots=True)
class Recovery:
    """What `recover` found: an interrupted write it finished or undid, and orphans it removed."""

    action: Literal["none", "finished", "undone"] = "none"
    files: int = 0  # files the finished transaction replaced, created or deleted
    orphans: list[str] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)

    def messages(self) -> list[str]:
        """One line per thing done, for the user; empty when there was nothing to recover."""
        lines = []
        if self.action == "finished":
            lines.append(
                f"finished an interrupted write ({self.files} file(s)): the output is the new one"
            )
        elif self.action == "undone":
            lines.append("undid an interrupted write: the output is the old one, unchanged")
        if self.orphans:
            lines.append(
                f"removed {len(self.orphans)} orphan temporary file(s) of an interrupted write: "
                + ", ".join(self.orphans[:5])
                + (f" and {len(self.orphans) - 5} more" if len(self.orphans) > 5 else "")
            )
        lines.extend(c.message for c in self.conflicts)
        return lines


_CHANGED_WHILE_BUILDING = (
    "{path} changed on disk while schemagen was building; build stopped before writing anything, "
    "so your version is kept. Build again."
)
_CHANGED_WHILE_DELETING = (
    "{path} changed on disk while schemagen was deleting it (it is no longer generated); your "
    "version is kept, and it is yours now: schemagen no longer owns it."
)
_CHANGED_WHILE_WRITING = (
    "{path} changed on disk while schemagen was writing; your version is kept, and the next "
    "build reports it as edited by hand."
)


def apply(plan: Plan, output_dir: Path) -> Applied:
    """Carry out `plan` as one transaction: the output becomes the new one, or stays the old one.

    Refuses (WriteError, nothing written) while the plan has conflicts not overridden by force.
    A file that changed on disk since `plan` read it is never overwritten or deleted: it comes
    back in `Applied.conflicts`.
    """
    if plan.blocking:
        raise WriteError(
            "nothing written, because of conflicts:\n"
            + "\n".join(f"  {c.message}" for c in plan.blocking)
        )
    root = Path(output_dir).resolve()
    if root != plan.output_dir:
        raise ValueError(f"plan was made for {plan.output_dir}, not {root}")
    if not plan.changes and not plan.manifest_changed:
        return Applied(committed=True)  # nothing to do: not even the lock is needed
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise WriteError(f"cannot create the output folder {root}: {error.strerror}") from None
    with output_lock(root):
        staging = root / STAGING_NAME
        if os.path.lexists(staging):
            # The plan was made over an interrupted write: it may have read a mix.
            raise WriteError(
                f"{staging} exists: a write was interrupted after this build read the output. "
                "Run the build again (it finishes or undoes that write first)."
            )
        journal = _stage(plan, root, staging)
        try:
            changed = _verify(plan, root)
            if changed:
                shutil.rmtree(staging)
                _after_step("discard staging")
                return Applied(committed=False, conflicts=changed)
            _commit(staging, journal)
        except Exception:
            shutil.rmtree(staging, ignore_errors=True)  # not committed: the old output stands
            raise
        conflicts = _roll_forward(root, journal)
    return Applied(committed=True, conflicts=conflicts)


def commit_files(output_dir: Path, files: dict[str, bytes]) -> None:
    """Write `files` (paths relative to `output_dir`, never owned by the manifest) as one
    transaction: all of them or none, whatever kills the process. Existing files are replaced."""
    root = Path(output_dir).resolve()
    root.mkdir(parents=True, exist_ok=True)
    changes = []
    for path, data in sorted(files.items()):
        validate_path(path)
        try:
            old = (root / path).read_bytes()
        except FileNotFoundError:
            old = None
        except OSError as error:
            raise WriteError(f"cannot read {path}: {error.strerror or error}") from None
        text = data.decode("utf-8")
        kind: Literal["create", "update"] = "create" if old is None else "update"
        old_hash = None if old is None else content_hash(old)
        changes.append(Change(path, kind, None, text, old_hash))
    result = Plan(root, changes, [], Manifest(), 0, manifest_changed=False)
    applied = apply(result, root)
    if applied.conflicts:
        raise WriteError("\n".join(c.message for c in applied.conflicts))


def recover(output_dir: Path) -> Recovery:
    """Finish or undo a write that was interrupted (see above), and remove orphan temp files."""
    root = Path(output_dir)
    if not root.is_dir():
        return Recovery()
    root = root.resolve()
    result = Recovery()
    with output_lock(root):
        staging = root / STAGING_NAME
        journal_path = staging / JOURNAL_NAME
        if os.path.lexists(staging):
            if not os.path.isdir(staging) or os.path.islink(staging):
                raise WriteError(
                    f"{staging} is not schemagen's staging folder (a file or a link); move it away"
                )
            journal = _read_journal(journal_path) if os.path.lexists(journal_path) else None
            if journal is None:
                # Not committed: the output was never touched. (Empty, it is what a finished
                # write leaves when killed between deleting its journal and its folder.)
                if os.listdir(staging):
                    result.action = "undone"
                shutil.rmtree(staging)
                _after_step("discard staging")
            else:
                result.action = "finished"
                result.files = len(journal["delete"]) + len(journal["write"])
                result.conflicts = _roll_forward(root, journal)
        result.orphans = _remove_orphans(root)
    return result


# --- the steps ---------------------------------------------------------------------------------


def _stage(plan: Plan, root: Path, staging: Path) -> dict[str, object]:
    """Write every new file into the staging folder; returns the journal that installs them."""
    try:
        staging.mkdir()
        _after_step("mkdir staging")
        writes: list[list[object]] = []
        for change in plan.changes:
            if change.new is None:
                continue
            name = str(len(writes))
            data = change.new.encode("utf-8")
            _write_new(staging / name, data)
            _after_step(f"stage {change.path}")
            old = None if change.kind in ("create", "scaffold") else change.old_sha256
            writes.append([change.path, name, old, content_hash(data), change.kind == "scaffold"])
        manifest = None
        if plan.manifest_changed:
            _write_new(staging / "manifest", plan.manifest.dumps().encode("utf-8"))
            _after_step("stage manifest")
            manifest = "manifest"
        _flush(staging)
        _after_step("flush staging")
    except OSError as error:
        shutil.rmtree(staging, ignore_errors=True)
        raise WriteError(f"cannot write into {root}: {error.strerror or error}") from None
    return {
        "schemagen_journal": JOURNAL_VERSION,
        "delete": [[c.path, c.old_sha256] for c in plan.changes if c.kind == "delete"],
        "write": writes,
        "manifest": manifest,
    }


def _verify(plan: Plan, root: Path) -> list[Conflict]:
    """The files that changed on disk since `plan` read them (each hashed again, just now)."""
    changed = []
    for change in plan.changes:
        if change.kind == "scaffold":
            continue  # one that appeared since is the user's: `_roll_forward` leaves it
        expected = None if change.kind == "create" else change.old_sha256
        if _disk_hash(root / change.path) != expected:
            message = _CHANGED_WHILE_BUILDING.format(path=change.path)
            changed.append(Conflict(change.path, "changed_while_building", message))
    return changed


def _commit(staging: Path, journal: dict[str, object]) -> None:
    tmp = staging / _JOURNAL_TMP
    try:
        _write_new(tmp, json.dumps(journal).encode("utf-8"), sync=True)
        _after_step("write journal")
        os.replace(tmp, staging / JOURNAL_NAME)
        _after_step("commit")
        _sync_folder(staging)  # the rename itself is durable: committed, even after power loss
        _after_step("flush journal")
    except OSError as error:
        raise WriteError(f"cannot write {staging / JOURNAL_NAME}: {error.strerror}") from None


def _roll_forward(root: Path, journal: dict[str, object]) -> list[Conflict]:
    """Install a committed journal; idempotent, so a killed run is finished by running it again."""
    staging = root / STAGING_NAME
    kept: list[Conflict] = []
    inside: set[str] = set()

    def keep(path: str, message: str = _CHANGED_WHILE_WRITING) -> None:
        kept.append(Conflict(path, "changed_while_building", message.format(path=path)))

    def check_inside(path: str) -> None:
        parent = posixpath.dirname(path)
        if parent not in inside:
            _check_inside(root, path)  # again: the tree may have changed since `plan`
            inside.add(parent)

    try:
        for path, old in journal["delete"]:  # type: ignore[attr-defined]
            check_inside(path)
            current = _disk_hash(root / path)
            if current is None or current == _OTHER:
                # Done already. A folder there is the one a later write of this journal made.
                continue
            if current != old:
                keep(path, _CHANGED_WHILE_DELETING)
                continue
            os.unlink(root / path)
            _after_step(f"delete {path}")
        _prune(root, [p for p, _ in journal["delete"]])  # type: ignore[attr-defined]

        for path, name, old, new, once in journal["write"]:  # type: ignore[attr-defined]
            check_inside(path)
            target, staged = root / path, staging / name
            current = _disk_hash(target)
            if current == new:  # done already (or the user made it so)
                _unlink_if_present(staged)
                continue
            if current != old or not os.path.lexists(staged):
                # A file that appeared where a `once` file goes is the user's, silently.
                if not (once and old is None):
                    keep(path)
                _unlink_if_present(staged)
                continue
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
            except (FileExistsError, NotADirectoryError):
                keep(path)  # a file of the user's stands where a folder goes
                _unlink_if_present(staged)
                continue
            if old is None:
                _install_new(staged, target, path, once, keep)
            else:
                os.replace(staged, target)
                _after_step(f"replace {path}")

        if journal["manifest"] is not None:
            staged = staging / str(journal["manifest"])
            if os.path.lexists(staged):
                os.replace(staged, root / MANIFEST_NAME)
                _after_step("replace manifest")
        # Every rename and deletion durable before the journal that could redo them goes: one
        # syncfs, else one fsync per folder whose entries changed (measured on ext4: 82 folders
        # took 130-150 ms, one syncfs 7-20 ms).
        if _syncfs() is not None:
            _flush(root)
        else:
            for folder in _with_ancestors(inside):
                if os.path.isdir(root / folder):
                    _sync_folder(root / folder)
        _after_step("flush output")
        _unlink_if_present(staging / JOURNAL_NAME)
        _after_step("delete journal")
        shutil.rmtree(staging)
        _after_step("remove staging")
    except OSError as error:
        raise WriteError(
            f"cannot finish writing {root}: {error.strerror or error}. Nothing is lost: the next "
            "schemagen command finishes the write."
        ) from None
    return kept


def _install_new(
    staged: Path, target: Path, path: str, once: bool, keep: Callable[[str], None]
) -> None:
    """Put a file where none was: a hard link fails instead of replacing a file that appeared
    since the check (a rename would overwrite it), then the staged name goes."""
    try:
        os.link(staged, target)
    except FileExistsError:
        if not once:
            keep(path)
    except OSError:
        # A filesystem without hard links: the check just before is as close as it gets.
        if os.path.lexists(target):
            if not once:
                keep(path)
        else:
            os.replace(staged, target)
            _after_step(f"create {path}")
            return
    else:
        _after_step(f"create {path}")
    _unlink_if_present(staged)
    _after_step(f"unstage {path}")


def _read_journal(path: Path) -> dict[str, object]:
    def corrupt(why: str) -> WriteError:
        return WriteError(
            f"{path} is corrupt ({why}): a write to the output folder was interrupted and cannot "
            "be finished. Restore the output folder from version control, then delete "
            f"{path.parent}."
        )

    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError) as error:
        raise corrupt(str(error)) from None
    if not isinstance(data, dict) or data.get("schemagen_journal") != JOURNAL_VERSION:
        raise corrupt("unknown format")
    try:
        for path_, old in data["delete"]:
            validate_path(path_)  # a tampered journal must not make us write elsewhere
            if not _SHA256.fullmatch(old):
                raise ValueError(old)
        for path_, name, old, new, once in data["write"]:
            validate_path(path_)
            if not (
                _STAGED.fullmatch(name)
                and (old is None or _SHA256.fullmatch(old))
                and _SHA256.fullmatch(new)
                and isinstance(once, bool)
            ):
                raise ValueError(path_)
        if data["manifest"] not in (None, "manifest"):
            raise ValueError(data["manifest"])
    except (KeyError, TypeError, ValueError, WriteError) as error:
        raise corrupt(f"bad entry {error}") from None
    return data


def _remove_orphans(root: Path) -> list[str]:
    """Delete the `.schemagen-<hex>.tmp` files that schemagen before the journal left when killed.

    It wrote them beside the files it replaced, so only the folders of owned files are looked
    at (never a whole tree that may hold node_modules or a virtualenv).
    """
    folders = {""}
    try:
        folders.update(posixpath.dirname(path) for path in Manifest.load(root).files)
    except WriteError:
        pass  # a corrupt manifest is reported by `plan`; the root is still swept
    found = []
    for folder in sorted(folders):
        try:
            names = os.listdir(root / folder)
        except OSError:
            continue
        for name in names:
            if _ORPHAN_TMP.fullmatch(name):
                _unlink_if_present(root / folder / name)
                _after_step(f"remove orphan {name}")
                found.append(posixpath.join(folder, name))
    return sorted(found)


# --- small helpers -----------------------------------------------------------------------------


def _with_ancestors(folders: set[str]) -> list[str]:
    """The folders and every folder above them, up to the root (""), deepest first."""
    result = {""}
    for folder in folders:
        while folder:
            result.add(folder)
            folder = posixpath.dirname(folder)
    return sorted(result, key=lambda f: (-f.count("/"), f))


def _disk_hash(target: Path) -> str | None:
    """The sha256 of the regular file at `target`; None when absent; `_OTHER` for anything else."""
    try:
        mode = os.lstat(target).st_mode
        if not stat.S_ISREG(mode):
            return _OTHER
        return content_hash(target.read_bytes())
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError:
        return _OTHER


def _write_new(target: Path, data: bytes, sync: bool = False) -> None:
    # os.open applies the umask, as a plain open() would.
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    fd = os.open(target, flags, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        if sync or _syncfs() is None:
            os.fsync(fd)
    finally:
        os.close(fd)


def _unlink_if_present(path: Path) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def _prune(root: Path, deleted: list[str]) -> None:
    """Remove the folders that deleting `deleted` left empty, deepest first, never the root."""
    folders = {posixpath.dirname(path) for path in deleted} - {""}
    for folder in sorted(folders, key=lambda f: (-f.count("/"), f)):
        while folder:
            try:
                os.rmdir(root / folder)  # fails on a folder that still holds anything
            except OSError:
                break
            _after_step(f"prune {folder}")
            folder = posixpath.dirname(folder)


@functools.cache
def _syncfs() -> Callable[[int], int] | None:
    """Linux's syncfs(2): flushes one filesystem in one call, instead of one fsync per file."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        function = ctypes.CDLL(None, use_errno=True).syncfs
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int]
    return function  # type: ignore[no-any-return]


def _flush(folder: Path) -> None:
    """Make what was written under `folder` durable, before the step that relies on it.

    With syncfs: one call for the whole filesystem. Without it, every staged file was already
    fsynced when written (`_write_new`), and the folder itself is synced here.
    """
    syncfs = _syncfs()
    if syncfs is not None:
        fd = os.open(folder, os.O_RDONLY)
        try:
            if syncfs(fd) == 0:
                return
        finally:
            os.close(fd)
    _sync_folder(folder)


def _sync_folder(folder: Path) -> None:
    if os.name != "posix":
        return  # Windows cannot open a folder to flush it; its renames are journaled by NTFS
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# --- the lock ----------------------------------------------------------------------------------

_held: dict[Path, tuple[int, int]] = {}  # folder -> (descriptor, depth): reentrant per process


@contextmanager
def output_lock(output_dir: Path) -> Iterator[None]:
    """Hold the output folder's lock (an advisory flock on the folder itself, released by the
    kernel even when the process is killed). Reentrant; nothing to lock while it does not exist."""
    root = Path(output_dir).resolve()
    if root in _held:
        fd, depth = _held[root]
        _held[root] = (fd, depth + 1)
        try:
            yield
        finally:
            fd, depth = _held[root]
            _held[root] = (fd, depth - 1)
        return
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks on folders
        yield
        return
    try:
        fd = os.open(root, os.O_RDONLY)
    except (FileNotFoundError, NotADirectoryError):
        yield
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # waits for another schemagen writing this folder
        _held[root] = (fd, 1)
        yield
    finally:
        _held.pop(root, None)
        os.close(fd)  # closing releases the lock


# --- where the crash-safety tests stop the process -----------------------------------------------

_steps = 0
_hooks: tuple[str, str, str] | None = None  # the three variables below, read once


def _after_step(label: str) -> None:
    """Called after every change to the output folder. The crash-safety tests set
    SCHEMAGEN_TEST_TRACE (a file that receives one line per step), SCHEMAGEN_TEST_KILL_AT=N
    (SIGKILL this process right after the Nth step) or SCHEMAGEN_TEST_STOP_AT=N (SIGSTOP it
    there, to edit a file before it continues); unset, this only counts."""
    global _steps, _hooks
    _steps += 1
    if _hooks is None:
        env = os.environ
        _hooks = (
            env.get("SCHEMAGEN_TEST_TRACE", ""),
            env.get("SCHEMAGEN_TEST_KILL_AT", ""),
            env.get("SCHEMAGEN_TEST_STOP_AT", ""),
        )
    trace, kill_at, stop_at = _hooks
    if trace:
        with open(trace, "a", encoding="utf-8") as handle:
            handle.write(f"{_steps} {label}\n")
    if kill_at == str(_steps):
        os.kill(os.getpid(), getattr(signal, "SIGKILL", signal.SIGTERM))
    if stop_at == str(_steps) and hasattr(signal, "SIGSTOP"):
        os.kill(os.getpid(), signal.SIGSTOP)
