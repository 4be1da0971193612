"""Handlers of the custom actions of kitchen_sink_ext.gadgets.

Yours to edit: schemagen wrote this file once and never touches it again. Each handler gets the
session, the row (None for collection actions) and the validated input, and runs inside the
request's transaction, committed after it returns. Return None to answer with the row, or any
JSON-able value. Raise `kitchen_sink.errors.ApiError` to answer with an error.
"""

from __future__ import annotations

from typing import Any

from kitchen_sink import models, schemas
from sqlalchemy.orm import Session


def archive(session: Session, row: models.Gadget, data: schemas.GadgetArchiveInput) -> Any:
    """gadget.archive: Moves it out of sight; it's reversible."""
    raise NotImplementedError(
        "gadget.archive is not implemented yet: edit kitchen_sink_ext.gadgets:archive"
    )


def recount(session: Session, row: models.Gadget | None, data: schemas.GadgetRecountInput) -> Any:
    """gadget.recount: Recount"""
    raise NotImplementedError(
        "gadget.recount is not implemented yet: edit kitchen_sink_ext.gadgets:recount"
    )
