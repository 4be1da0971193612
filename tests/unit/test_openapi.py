"""The OpenAPI document: valid OpenAPI 3.1, served as written, naming what FastAPI registers."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "e2e"))

from backend_support import backend
from helpers import golden_cases

PROJECTS = ["showcase", *golden_cases()]
PACKAGES = {
    "showcase": "showcase",
    "minimal": "minimal",
    "relations": "library",
    "kitchen_sink": "kitchen_sink",
}


@pytest.fixture(scope="module")
def built(build_project):
    build_project.many(PROJECTS)
    return build_project


def operations(document: dict) -> set[tuple[str, str, str]]:
    return {
        (path, method.upper(), op["operationId"])
        for path, ops in document["paths"].items()
        for method, op in ops.items()
    }


@pytest.mark.parametrize("project", PROJECTS)
def test_document_is_valid_and_is_what_the_app_serves(project: str, built) -> None:
    from fastapi import FastAPI
    from openapi_spec_validator import validate

    output = built(project).output
    document = json.loads((output / "openapi.json").read_text(encoding="utf-8"))
    validate(document)
    package = PACKAGES[project]
    assert (output / "backend" / package / "openapi.json").read_bytes() == (
        output / "openapi.json"
    ).read_bytes()
    with backend(output, package):
        app_module = __import__(f"{package}.app", fromlist=["create_app"])
        app = app_module.create_app("sqlite://")
        assert app.openapi() == document
        # What FastAPI itself registers: every path, method and operation id is in the document.
        registered = FastAPI.openapi(app)
        assert operations(registered) == operations(document)


def test_showcase_operation_ids_are_the_clients_names(built) -> None:
    document = json.loads((built("showcase").output / "openapi.json").read_text(encoding="utf-8"))
    ids = {op for _, _, op in operations(document)}
    assert {
        "listOffices",
        "getOffice",
        "createOffice",
        "updateOffice",
        "deleteOffice",
        "closeOffice",
        "listPeople",
        "getPerson",
        "runAction",
        "healthz",
        "readyz",
    } <= ids
    lists = document["paths"]["/api/offices"]["get"]
    names = {p["name"] for p in lists["parameters"]}
    assert {
        "limit",
        "cursor",
        "sort",
        "q",
        "status",
        "status__in",
        "status__isnull",
        "region_id",
        "region_id__in",
    } <= names
    schemas = document["components"]["schemas"]
    assert {
        "OfficeCreate",
        "OfficeUpdate",
        "OfficeRead",
        "OfficePage",
        "OfficeCloseInput",
        "Error",
    } <= set(schemas)
    assert schemas["OfficePage"]["properties"]["items"]["items"] == {
        "$ref": "#/components/schemas/OfficeRead"
    }


def test_kitchen_sink_has_bulk_and_collection_actions(built) -> None:
    document = json.loads(
        (built("kitchen_sink").output / "openapi.json").read_text(encoding="utf-8")
    )
    ids = {op for _, _, op in operations(document)}
    assert {"bulkGadgets", "archiveGadget", "recountGadget"} <= ids
    assert document["paths"]["/api/gadgets"]["get"]["parameters"][-1]["name"]


def _names(op: dict) -> dict[str, dict]:
    return {p["name"]: p for p in op.get("parameters", [])}


def test_kitchen_sink_describes_the_traits(built) -> None:
    document = json.loads(
        (built("kitchen_sink").output / "openapi.json").read_text(encoding="utf-8")
    )
    paths = document["paths"]
    ids = {op for _, _, op in operations(document)}
    assert {
        "restoreGadget",
        "undoBulkGadgets",
        "listAuditEntries",
        "mergeBranch",
        "discardBranch",
    } <= ids
    assert "restoreDraft" not in ids  # draft has no soft_delete
    # tenant, owned, versioned: gadget; branching: draft.
    for method, op in paths["/api/gadgets/{id}"].items():
        headers = _names(op)
        assert headers["X-Tenant-ID"]["required"] is True and "X-User-ID" in headers
        assert "X-Branch-ID" not in headers
        assert ("If-Match" in headers) == (method in ("patch", "delete")), method
        assert op["responses"]["400"]["description"].startswith("tenant_required")
    assert _names(paths["/api/drafts"]["get"])["X-Branch-ID"]["schema"]["default"] == "main"
    # include_deleted on the list and get of the soft-deleted resource only.
    assert "include_deleted" in _names(paths["/api/gadgets"]["get"])
    assert "include_deleted" in _names(paths["/api/gadgets/{id}"]["get"])
    assert "include_deleted" not in _names(paths["/api/drafts"]["get"])
    # versioned: ETag on the row's answers, 428 and version_conflict on PATCH.
    patch = paths["/api/gadgets/{id}"]["patch"]["responses"]
    assert "ETag" in patch["200"]["headers"]
    assert "ETag" in paths["/api/gadgets/{id}"]["get"]["responses"]["200"]["headers"]
    assert "ETag" in paths["/api/gadgets"]["post"]["responses"]["201"]["headers"]
    assert "ETag" in paths["/api/gadgets/{id}/restore"]["post"]["responses"]["200"]["headers"]
    assert "headers" not in paths["/api/drafts/{id}"]["get"]["responses"]["200"]
    assert "version_conflict" in patch["409"]["description"]
    assert patch["428"]["description"].startswith("precondition_required")
    assert patch["403"]["description"].startswith("forbidden")
    assert "401" in paths["/api/gadgets"]["post"]["responses"]
    undo = paths["/api/gadgets/bulk/undo"]["post"]
    assert undo["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/BulkUndoRequest"
    }
    assert "undo_used" in undo["responses"]["409"]["description"]
    assert undo["responses"]["410"]["description"].startswith("undo_expired")
    schemas = document["components"]["schemas"]
    assert set(schemas["BulkResult"]["required"]) == {
        "matched",
        "affected",
        "failed",
        "errors",
        "undo_token",
        "undo_expires_at",
    }
    assert schemas["GadgetUpdate"]["properties"]["version"]["type"] == "integer"
    assert "version" not in schemas["DraftUpdate"]["properties"]
    assert "branch_deleted" not in schemas["DraftRead"]["properties"]
    assert set(schemas["MergeResult"]["properties"]["merged"]["properties"]) == {"draft"}
    audit = paths["/api/audit"]["get"]
    assert audit["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/AuditPage"
    }
    assert {"resource", "row_id", "action", "limit", "cursor"} <= set(_names(audit))
    assert set(schemas["AuditEntry"]["required"]) == {
        "id",
        "resource",
        "row_id",
        "action",
        "before",
        "after",
        "actor",
        "tenant_id",
        "branch_id",
        "at",
    }
    assert set(paths["/api/branches/{name}"]) == {"delete"}
    assert "204" in paths["/api/branches/{name}"]["delete"]["responses"]


@pytest.mark.parametrize("project", ["minimal", "relations"])
def test_trait_routes_only_where_a_resource_has_the_trait(project: str, built) -> None:
    """Routes, schemas and parameters of a trait exist exactly when some resource has it."""
    from schemagen.build import compile_project

    resources = compile_project(built(project).root).project.resources
    traits = {trait for r in resources for trait in r.traits}
    undo = any(r.actions.bulk is not None and r.actions.bulk.undo for r in resources)
    document = json.loads((built(project).output / "openapi.json").read_text(encoding="utf-8"))
    paths, schemas = document["paths"], set(document["components"]["schemas"])
    names = {name for ops in paths.values() for op in ops.values() for name in _names(op)}
    assert (
        any(p.startswith("/api/audit") for p in paths)
        == ("audit" in traits)
        == ("AuditEntry" in schemas)
    )
    assert any(p.startswith("/api/branches") for p in paths) == ("branching" in traits)
    assert ("MergeResult" in schemas) == ("branching" in traits)
    assert ("BulkUndoRequest" in schemas) == undo
    assert ("X-Tenant-ID" in names) == ("tenant" in traits)
    assert ("If-Match" in names) == ("versioned" in traits)
    assert ("include_deleted" in names) == ("soft_delete" in traits)


def test_datetime_filters_accept_now(tmp_path: Path) -> None:
    from schemagen.build import compile_project
    from schemagen.targets.openapi import list_parameters

    (tmp_path / "schemagen.toml").write_text(
        '[project]\nname = "acme"\npackage = "acme"\n', encoding="utf-8"
    )
    (tmp_path / "schemas").mkdir()
    (tmp_path / "schemas" / "job.yaml").write_text(
        "resource: job\nfields:\n  due_at: {type: datetime, filterable: true}\n",
        encoding="utf-8",
    )
    api = compile_project(tmp_path).api
    parameters = {p["name"]: p for p in list_parameters(api.resources[0])}
    assert parameters["due_at__lte"]["schema"] == {
        "anyOf": [{"type": "string", "format": "date-time"}, {"const": "now"}]
    }
    assert parameters["due_at__isnull"]["schema"] == {"type": "boolean"}
