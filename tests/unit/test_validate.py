"""Validation: one test per rule, each naming the file, key path, line and a stable part of the message.

Every test builds a real project in tmp_path and runs the real pipeline up to the IR
(`compile_project`), so errors arrive exactly as the CLI would print them.
"""

from __future__ import annotations

import ast
import json
import textwrap
from pathlib import Path

import pytest
from helpers import REPO

from schemagen.build import Compiled, compile_project
from schemagen.diagnostics import Diagnostic, SchemaError

CONFIG = """\
[project]
name = "acme"
package = "acme"

[database]
dialects = {dialects}
"""

AUTHOR = "resource: author\nfields:\n  name: string(100) required\n"


def make_project(
    tmp_path: Path, files: dict[str, str], dialects: tuple[str, ...] = ("sqlite", "postgresql")
) -> Path:
    listed = "[" + ", ".join(f'"{d}"' for d in dialects) + "]"
    (tmp_path / "schemagen.toml").write_text(CONFIG.format(dialects=listed), encoding="utf-8")
    schemas = tmp_path / "schemas"
    schemas.mkdir(exist_ok=True)
    for name, text in files.items():
        (schemas / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return tmp_path


def compile_ok(tmp_path: Path, files: dict[str, str], **options) -> Compiled:
    return compile_project(make_project(tmp_path, files, **options))


def errors(tmp_path: Path, files: dict[str, str], **options) -> list[Diagnostic]:
    with pytest.raises(SchemaError) as info:
        compile_project(make_project(tmp_path, files, **options))
    return info.value.diagnostics


def book(text: str, **others: str) -> dict[str, str]:
    """`schemas/book.yaml` with `text` (dedented), plus other files given as name=text."""
    return {"book.yaml": textwrap.dedent(text), **{f"{k}.yaml": v for k, v in others.items()}}


def only(diagnostics: list[Diagnostic]) -> Diagnostic:
    assert len(diagnostics) == 1, "\n".join(map(str, diagnostics))
    return diagnostics[0]


def expect(
    diagnostic: Diagnostic,
    path: str,
    line: int | None,
    text: str,
    file: str = "schemas/book.yaml",
    column: int | None = None,
) -> None:
    """One diagnostic is at `file`, key path `path`, `line` (and `column`), and says `text`."""
    assert diagnostic.file == file, str(diagnostic)
    assert diagnostic.key_path == path, str(diagnostic)
    assert diagnostic.line == line, str(diagnostic)
    if column is not None:
        assert diagnostic.column == column, str(diagnostic)
    assert text in diagnostic.message, str(diagnostic)
    assert diagnostic.level == "error"


def one_error(
    tmp_path: Path,
    text: str,
    path: str,
    line: int | None,
    message: str,
    column: int | None = None,
    **options,
) -> Diagnostic:
    """`book.yaml` as `text` (author.yaml alongside) gives exactly this one error."""
    diagnostic = only(errors(tmp_path, book(text, author=AUTHOR), **options))
    expect(diagnostic, path, line, message, column=column)
    return diagnostic


# --- shape: the pydantic models -----------------------------------------------------------------


def test_unknown_top_level_key_with_did_you_mean(tmp_path):
    one_error(
        tmp_path,
        """\
        resource: book
        feilds:
          title: string
        """,
        "feilds",
        2,
        "unknown key 'feilds'; did you mean 'fields'?",
        column=1,
    )


def test_unknown_field_option_with_did_you_mean(tmp_path):
    one_error(
        tmp_path,
        """\
        resource: book
        fields:
          title:
            type: string
            requried: true
        """,
        "fields.title.requried",
        5,
        "unknown key 'requried'; did you mean 'required'?",
        column=5,
    )


def test_unknown_key_in_list_action_with_did_you_mean(tmp_path):
    one_error(
        tmp_path,
        """\
        resource: book
        actions:
          list: {page_sise: 10}
        """,
        "actions.list.page_sise",
        3,
        "unknown key 'page_sise'; did you mean 'page_size'?",
    )


def test_unknown_key_in_an_index(tmp_path):
    one_error(
        tmp_path,
        """\
        resource: book
        fields: {title: string}
        indexes:
          - {fields: [title], uniqe: true}
        """,
        "indexes[0].uniqe",
        4,
        "did you mean 'unique'?",
    )


def test_unknown_type_full_form_with_did_you_mean(tmp_path):
    one_error(
        tmp_path,
        """\
        resource: book
        fields:
          title: {type: sting}
        """,
        "fields.title.type",
        3,
        "unknown field type 'sting'; did you mean 'string'?",
        column=11,
    )


def test_unknown_type_shorthand_with_did_you_mean(tmp_path):
    one_error(
        tmp_path,
        """\
        resource: book
        fields:
          title: strng(200) required
        """,
        "fields.title",
        3,
        "unknown field type 'strng' in 'strng(200) required'; did you mean 'string'?",
        column=3,
    )


def test_unknown_type_without_a_close_match_lists_the_types(tmp_path):
    d = one_error(
        tmp_path,
        "resource: book\nfields:\n  title: {type: zzz}\n",
        "fields.title.type",
        3,
        "unknown field type 'zzz'",
    )
    assert "did you mean" not in d.message
    assert "expected one of: string, text," in d.message


def test_unknown_flag_in_shorthand(tmp_path):
    one_error(
        tmp_path,
        """\
        resource: book
        fields:
          title: string(200) required uniqe
        """,
        "fields.title",
        3,
        "unknown flag 'uniqe' in 'string(200) required uniqe'; did you mean 'unique'?",
    )


@pytest.mark.parametrize(
    ("shorthand", "message"),
    [
        ("string(abc)", "'abc' in 'string(abc)' must be a whole number"),
        ("boolean(3)", "'boolean' takes no arguments like (3)"),
        ("decimal(1,2,3)", "'decimal' takes no arguments like (1, 2, 3)"),
        ("string(200", "cannot read field shorthand 'string(200'"),
    ],
)
def test_unreadable_shorthand(tmp_path, shorthand, message):
    one_error(
        tmp_path, f"resource: book\nfields:\n  title: {shorthand}\n", "fields.title", 3, message
    )


def test_unknown_trait_with_did_you_mean(tmp_path):
    one_error(
        tmp_path,
        """\
        resource: book
        traits: [timestamps, sof_delete]
        """,
        "traits[1]",
        2,
        "unknown trait 'sof_delete'; did you mean 'soft_delete'?",
        column=22,
    )


def test_missing_resource_key(tmp_path):
    one_error(
        tmp_path, "fields:\n  title: string\n", "resource", 1, "missing required key 'resource'"
    )


def test_wrong_value_type_says_what_was_given(tmp_path):
    one_error(
        tmp_path,
        """\
        resource: book
        fields:
          title: {type: string, required: maybe}
        """,
        "fields.title.required",
        3,
        "got 'maybe'",
    )


def test_wrong_primary_key_kind(tmp_path):
    d = one_error(
        tmp_path, "resource: book\nprimary_key: serial\n", "primary_key", 2, "got 'serial'"
    )
    assert "'uuid'" in d.message and "'integer'" in d.message


def test_wrong_on_delete(tmp_path):
    one_error(
        tmp_path,
        "resource: book\nfields:\n  author: {type: relation, to: author, on_delete: destroy}\n",
        "fields.author.on_delete",
        3,
        "got 'destroy'",
    )


@pytest.mark.parametrize("text", ["", "# nothing here\n", "- resource: book\n", "book\n"])
def test_empty_or_non_mapping_file(tmp_path, text):
    d = only(errors(tmp_path, {"book.yaml": text}))
    assert d.file == "schemas/book.yaml"
    assert "a resource file must be a mapping with at least a 'resource' key" in d.message


def test_no_schema_files(tmp_path):
    d = only(errors(tmp_path, {}))
    assert d.file == "schemagen.toml"
    assert "no resource schemas in schemas/" in d.message


def test_toml_shape_errors_name_the_file_line_and_path(tmp_path):
    files = {"book.toml": 'resource = "book"\n[fields]\ntitle = "string(200) requird"\n'}
    d = only(errors(tmp_path, files))
    expect(d, "fields.title", 3, "did you mean 'required'?", file="schemas/book.toml", column=1)


@pytest.mark.parametrize(
    ("license", "valid"),
    [
        ("MIT", True),
        ("Apache-2.0 OR MIT", True),
        ("(MIT AND BSD-3-Clause) OR GPL-2.0-or-later WITH Classpath-exception-2.0", True),
        ("LicenseRef-Acme-1", True),
        ("My own licence", False),
        ("MIT or Apache-2.0", False),
        ("MIT\nOR Apache-2.0", False),
    ],
)
def test_the_license_is_an_spdx_expression(tmp_path, license: str, valid: bool) -> None:
    """OpenAPI's license `identifier` is an SPDX expression, so the project's license is one."""
    root = make_project(tmp_path, {"author.yaml": AUTHOR})
    config = root / "schemagen.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("[project]\n", f"[project]\nlicense = {json.dumps(license)}\n"))
    if valid:
        assert compile_project(root).project.license == license
    else:
        d = only(errors_of(root))
        assert d.file == "schemagen.toml" and d.path == ("project", "license"), d
        assert "is no SPDX license expression" in d.message, d


def errors_of(root: Path) -> list[Diagnostic]:
    with pytest.raises(SchemaError) as info:
        compile_project(root)
    return info.value.diagnostics


# --- names ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["a..b", "a/b", "Book", "a__b", "book_", "_book", "1book", "bo-ok", "bo ok"],
)
def test_invalid_resource_names(tmp_path, name):
    d = only(errors(tmp_path, {"weird.yaml": f'resource: "{name}"\n'}))
    expect(
        d, "resource", 1, f"resource name '{name}' must be snake_case", file="schemas/weird.yaml"
    )


def test_resource_name_too_long(tmp_path):
    name = "a" * 41
    d = only(errors(tmp_path, {f"{name}.yaml": f"resource: {name}\n"}))
    expect(
        d,
        "resource",
        1,
        f"resource name '{name}' is 41 characters; the limit is 40",
        file=f"schemas/{name}.yaml",
    )


@pytest.mark.parametrize("name", ["actions", "class", "api", "models", "import", "match"])
def test_reserved_resource_names(tmp_path, name):
    d = only(errors(tmp_path, {f"{name}.yaml": f"resource: {name}\n"}))
    expect(d, "resource", 1, f"resource name '{name}' is reserved", file=f"schemas/{name}.yaml")


def test_no_resource_can_take_the_name_of_a_project_wide_test_module():
    # `resource: row_level_security` with row-level security once made two
    # tests/test_row_level_security.py, and build stopped with exit 3.
    from schemagen.validate import RESERVED_RESOURCES

    project_wide = {
        path.name.removeprefix("test_").removesuffix(".py.j2")
        for path in (REPO / "templates" / "tests").glob("test_*.py.j2")
    } - {"resource"}
    assert project_wide and project_wide <= RESERVED_RESOURCES


def test_a_resource_named_row_level_security_is_refused(tmp_path):
    text = "resource: row_level_security\ntraits: [tenant]\nfields: {title: string}\n"
    d = only(errors(tmp_path, {"row_level_security.yaml": text}))
    expect(
        d,
        "resource",
        1,
        "resource name 'row_level_security' is reserved",
        file="schemas/row_level_security.yaml",
    )


def test_table_name_invalid_and_reserved(tmp_path):
    diagnostics = errors(
        tmp_path,
        {
            "book.yaml": "resource: book\ntable: Books\n",
            "page.yaml": "resource: page\ntable: healthz\n",
        },
    )
    assert len(diagnostics) == 2
    expect(diagnostics[0], "table", 2, "table name 'Books' must be snake_case")
    expect(diagnostics[1], "table", 2, "table name 'healthz' is reserved", file="schemas/page.yaml")


def test_model_name_invalid_and_reserved(tmp_path):
    diagnostics = errors(
        tmp_path,
        {
            "book.yaml": "resource: book\nmodel: my_book\n",
            "page.yaml": "resource: page\nmodel: Base\n",
        },
    )
    assert len(diagnostics) == 2
    expect(diagnostics[0], "model", 2, "model name 'my_book' must be PascalCase")
    expect(
        diagnostics[1],
        "model",
        2,
        "model name 'Base' clashes with a name the generated code imports",
        file="schemas/page.yaml",
    )


@pytest.mark.parametrize(
    ("text", "path", "line", "messages"),
    [
        (
            "resource: bulk_run\n",
            "resource",
            1,
            ["model name 'BulkRun' is reserved", "table name 'bulk_runs' is reserved"],
        ),
        ("resource: book\ntable: audit_log\n", "table", 2, ["table name 'audit_log' is reserved"]),
        (
            "resource: audit_log_entry\ntable: entries\n",
            "resource",
            1,
            [
                "model name 'AuditLogEntry' is reserved for the generated project's own model; set 'model'"
            ],
        ),
        ("resource: book\nmodel: BulkRun\n", "model", 2, ["model name 'BulkRun' is reserved"]),
    ],
)
def test_system_table_and_model_names_are_reserved(tmp_path, text, path, line, messages):
    # Whether or not a resource has `audit` or `bulk` yet: adding one later must not break names.
    name = text.split("\n")[0].removeprefix("resource: ")
    found = errors(tmp_path, {f"{name}.yaml": text})
    assert len(found) == len(messages), "\n".join(map(str, found))
    for diagnostic, message in zip(found, messages, strict=True):
        expect(diagnostic, path, line, message, file=f"schemas/{name}.yaml")


def test_a_junction_table_cannot_take_a_system_table_name(tmp_path):
    d = only(
        errors(
            tmp_path,
            book(
                "resource: book\nfields:\n  tags: {type: many_to_many, to: author, through: bulk_runs}\n",
                author=AUTHOR,
            ),
        )
    )
    expect(d, "fields.tags.through", 3, "junction table 'bulk_runs' is reserved")


def test_an_array_can_be_indexed(tmp_path):
    compiled = compile_ok(tmp_path, book("resource: book\nfields:\n  tags: array(string) index\n"))
    assert [i.using for i in compiled.project.resource("book").indexes] == ["gin"]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("Title", "field name 'Title' must be snake_case"),
        ("a__b", "must be snake_case"),
        ("id", "'id' is the primary key"),
    ],
)
def test_invalid_field_names(tmp_path, name, message):
    one_error(
        tmp_path, f"resource: book\nfields:\n  {name}: string\n", f"fields.{name}", 3, message
    )


def test_keyword_field_names_are_valid(tmp_path):
    compiled = compile_ok(
        tmp_path,
        book(
            """\
            resource: book
            fields:
              from: string
              class: string
              order: integer
              type: string
              default: string
              async: boolean
              select: text
              import: date
              metadata: json
              match: string
            indexes:
              - {fields: [from, order]}
            checks:
              - {name: order_positive, expr: "\\"order\\" > 0"}
            actions:
              list: {sort: [order], sortable: [class, type], searchable: [select]}
            """
        ),
    )
    resource = compiled.project.resource("book")
    assert [f.name for f in resource.fields][:8] == [
        "from",
        "class",
        "order",
        "type",
        "default",
        "async",
        "select",
        "import",
    ]


def test_duplicate_resource_name_across_files(tmp_path):
    diagnostics = errors(
        tmp_path, {"book.yaml": "resource: book\n", "novel.yaml": "resource: book\n"}
    )
    errs = [d for d in diagnostics if d.level == "error"]
    expect(
        only(errs),
        "resource",
        1,
        "resource name 'book' is already used by schemas/book.yaml",
        file="schemas/novel.yaml",
    )


def test_duplicate_table_and_model_names_across_files(tmp_path):
    diagnostics = errors(
        tmp_path,
        {
            "book.yaml": "resource: book\ntable: items\nmodel: Item\n",
            "page.yaml": "resource: page\ntable: items\nmodel: Item\n",
        },
    )
    assert len(diagnostics) == 2
    expect(
        diagnostics[0],
        "table",
        2,
        "table name 'items' is already used by schemas/book.yaml",
        file="schemas/page.yaml",
    )
    expect(
        diagnostics[1],
        "model",
        3,
        "model name 'Item' is already used by schemas/book.yaml",
        file="schemas/page.yaml",
    )


def test_explicit_table_colliding_with_a_derived_one(tmp_path):
    d = only(
        errors(
            tmp_path,
            {"book.yaml": "resource: book\n", "page.yaml": "resource: page\ntable: books\n"},
        )
    )
    expect(
        d,
        "table",
        2,
        "table name 'books' is already used by schemas/book.yaml",
        file="schemas/page.yaml",
    )


def test_junction_table_collides_with_a_resource_table(tmp_path):
    d = only(
        errors(
            tmp_path,
            {
                "book.yaml": "resource: book\nfields:\n  tags: {type: many_to_many, to: tag}\n",
                "tag.yaml": "resource: tag\n",
                "book_tag.yaml": "resource: book_tag\ntable: books_tags\n",
            },
        )
    )
    expect(
        d,
        "fields.tags.type",
        3,
        "junction table 'books_tags' collides with a table of schemas/book_tag.yaml; set 'through'",
    )


def test_explicit_through_collides_with_a_resource_table(tmp_path):
    d = only(
        errors(
            tmp_path,
            {
                "book.yaml": "resource: book\nfields:\n  tags: {type: many_to_many, to: tag, through: tags}\n",
                "tag.yaml": "resource: tag\n",
            },
        )
    )
    expect(
        d,
        "fields.tags.through",
        3,
        "junction table 'tags' collides with a table of schemas/tag.yaml; choose another 'through'",
    )


def test_two_junctions_with_the_same_through(tmp_path):
    d = only(
        errors(
            tmp_path,
            {
                "book.yaml": "resource: book\nfields:\n  tags: {type: many_to_many, to: tag, through: taggings}\n",
                "page.yaml": "resource: page\nfields:\n  tags: {type: many_to_many, to: tag, through: taggings}\n",
                "tag.yaml": "resource: tag\n",
            },
        )
    )
    expect(
        d,
        "fields.tags.through",
        3,
        "junction table 'taggings' collides with a table of schemas/book.yaml",
        file="schemas/page.yaml",
    )


def test_invalid_through_name(tmp_path):
    one_error(
        tmp_path,
        "resource: book\nfields:\n  writers: {type: many_to_many, to: author, through: Book-Writers}\n",
        "fields.writers.through",
        3,
        "junction table name 'Book-Writers' must be snake_case",
    )


# --- enums ----------------------------------------------------------------------------------------


def test_enum_default_outside_values(tmp_path):
    one_error(
        tmp_path,
        """\
        resource: book
        fields:
          status:
            type: enum
            values: [draft, published]
            default: publised
        """,
        "fields.status.default",
        6,
        "default 'publised' is not one of the enum values (draft, published); did you mean 'published'?",
    )


def test_enum_without_values(tmp_path):
    one_error(
        tmp_path,
        "resource: book\nfields:\n  status: {type: enum}\n",
        "fields.status.values",
        3,
        "an enum needs 'values'",
    )


def test_enum_with_empty_values(tmp_path):
    one_error(
        tmp_path,
        "resource: book\nfields:\n  status: {type: enum, values: []}\n",
        "fields.status.values",
        3,
        "an enum needs 'values'",
        column=24,
    )


def test_duplicate_enum_values(tmp_path):
    one_error(
        tmp_path,
        """\
        resource: book
        fields:
          status:
            type: enum
            values:
              - draft
              - {value: published, label: Out}
              - draft
        """,
        "fields.status.values[2]",
        8,
        "enum value 'draft' is listed twice",
    )


def test_enum_shorthand_values_and_labels(tmp_path):
    compiled = compile_ok(
        tmp_path,
        book(
            """\
            resource: book
            fields:
              status: enum(draft, published) required
              kind: {type: enum, values: [{value: ebook, label: E-book}, paper], default: paper}
            """
        ),
    )
    resource = compiled.project.resource("book")
    assert resource.field("status").enum.values == ("draft", "published")
    assert [(o.value, o.label) for o in resource.field("kind").enum.options] == [
        ("ebook", "E-book"),
        ("paper", "Paper"),
    ]


# --- references to fields -------------------------------------------------------------------------

FIELDS = """\
resource: book
traits: [timestamps]
fields:
  title: string(200)
  body: text
  price: decimal(10,2)
  author: {type: relation, to: author}
  settings: json
"""


def field_error(tmp_path: Path, tail: str, path: str, line: int, message: str) -> Diagnostic:
    return one_error(tmp_path, FIELDS + textwrap.dedent(tail), path, line, message)


def test_index_names_unknown_field(tmp_path):
    field_error(
        tmp_path,
        "indexes:\n  - {fields: [title, prise]}\n",
        "indexes[0].fields[1]",
        10,
        "index names unknown field 'prise'; did you mean 'price'?",
    )


def test_index_on_trait_and_relation_columns_is_fine(tmp_path):
    compile_ok(
        tmp_path,
        book(
            FIELDS
            + "indexes:\n  - {fields: [author, created_at]}\n  - {fields: [author_id, id]}\n",
            author=AUTHOR,
        ),
    )


def test_index_lists_a_field_twice(tmp_path):
    field_error(
        tmp_path,
        "indexes:\n  - {fields: [title, title]}\n",
        "indexes[0].fields",
        10,
        "an index lists the same field twice",
    )


def test_index_on_json_field(tmp_path):
    field_error(
        tmp_path,
        "indexes:\n  - {fields: [settings]}\n",
        "indexes[0].fields[0]",
        10,
        "cannot index the json field 'settings'",
    )


def test_index_names_used_twice(tmp_path):
    diagnostics = errors(
        tmp_path,
        book(
            FIELDS
            + "indexes:\n  - {fields: [title], name: ix_a}\n  - {fields: [price], name: ix_a}\n",
            author=AUTHOR,
        ),
    )
    assert len(diagnostics) == 2
    expect(diagnostics[0], "indexes[0].name", 10, "index name 'ix_a' is used twice")
    expect(diagnostics[1], "indexes[1].name", 11, "index name 'ix_a' is used twice")


def test_check_names_unknown_column(tmp_path):
    field_error(
        tmp_path,
        "checks:\n  - {name: positive, expr: 'prise >= 0'}\n",
        "checks[0].expr",
        10,
        "the expression names unknown column 'prise'; did you mean 'price'?",
    )


def test_check_name_used_twice_and_invalid(tmp_path):
    diagnostics = errors(
        tmp_path,
        book(
            FIELDS
            + "checks:\n  - {name: Pos, expr: 'price > 0'}\n  - {name: Pos, expr: 'price < 9'}\n",
            author=AUTHOR,
        ),
    )
    messages = [(d.key_path, d.message) for d in diagnostics]
    assert ("checks[0].name", "check name 'Pos' is used twice") in messages
    assert any(path == "checks[0].name" and "must be snake_case" in m for path, m in messages)


def test_partial_index_where_names_unknown_column(tmp_path):
    field_error(
        tmp_path,
        "indexes:\n  - {fields: [title], where: 'closed_at IS NOT NULL'}\n",
        "indexes[0].where",
        10,
        "the expression names unknown column 'closed_at'",
    )


@pytest.mark.parametrize(
    "expr",
    [
        "lower(title) <> 'bogus words here' AND price BETWEEN 0 AND 1.5e3",
        "title IN ('a', 'b') OR author_id IS NOT NULL",
        "CASE WHEN price > 0 THEN true ELSE false END",
        "coalesce(updated_at, created_at) >= CURRENT_TIMESTAMP",
        "\"title\" LIKE 'a%' ESCAPE '!' AND author IS NULL AND id IS NOT NULL",
        "title <> 'it''s unknown' AND CAST(price AS INTEGER) > 0 AND price::numeric > 0",
        "length(body) > 3 AND title NOT LIKE 'x' AND NOT (price < 0)",
    ],
)
def test_expressions_do_not_flag_keywords_functions_or_strings(tmp_path, expr):
    text = (
        FIELDS + "checks:\n  - name: ok\n    expr: " + json.dumps(expr) + "\n"
    )  # JSON strings are YAML too
    compile_ok(tmp_path, book(text, author=AUTHOR))


def test_expression_names_are_case_sensitive(tmp_path):
    field_error(
        tmp_path,
        "checks:\n  - {name: c, expr: 'Price > 0'}\n",
        "checks[0].expr",
        10,
        "unknown column 'Price'; did you mean 'price'?",
    )


@pytest.mark.parametrize(
    "expr", ["price > 0; DROP TABLE books", "price > 0 -- sneaky", "price /* x */ > 0"]
)
def test_expressions_cannot_hide_statements(tmp_path, expr):
    field_error(
        tmp_path,
        f'checks:\n  - {{name: c, expr: "{expr}"}}\n',
        "checks[0].expr",
        10,
        "an expression cannot contain ';', '--' or '/*'",
    )


def test_empty_expression(tmp_path):
    field_error(
        tmp_path,
        "checks:\n  - {name: c, expr: '  '}\n",
        "checks[0].expr",
        10,
        "the expression is empty",
    )


def test_list_sort_names_unknown_field(tmp_path):
    field_error(
        tmp_path,
        "actions:\n  list: {sort: [-titel]}\n",
        "actions.list.sort[0]",
        10,
        "sort names unknown field 'titel'; did you mean 'title'?",
    )


def test_list_sortable_names_unknown_field(tmp_path):
    field_error(
        tmp_path,
        "actions:\n  list: {sortable: [price, nope]}\n",
        "actions.list.sortable[1]",
        10,
        "sortable names unknown field 'nope'",
    )


def test_list_sortable_json_field(tmp_path):
    field_error(
        tmp_path,
        "actions:\n  list: {sortable: [settings]}\n",
        "actions.list.sortable[0]",
        10,
        "cannot sort by the json field 'settings'",
    )


def test_list_searchable_names_unknown_field(tmp_path):
    field_error(
        tmp_path,
        "actions:\n  list: {searchable: [titl]}\n",
        "actions.list.searchable[0]",
        10,
        "searchable names unknown field 'titl'; did you mean 'title'?",
    )


def test_list_searchable_needs_a_text_field(tmp_path):
    field_error(
        tmp_path,
        "actions:\n  list: {searchable: [price]}\n",
        "actions.list.searchable[0]",
        10,
        "only text fields can be searchable; 'price' is not one",
    )


def test_list_filterable_json_field(tmp_path):
    field_error(
        tmp_path,
        "actions:\n  list: {filterable: [settings]}\n",
        "actions.list.filterable[0]",
        10,
        "a json field cannot be filterable",
    )


def test_list_page_sizes(tmp_path):
    diagnostics = errors(
        tmp_path,
        book(FIELDS + "actions:\n  list: {page_size: 0, max_page_size: -1}\n", author=AUTHOR),
    )
    assert [(d.key_path, d.line) for d in diagnostics] == [
        ("actions.list.page_size", 10),
        ("actions.list.max_page_size", 10),
    ]
    assert "page_size must be at least 1" in diagnostics[0].message
    assert "max_page_size -1 is below page_size 0" in diagnostics[1].message


def test_bulk_batch_size(tmp_path):
    field_error(
        tmp_path,
        "actions:\n  bulk: {batch_size: 0}\n",
        "actions.bulk.batch_size",
        10,
        "batch_size must be at least 1",
    )


def test_export_needs_the_list(tmp_path):
    field_error(
        tmp_path,
        "actions:\n  list: false\n  export: true\n",
        "actions.export",
        11,
        "export streams the rows the list's parameters select: it needs the list action",
    )


def test_export_refuses_a_filter_called_format(tmp_path):
    one_error(
        tmp_path,
        "resource: book\nfields:\n  format: {type: string, filterable: true}\n"
        "actions:\n  export: true\n",
        "actions.export",
        5,
        "the export's 'format' parameter would be the filter on the field 'format'",
    )


def test_export_is_a_yes_or_no(tmp_path):
    field_error(
        tmp_path, "actions:\n  export: {format: csv}\n", "actions.export", 10, "valid boolean"
    )


def test_ui_table_names_unknown_field(tmp_path):
    field_error(
        tmp_path,
        "ui:\n  table: {columns: [title, prize]}\n",
        "ui.table.columns[1]",
        10,
        "ui.table names unknown field 'prize'; did you mean 'price'?",
    )


def test_ui_form_names_unknown_field(tmp_path):
    field_error(
        tmp_path,
        "ui:\n  form: {fields: [autor]}\n",
        "ui.form.fields[0]",
        10,
        "ui.form names unknown field 'autor'; did you mean 'author'?",
    )


def test_ui_default_sort_names_unknown_field(tmp_path):
    field_error(
        tmp_path,
        "ui:\n  table: {default_sort: [-creatd_at]}\n",
        "ui.table.default_sort[0]",
        10,
        "default_sort names unknown field 'creatd_at'; did you mean 'created_at'?",
    )


def test_title_field_names_unknown_field(tmp_path):
    field_error(
        tmp_path,
        "display: {title_field: titel}\n",
        "display.title_field",
        9,
        "title_field names unknown field 'titel'; did you mean 'title'?",
    )


# --- field options --------------------------------------------------------------------------------


def test_decimal_scale_above_precision(tmp_path):
    one_error(
        tmp_path,
        "resource: book\nfields:\n  price: decimal(5,7)\n",
        "fields.price.scale",
        3,
        "scale 7 is above precision 5",
    )


def test_decimal_precision_out_of_range(tmp_path):
    one_error(
        tmp_path,
        "resource: book\nfields:\n  price: {type: decimal, precision: 70}\n",
        "fields.price.precision",
        3,
        "precision must be between 1 and 65, got 70",
    )


def test_set_null_on_a_required_relation(tmp_path):
    one_error(
        tmp_path,
        """\
        resource: book
        fields:
          author:
            type: relation
            to: author
            required: true
            on_delete: set_null
        """,
        "fields.author.on_delete",
        7,
        "on_delete: set_null needs an optional relation, but this one is required",
    )


def test_a_required_relation_to_its_own_resource_is_refused(tmp_path):
    # It built a project whose every create needed an existing row first: its own suite failed.
    one_error(
        tmp_path,
        "resource: book\nfields:\n  sequel_of: {type: relation, to: book, required: true}\n",
        "fields.sequel_of.required",
        3,
        "required relations form a loop (book -> book): no row could be created first",
    )


def test_a_loop_of_required_relations_is_refused_at_each_relation(tmp_path):
    files = book(
        "resource: book\nfields:\n  author: {type: relation, to: author, required: true}\n",
        author="resource: author\nfields:\n  first_book: {type: relation, to: book, required: true}\n",
    )
    diagnostics = errors(tmp_path, files)
    assert [(d.file, d.key_path) for d in diagnostics] == [
        ("schemas/author.yaml", "fields.first_book.required"),
        ("schemas/book.yaml", "fields.author.required"),
    ], "\n".join(map(str, diagnostics))
    assert "(book -> author -> book)" in diagnostics[1].message


@pytest.mark.parametrize(
    "relation",
    ["{type: relation, to: book}", "{type: relation, to: book, required: true, nullable: true}"],
)
def test_an_optional_or_nullable_relation_breaks_the_loop(tmp_path, relation):
    compile_ok(tmp_path, book(f"resource: book\nfields:\n  sequel_of: {relation}\n"))


def test_set_null_on_a_required_but_nullable_relation_is_fine(tmp_path):
    compile_ok(
        tmp_path,
        book(
            "resource: book\nfields:\n  author: {type: relation, to: author, required: true, nullable: true, on_delete: set_null}\n",
            author=AUTHOR,
        ),
    )


@pytest.mark.parametrize(
    ("spec", "key", "message"),
    [
        ("string(0)", "max_length", "max_length must be positive, got 0"),
        ("{type: text, max_length: -5}", "max_length", "max_length must be positive, got -5"),
        ("{type: string, min_length: -1}", "min_length", "min_length cannot be negative, got -1"),
    ],
)
def test_non_positive_lengths(tmp_path, spec, key, message):
    one_error(
        tmp_path, f"resource: book\nfields:\n  title: {spec}\n", f"fields.title.{key}", 3, message
    )


def test_string_longer_than_mysql_allows(tmp_path):
    one_error(
        tmp_path,
        "resource: book\nfields:\n  title: string(20000)\n",
        "fields.title.max_length",
        3,
        "string max_length is at most 16383; use text",
    )


def test_min_length_above_max_length(tmp_path):
    one_error(
        tmp_path,
        "resource: book\nfields:\n  title: {type: string, min_length: 5, max_length: 3}\n",
        "fields.title.min_length",
        3,
        "min_length 5 is above max_length 3",
    )


def test_min_above_max(tmp_path):
    one_error(
        tmp_path,
        "resource: book\nfields:\n  pages: {type: integer, min: 10, max: 1}\n",
        "fields.pages.min",
        3,
        "min 10 is above max 1",
    )


def test_invalid_regex_pattern(tmp_path):
    one_error(
        tmp_path,
        "resource: book\nfields:\n  isbn: {type: string, pattern: '[0-9'}\n",
        "fields.isbn.pattern",
        3,
        "invalid regular expression: unterminated character set",
    )


@pytest.mark.parametrize(
    ("spec", "option", "message"),
    [
        (
            "{type: string, precision: 3}",
            "precision",
            "'precision' does not apply to type string (it applies to: decimal)",
        ),
        (
            "{type: integer, max_length: 3}",
            "max_length",
            "'max_length' does not apply to type integer",
        ),
        (
            "{type: string, of: string}",
            "of",
            "'of' does not apply to type string (it applies to: array)",
        ),
        (
            "{type: string, to: author}",
            "to",
            "'to' does not apply to type string (it applies to: relation, many_to_many)",
        ),
        (
            "{type: many_to_many, to: author, on_delete: cascade}",
            "on_delete",
            "'on_delete' does not apply to type many_to_many (it applies to: relation)",
        ),
        (
            "{type: relation, to: author, through: x}",
            "through",
            "'through' does not apply to type relation",
        ),
        (
            "{type: string, values: [a]}",
            "values",
            "'values' does not apply to type string (it applies to: enum)",
        ),
        ("{type: date, min: 1}", "min", "'min' does not apply to type date"),
        ("{type: integer, pattern: '^1'}", "pattern", "'pattern' does not apply to type integer"),
    ],
)
def test_options_that_do_not_apply_to_the_type(tmp_path, spec, option, message):
    one_error(
        tmp_path,
        f"resource: book\nfields:\n  thing: {spec}\n",
        f"fields.thing.{option}",
        3,
        message,
    )


@pytest.mark.parametrize(
    ("spec", "flag", "message"),
    [
        ("{type: json, unique: true}", "unique", "json fields cannot be unique"),
        ("{type: array, of: string, unique: true}", "unique", "array fields cannot be unique"),
        ("{type: json, index: true}", "index", "json fields cannot be indexed"),
        ("{type: json, sortable: true}", "sortable", "json fields cannot be sortable"),
        ("{type: json, filterable: true}", "filterable", "json fields cannot be filterable"),
        (
            "{type: integer, searchable: true}",
            "searchable",
            "only text fields can be searchable, not integer",
        ),
    ],
)
def test_flags_that_do_not_fit_the_type(tmp_path, spec, flag, message):
    one_error(
        tmp_path, f"resource: book\nfields:\n  thing: {spec}\n", f"fields.thing.{flag}", 3, message
    )


def test_array_needs_a_scalar_item_type(tmp_path):
    diagnostics = errors(
        tmp_path,
        book(
            "resource: book\nfields:\n  a: {type: array}\n  b: {type: array, of: strin}\n  c: array(json)\n"
        ),
    )
    assert len(diagnostics) == 3
    expect(diagnostics[0], "fields.a", 3, "an array needs 'of'")
    expect(diagnostics[1], "fields.b.of", 4, "not 'strin'; did you mean 'string'?")
    expect(diagnostics[2], "fields.c.of", 5, "not 'json'")


def test_relation_needs_a_target(tmp_path):
    one_error(
        tmp_path,
        "resource: book\nfields:\n  author: relation\n",
        "fields.author",
        3,
        "a relation needs 'to', the target resource",
    )


@pytest.mark.parametrize("flag", ["unique", "index"])
def test_text_unique_or_index_with_mysql(tmp_path, flag):
    one_error(
        tmp_path,
        f"resource: book\nfields:\n  body: text {flag}\n",
        f"fields.body.{flag}",
        3,
        "MySQL cannot index a text column; use string(n) or drop mysql from [database] dialects",
        dialects=("sqlite", "mysql"),
    )


def test_text_unique_without_mysql_is_fine(tmp_path):
    compile_ok(
        tmp_path,
        book("resource: book\nfields:\n  body: text unique\n"),
        dialects=("sqlite", "postgresql"),
    )


def test_enum_value_outside_utf8mb3_with_mysql(tmp_path):
    one_error(
        tmp_path,
        'resource: book\nfields:\n  kind: {type: enum, values: [plain, "\U0001f680 launch"]}\n',
        "fields.kind.values[1]",
        3,
        "MySQL cannot hold '\U0001f680' (U+1F680) in an enum value: its enum lists are utf8mb3; "
        "use a label for it, or drop mysql from [database] dialects",
        dialects=("sqlite", "mysql"),
    )


def test_enum_value_outside_utf8mb3_without_mysql_is_fine(tmp_path):
    compile_ok(
        tmp_path,
        book(
            'resource: book\nfields:\n  kind: {type: enum, values: ["\U0001f680 launch", "\u2602 rain"]}\n'
        ),
        dialects=("sqlite", "postgresql"),
    )


def test_renamed_from_still_a_field(tmp_path):
    one_error(
        tmp_path,
        "resource: book\nfields:\n  title: {type: string, renamed_from: name}\n  name: string\n",
        "fields.title.renamed_from",
        3,
        "'name' is still a field",
    )


# --- defaults -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("{type: string, default: 5}", "the default of a string must be a string, got 5"),
        (
            "{type: string, max_length: 3, default: abcd}",
            "default is 4 characters, above max_length 3",
        ),
        (
            "{type: string, min_length: 3, default: ab}",
            "default is 2 characters, below min_length 3",
        ),
        (
            "{type: string, pattern: '^[0-9]+$', default: abc}",
            "default 'abc' does not match pattern '^[0-9]+$'",
        ),
        ("{type: text, default: [a]}", "the default of a text must be a string, got ['a']"),
        ("{type: email, default: 3}", "the default of a email must be a string"),
        ("{type: url, default: true}", "the default of a url must be a string, got True"),
        (
            "{type: integer, default: '3'}",
            "the default of an integer must be a whole number, got '3'",
        ),
        (
            "{type: integer, default: 1.5}",
            "the default of an integer must be a whole number, got 1.5",
        ),
        (
            "{type: integer, default: true}",
            "the default of an integer must be a whole number, got True",
        ),
        (
            "{type: bigint, default: abc}",
            "the default of an bigint must be a whole number, got 'abc'",
        ),
        ("{type: integer, min: 0, default: -1}", "default -1 is below min 0"),
        ("{type: integer, max: 10, default: 11}", "default 11 is above max 10"),
        ("{type: float, default: x}", "the default of a float must be a number, got 'x'"),
        ("{type: float, default: false}", "the default of a float must be a number, got False"),
        ("{type: float, min: 0.5, default: 0.25}", "default 0.25 is below min 0.5"),
        ("{type: decimal, default: abc}", "the default of a decimal must be a number, got 'abc'"),
        ("{type: decimal, default: true}", "the default of a decimal must be a number, got True"),
        ("{type: decimal, default: .inf}", "the default of a decimal must be a number"),
        (
            "{type: decimal, precision: 5, scale: 2, default: 1.234}",
            "default 1.234 has more than 2 decimal places",
        ),
        ("{type: decimal, scale: 0, default: 1.5}", "default 1.5 has more than 0 decimal places"),
        ("{type: decimal, max: 100, default: '100.01'}", "default 100.01 is above max 100"),
        (
            "{type: boolean, default: 'yes'}",
            "the default of a boolean must be true or false, got 'yes'",
        ),
        (
            "{type: boolean, default: on}",
            "the default of a boolean must be true or false, got 'on'",
        ),
        ("{type: boolean, default: 1}", "the default of a boolean must be true or false, got 1"),
        (
            "{type: date, default: tomorrow}",
            "default 'tomorrow' is not a valid date (ISO 8601 or 'today')",
        ),
        ("{type: date, default: 2024-02-30}", "default '2024-02-30' is not a valid date"),
        ("{type: date, default: 20240101}", "the default of a date must be a string, got 20240101"),
        (
            "{type: datetime, default: yesterday}",
            "default 'yesterday' is not a valid datetime (ISO 8601 or 'now')",
        ),
        ("{type: datetime, default: today}", "default 'today' is not a valid datetime"),
        # Valid ISO 8601, but no moment in UTC: the build once stopped with exit 3.
        (
            "{type: datetime, default: '9999-12-31T23:59:59-14:00'}",
            "default '9999-12-31T23:59:59-14:00' is outside the years 1 to 9999 in UTC",
        ),
        (
            "{type: array, of: datetime, default: ['0001-01-01T00:00:00+14:00']}",
            "array default item '0001-01-01T00:00:00+14:00': default '0001-01-01T00:00:00+14:00'"
            + " is outside the years 1 to 9999 in UTC",
        ),
        ("{type: time, default: '25:00'}", "default '25:00' is not a valid time (ISO 8601)"),
        ("{type: time, default: now}", "default 'now' is not a valid time"),
        (
            "{type: uuid, default: not-a-uuid}",
            "default 'not-a-uuid' is not a valid uuid (e.g. 123e4567-",
        ),
        (
            "{type: enum, values: [a, b], default: c}",
            "default 'c' is not one of the enum values (a, b)",
        ),
        ("{type: array, of: integer, default: 3}", "the default of an array must be a list, got 3"),
        (
            "{type: array, of: integer, default: [1, x]}",
            "array default item 'x': the default of an integer must be a whole number, got 'x'",
        ),
        (
            "{type: array, of: date, default: [2024-01-01, nope]}",
            "array default item 'nope': default 'nope' is not a valid date",
        ),
        # The generated API refuses these as input, and a row written with them breaks the
        # document every response is described by: validate once took them.
        ("{type: url, default: not a url}", "default 'not a url' is not a valid url"),
        ("{type: url, default: 'https://example.com/a b'}", "is not a valid url"),
        ('{type: url, default: "https://example.com/\\n"}', "is not a valid url"),
        ("{type: email, default: nope}", "default 'nope' is not a valid email (An email"),
        ('{type: email, default: "a@b.io\\n"}', "default 'a@b.io\\n' is not a valid email"),
        (
            "{type: array, of: url, default: ['https://a.io/', 'b.io']}",
            "array default item 'b.io': default 'b.io' is not a valid url",
        ),
        ("{type: relation, to: author, default: abc}", "a relation cannot have a default"),
        (
            "{type: many_to_many, to: author, default: [abc]}",
            "a many_to_many cannot have a default",
        ),
    ],
)
def test_defaults_of_the_wrong_type(tmp_path, spec, message):
    one_error(
        tmp_path, f"resource: book\nfields:\n  thing: {spec}\n", "fields.thing.default", 3, message
    )


@pytest.mark.parametrize(
    "spec",
    [
        "{type: string, max_length: 3, default: abc}",
        "{type: string, pattern: '^[0-9]+$', default: '123'}",
        "{type: text, default: ''}",
        "{type: email, default: a@b.example}",
        "{type: email, default: ann@host.test}",  # special-use domains are addresses to the API
        "{type: url, default: 'https://example.com/a?b=c#d'}",
        "{type: array, of: url, default: ['ftp://files.example.com/x']}",
        "{type: integer, min: 0, max: 10, default: 10}",
        "{type: bigint, default: 9007199254740993}",
        "{type: float, default: 1}",
        "{type: float, default: 2.5}",
        "{type: decimal, default: 1.25}",
        "{type: decimal, default: '1.25'}",
        "{type: decimal, scale: 0, default: 3}",
        "{type: boolean, default: false}",
        "{type: date, default: today}",
        "{type: date, default: 2024-02-29}",
        "{type: datetime, default: now}",
        "{type: datetime, default: '2024-01-02T10:00:00+02:00'}",
        "{type: datetime, default: '9999-12-31T09:59:59-14:00'}",  # 23:59:59 UTC
        "{type: time, default: '12:30'}",
        "{type: uuid, default: 123e4567-e89b-12d3-a456-426614174000}",
        "{type: json, default: {a: [1, 2]}}",
        "{type: json, default: [1, x]}",
        "{type: array, of: string, default: []}",
        "{type: array, of: integer, default: [1, 2]}",
        "{type: enum, values: [a, b], default: b}",
    ],
)
def test_defaults_that_fit(tmp_path, spec):
    compile_ok(tmp_path, book(f"resource: book\nfields:\n  thing: {spec}\n", author=AUTHOR))


# --- collisions between fields, traits and relations ---------------------------------------------


@pytest.mark.parametrize(
    ("trait", "column"),
    [
        ("timestamps", "created_at"),
        ("timestamps", "updated_at"),
        ("soft_delete", "deleted_at"),
        ("tenant", "tenant_id"),
        ("versioned", "version"),
        ("owned", "owner_id"),
        ("owned", "is_system"),
        ("branching", "branch_id"),
        ("branching", "branch_deleted"),
    ],
)
def test_field_colliding_with_a_trait_column(tmp_path, trait, column):
    one_error(
        tmp_path,
        f"resource: book\ntraits: [{trait}]\nfields:\n  {column}: string\n",
        f"fields.{column}",
        4,
        f"field '{column}' is added by the '{trait}' trait",
    )


def test_trait_listed_twice(tmp_path):
    one_error(
        tmp_path,
        "resource: book\ntraits: [timestamps, audit, timestamps]\n",
        "traits[2]",
        2,
        "trait 'timestamps' is listed twice",
    )


def test_branching_needs_uuid_keys(tmp_path):
    # Found by the feature matrix: integer ids in a (id, branch_id) key cannot autoincrement.
    one_error(
        tmp_path,
        "resource: book\nprimary_key: integer\ntraits: [branching]\n",
        "primary_key",
        2,
        "a branching resource needs 'primary_key: uuid'",
    )


def test_relation_and_its_id_field(tmp_path):
    one_error(
        tmp_path,
        "resource: book\nfields:\n  author: {type: relation, to: author}\n  author_id: integer\n",
        "fields.author",
        3,
        "relation 'author' uses the column 'author_id', which is also a field",
    )


def test_many_to_many_and_its_ids_field(tmp_path):
    one_error(
        tmp_path,
        "resource: book\nfields:\n  writers: {type: many_to_many, to: author}\n  writer_ids: json\n",
        "fields.writers",
        3,
        "many_to_many 'writers' is sent as 'writer_ids', which is also a field",
    )


def test_two_many_to_many_fields_with_one_api_name(tmp_path):
    one_error(
        tmp_path,
        "resource: book\nfields:\n  genre: {type: many_to_many, to: author}\n"
        "  genres: {type: many_to_many, to: author}\n",
        "fields.genres",
        4,
        "many_to_many 'genres' is sent as 'genre_ids', as is the field 'genre'",
    )


def test_unknown_relation_target_with_did_you_mean(tmp_path):
    one_error(
        tmp_path,
        "resource: book\nfields:\n  author: {type: relation, to: autor}\n",
        "fields.author.to",
        3,
        "unknown resource 'autor'; did you mean 'author'? (resources: author, book)",
    )


def test_unknown_relation_target_in_shorthand(tmp_path):
    one_error(
        tmp_path,
        "resource: book\nfields:\n  tags: many_to_many(tagg)\n",
        "fields.tags.to",
        3,
        "unknown resource 'tagg'",
    )


def test_inverse_name_collides_with_a_field_of_the_target(tmp_path):
    d = only(
        errors(
            tmp_path,
            {
                "book.yaml": "resource: book\nfields:\n  author: {type: relation, to: author}\n",
                "author.yaml": "resource: author\nfields:\n  books: integer\n",
            },
        )
    )
    expect(
        d,
        "fields.author",
        3,
        "the other side of this relation would be 'author.books', which is taken; set 'inverse'",
    )


def test_inverse_override_resolves_the_collision(tmp_path):
    compiled = compile_ok(
        tmp_path,
        {
            "book.yaml": "resource: book\nfields:\n  author: {type: relation, to: author, inverse: written}\n",
            "author.yaml": "resource: author\nfields:\n  books: integer\n",
        },
    )
    assert [i.name for i in compiled.project.resource("author").inverse_relations] == ["written"]


def test_inverse_override_colliding_with_a_field(tmp_path):
    d = only(
        errors(
            tmp_path,
            {
                "book.yaml": "resource: book\nfields:\n  author: {type: relation, to: author, inverse: name}\n",
                "author.yaml": AUTHOR,
            },
        )
    )
    expect(d, "fields.author.inverse", 3, "would be 'author.name', which is taken")


def test_two_inverse_overrides_with_the_same_name(tmp_path):
    diagnostics = errors(
        tmp_path,
        {
            "book.yaml": "resource: book\nfields:\n  author: {type: relation, to: author, inverse: works}\n  editor: {type: relation, to: author, inverse: works}\n",
            "author.yaml": AUTHOR,
        },
    )
    assert len(diagnostics) == 2
    expect(diagnostics[0], "fields.author.inverse", 3, "would be 'author.works', which is taken")
    expect(diagnostics[1], "fields.editor.inverse", 4, "would be 'author.works', which is taken")


def test_inverse_collision_across_files(tmp_path):
    diagnostics = errors(
        tmp_path,
        {
            "book.yaml": "resource: book\nfields:\n  author: {type: relation, to: author, inverse: items}\n",
            "page.yaml": "resource: page\nfields:\n  author: {type: relation, to: author, inverse: items}\n",
            "author.yaml": AUTHOR,
        },
    )
    assert [(d.file, d.key_path) for d in diagnostics] == [
        ("schemas/book.yaml", "fields.author.inverse"),
        ("schemas/page.yaml", "fields.author.inverse"),
    ]


def test_inverse_name_must_be_an_identifier(tmp_path):
    one_error(
        tmp_path,
        "resource: book\nfields:\n  author: {type: relation, to: author, inverse: Books}\n",
        "fields.author.inverse",
        3,
        "inverse name 'Books' must be snake_case",
    )


def test_two_relations_to_the_same_target_do_not_collide(tmp_path):
    compiled = compile_ok(
        tmp_path,
        book(
            "resource: book\nfields:\n  author: {type: relation, to: author}\n  editor: {type: relation, to: author}\n",
            author=AUTHOR,
        ),
    )
    assert [i.name for i in compiled.project.resource("author").inverse_relations] == [
        "books_as_author",
        "books_as_editor",
    ]


# --- custom actions -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "handler",
    ["bad handler", "module.func", "pkg.mod:", ":func", "pkg..mod:f", "pkg.mod:f:g", "1pkg:f"],
)
def test_custom_action_handler_format(tmp_path, handler):
    one_error(
        tmp_path,
        f"resource: book\nactions:\n  close:\n    handler: '{handler}'\n",
        "actions.close.handler",
        4,
        f"handler must be 'module.path:function', got '{handler}'",
    )


def test_custom_action_invalidates_unknown_resource(tmp_path):
    one_error(
        tmp_path,
        "resource: book\nactions:\n  close:\n    handler: acme_ext.books:close\n    invalidates: [book, autor]\n",
        "actions.close.invalidates[1]",
        5,
        "unknown resource 'autor'; did you mean 'author'?",
    )


def test_custom_action_input_fields_are_checked(tmp_path):
    diagnostics = errors(
        tmp_path,
        book(
            """\
            resource: book
            actions:
              close:
                input:
                  reason: strng
                  when: {type: datetime, default: later}
                  tags: {type: many_to_many, to: author}
                  code: {type: string, unique: true}
            """,
            author=AUTHOR,
        ),
    )
    # A shape error in the input hides the meaning errors of that file, as everywhere.
    expect(only(diagnostics), "actions.close.input.reason", 5, "unknown field type 'strng'")


def test_custom_action_input_meaning(tmp_path):
    diagnostics = errors(
        tmp_path,
        book(
            """\
            resource: book
            actions:
              close:
                input:
                  when: {type: datetime, default: later}
                  tags: {type: many_to_many, to: author}
                  code: {type: string, unique: true}
            """,
            author=AUTHOR,
        ),
    )
    assert [(d.key_path, d.line) for d in diagnostics] == [
        ("actions.close.input.when.default", 5),
        ("actions.close.input.tags.type", 6),
        ("actions.close.input.code.unique", 7),
    ]
    assert "not a valid datetime" in diagnostics[0].message
    assert "action inputs take relations, not many_to_many" in diagnostics[1].message
    assert "action inputs have no columns to index" in diagnostics[2].message


def test_a_relation_in_an_action_input_resolves_and_renders(tmp_path):
    from schemagen.build import render_project
    from schemagen.write import OutputFolder

    text = "resource: book\nfields: {title: string}\nactions:\n  lend:\n    input:\n      reader: {type: relation, to: author, required: true}\n"
    compiled = compile_ok(tmp_path, book(text, author=AUTHOR))
    [lend] = next(r for r in compiled.project.resources if r.name == "book").actions.custom
    assert [(f.name, f.relation.target) for f in lend.inputs] == [("reader", "author")]
    rendered, _ = render_project(compiled, OutputFolder(compiled.config.output_dir))
    for file in rendered:
        if file.path.endswith(".py"):
            ast.parse(file.content)


def test_custom_action_name_must_be_an_identifier(tmp_path):
    one_error(
        tmp_path,
        "resource: book\nactions:\n  Close: {handler: 'a.b:c'}\n",
        "actions.Close",
        3,
        "action name 'Close' must be snake_case",
    )


# --- whole runs -----------------------------------------------------------------------------------


def test_errors_in_several_files_are_all_reported_and_sorted(tmp_path):
    files = {
        "zebra.yaml": "resource: zebra\nfields:\n  stripes: {type: integer, min: 5, max: 1}\n  name: string(0)\n",
        "apple.yaml": "resource: apple\nfields:\n  kind: {type: enum, values: [a], default: b}\n",
        "mango.yaml": "resource: mango\nbogus: 1\n",
        "kiwi.toml": 'resource = "kiwi"\nfields = "oops"\n',
        "pear.yaml": "resource: pear\nfields: [\n",
    }
    diagnostics = errors(tmp_path, files)
    assert [(d.file, d.line, d.key_path) for d in diagnostics] == [
        ("schemas/apple.yaml", 3, "fields.kind.default"),
        ("schemas/kiwi.toml", 2, "fields"),
        ("schemas/mango.yaml", 2, "bogus"),
        ("schemas/pear.yaml", 3, ""),
        ("schemas/zebra.yaml", 3, "fields.stripes.min"),
        ("schemas/zebra.yaml", 4, "fields.name.max_length"),
    ]
    # The same input gives the same report, byte for byte.
    assert [str(d) for d in errors(tmp_path, files)] == [str(d) for d in diagnostics]


def test_shape_errors_do_not_cause_unknown_resource_errors_elsewhere(tmp_path):
    diagnostics = errors(
        tmp_path,
        {
            "author.yaml": "resource: author\nfields:\n  name: strng\n",
            "book.yaml": "resource: book\nfields:\n  author: {type: relation, to: author}\n  tags: many_to_many(author)\nactions:\n  close: {invalidates: [author]}\n",
        },
    )
    expect(
        only(diagnostics),
        "fields.name",
        3,
        "unknown field type 'strng'",
        file="schemas/author.yaml",
    )


def test_unknown_resource_is_still_reported_beside_a_broken_file(tmp_path):
    diagnostics = errors(
        tmp_path,
        {
            "author.yaml": "resource: author\nbogus: 1\n",
            "book.yaml": "resource: book\nfields:\n  author: {type: relation, to: author}\n  editor: {type: relation, to: editr}\n",
        },
    )
    assert [(d.file, d.key_path) for d in diagnostics] == [
        ("schemas/author.yaml", "bogus"),
        ("schemas/book.yaml", "fields.editor.to"),
    ]


def test_warning_for_file_name_does_not_fail(tmp_path):
    compiled = compile_ok(tmp_path, {"books.yaml": "resource: book\nfields:\n  title: string\n"})
    warning = only(compiled.warnings)
    assert (warning.level, warning.file, warning.key_path, warning.line) == (
        "warning",
        "schemas/books.yaml",
        "resource",
        1,
    )
    assert "file is named 'books' but defines resource 'book'; name it book.yaml" in warning.message


def test_warnings_ride_along_with_errors(tmp_path):
    diagnostics = errors(tmp_path, {"books.yaml": "resource: book\nfields:\n  n: string(0)\n"})
    assert sorted(d.level for d in diagnostics) == ["error", "warning"]


def test_a_full_resource_is_valid(tmp_path):
    office = """\
    resource: office
    label: Office
    description: A physical office.
    display: {icon: building, color: blue, title_field: name}
    traits: [timestamps, soft_delete, tenant, versioned, audit, owned]
    fields:
      name: string(200) required unique
      status:
        type: enum
        values: [active, inactive]
        default: active
        filterable: true
      region: {type: relation, to: region, on_delete: cascade}
      people: {type: many_to_many, to: person, through: office_people}
      budget: {type: decimal, precision: 12, scale: 2, min: 0}
      tags: {type: array, of: string}
      settings: {type: json}
      parent: {type: relation, to: office, on_delete: set_null}
      code: {type: string, max_length: 12, renamed_from: short_code}
      closed_at: datetime
    indexes:
      - {fields: [status, created_at]}
      - {fields: [closed_at], where: "closed_at IS NOT NULL"}
    checks:
      - {name: budget_positive, expr: "budget >= 0"}
    actions:
      list: {page_size: 50, max_page_size: 500, sort: [-created_at], sortable: [name, created_at], searchable: [name]}
      bulk: {dry_run: true, undo: true}
      close:
        input: {closed_at: datetime, reason: text}
        handler: acme_ext.offices:close
        invalidates: [office, person]
    ui:
      table: {columns: [name, status, region, created_at]}
      form: {fields: [name, status, region, budget, tags]}
    """
    compiled = compile_ok(
        tmp_path,
        {
            "office.yaml": textwrap.dedent(office),
            "region.yaml": "resource: region\nfields: {name: string}\n",
            "person.yaml": "resource: person\nfields: {name: string}\n",
        },
    )
    assert compiled.warnings == []
    assert [r.name for r in compiled.project.resources] == ["office", "person", "region"]


SOFT_AUTHOR = "resource: author\ntraits: [soft_delete]\nfields:\n  name: string(100) required\n"


def test_cascade_from_a_soft_deleted_parent_needs_soft_delete_on_the_child(tmp_path):
    diagnostic = only(
        errors(
            tmp_path,
            book(
                "resource: book\nfields:\n  author: {type: relation, to: author, on_delete: cascade}\n",
                author=SOFT_AUTHOR,
            ),
        )
    )
    expect(
        diagnostic,
        "fields.author.on_delete",
        3,
        "on_delete: cascade from 'author', which has soft_delete, needs soft_delete on 'book' too",
    )


def test_cascade_from_a_soft_deleted_parent_is_refused_with_branching(tmp_path):
    diagnostic = only(
        errors(
            tmp_path,
            book(
                "resource: book\ntraits: [soft_delete, branching]\n"
                "fields:\n  author: {type: relation, to: author, on_delete: cascade}\n",
                author=SOFT_AUTHOR,
            ),
        )
    )
    expect(
        diagnostic,
        "fields.author.on_delete",
        4,
        "on_delete: cascade from the soft_delete resource 'author' does not work with branching",
    )


def test_other_rules_from_a_soft_deleted_parent_are_accepted(tmp_path):
    for rule in ("set_null", "restrict", "no_action"):
        files = book(
            f"resource: book\nfields:\n  author: {{type: relation, to: author, on_delete: {rule}}}\n",
            author=SOFT_AUTHOR,
        )
        (tmp_path / rule).mkdir()
        compile_project(make_project(tmp_path / rule, files))
    both = book(
        "resource: book\ntraits: [soft_delete]\nfields:\n  author: {type: relation, to: author, on_delete: cascade}\n",
        author=SOFT_AUTHOR,
    )
    (tmp_path / "cascade").mkdir()
    compile_project(make_project(tmp_path / "cascade", both))


# --- hostile and absurd input: each a located error, never an internal error or a hang ----------


@pytest.mark.parametrize(
    "text, path",
    [
        ('resource: "book\\n"\n', "resource"),
        ('resource: book\nfields:\n  "title\\n": string\n', "fields.title\n"),
        ('resource: book\ntable: "books\\n"\n', "table"),
        ('resource: book\nmodel: "Book\\n"\n', "model"),
        ('resource: book\nactions:\n  "close\\n": {}\n', "actions.close\n"),
        ('resource: book\nactions:\n  close: {handler: "a.b:c\\n"}\n', "actions.close.handler"),
        (
            'resource: book\nfields: {t: string}\nindexes:\n  - {fields: [t], name: "ix\\n"}\n',
            "indexes[0].name",
        ),
    ],
)
def test_a_trailing_newline_does_not_pass_a_name_check(tmp_path, text, path):
    diagnostic = only(errors(tmp_path, {"book.yaml": text}))
    assert diagnostic.key_path == path, str(diagnostic)
    assert "\\n" in diagnostic.message  # shown escaped, not as a line break


@pytest.mark.parametrize(
    "text, path, line",
    [
        ('resource: book\nmodel: "True"\n', "model", 2),
        ('resource: book\nmodel: "None"\n', "model", 2),
        ("resource: book\nmodel: Exception\n", "model", 2),
        ("resource: none\n", "resource", 1),  # the model it derives: None
    ],
)
def test_a_model_name_cannot_be_a_python_keyword_or_builtin(tmp_path, text, path, line):
    name = "none.yaml" if "none" in text else "book.yaml"
    diagnostic = only(errors(tmp_path, {name: text}))
    expect(diagnostic, path, line, "is a Python keyword or builtin", file=f"schemas/{name}")


def test_a_custom_action_named_with_a_keyword_gets_an_escaped_handler(tmp_path):
    from schemagen.build import render_project
    from schemagen.write import OutputFolder

    compiled = compile_ok(
        tmp_path,
        book("resource: book\nfields: {title: string}\nactions:\n  class: {}\n  models: {}\n"),
    )
    [resource] = compiled.project.resources
    assert [(a.name, a.handler) for a in resource.actions.custom] == [
        ("class", "acme_ext.books:class_"),
        ("models", "acme_ext.books:models_"),
    ]
    rendered, _ = render_project(compiled, OutputFolder(compiled.config.output_dir), ["fastapi"])
    files = {f.path: f.content for f in rendered}
    module = files["backend/acme_ext/books.py"]
    ast.parse(module)
    assert "def class_(" in module and "def models_(" in module


def test_a_scaffolded_handler_defines_the_function_its_handler_names(tmp_path):
    from schemagen.build import render_project
    from schemagen.write import OutputFolder

    text = "resource: book\nactions:\n  close: {handler: 'acme_ext.jobs:run_close'}\n"
    compiled = compile_ok(tmp_path, book(text))
    rendered, _ = render_project(compiled, OutputFolder(compiled.config.output_dir), ["fastapi"])
    module = next(f.content for f in rendered if f.path == "backend/acme_ext/jobs.py")
    assert "\ndef run_close(" in module and "def close(" not in module


@pytest.mark.parametrize("handler", ["acme_ext.class:close", "acme_ext.books:def", "import:f"])
def test_a_handler_cannot_name_a_keyword(tmp_path, handler):
    one_error(
        tmp_path,
        f"resource: book\nactions:\n  close: {{handler: '{handler}'}}\n",
        "actions.close.handler",
        3,
        "names the Python keyword",
    )


@pytest.mark.parametrize("handler", ["json:loads", "os.path:join", "fastapi.x:f", "sqlalchemy:f"])
def test_a_handler_module_cannot_shadow_what_the_project_imports(tmp_path, handler):
    one_error(
        tmp_path,
        f"resource: book\nactions:\n  close: {{handler: '{handler}'}}\n",
        "actions.close.handler",
        3,
        f"would shadow the module '{handler.split('.')[0].split(':')[0]}'",
    )


@pytest.mark.parametrize(
    "option, value, message",
    [
        ("min", "1e999", "finite number"),
        ("max", "-1e999", "finite number"),
        ("min", "nan", "finite number"),
        ("max", "inf", "finite number"),
    ],
)
def test_non_finite_bounds_are_refused(tmp_path, option, value, message):
    one_error(
        tmp_path,
        f"resource: book\nfields:\n  n: {{type: float, {option}: {value}}}\n",
        f"fields.n.{option}",
        3,
        message,
    )


@pytest.mark.parametrize(
    "text, path, message",
    [
        (
            "fields: {n: {type: string, max_length: 10000000000000000000000}}",
            "fields.n.max_length",
            "less than or equal to 1000000000",
        ),
        (
            "fields: {n: {type: text, min_length: 10000000000000000000000}}",
            "fields.n.min_length",
            "less than or equal to 1000000000",
        ),
        (
            "actions: {list: {max_page_size: 10000000000000000000000}}",
            "actions.list.max_page_size",
            "less than or equal to 100000",
        ),
        (
            "actions: {list: {page_size: 10000000000000000000000}}",
            "actions.list.page_size",
            "less than or equal to 100000",
        ),
        (
            "actions: {bulk: {batch_size: 10000000000000000000000}}",
            "actions.bulk.batch_size",
            "less than or equal to 100000",
        ),
        (
            "actions: {bulk: {undo_ttl: 10000000000000000000000}}",
            "actions.bulk.undo_ttl",
            "less than or equal to 2147483647",
        ),
        (
            "ui: {table: {page_size: 10000000000000000000000}}",
            "ui.table.page_size",
            "less than or equal to 100000",
        ),
        ("ui: {table: {page_size: 0}}", "ui.table.page_size", "greater than or equal to 1"),
        (
            "fields: {n: {type: integer, max: 10000000000000000000000}}",
            "fields.n.max",
            "does not fit an integer column",
        ),
        (
            "fields: {n: {type: bigint, min: -10000000000000000000000}}",
            "fields.n.min",
            "does not fit an bigint column",
        ),
        (
            "fields: {n: {type: integer, default: 3000000000}}",
            "fields.n.default",
            "does not fit an integer column",
        ),
        (
            "fields: {n: {type: decimal, precision: 4, scale: 2, max: 1000}}",
            "fields.n.max",
            "more than 2 digits before the point",
        ),
        (
            "fields: {n: {type: decimal, precision: 4, scale: 2, default: '1e30'}}",
            "fields.n.default",
            "more than 2 digits before the point",
        ),
    ],
)
def test_absurd_numbers_are_bounded(tmp_path, text, path, message):
    diagnostic = only(errors(tmp_path, {"book.yaml": f"resource: book\n{text}\n"}))
    expect(diagnostic, path, 2, message)


def test_a_json_default_holds_json_values_only(tmp_path):
    files = {
        "book.toml": 'resource = "book"\n[fields.meta]\ntype = "json"\ndefault = {at = 1979-05-27T07:32:00Z}\n'
    }
    diagnostic = only(errors(tmp_path, files))
    expect(diagnostic, "fields.meta.default", 4, "not a JSON value", file="schemas/book.toml")


def test_an_array_of_an_unknown_type_with_a_default_reports_the_type(tmp_path):
    one_error(
        tmp_path,
        "resource: book\nfields:\n  n: {type: array, of: nope, default: [1]}\n",
        "fields.n.of",
        3,
        "arrays hold one of",
    )


def test_a_default_against_a_backtracking_pattern_does_not_hang(tmp_path):
    # Python's re needs 2^30 steps for this; the linear-time engine of the generated API answers
    # at once. In a subprocess so that a regression fails on the CLI timeout instead of hanging.
    from helpers import run_cli

    make_project(
        tmp_path,
        {
            "book.yaml": "resource: book\nfields:\n  n: {type: string, pattern: '(x+x+)+y', default: "
            + "x" * 30
            + "}\n"
        },
    )
    result = run_cli("validate", cwd=tmp_path, check=False)
    assert result.returncode == 1, result.stderr
    assert "fields.n.default: default 'xxxx" in result.stderr
    assert "does not match pattern '(x+x+)+y'" in result.stderr


def test_a_long_blank_run_in_a_shorthand_is_read_in_linear_time(tmp_path):
    # Two `\s*` around the flags once shared the run: 300,000 blanks took hours. In a subprocess
    # so that a regression fails on the CLI timeout instead of hanging.
    from helpers import run_cli

    make_project(
        tmp_path, {"book.yaml": 'resource: book\nfields:\n  t: "string' + " " * 300_000 + '!"\n'}
    )
    result = run_cli("validate", cwd=tmp_path, check=False)
    assert result.returncode == 1, result.stderr
    assert "fields.t: cannot read field shorthand" in result.stderr


@pytest.mark.parametrize(
    "pattern", ["(?=a)a", "(a)\\1", "^a\\Z", "a{99999999999}", "(" * 5000 + "a" + ")" * 5000]
)
def test_patterns_the_generated_api_cannot_run_are_refused(tmp_path, pattern):
    d = only(
        errors(
            tmp_path,
            {
                "book.yaml": f"resource: book\nfields:\n  n: {{type: string, pattern: '{pattern}'}}\n"
            },
        )
    )
    expect(d, "fields.n.pattern", 3, "regular expression")


def test_an_enum_value_cannot_hold_a_control_character(tmp_path):
    one_error(
        tmp_path,
        'resource: book\nfields:\n  s: {type: enum, values: [a, "b\\0c"]}\n',
        "fields.s.values[1]",
        3,
        "cannot hold the character U+0000",
    )


@pytest.mark.parametrize(
    "char, code", [("\\0", "U+0000"), ("\\u2028", "U+2028"), ("\\x1b", "U+001B")]
)
def test_an_expression_cannot_hold_a_control_character(tmp_path, char, code):
    text = (
        f'resource: book\nfields: {{n: integer}}\nchecks:\n  - {{name: c, expr: "n >= 0{char}"}}\n'
    )
    one_error(tmp_path, text, "checks[0].expr", 4, f"cannot hold the character {code}")


def test_an_expression_may_span_lines(tmp_path):
    compile_ok(
        tmp_path,
        book(
            'resource: book\nfields: {n: integer}\nchecks:\n  - {name: c, expr: "n >= 0\\n\\tAND n < 9"}\n'
        ),
    )


def test_a_derived_junction_table_name_within_the_limit(tmp_path):
    name = "a" * 40
    text = f"resource: book\ntable: {'b' * 30}\nfields:\n  {name}: {{type: many_to_many, to: author}}\n"
    one_error(
        tmp_path, text, f"fields.{name}.type", 4, "is longer than 50 characters; set 'through'"
    )


def test_a_file_that_fails_to_parse_causes_no_unknown_resource_errors(tmp_path):
    files = {
        "author.yaml": "resource: author\nfields: {x: [}\n",
        "writer.yaml": "fields: {x: [}\n",  # no resource line: its file name stands for it
        "book.yaml": "resource: book\nfields:\n  a: relation(author)\n  w: relation(writer)\nactions:\n  close: {invalidates: [author]}\n",
    }
    diagnostics = errors(tmp_path, files)
    assert [(d.file, d.line) for d in diagnostics] == [
        ("schemas/author.yaml", 2),
        ("schemas/writer.yaml", 1),
    ], "\n".join(map(str, diagnostics))
    assert all("invalid YAML" in d.message for d in diagnostics)


# --- schemagen.toml -------------------------------------------------------------------------------


def config_errors(
    tmp_path: Path, config: str | bytes, name: str = "schemagen.toml"
) -> list[Diagnostic]:
    make_project(tmp_path, book(AUTHOR.replace("author", "book")))
    (tmp_path / "schemagen.toml").unlink()
    (tmp_path / "templates").mkdir()
    path = tmp_path / name
    if isinstance(config, bytes):
        path.write_bytes(config)
    else:
        path.write_text(config, encoding="utf-8")
    with pytest.raises(SchemaError) as info:
        compile_project(tmp_path)
    return info.value.diagnostics


@pytest.mark.parametrize(
    "output, message",
    [
        ("/abs", "must be a subfolder of the project"),
        ("../x", "must be a subfolder of the project"),
        (".", "must be a subfolder of the project"),
        ("x/../..", "must be a subfolder of the project"),
        ("schemas", "cannot hold or be inside the schemas folder"),
        ("schemas/out", "cannot hold or be inside the schemas folder"),
        ("templates", "cannot hold or be inside the templates folder"),
        (".schemagen", "cannot hold or be inside schemagen's cache"),
    ],
)
def test_the_output_folder_is_a_folder_of_its_own(tmp_path, output, message):
    config = f'[project]\nname = "acme"\ntemplates = "templates"\noutput = "{output}"\n'
    d = only(config_errors(tmp_path, config))
    assert (d.file, d.key_path) == ("schemagen.toml", "project.output"), str(d)
    assert message in d.message, str(d)


def test_an_output_that_holds_the_schemas_is_refused(tmp_path):
    config = '[project]\nname = "acme"\nschemas = "out/schemas"\noutput = "out"\n'
    (tmp_path / "out").mkdir()
    d = only(config_errors(tmp_path, config))
    assert d.key_path == "project.output" and "schemas folder" in d.message, str(d)


def test_an_unknown_target_fails_validate(tmp_path):
    d = only(config_errors(tmp_path, '[project]\nname = "acme"\ntargets = ["fastapi", "nope"]\n'))
    assert (d.file, d.key_path) == ("schemagen.toml", "project.targets[1]"), str(d)
    assert "unknown target 'nope'" in d.message


@pytest.mark.parametrize(
    "project, key, message",
    [
        ('package = "' + "a" * 300 + '"', "package", "is 300 characters; the limit is 50"),
        (
            'package = "acme"\nname = "' + "a" * 300 + '"',
            "name",
            "is 300 characters; the limit is 100",
        ),
        ('package = "json"', "package", "would shadow the module"),
        ('package = "fastapi"', "package", "would shadow the module"),
        ('package = "acme\\n"', "package", "is not a valid Python package name"),
        ('name = "acme\\u007f"', "name", "cannot hold the character U+007F"),
        ('name = "a\\u2028b"', "name", "cannot hold the character U+2028"),
        ('schemas = "sch\\u0000emas"', "schemas", "cannot hold the character U+0000"),
    ],
)
def test_project_names_and_paths(tmp_path, project, key, message):
    d = only(config_errors(tmp_path, f"[project]\n{project}\n"))
    assert d.key_path == f"project.{key}", str(d)
    assert message in d.message, str(d)


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("schemagen.toml", b'[project]\nname = "caf\xe9"\n', "not valid UTF-8 (byte 21)"),
        ("pyproject.toml", b'[tool.schemagen.project]\nname = "caf\xe9"\n', "not valid UTF-8"),
        (
            "schemagen.toml",
            ("[project]\nname = " + "[" * 3000 + "]" * 3000).encode(),
            "nested deeper than",
        ),
        ("schemagen.toml", b"[project]\nx = nan\n", "not finite"),
    ],
)
def test_an_unreadable_configuration_is_a_located_error(tmp_path, name, data, message):
    d = only(config_errors(tmp_path, data, name))
    assert d.file == name and message in d.message, str(d)


def test_a_unique_field_with_a_fixed_default_is_a_warning(tmp_path):
    """One row can keep the default; the next create would be a 409 unless it sends a value."""
    schema = textwrap.dedent(
        """\
        resource: gadget
        fields:
          code: {type: string, max_length: 20, unique: true, default: A1}
          day: {type: date, unique: true, default: today}
          at: {type: datetime, unique: true, default: now}
          label: {type: string, default: plain}
        """
    )
    compiled = compile_ok(tmp_path, {"gadget.yaml": schema})
    assert [str(w) for w in compiled.warnings] == [
        (
            "schemas/gadget.yaml:3:54: fields.code.default: unique with a fixed default: one row can"
            " keep it, every other create must send a value of its own (or drop the default)"
        )
    ]
