"""The app's edges (`runtime.edges`): request ids, the request log, metrics, gzip, CORS, the
body limit and the team's own middleware, on a small FastAPI app that installs them as a
generated app does."""

from __future__ import annotations

import json
import logging
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import pytest
from fastapi import Depends, FastAPI, Header
from fastapi.responses import StreamingResponse
from fastapi.testclient import TestClient

from schemagen.runtime import edges, errors, web
from schemagen.runtime.context import Principal, RequestContext, request_context
from schemagen.runtime.edges import EdgeSettings


class Caller:
    def __init__(self, id: str) -> None:
        self.id = id


def get_principal(x_user_id: Annotated[str | None, Header()] = None) -> Principal | None:
    return Caller(x_user_id) if x_user_id else None


ContextDep = Annotated[RequestContext, Depends(request_context(get_principal))]
BIG = {"items": [{"id": n, "name": "a fairly long name that repeats"} for n in range(200)]}


def build_app(settings: EdgeSettings | None = None) -> FastAPI:
    app = FastAPI()
    errors.install(app)
    edges.install(app, settings or EdgeSettings(), exposed=("ETag",))

    @app.get("/items/{item_id}")
    def get_item(item_id: int, context: ContextDep) -> dict[str, object]:
        return {"id": item_id, "request_id": edges.current_request_id()}

    @app.post("/items")
    def create_item(body: dict[str, object]) -> dict[str, object]:
        return body

    @app.get("/big")
    def big() -> dict[str, object]:
        return BIG

    @app.get("/broken")
    def broken() -> None:
        raise RuntimeError("a bug with a secret in it")

    @app.get("/events")
    def events() -> StreamingResponse:
        lines = (f"data: {'x' * 2000}\n\n" for _ in range(3))
        return StreamingResponse(lines, media_type="text/event-stream")

    return app


class Lines(logging.Handler):
    """The request log's lines, as JSON."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[dict[str, object]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(json.loads(record.getMessage()))


@pytest.fixture
def log() -> Iterator[Lines]:
    handler = Lines()
    edges.access_log.addHandler(handler)
    level = edges.access_log.level
    edges.access_log.setLevel(logging.INFO)
    yield handler
    edges.access_log.removeHandler(handler)
    edges.access_log.setLevel(level)


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(build_app(), raise_server_exceptions=False) as client:
        yield client


# ---------------------------------------------------------------------------------------------
# Request ids


def test_a_well_formed_request_id_is_kept(client: TestClient) -> None:
    response = client.get("/items/7", headers={"X-Request-ID": "req-42:a/b=c"})
    assert response.status_code == 200
    assert response.headers["X-Request-ID"] == "req-42:a/b=c"
    assert response.json()["request_id"] == "req-42:a/b=c"  # handlers can read it too


@pytest.mark.parametrize(
    "given",
    [
        [("X-Request-ID", "has space")],
        [("X-Request-ID", "x" * 129)],
        [("X-Request-ID", "")],
        [("X-Request-ID", "a"), ("X-Request-ID", "b")],
        [],
    ],
    ids=["space", "too-long", "empty", "twice", "none"],
)
def test_another_request_id_is_replaced_by_a_new_one(
    client: TestClient, given: list[tuple[str, str]]
) -> None:
    first = client.get("/items/7", headers=given)
    second = client.get("/items/7", headers=given)
    made = first.headers["X-Request-ID"]
    assert edges.REQUEST_ID_PATTERN.fullmatch(made) and len(made) == 32
    assert made != second.headers["X-Request-ID"]
    assert all(made != value for _, value in given)


def test_every_answer_carries_the_request_id() -> None:
    settings = EdgeSettings(max_body_bytes=10, cors_origins=("https://app.example.com",))
    with TestClient(build_app(settings), raise_server_exceptions=False) as client:
        sent = {"X-Request-ID": "r1"}
        answers = {
            "404": client.get("/nowhere", headers=sent),
            "405": client.put("/big", headers=sent),
            "422": client.get("/items/seven", headers=sent),
            "413": client.post("/items", content=b"x" * 11, headers=sent),
            "options": client.options("/items/7", headers=sent),
            "preflight": client.options(
                "/items/7",
                headers={
                    **sent,
                    "Origin": "https://app.example.com",
                    "Access-Control-Request-Method": "GET",
                },
            ),
            "refused preflight": client.options(
                "/items/7",
                headers={
                    **sent,
                    "Origin": "https://evil.example.com",
                    "Access-Control-Request-Method": "GET",
                },
            ),
            "500": client.get("/broken", headers={**sent, "Origin": "https://app.example.com"}),
        }
        statuses = {name: response.status_code for name, response in answers.items()}
        assert statuses == {
            "404": 404,
            "405": 405,
            "422": 422,
            "413": 413,
            "options": 204,
            "preflight": 200,
            "refused preflight": 400,
            "500": 500,
        }
        assert {
            name: r.headers.get("X-Request-ID") for name, r in answers.items()
        } == dict.fromkeys(answers, "r1")
        failed = answers["500"]
        assert failed.json() == {
            "detail": "the server failed to answer this request; the error is logged",
            "error_code": "internal_error",
            "field": None,
        }
        # The 500 is answered inside the CORS middleware: a browser's script can read it.
        assert failed.headers["Access-Control-Allow-Origin"] == "https://app.example.com"
        assert "X-Request-ID" in failed.headers["Access-Control-Expose-Headers"]
        assert answers["refused preflight"].json()["error_code"] == "cors_refused"


def test_an_unexpected_error_is_still_raised_to_the_server() -> None:
    """Answered 500, and raised on: the server logs it with its traceback."""
    with TestClient(build_app()) as client, pytest.raises(RuntimeError, match="a bug"):
        client.get("/broken")


# ---------------------------------------------------------------------------------------------
# The request log


def test_one_json_line_per_request_with_the_route_template(client: TestClient, log: Lines) -> None:
    client.get(
        "/items/123456", headers={"X-Tenant-ID": "acme", "X-User-ID": "ann", "X-Request-ID": "r2"}
    )
    client.get("/nowhere/123456")
    client.get("/broken", headers={"X-Request-ID": "r3"})
    client.get("/metrics")
    assert len(log.lines) == 4
    item, missing, broken, metrics = log.lines
    assert {k: v for k, v in item.items() if k not in ("time", "duration_ms")} == {
        "request_id": "r2",
        "method": "GET",
        "path": "/items/{item_id}",
        "status": 200,
        "tenant": "acme",
        "user": "ann",
    }
    assert isinstance(item["duration_ms"], float) and item["duration_ms"] >= 0
    assert str(item["time"]).endswith("+00:00")
    assert missing["path"] == edges.UNMATCHED and missing["status"] == 404
    assert missing["tenant"] is None and missing["user"] is None
    assert broken["status"] == 500 and broken["error"] == "RuntimeError"
    assert broken["request_id"] == "r3" and broken["path"] == "/broken"
    assert metrics["path"] == "/metrics"
    assert "123456" not in json.dumps(log.lines)


def test_the_log_can_be_turned_off(log: Lines) -> None:
    with TestClient(build_app(EdgeSettings(access_log=False))) as client:
        client.get("/items/1")
    assert log.lines == []


# ---------------------------------------------------------------------------------------------
# Metrics


def samples(client: TestClient) -> dict[str, float]:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {
        name: float(value)
        for name, _, value in (line.rpartition(" ") for line in response.text.splitlines())
        if name.startswith("http_request")  # not the # HELP and # TYPE lines
    }


def test_requests_are_counted_by_method_route_template_and_status(client: TestClient) -> None:
    for item in (1, 22, 333):
        client.get(f"/items/{item}")
    client.get("/items/not-a-number")
    client.get("/nowhere/4444")
    client.request("BREW", "/items/1")
    counted = samples(client)
    assert counted['http_requests_total{method="GET",route="/items/{item_id}",status="200"}'] == 3
    assert counted['http_requests_total{method="GET",route="/items/{item_id}",status="422"}'] == 1
    assert (
        counted[f'http_requests_total{{method="GET",route="{edges.UNMATCHED}",status="404"}}'] == 1
    )
    assert counted['http_requests_total{method="other",route="/items/{item_id}",status="405"}'] == 1
    latency = (
        'http_request_duration_seconds_count{method="GET",route="/items/{item_id}",status="200"}'
    )
    assert counted[latency] == 3
    labels = {name.partition("{")[2] for name in counted}
    routes = {part for label in labels for part in label.split(",") if part.startswith("route=")}
    methods = {part for label in labels for part in label.split(",") if part.startswith("method=")}
    assert routes == {'route="/items/{item_id}"', f'route="{edges.UNMATCHED}"'}
    assert methods == {'method="GET"', 'method="other"'}  # never the raw path, never BREW
    text = client.get("/metrics").text
    assert "process_cpu_seconds_total" in text or "python_gc_objects_collected_total" in text


def test_two_apps_keep_their_own_metrics() -> None:
    with TestClient(build_app()) as first, TestClient(build_app()) as second:
        first.get("/items/1")
        key = 'http_requests_total{method="GET",route="/items/{item_id}",status="200"}'
        assert samples(first)[key] == 1
        assert key not in samples(second)


def test_metrics_can_be_turned_off() -> None:
    with TestClient(build_app(EdgeSettings(metrics=False))) as client:
        response = client.get("/metrics")
        assert response.status_code == 404
        assert response.json()["error_code"] == "not_found"


def test_metrics_stay_out_of_the_document(client: TestClient) -> None:
    assert edges.METRICS_PATH not in client.get("/openapi.json").json()["paths"]


# ---------------------------------------------------------------------------------------------
# Gzip


def test_large_answers_are_gzipped_for_clients_that_accept_it(client: TestClient) -> None:
    raw = client.get("/big", headers={"Accept-Encoding": "gzip"})
    assert raw.headers["Content-Encoding"] == "gzip"
    assert raw.json() == BIG  # httpx decodes it
    assert "X-Request-ID" in raw.headers
    small = client.get("/items/1", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in small.headers
    plain = client.get("/big", headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers


def test_event_streams_are_never_gzipped(client: TestClient) -> None:
    response = client.get("/events", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert "Content-Encoding" not in response.headers
    assert response.text.count("data: ") == 3


def test_gzip_follows_its_settings() -> None:
    with TestClient(build_app(EdgeSettings(gzip_min_bytes=None))) as client:
        assert (
            "Content-Encoding"
            not in client.get("/big", headers={"Accept-Encoding": "gzip"}).headers
        )
    with TestClient(build_app(EdgeSettings(gzip_min_bytes=10))) as client:
        answer = client.get("/items/1", headers={"Accept-Encoding": "gzip"})
        assert answer.headers["Content-Encoding"] == "gzip"
        assert answer.json() == {"id": 1, "request_id": answer.headers["X-Request-ID"]}


# ---------------------------------------------------------------------------------------------
# Settings and the team's middleware


def test_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "MAX_BODY_BYTES",
        "CORS_ORIGINS",
        "GZIP_MIN_BYTES",
        "METRICS",
        "ACCESS_LOG",
        "MIDDLEWARE",
    ):
        monkeypatch.delenv(name, raising=False)
    assert EdgeSettings.from_environment() == EdgeSettings()
    monkeypatch.setenv("MAX_BODY_BYTES", "2048")
    monkeypatch.setenv("CORS_ORIGINS", " https://a.example.com ,, https://b.example.com")
    monkeypatch.setenv("GZIP_MIN_BYTES", "off")
    monkeypatch.setenv("METRICS", "OFF")
    monkeypatch.setenv("ACCESS_LOG", "on")
    monkeypatch.setenv("MIDDLEWARE", "a.b:C, d:E")
    assert EdgeSettings.from_environment() == EdgeSettings(
        max_body_bytes=2048,
        cors_origins=("https://a.example.com", "https://b.example.com"),
        gzip_min_bytes=None,
        metrics=False,
        access_log=True,
        middleware=("a.b:C", "d:E"),
    )


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("GZIP_MIN_BYTES", "-1"),
        ("GZIP_MIN_BYTES", "none"),
        ("METRICS", "yes"),
        ("ACCESS_LOG", "1"),
        ("MAX_BODY_BYTES", "0"),
    ],
)
def test_a_bad_setting_stops_the_start_naming_it(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValueError, match=name):
        EdgeSettings.from_environment()


TEAM_MODULE = '''
from starlette.datastructures import MutableHeaders

from schemagen.runtime import edges


class Stamp:
    """Adds X-Seen, saying which of the team's middleware saw the answer in which order."""

    name = "stamp"

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        async def stamped(message):
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                seen = headers.get("X-Seen")
                headers["X-Seen"] = f"{seen},{self.name}" if seen else self.name
                headers["X-Seen-Request"] = edges.current_request_id() or "none"
            await send(message)

        await self.app(scope, receive, stamped)


class Other(Stamp):
    name = "other"


NOT_MIDDLEWARE = 42
'''


def test_the_team_adds_its_middleware_by_name(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "team_edges.py").write_text(textwrap.dedent(TEAM_MODULE), encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    settings = EdgeSettings(middleware=("team_edges:Stamp", "team_edges:Other"))
    with TestClient(build_app(settings), raise_server_exceptions=False) as client:
        answer = client.get("/items/1", headers={"X-Request-ID": "r9"})
        # The first named is outermost: it sees the answer last.
        assert answer.headers["X-Seen"] == "other,stamp"
        assert answer.headers["X-Seen-Request"] == "r9"
        assert answer.headers["X-Request-ID"] == "r9"
        # A team middleware's own failure is the contract's 500 too.
        assert client.get("/broken").json()["error_code"] == "internal_error"
    for name, message in (
        ("team_edges", "not module:attribute"),
        ("no_such_module_here:Thing", "cannot import 'no_such_module_here'"),
        ("team_edges:Missing", "no middleware 'Missing'"),
        ("team_edges:NOT_MIDDLEWARE", "no middleware 'NOT_MIDDLEWARE'"),
    ):
        with pytest.raises(ValueError, match=f"MIDDLEWARE: .*{message}"):
            build_app(EdgeSettings(middleware=(name,)))


def test_the_body_limit_counts_streamed_bodies() -> None:
    with TestClient(build_app(EdgeSettings(max_body_bytes=100))) as client:

        def chunks() -> Iterator[bytes]:
            yield b'{"a": "'
            for _ in range(10):
                yield b"x" * 20
            yield b'"}'

        refused = client.post(
            "/items", content=chunks(), headers={"content-type": "application/json"}
        )
        assert refused.status_code == 413 and refused.json()["error_code"] == "payload_too_large"
        assert client.post("/items", json={"a": "b"}).json() == {"a": "b"}


def test_the_web_app_leaves_metrics_alone(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("<!doctype html><title>app</title>", encoding="utf-8")
    app = build_app()
    web.install(app, tmp_path)
    with TestClient(app) as client:
        assert client.get("/some/page").text.startswith("<!doctype html>")
        metrics = client.get("/metrics")
        assert metrics.headers["content-type"].startswith("text/plain")
        assert 'route="/{path}"' in metrics.text  # the web app's pages: one template


def test_the_environment_overrides_the_projects_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    """`defaults` are schemagen.toml's `[app]`: each unset variable keeps its field."""
    for name in ("MAX_BODY_BYTES", "CORS_ORIGINS", "GZIP_MIN_BYTES", "METRICS", "ACCESS_LOG"):
        monkeypatch.delenv(name, raising=False)
    project = EdgeSettings(
        max_body_bytes=5,
        cors_origins=("https://a.example.com",),
        gzip_min_bytes=None,
        metrics=False,
        access_log=False,
        middleware=("team:Stamp",),
    )
    assert EdgeSettings.from_environment(project) == project
    monkeypatch.setenv("MAX_BODY_BYTES", "7")
    monkeypatch.setenv("GZIP_MIN_BYTES", "99")
    monkeypatch.setenv("METRICS", "on")
    monkeypatch.setenv("MIDDLEWARE", "other:Thing")
    assert EdgeSettings.from_environment(project) == EdgeSettings(
        max_body_bytes=7,
        cors_origins=("https://a.example.com",),
        gzip_min_bytes=99,
        metrics=True,
        access_log=False,
        middleware=("other:Thing",),
    )
