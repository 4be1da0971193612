"""Row-level security where the traits meet: a resource that is per tenant, per owner and
branching at once, audited, with bulk and a many-to-many field.

Its generated suite (row-level security tests included) runs on PostgreSQL; and its API, which
the policies mirror, merges and discards only the caller's own rows of a branch.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from backend_support import backend
from helpers import run_cli
from test_backend import RLS_PROVEN, run_generated_suite

pytestmark = pytest.mark.db

SCHEMAS = {
    "schemagen.toml": '[project]\nname = "vault"\npackage = "vault"\n',
    "schemas/note.yaml": """
        resource: note
        traits: [timestamps, tenant, owned, branching, audit]
        fields:
          title: string(100) required
          tags: {type: many_to_many, to: tag}
        actions:
          bulk: {undo: true}
    """,
    "schemas/tag.yaml": """
        resource: tag
        traits: [tenant, owned]
        fields:
          name: string(50) required
    """,
}


@pytest.fixture(scope="module")
def vault(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("vault")
    for name, text in SCHEMAS.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(textwrap.dedent(text), encoding="utf-8")
    run_cli("build", cwd=root)
    return root / "generated"


def test_its_suite_proves_every_policy_on_postgresql(
    vault: Path, database_url, tmp_path: Path, guard_report
) -> None:
    result = run_generated_suite(vault, database_url("postgresql"), tmp_path)
    tail = "\n".join((result.stdout + result.stderr).splitlines()[-60:])
    assert result.returncode == 0, tail
    summary = result.stdout.strip().splitlines()[-1]
    assert "skipped" not in summary, summary
    proven = re.search(RLS_PROVEN, result.stdout)
    assert proven and int(proven.group(1)) > 0, tail
    guard_report(
        f"row-level security, tenant+owned+branching notes on PostgreSQL: {proven.group(0)}"
    )


@pytest.fixture
def api(vault: Path, database_url, request) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    with backend(vault, "vault"):
        from vault import db
        from vault.app import create_app

        app = create_app(database_url(request.param))
        db.create_tables(app.state.engine)
        with TestClient(app) as client:
            yield client
        app.state.engine.dispose()


def headers(user: str, branch: str | None = None) -> dict[str, str]:
    return {"X-Tenant-ID": "acme", "X-User-ID": user} | ({"X-Branch-ID": branch} if branch else {})


@pytest.mark.parametrize("api", ["sqlite", "postgresql"], indirect=True)
def test_a_merge_applies_the_callers_own_rows_only(api) -> None:
    """Another owner's rows are not the caller's to write, on a branch or by merging it."""
    notes = {}
    for user in ("ann", "bob"):
        made = api.post("/api/notes", json={"title": f"{user}'s"}, headers=headers(user))
        assert made.status_code == 201, made.text
        notes[user] = made.json()
        changed = api.patch(
            f"/api/notes/{notes[user]['id']}",
            json={"title": f"{user}'s, edited"},
            headers=headers(user, "draft"),
        )
        assert changed.status_code == 200, changed.text
    merged = api.post("/api/branches/draft/merge", headers=headers("bob"))
    assert merged.status_code == 200 and merged.json()["merged"]["note"] == 1, merged.text

    def title(user: str, branch: str | None = None) -> str:
        path = f"/api/notes/{notes[user]['id']}"
        return api.get(path, headers=headers(user, branch)).json()["title"]

    assert title("bob") == "bob's, edited"
    assert (title("ann"), title("ann", "draft")) == ("ann's", "ann's, edited"), "ann's stays hers"
    assert api.delete("/api/branches/draft", headers=headers("bob")).status_code == 204
    assert title("ann", "draft") == "ann's, edited", "bob cannot discard ann's changes either"
    assert api.post("/api/branches/draft/merge", headers=headers("ann")).status_code == 200
    assert title("ann") == "ann's, edited"
