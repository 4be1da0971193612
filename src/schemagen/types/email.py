"""`email`: an e-mail address, VARCHAR(320), checked for its syntax."""

from __future__ import annotations

from typing import Any

import email_validator

from schemagen.types import _checks
from schemagen.types.base import FieldType, TypeDef
from schemagen.types.string import sql


def _default(value: Any, f: Any) -> str | None:
    """A default the generated API would take as an address: email-validator's syntax check, as
    Pydantic's EmailStr runs it there (special-use domains such as name@host.test allowed)."""
    problem = _checks.text_default(value, f)
    if problem is not None:
        return problem
    special_use = email_validator.SPECIAL_USE_DOMAIN_NAMES
    email_validator.SPECIAL_USE_DOMAIN_NAMES = []  # as the generated schemas/_shared.py sets it
    try:
        email_validator.validate_email(value, check_deliverability=False)
    except email_validator.EmailNotValidError as exc:
        return f"default {value!r} is not a valid email ({exc})"
    finally:
        email_validator.SPECIAL_USE_DOMAIN_NAMES = special_use
    return None


TYPE = TypeDef(
    type=FieldType.EMAIL,
    summary="an e-mail address",
    family="text",
    sql=sql,
    python="str",
    ts="string",
    zod="z.email()",
    json_schema={"type": "string", "format": "email"},
    api_kind="email",
    widget="email",
    sample=lambda f, k, resource, name: f"{name.replace('_', '.')}.{k}@example.com",
    invalid=lambda f: ["not an email"],
    default_problem=_default,
    options=("max_length", "min_length"),
    shorthand=("max_length",),
    max_length=320,
    array_item=True,
    searchable=True,
)
