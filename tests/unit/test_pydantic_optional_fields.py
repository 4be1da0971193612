"""A field that may be left out but not be null: typed `X | None` for its None default (what
mypy --strict asks of a generated project), validated as X alone, documented as X."""

from __future__ import annotations

import datetime
import sys
import types
import uuid
from collections.abc import Iterator
from typing import Any

import pydantic
import pytest

from schemagen.targets.pydantic_models import generate, merge, normalize

DOCUMENT = {
    "$defs": {
        "ThingUpdate": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "name": {"type": "string", "maxLength": 5},
                "count": {"type": "integer", "minimum": 0},
                "tags": {"type": "array", "items": {"type": "string", "format": "uuid"}},
                "kind": {"type": "string", "enum": ["a", "b"]},
                "note": {"anyOf": [{"type": "string"}, {"type": "null"}]},
                "opens_at": {"type": "string", "format": "time", "default": "09:30:00"},
                "ref": {
                    "type": "string",
                    "format": "uuid",
                    "default": "6f1c1d2e-0b7a-4c5e-9a58-3f2d1e0c9b8a",
                },
            },
        }
    }
}


@pytest.fixture(scope="module")
def module() -> Iterator[dict[str, Any]]:
    code = merge([generate(normalize(DOCUMENT))])
    # A module Pydantic can find: the models are built on first use, their names read from it.
    schemas = types.ModuleType("_schemagen_test_schemas")
    sys.modules[schemas.__name__] = schemas
    try:
        exec(compile(code, "schemas.py", "exec"), schemas.__dict__)  # noqa: S102
        yield {**schemas.__dict__, "code": code}
    finally:
        del sys.modules[schemas.__name__]


def test_a_field_that_may_not_be_null_is_typed_for_its_none_default(module: dict[str, Any]) -> None:
    code = module["code"]
    assert "name: Annotated[str | None, NotNull, Field(max_length=5)] = None" in code
    assert "tags: Annotated[list[UUID] | None, NotNull]" in code
    assert "note: str | None = None" in code  # nullable: no NotNull


def test_null_is_refused_as_the_type_refuses_it_and_left_out_is_none(
    module: dict[str, Any],
) -> None:
    model = module["ThingUpdate"]
    assert model.model_validate_json("{}", strict=True).name is None
    for field, kind in (
        ("name", "string_type"),
        ("count", "int_type"),
        ("tags", "list_type"),
        ("kind", "literal_error"),
    ):
        with pytest.raises(pydantic.ValidationError) as raised:
            model.model_validate_json(f'{{"{field}": null}}', strict=True)
        assert [(e["type"], e["loc"]) for e in raised.value.errors()] == [(kind, (field,))]
    with pytest.raises(pydantic.ValidationError):
        model.model_validate_json('{"name": "toolong"}', strict=True)
    sent = model.model_validate_json(
        f'{{"count": 2.0, "tags": ["{uuid.UUID(int=1)}"]}}', strict=True
    )
    assert (sent.count, sent.tags) == (2, [uuid.UUID(int=1)])
    assert model.model_validate_json('{"note": null}', strict=True).note is None


def test_the_document_shows_no_null_and_defaults_keep_their_text(module: dict[str, Any]) -> None:
    model = module["ThingUpdate"]
    properties = model.model_json_schema()["properties"]
    assert properties["name"] == {
        "default": None,
        "maxLength": 5,
        "title": "Name",
        "type": "string",
    }
    assert "anyOf" not in properties["kind"] and "anyOf" not in properties["tags"]
    assert properties["opens_at"]["default"] == "09:30:00"
    assert properties["ref"]["default"] == "6f1c1d2e-0b7a-4c5e-9a58-3f2d1e0c9b8a"
    made = model()
    assert made.opens_at == datetime.time(9, 30)
    assert made.ref == uuid.UUID("6f1c1d2e-0b7a-4c5e-9a58-3f2d1e0c9b8a")
