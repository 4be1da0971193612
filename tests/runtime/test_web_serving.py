"""`runtime.web`: the built web app at `/` beside the API, never in its way."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient

from schemagen.runtime import errors, web

INDEX = "<!doctype html><title>app</title><div id=root></div>"
SCRIPT = "console.log('app')"


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    folder = tmp_path / "dist"
    (folder / "assets").mkdir(parents=True)
    (folder / "index.html").write_text(INDEX, encoding="utf-8")
    (folder / "assets" / "index-abc123.js").write_text(SCRIPT, encoding="utf-8")
    (folder / "favicon.svg").write_text("<svg/>", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("not served", encoding="utf-8")
    return folder


def build_app(default: Path) -> tuple[FastAPI, Path | None]:
    app = FastAPI()
    errors.install(app)
    # Included as the generated app includes its routers (FastAPI keeps them out of app.routes).
    router = APIRouter(prefix="/api")

    @router.get("/items")
    def items() -> dict[str, Any]:
        return {"items": []}

    @router.post("/items/{id}/close")
    def close(id: int) -> dict[str, Any]:
        return {"id": id}

    app.include_router(router)

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app, web.install(app, default)


@pytest.fixture
def client(dist: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.delenv(web.ENVIRONMENT, raising=False)
    app, folder = build_app(dist)
    assert folder == dist
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def error_code(response: Any) -> str:
    body = response.json()
    assert set(body) == {"detail", "error_code", "field"}, body
    return str(body["error_code"])


def test_the_app_is_served_at_the_root_and_at_its_own_routes(client: TestClient) -> None:
    for path in ("/", "/offices", "/offices/3/edit", "/index.html"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.text == INDEX, path
        assert response.headers["content-type"].startswith("text/html"), path
        assert response.headers["cache-control"] == web.REVALIDATE, path
    assert client.head("/offices").status_code == 200


def test_files_are_served_and_hashed_assets_cached_for_good(client: TestClient) -> None:
    script = client.get("/assets/index-abc123.js")
    assert script.status_code == 200 and script.text == SCRIPT
    assert script.headers["cache-control"] == web.IMMUTABLE
    icon = client.get("/favicon.svg")
    assert icon.status_code == 200 and "cache-control" not in icon.headers
    again = client.get("/", headers={"If-None-Match": client.get("/").headers["etag"]})
    assert again.status_code == 304


def test_a_missing_file_is_a_404_not_the_page(client: TestClient) -> None:
    for path in ("/assets/index-old.js", "/logo.png"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert error_code(response) == "not_found"


def test_nothing_outside_the_folder_is_served(client: TestClient) -> None:
    for path in ("/../secret.txt", "/%2e%2e/secret.txt", "/assets/..%2f..%2fsecret.txt"):
        response = client.get(path)
        assert "not served" not in response.text, path


def test_the_api_paths_keep_their_answers(client: TestClient) -> None:
    assert client.get("/api/items").json() == {"items": []}
    assert client.get("/healthz").json() == {"status": "ok"}
    for path in ("/api/nothing", "/api", "/healthz/deeper"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert error_code(response) == "not_found", path
    closed = client.get("/api/items/1/close")
    assert closed.status_code == 405 and error_code(closed) == "method_not_allowed"
    assert client.get("/openapi.json").json()["paths"].keys() == {
        "/api/items",
        "/api/items/{id}/close",
        "/healthz",
    }
    assert "swagger" in client.get("/docs").text.lower()


def test_only_reads_reach_the_app(client: TestClient) -> None:
    response = client.post("/offices", json={})
    assert response.status_code in (404, 405)
    assert error_code(response) in ("not_found", "method_not_allowed")


def test_without_a_build_nothing_is_added(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(web.ENVIRONMENT, raising=False)
    app, folder = build_app(tmp_path / "missing")
    assert folder is None
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/")
        assert response.status_code == 404 and error_code(response) == "not_found"


def test_the_environment_names_the_folder(
    dist: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(web.ENVIRONMENT, str(dist))
    app, folder = build_app(tmp_path / "elsewhere")
    assert folder == dist
    with TestClient(app) as client:
        assert client.get("/somewhere").text == INDEX
    monkeypatch.setenv(web.ENVIRONMENT, str(tmp_path / "elsewhere"))
    assert build_app(dist)[1] is None
