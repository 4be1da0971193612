"""Regressions, each once reproduced on a schema the language accepts: one focused build each.

(tests/e2e/test_hostile_strings.py is the general guard; these pin the reported cases.)
"""

from __future__ import annotations

import ast
import inspect
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import run_cli

# Every character some tool ends a line at, each followed by what would run if it did.
BREAKS = ("\u2028", "\u2029", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\r", "\n")


def _project(root: Path, name: str, task: dict) -> Path:
    (root / "schemas").mkdir(parents=True)
    (root / "schemagen.toml").write_text(
        f'[project]\nname = {json.dumps(name)}\npackage = "app"\n'
        '[database]\ndialects = ["sqlite", "postgresql"]\n',
        encoding="utf-8",
    )
    # JSON with ASCII escapes is YAML: every character arrives as written.
    (root / "schemas" / "task.yaml").write_text(json.dumps({"resource": "task", **task}), "utf-8")
    return root


def test_a_description_or_help_with_any_line_break_stays_one_docstring(tmp_path: Path) -> None:
    descriptions = {f"f{i}": f"desc{b}injected = 1{b}end" for i, b in enumerate(BREAKS)}
    fields = {
        name: {"type": "string", "description": text, "help": f"help{text}"}
        for name, text in descriptions.items()
    }
    root = _project(tmp_path / "p", "app", {"fields": fields})
    run_cli("build", "--target", "pydantic", cwd=root)
    source = (root / "generated" / "backend" / "app" / "schemas" / "task.py").read_text("utf-8")
    tree = ast.parse(source)
    [read] = [n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "TaskRead"]
    docs = {}
    for statement, following in zip(read.body, read.body[1:], strict=False):
        if isinstance(statement, ast.AnnAssign) and isinstance(following, ast.Expr):
            docs[statement.target.id] = following.value.value
    for name, text in descriptions.items():
        # Exact, or (a plain multi-line docstring) exact once PEP 257's indentation is taken off.
        assert inspect.cleandoc(docs[name]) == f"{text}\n\nhelp{text}".strip(), name
    assert "injected" not in {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}


def test_a_project_name_with_a_control_character_is_refused(tmp_path: Path) -> None:
    # It once made pyproject.toml invalid. The name is a distribution name and reaches headings,
    # docstrings and comments, so validate refuses what ends or disguises a line there
    # (toml_string itself is proven over every code point in tests/unit/test_literals.py).
    root = _project(tmp_path / "p", "app\x7fname", {"fields": {"title": "string"}})
    result = run_cli("build", cwd=root, check=False)
    assert result.returncode == 1, result.stdout + result.stderr
    output = result.stdout + result.stderr
    assert "project.name: the project name cannot hold the character U+007F" in output
    assert not (root / "generated").exists()


@pytest.mark.db
def test_a_nul_in_a_description_migrates_on_postgresql(tmp_path: Path, database_url) -> None:
    import sqlalchemy as sa

    task = {
        "description": "table\x00comment",
        "fields": {"title": {"type": "string", "description": "column\x00comment"}},
    }
    root = _project(tmp_path / "p", "app", task)
    run_cli("build", cwd=root)
    run_cli("migrate", "-m", "initial", cwd=root)
    url = database_url("postgresql")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "alembic",
            "-c",
            "generated/migrations/alembic.ini",
            "upgrade",
            "head",
        ],
        cwd=root,
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    engine = sa.create_engine(url)
    try:
        inspector = sa.inspect(engine)
        columns = {c["name"]: c for c in inspector.get_columns("tasks")}
        # PostgreSQL stores no NUL in any text: the comment holds U+FFFD in its place.
        assert columns["title"]["comment"] == "column\ufffdcomment"
        assert inspector.get_table_comment("tasks")["text"] == "table\ufffdcomment"
    finally:
        engine.dispose()


# Read in a subprocess: the generated package is imported fresh, nothing leaks into this one.
_LIST_PROBE = """
import json, os
from fastapi.testclient import TestClient
from app import db
db.create_tables()
from app.app import app
client = TestClient(app)
answers = {"create": client.post("/api/tasks", json={"class": "a", "from": 3, "due": "2026-01-02"}).status_code}
for query in ("class=a", "class__in=a,b", "from=3", "from__gte=2", "from=yes", "from__isnull=yes",
              "due__lte=0", "due__lte=2026-02-01", "json=x"):
    response = client.get("/api/tasks?" + query)
    answers[query] = [response.status_code, len(response.json().get("items", []))]
answers["options bulk"] = client.options("/api/tasks/bulk").headers.get("allow")
print(json.dumps(answers))
"""


def test_filters_on_fields_named_like_keywords_and_values_read_strictly(tmp_path: Path) -> None:
    # Found by the fuzzer: a filterable field `class` made `class: str | None = None` in the
    # list's query model, a SyntaxError at build time (exit 3). Found by schemathesis: the typed
    # query model let Pydantic's lax mode take "0" for a date and "yes" for a boolean.
    root = _project(
        tmp_path,
        "acme",
        {
            "fields": {
                "class": {"type": "string", "filterable": True},
                "from": {"type": "integer", "filterable": True},
                "json": {"type": "string", "filterable": True},
                "due": {"type": "date", "filterable": True},
            },
            "actions": {"list": {"sortable": ["class"]}, "bulk": True},
        },
    )
    run_cli("build", cwd=root)
    probe = subprocess.run(
        [sys.executable, "-c", _LIST_PROBE],
        cwd=root / "generated" / "backend",
        env={**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'probe.db'}"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert probe.returncode == 0, probe.stderr
    answers = json.loads(probe.stdout.strip().splitlines()[-1])
    assert answers == {
        "create": 201,
        "class=a": [200, 1],
        "class__in=a,b": [200, 1],
        "from=3": [200, 1],
        "from__gte=2": [200, 1],
        "from=yes": [422, 0],
        "from__isnull=yes": [422, 0],
        "due__lte=0": [422, 0],
        "due__lte=2026-02-01": [200, 1],
        "json=x": [200, 0],
        "options bulk": "OPTIONS, POST",
    }
