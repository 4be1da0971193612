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

`long_lived` builds the served app with the cyclic garbage collector paused and then freezes what
it built, so the collector never scans the app's classes, tables and routes again.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from fastapi import APIRouter, params
from fastapi.routing import APIRoute
from starlette.routing import Match, get_name
from starlette.types import Scope

_build_lock = threading.RLock()

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
        self.__dict__["_deferred"] = (path, endpoint, options)
        self.path = path
        self.name = options.get("name") or get_name(endpoint)

    def __getattr__(self, attribute: str) -> object:
        # Only called for an attribute not set yet: everything FastAPI's constructor sets.
        deferred = self.__dict__.get("_deferred")
        if deferred is None or attribute.startswith("__"):
            raise AttributeError(attribute)
        with _build_lock:
            if self.__dict__.get("_deferred") is not None:
                before = dict(self.__dict__)
                del self.__dict__["_deferred"]  # reads during the build raise, not recurse
                path, endpoint, options = deferred
                try:
                    APIRoute.__init__(self, path, endpoint, **options)
                except BaseException:
                    self.__dict__.clear()  # unbuilt again: the next read raises the error again
                    self.__dict__.update(before)
                    raise
        return object.__getattribute__(self, attribute)


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
