"""The generated TypeScript client: type-checked with real packages, and run against the backend.

`tests/ts/` pins what the clients are checked against (TypeScript, @tanstack/query-core and
react-query v5, zod, React's types) in its package-lock.json; `npm ci` installs them into
tests/ts/node_modules once per lock file (a stamp records which), so later runs reuse them.

One tsc run, with the options of the generated `client/tsconfig.json` (strict,
noUncheckedIndexedAccess, exactOptionalPropertyTypes, NodeNext), checks the clients of the showcase and of every golden case
together with tests/ts/driver.ts, tests/ts/traits.ts, the type-level tests of
tests/ts/usage.ts and the examples of each client's README.md, and emits JavaScript. The driver then runs under Node against
the showcase's backend served by uvicorn on a loopback port: CRUD through api.ts, and a
QueryClient from @tanstack/query-core fed by the option factories (no React). traits.js runs the
kitchen sink's client against a fake fetch: what the traits change in requests and in the cache.
eslint (typescript-eslint's recommendedTypeChecked, tests/ts/eslint.config.js) lints every client.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import TS_HARNESS, cli_env, free_port, golden_cases

PROJECTS = ["showcase", *golden_cases()]
STARTUP_TIMEOUT = 30  # seconds
SCRIPTS = ("driver.ts", "usage.ts", "indexeddb.ts", "traits.ts")
README_EXAMPLE = re.compile(r"^```tsx?\n(.*?)^```$", re.MULTILINE | re.DOTALL)


class Compiled:
    def __init__(self, root: Path, result: subprocess.CompletedProcess[str]) -> None:
        self.root = root
        self.result = result


@pytest.fixture(scope="session")
def compiled(
    node_modules: Path, build_project, tmp_path_factory: pytest.TempPathFactory
) -> Compiled:
    """Every project's client and the driver, checked and compiled by one tsc run."""
    built = dict(zip(PROJECTS, build_project.many(PROJECTS), strict=True))
    root = tmp_path_factory.mktemp("clients")
    paths: dict[str, list[str]] = {}
    for name, project in built.items():
        shutil.copytree(project.output / "client", root / name / "client")
        # The README's examples, each a module importing the package by its name.
        readme = (root / name / "client" / "README.md").read_text(encoding="utf-8")
        for i, block in enumerate(README_EXAMPLE.findall(readme)):
            example = root / name / "readme" / f"example_{i}.tsx"
            example.parent.mkdir(parents=True, exist_ok=True)
            example.write_text(block, encoding="utf-8")
        package = json.loads((root / name / "client" / "package.json").read_text("utf-8"))
        paths[package["name"]] = [f"./{name}/client/src/index.ts"]
    for script in (*SCRIPTS, "eslint.config.js"):
        shutil.copy2(TS_HARNESS / script, root / script)
    (root / "node_modules").symlink_to(node_modules, target_is_directory=True)
    (root / "package.json").write_text('{"type": "module"}\n', encoding="utf-8")
    config = {
        # The generated tsconfig's own options, so what passes here passes in the client package.
        "extends": "./showcase/client/tsconfig.json",
        "compilerOptions": {
            "rootDir": ".",
            "outDir": "dist",
            "declaration": False,
            "sourceMap": False,
            "jsx": "react-jsx",
            "paths": paths,
        },
        "include": [
            *SCRIPTS,
            *(f"{name}/client/src" for name in PROJECTS),
            *(f"{name}/readme" for name in PROJECTS),
        ],
    }
    (root / "tsconfig.json").write_text(json.dumps(config, indent=2), encoding="utf-8")
    result = subprocess.run(
        [
            "node",
            str(node_modules / "typescript" / "bin" / "tsc"),
            "-p",
            str(root / "tsconfig.json"),
            "--pretty",
            "false",
        ],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    return Compiled(root, result)


def test_generated_clients_type_check_strictly(compiled: Compiled) -> None:
    result = compiled.result
    assert result.returncode == 0, (
        f"tsc failed on the generated clients:\n{result.stdout}\n{result.stderr}"
    )
    options = json.loads(
        (compiled.root / "showcase" / "client" / "tsconfig.json").read_text(encoding="utf-8")
    )["compilerOptions"]
    assert (
        options["strict"]
        and options["noUncheckedIndexedAccess"]
        and options["exactOptionalPropertyTypes"]
        and options["module"] == "NodeNext"
    )
    # Every README's examples were part of the run: configure, calls, and the React app.
    examples = {
        name: len(list((compiled.root / name / "readme").glob("*.tsx"))) for name in PROJECTS
    }
    assert examples["showcase"] == 3 and all(examples.values()), examples
    for name in PROJECTS:
        emitted = compiled.root / "dist" / name / "client" / "src"
        assert {p.name for p in emitted.glob("*.js")} >= {
            "types.js",
            "api.js",
            "schemas.js",
            "keys.js",
            "queries.js",
            "hooks.js",
            "forms.js",
            "tables.js",
            "idb.js",
            "index.js",
        }


def test_generated_clients_are_clean_under_recommended_type_checked_lint(
    compiled: Compiled,
) -> None:
    """typescript-eslint's recommendedTypeChecked (tests/ts/eslint.config.js), each client with the
    type information of its own tsconfig.json."""
    eslint = compiled.root / "node_modules" / "eslint" / "bin" / "eslint.js"
    result = subprocess.run(
        [
            "node",
            str(eslint),
            "--max-warnings",
            "0",
            *(f"{name}/client/src" for name in PROJECTS),
        ],
        cwd=compiled.root,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, f"eslint found problems:\n{result.stdout}\n{result.stderr}"


def test_the_generated_package_declares_its_peers_and_carries_the_runtime(
    compiled: Compiled,
) -> None:
    package = json.loads(
        (compiled.root / "showcase" / "client" / "package.json").read_text(encoding="utf-8")
    )
    assert "dependencies" not in package
    assert package["peerDependencies"] == {
        "@tanstack/query-core": "^5.108.0",
        "@tanstack/react-query": "^5.108.0",
        "react": ">=18",
        "zod": "^4.1.0",
    }
    assert set(package["devDependencies"]) == {"@types/react", "typescript"}
    # The versions tests/ts pins are in the ranges the package asks for.
    lock = json.loads((TS_HARNESS / "package-lock.json").read_text(encoding="utf-8"))
    pinned = {
        name: lock["packages"][f"node_modules/{name}"]["version"]
        for name in package["peerDependencies"]
    }
    for name, version in pinned.items():
        wanted = package["peerDependencies"][name]
        if wanted.startswith("^"):
            low = tuple(int(x) for x in wanted[1:].split("."))
            have = tuple(int(x) for x in version.split("."))
            assert have[0] == low[0] and have >= low, (name, version, wanted)
        else:
            assert wanted.startswith(">=") and int(version.split(".")[0]) >= int(wanted[2:])
    emitted = compiled.root / "dist" / "showcase" / "client" / "src" / "runtime"
    assert {p.name for p in emitted.glob("*.js")} >= {"http.js", "cache.js", "matching.js"}


def test_the_react_free_modules_load_in_node_and_the_hooks_load_with_react(
    compiled: Compiled,
) -> None:
    """queries.js needs no React; index.js (hooks included) loads with react installed."""
    script = (
        "const q = await import('./dist/kitchen_sink/client/src/queries.js');"
        "const i = await import('./dist/kitchen_sink/client/src/index.js');"
        "const f = i.gadgetForm.fields.find((x) => x.name === 'kind');"
        "console.log(JSON.stringify({factory: typeof q.gadgetListQueryOptions, hook: typeof i.useGadgetList,"
        " label: i.gadgetForm.label, options: f.options.map((o) => o.value), listHook: typeof i.gadgetForm.fields.find((x) => x.name === 'maker_id').relation.listHook,"
        ' key: i.gadgetKeys.list({kind: "it\'s"}), spec: q.gadgetQuerySpec.filters}));'
    )
    result = subprocess.run(
        ["node", "--input-type=module", "-e", script],
        cwd=compiled.root,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert (
        data["factory"] == "function"
        and data["hook"] == "function"
        and data["listHook"] == "function"
    )
    assert data["label"] == 'Gadget "x" */ ${y} </script>'
    assert data["options"] == [
        "economy",
        "it's",
        'say "hi"',
        "back\\slash",
        "100%s",
        "\u2602 launch",
    ]
    assert data["key"] == ["gadget", "list", {"kind": "it's"}]
    assert data["spec"] == {
        "maker_id": "key",
        "kind": "text",
        "active": "boolean",
        "released_on": "text",
        "tags": "array",
    }


def test_indexeddb_stores_are_opened_upgraded_and_keyed_by_scope(compiled: Compiled) -> None:
    """On fake-indexeddb: an older database is upgraded to the generated stores and indexes."""
    assert compiled.result.returncode == 0, compiled.result.stdout
    result = subprocess.run(
        ["node", "dist/indexeddb.js"],
        cwd=compiled.root,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    upgraded = data["upgraded"]
    assert upgraded["version"] == 2
    assert upgraded["stores"] == ["drafts", "gadgets", "makers", "parts"]  # "stale" is gone
    assert upgraded["gadgetKeyPath"] == ["tenant_id", "id"]  # gadget has the tenant trait
    assert upgraded["draftKeyPath"] == ["branch_id", "id"]  # draft has the branching trait
    assert "by_old" not in upgraded["gadgetIndexes"] and {
        "by_kind",
        "by_tags",
        "by_maker_id",
    } <= set(upgraded["gadgetIndexes"])
    assert "by_active" not in upgraded["gadgetIndexes"]  # booleans are no IndexedDB keys
    assert upgraded["kindIndex"] == ["tenant_id", "kind"]
    assert upgraded["tagsIndex"] == {"keyPath": "tags", "multiEntry": True}
    assert data["rows"] == {
        "byKey": "it's",
        "otherTenant": "economy",
        "byKind": ["g2"],
        "byTag": ["t1/g1", "t2/g1"],
        "draft": "On a branch",
    }
    assert data["remaining"] == 2
    assert data["reopened"] == {"version": 2, "rows": 2}
    assert data["created"] == {"version": 1, "stores": ["drafts", "gadgets", "makers", "parts"]}


@pytest.fixture(scope="module")
def traits(compiled: Compiled) -> dict:
    """What tests/ts/traits.ts observed of the kitchen sink's client (a fake fetch, no backend)."""
    assert compiled.result.returncode == 0, compiled.result.stdout
    result = subprocess.run(
        ["node", "dist/traits.js"],
        cwd=compiled.root,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, f"traits.js failed:\n{result.stdout}\n{result.stderr}"
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_lists_hide_deleted_rows_and_read_now_as_the_current_time(traits: dict) -> None:
    assert traits["predicate"] == {
        "live": True,
        "deleted": False,
        "deletedIncluded": True,
        "deletedIncludedAsText": True,
        "notSoftDeleted": True,
        "specs": {"gadget": True, "draft": False},
        "pastBeforeNow": True,
        "futureBeforeNow": False,
        "futureAfterNow": True,
    }


def test_versioned_updates_send_if_match_and_a_conflict_refetches_the_row(traits: dict) -> None:
    assert traits["ifMatch"] == {
        "fromPatch": '"3"',
        "fromOptions": '"9"',
        "without": None,
        "fromCache": '"7"',  # the cached detail's version
        "cachedAfter": 8,  # the server's row replaced it...
        "fromSettled": '"8"',  # ...so the next update is based on it
        "conflict": "version_conflict",
        "rolledBack": "Again",
        "refreshed": True,
        "tenant": "t1",
    }


def test_a_soft_delete_stays_in_lists_that_include_deleted_rows_until_restored(
    traits: dict,
) -> None:
    soft = traits["softDelete"]
    assert soft["delete"] == {
        "request": "DELETE /api/gadgets/00000000-0000-4000-8000-000000000001",
        "during": {"live": ["Two"], "all": ["One (deleted)", "Two"]},
    }
    assert soft["restore"]["request"] == (
        "POST /api/gadgets/00000000-0000-4000-8000-000000000001/restore"
    )
    # Optimistic restore: back in the live list (at its place by the default sort), unmarked.
    assert sorted(soft["restore"]["during"]["live"]) == ["One", "Two"]
    assert soft["restore"]["during"]["all"] == ["One", "Two"]
    assert sorted(soft["after"]["live"]) == ["One", "Two"]
    assert soft["includeDeletedSent"] == {"include_deleted": "true", "kind": "economy"}
    assert soft["byAction"] == {
        "action": "gadget.restore",
        "id": "00000000-0000-4000-8000-000000000001",
    }
    assert soft["table"] == {
        "softDelete": True,
        "restore": {
            "action": "gadget.restore",
            "label": "Restore",
            "kind": "restore",
            "onlyDeleted": True,
        },
    }


def test_bulk_undo_audit_log_and_branches(traits: dict) -> None:
    system = traits["system"]
    assert system["bulk"] is True  # the new BulkResult shape passes bulkResultSchema
    assert system["undone"] == {"restored": 2, "skipped": 1}
    assert system["undoRequest"] == {
        "path": "/api/gadgets/bulk/undo",
        "body": {"undo_token": "tok"},
    }
    assert system["expired"] == [410, "undo_expired"]
    assert system["auditQuery"] == {
        "resource": "gadget",
        "row_id": "00000000-0000-4000-8000-000000000001",
        "limit": "10",
    }
    assert system["auditPage"] is True
    assert system["auditRefetched"] == 1  # a gadget write refreshes the active audit query
    assert system["merged"] == {"branch": "feature x", "merged": {"draft": 2}}
    assert system["mergeRequest"] == "POST /api/branches/feature%20x/merge"
    assert system["draftRefreshed"] and system["gadgetUntouched"]
    assert system["discardRequest"] == "DELETE /api/branches/feature%20x"
    assert system["maps"] == {
        "merge": [["draft"]],
        "restore": [["gadget"], ["part"], ["audit"]],  # part: many-to-many links
        "undo": True,
    }


# ---------------------------------------------------------------------------------------------
# Against the running backend


@pytest.fixture
def backend_url(build_project, tmp_path: Path):
    """uvicorn serving a copy of the built showcase on a fresh SQLite file; yields its base URL."""
    import httpx

    output = shutil.copytree(build_project("showcase").output, tmp_path / "generated")
    env = cli_env(
        # The app's request log would fill the pipe below, which nobody reads while it runs.
        ACCESS_LOG="off",
        DATABASE_URL=f"sqlite:///{tmp_path / 'client.db'}",
        PYTHONDONTWRITEBYTECODE="1",
    )
    subprocess.run(
        [sys.executable, "-c", "from showcase import db; db.create_tables()"],
        cwd=output / "backend",
        env=env,
        check=True,
        timeout=60,
    )
    port = free_port()
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
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
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
                text = process.stdout.read().decode(errors="replace") if process.stdout else ""
                pytest.fail(f"uvicorn did not come up on {base}:\n{text}")
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture
def driven(compiled: Compiled, backend_url: str) -> dict:
    assert compiled.result.returncode == 0, compiled.result.stdout
    result = subprocess.run(
        ["node", "dist/driver.js", backend_url],
        cwd=compiled.root,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, f"the driver failed:\n{result.stdout}\n{result.stderr}"
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_crud_through_the_fetch_client(driven: dict) -> None:
    crud = driven["crud"]
    assert crud["created"] == {"name": "North \U0001f680 it's", "code": "NO", "idIsUuid": True}
    assert crud["fetchedSame"] and crud["patchedCode"] == "NOR"
    assert crud["office"] == {
        "budget": 1000.5,
        "tags": ["a", "b"],
        "settings": {"floor": 3},
        "region": True,
        "people": [],
    }
    assert crud["listed"] == ["HQ"] and crud["nextCursor"] is None
    assert crud["searched"] == ["North \U0001f680 it's"]
    assert crud["byAction"] and crud["listedByAction"] == [True]
    assert crud["zod"] == {
        "create": True,
        "badPattern": False,
        "unknownField": False,
        "officeBudgetStep": False,
    }


def test_errors_are_typed_api_errors(driven: dict) -> None:
    errors = driven["errors"]
    assert errors["conflict"] | {"detail": ""} == {
        "thrown": True,
        "api": True,
        "status": 409,
        "error_code": "conflict",
        "field": "name",
        "detail": "",
    }
    assert (errors["notFound"]["status"], errors["notFound"]["error_code"]) == (404, "not_found")
    assert (
        errors["invalid"]["status"],
        errors["invalid"]["error_code"],
        errors["invalid"]["field"],
    ) == (422, "validation_error", "name")
    assert (
        errors["badReference"]["status"],
        errors["badReference"]["error_code"],
        errors["badReference"]["field"],
    ) == (422, "invalid_reference", "region_id")
    assert driven["deleted"]["status"] == 404


def test_a_create_shows_at_once_then_refreshes_the_cached_lists(driven: dict) -> None:
    create = driven["create"]
    assert create["before"] == {
        "all": ["North \U0001f680 it's"],
        "onlyNo": ["North \U0001f680 it's"],
    }
    # Before the server answered: in the unfiltered list at its place by name, not in the list
    # filtered on code=NO (the predicate), under a temporary id.
    assert create["during"]["requestSent"]
    assert create["during"]["all"] == ["Aardvark", "North \U0001f680 it's"]
    assert create["during"]["onlyNo"] == ["North \U0001f680 it's"]
    assert create["during"]["temporaryId"].startswith("optimistic-")
    # The caller's onSuccess ran after the system's invalidation refetched both active lists.
    assert create["atOnSuccess"] == {
        "refetched": 2,
        "all": ["Aardvark", "North \U0001f680 it's"],
        "serverRowListed": True,
    }
    assert create["after"] == {
        "all": ["Aardvark", "North \U0001f680 it's"],
        "onlyNo": ["North \U0001f680 it's"],
    }
    assert create["detailCached"] == "Aardvark"
    assert driven["skipInvalidation"] == {"refetched": 0, "listed": [True]}


def test_an_optimistic_update_is_rolled_back_when_the_server_refuses_it(driven: dict) -> None:
    rollback = driven["rollback"]
    assert rollback["during"] == {
        "detail": "Aardvark",
        "all": ["Aardvark", "Aardvark", "North \U0001f680 it's", "Zulu"],
        "onlyNo": ["Aardvark", "North \U0001f680 it's"],
    }
    assert rollback["error"] == {"status": 409, "error_code": "conflict", "field": "name"}
    assert rollback["userOnError"] == rollback["error"]
    assert rollback["after"] == {
        "detail": "Beta",
        "all": ["Aardvark", "Beta", "North \U0001f680 it's", "Zulu"],
        "onlyNo": ["Beta", "North \U0001f680 it's"],
    }


def test_an_update_leaves_the_filtered_lists_it_no_longer_matches(driven: dict) -> None:
    predicate = driven["predicate"]
    assert predicate["during"]["onlyNo"] == ["North \U0001f680 it's"]
    assert "Beta" in predicate["during"]["all"]
    assert predicate["after"] == {"onlyNo": ["North \U0001f680 it's"], "detail": "SO"}
    assert predicate["matches"] == {"before": True, "after": False}


def test_infinite_lists_deletes_and_action_keyed_options(driven: dict) -> None:
    infinite = driven["infinite"]
    assert infinite["loaded"] == [["Aardvark", "Beta"], ["North \U0001f680 it's", "Zulu"]]
    assert infinite["during"][0] == ["Aardvark", "Abc", "Beta"]  # at its place, in the first page
    # Refetched by the invalidation: the same two pages, now from the server.
    assert infinite["after"] == [["Aardvark", "Abc"], ["Beta", "North \U0001f680 it's"]]
    assert infinite["pages"] == 2
    delete = driven["delete"]
    assert delete == {"fetchedByAction": "Abc", "listedDuring": False, "listedAfter": False}


def test_a_cascading_delete_refreshes_the_dependent_lists(driven: dict) -> None:
    cascade = driven["cascade"]
    assert ["office"] in cascade["map"] and ["region"] in cascade["map"]
    assert cascade["before"] == [True]
    assert cascade["after"] == 0


def test_traits_through_the_client_against_the_backend(driven: dict) -> None:
    traits = driven["traits"]
    assert "error" not in traits, traits
    assert traits["dueNow"] == ["Due"] and traits["predicate"] == [True, False]
    # If-Match from the cached detail, then from the server's answer in the cache.
    assert traits["versions"] == [1, 2, 3] and traits["cachedVersion"] == 3
    assert traits["missing"] == "precondition_required"
    assert traits["stale"] == [409, "version_conflict"]
    assert traits["afterDelete"] == {"live": ["Due"], "all": ["Due", "Later (deleted)"]}
    assert traits["hidden"] == 404
    assert traits["restored"] is None
    assert traits["afterRestore"] == {"live": ["Due", "Later"], "all": ["Due", "Later"]}
    assert traits["bulk"] == {"affected": 1, "failed": 0, "token": "string", "expires": "string"}
    assert traits["undone"] == 1 and traits["stageAfterUndo"] == "lead"
    assert traits["reused"] == [409, "undo_used"]
    runs = traits["runs"]
    assert runs["listed"] == [["update", "done", 1]] and runs["valid"], runs
    assert runs["run"] == [True, True, True]
    assert runs["cancelFinished"] == [409, "run_finished"]
    assert runs["missing"] == [404, "not_found"]
    assert runs["polls"] == [False, 1000] and runs["refreshedByBulk"]
    assert traits["auditActions"] == ["update", "update", "create"]  # newest first
    assert traits["merge"] == {"beforeMerge": 0, "merged": 1, "afterMerge": 1}


def test_omnisync_predicate_matching_agrees_with_the_server(driven: dict) -> None:
    """The client's own filter, order and limit over the rows it holds give the server's page:
    what lets a mutation place a row in every cached list it belongs to, without a refetch."""
    omnisync = driven["omnisync"]
    assert "error" not in omnisync, omnisync
    for case in omnisync["agree"]:
        assert case["same"], case
    assert [case["server"] for case in omnisync["agree"]][1] == [
        "Pay rent",
        "Water plants",
        "Renew passport",
        "File taxes",
        "Book flights",
    ]
    # Created while the lists were cached: in the open list at its due date's place, not in done.
    assert omnisync["optimistic"] == {
        "open": [
            "Pay rent",
            "Water plants",
            "Renew passport",
            "Buy milk",
            "File taxes",
            "Book flights",
        ],
        "done": ["Call mum"],
    }
