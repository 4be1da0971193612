"""The client's invalidation map: what each mutation refreshes, derived from the relation graph.

A small world with every kind of edge: `country ← region` (cascade), `region ← office` (cascade),
`office ← desk` (set_null), `office.parent` (a self relation, set_null), `office ↔ person`
(many-to-many), `person ← badge` (restrict), `topic.related` (a self many-to-many), and a custom
action with `invalidates`. Traits: desk is soft-deleted, audited and branching, topic branching;
person's bulk changes can be undone, country's cannot.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from schemagen import ir
from schemagen.api import build_api
from schemagen.build import compile_project
from schemagen.targets.cache_keys import Refresh, invalidation_map

CONFIG = '[project]\nname = "acme"\npackage = "acme"\n'

SCHEMAS = {
    "country": """
        resource: country
        fields:
          name: string required
        actions:
          bulk: {undo: false}
    """,
    "region": """
        resource: region
        fields:
          name: string required
          country: {type: relation, to: country, required: true, on_delete: cascade}
    """,
    "office": """
        resource: office
        fields:
          name: string required
          region: {type: relation, to: region, on_delete: cascade}
          parent: {type: relation, to: office, on_delete: set_null}
          people: {type: many_to_many, to: person}
        actions:
          close:
            input: {reason: text}
            invalidates: [office, desk]
          recount:
            scope: collection
    """,
    "desk": """
        resource: desk
        traits: [soft_delete, audit, branching]
        fields:
          label: string required
          office: {type: relation, to: office, on_delete: set_null}
    """,
    "person": """
        resource: person
        fields:
          name: string required
        actions:
          bulk: true
    """,
    "badge": """
        resource: badge
        fields:
          code: string required
          person: {type: relation, to: person, required: true, on_delete: restrict}
    """,
    "topic": """
        resource: topic
        traits: [branching]
        fields:
          name: string required
          related: {type: many_to_many, to: topic}
    """,
}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> ir.Project:
    root: Path = tmp_path_factory.mktemp("invalidation")
    (root / "schemagen.toml").write_text(CONFIG, encoding="utf-8")
    (root / "schemas").mkdir()
    for name, text in SCHEMAS.items():
        (root / "schemas" / f"{name}.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
    return compile_project(root).project


@pytest.fixture(scope="module")
def refresh(project: ir.Project) -> dict[str, tuple[Refresh, ...]]:
    return invalidation_map(build_api(project))


def targets(refreshes: tuple[Refresh, ...]) -> dict[str, str]:
    """resource -> scope ("all" or "lists")."""
    return {r.resource: r.scope for r in refreshes}


def test_every_mutation_action_has_an_entry(project, refresh) -> None:
    expected = set()
    for r in project.resources:
        expected |= {f"{r.name}.{verb}" for verb in ("create", "update", "delete")}
        expected |= {a.action for a in r.actions.custom}
    expected |= {"person.bulk", "person.bulk_undo", "country.bulk", "desk.restore"}
    expected |= {"branches.merge", "branches.discard"}
    expected |= {"bulk_runs.cancel"}  # the project has bulk: its runs can be cancelled
    assert set(refresh) == expected
    assert "country.bulk_undo" not in refresh  # undo: false


def test_bulk_changes_and_cancels_refresh_the_runs(refresh) -> None:
    for action in ("person.bulk", "person.bulk_undo", "country.bulk"):
        assert targets(refresh[action])["bulk_runs"] == "all", action
    # A cancelled run stops: the runs, and what any run changes, are read again.
    assert targets(refresh["bulk_runs.cancel"]) == {
        "bulk_runs": "all",
        "person": "all",
        "country": "all",
    }


def test_create_refreshes_only_its_own_lists(refresh) -> None:
    assert targets(refresh["country.create"]) == {"country": "lists"}
    assert targets(refresh["region.create"]) == {"region": "lists"}
    assert [r.key() for r in refresh["region.create"]] == [["region", "list"]]


def test_update_refreshes_every_query_of_the_resource(refresh) -> None:
    assert targets(refresh["region.update"]) == {"region": "all"}
    assert [r.key() for r in refresh["region.update"]] == [["region"]]


def test_cascade_delete_refreshes_the_dependents_transitively(refresh) -> None:
    # country → region (cascade) → office (cascade) → desk (set_null), office.people (many-to-many),
    # office.parent (self, set_null: office already there).
    assert targets(refresh["country.delete"]) == {
        "country": "all",
        "region": "all",
        "office": "all",
        "desk": "all",
        "person": "all",
    }
    reasons = {r.resource: r.reason for r in refresh["country.delete"]}
    assert reasons["region"] == "region.country: on_delete cascade deletes its rows"
    assert reasons["office"] == "office.region: on_delete cascade deletes its rows"
    assert reasons["desk"] == "desk.office: on_delete set_null clears it"


def test_set_null_delete_refreshes_the_rows_it_clears(refresh) -> None:
    assert targets(refresh["office.delete"]) == {"office": "all", "person": "all", "desk": "all"}


def test_restrict_refreshes_nothing_else(refresh) -> None:
    # badge.person is restrict: deleting a person with badges is refused, so badges never change;
    # office.people links to the person go with it, so offices are refreshed.
    assert targets(refresh["person.delete"]) == {"person": "all", "office": "all"}
    assert "badge" not in targets(refresh["person.delete"])


def test_many_to_many_writes_refresh_both_sides(refresh) -> None:
    assert targets(refresh["office.create"]) == {"office": "lists", "person": "all"}
    assert targets(refresh["office.update"]) == {"office": "all", "person": "all"}
    # A resource without many-to-many fields is on the other side of office.people only for deletes.
    assert targets(refresh["person.update"]) == {"person": "all"}


def test_self_relations_refresh_the_resource_once(refresh) -> None:
    # topic.related is a many-to-many to itself; office.parent a set_null to itself.
    assert [r.key() for r in refresh["topic.create"]] == [
        ["topic"]
    ]  # lists widened to all: both sides
    assert [r.key() for r in refresh["topic.delete"]] == [["topic"]]
    assert [r.resource for r in refresh["office.delete"]].count("office") == 1


def test_bulk_refreshes_what_update_and_delete_do(refresh) -> None:
    # And the runs: a bulk change is one.
    assert targets(refresh["person.bulk"]) == {"person": "all", "office": "all", "bulk_runs": "all"}


def test_custom_actions_use_their_invalidates(refresh) -> None:
    assert targets(refresh["office.close"]) == {"office": "all", "desk": "all"}
    assert targets(refresh["office.recount"]) == {"office": "all"}  # the default: its own resource


def test_bulk_undo_refreshes_what_the_bulk_change_did(refresh) -> None:
    assert refresh["person.bulk_undo"] == refresh["person.bulk"]


def test_restore_refreshes_like_an_update(refresh) -> None:
    # The row comes back into the lists it matches, and its detail changes (deleted_at).
    assert targets(refresh["desk.restore"]) == {"desk": "all", "audit": "all"}
    assert targets(refresh["desk.restore"]) == targets(refresh["desk.update"])


def test_writes_of_an_audited_resource_refresh_the_audit_log(refresh) -> None:
    for verb in ("create", "update", "delete", "restore"):
        reasons = {r.resource: r.reason for r in refresh[f"desk.{verb}"]}
        assert reasons["audit"] == "writes of desk are recorded in the audit log", verb
        assert [r.key() for r in refresh[f"desk.{verb}"]][-1] == ["audit"]
    # office.delete sets desk.office to null, but only desk's own writes are audited.
    assert "audit" not in targets(refresh["office.delete"])
    assert "audit" not in targets(refresh["region.update"])


def test_a_branch_merge_or_discard_refreshes_every_branching_resource(refresh) -> None:
    for action in ("branches.merge", "branches.discard"):
        assert targets(refresh[action]) == {"desk": "all", "topic": "all", "audit": "all"}
    reasons = {r.resource: r.reason for r in refresh["branches.merge"]}
    assert reasons["topic"] == "a branch merge changes topic rows"


def test_projects_without_the_traits_have_no_system_mutations(tmp_path: Path) -> None:
    (tmp_path / "schemagen.toml").write_text(CONFIG, encoding="utf-8")
    (tmp_path / "schemas").mkdir()
    (tmp_path / "schemas" / "note.yaml").write_text(
        "resource: note\nfields: {title: string}\n", encoding="utf-8"
    )
    refreshes = invalidation_map(compile_project(tmp_path).api)
    assert set(refreshes) == {"note.create", "note.update", "note.delete"}
    assert all(x.resource == "note" for rs in refreshes.values() for x in rs)


def test_restore_refreshes_what_the_soft_delete_cascade_brings_back(tmp_path: Path) -> None:
    (tmp_path / "schemagen.toml").write_text(CONFIG, encoding="utf-8")
    (tmp_path / "schemas").mkdir()
    schemas = {
        "shelf": "resource: shelf\ntraits: [soft_delete]\nfields:\n  name: string\n",
        "slot": "resource: slot\ntraits: [soft_delete]\nfields:\n"
        "  shelf: {type: relation, to: shelf, on_delete: cascade}\n",
        "tray": "resource: tray\ntraits: [soft_delete]\nfields:\n"
        "  slot: {type: relation, to: slot, on_delete: cascade}\n",
        "note": "resource: note\nfields:\n  shelf: {type: relation, to: shelf, on_delete: set_null}\n",
    }
    for name, text in schemas.items():
        (tmp_path / "schemas" / f"{name}.yaml").write_text(text, encoding="utf-8")
    refresh = invalidation_map(compile_project(tmp_path).api)
    assert targets(refresh["shelf.restore"]) == {"shelf": "all", "slot": "all", "tray": "all"}
