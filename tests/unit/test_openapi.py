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
def test_document_is_what_fastapi_derives_and_what_the_app_serves(project: str, built) -> None:
    """The committed file == FastAPI's own derivation on a fresh app == the served document."""
    from fastapi import FastAPI
    from fastapi.testclient import TestClient
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
        assert "openapi" not in vars(app), "app.openapi is FastAPI's own, never replaced"
        assert app.openapi() == document
        assert FastAPI.openapi(app_module.create_app("sqlite://")) == document
        with TestClient(app) as client:
            assert client.get("/openapi.json").json() == document


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
    # The scoping headers are security schemes every API route names; If-Match a header.
    schemes = document["components"]["securitySchemes"]
    assert {s["name"] for s in schemes.values()} == {"X-Tenant-ID", "X-Branch-ID", "X-User-ID"}
    assert all(s["in"] == "header" and s["type"] == "apiKey" for s in schemes.values())
    for method, op in paths["/api/gadgets/{id}"].items():
        assert {name for item in op["security"] for name in item} == set(schemes), method
        assert "If-Match" in _names(op)
        assert op["responses"]["400"]["description"].startswith("tenant_required")
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
    assert schemas["MergeResult"]["properties"]["merged"]["additionalProperties"] == {
        "type": "integer"
    }
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
        "ip_address",
        "user_agent",
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
    answers = json.dumps({p: ops for p, ops in paths.items() if p != "/api/actions"})
    assert (
        any(p.startswith("/api/audit") for p in paths)
        == ("audit" in traits)
        == ("AuditEntry" in schemas)
    )
    assert any(p.startswith("/api/branches") for p in paths) == ("branching" in traits)
    assert ("MergeResult" in schemas) == ("branching" in traits)
    assert ("BulkUndoRequest" in schemas) == undo
    assert ("tenant_required" in answers) == ("tenant" in traits)
    assert ("precondition_required" in answers) == ("versioned" in traits)
    assert ("include_deleted" in names) == ("soft_delete" in traits)


def test_datetime_filters_accept_now(built) -> None:
    document = json.loads((built("showcase").output / "openapi.json").read_text(encoding="utf-8"))
    parameters = _names(document["paths"]["/api/opportunities"]["get"])
    assert {"const": "now", "type": "string"} in parameters["next_action_at__lte"]["schema"][
        "anyOf"
    ]
    assert parameters["next_action_at__isnull"]["schema"]["anyOf"][0] == {"type": "boolean"}
