"""`runtime.routing`: routes built on first need, routers that decline paths outside their prefix,
and an app that answers and documents itself exactly as with FastAPI's eager routers."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import Annotated

import pytest
from fastapi import APIRouter, FastAPI, Query, Response
from fastapi.testclient import TestClient
from pydantic import BaseModel, ConfigDict, Field

from schemagen.runtime.routing import LazyRoute, ResourceRouter, ScopedRouter, long_lived


class NoteCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: Annotated[str, Field(max_length=20)]


class NoteRead(BaseModel):
    id: int
    title: str


def make_app(router_class: type[APIRouter]) -> FastAPI:
    app = FastAPI()
    for table in ("notes", "notes_archive", "tags"):
        router = router_class(prefix=f"/api/{table}", tags=[table])

        @router.get("", operation_id=f"list_{table}")
        def list_rows(limit: Annotated[int, Query(ge=1, le=100)] = 10) -> list[NoteRead]:
            return [NoteRead(id=i, title="t") for i in range(min(limit, 2))]

        @router.post("", status_code=201, operation_id=f"create_{table}")
        def create_row(body: NoteCreate) -> NoteRead:
            return NoteRead(id=1, title=body.title)

        @router.get("/{id}", operation_id=f"get_{table}")
        def get_row(id: int) -> NoteRead:
            return NoteRead(id=id, title="t")

        @router.delete("/{id}", status_code=204, operation_id=f"delete_{table}")
        def delete_row(id: int) -> Response:
            return Response(status_code=204)

        app.include_router(router)
    return app


def built(route: object) -> bool:
    return "dependant" in vars(route)


def routes_of(app: FastAPI) -> dict[str, list[LazyRoute]]:
    routers = [r.original_router for r in app.router.routes if hasattr(r, "original_router")]
    return {router.prefix: list(router.routes) for router in routers}


def test_routes_are_built_by_the_first_request_that_reaches_their_router() -> None:
    app = make_app(ResourceRouter)
    routes = routes_of(app)
    assert all(isinstance(r, LazyRoute) for rs in routes.values() for r in rs)
    assert not any(built(r) for rs in routes.values() for r in rs)
    with TestClient(app) as client:
        assert client.get("/api/tags/7").json() == {"id": 7, "title": "t"}
    assert all(built(r) for r in routes["/api/tags"])
    # "/api/notes" is not in "/api/tags/7": those routers were never built.
    assert not any(built(r) for r in routes["/api/notes"] + routes["/api/notes_archive"])


def test_lazy_routers_answer_as_eager_ones() -> None:
    requests = [
        ("GET", "/api/notes", None),
        ("GET", "/api/notes?limit=0", None),
        ("GET", "/api/notes_archive?limit=1", None),
        ("POST", "/api/notes", {"title": "hello"}),
        ("POST", "/api/notes", {"title": "x" * 21}),
        ("POST", "/api/tags", {"title": "a", "extra": 1}),
        ("GET", "/api/notes/abc", None),
        ("GET", "/api/tags/3", None),
        ("DELETE", "/api/tags/3", None),
        ("PUT", "/api/tags/3", None),
        ("GET", "/api/nothing", None),
        ("GET", "/api/notes/", None),
    ]
    answers = []
    for router_class in (ScopedRouter, ResourceRouter):
        with TestClient(make_app(router_class)) as client:
            answers.append(
                [
                    (r.status_code, r.content, r.headers.get("allow"))
                    for r in (
                        client.request(method, path, json=body, follow_redirects=False)
                        for method, path, body in requests
                    )
                ]
            )
    assert answers[0] == answers[1]


def test_the_openapi_document_is_the_eager_apps() -> None:
    lazy = make_app(ResourceRouter)
    assert lazy.openapi() == make_app(ScopedRouter).openapi()  # eager, the same document
    with TestClient(make_app(ResourceRouter)) as client:
        assert client.get("/openapi.json").json() == lazy.openapi()


def test_a_route_that_cannot_be_built_says_why_each_time_it_is_needed() -> None:
    router = ResourceRouter(prefix="/api/broken")

    @router.get("", status_code=204)
    def broken() -> NoteRead:  # a 204 has no body, so no answer model: FastAPI refuses the route
        return NoteRead(id=1, title="t")

    route = router.routes[0]
    for _ in range(2):
        with pytest.raises(AssertionError, match="204"):
            route.dependant  # noqa: B018


@pytest.fixture
def unfrozen() -> Iterator[None]:
    yield
    gc.unfreeze()  # back in the collector's sight (a generated app imported by another test too)


class Node:
    def __init__(self) -> None:
        self.me = self  # a cycle: only the cyclic collector could ever free it


def test_the_served_app_is_built_unscanned_and_kept_out_of_later_collections(
    unfrozen: None,
) -> None:
    collecting: list[bool] = []

    def build() -> Node:
        collecting.append(gc.isenabled())
        return Node()

    node = long_lived(build)
    assert collecting == [False]  # no collection while it is built
    assert gc.isenabled()
    assert gc.is_tracked(node)
    assert all(o is not node for o in gc.get_objects())  # frozen: no generation holds it


def test_a_paused_collector_comes_back_when_the_build_fails(unfrozen: None) -> None:
    def build() -> None:
        raise RuntimeError("no app")

    with pytest.raises(RuntimeError, match="no app"):
        long_lived(build)
    assert gc.isenabled()


def test_a_disabled_collector_stays_disabled(unfrozen: None) -> None:
    gc.disable()
    try:
        long_lived(Node)
        assert not gc.isenabled()
    finally:
        gc.enable()
