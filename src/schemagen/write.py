"""Write rendered files into the output folder: plan in memory, then apply atomically.

`plan` compares the rendered files with the folder and its manifest and decides everything
without writing a byte; `check` and `diff` are `plan` plus `Plan.unified_diff`. `apply` then
deletes stale files, writes only what changed (each file atomically) and the manifest last.

Ownership rules (DESIGN §4): the manifest lists every file schemagen owns with the hash of its
bytes. A generated file edited by hand is a conflict unless forced; a file the manifest does not
own is never touched; `once` files (user code) are scaffolded when absent and then left alone.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import posixpath
import re
import secrets
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from schemagen.files import RenderedFile
from schemagen.format import ruff_version

__all__ = [
    "MANIFEST_NAME",
    "Change",
    "Conflict",
    "Manifest",
    "ManifestEntry",
    "OutputFolder",
    "Plan",
    "WriteError",
    "apply",
    "content_hash",
    "plan",
    "validate_path",
]

MANIFEST_NAME = ".schemagen-manifest.json"
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
    """One file operation; `old`/`new` are the contents before/after (None when absent)."""

    path: str
    kind: Literal["create", "update", "delete", "scaffold"]
    old: str | None
    new: str | None


@dataclass(frozen=True, slots=True)
class Conflict:
    """A file schemagen must not overwrite or delete; `forced` when `force` overrides it."""

    path: str
    reason: Literal["edited", "unowned", "edited_stale"]
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
        elif content_hash(disk) == entry.sha256:
            changes.append(Change(path, "update", _decode(disk), file.content))
        else:
            conflicts.append(Conflict(path, "edited", _EDITED.format(path=path), forced=force))
            if force:
                changes.append(Change(path, "update", _decode(disk), file.content))
        owned[path] = ManifestEntry(content_hash(data), sources.get(path))

    for path in sorted(old.files.keys() - rendered.keys()):
        if not prune:
            owned[path] = old.files[path]
            continue
        disk = folder.read(path)
        if disk is None:
            continue
        if content_hash(disk) != old.files[path].sha256:
            message = _EDITED_STALE.format(path=path)
            conflicts.append(Conflict(path, "edited_stale", message, forced=force))
            if not force:
                continue
        changes.append(Change(path, "delete", _decode(disk), None))

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
# Applying a plan


def apply(plan: Plan, output_dir: Path) -> None:
    """Carry out `plan`: delete stale files, write changed ones atomically, then the manifest.

    Refuses (WriteError, nothing written) while the plan has conflicts not overridden by force.
    """
    if plan.blocking:
        raise WriteError(
            "nothing written, because of conflicts:\n"
            + "\n".join(f"  {c.message}" for c in plan.blocking)
        )
    root = Path(output_dir).resolve()
    if root != plan.output_dir:
        raise ValueError(f"plan was made for {plan.output_dir}, not {root}")

    # Deletions first: a stale file may stand where a new folder goes.
    deleted = [c.path for c in plan.changes if c.kind == "delete"]
    for path in deleted:
        _check_inside(root, path)  # again: the tree may have changed since `plan`
        try:
            os.unlink(root / path)
        except FileNotFoundError:
            pass
        except OSError as error:
            raise WriteError(f"cannot delete {path}: {error.strerror or error}") from None
    _prune(root, deleted)

    for change in plan.changes:
        if change.new is None:
            continue
        target = root / change.path
        _check_inside(root, change.path)
        if change.kind == "scaffold" and os.path.lexists(target):
            continue  # appeared since `plan`: it is the user's now
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            _write_atomic(target, change.new.encode("utf-8"))
        except OSError as error:
            raise WriteError(f"cannot write {change.path}: {error.strerror or error}") from None

    if plan.manifest_changed:
        try:
            root.mkdir(parents=True, exist_ok=True)
            _write_atomic(root / MANIFEST_NAME, plan.manifest.dumps().encode("utf-8"))
        except OSError as error:
            raise WriteError(f"cannot write {MANIFEST_NAME}: {error.strerror or error}") from None


def _write_atomic(target: Path, data: bytes) -> None:
    # A temporary file in the same folder, renamed over the target: readers see the old file or
    # the new one, never half of it. os.open applies the umask, as a plain open() would.
    tmp = target.with_name(f".schemagen-{secrets.token_hex(8)}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    fd = os.open(tmp, flags, 0o666)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _prune(root: Path, deleted: list[str]) -> None:
    """Remove the folders that deleting `deleted` left empty, deepest first, never the root."""
    folders = {posixpath.dirname(path) for path in deleted} - {""}
    for folder in sorted(folders, key=lambda f: (-f.count("/"), f)):
        while folder:
            try:
                os.rmdir(root / folder)  # fails on a folder that still holds anything
            except OSError:
                break
            folder = posixpath.dirname(folder)
