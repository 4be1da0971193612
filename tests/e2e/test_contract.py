"""The HTTP contract: the app accepts exactly what its OpenAPI document allows, answers only what
the document lists, and every layer agrees on what `required` means.

The schemathesis guard (tests/e2e/test_schemathesis.py) searches for disagreements at random;
these tests pin each one it found, on the showcase app in-process on SQLite.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from backend_support import backend
from helpers import DIALECTS, run_cli

HEADERS = {"X-Tenant-ID": "acme", "X-User-ID": "alice"}


@pytest.fixture(scope="module")
def client(build_project, tmp_path_factory):
    from fastapi.testclient import TestClient

    output = build_project("showcase").output
    with backend(output, "showcase"):
        from showcase.app import create_app
        from showcase.models import complete_metadata

        url = f"sqlite:///{tmp_path_factory.mktemp('contract') / 'contract.db'}"
        app = create_app(url)
        complete_metadata().create_all(app.state.engine)
        with TestClient(app, headers=HEADERS) as test_client:
            test_client.document = json.loads((output / "openapi.json").read_text(encoding="utf-8"))
            yield test_client


def _error(response, status: int, code: str, field: str | None = "?") -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"detail", "error_code", "field"} and body["error_code"] == code, body
    if field != "?":
        assert body["field"] == field, body
    return body


# ---------------------------------------------------------------------------------------------
# Request bodies are as strict as the document


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        (
            "/api/people",
            {"full_name": "A", "email": "a@example.com", "started_on": 0},
            "started_on",
        ),
        ("/api/people", {"full_name": "A", "email": "a@example.com", "active": 1}, "active"),
        ("/api/people", {"full_name": "A", "email": "a@example.com", "active": "true"}, "active"),
        ("/api/offices", {"name": "O", "closed_at": 0}, "closed_at"),
        ("/api/offices", {"name": "O", "region_id": 12}, "region_id"),
        ("/api/todos", {"title": "T", "due": 20200101}, "due"),
        ("/api/todos", {"title": "T", "priority": None}, "priority"),
        ("/api/todos", {"title": "T", "completed": None}, "completed"),
        (
            "/api/matrx_menu_items",
            {
                "label": "L",
                "action_id": "00000000-0000-0000-0000-000000000000",
                "display_order": 1.5,
            },
            "display_order",
        ),
        (
            "/api/matrx_menu_items",
            {
                "label": "L",
                "action_id": "00000000-0000-0000-0000-000000000000",
                "display_order": "1",
            },
            "display_order",
        ),
    ],
)
def test_a_body_the_document_forbids_is_refused(client, path, body, field) -> None:
    response = client.post(path, json=body)
    error = _error(response, 422, "validation_error")
    if field is not None:
        assert error["field"] == field, error


def test_an_update_cannot_null_a_non_nullable_field(client) -> None:
    todo = client.post("/api/todos", json={"title": "T"})
    assert todo.status_code == 201, todo.text
    assert todo.json()["priority"] == "normal"
    url = f"/api/todos/{todo.json()['id']}"
    _error(client.patch(url, json={"priority": None}), 422, "validation_error", "priority")
    _error(client.patch(url, json={"due": 0}), 422, "validation_error", "due")
    assert client.patch(url, json={"due": None, "priority": "high"}).status_code == 200
    assert client.get(url).json()["priority"] == "high"


def test_values_of_a_bulk_update_are_as_strict_as_an_update(client) -> None:
    response = client.post(
        "/api/customers/bulk",
        json={
            "operation": "update",
            "filter": {},
            "values": {"lifetime_value": None, "tier": None},
        },
    )
    _error(response, 422, "validation_error")


def test_an_action_input_is_as_strict_as_its_route(client) -> None:
    response = client.post(
        "/api/actions",
        json={
            "action": "person.create",
            "input": {"full_name": "A", "email": "a@x.io", "started_on": 0},
        },
    )
    _error(response, 422, "validation_error", "started_on")


@pytest.mark.parametrize("text", [b"{", b"\xff", b"[1, 2", b"", b"nul"])
def test_an_unparseable_body_is_a_validation_error(client, text: bytes) -> None:
    response = client.post("/api/todos", content=text, headers={"Content-Type": "application/json"})
    _error(response, 422, "validation_error", None)


# ---------------------------------------------------------------------------------------------
# Paths


def test_fixed_paths_win_over_an_id(client) -> None:
    # /bulk is POST only: PATCH there is not an update of the row "bulk".
    response = client.patch("/api/customers/bulk", json={})
    _error(response, 405, "method_not_allowed")
    assert response.headers["allow"] == "POST"
    response = client.request("DELETE", "/api/opportunities/bulk")
    _error(response, 405, "method_not_allowed")
    # /export is GET only, and a file: its refusals are JSON all the same.
    response = client.patch("/api/offices/export", json={})
    _error(response, 405, "method_not_allowed")
    assert response.headers["allow"] == "GET"
    _error(client.get("/api/offices/export", params={"format": "pdf"}), 422, "validation_error")
    exported = client.get("/api/offices/export")
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/todos/not-a-uuid"),
        ("PATCH", "/api/todos/12"),
        ("DELETE", "/api/todos/x"),
        ("POST", "/api/opportunities/nope/restore"),
        ("POST", "/api/offices/123/close"),
        ("GET", "/api/offices/bulkx"),
    ],
)
def test_a_malformed_id_is_a_validation_error(client, method: str, path: str) -> None:
    response = client.request(method, path, json={})
    _error(response, 422, "validation_error", "id")


def test_a_malformed_id_through_the_action_router_is_a_validation_error(client) -> None:
    response = client.post("/api/actions", json={"action": "todo.get", "id": "nope"})
    _error(response, 422, "validation_error", "id")


def test_the_action_router_body_is_one_model_per_action(client) -> None:
    """A oneOf with its discriminator mapping: each action's own input and, on a row, its id."""
    schemas = client.document["components"]["schemas"]
    body = client.document["paths"]["/api/actions"]["post"]["requestBody"]
    assert body["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ActionRequest"
    }
    request = schemas["ActionRequest"]
    mapping = request["discriminator"]["mapping"]
    assert request["discriminator"]["propertyName"] == "action"
    assert sorted(mapping.values()) == sorted(ref["$ref"] for ref in request["oneOf"])
    close = schemas[mapping["office.close"].rsplit("/", 1)[1]]
    assert close["properties"]["action"]["const"] == "office.close"
    assert close["properties"]["input"] == {"$ref": "#/components/schemas/OfficeCloseInput"}
    assert close["properties"]["id"]["format"] == "uuid"
    assert set(close["required"]) == {"action", "id", "input"}
    listing = schemas[mapping["office.list"].rsplit("/", 1)[1]]
    assert listing["properties"]["input"] == {"$ref": "#/components/schemas/OfficeListParams"}
    assert "id" not in listing["properties"] and listing["required"] == ["action"]
    get = schemas[mapping["todo.get"].rsplit("/", 1)[1]]
    assert set(get["properties"]) == {"action", "id"}


@pytest.mark.parametrize(
    ("body", "field", "detail"),
    [
        ({"action": "todo.nope"}, "action", "action: "),
        ({"input": {}}, "action", "action: "),
        ({"action": "todo.get"}, "id", "id: Field required"),
        ({"action": "todo.get", "id": 7}, "id", "id: "),
        ({"action": "todo.get", "id": str(uuid.UUID(int=1)), "input": {}}, "input", "input: "),
        ({"action": "region.create"}, "input", "input: Field required"),
        ({"action": "region.create", "input": {"name": 5}}, "name", "input.name: "),
        ({"action": "region.create", "input": {"name": "N", "nope": 1}}, "nope", "input.nope: "),
        ({"action": "region.list", "input": {"limit": 0}}, "limit", "input.limit: "),
        ({"action": "region.list", "input": {"limit": "10"}}, "limit", "input.limit: "),
        ({"action": "region.list", "input": {"sort": "nope"}}, "sort", "input.sort: "),
        (
            {"action": "customer.bulk", "input": {"operation": "update", "filter": {"x": 1}}},
            "filter",
            "input.filter.x: ",
        ),
    ],
)
def test_the_action_router_refuses_what_the_action_refuses(client, body, field, detail) -> None:
    """422 naming the field as the action's own route would, the detail its whole path."""
    error = _error(client.post("/api/actions", json=body), 422, "validation_error", field)
    assert error["detail"].startswith(detail), error


def test_the_action_router_lists_with_json_parameters(client) -> None:
    for name in ("North", "South"):
        assert client.post("/api/regions", json={"name": name}).status_code == 201
    response = client.post(
        "/api/actions",
        json={"action": "region.list", "input": {"limit": 1, "sort": "-name", "q": "o"}},
    )
    assert response.status_code == 200, response.text
    page = response.json()
    assert [r["name"] for r in page["items"]] == ["South"] and page["next_cursor"]
    everything = client.post("/api/actions", json={"action": "region.list"})
    assert everything.status_code == 200 and len(everything.json()["items"]) >= 2
    # A null is a parameter not given, as the document's nullable parameters say.
    nulls = client.post("/api/actions", json={"action": "region.list", "input": {"q": None}})
    assert nulls.status_code == 200 and nulls.json() == everything.json(), nulls.text
    # JSON Schema's integer takes 97.0 (schemathesis sent it): a whole number is one.
    whole = client.post("/api/actions", json={"action": "region.list", "input": {"limit": 1.0}})
    assert whole.status_code == 200 and len(whole.json()["items"]) == 1, whole.text


def test_a_well_formed_unknown_id_is_still_not_found(client) -> None:
    response = client.get("/api/todos/00000000-0000-0000-0000-000000000000")
    _error(response, 404, "not_found")


# ---------------------------------------------------------------------------------------------
# Every answer is in the document


def _documented(document: dict, method: str, path: str) -> set[str]:
    return set(document["paths"][path][method.lower()]["responses"])


@pytest.mark.parametrize(
    ("method", "path", "statuses"),
    [
        # Every operation can refuse a header or a parameter, and the database can be away.
        ("GET", "/api/todos", {"200", "422", "503"}),
        ("GET", "/api/todos/{id}", {"200", "404", "422", "503"}),
        ("POST", "/api/todos", {"201", "409", "413", "422", "503"}),
        ("PATCH", "/api/todos/{id}", {"200", "404", "409", "413", "422", "503"}),
        ("DELETE", "/api/todos/{id}", {"204", "404", "409", "422", "503"}),
        ("GET", "/api/customers", {"200", "400", "422", "503"}),
        ("GET", "/api/opportunities/export", {"200", "400", "422", "503"}),
        ("POST", "/api/matrx_actions", {"201", "401", "409", "413", "422", "503"}),
        (
            "PATCH",
            "/api/opportunities/{id}",
            {"200", "400", "404", "409", "413", "422", "428", "503"},
        ),
        (
            "POST",
            "/api/opportunities/bulk/undo",
            {"200", "400", "404", "409", "410", "413", "422", "503"},
        ),
        # A custom handler may refuse with any error of the contract.
        (
            "POST",
            "/api/offices/{id}/close",
            {"200", "400", "404", "409", "413", "422", "501", "503"},
        ),
        (
            "POST",
            "/api/actions",
            {
                "200",
                "201",
                "204",
                "400",
                "401",
                "403",
                "404",
                "409",
                "410",
                "413",
                "422",
                "428",
                "501",
                "503",
            },
        ),
    ],
)
def test_every_status_an_operation_answers_is_documented(client, method, path, statuses) -> None:
    documented = _documented(client.document, method, path)
    assert statuses <= documented, f"{method} {path}: missing {sorted(statuses - documented)}"
    for status, response in client.document["paths"][path][method.lower()]["responses"].items():
        if status[0] in "45":
            schema = response.get("content", {}).get("application/json", {}).get("schema")
            ref = response.get("$ref")
            assert schema == {"$ref": "#/components/schemas/Error"} or ref, (method, path, status)


def test_an_unparseable_body_is_documented_as_a_validation_error(client) -> None:
    assert "422" in _documented(client.document, "POST", "/api/todos")
    assert "400" not in _documented(client.document, "POST", "/api/todos")


# ---------------------------------------------------------------------------------------------
# `required: true` with a default


REQUIRED_WITH_DEFAULT = """\
resource: ticket
fields:
  title: string(80) required
  status:
    type: enum
    values: [open, closed]
    default: open
    required: true
  note: string(40)
"""


def test_required_with_a_default_must_be_given_on_create_in_every_layer(tmp_path: Path) -> None:
    (tmp_path / "schemas").mkdir()
    (tmp_path / "schemagen.toml").write_text('[project]\nname = "tickets"\n', encoding="utf-8")
    (tmp_path / "schemas" / "ticket.yaml").write_text(REQUIRED_WITH_DEFAULT, encoding="utf-8")
    run_cli("build", cwd=tmp_path)
    output = tmp_path / "generated"

    schema = json.loads((output / "jsonschema" / "ticket.json").read_text(encoding="utf-8"))
    create = schema["$defs"]["TicketCreate"]
    assert create["required"] == ["title", "status"]
    assert create["properties"]["status"]["default"] == "open"  # the server's default, documented
    openapi = json.loads((output / "openapi.json").read_text(encoding="utf-8"))
    assert openapi["components"]["schemas"]["TicketCreate"]["required"] == ["title", "status"]

    types = (output / "client" / "src" / "types.ts").read_text(encoding="utf-8")
    create_type = types[types.index("export interface TicketCreate") :]
    create_type = create_type[: create_type.index("}")]
    assert "  status: TicketStatus;" in create_type and "note?:" in create_type
    zod = (output / "client" / "src" / "schemas.ts").read_text(encoding="utf-8")
    create_schema = zod[zod.index("export const ticketCreateSchema") :]
    create_schema = create_schema[: create_schema.index("}) satisfies")]
    status_line = next(line for line in create_schema.splitlines() if "status:" in line)
    assert ".optional()" not in status_line, status_line
    forms = json.loads((output / "client" / "src" / "forms.json").read_text(encoding="utf-8"))
    [status] = [f for f in forms["forms"]["ticket"]["fields"] if f["name"] == "status"]
    assert status["required"] is True and status["default"] == "open"

    with backend(output, "tickets"):
        from fastapi.testclient import TestClient
        from tickets.app import create_app
        from tickets.models import complete_metadata

        app = create_app(f"sqlite:///{tmp_path / 'tickets.db'}")
        complete_metadata().create_all(app.state.engine)
        with TestClient(app) as client:
            missing = client.post("/api/tickets", json={"title": "t"})
            _error(missing, 422, "validation_error", "status")
            given = client.post("/api/tickets", json={"title": "t", "status": "closed"})
            assert given.status_code == 201 and given.json()["status"] == "closed"
            # The default stays the database's: a row written without the API still gets it.
            from sqlalchemy.orm import Session
            from tickets.models import Ticket

            with Session(app.state.engine) as session:
                session.add(Ticket(title="raw"))
                session.commit()
                assert session.query(Ticket).filter_by(title="raw").one().status == "open"


# ---------------------------------------------------------------------------------------------
# Enums sort in their declared order


@pytest.mark.db
@pytest.mark.parametrize("dialect", DIALECTS)
def test_an_enum_sorts_in_declared_order_and_pages_by_cursor(
    dialect: str, build_project, database_url
) -> None:
    from fastapi.testclient import TestClient

    declared = ["low", "normal", "high", "urgent"]  # todo.priority; alphabetically: high, low, ...
    with backend(build_project("showcase").output, "showcase"):
        from showcase.app import create_app
        from showcase.models import complete_metadata

        app = create_app(database_url(dialect))
        complete_metadata().create_all(app.state.engine)
        with TestClient(app, headers=HEADERS) as client:
            made = [
                client.post("/api/todos", json={"title": f"{p} {i}", "priority": p})
                for i in range(3)
                for p in ("urgent", "low", "high", "normal")
            ]
            assert all(r.status_code == 201 for r in made), [r.text for r in made]
            for sort, order in (("priority", declared), ("-priority", declared[::-1])):
                whole = client.get("/api/todos", params={"sort": sort, "limit": 50}).json()
                ranks = [order.index(row["priority"]) for row in whole["items"]]
                assert ranks == sorted(ranks), (sort, [r["priority"] for r in whole["items"]])
                seen, cursor = [], None
                for _ in range(20):  # 12 rows, 5 a page: 3 pages
                    params = {"sort": sort, "limit": 5, **({"cursor": cursor} if cursor else {})}
                    page = client.get("/api/todos", params=params).json()
                    seen += [row["id"] for row in page["items"]]
                    cursor = page["next_cursor"]
                    if cursor is None:
                        break
                assert seen == [row["id"] for row in whole["items"]], sort
