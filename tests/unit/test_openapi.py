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
