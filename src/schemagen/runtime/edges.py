"""The app's edges: what every request passes through on its way in and out, set from the environment.

From the outside in:

- `RequestEdges`: the request id (`X-Request-ID`: the client's when well-formed, else a new one,
  on every answer, errors included), one JSON log line per request (method, route template,
  status, duration, tenant, user, request id) and the Prometheus metrics served at `/metrics`
  (requests and their latency by method, route template and status).
- `Cors`: Starlette's CORS for `CORS_ORIGINS`, its refused preflights in the error contract.
- `HttpGuard`: OPTIONS answered with `Allow`, and bodies past `MAX_BODY_BYTES` refused 413.
- Starlette's `GZipMiddleware`, for answers of at least `GZIP_MIN_BYTES` (never an event stream).
- `Unexpected`: an exception no handler took answered 500 `internal_error` here, inside the
  others, so that answer too carries the request id and the CORS headers.
- The team's own middleware, named by `MIDDLEWARE` (`module:attribute`, comma-separated, the first
  outermost): added without editing a generated file.

Labels and log fields name a route by its template (`/api/offices/{id}`), never by the raw path:
their number stays that of the routes, whatever clients send.
"""

from __future__ import annotations

import dataclasses
import datetime
import importlib
import json
import logging
import os
import re
import sys
import time
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from fastapi import FastAPI
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    gc_collector,
    generate_latest,
    platform_collector,
    process_collector,
)
from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match, Mount, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from . import errors
from .contract import (
    DEFAULT_RATE_LIMIT_STORAGE,
    RATE_LIMIT_STORAGE_SETTING,
    RATE_LIMITS_SETTING,
    parse_rules,
)
from .values import positive_setting

REQUEST_ID = "X-Request-ID"
# What a client's request id may be: short, and nothing that could end a header or a log line.
REQUEST_ID_PATTERN = re.compile(r"[A-Za-z0-9._:+/=~-]{1,128}")
DEFAULT_MAX_BODY_BYTES = 1024 * 1024
DEFAULT_GZIP_MIN_BYTES = 1024
METRICS_PATH = "/metrics"
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
# Any other method a client sends is counted as this: a label never holds what a client invents.
OTHER_METHOD = "other"
# The route label and log path of a request no route answered (404s, OPTIONS, refused preflights).
UNMATCHED = "(unmatched)"
# `<package>.access` in a generated project: one JSON line per request.
ACCESS_LOGGER = f"{__name__.split('.')[0]}.access"
ON, OFF = "on", "off"

access_log = logging.getLogger(ACCESS_LOGGER)


# ---------------------------------------------------------------------------------------------
# Settings


@dataclasses.dataclass(frozen=True)
class EdgeSettings:
    """What the edges do, as the environment set it (`from_environment`)."""

    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    cors_origins: tuple[str, ...] = ()
    gzip_min_bytes: int | None = DEFAULT_GZIP_MIN_BYTES  # None: never compress
    metrics: bool = True
    access_log: bool = True
    middleware: tuple[str, ...] = ()  # `module:attribute` of each of the team's own
    rate_limits: tuple[tuple[str, str], ...] = ()  # (action, limit): runtime.ratelimits
    rate_limit_storage: str = DEFAULT_RATE_LIMIT_STORAGE

    @classmethod
    def from_environment(cls, defaults: EdgeSettings | None = None) -> EdgeSettings:
        """`MAX_BODY_BYTES`, `CORS_ORIGINS`, `GZIP_MIN_BYTES`, `METRICS`, `ACCESS_LOG`,
        `MIDDLEWARE`, `RATE_LIMITS` and `RATE_LIMIT_STORAGE`, each over its field of `defaults`
        (the project's `[app]` in schemagen.toml); a value that is not one of a setting's is a
        ValueError naming it."""
        base = defaults or cls()
        return cls(
            max_body_bytes=positive_setting("MAX_BODY_BYTES", base.max_body_bytes, "bytes"),
            cors_origins=_listed("CORS_ORIGINS") or base.cors_origins,
            gzip_min_bytes=_gzip_min_bytes(base.gzip_min_bytes),
            metrics=_switch("METRICS", base.metrics),
            access_log=_switch("ACCESS_LOG", base.access_log),
            middleware=_listed("MIDDLEWARE") or base.middleware,
            rate_limits=tuple(parse_rules(_text(RATE_LIMITS_SETTING)).items()) or base.rate_limits,
            rate_limit_storage=_text(RATE_LIMIT_STORAGE_SETTING) or base.rate_limit_storage,
        )


def _text(name: str) -> str:
    return os.environ.get(name, "").strip()


def _listed(name: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in _text(name).split(",") if part.strip())


def _gzip_min_bytes(default: int | None) -> int | None:
    text = _text("GZIP_MIN_BYTES")
    if not text:
        return default
    if text.lower() == OFF:
        return None
    return positive_setting("GZIP_MIN_BYTES", DEFAULT_GZIP_MIN_BYTES, "bytes (or off)")


def _switch(name: str, default: bool) -> bool:
    text = _text(name).lower()
    if not text:
        return default
    if text not in (ON, OFF):
        raise ValueError(f"{name} must be {ON} or {OFF}, not {text!r}")
    return text == ON


def team_middleware(name: str) -> Callable[..., ASGIApp]:
    """The middleware `MIDDLEWARE` names as `module:attribute`: an ASGI middleware class (or
    any callable that takes the app and returns an ASGI app)."""
    module_name, _, attribute = name.partition(":")
    if not module_name or not attribute:
        raise ValueError(f"MIDDLEWARE: {name!r} is not module:attribute")
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise ValueError(f"MIDDLEWARE: cannot import {module_name!r} ({error})") from None
    found = getattr(module, attribute, None)
    if not callable(found):
        raise ValueError(f"MIDDLEWARE: {module_name!r} has no middleware {attribute!r}")  # noqa: TRY004 (a bad setting, as the others)
    middleware: Callable[..., ASGIApp] = found
    return middleware


# ---------------------------------------------------------------------------------------------
# The request's own facts, for its log line


@dataclasses.dataclass
class RequestFacts:
    """What the log line says of a request, filled in as the request goes: the context
    dependency notes the caller (`note_caller`), the edges the rest."""

    request_id: str
    tenant: str | None = None
    user: str | None = None


_current: ContextVar[RequestFacts | None] = ContextVar("request_facts", default=None)


def note_caller(tenant: str | None, user: str | None) -> None:
    """The request's tenant and caller, for its log line (the context dependency calls it).

    The facts are an object the middleware holds, so a dependency run in a worker thread (in a
    copy of the context) fills in the same one."""
    facts = _current.get()
    if facts is not None:
        facts.tenant, facts.user = tenant, user


def current_request_id() -> str | None:
    """The id of the request being answered (for a handler's own log lines), None outside one."""
    facts = _current.get()
    return facts.request_id if facts is not None else None


def request_id_of(headers: Headers) -> str:
    """The client's `X-Request-ID` when it sent exactly one, well-formed; else a new one."""
    given = headers.getlist(REQUEST_ID)
    if len(given) == 1 and REQUEST_ID_PATTERN.fullmatch(given[0]):
        return given[0]
    return uuid.uuid4().hex


def route_template(scope: Scope, endpoints: dict[object, str]) -> str:
    """The route that answered, as its template; `UNMATCHED` when none did.

    An API route leaves itself in the scope; another route (the docs, `/metrics`, the web app)
    only its endpoint, which `endpoints` (`templates_by_endpoint`) names."""
    path = getattr(scope.get("route"), "path", None)
    if isinstance(path, str):
        return path
    return endpoints.get(scope.get("endpoint"), UNMATCHED)


def templates_by_endpoint(routes: list[BaseRoute]) -> dict[object, str]:
    """The template of each of `routes` by the endpoint a match leaves in the scope."""
    found: dict[object, str] = {}
    for route in routes:
        if isinstance(route, Mount):  # the web app at `/`: one template for all its files and pages
            found[route.app] = f"{route.path}/{{path}}"
        elif isinstance(route, Route):
            found[route.endpoint] = route.path
    return found


# ---------------------------------------------------------------------------------------------
# Metrics


class Metrics:
    """The app's Prometheus metrics, in a registry of its own (apps made in one process, as tests
    make them, never share or collide), with the process's own collectors beside them."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        labels = ("method", "route", "status")
        self.requests = Counter(
            "http_requests",
            "HTTP requests answered, by method, route template and status.",
            labels,
            registry=self.registry,
        )
        self.latency = Histogram(
            "http_request_duration_seconds",
            "Time from a request's arrival to the end of its answer, by method, route template and status.",
            labels,
            registry=self.registry,
        )
        process_collector.ProcessCollector(registry=self.registry)
        platform_collector.PlatformCollector(registry=self.registry)
        gc_collector.GCCollector(registry=self.registry)

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        labels = (method if method in METHODS else OTHER_METHOD, route, str(status))
        self.requests.labels(*labels).inc()
        self.latency.labels(*labels).observe(seconds)

    def exposition(self) -> Response:
        return Response(generate_latest(self.registry), media_type=CONTENT_TYPE_LATEST)


# ---------------------------------------------------------------------------------------------
# The middleware


class RequestEdges:
    """The request id on every answer, the request's log line and its metrics.

    Outermost, so it sees every answer: the CORS refusals, the 413s and OPTIONS answered before
    any route, and the 500 of an unexpected error (answered by `Unexpected`, inside)."""

    def __init__(self, app: ASGIApp, metrics: Metrics | None, log: bool) -> None:
        self.app = app
        self.metrics = metrics
        self.log = log
        self._endpoints: dict[object, str] | None = None

    def endpoints(self, scope: Scope) -> dict[object, str]:
        """Read at the first answer: the app's routes are complete by then."""
        if self._endpoints is None:
            self._endpoints = templates_by_endpoint(scope["app"].router.routes)
        return self._endpoints

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        facts = RequestFacts(request_id_of(Headers(scope=scope)))
        status = 500  # what an exception before any answer amounts to
        failure: str | None = None

        async def identified(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)[REQUEST_ID] = facts.request_id
            await send(message)

        token = _current.set(facts)
        try:
            await self.app(scope, receive, identified)
        except BaseException as error:
            failure = type(error).__name__
            raise
        finally:
            _current.reset(token)
            seconds = time.perf_counter() - started
            route = route_template(scope, self.endpoints(scope))
            if self.metrics is not None:
                self.metrics.observe(scope["method"], route, status, seconds)
            if self.log:
                self.write_log(scope, facts, route, status, seconds, failure)

    def write_log(
        self,
        scope: Scope,
        facts: RequestFacts,
        route: str,
        status: int,
        seconds: float,
        failure: str | None,
    ) -> None:
        if not access_log.isEnabledFor(logging.INFO):
            return
        line: dict[str, Any] = {
            "time": datetime.datetime.now(datetime.UTC).isoformat(timespec="milliseconds"),
            "request_id": facts.request_id,
            "method": scope["method"],
            "path": route,
            "status": status,
            "duration_ms": round(seconds * 1000, 3),
            "tenant": facts.tenant,
            "user": facts.user,
        }
        if failure is not None:
            line["error"] = failure
        # The line is the message, so any handler writes it as JSON; the fields ride along too.
        access_log.info(json.dumps(line, ensure_ascii=False), extra={"request": line})


class Unexpected:
    """An exception no handler took: 500 `internal_error` answered here, then raised on, so the
    server still logs it with its traceback (Starlette's outermost handler sees the answer sent
    and sends no other). Inside the CORS and request-id middleware, the answer gets their headers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, watched)
        except Exception:
            if not started:
                await errors.internal_error()(scope, receive, send)
            raise


class HttpGuard:
    """What the HTTP layer answers itself, in the error contract's shape.

    OPTIONS: 204 with `Allow` naming the path's methods (404 when no route has the path). CORS
    preflights never get here when origins are configured: the CORS middleware answers them.
    Bodies: past `limit` bytes a request is 413, refused before it is read when Content-Length
    says so, and while it streams otherwise (chunked): reading stops at the first chunk that
    passes the limit, so a body never fills memory however long it is.
    """

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["method"] == "OPTIONS":
            await self.options(scope)(scope, receive, send)
            return
        length = Headers(scope=scope).get("content-length", "")
        if length.isdigit() and int(length) > self.limit:
            too_large = errors.error_response(413, "payload_too_large", self.too_large)
            await too_large(scope, receive, send)
            return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:  # FastAPI lets an HTTPException out of body parsing
                    raise HTTPException(413, self.too_large)
            return message

        await self.app(scope, limited, send)

    @property
    def too_large(self) -> str:
        return f"the request body is larger than {self.limit} bytes (MAX_BODY_BYTES)"

    def options(self, scope: Scope) -> Response:
        # Asked of the router as it routes (a full match per method), included routers too.
        # The document's methods for the path, where a fixed path wins over an id in the same
        # place (/bulk is never the row "bulk"); else what the router matches (/docs).
        app = scope["app"]
        routes = app.router.routes
        methods = set(errors.allowed_methods(app, scope["path"])) or {
            method
            for method in METHODS
            if any(route.matches({**scope, "method": method})[0] == Match.FULL for route in routes)
        }
        if not methods:
            return errors.error_response(404, "not_found", "Not Found")
        allowed = ", ".join(sorted(methods | {"OPTIONS"}))
        return Response(status_code=204, headers={"Allow": allowed})


class Cors(CORSMiddleware):
    """Starlette's CORS, its refused preflights in the error contract's shape."""

    def preflight_response(self, request_headers: Headers) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code == 200:
            return response
        headers = {
            key: value
            for key, value in response.headers.items()
            if key not in ("content-length", "content-type")
        }
        detail = bytes(response.body).decode()
        return errors.error_response(response.status_code, "cors_refused", detail, headers=headers)


def install(app: FastAPI, settings: EdgeSettings, exposed: tuple[str, ...] = ()) -> None:
    """Add the edges to `app` as `settings` say, and `/metrics` when they are on; `exposed` are
    the answer headers a browser's script may read besides the request id (CORS).

    Call it before the routes that the web app must leave alone are complete: `/metrics` is one.
    """
    metrics = Metrics() if settings.metrics else None
    if settings.access_log and not access_log.handlers:
        # One JSON line per request on stderr, unless the project's logging set up its own.
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        access_log.addHandler(handler)
        access_log.setLevel(logging.INFO)
        access_log.propagate = False
    # add_middleware puts each one outside those added before it: innermost first.
    for name in reversed(settings.middleware):
        app.add_middleware(team_middleware(name))
    app.add_middleware(Unexpected)
    if settings.gzip_min_bytes is not None:
        app.add_middleware(GZipMiddleware, minimum_size=settings.gzip_min_bytes)
    app.add_middleware(HttpGuard, limit=settings.max_body_bytes)
    if settings.cors_origins:
        app.add_middleware(
            Cors,
            allow_origins=list(settings.cors_origins),
            allow_methods=["*"],
            allow_headers=["*"],
            expose_headers=[REQUEST_ID, *exposed],
        )
    app.add_middleware(RequestEdges, metrics=metrics, log=settings.access_log)
    app.state.edges = settings
    app.state.metrics = metrics
    if metrics is not None:

        def prometheus_metrics(request: Request) -> Response:
            return metrics.exposition()

        # Not in the OpenAPI document: an operator's, in Prometheus' text format, not the API's.
        app.add_api_route(
            METRICS_PATH, prometheus_metrics, methods=["GET"], include_in_schema=False
        )
