"""The guard against code injection: a project with hostile text in every string-bearing position
of the language, built by the real CLI, and every generated file read back by its own language.

Each position holds a unique marker (`ZqM012Zq`) followed by the payloads that end a literal, a
comment or a docstring somewhere (every Unicode line terminator, each followed by the marker
again, quotes, backslashes, `\"\"\"`, `*/`, `${`, `</script>`, `-->`, NUL where the language
allows it). The build must succeed, and then:
- every .py file compiles, and with Python's tokenize every marker is inside a STRING or COMMENT;
- every .ts file parses without diagnostics, and with the pinned TypeScript every marker is inside
  a string, template or comment (tests/ts/string_positions.cjs);
- every .json and .toml file parses, and holds each marker only inside its strings;
- alembic.ini parses with Alembic's own config reader, markers only in comment lines; Mako
  compiles script.py.mako, markers only in its `##` comment lines;
- Markdown (read by markdown-it) holds each marker as text or code, never as HTML or markup;
- no other file holds a marker (a new kind of file must be added here);
- the values read back through the generated code equal what the schema said;
- the revision `schemagen migrate` writes applies on SQLite and PostgreSQL, and the database holds
  the column comment (NUL written as U+FFFD).
"""

from __future__ import annotations

import configparser
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
from helpers import (
    GUARD_COUNTS,
    LINE_BREAKS,
    REPO,
    import_module_from,
    markers_in_python,
    parse_mermaid,
    run_cli,
    structured_strings,
)
from mako.template import Template
from markdown_it import MarkdownIt

MARKER = re.compile(r"ZqM\d{3}Zq")
SQL_BREAKS = ("\n", "\r", "\r\n", "\t")
BREAKOUTS = (
    " \" ' \"\"\" ''' ` \\ \\\\ \\N{BULLET} \\u0041 */ /* ${x} {{y}} {z} %(w)s %% </script> "
    "--> --!> <!-- # -- ; \u202e\x7f\x1b x = 1"
)


class Positions:
    """Hands out a marker per string position and remembers what it held."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {}  # by marker and by position
        self.unused: set[str] = set()  # markers of positions no built-in target writes
        self.count = 0

    def __call__(
        self,
        where: str,
        *,
        nul: bool = True,
        short: bool = False,
        sql: bool = False,
        one_line: bool = False,
        printable: bool = False,
    ) -> str:
        marker = f"ZqM{self.count:03d}Zq"
        self.count += 1
        if short:  # enum values: at most 63 characters, no control or separator characters
            value = marker + "\"'\\`${x}*/" + marker + " %s {y} " + marker
        else:
            # A SQL expression may not hold ';', '--' or '/*' even inside its strings.
            breakouts = re.sub(r";|--+|/\*", "", BREAKOUTS) if sql else BREAKOUTS
            if printable or sql:  # validate refuses control, format and separator characters
                breakouts = re.sub(r"[\x00-\x1f\x7f\u202e]", "", breakouts)
            # SQL takes its own whitespace only (line feed, carriage return, tab).
            breaks = () if one_line or printable else SQL_BREAKS if sql else LINE_BREAKS
            value = marker + breakouts + "".join(b + marker + " = 1" for b in breaks)
            if printable:  # and at most 100 characters
                value = value[:100]
            if nul and not printable:
                value += "\x00" + marker
        self.values[marker] = value
        self.values[where] = value
        return value


def hostile_project(root: Path) -> Positions:
    """schemagen.toml and two resources with hostile text wherever the language takes text."""
    at = Positions()
    # The schemas folder's name reaches every file's header: quotes and closers, no line breaks.
    folder = at("project.schemas", short=True) + " */ --> ${x} `"
    (root / folder).mkdir(parents=True)
    name = at("project.name", printable=True)
    # TOML through JSON's escapes, which are TOML's too for these characters (\uXXXX, \", \\).
    (root / "schemagen.toml").write_text(
        "[project]\n"
        f"name = {json.dumps(name)}\n"
        'package = "hostile"\n'
        f"schemas = {json.dumps(folder)}\n"
        "[database]\n"
        'dialects = ["sqlite", "postgresql"]\n',
        encoding="utf-8",
    )
    check_text = at("checks.expr", nul=False, sql=True)
    # One line: SQLAlchemy reads a SQLite partial index's condition back (to recreate the table in
    # a batch migration) only up to the end of its first line.
    where_text = at("indexes.where", nul=False, sql=True, one_line=True)
    task = {
        "resource": "task",
        "label": at("label"),
        "label_plural": at("label_plural"),
        "description": at("description"),
        "display": {"icon": at("display.icon"), "color": at("display.color")},  # for the web app
        "traits": ["timestamps"],
        "fields": {
            "title": {
                "type": "string",
                "max_length": 2000,
                "required": True,
                "label": at("title.label"),
                "help": at("title.help"),
                "description": at("title.description"),
                "widget": at("title.widget"),
            },
            "note": {
                "type": "text",
                "default": at("note.default", nul=False),
                "pattern": "^(?:[\\s\\S]*)$|" + re.escape(at("note.pattern", nul=False)),
                "description": at("note.description"),
            },
            "status": {
                "type": "enum",
                "values": [
                    {
                        "value": at("status.value", nul=False, short=True),
                        "label": at("status.label"),
                    },
                    {"value": "plain", "label": at("plain.label")},
                ],
                "default": "plain",
                "filterable": True,
            },
            "score": {"type": "float", "min": -1.5e300, "max": 1e300, "default": 0.5},
            "owner": {"type": "relation", "to": "person", "label": at("owner.label")},
        },
        "checks": [
            {"name": "title_not_marker", "expr": "title <> '" + check_text.replace("'", "''") + "'"}
        ],
        "indexes": [
            {"fields": ["note"], "where": "title <> '" + where_text.replace("'", "''") + "'"}
        ],
        "actions": {
            "close": {
                "label": at("action.label"),
                "description": at("action.description"),
                "input": {
                    "reason": {
                        "type": "text",
                        "label": at("input.label"),
                        "help": at("input.help"),
                        "description": at("input.description"),
                        "default": at("input.default", nul=False),
                    }
                },
            }
        },
    }
    person = {
        "resource": "person",
        "label": at("person.label"),
        "description": at("person.description"),
        "fields": {"name": {"type": "string", "required": True, "label": at("name.label")}},
    }
    for resource in (task, person):
        # JSON with ASCII escapes is YAML: every character arrives as written.
        (root / folder / f"{resource['resource']}.yaml").write_text(
            json.dumps(resource), encoding="utf-8"
        )
    at.unused = {
        m
        for m in at.values
        if MARKER.fullmatch(m)
        and at.values[m] in (at.values["display.icon"], at.values["display.color"])
    }
    return at


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Positions]:
    root = tmp_path_factory.mktemp("hostile") / "project"
    positions = hostile_project(root)
    run_cli("build", cwd=root)
    run_cli("migrate", "-m", positions("migrate.message", nul=False), cwd=root)
    # A second version, so that the strings of later steps are in a revision too: a changed
    # comment, an enum value added (ALTER TYPE ... ADD VALUE on PostgreSQL), a required column
    # filled from its backfill.
    [path] = root.rglob("task.yaml")
    task = json.loads(path.read_text("utf-8"))
    fields = task["fields"]
    fields["title"]["description"] = positions("title.description.v2")
    fields["status"]["values"].append(
        {"value": positions("status.value.v2", nul=False, short=True), "label": "v2"}
    )
    fields["code"] = {
        "type": "string",
        "max_length": 2000,
        "required": True,
        "backfill": positions("code.backfill", nul=False),
    }
    path.write_text(json.dumps(task), encoding="utf-8")
    run_cli("build", cwd=root)
    run_cli("migrate", "-m", positions("migrate.message.v2", nul=False), cwd=root)
    return root / "generated", positions


def _markers(text: str) -> list[re.Match[str]]:
    return list(MARKER.finditer(text))


def _files(output: Path, suffix: str) -> list[Path]:
    return sorted(p for p in output.rglob(f"*{suffix}") if p.is_file())


def test_the_hostile_project_builds_with_markers_in_every_kind_of_file(hostile) -> None:
    output, positions = hostile
    seen = {
        m.group() for p in output.rglob("*") if p.is_file() for m in _markers(p.read_text("utf-8"))
    }
    # Every position reached the output somewhere (else the guard would prove nothing for it).
    wanted = {k for k in positions.values if MARKER.fullmatch(k)} - positions.unused
    assert wanted - seen == set(), f"positions that reached no file: {sorted(wanted - seen)}"
    files = [p for p in output.rglob("*") if p.is_file()]
    GUARD_COUNTS["hostile strings, project"] = (
        f"{len(wanted)} string positions written into {len(files)} files, the build and the revision succeeded"
    )
    suffixes = {
        p.suffix for p in output.rglob("*") if p.is_file() and _markers(p.read_text("utf-8"))
    }
    # Each kind has its test below; `""` is the web app's .gitignore (its header comment).
    kinds = {".py", ".ts", ".tsx", ".json", ".toml", ".ini", ".md", ".mako", ".html", ""}
    assert suffixes <= kinds, suffixes


def test_python_holds_every_marker_inside_a_string_or_a_comment(hostile) -> None:
    output, _ = hostile
    checked = 0
    for path in _files(output, ".py"):
        text = path.read_text("utf-8")
        compile(text, str(path), "exec")
        found, outside = markers_in_python(text, MARKER)
        checked += found
        assert not outside, (
            f"{path.relative_to(output)}: markers outside a string at lines {outside}"
        )
    assert checked > 100, checked
    GUARD_COUNTS["hostile strings, Python"] = (
        f"{checked} markers in {len(_files(output, '.py'))} files, each in a string or comment"
    )


def test_typescript_holds_every_marker_inside_a_string_or_a_comment(hostile) -> None:
    output, _ = hostile
    node = shutil.which("node")
    typescript = REPO / "tests" / "ts" / "node_modules" / "typescript"
    if node is None or not typescript.is_dir():
        pytest.skip(
            "node and tests/ts/node_modules (tests/e2e/test_client.py installs it) are needed"
        )
    files = _files(output, ".ts") + _files(output, ".tsx")
    result = subprocess.run(
        [
            node,
            str(REPO / "tests" / "ts" / "string_positions.cjs"),
            MARKER.pattern,
            *map(str, files),
        ],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=True,
    )
    report = json.loads(result.stdout)
    checked = 0
    for file, found in report.items():
        name = Path(file).relative_to(output)
        assert found["diagnostics"] == [], f"{name}: {found['diagnostics']}"
        for marker in found["markers"]:
            checked += 1
            assert marker["kind"] != "code", f"{name}:{marker['line']}: {marker['marker']} is code"
    assert checked > 50, checked
    GUARD_COUNTS["hostile strings, TypeScript"] = (
        f"{checked} markers in {len(files)} files, each in a string or comment"
    )


def test_json_and_toml_parse_and_hold_the_markers_only_in_strings(hostile) -> None:
    output, positions = hostile
    readers = {".json": json.loads, ".toml": tomllib.loads}
    for suffix, read in readers.items():
        for path in _files(output, suffix):
            text = path.read_text("utf-8")
            data = read(text)
            inside = sum(len(_markers(s)) for s in structured_strings(data))
            # The rest are in comment lines (TOML has them; JSON does not).
            comments = "".join(line for line in text.splitlines() if line.startswith("#"))
            assert inside + len(_markers(comments)) == len(_markers(text)), path.relative_to(output)
    pyproject = tomllib.loads((output / "pyproject.toml").read_text("utf-8"))
    assert pyproject["project"]["name"] == positions.values["project.name"]
    schema = json.loads((output / "jsonschema" / "task.json").read_text("utf-8"))
    assert schema["title"] == positions.values["label"]
    assert schema["description"] == positions.values["description"]


def test_ini_mako_and_markdown_keep_the_markers_in_comments_and_text(
    hostile, mermaid_modules
) -> None:
    output, _ = hostile
    ini = output / "migrations" / "alembic.ini"
    text = ini.read_text("utf-8")
    parser = configparser.ConfigParser()  # what alembic.config.Config reads it with
    parser.read_string(text)
    assert parser.get("alembic", "script_location", vars={"here": "/x"}) == "/x"
    for match in _markers(text):
        line = text[text.rfind("\n", 0, match.start()) + 1 : text.find("\n", match.start())]
        assert line.startswith("#"), line
    for path in _files(output, ".mako"):
        text = path.read_text("utf-8")
        Template(text)  # Mako compiles it: nothing in it became template code
        for line in text.splitlines():
            assert not _markers(line) or line.startswith("## "), line
    markdown = MarkdownIt("commonmark")
    for path in _files(output, ".md"):
        text = path.read_text("utf-8")
        counted = 0
        for block in markdown.parse(text):
            if block.type == "html_block":  # only the header: one comment, closed at its end
                assert block.content.startswith("<!--") and block.content.count("-->") == 1
                assert block.content.rstrip().endswith("-->")
                counted += len(_markers(block.content))
            if block.type == "fence" and block.info == "mermaid":  # erd.md's diagram
                counted += _mermaid_string_markers(block.content)
            elif block.type == "fence":  # the client README's examples: code, shown as it is
                counted += len(_markers(block.content))
            for token in block.children or []:
                if token.type in ("text", "code_inline"):
                    counted += len(_markers(token.content))
        # Every marker is read as text or code, none as HTML, a link or emphasis markup.
        assert counted == len(_markers(text)), path.relative_to(output)


def _mermaid_string_markers(source: str) -> int:
    """The markers Mermaid's parser reads inside the diagram's strings (titles, comments, labels),
    after checking that it reads every line it was given."""
    [diagram] = parse_mermaid([source])
    assert "error" not in diagram, diagram["error"]
    strings = [e["alias"] for e in diagram["entities"]]
    strings += [a["comment"] for e in diagram["entities"] for a in e["attributes"]]
    strings += [r["role"] for r in diagram["relationships"]]
    attributes = sum(len(e["attributes"]) for e in diagram["entities"])
    # One line per box, its end, each attribute and each relationship, plus `erDiagram`.
    lines = 1 + 2 * len(diagram["entities"]) + attributes + len(diagram["relationships"])
    assert lines == len(source.splitlines()), source
    return sum(len(_markers(s)) for s in strings)


def test_the_svg_diagram_draws_every_marker_as_text(hostile, graphviz_dot) -> None:
    output, _ = hostile
    source = run_cli("erd", "--format", "dot", cwd=output.parent).stdout
    svg = run_cli("erd", "--format", "svg", cwd=output.parent).stdout
    drawn = " ".join(
        t.text or "" for t in ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}text")
    )
    # Graphviz read every label whole: each marker of the source is drawn, as text.
    assert sorted(m.group() for m in _markers(drawn)) == sorted(m.group() for m in _markers(source))
    assert _markers(source)


class _HtmlText(HTMLParser):
    """What an HTML parser reads as text, comments and attribute values: no markup."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.inert: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.inert += [value or "" for _, value in attrs]

    def handle_data(self, data: str) -> None:
        self.inert.append(data)

    def handle_comment(self, data: str) -> None:
        self.inert.append(data)


def test_html_and_gitignore_keep_the_markers_in_text_and_comments(hostile) -> None:
    output, _ = hostile
    for path in _files(output, ".html"):
        text = path.read_text("utf-8")
        parser = _HtmlText()
        parser.feed(text)
        parser.close()
        # Every marker is read as text, a comment or an attribute value, and the page has the
        # tags of the showcase's page of the same name: none came from a schema string.
        assert sum(len(_markers(s)) for s in parser.inert) == len(_markers(text)), path
        plain = _HtmlText()
        plain.feed((REPO / "generated" / path.relative_to(output)).read_text("utf-8"))
        assert parser.tags == plain.tags, path.relative_to(output)
    ignores = [p for p in output.rglob(".gitignore") if p.is_file()]
    assert ignores, "the web app writes its .gitignore"
    for path in ignores:
        for line in path.read_text("utf-8").splitlines():
            assert not _markers(line) or line.startswith("#"), line


def test_the_generated_code_reads_back_what_the_schema_said(hostile) -> None:
    output, positions = hostile
    backend = str(output / "backend")
    sys.path.insert(0, backend)
    try:
        schemas = import_module_from(output / "backend" / "hostile" / "schemas" / "__init__.py")
    finally:
        sys.path.remove(backend)
    fields = schemas.TaskCreate.model_fields
    assert fields["title"].title == positions.values["title.label"]
    assert fields["note"].default == positions.values["note.default"]
    assert (
        schemas.TaskCloseInput.model_fields["reason"].default == positions.values["input.default"]
    )


@pytest.mark.db
@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_the_revision_applies_and_the_database_keeps_the_comment(hostile, dialect, database_url):
    import sqlalchemy as sa

    output, positions = hostile
    url = database_url(dialect)
    env = {"DATABASE_URL": url}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "alembic",
            "-c",
            str(output / "migrations" / "alembic.ini"),
            "upgrade",
            "head",
        ],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    engine = sa.create_engine(url)
    try:
        columns = {c["name"]: c for c in sa.inspect(engine).get_columns("tasks")}
        if dialect == "postgresql":
            # PostgreSQL holds no NUL in any text: the comment has U+FFFD in its place.
            expected = positions.values["title.description.v2"].replace("\x00", "\ufffd")
            assert columns["title"]["comment"] == expected
    finally:
        engine.dispose()
