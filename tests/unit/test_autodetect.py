"""The migration autodetector: snapshot state, matching, operations, ordering, safety, rendering.

Each test writes real schema files into tmp_path, compiles them with the real pipeline, and diffs
the database states of two versions. No database and no ruff: revisions are checked as source.
"""

from __future__ import annotations

import ast
import shutil
import textwrap
from pathlib import Path

import pytest

from schemagen.build import compile_project
from schemagen.migrations import operations as ops
from schemagen.migrations.autodetect import autodetect, diff
from schemagen.migrations.questioner import DowngradeQuestioner, MigrationRefused, Questioner
from schemagen.migrations.revision import HistoryError, body, read_history, slug
from schemagen.migrations.snapshot import EMPTY, Hints, SchemaState, hints_of, state_of

CONFIG = '[project]\nname = "acme"\npackage = "acme"\n'


class Version:
    """One version of a project's schemas: its database state and `renamed_from` hints."""

    def __init__(self, state: SchemaState, hints: Hints) -> None:
        self.state = state
        self.hints = hints


def version(tmp_path: Path, files: dict[str, str]) -> Version:
    """Compile `files` (resource name -> YAML) as a project; each call replaces the schemas."""
    (tmp_path / "schemagen.toml").write_text(CONFIG, encoding="utf-8")
    schemas = tmp_path / "schemas"
    shutil.rmtree(schemas, ignore_errors=True)
    schemas.mkdir()
    for name, text in files.items():
        (schemas / f"{name}.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
    project = compile_project(tmp_path).project
    return Version(state_of(project), hints_of(project))


def steps(old: Version | SchemaState, new: Version, *, accept: bool = True) -> list[ops.Operation]:
    before = old.state if isinstance(old, Version) else old
    questioner = Questioner(accept_data_loss=accept)
    operations, _ = autodetect(before, new.state, new.hints, questioner)
    questioner.check([loss for o in operations if (loss := o.data_loss())])
    return operations


def described(operations: list[ops.Operation]) -> list[str]:
    return [o.describe() for o in operations]


def downgrade(old: Version, new: Version) -> list[ops.Operation]:
    _, matching = autodetect(old.state, new.state, new.hints, Questioner(accept_data_loss=True))
    return diff(new.state, old.state, matching.inverted(), DowngradeQuestioner())


def code(operations: list[ops.Operation]) -> str:
    """The operations as the body of a function, parsed (it must be Python) and unparsed: one
    statement per line, one quoting style. Compare with `has`."""
    text = "def upgrade():\n" + "".join(f"    {line}\n" for line in body(operations))
    return ast.unparse(ast.parse(text))


def has(source: str, snippet: str) -> bool:
    return ast.unparse(ast.parse(snippet)) in source


AUTHOR = textwrap.dedent("""
    resource: author
    fields:
      name: string(100) required
      nickname: string(50)
""")
BOOK = textwrap.dedent("""
    resource: book
    fields:
      title: string(200) required
      status: {type: enum, values: [draft, published], default: draft}
      author: {type: relation, to: author, on_delete: cascade}
      tags: {type: many_to_many, to: tag}
""")
TAG = textwrap.dedent("""
    resource: tag
    primary_key: integer
    fields:
      name: string(40) required unique
""")


# --- the snapshot ---------------------------------------------------------------------------------


def test_snapshot_round_trips_and_is_canonical(tmp_path):
    v1 = version(tmp_path, {"author": AUTHOR, "book": BOOK, "tag": TAG})
    text = v1.state.dumps()
    assert SchemaState.loads(text) == v1.state
    assert SchemaState.loads(text).dumps() == text
    assert (
        '        {"name": "title", "type": "string", "nullable": false, "length": 200},\n' in text
    )
    assert list(SchemaState.loads(text).tables) == sorted(v1.state.tables)
    books = v1.state.tables["books"]
    assert books.origin == "book" and v1.state.tables["books_tags"].origin == "book.tags"
    assert v1.state.enums == {"book_status": ("draft", "published")}
    tags_id = v1.state.tables["tags"].column("id")
    assert (tags_id.type, tags_id.autoincrement) == ("integer_key", True)


def test_snapshot_refuses_a_newer_version():
    with pytest.raises(ValueError, match="newer schemagen"):
        SchemaState.from_json({"schemagen_snapshot": 99, "tables": {}, "enums": {}})


def test_no_changes_no_operations(tmp_path):
    v1 = version(tmp_path, {"author": AUTHOR, "book": BOOK, "tag": TAG})
    assert steps(v1, v1) == []


# --- creating and dropping tables -----------------------------------------------------------------


def test_initial_tables_are_created_referenced_first(tmp_path):
    v1 = version(tmp_path, {"author": AUTHOR, "book": BOOK, "tag": TAG})
    operations = steps(EMPTY, v1)
    assert described(operations) == [
        "create table authors",
        "create table books",
        "create table change_feed",  # every project's (runtime.changes)
        "create table change_feed_clock",
        "create table idempotency_keys",  # every project's (runtime.idempotency)
        "create table tags",
        "create table books_tags",
    ]
    source = code(operations)
    assert has(
        source,
        'sa.ForeignKeyConstraint(["author_id"], ["authors.id"], ondelete="CASCADE", name="fk_books_author_id_authors")',
    )
    assert has(source, 'op.create_index("ix_books_author_id", "books", ["author_id"])')
    # The integer key autoincrements, and is BIGINT outside SQLite, as in the models.
    assert has(
        source,
        'sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False)',
    )


def test_a_foreign_key_cycle_among_new_tables_is_closed_after_both_exist(tmp_path):
    v1 = version(
        tmp_path,
        {
            "publisher": "resource: publisher\nfields:\n  flagship: {type: relation, to: imprint}\n",
            "imprint": "resource: imprint\nfields:\n  publisher: {type: relation, to: publisher}\n",
        },
    )
    operations = steps(EMPTY, v1)
    assert described(operations) == [
        "create table change_feed",
        "create table change_feed_clock",
        "create table idempotency_keys",
        "create table imprints",
        "create table publishers",
        "add foreign key fk_imprints_publisher_id_publishers on imprints",
    ]
    assert operations[-1].warnings() == []  # a new table has no rows to break it
    # And the downgrade opens the cycle before dropping the tables.
    assert described(downgrade(Version(EMPTY, Hints()), v1)) == [
        "drop foreign key fk_imprints_publisher_id_publishers on imprints",
        "drop table publishers",
        "drop table imprints",
        "drop table idempotency_keys",
        "drop table change_feed_clock",
        "drop table change_feed",
    ]


def test_dropping_tables_drops_referencing_ones_first_and_their_enum_types(tmp_path):
    v1 = version(tmp_path, {"author": AUTHOR, "book": BOOK, "tag": TAG})
    v2 = version(tmp_path, {"author": AUTHOR})
    operations = steps(v1, v2)
    assert described(operations) == [
        "drop table books_tags",
        "drop table tags",
        "drop table books",
        "drop enum type book_status",
    ]
    assert has(
        code(operations),
        'sa.Enum("draft", "published", name="book_status").drop(op.get_bind(), checkfirst=True)',
    )


# --- renames --------------------------------------------------------------------------------------


def test_renamed_from_renames_a_column_and_keeps_its_values(tmp_path):
    v1 = version(tmp_path, {"author": AUTHOR})
    v2 = version(
        tmp_path,
        {
            "author": AUTHOR.replace(
                "nickname: string(50)",
                "pen_name: {type: string, max_length: 50, renamed_from: nickname}",
            )
        },
    )
    operations = steps(v1, v2, accept=False)
    assert described(operations) == ["rename column authors.nickname to pen_name"]
    assert has(
        code(operations),
        'op.alter_column("authors", "nickname", new_column_name="pen_name", existing_type=sa.String(50), existing_nullable=True)',
    )
    assert described(downgrade(v1, v2)) == ["rename column authors.pen_name to nickname"]


def test_a_captured_rename_leaves_renamed_from_a_no_op(tmp_path):
    v2 = version(
        tmp_path,
        {
            "author": AUTHOR.replace(
                "nickname: string(50)",
                "pen_name: {type: string, max_length: 50, renamed_from: nickname}",
            )
        },
    )
    assert steps(v2, v2) == []
    # A column of the old name that comes back later is a new column.
    v3 = version(
        tmp_path,
        {
            "author": AUTHOR.replace(
                "nickname: string(50)", "pen_name: string(50)\n  nickname: string(20)"
            )
        },
    )
    assert described(steps(v2, v3)) == ["add column authors.nickname"]


def test_renames_are_never_guessed(tmp_path):
    v1 = version(tmp_path, {"author": AUTHOR})
    v2 = version(
        tmp_path, {"author": AUTHOR.replace("nickname: string(50)", "pen_name: string(50)")}
    )
    with pytest.raises(MigrationRefused) as refused:
        steps(v1, v2, accept=False)
    assert refused.value.problems == [
        "drop column authors.nickname: its values are lost (pass --accept-data-loss to allow it)"
    ]
    assert described(steps(v1, v2)) == [
        "add column authors.pen_name",
        "drop column authors.nickname",
    ]


def test_a_resource_renamed_from_renames_its_table_junction_and_columns(tmp_path):
    v1 = version(tmp_path, {"author": AUTHOR, "book": BOOK, "tag": TAG})
    label = TAG.replace("resource: tag", "resource: label\nrenamed_from: tag")
    book = BOOK.replace(
        "tags: {type: many_to_many, to: tag}",
        "labels: {type: many_to_many, to: label, renamed_from: tags}",
    )
    v2 = version(tmp_path, {"author": AUTHOR, "book": book, "label": label})
    operations = steps(v1, v2, accept=False)
    names = described(operations)
    assert (
        "rename table tags to labels" in names
        and "rename table books_tags to books_labels" in names
    )
    assert "rename column books_labels.tag_id to label_id" in names
    assert not any(
        n.startswith(("drop table", "create table", "drop column", "add column")) for n in names
    )
    # Constraint names follow the table: same definition, new name (no warning: it held before).
    assert "add unique constraint uq_labels_name on labels" in names
    assert all(o.warnings() == [] for o in operations)
    # Drops run before the rename, so they name the old table.
    assert "drop unique constraint uq_tags_name on tags" in names


def test_a_new_table_name_for_the_same_resource_is_a_rename(tmp_path):
    v1 = version(tmp_path, {"author": AUTHOR})
    v2 = version(
        tmp_path, {"author": AUTHOR.replace("resource: author", "resource: author\ntable: writers")}
    )
    names = described(steps(v1, v2, accept=False))
    assert names[0] == "rename table authors to writers"
    assert "replace primary key pk_authors of writers by pk_writers" in names


# --- columns --------------------------------------------------------------------------------------


def test_not_null_without_default_is_refused_with_what_to_do(tmp_path):
    v1 = version(tmp_path, {"author": AUTHOR})
    v2 = version(tmp_path, {"author": AUTHOR + "  country: string(2) required\n"})
    with pytest.raises(MigrationRefused) as refused:
        steps(v1, v2, accept=False)
    [problem] = refused.value.problems
    assert problem.startswith("resource author, field country (authors.country): ")
    assert "`backfill: <value>`" in problem and "`default`" in problem and "optional" in problem
    # Accepted: a placeholder fills the rows, between adding the column as NULL and NOT NULL.
    source = code(steps(v1, v2))
    assert has(source, 'batch_op.add_column(sa.Column("country", sa.String(2), nullable=True))')
    assert has(source, "op.execute(table.update().values({\"country\": ''}))")


def test_not_null_with_a_default_is_filled_by_it(tmp_path):
    v1 = version(tmp_path, {"author": AUTHOR})
    v2 = version(
        tmp_path,
        {
            "author": AUTHOR
            + "  active: {type: boolean, default: true}\n  settings: {type: json, default: {a: 1}}\n"
        },
    )
    source = code(steps(v1, v2, accept=False))
    assert has(
        source,
        'batch_op.add_column(sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()))',
    )
    # A default only Python applies (JSON): an UPDATE fills the rows.
    assert has(source, "op.execute(table.update().values({\"settings\": {'a': 1}}))")
    assert has(
        source,
        'batch_op.alter_column("settings", existing_type=sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), existing_nullable=True, nullable=False)',
    )


def test_making_a_column_required_with_a_default_fills_the_nulls_first(tmp_path):
    v1 = version(tmp_path, {"author": AUTHOR})
    v2 = version(
        tmp_path,
        {
            "author": AUTHOR.replace(
                "nickname: string(50)", "nickname: {type: string, max_length: 50, default: anon}"
            )
        },
    )
    [alter] = steps(v1, v2, accept=False)
    assert alter.describe() == "alter column authors.nickname (NOT NULL, default)"
    source = code([alter])
    assert source.index("is_(None)") < source.index("batch_op.alter_column")
    assert "nullable=False, server_default='anon'" in source


def test_making_a_column_required_needs_a_backfill_or_a_default(tmp_path):
    v1 = version(tmp_path, {"author": AUTHOR})
    required = AUTHOR.replace("nickname: string(50)", "nickname: string(50) required")
    v2 = version(tmp_path, {"author": required})
    with pytest.raises(MigrationRefused) as refused:
        steps(v1, v2, accept=False)
    [problem] = refused.value.problems
    assert problem.startswith(
        "resource author, field nickname (authors.nickname): it becomes NOT NULL, and rows holding "
        "NULL would make the upgrade fail. Give the field `backfill: <value>`"
    )
    # Accepted: the placeholder, said in the revision, fills them first.
    [alter] = steps(v1, v2)
    source = code([alter])
    assert has(
        source,
        "op.execute(table.update().where(table.c['nickname'].is_(None)).values({'nickname': ''}))",
    )
    # With a backfill: its value, whatever the default for new rows.
    v3 = version(
        tmp_path,
        {
            "author": AUTHOR.replace(
                "nickname: string(50)",
                'nickname: {type: string, max_length: 50, default: anon, backfill: "it\'s"}',
            )
        },
    )
    [alter] = steps(v1, v3, accept=False)
    assert (
        "# Rows holding NULL get the field's backfill before the column becomes NOT NULL."
        in body([alter])
    )
    source = code([alter])
    assert source.index("values({'nickname': \"it's\"})") < source.index("batch_op.alter_column")
    assert not alter.prechecks


def test_a_relation_gets_its_backfill_or_no_value_never_a_placeholder(tmp_path):
    v1 = version(tmp_path, {"author": AUTHOR, "book": BOOK, "tag": TAG})
    ann = "6f1c2a3e-0000-4000-8000-000000000001"
    required = BOOK.replace("on_delete: cascade}", "on_delete: cascade, required: true}")
    v2 = version(tmp_path, {"author": AUTHOR, "book": required, "tag": TAG})
    with pytest.raises(MigrationRefused) as refused:
        steps(v1, v2, accept=False)
    [problem] = refused.value.problems
    assert problem.startswith("resource book, field author (books.author_id): it becomes required")
    assert "`backfill: <id of an existing row of authors>`" in problem
    # Accepted: no value at all, and the revision stops while a row holds NULL.
    [alter] = [o for o in steps(v1, v2) if isinstance(o, ops.AlterColumn)]
    source = code([alter])
    assert "00000000-0000-0000-0000-000000000000" not in source and "update()" not in source
    assert has(
        source.split("_stop_if_rows(")[1],
        "sa.select(sa.func.count()).select_from(sa.table('books')).where(sa.column('author_id').is_(None))",
    )
    # A backfill: its row must exist where rows need it.
    v3 = version(
        tmp_path,
        {
            "author": AUTHOR,
            "tag": TAG,
            "book": required.replace("required: true}", f"required: true, backfill: {ann}}}"),
        },
    )
    [alter] = [o for o in steps(v1, v3, accept=False) if isinstance(o, ops.AlterColumn)]
    source = code([alter])
    assert f"values({{'author_id': uuid.UUID('{ann}')}})" in source
    [check] = alter.prechecks
    assert "authors has no row with that id" in check.problem
    assert has(
        check.query,
        "sa.select(sa.func.count()).select_from(sa.table('books')).where(sa.column('author_id').is_(None), "
        f"sa.literal(uuid.UUID('{ann}'), sa.Uuid()).not_in(sa.select(sa.column('id')).select_from(sa.table('authors'))))",
    )


def test_a_downgrade_never_writes_a_placeholder_into_a_foreign_key(tmp_path):
    required = BOOK.replace("on_delete: cascade}", "on_delete: cascade, required: true}")
    v1 = version(tmp_path, {"author": AUTHOR, "book": required, "tag": TAG})
    v2 = version(
        tmp_path,
        {
            "author": AUTHOR,
            "tag": TAG,
            "book": required.replace(
                "  author: {type: relation, to: author, on_delete: cascade, required: true}\n", ""
            ),
        },
    )
    [restore] = [o for o in downgrade(v1, v2) if isinstance(o, ops.AddColumn)]
    assert restore.fill is None and restore.staged
    [check] = restore.prechecks
    assert check.query == ops.count_rows("books")


def test_a_shorter_string_cuts_the_values_that_do_not_fit_first(tmp_path):
    v1 = version(tmp_path, {"author": AUTHOR})
    v2 = version(tmp_path, {"author": AUTHOR.replace("string(50)", "string(20)")})
    [alter] = steps(v1, v2)
    assert alter.data_loss() == (
        "change authors.nickname from VARCHAR(50) to VARCHAR(20): values longer than 20 "
        "characters are cut to their first 20"
    )
    source = code([alter])
    assert source.index("sa.func.substr(table.c['nickname'], 1, 20)") < source.index("alter_column")
    assert "where(sa.func.char_length(table.c['nickname']) > 20)" in source


@pytest.mark.parametrize(
    ("before", "after", "bound"),
    [
        ("bigint", "integer", 2**31),
        ("decimal(10,2)", "decimal(6,2)", 10**4),
        ("integer", "decimal(5,0)", 10**5),
    ],
)
def test_fewer_digits_are_prechecked(tmp_path, before, after, bound):
    v1 = version(tmp_path, {"thing": f"resource: thing\nfields:\n  value: {before}\n"})
    v2 = version(tmp_path, {"thing": f"resource: thing\nfields:\n  value: {after}\n"})
    [alter] = steps(v1, v2)
    [check] = alter.prechecks
    assert check.query == ops.count_beyond("things", "value", bound)
    assert f"hold a value of {bound} or more" in check.problem


def test_an_enum_value_removed_with_nothing_to_replace_it_is_prechecked(tmp_path):
    thing = "resource: thing\nfields:\n  kind: {{type: enum, values: [{values}], required: true}}\n"
    v1 = version(tmp_path, {"thing": thing.format(values="a, b")})
    v2 = version(tmp_path, {"thing": thing.format(values="a")})
    [alter] = [o for o in steps(v1, v2) if isinstance(o, ops.AlterEnum)]
    [check] = alter.prechecks
    assert "hold 'b' in kind, which enum" in check.problem
    assert "sa.cast(sa.column('kind'), sa.String()).in_(['b'])" in ast.unparse(
        ast.parse(check.query)
    )


def test_a_new_check_on_existing_rows_is_prechecked(tmp_path):
    v1 = version(
        tmp_path,
        {
            "author": AUTHOR,
            "tag": TAG,
            "book": BOOK.replace("on_delete: cascade}", "on_delete: cascade}\n  pages: integer"),
        },
    )
    v2 = version(
        tmp_path,
        {
            "author": AUTHOR,
            "tag": TAG,
            "book": BOOK.replace("on_delete: cascade}", "on_delete: cascade}\n  pages: integer")
            + 'checks:\n  - {name: pages_positive, expr: "pages > 0"}\n',
        },
    )
    [add] = [
        o
        for o in steps(v1, v2, accept=False)
        if isinstance(o, ops.AddConstraint) and o.kind == "check"
    ]
    [check] = add.prechecks
    assert "break check ck_books_pages_positive (pages > 0)" in check.problem
    assert "sa.text('NOT (pages > 0)')" in ast.unparse(ast.parse(check.query))


def test_a_new_foreign_key_on_an_existing_column_is_prechecked(tmp_path):
    writer = "resource: writer\nfields:\n  name: string(100) required\n"
    v1 = version(tmp_path, {"author": AUTHOR, "book": BOOK, "tag": TAG, "writer": writer})
    v2 = version(
        tmp_path,
        {
            "author": AUTHOR,
            "book": BOOK.replace("to: author", "to: writer"),
            "tag": TAG,
            "writer": writer,
        },
    )
    [add] = [
        o
        for o in steps(v1, v2, accept=False)
        if isinstance(o, ops.AddConstraint) and o.kind == "foreign key"
    ]
    [check] = add.prechecks
    assert check.query == ops.count_dangling("books", "author_id", "writers", "id")
    assert "hold a author_id that names no row of writers" in check.problem


@pytest.mark.parametrize(
    ("before", "after", "loses"),
    [
        ("string(50)", "string(80)", False),
        ("string(50)", "text", False),
        ("string(50)", "string(20)", True),
        ("text", "string(50)", True),
        ("integer", "bigint", False),
        ("bigint", "integer", True),
        ("decimal(8,2)", "decimal(10,2)", False),
        ("decimal(8,2)", "decimal(8,3)", True),
        ("decimal(8,2)", "decimal(8,1)", True),
        ("string(50)", "integer", True),
        ("date", "datetime", False),
        ("enum(a, b)", "string(10)", False),
        ("string(10)", "enum(a, b)", True),
    ],
)
def test_narrowing_is_data_loss_and_widening_is_not(tmp_path, before, after, loses):
    v1 = version(tmp_path, {"thing": f"resource: thing\nfields:\n  value: {before}\n"})
    v2 = version(tmp_path, {"thing": f"resource: thing\nfields:\n  value: {after}\n"})
    alters = [o for o in steps(v1, v2) if isinstance(o, ops.AlterColumn)]
    assert len(alters) == 1
    assert bool(alters[0].data_loss()) is loses


def test_a_type_change_across_families_casts_on_postgresql(tmp_path):
    v1 = version(
        tmp_path,
        {
            "thing": "resource: thing\nfields:\n  value: {type: string, max_length: 10, default: '1'}\n"
        },
    )
    v2 = version(
        tmp_path, {"thing": "resource: thing\nfields:\n  value: {type: integer, default: 1}\n"}
    )
    source = code(steps(v1, v2))
    assert "postgresql_using='CAST(\"value\" AS INTEGER)'" in source
    # The default cannot be cast along: dropped first on PostgreSQL, then set again.
    assert source.index("DROP DEFAULT") < source.index("batch_op.alter_column")
    assert "server_default=sa.text('1')" in source


# --- enums ----------------------------------------------------------------------------------------


def test_an_added_enum_value_is_added_in_place_on_postgresql(tmp_path):
    v1 = version(tmp_path, {"author": AUTHOR, "book": BOOK, "tag": TAG})
    v2 = version(
        tmp_path,
        {
            "author": AUTHOR,
            "book": BOOK.replace("[draft, published]", "[draft, published, archived]"),
            "tag": TAG,
        },
    )
    [alter] = steps(v1, v2, accept=False)
    assert isinstance(alter, ops.AlterEnum) and alter.appends_only and alter.data_loss() is None
    assert alter.add_value_statements() == [
        "ALTER TYPE \"book_status\" ADD VALUE IF NOT EXISTS 'archived' AFTER 'published'"
    ]
    source = code([alter])
    assert "with op.get_context().autocommit_block():" in source
    # Elsewhere the column is restated (MySQL) or the table rebuilt with the new CHECK (SQLite).
    assert (
        "'archived', name='book_status'" in source
        and "with op.batch_alter_table('books')" in source
    )


def test_a_value_added_first_goes_before_the_old_first(tmp_path):
    v1 = version(tmp_path, {"author": AUTHOR, "book": BOOK, "tag": TAG})
    v2 = version(
        tmp_path,
        {
            "author": AUTHOR,
            "book": BOOK.replace("[draft, published]", "[idea, draft, published]"),
            "tag": TAG,
        },
    )
    [alter] = steps(v1, v2)
    assert alter.add_value_statements() == [
        "ALTER TYPE \"book_status\" ADD VALUE IF NOT EXISTS 'idea' BEFORE 'draft'"
    ]


def test_a_removed_enum_value_recreates_the_type_and_is_data_loss(tmp_path):
    v1 = version(
        tmp_path,
        {
            "author": AUTHOR,
            "book": BOOK.replace("[draft, published]", "[draft, published, archived]"),
            "tag": TAG,
        },
    )
    v2 = version(tmp_path, {"author": AUTHOR, "book": BOOK, "tag": TAG})
    with pytest.raises(MigrationRefused, match="remove 'archived' from enum book_status"):
        steps(v1, v2, accept=False)
    [alter] = steps(v1, v2)
    assert "set to 'draft'" in alter.data_loss()
    source = code([alter])
    assert source.index(".in_(['archived'])") < source.index(
        "RENAME TO"
    )  # rows moved to the default first
    assert 'DROP TYPE "book_status_old"' in source


def test_a_string_becoming_an_enum_creates_the_type_first(tmp_path):
    v1 = version(tmp_path, {"thing": "resource: thing\nfields:\n  kind: string(10)\n"})
    v2 = version(tmp_path, {"thing": "resource: thing\nfields:\n  kind: enum(a, b)\n"})
    operations = steps(v1, v2)
    assert described(operations) == [
        "create enum type thing_kind",
        "alter column things.kind (type VARCHAR(10) -> enum thing_kind)",
    ]
    assert 'CAST(CAST("kind" AS text) AS "thing_kind")' in code(operations)
    assert described(steps(v2, v1)) == [
        "alter column things.kind (type enum thing_kind -> VARCHAR(10))",
        "drop enum type thing_kind",
    ]


def test_reordered_values_recreate_the_type_without_data_loss(tmp_path):
    v1 = version(tmp_path, {"author": AUTHOR, "book": BOOK, "tag": TAG})
    v2 = version(
        tmp_path,
        {
            "author": AUTHOR,
            "book": BOOK.replace("[draft, published]", "[published, draft, gone]"),
            "tag": TAG,
        },
    )
    [alter] = steps(v1, v2, accept=False)
    assert alter.describe() == "alter enum book_status of books.status (add 'gone'; reorder values)"
    assert not alter.appends_only and alter.data_loss() is None
    assert "RENAME TO" in code([alter])


# --- constraints and their order ------------------------------------------------------------------


def test_foreign_keys_and_indexes_drop_first_and_come_back_last(tmp_path):
    v1 = version(tmp_path, {"author": AUTHOR, "book": BOOK, "tag": TAG})
    book = BOOK.replace(
        "author: {type: relation, to: author, on_delete: cascade}",
        "writer: {type: relation, to: author, on_delete: cascade}\n  isbn: string(20) unique",
    )
    v2 = version(tmp_path, {"author": AUTHOR, "book": book, "tag": TAG})
    names = described(steps(v1, v2))
    assert names == [
        "drop foreign key fk_books_author_id_authors on books",
        "drop index ix_books_author_id on books",
        "add column books.writer_id",
        "add column books.isbn",
        "drop column books.author_id",
        "add index ix_books_writer_id on books",
        "add unique constraint uq_books_isbn on books",
        "add foreign key fk_books_writer_id_authors on books",
    ]


def test_unique_on_existing_rows_is_refused_and_on_a_new_nullable_column_is_not(tmp_path):
    v1 = version(tmp_path, {"author": AUTHOR})
    v2 = version(
        tmp_path,
        {
            "author": AUTHOR.replace("nickname: string(50)", "nickname: string(50) unique")
            + "  code: string(5) unique\n"
        },
    )
    with pytest.raises(MigrationRefused) as refused:
        steps(v1, v2, accept=False)
    assert refused.value.problems == [
        (
            "unique uq_authors_nickname on authors (nickname): rows that repeat a value would make "
            "the upgrade fail; it then counts them first and stops before changing anything "
            "(pass --accept-data-loss to allow it)"
        )
    ]
    # Accepted: the revision counts the duplicates before it changes anything.
    operations = steps(v1, v2)
    [add] = [
        o
        for o in operations
        if isinstance(o, ops.AddConstraint) and o.kind == "unique" and o.prechecks
    ]
    assert add.constraint.name == "uq_authors_nickname"
    source = code(operations)
    assert source.index("_stop_if_rows(") < source.index("batch_op.add_column")
    assert ".group_by(sa.column('nickname')).having(sa.func.count() > 1)" in source


def test_an_index_a_kept_foreign_key_needs_is_dropped_after_its_replacement(tmp_path):
    # The relation column gets its own index; a unique starting with it replaces that index.
    # MySQL refuses to drop the only index of a foreign key, so the drop comes last.
    v1 = version(tmp_path, {"author": AUTHOR, "book": BOOK, "tag": TAG})
    v2 = version(
        tmp_path,
        {
            "author": AUTHOR,
            "book": BOOK + "indexes:\n  - {fields: [author, title], unique: true}\n",
            "tag": TAG,
        },
    )
    names = described(steps(v1, v2))
    assert names == [
        "add unique index ux_books_author_id_title on books",
        "drop index ix_books_author_id on books",
    ]


def test_a_new_primary_key_comes_between_new_and_dropped_columns(tmp_path):
    # branching keys rows by (id, branch_id): branch_id must exist before the key, and a
    # downgrade must drop the key before the column.
    v1 = version(tmp_path, {"author": AUTHOR})
    v2 = version(
        tmp_path,
        {"author": AUTHOR.replace("resource: author", "resource: author\ntraits: [branching]")},
    )
    assert described(steps(v1, v2, accept=False)) == [
        "add column authors.branch_id",
        "add column authors.branch_deleted",
        "replace primary key pk_authors of authors by pk_authors",
        "add index ix_authors_branch_id_id on authors",  # a branch's pages in id order
    ]
    assert described(downgrade(v1, v2)) == [
        "drop index ix_authors_branch_id_id on authors",
        "replace primary key pk_authors of authors by pk_authors",
        "drop column authors.branch_deleted",
        "drop column authors.branch_id",
    ]


def test_a_primary_key_type_change_is_refused(tmp_path):
    v1 = version(tmp_path, {"author": AUTHOR})
    v2 = version(
        tmp_path,
        {"author": AUTHOR.replace("resource: author", "resource: author\nprimary_key: integer")},
    )
    with pytest.raises(MigrationRefused, match="primary key authors.id"):
        steps(v1, v2)


def test_checks_are_named_as_given(tmp_path):
    v1 = version(tmp_path, {"author": AUTHOR})
    v2 = version(
        tmp_path, {"author": AUTHOR + "checks:\n  - {name: named, expr: \"name <> ''\"}\n"}
    )
    source = code(steps(v1, v2))
    assert has(
        source,
        'batch_op.create_check_constraint(op.f("ck_authors_named"), sa.text("name <> \'\'"))',
    )


def test_sqlite_enum_checks_follow_a_table_rename(tmp_path):
    v1 = version(tmp_path, {"author": AUTHOR, "book": BOOK, "tag": TAG})
    v2 = version(
        tmp_path,
        {
            "author": AUTHOR,
            "book": BOOK.replace("resource: book", "resource: book\ntable: volumes"),
            "tag": TAG,
        },
    )
    [rename] = [o for o in steps(v1, v2) if isinstance(o, ops.RenameEnumCheck)]
    assert (rename.old_check, rename.new_check) == (
        "ck_books_book_status",
        "ck_volumes_book_status",
    )


def test_dropping_an_enum_column_drops_its_sqlite_check(tmp_path):
    v1 = version(tmp_path, {"author": AUTHOR, "book": BOOK, "tag": TAG})
    v2 = version(
        tmp_path,
        {
            "author": AUTHOR,
            "book": BOOK.replace(
                "  status: {type: enum, values: [draft, published], default: draft}\n", ""
            ),
            "tag": TAG,
        },
    )
    source = code(steps(v1, v2))
    assert has(source, 'batch_op.drop_constraint(op.f("ck_books_book_status"), type_="check")')
    assert source.index("ck_books_book_status") < source.index("batch_op.drop_column('status')")
    assert "drop enum type book_status" in described(steps(v1, v2))


# --- downgrades -----------------------------------------------------------------------------------


def test_the_downgrade_undoes_the_upgrade(tmp_path):
    v1 = version(tmp_path, {"author": AUTHOR, "book": BOOK, "tag": TAG})
    v2 = version(
        tmp_path,
        {
            "author": AUTHOR + "  bio: text\n",
            "book": BOOK.replace("title: string(200) required", "title: string(300) required"),
            "tag": TAG,
        },
    )
    assert described(steps(v1, v2)) == [
        "add column authors.bio",
        "alter column books.title (type VARCHAR(200) -> VARCHAR(300))",
    ]
    assert described(downgrade(v1, v2)) == [
        "drop column authors.bio",
        "alter column books.title (type VARCHAR(300) -> VARCHAR(200))",
    ]


def test_a_downgrade_that_restores_a_required_column_fills_a_placeholder(tmp_path):
    v1 = version(tmp_path, {"author": AUTHOR + "  born: date required\n"})
    v2 = version(tmp_path, {"author": AUTHOR})
    [restore] = downgrade(v1, v2)
    assert restore.fill == "datetime.date(1970, 1, 1)" and "values are gone" in restore.fill_note


# --- revisions ------------------------------------------------------------------------------------


def test_slugs():
    assert slug("Add Country to authors!") == "add_country_to_authors"
    assert slug("  ") == "migration"


def test_history_reads_revisions_and_refuses_several_heads(tmp_path):
    versions = tmp_path / "versions"
    versions.mkdir()
    (versions / "0001_a.py").write_text(
        'revision = "aaa"\ndown_revision = None\nschemagen_state = "s1"\n'
    )
    (versions / "0002_b.py").write_text('revision = "bbb"\ndown_revision = "aaa"\n')
    history = read_history(versions)
    assert history.head.revision == "bbb" and history.next_number == 3
    (versions / "c_by_hand.py").write_text("revision: str = 'ccc'\ndown_revision = 'aaa'\n")
    with pytest.raises(HistoryError, match="2 heads"):
        _ = read_history(versions).head


def test_history_refuses_two_files_of_one_revision(tmp_path):
    # Two branches each wrote 0002: Alembic could not tell them apart, nor merge them.
    versions = tmp_path / "versions"
    versions.mkdir()
    (versions / "0001_a.py").write_text('revision = "0001"\ndown_revision = None\n')
    (versions / "0002_b.py").write_text('revision = "0002"\ndown_revision = "0001"\n')
    (versions / "0002_c.py").write_text('revision = "0002"\ndown_revision = "0001"\n')
    with pytest.raises(
        HistoryError, match=r"0002_b.py and versions/0002_c.py are both revision 0002"
    ):
        _ = read_history(versions).head


# --- traits: PostgreSQL objects, partial uniques, the project's own tables ------------------------


PG = 'if dialect == "postgresql":'


def executed_sql(operations: list[ops.Operation]) -> list[str]:
    """The SQL of every `sa.text(...)` the operations run, as the database receives it."""
    tree = ast.parse(code(operations))
    return [
        node.args[0].value.replace("\\:", ":")
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "text"
    ]


def on_postgresql(operations: list[ops.Operation], statement: str) -> bool:
    """`statement` (one line of Python) runs inside an `if dialect == "postgresql":` block."""
    guarded = f"    if dialect == 'postgresql':\n        {ast.unparse(ast.parse(statement))}"
    return guarded in code(operations)


def test_timestamps_bring_the_function_and_a_trigger_per_table_on_postgresql(tmp_path):
    v1 = version(tmp_path, {"author": AUTHOR, "tag": TAG})
    v2 = version(tmp_path, {"author": "traits: [timestamps]\n" + AUTHOR, "tag": TAG})
    operations = steps(v1, v2)
    assert described(operations) == [
        "create function schemagen_touch_updated_at (PostgreSQL)",
        "add column authors.created_at",
        "add column authors.updated_at",
        "add index ix_authors_created_at_id on authors",  # the list's default sort: -created_at
        "add trigger trg_authors_updated_at on authors (PostgreSQL)",
    ]
    source = code(operations)
    # The function first, the trigger once the column exists; both on PostgreSQL alone.
    function = source.index("CREATE OR REPLACE FUNCTION")
    trigger = source.index('CREATE TRIGGER "trg_authors_updated_at" BEFORE UPDATE ON "authors"')
    assert function < source.index("updated_at', sa.DateTime") < trigger
    assert source.count(PG.replace('"', "'")) == 2
    assert "NEW.updated_at \\\\:= now()" in source  # a colon sa.text() must not take for a bind
    assert "    NEW.updated_at := now();" in executed_sql(operations)[0]
    # The downgrade: the trigger before the column, the function last.
    assert described(downgrade(v1, v2)) == [
        "drop index ix_authors_created_at_id on authors",
        "drop trigger trg_authors_updated_at on authors (PostgreSQL)",
        "drop column authors.created_at",
        "drop column authors.updated_at",
        "drop function schemagen_touch_updated_at (PostgreSQL)",
    ]


def test_a_second_timestamps_table_reuses_the_function(tmp_path):
    v1 = version(tmp_path, {"author": "traits: [timestamps]\n" + AUTHOR, "tag": TAG})
    v2 = version(
        tmp_path,
        {"author": "traits: [timestamps]\n" + AUTHOR, "tag": "traits: [timestamps]\n" + TAG},
    )
    assert [o.describe() for o in steps(v1, v2) if "function" in o.describe()] == []
    assert "add trigger trg_tags_updated_at on tags (PostgreSQL)" in described(steps(v1, v2))


def test_a_new_table_makes_its_trigger_and_policy_and_a_dropped_one_takes_them_along(tmp_path):
    v1 = version(tmp_path, {"author": AUTHOR})
    v2 = version(tmp_path, {"author": AUTHOR, "tag": "traits: [timestamps, tenant]\n" + TAG})
    operations = steps(v1, v2)
    assert described(operations) == [
        "create function schemagen_touch_updated_at (PostgreSQL)",
        "create table tags",
    ]
    source = code(operations)
    create = source.index("op.create_table('tags'")
    assert create < source.index('CREATE TRIGGER "trg_tags_updated_at"')
    assert create < source.index('ALTER TABLE "tags" ENABLE ROW LEVEL SECURITY')
    assert (
        """CREATE POLICY "tags_select" ON "tags" FOR SELECT USING (tenant_id = current_setting('app.tenant_id', true))"""
        in executed_sql(operations)
    )
    # Dropping the table drops its trigger and policy; the function goes after the table.
    assert described(downgrade(v1, v2)) == [
        "drop table tags",
        "drop function schemagen_touch_updated_at (PostgreSQL)",
    ]


def test_tenant_and_owned_add_and_drop_a_policy_with_row_level_security(tmp_path):
    v1 = version(tmp_path, {"author": AUTHOR})
    v2 = version(tmp_path, {"author": "traits: [owned]\n" + AUTHOR})
    operations = steps(v1, v2)
    assert [d for d in described(operations) if "policy" in d] == [
        f"add row-level security policy authors_{command} on authors (PostgreSQL)"
        for command in ("delete", "insert", "select", "update")
    ]
    source = code(operations)
    assert source.index("add_column(sa.Column('owner_id'") < source.index(
        'ALTER TABLE "authors" ENABLE ROW LEVEL SECURITY'
    )
    assert (
        """CREATE POLICY "authors_update" ON "authors" FOR UPDATE USING (owner_id = current_setting('app.user_id', true) AND NOT is_system) WITH CHECK (owner_id = current_setting('app.user_id', true) AND NOT is_system)"""
        in executed_sql(operations)
    )
    # Removed: the policies go (and with the last ones, RLS) before the columns they name.
    back = downgrade(v1, v2)
    assert described(back) == [
        "drop index ix_authors_owner_id on authors",
        *(
            f"drop row-level security policy authors_{command} on authors (PostgreSQL)"
            for command in ("delete", "insert", "select", "update")
        ),
        "drop column authors.is_system",
        "drop column authors.owner_id",
    ]
    undo = code(back)
    assert (
        undo.index('DROP POLICY IF EXISTS "authors_select" ON "authors"')
        < undo.index('ALTER TABLE "authors" DISABLE ROW LEVEL SECURITY')
        < undo.index("drop_column('owner_id')")
    )


def test_a_changed_policy_is_replaced_and_row_level_security_stays_on(tmp_path):
    v1 = version(tmp_path, {"author": "traits: [owned]\n" + AUTHOR})
    v2 = version(tmp_path, {"author": "traits: [owned, tenant]\n" + AUTHOR})
    operations = [
        o for o in steps(v1, v2, accept=True) if isinstance(o, ops.AddPolicy | ops.DropPolicy)
    ]
    assert [type(o).__name__ for o in operations] == ["DropPolicy"] * 4 + ["AddPolicy"] * 4
    assert "DISABLE ROW LEVEL SECURITY" not in code(operations)


def test_an_indexed_array_gets_a_gin_index_on_postgresql_only(tmp_path):
    v1 = version(tmp_path, {"author": AUTHOR + "  tags: array(string)\n"})
    v2 = version(tmp_path, {"author": AUTHOR + "  tags: array(string) index\n"})
    operations = steps(v1, v2)
    assert described(operations) == ["add index ix_authors_tags on authors"]
    assert on_postgresql(
        operations,
        "op.create_index('ix_authors_tags', 'authors', ['tags'], postgresql_using='gin')",
    )
    assert on_postgresql(
        downgrade(v1, v2), "op.drop_index('ix_authors_tags', table_name='authors')"
    )


def test_soft_delete_turns_a_unique_into_a_partial_unique_index_without_a_warning(tmp_path):
    v1 = version(tmp_path, {"tag": TAG})
    v2 = version(tmp_path, {"tag": "traits: [soft_delete]\n" + TAG})
    operations = steps(v1, v2)
    assert described(operations) == [
        "drop unique constraint uq_tags_name on tags",
        "add column tags.deleted_at",
        "add index ix_tags_deleted_at on tags",
        "add unique index ux_tags_name on tags",
    ]
    assert has(
        code(operations),
        """op.create_index('ux_tags_name', 'tags', ['name'], unique=True, postgresql_where=sa.text('deleted_at IS NULL'), sqlite_where=sa.text('deleted_at IS NULL'))""",
    )
    # Unique over every row held, so over the live rows it holds too.
    assert [w for o in operations for w in o.warnings()] == []


def test_audit_and_bulk_create_and_drop_the_system_tables(tmp_path):
    v1 = version(tmp_path, {"author": AUTHOR})
    v2 = version(tmp_path, {"author": "traits: [audit]\n" + AUTHOR + "actions:\n  bulk: true\n"})
    assert described(steps(v1, v2)) == ["create table audit_log", "create table bulk_runs"]
    assert v2.state.tables["audit_log"].origin == "schemagen.audit_log"
    assert described(downgrade(v1, v2)) == ["drop table bulk_runs", "drop table audit_log"]


def test_postgresql_objects_round_trip_through_the_snapshot(tmp_path):
    v1 = version(
        tmp_path,
        {
            "author": "traits: [timestamps, tenant, owned, audit]\n"
            + AUTHOR
            + "  tags: array(string) index\n"
        },
    )
    text = v1.state.dumps()
    assert SchemaState.loads(text) == v1.state
    data = SchemaState.loads(text).to_json()
    assert list(data["functions"]) == ["schemagen_touch_updated_at"]
    authors = data["tables"]["authors"]
    assert authors["triggers"] == [
        {"name": "trg_authors_updated_at", "function": "schemagen_touch_updated_at"}
    ]
    assert [(p["name"], p["command"]) for p in authors["policies"]] == [
        ("authors_delete", "DELETE"),
        ("authors_insert", "INSERT"),
        ("authors_select", "SELECT"),
        ("authors_update", "UPDATE"),
    ]
    assert [p["name"] for p in data["tables"]["audit_log"]["policies"]] == [
        "audit_log_insert",
        "audit_log_select",
    ]
    assert {
        "name": "ix_authors_tags",
        "columns": ["tags"],
        "using": "gin",
        "dialects": ["postgresql"],
    } in authors["indexes"]


def test_a_snapshot_written_before_these_objects_existed_reads_without_them(tmp_path):
    # Older snapshots have no functions, triggers or policies: the next migrate adds them.
    old = version(tmp_path, {"author": "traits: [timestamps]\n" + AUTHOR}).state
    data = old.to_json()
    data.pop("functions")
    for table in data["tables"].values():
        table.pop("triggers", None)
    state = SchemaState.from_json(data)
    assert state.functions == {} and state.tables["authors"].triggers == ()
    new = version(tmp_path, {"author": "traits: [timestamps]\n" + AUTHOR})
    assert described(steps(state, new)) == [
        "create function schemagen_touch_updated_at (PostgreSQL)",
        "add trigger trg_authors_updated_at on authors (PostgreSQL)",
    ]


def test_a_snapshot_of_one_policy_for_every_command_gets_a_policy_per_command(tmp_path):
    # Snapshots written before per-command policies hold one FOR ALL policy, without "command".
    new = version(tmp_path, {"author": "traits: [owned]\n" + AUTHOR})
    data = new.state.to_json()
    data["tables"]["authors"]["policies"] = [
        {
            "name": "authors_isolation",
            "using": "is_system OR owner_id = current_setting('app.user_id', true)",
            "check": "owner_id = current_setting('app.user_id', true)",
        }
    ]
    old = SchemaState.from_json(data)
    assert old.to_json() == data, (
        "read back to the same bytes: its digest still matches its revision"
    )
    operations = steps(old, new)
    assert described(operations) == [
        "drop row-level security policy authors_isolation on authors (PostgreSQL)",
        *(
            f"add row-level security policy authors_{command} on authors (PostgreSQL)"
            for command in ("delete", "insert", "select", "update")
        ),
    ]
    assert "DISABLE ROW LEVEL SECURITY" not in code(operations)
    back = diff(
        new.state,
        old,
        autodetect(old, new.state, new.hints, Questioner())[1].inverted(),
        DowngradeQuestioner(),
    )
    assert (
        """CREATE POLICY "authors_isolation" ON "authors" FOR ALL USING (is_system OR owner_id = current_setting('app.user_id', true)) WITH CHECK (owner_id = current_setting('app.user_id', true))"""
        in executed_sql(back)
    )


BRANCHING_OFFICE = textwrap.dedent("""
    resource: office
    traits: [tenant, branching]
    fields:
      name: string(100) required
      aides: {type: many_to_many, to: aide, through: aa_links}
""")
BRANCHING_AIDE = "resource: aide\ntraits: [tenant, branching]\nfields:\n  name: string(50)\n"


def test_a_junction_is_created_after_and_dropped_before_the_rows_its_policies_read(tmp_path):
    # Between branching tables there is no foreign key: only the policies order the tables.
    v1 = version(tmp_path, {"author": AUTHOR})
    v2 = version(tmp_path, {"author": AUTHOR, "office": BRANCHING_OFFICE, "aide": BRANCHING_AIDE})
    created = [d for d in described(steps(v1, v2)) if d.startswith("create table")]
    assert created == ["create table aides", "create table offices", "create table aa_links"]
    assert [d for d in described(downgrade(v1, v2)) if d.startswith("drop table")] == [
        "drop table aa_links",
        "drop table offices",
        "drop table aides",
    ]


def test_a_trait_of_a_linked_resource_changes_the_junctions_policies(tmp_path):
    v1 = version(tmp_path, {"office": BRANCHING_OFFICE, "aide": BRANCHING_AIDE})
    owned_aide = BRANCHING_AIDE.replace("[tenant, branching]", "[tenant, branching, owned]")
    v2 = version(tmp_path, {"office": BRANCHING_OFFICE, "aide": owned_aide})
    junction = [d for d in described(steps(v1, v2)) if "aa_links" in d]
    assert junction == [
        f"{verb} row-level security policy aa_links_{command} on aa_links (PostgreSQL)"
        for verb in ("drop", "add")
        for command in ("delete", "insert", "select", "update")
    ]
    source = code(steps(v1, v2))
    # Before the aides' new columns are added, the old policies go; after, the new ones come.
    assert (
        source.index('DROP POLICY IF EXISTS "aa_links_select"')
        < source.index("add_column(sa.Column('owner_id'")
        < source.index('CREATE POLICY "aa_links_select"')
    )
