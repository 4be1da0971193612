"""The `web` target's Python side: its packages, its TypeScript settings, what it copies."""

from __future__ import annotations

import json
import posixpath
import re
import textwrap
from pathlib import Path

import pytest
from helpers import REPO

from schemagen.build import compile_project
from schemagen.files import RenderedFile
from schemagen.registry import builtin_targets, render_all, select_targets
from schemagen.render import RenderContext
from schemagen.targets import web

HARNESS = REPO / "tests" / "webapp" / "package.json"


def rendered(tmp_path: Path, name: str = "acme") -> dict[str, RenderedFile]:
    (tmp_path / "schemagen.toml").write_text(
        f'[project]\nname = "{name}"\npackage = "acme"\n', encoding="utf-8"
    )
    (tmp_path / "schemas").mkdir()
    (tmp_path / "schemas" / "office.yaml").write_text(
        textwrap.dedent(
            """
            resource: office
            fields:
              name: string(200) required
            """
        ),
        encoding="utf-8",
    )
    project = compile_project(tmp_path).project
    targets = select_targets(["web"], builtin_targets())
    files = render_all(project, targets, RenderContext())
    return {f.path: f for f in files}


def caret_allows(range_text: str, version: str) -> bool:
    """npm's `^x.y.z` (and `>=x`): at least the version, and the same major (minor for 0.x)."""
    want = [int(p) for p in version.split(".")]
    if range_text.startswith(">="):
        low = [int(p) for p in range_text[2:].split(".")]
        return want >= low + [0] * (3 - len(low))
    low = [int(p) for p in range_text.removeprefix("^").split(".")]
    same = want[:2] == low[:2] if low[0] == 0 else want[0] == low[0]
    return same and want >= low


def test_the_harness_pins_a_version_of_every_package_in_its_range(tmp_path: Path) -> None:
    """tests/e2e/test_web.py builds and tests the app with tests/webapp's packages: they must be
    ones the generated package.json accepts, and there must be one for each."""
    package = json.loads(rendered(tmp_path)["web/package.json"].content)
    pins = json.loads(HARNESS.read_text(encoding="utf-8"))["devDependencies"]
    wanted = package["dependencies"] | package["devDependencies"]
    assert set(wanted) == set(pins)
    for name, range_text in wanted.items():
        assert caret_allows(range_text, pins[name]), (name, range_text, pins[name])


def test_the_app_has_the_clients_libraries_and_resolves_them_for_it(tmp_path: Path) -> None:
    files = rendered(tmp_path)
    client = json.loads(files["client/package.json"].content)["peerDependencies"]
    package = json.loads(files["web/package.json"].content)
    for name in client:
        assert name in package["dependencies"]
    paths = json.loads(files["web/tsconfig.json"].content)["compilerOptions"]["paths"]
    assert paths["@client"] == ["../client/src/index.ts"]
    assert paths["react"] == ["./node_modules/@types/react", "./node_modules/react"]
    assert paths["@tanstack/query-core"][0] == "./node_modules/@types/tanstack__query-core"
    # Vite resolves them from the app as well: one copy of each.
    dedupe = re.search(r"dedupe: (\[.*?\])", files["web/vite.config.ts"].content, re.DOTALL)
    assert dedupe is not None and set(json.loads(dedupe.group(1))) == set(client)


def bare_imports(text: str) -> set[str]:
    """The packages a TypeScript module imports (`@scope/name` or `name`)."""
    found = set()
    for spec in re.findall(r'(?:from|import)\s+"([^".][^"]*)"', text):
        parts = spec.split("/")
        found.add("/".join(parts[:2]) if spec.startswith("@") else parts[0])
    return found


def test_every_relative_import_of_the_app_is_a_file_it_has(tmp_path: Path) -> None:
    """The components read types from `../client/*.js`: those modules, and their own imports, are
    copied beside them (as in schemagen/runtime_ts/); nothing imports a file the app lacks."""
    files = rendered(tmp_path)
    sources = {p for p in files if p.startswith("web/") and p.endswith((".ts", ".tsx"))}
    for path in sources:
        for imported in re.findall(r'from "(\.{1,2}/[^"]+)\.js"', files[path].content):
            target = posixpath.normpath(posixpath.join(posixpath.dirname(path), imported))
            assert {f"{target}.ts", f"{target}.tsx"} & sources, (path, imported)


def test_every_package_the_app_imports_is_one_it_declares(tmp_path: Path) -> None:
    files = rendered(tmp_path)
    package = json.loads(files["web/package.json"].content)
    declared = set(package["dependencies"]) | set(package["devDependencies"]) | {"node:url"}
    for path, file in files.items():
        if path.startswith("web/") and path.endswith((".ts", ".tsx")):
            imported = bare_imports(file.content) - {"@client"}
            assert imported <= declared, (path, imported - declared)


def test_the_shared_modules_are_copied_as_they_are(tmp_path: Path) -> None:
    files = rendered(tmp_path)
    for source, destination in (
        (web.COMPONENTS, "web/src/runtime/web"),
        (web.SCENARIOS, "web/e2e"),
        (web.RUNTIME_SOURCE, "web/src/runtime/client"),
    ):
        modules = [
            p
            for p in source.rglob("*")
            if p.suffix in web.COPIED and not re.search(r"\.test\.tsx?$", p.name)
        ]
        assert modules, source
        for module in modules:
            path = f"{destination}/{module.relative_to(source).as_posix()}"
            if source == web.RUNTIME_SOURCE and path not in files:
                continue  # a client module the components do not read
            copy = files[path].content
            header, _, body = copy.partition("\n")
            assert "Generated by schemagen" in header and "Do not edit" in header
            assert body == module.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ['acme </title><script>alert("x")</script>', "a & b"])
def test_the_page_title_is_the_project_name_as_text(tmp_path: Path, name: str) -> None:
    page = rendered(tmp_path, name.replace('"', '\\"'))["web/index.html"].content
    title = re.search(r"<title>(.*)</title>", page)
    assert title is not None and "<" not in title.group(1)
    import html

    assert html.unescape(title.group(1)) == name


def cases_of(tmp_path: Path, schema: str) -> str:
    tmp_path.mkdir()
    (tmp_path / "schemagen.toml").write_text(
        '[project]\nname = "acme"\npackage = "acme"\n', encoding="utf-8"
    )
    (tmp_path / "schemas").mkdir()
    (tmp_path / "schemas" / "thing.yaml").write_text(textwrap.dedent(schema), encoding="utf-8")
    project = compile_project(tmp_path).project
    files = render_all(project, select_targets(["web"], builtin_targets()), RenderContext())
    return next(f.content for f in files if f.path == "web/e2e/cases.ts")


def test_the_suite_fills_only_forms_it_can(tmp_path: Path) -> None:
    """A required field the scenarios cannot type (a pattern) leaves the resource out of the
    create scenarios; a plain one is typed, an email as an address, an enum by its label."""
    refused = cases_of(
        tmp_path / "a",
        """
        resource: thing
        fields:
          name: string(80) required
          code: {type: string, pattern: "^[A-Z]{3}$", required: true}
        """,
    )
    assert "create: null" in refused
    filled = cases_of(
        tmp_path / "b",
        """
        resource: thing
        fields:
          name: string(80) required
          contact: {type: email, required: true}
          kind: {type: enum, values: [small, large], required: true}
        actions:
          list: {searchable: [name]}
        """,
    )
    assert '{ label: "Name", name: "name", widget: "text", unique: true, maxLength: 80 }' in filled
    assert 'name: "contact", widget: "email", unique: true' in filled
    assert 'widget: "select", value: "Small", json: "small"' in filled
    assert "searchable: true" in filled and 'title: "Name"' in filled
