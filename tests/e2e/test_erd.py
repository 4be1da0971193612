"""`schemagen erd` and generated/erd.md, through the real CLI, read back by Mermaid's own parser
(tests/mermaid) and laid out by Graphviz's `dot`; and the two escaping functions, over any text.
"""

from __future__ import annotations

import json
import os
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from helpers import cli_env, parse_mermaid, run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schemagen.literals import _one_line, dot_string, html_text, mermaid_string

SCHEMAS = {
    "author": {
        "resource": "author",
        "traits": ["timestamps"],
        "fields": {
            "name": "string(100) required",
            "handle": {"type": "string", "max_length": 40, "unique": True},
        },
    },
    "book": {
        "resource": "book",
        "description": "A book on the shelf.",
        "traits": ["timestamps", "soft_delete"],
        "fields": {
            "title": {"type": "string", "max_length": 200, "required": True},
            "author": {
                "type": "relation",
                "to": "author",
                "required": True,
                "on_delete": "cascade",
            },
            "editor": {"type": "relation", "to": "author", "on_delete": "set_null"},
            "sequel_of": {"type": "relation", "to": "book", "on_delete": "set_null"},
            "tags": {"type": "many_to_many", "to": "tag"},
            "price": {"type": "decimal", "precision": 8, "scale": 2},
            "status": {"type": "enum", "values": ["draft", "published"], "default": "draft"},
        },
    },
    "tag": {"resource": "tag", "fields": {"label": "string(40) required"}},
}


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("erd") / "library"
    (root / "schemas").mkdir(parents=True)
    (root / "schemagen.toml").write_text(
        '[project]\nname = "library"\npackage = "library"\n', encoding="utf-8"
    )
    for name, schema in SCHEMAS.items():
        (root / "schemas" / f"{name}.yaml").write_text(json.dumps(schema), encoding="utf-8")
    run_cli("build", cwd=root)
    return root


def _fence(markdown: str) -> str:
    return markdown.split("```mermaid\n", 1)[1].split("```", 1)[0]


def test_the_build_writes_the_diagram_that_mermaid_reads(library: Path, mermaid_modules) -> None:
    text = (library / "generated" / "erd.md").read_text("utf-8")
    [diagram] = parse_mermaid([_fence(text)])
    assert "error" not in diagram, diagram
    entities = {e["name"]: e for e in diagram["entities"]}
    assert set(entities) == {"authors", "books", "tags", "books_tags"}
    assert entities["books"]["alias"] == "books (timestamps, soft_delete)"
    columns = {a["name"]: a for a in entities["books"]["attributes"]}
    assert columns["id"]["keys"] == ["PK"] and columns["id"]["type"] == "uuid"
    assert columns["title"]["type"] == "string(200)"
    assert columns["author_id"]["keys"] == ["FK"]
    assert columns["price"]["comment"] == "nullable; precision 8, scale 2"
    assert columns["status"]["comment"] == "one of draft, published"
    assert columns["deleted_at"]["comment"] == "nullable; from soft_delete"
    assert {a["name"]: a["keys"] for a in entities["authors"]["attributes"]}["handle"] == ["UK"]
    junction = {a["name"]: a["keys"] for a in entities["books_tags"]["attributes"]}
    assert junction == {"book_id": ["PK", "FK"], "tag_id": ["PK", "FK"]}
    links = {(r["parent"], r["child"], r["role"]): r for r in diagram["relationships"]}
    assert set(links) == {
        ("authors", "books", "author, on delete cascade"),
        ("authors", "books", "editor, on delete set null"),
        ("books", "books", "sequel_of, on delete set null"),
        ("books", "books_tags", "tags, on delete cascade"),
        ("tags", "books_tags", "books, on delete cascade"),
    }
    # Mermaid names the ends from the line's right: many books, exactly one or at most one author.
    required = links["authors", "books", "author, on delete cascade"]
    optional = links["authors", "books", "editor, on delete set null"]
    assert required["cardinality"] == ["ZERO_OR_MORE", "ONLY_ONE"]
    assert optional["cardinality"] == ["ZERO_OR_MORE", "ZERO_OR_ONE"]
    assert (
        not required["identifying"]
        and links["books", "books_tags", "tags, on delete cascade"]["identifying"]
    )
    assert "| `books` | Book | `timestamps`, `soft_delete` | A book on the shelf. |" in text


def test_erd_prints_the_mermaid_of_erd_md_from_any_folder(library: Path, tmp_path: Path) -> None:
    result = run_cli("erd", "-C", str(library), cwd=tmp_path)
    assert result.stdout == _fence((library / "generated" / "erd.md").read_text("utf-8"))


def test_erd_svg_is_laid_out_by_graphviz(library: Path, graphviz_dot: str) -> None:
    result = run_cli("erd", "--format", "svg", "-o", "erd.svg", cwd=library)
    assert "wrote erd.svg" in result.stderr
    svg = ET.parse(library / "erd.svg").getroot()
    texts = {t.text for t in svg.iter("{http://www.w3.org/2000/svg}text")}
    assert {"books (timestamps, soft_delete)", "books_tags (many-to-many)", "PK, FK"} <= texts
    assert "author, on delete cascade" in texts


def test_erd_svg_without_graphviz_is_a_clear_error(library: Path, tmp_path: Path) -> None:
    # A PATH without `dot` (the interpreter runs by its full path).
    result = run_cli(
        "erd", "--format", "svg", cwd=library, env=cli_env(PATH=str(tmp_path)), check=False
    )
    assert result.returncode == 1, result.stderr
    assert "needs Graphviz's `dot`, which is not installed" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


# Any character, most often one that Mermaid, Graphviz, HTML or Markdown reads as syntax.
HOSTILE = st.lists(
    st.one_of(
        st.sampled_from(list("\"'\\#%:;`<>&{}[]()|-.=\n\r\t \u2028\x00\ufb02\u00b6\u00b0\u00df")),
        st.sampled_from(["#quot;", "#35;", "%%{init: {}}%%", "style x:#f00;", "\\N", "\\l", "]]>"]),
        st.characters(),
    ),
    min_size=1,
    max_size=20,
).map("".join)


@settings(
    max_examples=40 if os.environ.get("SCHEMAGEN_LONG") else 8,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(st.lists(HOSTILE, min_size=3, max_size=30))
def test_any_text_stays_one_string_in_mermaid_and_dot(
    mermaid_modules, graphviz_dot: str, texts: list[str]
) -> None:
    # Each text as an entity's title, an attribute's comment and a relationship's label.
    entities = [
        f"    t{i}[{mermaid_string(text)}] {{\n        string c {mermaid_string(text)}\n    }}"
        for i, text in enumerate(texts)
    ]
    links = [f"    t0 ||..o{{ t{i} : {mermaid_string(t)}" for i, t in enumerate(texts)]
    [diagram] = parse_mermaid(["erDiagram\n" + "\n".join(entities + links) + "\n"])
    assert "error" not in diagram, diagram
    shown = [_one_line(t) or " " for t in texts]  # Mermaid has no empty string
    assert [e["alias"] for e in diagram["entities"]] == shown
    assert [e["attributes"][0]["comment"] for e in diagram["entities"]] == shown
    assert [r["role"] for r in diagram["relationships"]] == shown

    nodes = [
        f"    {dot_string(f't{i}')} [label=<<table><tr><td>{html_text(t)}</td></tr></table>>];"
        for i, t in enumerate(texts)
    ]
    edges = [f'    "t0" -> "t{i}" [label={dot_string(t)}];' for i, t in enumerate(texts)]
    source = f"digraph {dot_string(texts[0])} {{\n" + "\n".join(nodes + edges) + "\n}\n"
    result = subprocess.run(
        [graphviz_dot, "-Tsvg"], input=source, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    svg = ET.fromstring(result.stdout)
    drawn = [t.text or "" for t in svg.iter("{http://www.w3.org/2000/svg}text")]
    for text in shown:
        # Graphviz draws a label's text as it is; a label of only spaces draws nothing.
        assert text.strip() == "" or text in drawn, (text, drawn)
