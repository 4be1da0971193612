"""Schemas at the edges of the language: each builds a project whose own suite passes.

The feature matrix pairs the features; these are the shapes no pair makes, each once a valid
schema whose generated suite failed: a resource with nothing to write (no field, or readonly
fields only, or only links to its own kind, where no other row exists yet), and an optional
unique field with fewer values than the suite makes rows (a boolean, a one-letter code), and a
tenant resource the API does not create; and a project whose only resource has every action
switched off (its action route lists none).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import run_cli
from test_backend import run_generated_suite

EDGES = {
    "schemagen.toml": '[project]\nname = "edges"\npackage = "edges"\n',
    "schemas/empty.yaml": "resource: empty\n",
    "schemas/stamp.yaml": "resource: stamp\nfields:\n  note: {type: string, readonly: true}\n",
    "schemas/peer.yaml": "resource: peer\nfields:\n  peers: {type: many_to_many, to: peer}\n",
    "schemas/flag.yaml": "resource: flag\nfields:\n  primary: {type: boolean, unique: true}\n",
    "schemas/grade.yaml": "resource: grade\nfields:\n"
    "  letter: {type: string, max_length: 1, unique: true, pattern: '^[ab]$'}\n",
    # Rows made elsewhere (seeds, SQL): the API only reads and bulk-deletes them.
    "schemas/entry.yaml": "resource: entry\ntraits: [tenant, soft_delete, versioned, audit]\n"
    "fields: {title: string}\nactions: {create: false, update: false, delete: false, bulk: true}\n",
}
NO_ACTIONS = {
    "schemagen.toml": '[project]\nname = "quiet"\npackage = "quiet"\n',
    "schemas/thing.yaml": "resource: thing\nfields:\n  title: string\nactions:\n"
    "  {create: false, list: false, get: false, update: false, delete: false}\n",
}


@pytest.mark.parametrize("schemas", [EDGES, NO_ACTIONS], ids=["edges", "no_actions"])
def test_edge_shapes_pass_their_own_suite(tmp_path: Path, schemas: dict[str, str]) -> None:
    root = tmp_path / "edges"
    for name, text in schemas.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    run_cli("build", cwd=root)
    result = run_generated_suite(root / "generated", f"sqlite:///{tmp_path / 'edges.db'}", tmp_path)
    tail = "\n".join((result.stdout + result.stderr).splitlines()[-40:])
    assert result.returncode == 0, tail
