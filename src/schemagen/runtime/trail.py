"""Where writes report what they changed: the audit trail, in projects that have one, and the
change feed.

Every write calls `audit()`. A resource with the `audit` trait needs a recorder, which the audit
module installs when the project configures it (`audit.configure`, in the generated `db.py`):
that module is in a project only when one of its resources is audited. The change feed
(`changes.configure`) takes every resource's changes. `recorded()` says whether a write must
report the rows it changed; the rows before are the audit trail's alone (the feed keeps the
row after, and a tombstone's id), so only audited resources read them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from sqlalchemy.orm import Session

from .context import RequestContext
from .resources import Resource

# (row id, the row before as the Read shape or None, the row after or None)
Change = tuple[Any, dict[str, Any] | None, dict[str, Any] | None]


class Recorder(Protocol):
    def __call__(
        self,
        resource: Resource,
        session: Session,
        context: RequestContext,
        action: str,
        changes: Sequence[Change],
    ) -> None: ...


RECORDER: list[Recorder] = []  # the one recorder, once configured
FEED: list[Recorder] = []  # the change feed, once configured


def use_recorder(recorder: Recorder) -> None:
    RECORDER[:] = [recorder]


def use_feed(recorder: Recorder) -> None:
    FEED[:] = [recorder]


def recorded(resource: Resource) -> bool:
    """Whether writes of `resource` report their rows: it is audited, or there is a change feed."""
    return resource.has("audit") or bool(FEED)


def audit(
    resource: Resource,
    session: Session,
    context: RequestContext,
    action: str,
    changes: Sequence[Change],
) -> None:
    """Append `(row id, before, after)` entries for an audited resource, in the write's
    transaction, and hand them to the change feed."""
    if not changes:
        return
    if FEED:
        FEED[0](resource, session, context, action, changes)
    if not resource.has("audit"):
        return
    if not RECORDER:
        raise RuntimeError(
            f"{resource.name} is audited but no audit trail is configured (runtime.audit.configure)"
        )
    RECORDER[0](resource, session, context, action, changes)
