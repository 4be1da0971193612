"""The loader: real files in tmp_path, positions, YAML 1.1 traps, limits and syntax errors."""

from __future__ import annotations

import itertools
import textwrap
from pathlib import Path

import pytest

from schemagen.load import (
    MAX_DEPTH,
    MAX_FILE_BYTES,
    MAX_NODES,
    Document,
    LoadError,
    find_schema_files,
    load_file,
)


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def load(tmp_path: Path, text: str, name: str = "book.yaml") -> Document:
    return load_file(write(tmp_path, name, text), f"schemas/{name}")


def load_error(tmp_path: Path, text: str | bytes, name: str = "book.yaml") -> LoadError:
    with pytest.raises(LoadError) as info:
        load_file(write(tmp_path, name, text), f"schemas/{name}")
    return info.value


# --- positions ----------------------------------------------------------------------------------


def test_positions_of_top_level_and_nested_keys(tmp_path):
    doc = load(
        tmp_path,
        """\
        resource: book
        fields:
          title: string(200) required
          status:
            type: enum
            values: [draft, published]
        """,
    )
    assert doc.positions[("resource",)] == (1, 1)
    assert doc.positions[("fields",)] == (2, 1)
    assert doc.positions[("fields", "title")] == (3, 3)
    assert doc.positions[("fields", "status")] == (4, 3)
    assert doc.positions[("fields", "status", "type")] == (5, 5)
    assert doc.positions[("fields", "status", "values")] == (6, 5)


def test_positions_of_list_items_block_and_flow(tmp_path):
    doc = load(
        tmp_path,
        """\
        resource: book
        traits:
          - timestamps
          - soft_delete
        indexes:
          - {fields: [title, isbn]}
        """,
    )
    assert doc.positions[("traits", 0)] == (3, 5)
    assert doc.positions[("traits", 1)] == (4, 5)
    assert doc.positions[("indexes", 0)] == (6, 5)
    assert doc.positions[("indexes", 0, "fields")] == (6, 6)
    assert doc.positions[("indexes", 0, "fields", 0)] == (6, 15)
    assert doc.positions[("indexes", 0, "fields", 1)] == (6, 22)


def test_locate_falls_back_to_the_nearest_ancestor(tmp_path):
    doc = load(tmp_path, "resource: book\nfields:\n  title: string\n")
    assert doc.locate(("fields", "title", "max_length")) == (3, 3)
    assert doc.locate(("nowhere", "deep")) == (1, 1)
    diagnostic = doc.diagnostic(("fields", "title", "type"), "boom")
    assert (diagnostic.file, diagnostic.line, diagnostic.column) == ("schemas/book.yaml", 3, 3)
    assert str(diagnostic) == "schemas/book.yaml:3:3: fields.title.type: boom"


# --- duplicate keys -----------------------------------------------------------------------------


def test_duplicate_top_level_key_names_both_lines(tmp_path):
    error = load_error(tmp_path, "resource: book\nlabel: Book\nresource: novel\n")
    d = error.diagnostic
    assert (d.file, d.line, d.column, d.path) == ("schemas/book.yaml", 3, 1, ("resource",))
    assert "duplicate key 'resource'" in d.message
    assert "first defined on line 1" in d.message


def test_duplicate_nested_key_names_both_lines(tmp_path):
    error = load_error(
        tmp_path,
        """\
        resource: book
        fields:
          title: string
          isbn: string
          title: text
        """,
    )
    d = error.diagnostic
    assert (d.line, d.column, d.path) == (5, 3, ("fields", "title"))
    assert "duplicate key 'title' (first defined on line 3)" in d.message


def test_duplicate_key_in_flow_mapping(tmp_path):
    error = load_error(tmp_path, "resource: book\nfields: {a: string, a: text}\n")
    assert error.diagnostic.line == 2
    assert "duplicate key 'a'" in error.diagnostic.message


# --- YAML 1.1 traps -----------------------------------------------------------------------------


def test_yaml11_booleans_stay_strings_as_values(tmp_path):
    doc = load(tmp_path, "a: on\nb: off\nc: yes\nd: no\ne: y\nf: n\ng: On\nh: NO\n")
    assert doc.data == {
        "a": "on",
        "b": "off",
        "c": "yes",
        "d": "no",
        "e": "y",
        "f": "n",
        "g": "On",
        "h": "NO",
    }


def test_yaml11_booleans_stay_strings_as_keys(tmp_path):
    doc = load(tmp_path, "on: 1\noff: 2\nyes: 3\nno: 4\n")
    assert doc.data == {"on": 1, "off": 2, "yes": 3, "no": 4}
    assert doc.positions[("no",)] == (4, 1)


def test_true_and_false_are_booleans(tmp_path):
    doc = load(tmp_path, "a: true\nb: false\nc: True\nd: FALSE\n")
    assert doc.data == {"a": True, "b": False, "c": True, "d": False}


def test_unquoted_dates_and_times_stay_strings(tmp_path):
    doc = load(tmp_path, "d: 2024-01-02\nt: 2024-01-02T10:00:00Z\nclock: 12:30:00\n")
    assert doc.data == {"d": "2024-01-02", "t": "2024-01-02T10:00:00Z", "clock": "12:30:00"}


def test_quoted_numbers_and_booleans_stay_strings(tmp_path):
    doc = load(tmp_path, 'a: "12"\nb: \'3.5\'\nc: "true"\nd: \'null\'\ne: "~"\n')
    assert doc.data == {"a": "12", "b": "3.5", "c": "true", "d": "null", "e": "~"}


def test_plain_numbers_and_null(tmp_path):
    doc = load(tmp_path, "i: 12\nneg: -3\nf: 1.5\nu: 1_000\nz: 0\nn: ~\nn2: null\nempty:\n")
    assert doc.data == {
        "i": 12,
        "neg": -3,
        "f": 1.5,
        "u": 1000,
        "z": 0,
        "n": None,
        "n2": None,
        "empty": None,
    }
    assert isinstance(doc.data["i"], int) and isinstance(doc.data["f"], float)


def test_yaml11_octal_hex_and_sexagesimal_stay_strings(tmp_path):
    # YAML 1.1 reads these as 8, 31 and 5400; a schema author almost never means that.
    doc = load(tmp_path, "a: 010\nb: 0x1F\nc: 1:30:00\n")
    assert doc.data == {"a": "010", "b": "0x1F", "c": "1:30:00"}


def test_block_scalars_are_strings(tmp_path):
    doc = load(tmp_path, "description: |\n  12\n  lines\nshort: >-\n  true\n")
    assert doc.data == {"description": "12\nlines\n", "short": "true"}


def test_python_tags_are_not_constructed(tmp_path):
    doc = load(
        tmp_path, "a: !!python/object/apply:os.system [echo hi]\nb: !!python/name:os.system x\n"
    )
    assert doc.data == {"a": ["echo hi"], "b": "x"}


def test_non_string_keys_are_refused(tmp_path):
    error = load_error(tmp_path, "resource: book\n? [a, b]\n: 1\n")
    assert error.diagnostic.line == 2
    assert "mapping keys must be plain strings" in error.diagnostic.message


def test_numeric_keys_become_strings(tmp_path):
    assert load(tmp_path, "1: a\n").data == {"1": "a"}


# --- merge keys ---------------------------------------------------------------------------------


def test_merge_key_copies_an_anchor_and_local_keys_win(tmp_path):
    doc = load(
        tmp_path,
        """\
        base: &short
          type: string
          max_length: 10
        fields:
          name:
            <<: *short
            max_length: 20
          code: *short
        """,
    )
    assert doc.data["fields"]["name"] == {"type": "string", "max_length": 20}
    assert doc.data["fields"]["code"] == {"type": "string", "max_length": 10}
    assert doc.positions[("fields", "name", "max_length")] == (7, 5)
    # A merged key points at where it was written: the anchor.
    assert doc.positions[("fields", "name", "type")] == (2, 3)


def test_merge_key_list_earlier_mappings_win(tmp_path):
    doc = load(
        tmp_path,
        """\
        a: &a {type: string, required: true}
        b: &b {type: text, unique: true}
        field:
          <<: [*a, *b]
        """,
    )
    assert doc.data["field"] == {"type": "string", "required": True, "unique": True}


def test_merge_key_after_local_key_keeps_the_local_position(tmp_path):
    doc = load(
        tmp_path,
        """\
        base: &b {type: string, max_length: 3}
        field:
          max_length: 20
          <<: *b
        """,
    )
    assert doc.data["field"] == {"type": "string", "max_length": 20}
    assert doc.positions[("field", "max_length")] == (3, 3)


def test_merge_key_needs_a_mapping(tmp_path):
    error = load_error(tmp_path, "a: &a [1, 2]\nb:\n  <<: *a\n")
    assert error.diagnostic.line is not None
    assert "a merge key (<<) needs a mapping" in error.diagnostic.message


# --- limits -------------------------------------------------------------------------------------


def billion_laughs() -> str:
    """Nine levels of nine aliases each: 9**9 (387 million) strings once expanded."""
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for previous, name in itertools.pairwise("abcdefghi"):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def test_alias_bomb_is_refused_with_a_clear_message(tmp_path):
    error = load_error(tmp_path, billion_laughs())
    d = error.diagnostic
    assert d.file == "schemas/book.yaml"
    assert d.line is not None
    assert f"more than {MAX_NODES} nodes (after aliases)" in d.message


def test_small_aliases_are_fine(tmp_path):
    doc = load(tmp_path, "a: &x [1, 2]\nb: *x\nc: *x\n")
    assert doc.data == {"a": [1, 2], "b": [1, 2], "c": [1, 2]}


def test_deep_nesting_is_refused(tmp_path):
    text = "a: " + "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5) + "\n"
    error = load_error(tmp_path, text)
    assert f"nested deeper than {MAX_DEPTH} levels" in error.diagnostic.message


def test_file_over_the_size_limit(tmp_path):
    text = "resource: book\ndescription: " + "x" * MAX_FILE_BYTES + "\n"
    error = load_error(tmp_path, text)
    d = error.diagnostic
    assert d.file == "schemas/book.yaml"
    assert f"the limit is {MAX_FILE_BYTES}" in d.message


def test_file_at_the_size_limit_loads(tmp_path):
    head = "resource: book\ndescription: "
    text = head + "x" * (MAX_FILE_BYTES - len(head) - 1) + "\n"
    assert len(text.encode()) == MAX_FILE_BYTES
    assert load(tmp_path, text).data["resource"] == "book"


def test_invalid_utf8(tmp_path):
    error = load_error(tmp_path, b"resource: book\nlabel: caf\xe9\n")
    d = error.diagnostic
    assert d.file == "schemas/book.yaml"
    assert "not valid UTF-8 (byte 25)" in d.message


def test_invalid_utf8_in_toml(tmp_path):
    error = load_error(tmp_path, b'resource = "b\xff"\n', name="book.toml")
    assert "not valid UTF-8" in error.diagnostic.message


def test_missing_file(tmp_path):
    with pytest.raises(LoadError) as info:
        load_file(tmp_path / "gone.yaml", "schemas/gone.yaml")
    assert info.value.diagnostic.file == "schemas/gone.yaml"
    assert "cannot read file" in info.value.diagnostic.message


# --- syntax errors ------------------------------------------------------------------------------


def test_yaml_syntax_error_has_line_and_column(tmp_path):
    error = load_error(tmp_path, "resource: book\nfields:\n  title: a: b\n")
    d = error.diagnostic
    assert (d.file, d.line, d.column) == ("schemas/book.yaml", 3, 11)
    assert d.message == "invalid YAML: mapping values are not allowed in this context"


def test_yaml_unclosed_flow_sequence(tmp_path):
    error = load_error(tmp_path, "resource: book\ntraits: [timestamps\nfields: {}\n")
    d = error.diagnostic
    assert d.line == 3
    assert d.message.startswith("invalid YAML: ")
    assert "']'" in d.message


def test_yaml_tab_indentation(tmp_path):
    error = load_error(tmp_path, "resource: book\nfields:\n\ttitle: string\n")
    assert (error.diagnostic.line, error.diagnostic.column) == (3, 1)
    assert "invalid YAML" in error.diagnostic.message


def test_yaml_undefined_alias(tmp_path):
    error = load_error(tmp_path, "resource: book\nlabel: *nope\n")
    assert (error.diagnostic.line, error.diagnostic.column) == (2, 8)
    assert "undefined alias" in error.diagnostic.message


def test_yaml_several_documents_are_refused(tmp_path):
    error = load_error(tmp_path, "resource: a\n---\nresource: b\n")
    assert error.diagnostic.line == 2
    assert "invalid YAML" in error.diagnostic.message


def test_toml_syntax_error_has_line_and_column(tmp_path):
    error = load_error(tmp_path, 'resource = "book"\n[fields]\ntitle = \n', name="book.toml")
    d = error.diagnostic
    assert (d.file, d.line, d.column) == ("schemas/book.toml", 3, 9)
    assert d.message.startswith("invalid TOML: ")
    assert "line" not in d.message  # the position is not repeated in the text


def test_toml_duplicate_key(tmp_path):
    error = load_error(tmp_path, 'resource = "a"\nresource = "b"\n', name="book.toml")
    assert error.diagnostic.line == 2
    assert "invalid TOML" in error.diagnostic.message


def test_toml_loads_the_same_tree(tmp_path):
    doc = load(
        tmp_path,
        """\
        resource = "book"
        traits = ["timestamps"]

        [fields]
        title = "string(200) required"
        status = { type = "enum", values = ["a", "b"], default = "a" }
        """,
        name="book.toml",
    )
    assert doc.format == "toml"
    assert doc.data == {
        "resource": "book",
        "traits": ["timestamps"],
        "fields": {
            "title": "string(200) required",
            "status": {"type": "enum", "values": ["a", "b"], "default": "a"},
        },
    }
    # tomllib keeps no positions: load.toml_positions finds them in the text again.
    assert doc.diagnostic(("fields", "title"), "x").location() == "schemas/book.toml:5:1"


# --- empty and odd documents --------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n", "---\n"])
def test_empty_yaml_gives_no_data(tmp_path, text):
    assert load(tmp_path, text).data is None


def test_empty_toml_is_an_empty_mapping(tmp_path):
    assert load(tmp_path, "", name="book.toml").data == {}


@pytest.mark.parametrize(
    ("text", "expected"), [("- a\n- b\n", ["a", "b"]), ("just text\n", "just text"), ("42\n", 42)]
)
def test_non_mapping_documents_load_as_they_are(tmp_path, text, expected):
    # Whether a non-mapping is a valid resource is `validate`'s call; the loader only reads it.
    assert load(tmp_path, text).data == expected


def test_find_schema_files_is_sorted_and_filtered(tmp_path):
    for name in ("b.yaml", "a.toml", "c.yml", ".hidden.yaml", "notes.txt", "z.json"):
        (tmp_path / name).write_text("x")
    (tmp_path / "folder.yaml").mkdir()
    assert [p.name for p in find_schema_files(tmp_path)] == ["a.toml", "b.yaml", "c.yml"]
    assert find_schema_files(tmp_path / "missing") == []


# --- hostile input: every one a located error, never an exception ---------------------------------


@pytest.mark.parametrize(
    "text",
    ["a = " + "[" * 3000 + "]" * 3000, "a = " + "{b = " * 3000 + "1" + "}" * 3000],
    ids=["arrays", "inline-tables"],
)
def test_toml_nested_thousands_deep_is_an_error(tmp_path, text):
    error = load_error(tmp_path, text, "book.toml")
    assert f"nested deeper than {MAX_DEPTH} levels" in error.diagnostic.message


def test_toml_nested_past_the_limit_names_the_path(tmp_path):
    text = "a = " + "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1)
    error = load_error(tmp_path, text, "book.toml")
    assert error.diagnostic.path[0] == "a" and len(error.diagnostic.path) == MAX_DEPTH + 1
    assert f"nested deeper than {MAX_DEPTH} levels" in error.diagnostic.message


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "+nan"])
def test_toml_non_finite_numbers_are_refused(tmp_path, value):
    error = load_error(
        tmp_path, f'resource = "book"\n[fields.n]\ntype = "float"\nmin = {value}\n', "book.toml"
    )
    assert error.diagnostic.path == ("fields", "n", "min")
    assert "is not finite" in error.diagnostic.message


@pytest.mark.parametrize("value", ["1.0e+999", "-1.5e+999"])
def test_yaml_overflowing_floats_are_refused_where_written(tmp_path, value):
    error = load_error(tmp_path, f"resource: book\nfields:\n  n: {{type: float, max: {value}}}\n")
    d = error.diagnostic
    assert (d.path, d.line, d.column) == (("fields", "n", "max"), 3, 25)  # the value
    assert "is not finite" in d.message


@pytest.mark.parametrize("name", ["book.yaml", "book.toml"])
def test_integers_of_thousands_of_digits_are_refused(tmp_path, name):
    digits = "9" * 5000  # past int()'s own limit of 4300 digits, which raises ValueError
    text = f"max_length: {digits}\n" if name == "book.yaml" else f"max_length = {digits}\n"
    error = load_error(tmp_path, text, name)
    assert "the number has more than 40 digits" in error.diagnostic.message
