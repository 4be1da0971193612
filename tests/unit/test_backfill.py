"""`backfill:`: the value rows already in a table get when a migration makes a column NOT NULL.

Checked like a default of the column's type (a relation's: its target's key), resolved into the
IR, and read by the migrations as a hint (see test_autodetect.py for what a revision does with it).
"""

from __future__ import annotations

import pytest
from test_validate import AUTHOR, book, compile_ok, errors, expect, one_error, only

from schemagen.ir import Default
from schemagen.migrations.snapshot import DefaultState, hints_of

TAG = "resource: tag\nprimary_key: integer\nfields:\n  name: string(40) required\n"


@pytest.mark.parametrize(
    ("field", "message"),
    [
        (
            "{type: integer, required: true, backfill: many}",
            "the backfill of an integer must be a whole number",
        ),
        (
            "{type: enum, values: [a, b], required: true, backfill: c}",
            "backfill 'c' is not one of the enum values",
        ),
        (
            "{type: string, max_length: 3, required: true, backfill: abcd}",
            "backfill is 4 characters, above max_length 3",
        ),
        ("{type: date, required: true, backfill: soon}", "backfill 'soon' is not a valid date"),
        (
            "{type: relation, to: author, required: true, backfill: 12}",
            "the backfill of a relation is the id of an existing author row",
        ),
        (
            "{type: relation, to: tag, required: true, backfill: abc}",
            "the backfill of an integer must be a whole number",
        ),
        (
            "{type: many_to_many, to: author, backfill: x}",
            "a many_to_many field has no column to backfill",
        ),
        (
            "{type: string, backfill: x}",
            "this field may be NULL (make it required, or remove backfill)",
        ),
    ],
)
def test_a_backfill_that_does_not_fit_the_field_is_an_error(tmp_path, field, message):
    text = f"resource: book\nfields:\n  title: string required\n  value: {field}\n"
    diagnostic = only(errors(tmp_path, book(text, author=AUTHOR, tag=TAG)))
    expect(diagnostic, "fields.value.backfill", 4, message)


def test_an_action_input_has_no_backfill(tmp_path):
    text = (
        "resource: book\nfields:\n  title: string required\nactions:\n"
        "  close:\n    input: {reason: {type: string, required: true, backfill: x}}\n"
        "    handler: acme_ext.books:close\n"
    )
    one_error(
        tmp_path,
        text,
        "actions.close.input.reason.backfill",
        6,
        "action inputs are not stored; backfill does not apply",
    )


def test_a_backfill_reaches_the_migrations_as_a_value_of_the_column(tmp_path):
    text = (
        "resource: book\nfields:\n  title: string required\n"
        "  born: {type: date, required: true, backfill: 2020-02-29}\n"
        "  at: {type: datetime, required: true, backfill: '2024-01-01T10:00:00+02:00'}\n"
        "  author: {type: relation, to: author, required: true, backfill: 6f1c2a3e-0000-4000-8000-000000000001}\n"
        "  tag: {type: relation, to: tag, required: true, backfill: 7}\n"
    )
    project = compile_ok(
        tmp_path, {"book.yaml": text, "author.yaml": AUTHOR, "tag.yaml": TAG}
    ).project
    book = project.resource("book")
    column = {c.name: c for c in book.columns}
    assert column["born"].backfill == Default("2020-02-29", "'2020-02-29'")
    assert column["at"].backfill == Default("2024-01-01T08:00:00+00:00", None)  # in UTC
    assert column["title"].backfill is None
    hints = hints_of(project)
    assert hints.backfills[("book", "author_id")] == DefaultState(
        "literal", "6f1c2a3e-0000-4000-8000-000000000001"
    )
    assert hints.backfills[("book", "tag_id")] == DefaultState("literal", 7)
    assert hints.fields[("book", "author_id")] == "author"
    assert hints.relations[("book", "author_id")] == "authors"
