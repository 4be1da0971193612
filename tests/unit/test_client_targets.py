"""The TypeScript client targets' Python side: literals, property names, name clashes, index.ts."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import pytest

from schemagen.build import compile_project
from schemagen.client import (
    RUNTIME,
    RUNTIME_MODULES,
    RUNTIME_SOURCE,
    Client,
    Raw,
    check_names,
    enabled_modules,
    prop,
    ts_value,
)
from schemagen.diagnostics import UsageError
from schemagen.literals import ts_literal
from schemagen.render import RenderContext
from schemagen.targets import typescript

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
    tmp_path.mkdir(parents=True, exist_ok=True)
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


def test_an_action_input_enum_is_its_union_inline(tmp_path: Path) -> None:
    # Found by the fuzzer: the input enum was typed `TagBook`, a name nothing declared (and, when
    # the resource had an enum field of the same name, the field's values instead of the input's).
    ir = project(
        tmp_path,
        {
            "tag": """
                resource: tag
                fields:
                  name: string
                  kind: enum(x,y)
                actions:
                  close:
                    input:
                      book: enum(a,b)
                      kind: {type: enum, values: [z], required: true}
            """
        },
    )
    client = Client(ir)
    resource = ir.resources[0]
    action = resource.actions.custom[0]
    types = {p.name: p.type for p in client.input_props(resource, action)}
    assert types == {"book": '("a" | "b") | null', "kind": '"z"'}
    context = RenderContext(enabled=frozenset({"typescript", "zod"}))
    files = {f.path: f.content for f in typescript.render(ir, context)}
    assert "TagBook" not in files["client/src/types.ts"]
    assert 'export type TagKind = "x" | "y";' in files["client/src/types.ts"]


def test_each_action_input_has_a_form_checked_by_the_input_schema(tmp_path: Path) -> None:
    ir = project(
        tmp_path,
        {
            "tag": """
                resource: tag
                fields: {name: string}
                actions:
                  close:
                    label: Close it
                    input:
                      reason: {type: text, required: true, help: Why}
                      until: date
                  ping: {handler: "x:y"}
            """
        },
    )
    files = rendered(ir, "typescript", "zod", "tanstack", "forms")
    document = json.loads(files["client/src/forms.json"])
    # Only actions with an input have a form: ping takes nothing.
    assert list(document["actionForms"]) == ["tag.close"]
    close = document["actionForms"]["tag.close"]
    assert (close["resource"], close["label"]) == ("tag", "Close it")
    assert [(f["name"], f["widget"], f["required"]) for f in close["fields"]] == [
        ("reason", "textarea", True),
        ("until", "date", False),
    ]
    assert close["fields"][0]["help"] == "Why"
    code = files["client/src/forms.ts"]
    assert 'export const tagCloseInputForm: FormDefinition<"tag"> = {' in code
    assert "schemas: { create: s.tagCloseInputSchema, update: s.tagCloseInputSchema }" in code
    assert '"tag.close": tagCloseInputForm,' in code


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
    # The libraries whose types cross the client's API are peers, with ranges.
    assert package["peerDependencies"] == {"zod": "^4.1.0"} and "dependencies" not in package
    assert package["devDependencies"] == {"typescript": "^5.9.0"}  # no hooks: no React types
    assert package["type"] == "module"


# ---------------------------------------------------------------------------------------------
# Traits in the client

TRAITS = {
    "widget": """
        resource: widget
        traits: [timestamps, soft_delete, tenant, versioned, audit, owned]
        fields:
          name: string required
          due_at: {type: datetime, filterable: true}
        actions:
          bulk: {undo: true}
        ui:
          form: {fields: [name, created_at, version, deleted_at, owner_id]}
    """,
    "sketch": """
        resource: sketch
        traits: [branching]
        fields: {title: string}
        actions:
          bulk: {undo: false}
    """,
}


def traits_project(tmp_path: Path):
    return project(tmp_path, {name: textwrap.dedent(text) for name, text in TRAITS.items()})


def rendered(ir, *targets_: str) -> dict[str, str]:
    from schemagen.targets import cache_keys, forms, tables, tanstack, zod

    modules = {
        "typescript": typescript,
        "zod": zod,
        "cache_keys": cache_keys,
        "tanstack": tanstack,
        "forms": forms,
        "tables": tables,
    }
    files: dict[str, str] = {}
    for name in targets_:
        files |= {f.path: f.content for f in modules[name].render(ir, RenderContext())}
    return files


def test_trait_operations_are_named_as_the_routes(tmp_path: Path) -> None:
    ir = traits_project(tmp_path)
    client = Client(ir)
    widget = {op.action: op for op in client.operations(ir.resource("widget"))}
    assert [a for a in widget if a.endswith(("restore", "bulk_undo"))] == [
        "widget.restore",
        "widget.bulk_undo",
    ]
    restore, undo = widget["widget.restore"], widget["widget.bulk_undo"]
    assert (restore.function, restore.wire, restore.result) == ("restoreWidget", "id", "Widget")
    assert (undo.function, undo.wire, undo.result) == ("undoBulkWidgets", "body", "BulkUndoResult")
    assert client.route(ir.resource("widget"), restore) == ("POST", "/api/widgets/{id}/restore")
    assert client.route(ir.resource("widget"), undo) == ("POST", "/api/widgets/bulk/undo")
    n = client.n("widget")
    assert (n.use_mutation("restore"), n.use_mutation("bulk_undo")) == (
        "useRestoreWidget",
        "useUndoBulkWidgets",
    )
    assert n.mutation_options("bulk_undo") == "undoBulkWidgetsMutationOptions"
    sketch = {op.action for op in client.operations(ir.resource("sketch"))}
    assert "sketch.bulk" in sketch and "sketch.bulk_undo" not in sketch  # undo: false
    assert "sketch.restore" not in sketch  # no soft_delete


def test_soft_delete_lists_take_include_deleted_but_bulk_filters_do_not(tmp_path: Path) -> None:
    ir = traits_project(tmp_path)
    client = Client(ir)
    widget = ir.resource("widget")
    lists = {p.name: p for p in client.list_props(widget)}
    assert lists["include_deleted"].type == "boolean" and lists["include_deleted"].optional
    assert "include_deleted" not in {p.name for p in client.filter_props(widget)}
    assert "include_deleted" not in {p.name for p in client.list_props(ir.resource("sketch"))}
    assert '"now"' in lists["due_at__lte"].doc  # datetime filters take "now"
    types = rendered(ir, "typescript")["client/src/types.ts"]
    assert "include_deleted?: boolean | undefined;" in types


def test_versioned_updates_send_if_match_from_the_patch_or_the_cache(tmp_path: Path) -> None:
    files = rendered(traits_project(tmp_path), "typescript", "tanstack")
    api, queries = files["client/src/api.ts"], files["client/src/queries.ts"]
    assert (
        'http.request<T.Widget>({ ...options, ifMatch: options?.ifMatch ?? patch.version }, "PATCH"'
        in api
    )
    assert (
        'ifMatch: variables.patch.version ?? cache.cachedVersion(queryClient, CACHES["widget"], variables.id)'
        in queries
    )
    # sketch is not versioned: its update sends what the caller gives.
    assert (
        "export function updateSketch(id: T.SketchId, patch: T.SketchUpdate, options?: RequestOptions): Promise<T.Sketch> {\n  return http.request<T.Sketch>(options,"
        in api
    )
    # A soft delete marks the row (lists that include deleted rows keep it); restore unmarks it.
    assert (
        'optimisticUpdate(queryClient, CACHES["widget"], id, { deleted_at: new Date().toISOString() })'
        in queries
    )
    assert 'optimisticDelete(queryClient, CACHES["sketch"], id)' in queries
    assert "softDelete: true" in queries and "softDelete: false" in queries


def test_system_routes_are_in_the_client_only_where_the_traits_call_for_them(
    tmp_path: Path,
) -> None:
    files = rendered(traits_project(tmp_path), "typescript", "zod", "cache_keys", "tanstack")
    api, types, hooks = (files[f"client/src/{m}.ts"] for m in ("api", "types", "hooks"))
    for name in ("listAuditEntries", "mergeBranch", "discardBranch", "undoBulkWidgets"):
        assert f"export function {name}(" in api
    assert '"POST", "/api/branches/" + http.segment(name) + "/merge"' in api
    for name in ("useAuditEntries", "useMergeBranch", "useDiscardBranch", "useRestoreWidget"):
        assert f"export function {name}" in hooks
    for name in ("AuditEntry", "AuditPage", "MergeResult", "BulkUndoResult"):
        assert f"export interface {name} " in types
    keys = files["client/src/keys.ts"]
    assert '"branches.merge": [' in keys and "export const auditKeys" in keys
    schemas = files["client/src/schemas.ts"]
    assert (
        "export const auditEntrySchema" in schemas and "export const mergeResultSchema" in schemas
    )

    plain = project(tmp_path / "plain", {"note": "resource: note\nfields: {title: string}\n"})
    files = rendered(plain, "typescript", "zod", "cache_keys", "tanstack")
    everything = "\n".join(files.values())
    for name in (
        "listAuditEntries(",
        "AuditEntry {",
        "auditKeys",
        "mergeBranch(",
        "function useMergeBranch",
        '"branches.merge"',
        "BulkUndoResult",
        "include_deleted?:",
        "restoreNote",
    ):
        assert name not in everything, name
    assert "undo_expires_at: string | null;" in files["client/src/types.ts"]  # BulkResult


def test_system_names_clash_only_when_the_project_has_them(tmp_path: Path) -> None:
    audited = "resource: ledger\ntraits: [audit]\nfields: {name: string}\n"
    entry = "resource: audit_entry\nfields: {name: string}\n"
    with pytest.raises(UsageError, match="AuditEntry"):
        check_names(Client(project(tmp_path / "a", {"ledger": audited, "audit_entry": entry})))
    check_names(Client(project(tmp_path / "b", {"audit_entry": entry})))  # no audit: no clash
    branch = "resource: branch\ntraits: [branching]\nfields: {name: string}\nactions:\n  merge: {input: {x: text}}\n"
    with pytest.raises(UsageError, match="mergeBranch"):
        check_names(Client(project(tmp_path / "c", {"branch": branch})))


def test_forms_leave_trait_columns_out_and_tables_offer_restore_and_undo(tmp_path: Path) -> None:
    from schemagen.targets import forms, tables

    ir = traits_project(tmp_path)
    client = Client(ir)
    form = forms.form(client, ir.resource("widget"))
    # ui.form names created_at, version, deleted_at and owner_id: the server sets them.
    assert [f["name"] for f in form["fields"]] == ["name"]
    table = tables.table(client, ir.resource("widget"))
    assert table["softDelete"] is True
    assert {
        "action": "widget.restore",
        "label": "Restore",
        "kind": "restore",
        "onlyDeleted": True,
    } in table["rowActions"]
    assert {a["undoAction"] for a in table["bulkActions"]} == {"widget.bulk_undo"}
    sketch = tables.table(client, ir.resource("sketch"))
    assert sketch["softDelete"] is False
    assert {a["undoAction"] for a in sketch["bulkActions"]} == {None}
    assert all(a["kind"] != "restore" for a in sketch["rowActions"])


# ---------------------------------------------------------------------------------------------
# The client runtime: copied as it is, only the modules the enabled targets use


def test_the_runtime_is_copied_as_it_is_under_the_header(tmp_path: Path) -> None:
    files = rendered(traits_project(tmp_path), "typescript", "zod", "cache_keys", "tanstack")
    copied = {p: text for p, text in files.items() if p.startswith(f"{RUNTIME}/")}
    assert sorted(copied) == [
        f"{RUNTIME}/{m}.ts"
        for m in ("cache", "http", "keys", "matching", "replica", "text", "version", "zod")
    ]
    for path, text in copied.items():
        header, _, body = text.partition("\n")
        assert header.startswith("// Generated by schemagen from its client runtime 1.")
        assert body == (RUNTIME_SOURCE / path.rsplit("/", 1)[1]).read_text(encoding="utf-8")
    # The generated modules import the runtime instead of carrying it.
    assert 'import * as cache from "./runtime/cache.js";' in files["client/src/queries.ts"]
    assert "function compareRows" not in files["client/src/queries.ts"]
    assert 'from "./runtime/http.js";' in files["client/src/api.ts"]
    assert "class ApiError" not in files["client/src/api.ts"]


def test_only_the_runtime_modules_of_the_enabled_targets_are_written(tmp_path: Path) -> None:
    ir = project(tmp_path, {"note": "resource: note\nfields: {title: string}\n"})
    context = RenderContext(enabled=frozenset({"typescript", "zod"}))
    files = {f.path for f in typescript.render(ir, context)}
    assert {p for p in files if p.startswith(f"{RUNTIME}/")} == {
        f"{RUNTIME}/{m}.ts" for m in ("http", "text", "version")
    }
    # zod's module comes with the zod target's schemas.ts.
    from schemagen.targets import zod

    assert f"{RUNTIME}/zod.ts" in {f.path for f in zod.render(ir, context)}


def test_every_runtime_module_is_owned_and_its_imports_come_with_it() -> None:
    """A runtime module's imports belong to its own target or to one that target requires."""
    from schemagen.registry import builtin_targets

    sources = {p.stem for p in RUNTIME_SOURCE.glob("*.ts")}
    assert sources == set(RUNTIME_MODULES)
    targets = builtin_targets()

    def required(name: str) -> set[str]:
        found = {name}
        for dependency in targets[name].requires:
            found |= required(dependency)
        return found

    for module, owner in RUNTIME_MODULES.items():
        text = (RUNTIME_SOURCE / f"{module}.ts").read_text(encoding="utf-8")
        for imported in re.findall(r'from "\./([a-z]+)\.js"', text):
            assert RUNTIME_MODULES[imported] in required(owner), (module, imported)
        # Only relative runtime imports and the peer libraries: nothing the client lacks.
        for package in re.findall(r'from "([^.][^"]*)"', text):
            assert package in ("@tanstack/query-core", "zod"), (module, package)


def test_a_json_default_shaped_like_a_relation_stays_data(tmp_path: Path) -> None:
    """Only a relation's hooks become code: a default with a `listHook` key is a string in it."""
    ir = project(
        tmp_path,
        {
            "setting": """
                resource: setting
                fields:
                  value: {type: json, default: {listHook: "alert(1)", listQueryOptions: "x"}}
            """
        },
    )
    forms_ts = rendered(ir, "typescript", "zod", "tanstack", "forms")["client/src/forms.ts"]
    assert "hooks.alert(1)" not in forms_ts and "hooks.x" not in forms_ts
    assert 'default: { listHook: "alert(1)", listQueryOptions: "x" }' in forms_ts


def test_a_project_without_lists_imports_nothing_it_does_not_use(tmp_path: Path) -> None:
    """typescript-eslint's no-unused-vars: infinite queries and matching only come with a list."""
    ir = project(
        tmp_path,
        {"log": "resource: log\nfields: {message: string}\nactions: {list: false}\n"},
    )
    files = rendered(ir, "typescript", "zod", "cache_keys", "tanstack")
    assert "useInfiniteQuery" not in files["client/src/hooks.ts"]
    assert "InfiniteData" not in files["client/src/keys.ts"]
    assert "import { matchesParams" not in files["client/src/queries.ts"]
    assert "withPattern" not in files["client/src/schemas.ts"]
    listed = rendered(traits_project(tmp_path / "traits"), "typescript", "cache_keys", "tanstack")
    assert "  useInfiniteQuery," in listed["client/src/hooks.ts"]
