"""The one ruff pass over all generated Python: `ruff check --fix`, then `ruff format`.

Every Python file goes through one process of each, never a process per file: the files are
written into a temporary folder that mirrors their relative paths, ruff runs over the folder,
and the results are read back. Ruff runs `--isolated` with every setting explicit, so no user
configuration (or anything else around the temporary folder) can change the output.

Each file's result depends only on that file: the isort settings below never look at sibling
files to decide what is first-party. That is what lets the build reuse a file's previous
formatting when its pre-format render has not changed (see `write.OutputFolder.reusable`).
"""

from __future__ import annotations

import functools
import hashlib
import json
import shutil
import subprocess
import tempfile
from pathlib import Path

from schemagen.files import RenderedFile

__all__ = ["FormatError", "format_python", "ruff_version", "run_ruff", "source_hash"]

# Settings shared by both passes. `exclude = []` and `respect-gitignore = false`: ruff skips
# folders such as `build/`, `.venv/` or `node_modules/` by default, and a generated path may well
# contain one; `src = []`: no folder is a source root, so nothing is first-party by location.
_COMMON = (
    "--isolated",
    "--no-cache",
    "--target-version",
    "py311",
    "--line-length",
    "100",
    "--config",
    "src = []",
    "--config",
    "exclude = []",
    "--config",
    "respect-gitignore = false",
)

_CHECK = (
    "check",
    "--fix",
    "--exit-zero",
    "--quiet",
    "--output-format",
    "json",
    "--select",
    "I,F401,F811,UP",
    # The generated package is arbitrary: never call an import first-party because of where it
    # sits (same package as the importing file) or what the user's config says.
    "--config",
    "lint.isort.detect-same-package = false",
    "--config",
    "lint.isort.known-first-party = []",
    *_COMMON,
)

# No `--quiet` here: with it ruff prints nothing at all when a file fails to parse.
_FORMAT = ("format", *_COMMON)


class FormatError(Exception):
    """Ruff could not format the generated code: a template produced invalid Python."""

    def __init__(self, message: str, paths: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.paths = paths


@functools.cache
def _ruff_bin() -> str:
    try:
        from ruff.__main__ import find_ruff_bin
    except ImportError:  # pragma: no cover - ruff is a pinned dependency
        found = None
    else:
        try:
            found = str(find_ruff_bin())
        except FileNotFoundError:  # pragma: no cover
            found = None
    found = found or shutil.which("ruff")
    if not found:
        raise FormatError("ruff is not installed; reinstall schemagen (it depends on ruff)")
    return found


def run_ruff(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run the ruff binary once with `args` in `cwd`, capturing its output."""
    try:
        return subprocess.run(
            [_ruff_bin(), *args],
            cwd=cwd,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            check=False,
        )
    except OSError as error:
        raise FormatError(f"cannot run ruff: {error}") from error


@functools.cache
def ruff_version() -> str:
    """The formatter's identity, e.g. "ruff 0.17.6" (asked once per process)."""
    result = run_ruff(["--version"], Path.cwd())
    if result.returncode != 0:
        raise FormatError(f"`ruff --version` failed: {result.stderr.strip()}")
    return result.stdout.strip()


def __getattr__(name: str) -> str:
    # RUFF_VERSION is computed on first access, so importing this module runs no process.
    if name == "RUFF_VERSION":
        return ruff_version()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# Folded into `source_hash` so a change of settings invalidates reused formatting, as a new ruff
# version does (the manifest records that one).
_SETTINGS_KEY = "\0".join((*_CHECK, "|", *_FORMAT)).encode()


def source_hash(content: str) -> str:
    """Hash of a pre-format render, salted with the format settings (the manifest's "source")."""
    digest = hashlib.sha256(_SETTINGS_KEY)
    digest.update(b"\0")
    digest.update(content.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def format_python(files: list[RenderedFile]) -> list[RenderedFile]:
    """Return `files` in the same order with every Python file formatted by one ruff pass."""
    python = [f for f in files if f.is_python]
    if not python:
        return list(files)
    with tempfile.TemporaryDirectory(prefix="schemagen-format-") as tmp:
        root = Path(tmp).resolve()
        targets = _write_tree(root, python)
        _run_check(root)
        _run_format(root, [f.path for f in python])
        formatted = {f.path: _read(target, f.path) for f, target in zip(python, targets)}
    return [RenderedFile(f.path, formatted[f.path], f.once) if f.is_python else f for f in files]


def _write_tree(root: Path, files: list[RenderedFile]) -> list[Path]:
    seen: set[str] = set()
    made: set[Path] = set()
    targets = []
    for f in files:
        parts = f.path.split("/")
        target = root.joinpath(*parts)
        bad = "\\" in f.path or any(p in ("", ".", "..") for p in parts)
        if bad or f.path in seen or not target.is_relative_to(root):
            # The writer reports bad paths in detail; this only keeps the temp tree sound.
            raise FormatError(f"invalid or duplicate output path: {f.path!r}", (f.path,))
        seen.add(f.path)
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        # Bytes, not text mode: no newline translation on any platform.
        try:
            target.write_bytes(f.content.encode("utf-8"))
        except UnicodeEncodeError as error:
            raise FormatError(f"{f.path} is not valid UTF-8 text: {error}", (f.path,)) from error
        targets.append(target)
    return targets


def _read(target: Path, path: str) -> str:
    try:
        return target.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as error:  # pragma: no cover - ruff writes UTF-8
        raise FormatError(f"cannot read back formatted {path}: {error}", (path,)) from error


def _run_check(root: Path) -> None:
    result = run_ruff([*_CHECK, "."], root)
    if result.returncode != 0:
        raise FormatError(f"ruff check failed:\n{_clean(result.stderr, root)}")
    # Syntax errors do not fail `check` (`--exit-zero`) but are reported as diagnostics; they
    # name the file precisely, so report them here rather than waiting for `format` to fail.
    try:
        diagnostics = json.loads(result.stdout or "[]")
    except json.JSONDecodeError:  # pragma: no cover - defensive; `format` will still catch it
        return
    errors = []
    for d in diagnostics:
        if d.get("code") in (None, "invalid-syntax"):
            path = _relative(d.get("filename", "?"), root)
            row = d.get("location", {}).get("row", "?")
            col = d.get("location", {}).get("column", "?")
            errors.append((path, f"{path}:{row}:{col}: {d.get('message', 'invalid syntax')}"))
    if errors:
        paths = tuple(sorted({path for path, _ in errors}))
        details = "\n".join(line for _, line in sorted(errors))
        raise FormatError(f"invalid Python in {', '.join(paths)}:\n{details}", paths)


def _run_format(root: Path, paths: list[str]) -> None:
    result = run_ruff([*_FORMAT, "."], root)
    if result.returncode != 0:
        stderr = _clean(result.stderr, root)
        # Ruff names files relative to its working directory, which is the tree root.
        named = tuple(sorted(p for p in paths if f"{p}:" in stderr.replace("\\", "/")))
        where = f" in {', '.join(named)}" if named else ""
        raise FormatError(f"ruff format failed{where}:\n{stderr}", named)


def _relative(filename: str, root: Path) -> str:
    try:
        return Path(filename).resolve().relative_to(root).as_posix()
    except ValueError:
        return filename


def _clean(text: str, root: Path) -> str:
    # The temporary folder's name means nothing to the user.
    return text.replace(f"{root}/", "").replace(f"{root}\\", "").strip()
