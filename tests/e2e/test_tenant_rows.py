"""Tenants as rows, end to end: a project whose `org` resource holds the tenants (`tenant_key`),
built and migrated by the real CLI.

Its own generated suite passes (unknown X-Tenant-ID is 403 `unknown_tenant`, a tenant keeps its
row and key while it holds rows, every other check with the tenants made first) on SQLite, and
on PostgreSQL and MariaDB in long mode; then, on SQLite, the generated seed command makes each
tenant's row before its rows, the database's foreign key refuses a row of an unknown tenant
whatever writes it, and the API serves a tenant its rows and refuses a stranger.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from helpers import DIALECTS, cli_env, pytest_generated, run_cli

pytestmark = pytest.mark.db

SCHEMAS = {
    "org.yaml": """\
        resource: org
        tenant_key: code
        traits: [timestamps]
        fields:
          code: slug(64) required unique
          name: string(80) required
        """,
    "deal.yaml": """\
        resource: deal
        traits: [timestamps, tenant, audit]
        fields:
          title: string(200) required
          amount: decimal(12,2)
        actions:
          bulk: {undo: true}
        """,
    "note.yaml": """\
        resource: note
        traits: [tenant, branching, owned, soft_delete]
        fields:
          body: text required
          deal: {type: relation, to: deal, on_delete: cascade}
        """,
}
CONFIG = '[project]\nname = "tenancy"\npackage = "tenancy"\n'
LONG = os.environ.get("SCHEMAGEN_LONG") == "1"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("tenancy")
    (root / "schemagen.toml").write_text(CONFIG, encoding="utf-8")
    (root / "schemas").mkdir()
    for name, text in SCHEMAS.items():
        (root / "schemas" / name).write_text(textwrap.dedent(text), encoding="utf-8")
    run_cli("build", cwd=root)
    run_cli("migrate", "-m", "initial", cwd=root)
    return root / "generated"


@pytest.mark.parametrize("dialect", DIALECTS if LONG else ("sqlite",))
def test_its_generated_suite_passes(project: Path, dialect: str, database_url) -> None:
    result = pytest_generated(project, database_url(dialect), 900)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    tests = (project / "backend" / "tenancy" / "tests" / "test_org.py").read_text("utf-8")
    assert "def test_a_tenant_keeps_its_row_while_it_holds_rows" in tests


# Run in the generated backend: seed two tenants, then the database and the API.
PROBE = """
import json, sys
import sqlalchemy as sa
from fastapi.testclient import TestClient
from tenancy.app import create_app
from tenancy.db import create_db_engine
from tenancy.seed import main

url = sys.argv[1]
assert main(["--rows", "3", "--seed", "5", "--tenant=acme", "--tenant=globex", "--user=ann",
             "--database-url", url]) == 0
engine = create_db_engine(url)
found = {}
with engine.connect() as connection:
    found["orgs"] = sorted(connection.scalars(sa.text("SELECT code FROM orgs")))
    found["deal_tenants"] = sorted(set(connection.scalars(sa.text("SELECT tenant_id FROM deals"))))
try:
    with engine.begin() as connection:
        connection.execute(sa.text(
            "INSERT INTO deals (id, tenant_id, title, created_at, updated_at) "
            "VALUES ('00000000-0000-4000-8000-000000000001', 'nobody', 'x', "
            "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
    found["raw_insert"] = "accepted"
except sa.exc.IntegrityError:
    found["raw_insert"] = "refused"
with TestClient(create_app(url)) as client:
    def get(tenant):
        response = client.get("/api/deals", headers={"X-Tenant-ID": tenant, "X-User-ID": "ann"})
        return response.status_code, response.json()
    status, body = get("acme")
    found["acme"] = [status, len(body["items"])]
    status, body = get("nobody")
    found["nobody"] = [status, body["error_code"], body["field"]]
    orgs = client.get("/api/orgs").json()["items"]
    acme = next(o for o in orgs if o["code"] == "acme")
    refused = client.delete(f"/api/orgs/{acme['id']}")
    found["delete_acme"] = [refused.status_code, refused.json()["error_code"]]
print(json.dumps(found))
"""


def test_seeded_tenants_the_foreign_key_and_the_api(project: Path, database_url) -> None:
    url = database_url("sqlite")
    run_cli("db", "upgrade", cwd=project.parent, env=cli_env(DATABASE_URL=url))
    result = subprocess.run(
        [sys.executable, "-c", PROBE, url],
        cwd=project / "backend",
        env=cli_env(PYTHONPATH=str(project / "backend"), PYTHONDONTWRITEBYTECODE="1"),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    found = json.loads(result.stdout.strip().splitlines()[-1])
    # Each seeded tenant got its row first (and the org resource its own 3 rows).
    assert {"acme", "globex"} <= set(found["orgs"]) and len(found["orgs"]) == 5, found
    assert found["deal_tenants"] == ["acme", "globex"], found
    assert found["raw_insert"] == "refused", "the database let a row of an unknown tenant in"
    assert found["acme"] == [200, 3], found
    assert found["nobody"] == [403, "unknown_tenant", "X-Tenant-ID"], found
    assert found["delete_acme"] == [409, "conflict"], found
