"""Routers that cost nothing until a request needs them: how an app of hundreds of resources starts fast.

FastAPI builds a route when it is declared: it reads the endpoint's signature, builds its
dependencies and a Pydantic validator for each parameter, body and answer. Included in the
app, every route is built a second time, for the app, the first time the app matches a request
against its router. For 300 resources that is thousands of validators before the first answer.

`ResourceRouter` puts both off until they are used, and nothing else changes: its routes are
ordinary `APIRoute`s, built in full (by FastAPI's own constructor) the first time anything of
theirs is read, and the router declines at once a request whose path cannot be one of its own
(its literal prefix is not in the path), so FastAPI never builds the routes of the resources a
request does not reach. The OpenAPI document reads every route, so the first `/openapi.json`
builds them all, and it is exactly the document eager routes give.

`ModuleRouter` puts off the import too: the app includes it in place of a module's router, from
a table of that module's routes (method and path, what an include and a match need), and the
module, with everything it imports, is imported the first time one of its routes is built. Each
route is then built from the module's own declaration, so the app serves and documents exactly
what the module declares; a table that does not say what the module declares is an error at
that first use.

`long_lived` builds the served app with the cyclic garbage collector paused and then freezes what
it built, so the collector never scans the app's classes, tables and routes again.
"""

from __future__ import annotations

import functools
import gc
import importlib
import threading
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from fastapi import APIRouter, params
from fastapi.dependencies import utils as fastapi_dependencies
from fastapi.routing import APIRoute
from starlette.routing import Match, get_name
from starlette.types import Scope

_build_lock = threading.RLock()


def _keep_every_query_model() -> None:
    """FastAPI reads a query model's fields (`Annotated[Model, Query()]`, a list's parameters)
    through an LRU cache of 128 models, and its document compares the fields of two passes over
    the routes by identity: past 128 query models the second pass gets new fields the first
    never saw, and `/openapi.json` fails (KeyError). Every model is kept, as a model class is."""
    name = "get_cached_model_fields"  # not in FastAPI's public API: checked before it is changed
    cached = getattr(fastapi_dependencies, name, None)
    parameters = getattr(cached, "cache_parameters", None)
    if cached is None or parameters is None or parameters()["maxsize"] is None:
        return
    setattr(fastapi_dependencies, name, functools.cache(cached.__wrapped__))


_keep_every_query_model()

T = TypeVar("T")


def long_lived(build: Callable[[], T]) -> T:
    """`build()` with the cyclic garbage collector paused; what exists after it is frozen.

    Importing and building a large app allocates millions of objects that live as long as the
    process (modules, classes, validators, mapped tables, routes), none of them garbage. With the
    collector on, the growing heap is scanned again and again while it is built: 40% of a
    300-resource app's start-up CPU. Frozen (`gc.freeze`), it is left out of every later
    collection too, so the first requests do not pay for one full scan of it either. For the
    served app only: each call freezes whatever is alive, so it is not for apps made and dropped
    in a loop (tests call `create_app()` itself).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        return build()
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


class LazyRoute(APIRoute):
    """An `APIRoute` built by FastAPI's constructor the first time one of its attributes is read.

    Only the path and the name are set at once: `include_router` reads them to check them.
    """

    # `**options` are APIRoute's own keyword arguments, forwarded untouched (so typed as its).
    def __init__(self, path: str, endpoint: Callable[..., Any], **options: Any) -> None:  # noqa: ANN401
        self.__dict__["_unbuilt"] = True
        self.__dict__["_declared"] = (path, endpoint, options)  # kept: a ModuleRoute copies it
        self.path = path
        self.name = options.get("name") or get_name(endpoint)

    def declaration(self) -> tuple[str, Callable[..., Any], dict[str, Any]]:
        """The path, endpoint and keyword arguments this route is built from."""
        declared: tuple[str, Callable[..., Any], dict[str, Any]] = self.__dict__["_declared"]
        return declared

    def _build(self) -> None:
        path, endpoint, options = self.declaration()
        APIRoute.__init__(self, path, endpoint, **options)

    def __getattr__(self, attribute: str) -> object:
        # Only called for an attribute not set yet: everything FastAPI's constructor sets.
        if attribute.startswith("__") or not self.__dict__.get("_unbuilt"):
            raise AttributeError(attribute)
        with _build_lock:
            if self.__dict__.get("_unbuilt"):
                before = dict(self.__dict__)
                del self.__dict__["_unbuilt"]  # reads during the build raise, not recurse
                try:
                    # What the build imports and makes lives as long as the app (long_lived).
                    long_lived(self._build)
                except BaseException:
                    self.__dict__.clear()  # unbuilt again: the next read raises the error again
                    self.__dict__.update(before)
                    raise
        return object.__getattribute__(self, attribute)


class ModuleRoute(LazyRoute):
    """The route `method path` of `module`'s `router`, the module imported when it is first built.

    Until then its name is provisional (`GET /api/things`): only an include's check reads it.
    """

    def __init__(self, module: str, method: str, path: str) -> None:
        self.__dict__["_unbuilt"] = True
        self.__dict__["_source"] = (module, method)
        self.path = path
        self.name = f"{method} {path}"

    def declaration(self) -> tuple[str, Callable[..., Any], dict[str, Any]]:
        module, method = self.__dict__["_source"]
        for method_, declaration in _declarations(module):
            if method_ == method and declaration[0] == self.path:
                return declaration
        raise LookupError(f"{module} declares no route {method} {self.path}")


def _declarations(module: str) -> list[tuple[str, tuple[str, Callable[..., Any], dict[str, Any]]]]:
    """Each method of each route `module`'s `router` declares, with the route's declaration."""
    router = importlib.import_module(module).router
    return [
        (method, route.declaration())
        for route in router.routes
        if isinstance(route, LazyRoute)
        for method in route.declaration()[2].get("methods") or ()
    ]


def module_routes(module: str) -> list[tuple[str, str]]:
    """The (method, path) of each route `module`'s router declares, in order: the table a
    `ModuleRouter` for it is to be given."""
    return [(method, declaration[0]) for method, declaration in _declarations(module)]


# The scoping headers are security schemes the document names (runtime.context), and the HTTP
# layer requires none of them: beside them, an empty requirement says a request may come without
# any. A resource's traits decide what it needs and answer for it (400 tenant_required, 401
# authentication_required), which an authentication scheme's 401 could not say.
SCOPE_OPTIONAL: dict[str, Any] = {"security": [{}]}


WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class ScopedRouter(APIRouter):
    """An `APIRouter` whose routes say, in the document, that the scoping headers are optional;
    `writes` are dependencies of its write routes only (the project's Idempotency-Key guard)."""

    def __init__(self, *, writes: Sequence[params.Depends] = (), **options: Any) -> None:  # noqa: ANN401 (APIRouter's own, forwarded)
        super().__init__(**options)
        self.writes = list(writes)

    def add_api_route(
        self,
        path: str,
        endpoint: Callable[..., Any],
        *,
        openapi_extra: dict[str, Any] | None = None,
        **options: Any,  # noqa: ANN401 (add_api_route's own keyword arguments, forwarded)
    ) -> None:
        # FastAPI appends a list from openapi_extra to the one it derives: [{TenantId}, ..., {}].
        extra = {**SCOPE_OPTIONAL, **(openapi_extra or {})}
        if self.writes and WRITE_METHODS & set(options.get("methods") or ()):
            options["dependencies"] = [*self.writes, *(options.get("dependencies") or ())]
        super().add_api_route(path, endpoint, openapi_extra=extra, **options)


class ResourceRouter(ScopedRouter):
    """A `ScopedRouter` of `LazyRoute`s that declines, unbuilt, a request outside its prefix."""

    def __init__(self, **options: Any) -> None:  # noqa: ANN401 (APIRouter's own, forwarded)
        super().__init__(route_class=LazyRoute, **options)

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        # Every route path here holds the prefix, whatever prefix the router is included under.
        prefix = self.prefix
        if prefix and "{" not in prefix and prefix not in scope.get("path", ""):
            return Match.NONE, {}
        return super().matches(scope)


class ModuleRouter(ResourceRouter):
    """`module`'s router, not imported until a request reaches `prefix` or the document is read.

    `routes` is that router's (method, path) table, in its order: the include checks the paths,
    the document lists the paths in this order, and each route is built from the module's own
    declaration (`ModuleRoute`).
    """

    def __init__(self, module: str, prefix: str, routes: Iterable[tuple[str, str]]) -> None:
        super().__init__(prefix=prefix)
        self.module = module
        self.routes.extend(ModuleRoute(module, method, path) for method, path in routes)
