"""The action router's runtime (`actions.Action`, `action_body`, `dispatch`): one model per
action behind `POST /actions`, over the `note` and `region` resources of the small world."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Annotated, Any, Literal

import pytest
import sqlalchemy as sa
from fastapi import Depends, FastAPI, Response
from fastapi.testclient import TestClient
from pydantic import BaseModel, ConfigDict, Field, RootModel
from world import NOTE, REGION, TENANT

from schemagen.runtime import errors
from schemagen.runtime.actions import Action, action_body, action_error, dispatch
from schemagen.runtime.context import RequestContext
from schemagen.runtime.db import SessionDep, session_factory, writer
from schemagen.runtime.lists import list_rows
from schemagen.runtime.rows import get_row
from schemagen.runtime.writes import create_row, delete_row


class NoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str


class RegionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str


class NoteQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    limit: int = 50
    title: str | None = None


class NoteList(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: Literal["note.list"]
    input: NoteQuery = Field(default_factory=NoteQuery)


class NoteGet(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: Literal["note.get"]
    id: uuid.UUID


class NoteCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: Literal["note.create"]
    input: NoteIn


class NoteDelete(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: Literal["note.delete"]
    id: uuid.UUID


class RegionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: Literal["region.create"]
    input: RegionIn


class Body(
    RootModel[
        Annotated[
            NoteList | NoteGet | NoteCreate | NoteDelete | RegionCreate,
            Field(discriminator="action"),
        ]
    ]
):
    pass


def context() -> RequestContext:
    return RequestContext(tenant_id=TENANT, user_id="ann")


ACTIONS = {
    "note.list": Action(lambda s, c, params: list_rows(NOTE, s, c, params), takes_params=True),
    "note.get": Action(lambda s, c, key: get_row(NOTE, s, c, key), row=NOTE),
    "note.create": Action(
        lambda s, c, data: create_row(NOTE, s, c, data), row=NOTE, status_code=201
    ),
    "note.delete": Action(lambda s, c, key: delete_row(NOTE, s, c, key), status_code=204),
    "region.create": Action(
        lambda s, c, data: create_row(REGION, s, c, data), row=REGION, status_code=201
    ),
}
SEEN: list[dict[str, Any]] = []


def build_app(engine: sa.Engine) -> FastAPI:
    app = FastAPI()
    app.state.engine = engine
    app.state.writer = writer(engine)
    app.state.sessionmaker = session_factory(engine)
    errors.install(app, errors.ConstraintFields())

    @app.post("/actions")
    def run(
        body: Annotated[Body, action_body(Body)],
        session: SessionDep,
        caller: Annotated[RequestContext, Depends(context)],
    ) -> Response:
        return dispatch(ACTIONS, body.root, session, caller)

    return app


@pytest.fixture
def client(engine: sa.Engine) -> Iterator[TestClient]:
    with TestClient(build_app(engine), raise_server_exceptions=False) as client:
        yield client


def error(response: Any) -> tuple[int, str, str | None, str]:
    body = response.json()
    return response.status_code, body["error_code"], body["field"], body["detail"]


def test_each_action_runs_as_its_route_answers(client: TestClient) -> None:
    made = client.post("/actions", json={"action": "note.create", "input": {"title": "a"}})
    assert made.status_code == 201 and made.json()["title"] == "a", made.text
    key = made.json()["id"]
    got = client.post("/actions", json={"action": "note.get", "id": key})
    assert got.status_code == 200 and got.json()["id"] == key and "ETag" not in got.headers
    region = client.post("/actions", json={"action": "region.create", "input": {"name": "N"}})
    assert region.status_code == 201 and region.headers["ETag"] == '"1"'  # versioned rows
    listed = client.post("/actions", json={"action": "note.list", "input": {"title": "a"}})
    assert [n["id"] for n in listed.json()["items"]] == [key]
    # A null parameter is one not given, and no input at all is the first page.
    everything = client.post("/actions", json={"action": "note.list", "input": {"title": None}})
    assert everything.json() == client.post("/actions", json={"action": "note.list"}).json()
    gone = client.post("/actions", json={"action": "note.delete", "id": key})
    assert gone.status_code == 204 and gone.content == b""
    assert error(client.post("/actions", json={"action": "note.get", "id": key}))[:2] == (
        404,
        "not_found",
    )


@pytest.mark.parametrize(
    ("body", "field", "detail"),
    [
        ({"action": "note.nope"}, "action", "action: Input tag 'note.nope'"),
        ({}, "action", "action: Unable to extract tag"),
        ([1], None, "Input should be an object"),
        ({"action": "note.get"}, "id", "id: Field required"),
        ({"action": "note.get", "id": "x"}, "id", "id: Input should be a valid UUID"),
        ({"action": "note.get", "id": str(uuid.UUID(int=1)), "input": {}}, "input", "input: "),
        ({"action": "note.create", "input": {"title": 1}}, "title", "input.title: "),
        ({"action": "note.create", "input": {}}, "title", "input.title: Field required"),
        ({"action": "note.create"}, "input", "input: Field required"),
        ({"action": "note.list", "input": {"limit": "5"}}, "limit", "input.limit: "),
    ],
)
def test_a_refusal_names_the_field_as_the_route_would(
    client: TestClient, body: Any, field: str | None, detail: str
) -> None:
    status, code, named, said = error(client.post("/actions", json=body))
    assert (status, code, named) == (422, "validation_error", field), said
    assert said.startswith(detail), said


def test_a_body_of_no_action_is_refused_by_name(session: Any) -> None:
    """A project without actions: its body model has a bare `action`, which names none."""

    class NoAction(BaseModel):
        action: str

    with pytest.raises(errors.ApiError) as refused:
        dispatch({}, NoAction(action="x.y"), session, context())
    assert (refused.value.status, refused.value.field) == (422, "action")


@pytest.mark.parametrize(
    ("loc", "field", "detail"),
    [
        (("note.create", "input", "title"), "title", "input.title: bad"),
        (("note.get", "id"), "id", "id: bad"),
        (("note.create", "a.b"), "a.b", "a.b: bad"),
        # A project of one action: its body is that action's model, no union, no tag.
        (("zz",), "zz", "zz: bad"),
        (("a.b",), "a.b", "a.b: bad"),
        (("input", "tags", 0), "tags", "input.tags: bad"),
        ((), None, "bad"),
    ],
)
def test_an_error_location_without_the_union_tag(
    loc: tuple[Any, ...], field: str | None, detail: str
) -> None:
    error = action_error([{"type": "value_error", "loc": loc, "msg": "bad"}])
    assert (error.status, error.field, error.detail) == (422, field, detail)
