"""The TypeScript client targets' Python side: literals, property names, name clashes, index.ts."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from schemagen.build import compile_project
from schemagen.diagnostics import UsageError
from schemagen.literals import ts_literal
from schemagen.render import RenderContext
from schemagen.targets import typescript
from schemagen.targets.ts_common import Client, Raw, check_names, enabled_modules, prop, ts_value

HOSTILE = [
    'Author "x" */ ${y} </script>',
    "line\u2028separator\u2029",
    "back\\slash \\n",
    "`tick` ${x}",
    "\U0001f680",
    "a\nb\r\x00c",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_ts_value_escapes_strings_exactly_as_ts_literal(text: str) -> None:
    assert ts_value(text) == ts_literal(text)
    assert json.loads(ts_value(text).replace("<\\/", "</")) == text
    assert "\u2028" not in ts_value(text) and "</" not in ts_value(text)


def test_ts_value_lays_out_data_and_raw_code() -> None:
    value = {
        "name": "it's",
        "class": None,
        "not an identifier": [1, 2.5, True],
        "__proto__": {},
        "hook": Raw("hooks.useBookList"),
    }
    flat = ts_value(value, width=1000)
    assert (
        flat
        == '{ name: "it\'s", class: null, "not an identifier": [1, 2.5, true], ["__proto__"]: {}, hook: hooks.useBookList }'
    )
    wrapped = ts_value(value, width=20)
    assert wrapped.splitlines()[0] == "{" and wrapped.splitlines()[1] == '  name: "it\'s",'
    assert "hook: hooks.useBookList," in wrapped


def test_property_names() -> None:
    assert prop("from") == "from"  # keywords are fine as property names
    assert prop("region_id") == "region_id"
    assert prop("it's") == '"it\'s"'
    assert prop("__proto__") == '["__proto__"]'


def project(tmp_path: Path, files: dict[str, str]):
    (tmp_path / "schemagen.toml").write_text(
        '[project]\nname = "acme"\npackage = "acme"\n', encoding="utf-8"
    )
    (tmp_path / "schemas").mkdir(exist_ok=True)
    for name, text in files.items():
        (tmp_path / "schemas" / f"{name}.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
    return compile_project(tmp_path).project


def test_a_name_the_client_uses_itself_is_refused(tmp_path: Path) -> None:
    # `configure` on `client` would export configureClient, the fetch client's own function.
    ir = project(
        tmp_path,
        {
            "client": "resource: client\nfields: {name: string}\nactions:\n  configure: {input: {x: text}}\n"
        },
    )
    with pytest.raises(UsageError, match="configureClient"):
        check_names(Client(ir))


def test_two_resources_cannot_make_the_same_name(tmp_path: Path) -> None:
    # An enum `create` on office is the type OfficeCreate, which is also office's create shape.
    ir = project(tmp_path, {"office": "resource: office\nfields:\n  create: enum(a,b)\n"})
    with pytest.raises(UsageError, match="OfficeCreate"):
        check_names(Client(ir))


def test_index_exports_the_modules_of_the_targets_the_project_builds(tmp_path: Path) -> None:
    ir = project(tmp_path, {"note": "resource: note\nfields: {title: string}\n"})
    assert enabled_modules(None) == [
        "types",
        "api",
        "schemas",
        "keys",
        "queries",
        "hooks",
        "forms",
        "tables",
        "idb",
    ]
    assert enabled_modules(frozenset({"typescript", "cache_keys"})) == ["types", "api", "keys"]
    context = RenderContext(enabled=frozenset({"typescript", "zod"}))
    files = {f.path: f.content for f in typescript.render(ir, context)}
    index = files["client/src/index.ts"]
    assert 'export * from "./schemas.js";' in index and "hooks" not in index
    package = json.loads(files["client/package.json"])
    assert package["dependencies"] == {"zod": "^4.1.0"} and "peerDependencies" not in package
    assert package["type"] == "module"
