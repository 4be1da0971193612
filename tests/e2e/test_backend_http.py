"""The generated app served by uvicorn on a loopback port, spoken to over real HTTP."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import cli_env, free_port

STARTUP_TIMEOUT = 30  # seconds
LOG = "uvicorn.log"  # the server's output, in the test's tmp_path


@pytest.fixture
def server(build_project, tmp_path: Path):
    """uvicorn serving a copy of the built showcase on SQLite; yields its base URL."""
    import httpx

    output = shutil.copytree(build_project("showcase").output, tmp_path / "generated")
    env = cli_env(DATABASE_URL=f"sqlite:///{tmp_path / 'demo.db'}", PYTHONDONTWRITEBYTECODE="1")
    log = tmp_path / LOG
    subprocess.run(
        [sys.executable, "-c", "from showcase import db; db.create_tables()"],
        cwd=output / "backend",
        env=env,
        check=True,
        timeout=60,
    )
    port = free_port()
    sink = log.open("wb")  # the child keeps its own handle; the test's is closed at once
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "showcase.app:app",
            "--app-dir",
            str(output / "backend"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env=env,
        # A file, not a pipe: the app's request log (a line per request) would fill a pipe no
        # one reads while the server runs, and block it.
        stdout=sink,
        stderr=subprocess.STDOUT,
    )
    sink.close()
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                output_text = log.read_text(errors="replace")
                pytest.fail(f"uvicorn did not come up on {base}:\n{output_text}")
            time.sleep(0.1)
        yield base, output
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def test_uvicorn_serves_the_api_over_http(server, tmp_path: Path) -> None:
    import httpx

    base, output = server
    with httpx.Client(base_url=base, timeout=10, headers={"X-Tenant-ID": "acme"}) as client:
        assert client.get("/readyz").json() == {"status": "ready"}
        assert client.get("/openapi.json").json() == json.loads(
            (output / "openapi.json").read_text(encoding="utf-8")
        )

        region = client.post("/api/regions", json={"name": "North \U0001f680 it's", "code": "NO"})
        assert region.status_code == 201, region.text
        region_id = region.json()["id"]
        ids = []
        for i in range(5):
            office = client.post(
                "/api/offices",
                json={
                    "name": f"Office {i}",
                    "region_id": region_id,
                    "budget": 1000.5 + i,
                    "tags": ["a", "b"],
                },
            )
            assert office.status_code == 201, office.text
            ids.append(office.json()["id"])

        seen, cursor = [], None
        while True:
            page = client.get(
                "/api/offices",
                params={"limit": 2, "sort": "-name", **({"cursor": cursor} if cursor else {})},
            ).json()
            seen += [row["id"] for row in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert seen == ids[::-1]

        in_region = client.get(
            "/api/offices", params={"region_id": region_id, "limit": 500}
        ).json()["items"]
        assert sorted(row["budget"] for row in in_region) == [
            1000.5,
            1001.5,
            1002.5,
            1003.5,
            1004.5,
        ]
        conflict = client.post("/api/regions", json={"name": "North \U0001f680 it's"})
        assert conflict.status_code == 409 and conflict.json() == {
            "detail": conflict.json()["detail"],
            "error_code": "conflict",
            "field": "name",
        }
        missing = client.get("/api/offices/00000000-0000-0000-0000-000000000000")
        assert missing.status_code == 404 and missing.json()["error_code"] == "not_found"
        invalid = client.post("/api/offices", json={"name": "x" * 201})
        assert invalid.status_code == 422 and invalid.json()["field"] == "name"

        by_action = client.post("/api/actions", json={"action": "office.get", "id": ids[0]})
        assert by_action.status_code == 200 and by_action.json()["id"] == ids[0]
        assert client.delete(f"/api/regions/{region_id}").status_code == 204
        gone = client.get(f"/api/offices/{ids[0]}", headers={"X-Request-ID": "e2e-gone"})
        assert gone.status_code == 404  # on_delete: cascade
        assert gone.headers["X-Request-ID"] == "e2e-gone"
        assert client.get("/metrics").status_code == 200

    # The request log: a JSON line per request, by route template (runtime.edges).
    lines = [
        json.loads(line)
        for line in (tmp_path / LOG).read_text(encoding="utf-8").splitlines()
        if line.startswith("{")
    ]
    gone_line = next(line for line in lines if line["request_id"] == "e2e-gone")
    assert gone_line["path"] == "/api/offices/{id}" and gone_line["status"] == 404
    assert gone_line["tenant"] == "acme"
    assert not any(ids[0] in line["path"] for line in lines)


WRITERS = 16
ROUNDS = 12  # per writer: a create, an update of that row (read, then write) and a list


def test_sixteen_concurrent_writers_over_http_never_500(server) -> None:
    """SQLite under 16 writers over real HTTP: writers wait for the lock (WAL, busy timeout,
    BEGIN IMMEDIATE) instead of failing with "database is locked"; no answer is a 5xx."""
    from collections import Counter
    from concurrent.futures import ThreadPoolExecutor

    import httpx

    base, _ = server

    def writer(n: int) -> list[int]:
        statuses = []
        with httpx.Client(base_url=base, timeout=60, headers={"X-Tenant-ID": "acme"}) as client:
            for i in range(ROUNDS):
                created = client.post(
                    "/api/regions", json={"name": f"Region {n}-{i}", "code": "RG"}
                )
                statuses.append(created.status_code)
                if created.status_code == 201:
                    path = f"/api/regions/{created.json()['id']}"
                    statuses.append(client.patch(path, json={"code": "UP"}).status_code)
                statuses.append(client.get("/api/regions", params={"limit": 5}).status_code)
        return statuses

    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        statuses = Counter(s for result in pool.map(writer, range(WRITERS)) for s in result)
    print(f"{WRITERS} concurrent writers, {sum(statuses.values())} requests: {dict(statuses)}")
    assert statuses == {201: WRITERS * ROUNDS, 200: 2 * WRITERS * ROUNDS}, dict(statuses)
