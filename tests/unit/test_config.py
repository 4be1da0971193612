"""Mistakes in schemagen.toml (or [tool.schemagen]) are reported like schema errors: file, line,
column, key path, and a did-you-mean for an unknown key."""

from __future__ import annotations

import tomllib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schemagen.build import target_problems
from schemagen.config.project import load_config
from schemagen.diagnostics import SchemaError
from schemagen.load import toml_positions
from tests.fuzz.language import toml_document


def errors(tmp_path, text: str, name: str = "schemagen.toml") -> list[str]:
    (tmp_path / name).write_text(text)
    with pytest.raises(SchemaError) as caught:
        load_config(tmp_path)
    return [str(d) for d in caught.value.diagnostics]


def test_unknown_keys_and_bad_values_are_located_with_a_suggestion(tmp_path):
    text = (
        '[project]\nnmae = "shop"\nlicense = "not a license"\n\n'
        '[databse]\n\n[database]\ndialects = ["sqlite", "oracle"]\n'
    )
    assert errors(tmp_path, text) == [
        "schemagen.toml:2:1: project.nmae: unknown key 'nmae'; did you mean 'name'?",
        (
            "schemagen.toml:3:1: project.license: 'not a license' is no SPDX license expression (e.g."
            " 'MIT', 'Apache-2.0 OR MIT', or 'LicenseRef-<name>' for a license of your own)"
        ),
        "schemagen.toml:5:2: databse: unknown key 'databse'; did you mean 'database'?",
        (
            "schemagen.toml:8:23: database.dialects[1]: input should be 'sqlite', 'postgresql' or"
            " 'mysql', got 'oracle'"
        ),
    ]


def test_an_unknown_key_with_nothing_close_lists_the_keys(tmp_path):
    assert errors(tmp_path, "[database]\nzzz = 1\n") == [
        "schemagen.toml:2:1: database.zzz: unknown key 'zzz' (keys: dialects)"
    ]


def test_pyproject_errors_are_located_in_its_tool_table(tmp_path):
    text = '[project]\nname = "x"\n\n[tool.schemagen.project]\npackge = "y"\n'
    assert errors(tmp_path, text, "pyproject.toml") == [
        (
            "pyproject.toml:5:1: tool.schemagen.project.packge: unknown key 'packge';"
            " did you mean 'package'?"
        )
    ]


def test_project_checks_and_unknown_targets_are_located(tmp_path):
    text = '[project]\nname = "x"\npackage = "json"\n'
    assert errors(tmp_path, text) == [
        (
            "schemagen.toml:3:1: project.package: package 'json' would shadow the module of that"
            " name the generated project imports (the standard library's or a dependency's);"
            " choose another"
        )
    ]
    (tmp_path / "schemagen.toml").write_text('[project]\ntargets = ["jsonschema", "sqlalchmy"]\n')
    assert [str(d) for d in target_problems(load_config(tmp_path))] == [
        (
            "schemagen.toml:2:26: project.targets[1]: unknown target 'sqlalchmy'; did you mean"
            " 'sqlalchemy'? (targets: all, alembic, cache_keys, erd, fastapi, forms, indexeddb,"
            " jsonschema, openapi, project, pydantic, sqlalchemy, tables, tanstack, tests,"
            " typescript, web, zod)"
        )
    ]


def test_toml_positions_follow_the_grammar_tomllib_reads():
    text = (
        "# comment = 1\n"
        '[a]\nx = """multi\n[not] y = "a header"\n"""\n'
        "'q.k' = 1\n"
        "d.e = {f = 1, g = [1, [2, 3]]}\n"
        "s = 'a \\ \"b'  # a literal string: no escapes\n"
        '[[t]]\nk = 1\n[[t]]\nk = 2\n[t.u]\nv = "\\\\\\"]"  # ] in a string\nw = [\n  1,\n  2,\n]\n'
    )
    tomllib.loads(text)  # valid, as every text the scanner sees
    positions = toml_positions(text)
    assert positions[("a",)] == (2, 2)
    assert positions[("a", "x")] == (3, 1)
    assert ("a", "not") not in positions and ("not",) not in positions
    assert positions[("a", "q.k")] == (6, 1)
    assert positions[("a", "d", "e", "g", 1, 0)] == (7, 24)
    assert positions[("a", "s")] == (8, 1)
    assert positions[("t", 0, "k")] == (10, 1)
    assert positions[("t", 1, "k")] == (12, 1)
    assert positions[("t", 1, "u", "v")] == (14, 1)
    assert positions[("t", 1, "u", "w", 1)] == (17, 3)


def key_paths(value, path=()):
    yield path
    items = (
        value.items()
        if isinstance(value, dict)
        else enumerate(value)
        if isinstance(value, list)
        else ()
    )
    for key, member in items:
        yield from key_paths(member, (*path, key))


_VALUES = st.recursive(
    st.integers() | st.text(max_size=8) | st.booleans() | st.floats(allow_nan=False),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=12,
)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.text(max_size=6), _VALUES, max_size=4))
def test_every_key_path_of_any_toml_document_has_a_position(data):
    text = toml_document(data)  # the fuzzer's writer: escapes, nesting, inline tables
    positions = toml_positions(text)
    assert [p for p in key_paths(tomllib.loads(text)) if p and p not in positions] == []


def test_the_app_table_sets_the_generated_apps_edges(tmp_path):
    (tmp_path / "schemagen.toml").write_text(
        '[app]\ncors_origins = ["https://app.example.com", "http://localhost:5173"]\n'
        'max_body_bytes = 2048\ngzip_min_bytes = "off"\nmetrics = false\n'
        'middleware = ["acme_ext.timing:Timing"]\n'
    )
    app = load_config(tmp_path).app
    assert app.cors_origins == ["https://app.example.com", "http://localhost:5173"]
    assert (app.max_body_bytes, app.gzip_min_bytes, app.metrics, app.access_log) == (
        2048,
        "off",
        False,
        True,
    )
    assert app.middleware == ["acme_ext.timing:Timing"]


def test_rate_limits_in_the_app_table(tmp_path):
    (tmp_path / "schemagen.toml").write_text(
        '[app.rate_limits]\n"*" = "600/minute"\n"*.bulk" = "10/minute"\n'
        '"office.create" = "5/10 seconds"\n'
    )
    assert load_config(tmp_path).app.rate_limits == {
        "*": "600/minute",
        "*.bulk": "10/minute",
        "office.create": "5/10 seconds",
    }
    found = errors(tmp_path, '[app.rate_limits]\n"*" = "lots"\n')
    assert found == [
        (
            "schemagen.toml:2:1: app.rate_limits.*: 'lots' is no limit: N/unit or N/M units, the unit"
            " second, minute, hour or day (e.g. '10/minute', '5/10 seconds')"
        )
    ]
    found = errors(tmp_path, '[app.rate_limits]\n"Office create" = "1/minute"\n')
    assert found == [
        (
            "schemagen.toml:2:1: app.rate_limits.Office create: 'Office create' is no action:"
            " 'resource.action', '*.action' or '*'"
        )
    ]


def test_mistakes_in_the_app_table_are_located(tmp_path):
    text = (
        '[app]\ncors_origins = ["https://app.example.com/", "*"]\nmax_body_bytes = 0\n'
        'gzip_min_bytes = "never"\nmetrics = "yes"\nmiddleware = ["acme_ext.timing"]\n'
        "acess_log = false\n"
    )
    found = errors(tmp_path, text)
    assert len(found) == 6, found
    by_key = {line.split(": ")[1]: line for line in found}
    assert by_key["app.acess_log"] == (
        "schemagen.toml:7:1: app.acess_log: unknown key 'acess_log'; did you mean 'access_log'?"
    )
    assert "'https://app.example.com/' is no origin" in by_key["app.cors_origins"]
    assert "greater than or equal to 1" in by_key["app.max_body_bytes"]
    assert by_key["app.gzip_min_bytes"] == (
        "schemagen.toml:4:1: app.gzip_min_bytes: 'never' is neither a number of bytes from 1 to"
        " 1099511627776 nor 'off'"
    )
    assert "valid boolean" in by_key["app.metrics"]
    assert "'acme_ext.timing' is not module:attribute" in by_key["app.middleware"]
