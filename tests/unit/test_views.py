"""Named list views (`views:`): what they mean as list parameters in the IR and the client's table
definitions, and every rule of theirs as an error with file, line, column and key path.

Each test builds a real project in tmp_path and runs the real pipeline (`compile_project`), so
errors arrive as the CLI prints them.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from schemagen import ir
from schemagen.build import compile_project
from schemagen.diagnostics import Diagnostic, SchemaError
from schemagen.language import language_json_schema
from schemagen.render import RenderContext
from schemagen.targets import tables

CONFIG = '[project]\nname = "acme"\npackage = "acme"\n'

TASK = """\
resource: task
traits: [timestamps, soft_delete]
fields:
  title: string(200) required searchable
  status:
    type: enum
    values: [todo, doing, done]
    default: todo
    filterable: true
  urgent: {type: boolean, default: false, filterable: true}
  due_at: {type: datetime, filterable: true, sortable: true}
  due_on: {type: date, filterable: true}
  points: {type: integer, filterable: true, sortable: true}
  notes: text
  parent: {type: relation, to: task, filterable: true}
  owner: {type: relation, to: person}
  position: {type: integer, default: 0, sortable: true}
actions:
  archive: {input: {reason: text}}
  import_all: {scope: collection}
"""
PERSON = "resource: person\nfields:\n  name: string(100) required\n"


def project(tmp_path: Path, views: str, task: str = TASK) -> Path:
    (tmp_path / "schemagen.toml").write_text(CONFIG, encoding="utf-8")
    schemas = tmp_path / "schemas"
    schemas.mkdir(exist_ok=True)
    text = task + "views:\n" + textwrap.indent(textwrap.dedent(views), "  ")
    (schemas / "task.yaml").write_text(text, encoding="utf-8")
    (schemas / "person.yaml").write_text(PERSON, encoding="utf-8")
    return tmp_path


def views_of(tmp_path: Path, views: str) -> tuple[ir.View, ...]:
    return compile_project(project(tmp_path, views)).project.resource("task").views


def errors(tmp_path: Path, views: str, task: str = TASK) -> list[Diagnostic]:
    with pytest.raises(SchemaError) as info:
        compile_project(project(tmp_path, views, task))
    return info.value.diagnostics


def only(diagnostics: list[Diagnostic]) -> Diagnostic:
    assert len(diagnostics) == 1, "\n".join(map(str, diagnostics))
    return diagnostics[0]


def line_of(text: str, needle: str) -> int:
    """The 1-based line of task.yaml (TASK, then `views:`, then the views) holding `needle`."""
    lines = textwrap.indent(textwrap.dedent(text), "  ").splitlines()
    start = len(TASK.splitlines()) + 1
    return next(start + i for i, line in enumerate(lines, 1) if needle in line)


# --- meaning -------------------------------------------------------------------------------------


def test_a_view_is_the_lists_own_parameters(tmp_path):
    (view,) = views_of(
        tmp_path,
        """\
        due:
          title: Due now
          description: What is late.
          filters:
            due_at: {lte: now}
            status: {not_in: [done]}
            urgent: true
            points: {gte: 1, lte: 8}
            due_on: {isnull: false}
          sort: [due_at, -points]
          columns: [title, status, due_at, notes]
          actions: [archive, delete]
        """,
    )
    assert view == ir.View(
        name="due",
        title="Due now",
        description="What is late.",
        params=(
            ("due_at__lte", "now"),
            ("status__in", ("todo", "doing")),
            ("urgent", True),
            ("points__gte", 1),
            ("points__lte", 8),
            ("due_on__isnull", False),
        ),
        sort=("due_at", "-points"),
        columns=("title", "status", "due_at", "notes"),
        actions=("task.archive", "task.delete"),
        tree=None,
    )


def test_defaults_ne_on_a_boolean_relations_and_dates(tmp_path):
    first, second = views_of(
        tmp_path,
        """\
        calm_ones:
          filters:
            urgent: {ne: true}
            status: {in: [todo, doing]}
            parent: {isnull: true}
            due_on: {gte: 2024-01-02}
            due_at: {gte: "2024-01-02T10:00:00+02:00"}
        menu:
          tree: parent
          sort: [position]
        """,
    )
    assert first.title == "Calm ones"
    assert first.params == (
        ("urgent", False),
        ("status__in", ("todo", "doing")),
        ("parent_id__isnull", True),
        ("due_on__gte", "2024-01-02"),
        ("due_at__gte", "2024-01-02T10:00:00+02:00"),
    )
    # No columns, sort or actions: the table's.
    table_columns = compile_project(tmp_path).project.resource("task").ui.table_columns
    assert first.columns == table_columns and first.sort == () and first.actions is None
    assert second.tree == "parent_id" and second.sort == ("position",)


def test_the_client_tables_carry_the_views(tmp_path):
    project(
        tmp_path,
        """\
        due:
          filters: {due_at: {lte: now}, status: {ne: done}}
          sort: [-due_at]
          columns: [title, owner]
          actions: [archive]
        menu: {tree: parent, columns: [title]}
        """,
    )
    files = {f.path: f for f in tables.render(compile_project(tmp_path).project, RenderContext())}
    written = json.loads(files["client/src/tables.json"].content)["tables"]
    due, menu = written["task"]["views"]
    assert due["name"] == "due" and due["title"] == "Due"
    assert due["params"] == {"due_at__lte": "now", "status__in": ["todo", "doing"]}
    assert due["sort"] == ["-due_at"]
    assert [c["accessor"] for c in due["columns"]] == ["title", "owner_id"]
    assert due["columns"][1]["relation"]["resource"] == "person"
    assert [a["label"] for a in due["rowActions"]] == ["Archive"]
    assert due["tree"] is None
    assert menu["tree"] == {"parent": "parent_id"}
    # The default: every row action of the table.
    assert [a["kind"] for a in menu["rowActions"]] == ["update", "delete", "restore", "custom"]
    assert written["person"]["views"] == []
    assert "type ListView" in files["client/src/tables.ts"].content


def test_the_language_schema_describes_views():
    schema = language_json_schema()
    assert schema["properties"]["views"]["additionalProperties"] == {"$ref": "#/$defs/ViewSpec"}
    assert set(schema["$defs"]["ViewSpec"]["properties"]) == {
        "title",
        "description",
        "filters",
        "sort",
        "columns",
        "actions",
        "tree",
    }


# --- errors --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("views", "needle", "path", "message"),
    [
        (
            "due:\n  filters: {due_att: {lte: now}}\n",
            "due_att",
            "views.due.filters.due_att",
            "a view filters on unknown field 'due_att'; did you mean 'due_at'?",
        ),
        (
            "due:\n  filters: {notes: x}\n",
            "notes",
            "views.due.filters.notes",
            "the list cannot filter on 'notes'",
        ),
        (
            "due:\n  filters:\n    due_at: {before: now}\n",
            "before",
            "views.due.filters.due_at.before",
            "unknown operator 'before'",
        ),
        (
            "due:\n  filters:\n    points: {ne: 3}\n",
            "ne: 3",
            "views.due.filters.points.ne",
            "'ne' works on enum and boolean fields only",
        ),
        (
            "due:\n  filters:\n    status: {gte: todo}\n",
            "gte: todo",
            "views.due.filters.status.gte",
            "the list filters a enum field with eq, in, isnull only, not 'gte'",
        ),
        (
            "due:\n  filters:\n    status: finished\n",
            "finished",
            "views.due.filters.status",
            "value 'finished' is not one of the enum values",
        ),
        (
            "due:\n  filters:\n    status: {not_in: [todo, doing, done]}\n",
            "not_in",
            "views.due.filters.status.not_in",
            "'not_in' leaves no value in",
        ),
        (
            "due:\n  filters:\n    status: {in: []}\n",
            "in: []",
            "views.due.filters.status.in",
            "'in' takes a list of one value or more",
        ),
        (
            "due:\n  filters:\n    due_at: {lte: tomorrow}\n",
            "tomorrow",
            "views.due.filters.due_at.lte",
            "ISO 8601 or 'now'",
        ),
        (
            "due:\n  filters:\n    due_at: {lte: '2024-01-02T10:00:00'}\n",
            "2024-01-02T10",
            "views.due.filters.due_at.lte",
            "needs a UTC offset",
        ),
        (
            "due:\n  filters:\n    due_on: today\n",
            "today",
            "views.due.filters.due_on",
            "the list reads 'today' as no date",
        ),
        (
            "due:\n  filters:\n    urgent: {isnull: maybe}\n",
            "maybe",
            "views.due.filters.urgent.isnull",
            "isnull takes true or false",
        ),
        (
            "due:\n  filters:\n    points: {in: [1, 2.5]}\n",
            "2.5",
            "views.due.filters.points.in",
            "must be a whole number",
        ),
        (
            "due:\n  filters:\n    status: {in: [todo], not_in: [done]}\n",
            "not_in",
            "views.due.filters.status.not_in",
            "asks the list parameter 'status__in' again (as status.in)",
        ),
        (
            "due:\n  sort: [-notes]\n",
            "-notes",
            "views.due.sort[0]",
            "the list cannot sort by 'notes'",
        ),
        (
            "due:\n  sort: [tilte]\n",
            "tilte",
            "views.due.sort[0]",
            "sort names unknown field 'tilte'; did you mean 'title'?",
        ),
        (
            "due:\n  columns: [title, statu]\n",
            "statu",
            "views.due.columns[1]",
            "a view shows unknown field 'statu'; did you mean 'status'?",
        ),
        (
            "due:\n  actions: [archiv]\n",
            "archiv",
            "views.due.actions[0]",
            "'archiv' is no row action of this resource; did you mean 'archive'?",
        ),
        (
            "due:\n  actions: [import_all]\n",
            "import_all",
            "views.due.actions[0]",
            "(row actions: update, delete, restore, archive)",
        ),
        (
            "due:\n  tree: owner\n",
            "owner",
            "views.due.tree",
            "'owner' is a relation to 'person' (self relations: parent)",
        ),
        ("due:\n  tree: title\n", "title", "views.due.tree", "'title' is a string field"),
        ("due:\n  tree: parnt\n", "parnt", "views.due.tree", "did you mean 'parent'?"),
        (
            "due:\n  tree: parent\n  filters: {parent: {isnull: true}}\n",
            "filters",
            "views.due.filters.parent",
            "a tree view cannot filter on its tree relation 'parent'",
        ),
        ("Due:\n  title: x\n", "Due", "views.Due", "view name 'Due' must be snake_case"),
        ("due:\n  title: ' '\n", "title", "views.due.title", "the title is empty"),
        (
            "due:\n  titel: Due\n",
            "titel",
            "views.due.titel",
            "unknown key 'titel'; did you mean 'title'?",
        ),
    ],
)
def test_view_errors(tmp_path, views, needle, path, message):
    error = only(errors(tmp_path, views))
    assert error.file == "schemas/task.yaml"
    assert error.key_path == path, str(error)
    assert message in error.message, str(error)
    assert error.line == line_of(views, needle), str(error)
    assert error.column is not None


def test_a_tree_needs_its_relation_filterable(tmp_path):
    task = TASK.replace(
        "parent: {type: relation, to: task, filterable: true}", "parent: {type: relation, to: task}"
    )
    error = only(errors(tmp_path, "menu:\n  tree: parent\n", task))
    assert error.key_path == "views.menu.tree"
    assert "which the list cannot filter on; set 'filterable: true'" in error.message


def test_views_need_the_list(tmp_path):
    task = TASK.replace("actions:\n", "actions:\n  list: false\n")
    error = only(errors(tmp_path, "due: {}\n", task))
    assert error.key_path == "views"
    assert "views need the list action" in error.message


def test_every_view_error_is_reported_at_once(tmp_path):
    found = errors(
        tmp_path,
        """\
        one: {filters: {nope: 1}, sort: [nope]}
        two: {columns: [nope], tree: nope}
        """,
    )
    assert [d.key_path for d in found] == [
        "views.one.filters.nope",
        "views.one.sort[0]",
        "views.two.columns[0]",
        "views.two.tree",
    ]


def test_the_browser_suite_knows_each_view_and_how_to_make_its_rows():
    """e2e/view_cases.ts (the web target), for the relations golden case: a table view whose rows
    need an author made first and no publisher, and a tree view over genre.parent."""
    from helpers import REPO

    from schemagen.registry import builtin_targets, render_all, select_targets

    project = compile_project(REPO / "tests" / "golden" / "relations").project
    files = render_all(project, select_targets(["web"], builtin_targets()), RenderContext())
    text = next(f.content for f in files if f.path == "web/e2e/view_cases.ts")
    book = text[text.index('resource: "book"') : text.index('resource: "genre"')]
    assert 'title: "Unpublished"' in book and 'page: "#/books/views/unpublished"' in book
    assert 'headers: ["Title", "Author"]' in book and "tree: null" in book
    assert "match: { publisher_id: null }" in book and "past: []" in book
    assert 'relations: [{ name: "author_id", resource: "author" }]' in book
    # Its row actions are Edit and Delete: no custom action to run.
    assert "actions: []" in book
    genre = text[text.index('resource: "genre"') :]
    assert 'tree: "parent_id"' in genre and 'page: "#/genres/views/genre_tree"' in genre
    assert "relations: []" in genre


def test_a_due_view_is_made_with_a_time_long_past(tmp_path):
    from schemagen.registry import builtin_targets, render_all, select_targets

    project(tmp_path, "due:\n  filters: {due_at: {lte: now}, status: {not_in: [todo]}}\n")
    files = render_all(
        compile_project(tmp_path).project,
        select_targets(["web"], builtin_targets()),
        RenderContext(),
    )
    text = next(f.content for f in files if f.path == "web/e2e/view_cases.ts")
    assert 'match: { due_at: "2020-01-02T03:04:05Z", status: "doing" }' in text
    assert 'past: ["due_at"]' in text
    assert '{ label: "Archive", inputs: ["Reason"], submit: true }' in text


def test_the_suite_makes_no_row_it_cannot_know(tmp_path):
    """A view of the rows under one given parent: the suite has no row of that id to point at."""
    from schemagen.registry import builtin_targets, render_all, select_targets

    project(tmp_path, "under:\n  filters: {parent: 3f0e6c1e-0000-4000-8000-000000000001}\n")
    files = render_all(
        compile_project(tmp_path).project,
        select_targets(["web"], builtin_targets()),
        RenderContext(),
    )
    text = next(f.content for f in files if f.path == "web/e2e/view_cases.ts")
    assert "make: null" in text
