"""Helpers shared by the tests: run the real CLI, copy projects, read trees, import generated code."""

from __future__ import annotations

import difflib
import html
import importlib.util
import io
import itertools
import json
import os
import re
import shutil
import subprocess
import sys
import tokenize
from pathlib import Path
from types import ModuleType
from typing import Any

REPO = Path(__file__).resolve().parents[1]
GOLDEN = REPO / "tests" / "golden"
TS_HARNESS = REPO / "tests" / "ts"  # the pinned TypeScript and libraries (package-lock.json)
WEB_HARNESS = REPO / "tests" / "web"  # the web runtime's pinned React, vitest and jsdom
REDOCLY_HARNESS = REPO / "tests" / "redocly"  # the pinned Redocly CLI and its lint config
MERMAID_HARNESS = REPO / "tests" / "mermaid"  # the pinned Mermaid and its parse script
SHOWCASE = REPO  # the showcase project: /schemagen.toml and /schemas at the top of the repository

CLI_TIMEOUT = 120  # seconds; a build takes about one
DIALECTS = ("sqlite", "postgresql", "mysql")  # what the database fixtures in conftest.py offer


def golden_cases() -> list[str]:
    """The golden cases: every folder under tests/golden/ that holds a project."""
    return sorted(p.parent.name for p in GOLDEN.glob("*/schemagen.toml"))


class BuiltProject:
    """A project copied into a tmp folder and built once by the real CLI."""

    def __init__(self, name: str, root: Path) -> None:
        self.name = name
        self.root = root
        self.output = root / "generated"

    @property
    def models_path(self) -> Path:
        """The generated models package (`models/__init__.py`)."""
        [path] = self.output.glob("backend/*/models/__init__.py")
        return path

    def import_models(self) -> ModuleType:
        """The models package, imported under a unique name, every model module loaded."""
        models = import_module_from(self.models_path)
        models.complete_metadata()
        return models

    def __repr__(self) -> str:
        return f"BuiltProject({self.name!r}, {self.root})"


def cli_env(**overrides: str | None) -> dict[str, str]:
    """The environment for a CLI subprocess: plain output, no inherited hash seed, no debug."""
    env = dict(os.environ)
    for key in ("PYTHONHASHSEED", "SCHEMAGEN_DEBUG", "FORCE_COLOR", "CLICOLOR_FORCE"):
        env.pop(key, None)
    # rich: no colours, no wrapping of long diagnostics.
    env.update({"NO_COLOR": "1", "TERM": "dumb", "COLUMNS": "200", "PYTHONIOENCODING": "utf-8"})
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def run_cli(
    *args: str, cwd: Path, env: dict[str, str] | None = None, check: bool = True
) -> subprocess.CompletedProcess[str]:
    """Run `schemagen ARGS` in `cwd` as a subprocess of this interpreter (the venv's)."""
    result = subprocess.run(
        [sys.executable, "-m", "schemagen", *args],
        cwd=cwd,
        env=env or cli_env(),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=CLI_TIMEOUT,
        check=False,
    )
    if check and result.returncode != 0:
        raise AssertionError(
            f"`schemagen {' '.join(args)}` exited {result.returncode} in {cwd}\n--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
        )
    return result


def copy_project(source: Path, dest: Path) -> Path:
    """Copy a project's inputs (schemagen.toml and schemas/) into `dest`; returns `dest`."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source / "schemagen.toml", dest / "schemagen.toml")
    shutil.copytree(source / "schemas", dest / "schemas")
    return dest


def read_tree(root: Path) -> dict[str, bytes]:
    """Every file under `root` by POSIX path relative to it, hidden files included."""
    if not root.is_dir():
        return {}
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def write_tree(root: Path, files: dict[str, bytes]) -> None:
    """Make `root` hold exactly `files`: write each, delete every other file and empty folder."""
    root.mkdir(parents=True, exist_ok=True)
    for path in set(read_tree(root)) - set(files):
        (root / path).unlink()
    for path, data in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.is_file() or target.read_bytes() != data:
            target.write_bytes(data)
    for folder in sorted((p for p in root.rglob("*") if p.is_dir()), key=lambda p: -len(p.parts)):
        if not any(folder.iterdir()):
            folder.rmdir()


def tree_difference(
    expected: dict[str, bytes],
    actual: dict[str, bytes],
    *,
    expected_label: str = "expected",
    actual_label: str = "actual",
    max_lines: int = 400,
) -> str:
    """A readable report of how two trees differ (missing, extra, changed files with diffs); '' when equal."""
    missing = sorted(set(expected) - set(actual))
    extra = sorted(set(actual) - set(expected))
    changed = sorted(p for p in set(expected) & set(actual) if expected[p] != actual[p])
    if not (missing or extra or changed):
        return ""
    parts: list[str] = []
    if missing:
        parts.append(
            "missing (expected but not produced):\n" + "".join(f"  {p}\n" for p in missing)
        )
    if extra:
        parts.append("extra (produced but not expected):\n" + "".join(f"  {p}\n" for p in extra))
    if changed:
        parts.append("changed:\n" + "".join(f"  {p}\n" for p in changed))
    lines: list[str] = []
    for path in changed:
        lines.extend(
            _diff_lines(
                expected[path], actual[path], f"{expected_label}/{path}", f"{actual_label}/{path}"
            )
        )
    if len(lines) > max_lines:
        lines = [*lines[:max_lines], f"... {len(lines) - max_lines} more diff lines\n"]
    return "\n".join(parts) + ("\n" + "".join(lines) if lines else "")


def _diff_lines(old: bytes, new: bytes, old_name: str, new_name: str) -> list[str]:
    try:
        a, b = old.decode("utf-8"), new.decode("utf-8")
    except UnicodeDecodeError:
        return [f"Binary files {old_name} and {new_name} differ\n"]
    diff = list(difflib.unified_diff(_lines(a), _lines(b), old_name, new_name))
    return [
        line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in diff
    ]


def _lines(text: str) -> list[str]:
    # Split on "\n" only: str.splitlines also splits on U+2028, form feeds and the like, which
    # generated files may hold inside string literals. The last line keeps its missing newline.
    parts = text.split("\n")
    return [part + "\n" for part in parts[:-1]] + ([parts[-1]] if parts[-1] else [])


_module_ids = itertools.count(1)


def import_module_from(path: Path, prefix: str = "sg_generated") -> ModuleType:
    """Import a generated file (e.g. schemas.py) or package (its `__init__.py`, e.g. the models,
    whose modules import each other relatively) as a fresh module with a unique name.

    The module is registered in sys.modules before it runs, so SQLAlchemy can resolve the string
    annotations (`from __future__ import annotations`) against it; a unique name keeps two imports
    of different projects, or of the same one, apart.
    """
    name = f"{prefix}_{next(_module_ids)}"
    package = [str(path.parent)] if path.name == "__init__.py" else None
    spec = importlib.util.spec_from_file_location(name, path, submodule_search_locations=package)
    assert spec is not None and spec.loader is not None, f"cannot import {path}"
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module


# Every character some language or tool ends a line at (the escaping tests' payloads).
LINE_BREAKS = (
    "\n",
    "\r",
    "\r\n",
    "\x0b",
    "\x0c",
    "\x1c",
    "\x1d",
    "\x1e",
    "\x85",
    "\u2028",
    "\u2029",
)


def free_port() -> int:
    """A TCP port on the loopback interface that nothing listens on now."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# What the guards measured in this run (name -> one line), printed at the end of the session by
# the terminal summary in conftest.py, so CI's log quotes the counts.
GUARD_COUNTS: dict[str, str] = {}


def parse_mermaid(sources: list[str]) -> list[dict[str, Any]]:
    """Each Mermaid ER diagram as Mermaid's own parser reads it (tests/mermaid/parse.mjs): its
    entities and relationships, with every string decoded as the rendered diagram shows it, or
    `{"error": ...}`. Needs the `mermaid_modules` fixture."""
    result = subprocess.run(
        ["node", str(MERMAID_HARNESS / "parse.mjs")],
        input=json.dumps(sources),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=CLI_TIMEOUT,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    diagrams: list[dict[str, Any]] = json.loads(result.stdout)
    for diagram in diagrams:
        for entity in diagram.get("entities", ()):
            entity["alias"] = mermaid_shown(entity["alias"])
            for attribute in entity["attributes"]:
                attribute["comment"] = mermaid_shown(attribute["comment"])
        for relationship in diagram.get("relationships", ()):
            relationship["role"] = mermaid_shown(relationship["role"])
    return diagrams


def mermaid_shown(text: str) -> str:
    """A string of Mermaid's parse as its rendered diagram shows it: Mermaid parses with `#35;`
    and `#quot;` replaced by placeholders, which become HTML character references after."""
    text = re.sub(r"\ufb02\u00b0\u00b0(\d+)\u00b6\u00df", lambda m: chr(int(m[1])), text)
    return re.sub(r"\ufb02\u00b0(\w+)\u00b6\u00df", lambda m: html.unescape(f"&{m[1]};"), text)


def markers_in_python(text: str, marker: re.Pattern[str]) -> tuple[int, list[int]]:
    """How many markers a Python source holds, and the line of each one outside a string or a
    comment as Python's own tokenizer reads it (so outside a string means code)."""
    # Offsets of each row as tokenize counts rows (it splits at "\n" only).
    starts = [0]
    for line in io.StringIO(text).readlines():
        starts.append(starts[-1] + len(line))
    literal = (tokenize.STRING, tokenize.COMMENT, getattr(tokenize, "FSTRING_MIDDLE", -1))
    spans = [
        (starts[t.start[0] - 1] + t.start[1], starts[t.end[0] - 1] + t.end[1])
        for t in tokenize.generate_tokens(io.StringIO(text).readline)
        if t.type in literal
    ]
    found = list(marker.finditer(text))
    outside = [
        text.count("\n", 0, m.start()) + 1
        for m in found
        if not any(s <= m.start() and m.end() <= e for s, e in spans)
    ]
    return len(found), outside


def structured_strings(value: object) -> list[str]:
    """Every key and string value of parsed JSON or TOML."""
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (k, *structured_strings(v))]
    if isinstance(value, list):
        return [s for v in value for s in structured_strings(v)]
    return [value] if isinstance(value, str) else []


def pytest_generated(folder: Path, url: str, timeout: int) -> subprocess.CompletedProcess[str]:
    """A generated project's own suite in `folder` (its copy), on `url`. As a user runs it, but
    without the plugins this environment installs (hypothesis', schemathesis', coverage's): the
    suite needs none, and loading them cost each run about 2.5 s, paid by every matrix project on
    every database."""
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider"]
        + ["-W", "ignore::DeprecationWarning"],
        cwd=folder,
        env=cli_env(
            DATABASE_URL=url, PYTHONDONTWRITEBYTECODE="1", PYTEST_DISABLE_PLUGIN_AUTOLOAD="1"
        ),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
