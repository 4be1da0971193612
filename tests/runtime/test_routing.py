"""`runtime.routing`: routes built on first need, routers that decline paths outside their prefix,
router modules imported on first need, and an app that answers and documents itself exactly as with FastAPI's eager routers."""

from __future__ import annotations

import gc
import importlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import pytest
from fastapi import APIRouter, FastAPI, Query, Response
from fastapi.testclient import TestClient
from pydantic import BaseModel, ConfigDict, Field, create_model

from schemagen.runtime.routing import (
    LazyRoute,
    ModuleRouter,
    ResourceRouter,
    ScopedRouter,
    long_lived,
    module_routes,
)


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


# ---------------------------------------------------------------------------------------------
# ModuleRouter: a router module imported when a request reaches it or the document is read

NOTES_MODULE = """
from typing import Annotated

from fastapi import Query
from pydantic import BaseModel

from schemagen.runtime.routing import ResourceRouter


class Item(BaseModel):
    id: int


class Page(BaseModel):
    limit: int = 10


router = ResourceRouter(prefix="/api/{table}", tags=["{table}"])


@router.get("", operation_id="list_{table}")
def list_rows(params: Annotated[Page, Query()]) -> list[Item]:
    return [Item(id=i) for i in range(params.limit)]


@router.get("/{{id}}", operation_id="get_{table}")
def get_row(id: int) -> Item:
    return Item(id=id)
"""
TABLE = [("GET", "/api/{table}"), ("GET", "/api/{table}/{{id}}")]


@pytest.fixture
def modules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Two router modules on the path, never imported yet (a fresh package name per test)."""
    package = f"lazy_{tmp_path.name.replace('-', '_')}"
    (tmp_path / package).mkdir()
    (tmp_path / package / "__init__.py").write_text("")
    names = []
    for table in ("notes", "tags"):
        (tmp_path / package / f"{table}.py").write_text(NOTES_MODULE.format(table=table))
        names.append(f"{package}.{table}")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield names
    for name in [*names, package]:
        sys.modules.pop(name, None)


def table(module: str) -> list[tuple[str, str]]:
    name = module.rsplit(".", 1)[1]
    return [(method, path.format(table=name)) for method, path in TABLE]


def lazy_app(modules: list[str]) -> FastAPI:
    app = FastAPI()
    for module in modules:
        prefix = "/api/" + module.rsplit(".", 1)[1]
        app.include_router(ModuleRouter(module, prefix, table(module)))
    return app


def eager_app(modules: list[str]) -> FastAPI:
    app = FastAPI()
    for module in modules:
        app.include_router(importlib.import_module(module).router)
    return app


def test_a_module_is_imported_by_the_first_request_that_reaches_its_router(
    modules: list[str],
) -> None:
    app = lazy_app(modules)
    assert not any(name in sys.modules for name in modules)
    with TestClient(app) as client:
        assert client.get("/api/tags/7").json() == {"id": 7}
        assert client.get("/api/nothing").status_code == 404
        assert modules[1] in sys.modules
        assert modules[0] not in sys.modules  # "/api/notes" is not in "/api/tags/7"
        assert client.get("/api/notes?limit=2").json() == [{"id": 0}, {"id": 1}]


def test_module_routers_answer_and_document_as_the_modules_own(modules: list[str]) -> None:
    requests = ["/api/notes", "/api/notes?limit=x", "/api/tags/3", "/api/tags/x", "/api/tags/"]
    lazy, eager = TestClient(lazy_app(modules)), TestClient(eager_app(modules))
    for path in requests:
        a, b = lazy.get(path, follow_redirects=False), eager.get(path, follow_redirects=False)
        assert (a.status_code, a.content) == (b.status_code, b.content), path
    assert lazy_app(modules).openapi() == eager_app(modules).openapi()
    assert [module_routes(module) for module in modules] == [table(m) for m in modules]


def test_a_table_that_is_not_the_modules_says_so(modules: list[str]) -> None:
    app = FastAPI()
    app.include_router(ModuleRouter(modules[0], "/api/notes", [("POST", "/api/notes")]))
    with pytest.raises(LookupError, match=r"declares no route POST /api/notes"):
        app.openapi()


def test_the_document_holds_more_query_models_than_fastapis_cache() -> None:
    # FastAPI keeps 128 query models' fields; its document needs each one's twice.
    app = FastAPI()
    for n in range(140):
        page = create_model(f"Page{n}", limit=(int, 10))
        router = ResourceRouter(prefix=f"/api/t{n}")

        def list_rows(params: BaseModel) -> int:
            return 0

        # This file's annotations are strings; the model is local: given as an object.
        list_rows.__annotations__ = {"params": Annotated[page, Query()], "return": int}
        router.get("", operation_id=f"list_{n}")(list_rows)
        app.include_router(router)
    paths = app.openapi()["paths"]
    assert len(paths) == 140
    assert paths["/api/t139"]["get"]["parameters"][0]["name"] == "limit"
