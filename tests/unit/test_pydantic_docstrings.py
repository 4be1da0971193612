"""The pydantic target writes every description itself: datamodel-code-generator sees placeholders."""

from __future__ import annotations

import ast

from schemagen.targets.pydantic_models import generate, with_docstrings, without_descriptions

FAKE = '"""SchemagenDescription0000"""'  # what a placeholder docstring looks like, as a title


def test_descriptions_become_placeholders_but_data_and_property_names_do_not() -> None:
    document = {
        "$defs": {
            "T": {
                "type": "object",
                "description": "model\u2028text",
                "properties": {
                    "description": {
                        "type": "string",
                        "description": "a\x0bb",
                        "default": "description",
                    },
                    "e": {
                        "type": "string",
                        "enum": ["description"],
                        "examples": [{"description": "x"}],
                    },
                },
            }
        }
    }
    stripped, found = without_descriptions(document)
    assert found == ["model\u2028text", "a\x0bb"]
    t = stripped["$defs"]["T"]
    assert t["description"] == "SchemagenDescription0000"
    assert set(t["properties"]) == {"description", "e"}  # a field named "description" stays one
    assert t["properties"]["description"]["default"] == "description"
    assert t["properties"]["e"]["examples"] == [{"description": "x"}]


def test_only_whole_placeholder_docstrings_are_replaced() -> None:
    document = {
        "$defs": {
            "T": {
                "type": "object",
                "properties": {
                    "a": {
                        "type": "string",
                        "title": FAKE,
                        "default": FAKE,
                        "description": "it's\u2028x = 1",
                    },
                },
            }
        }
    }
    stripped, found = without_descriptions(document)
    code = with_docstrings(generate(stripped), found)
    tree = ast.parse(code)
    [model] = [n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "T"]
    field, doc = model.body[-2:]
    assert isinstance(doc, ast.Expr) and doc.value.value == "it's\u2028x = 1"
    assert FAKE in ast.unparse(field)  # the title and the default keep the placeholder-like text
    assert ast.literal_eval(field.value) == FAKE
