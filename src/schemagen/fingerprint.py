"""Know that a project is up to date without rendering it.

A build reads: the config, the schemas, the templates (built-in and the user's), schemagen's own
code, the migration history, and a few libraries whose output it embeds. When a hash over all of
those equals the one recorded by the last complete build, and every owned file on disk still has
the hash the manifest gives it, rendering again would change nothing. That turns a no-op `check`
or `build` from "render everything" into "hash a few hundred files".

The record lives in `.schemagen/cache/` beside the project, not in the committed manifest: it
depends on the machine's installed versions, and a fresh clone simply takes the full path once.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import schemagen
from schemagen.config.paths import ProjectPaths, find_schema_files
from schemagen.files import MANIFEST_NAME, STAGING_NAME, builtin_templates

STATE_FILE = Path(".schemagen") / "cache" / "last-build.json"
STATE_VERSION = 1


@dataclass
class LastBuild:
    """What the last complete build saw and said."""

    fingerprint: str
    manifest: str  # sha256 of the manifest it wrote
    warnings: list[dict[str, Any]] = field(default_factory=list)
    migrations: dict[str, Any] = field(default_factory=dict)  # Status fields, for the messages
    targets: list[str] = field(default_factory=list)


def fingerprint(config: ProjectPaths) -> str:
    """One hash over everything a build of `config` reads."""
    digest = hashlib.sha256()

    def feed(*parts: str | bytes) -> None:
        for part in parts:
            data = part.encode() if isinstance(part, str) else part
            digest.update(len(data).to_bytes(8, "big") + data)

    feed(
        "state",
        str(STATE_VERSION),
        schemagen.__version__,
        f"{sys.version_info.major}.{sys.version_info.minor}",
    )
    # Every installed distribution and its version: covers ruff, Jinja, Pydantic and
    # datamodel-code-generator, and any target plugin, for the price of a directory listing.
    feed("distributions", *_installed_distributions())
    for label, root in (
        ("code", Path(schemagen.__file__).parent),
        ("templates", builtin_templates()),
        ("user", config.templates_dir),
    ):
        if root is not None:
            _feed_tree(feed, label, root)
    feed("config", config.config_file.read_bytes())
    for path in find_schema_files(config.schemas_dir):
        feed("schema", path.name, path.read_bytes())
    _feed_tree(
        feed,
        "migrations",
        config.output_dir / "migrations",
        suffixes=(".json", ".py"),
        top_level_only=("versions", "snapshot.json"),
    )
    return digest.hexdigest()


def _installed_distributions() -> list[str]:
    names = set()
    for entry in sys.path:
        try:
            names.update(
                n for n in os.listdir(entry or ".") if n.endswith((".dist-info", ".egg-info"))
            )
        except OSError:
            continue
    return sorted(names)


def _feed_tree(
    feed: Any,
    label: str,
    root: Path,
    suffixes: tuple[str, ...] | None = None,
    top_level_only: tuple[str, ...] | None = None,
) -> None:
    if not root.is_dir():
        return  # the same as empty: a build creates some of these folders
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__" and not d.startswith("."))
        base = Path(folder)
        relative_folder = base.relative_to(root)
        if (
            top_level_only
            and relative_folder.parts
            and relative_folder.parts[0] not in top_level_only
        ):
            continue
        for name in sorted(files):
            relative = (relative_folder / name).as_posix()
            if top_level_only and relative.split("/")[0] not in top_level_only:
                continue
            if name.endswith(".pyc") or (suffixes and not name.endswith(suffixes)):
                continue
            feed(label, relative, (base / name).read_bytes())


def load(config: ProjectPaths) -> LastBuild | None:
    try:
        data = json.loads((config.root / STATE_FILE).read_text(encoding="utf-8"))
        return LastBuild(**data)
    except (OSError, ValueError, TypeError):
        return None  # missing or damaged: the full path decides


def record(config: ProjectPaths, state: LastBuild) -> None:
    """Remember a complete build. A cache: failing to write it only costs time later."""
    path = config.root / STATE_FILE
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        ignore = path.parent / ".gitignore"
        if not ignore.exists():
            ignore.write_text(
                "# schemagen's cache: safe to delete, never to commit\n*\n", encoding="utf-8"
            )
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps(asdict(state), indent=1, sort_keys=True), encoding="utf-8")
        os.replace(temporary, path)
    except OSError:
        pass


def unchanged_since_last_build(config: ProjectPaths) -> LastBuild | None:
    """The last build's record when nothing it read has changed and its output is intact."""
    state = load(config)
    if state is None or os.path.lexists(config.output_dir / STAGING_NAME):
        return None  # never answer over an interrupted write: the full path recovers it first
    manifest_path = config.output_dir / MANIFEST_NAME
    try:
        manifest_bytes = manifest_path.read_bytes()
    except OSError:
        return None
    if (
        hashlib.sha256(manifest_bytes).hexdigest() != state.manifest
        or fingerprint(config) != state.fingerprint
    ):
        return None
    try:
        files = json.loads(manifest_bytes)["files"]
        for path, entry in files.items():
            if (
                hashlib.sha256((config.output_dir / path).read_bytes()).hexdigest()
                != entry["sha256"]
            ):
                return None
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return state


def manifest_hash(config: ProjectPaths) -> str:
    try:
        return hashlib.sha256((config.output_dir / MANIFEST_NAME).read_bytes()).hexdigest()
    except OSError:
        return ""


def quick_answer(command: str) -> str | None:
    """What a no-op `check` or `build` in the current folder prints, when that is all it would
    print: nothing changed, no warnings, migrations in step. None sends the command the full way."""
    from schemagen.config.paths import locate

    paths = locate(Path.cwd())
    state = unchanged_since_last_build(paths) if paths is not None else None
    if state is None or state.warnings:
        return None
    migrations = state.migrations
    if migrations.get("pending") or migrations.get("problems"):
        return None
    if command == "check":
        return "up to date"
    if not migrations.get("started") and ("all" in state.targets or "alembic" in state.targets):
        return None  # build also suggests the first migration
    try:
        where = paths.output_dir.relative_to(paths.root).as_posix()
    except ValueError:
        where = str(paths.output_dir)
    return f"{where}/: everything up to date"
