"""What the traits add to a table, and the tables the generated project keeps for itself.

One home for these facts: validate reserves the names, resolve builds the IR's columns, tables and
row-level security from them, and the targets ask here which columns scope a row (tenant, branch)
and which rows are live.
"""

from __future__ import annotations

from dataclasses import dataclass

from schemagen import ir
from schemagen.runtime.contract import IP_ADDRESS_LENGTH, USER_AGENT_LENGTH

TENANT_KEY_LENGTH = 64  # tenant, owner and branch ids
NOW = ir.Default(None, "CURRENT_TIMESTAMP", "now")


@dataclass(frozen=True)
class ColumnSpec:
    """A column no schema field declares: a trait's, or one of a system table's."""

    name: str
    type: str
    nullable: bool
    default: ir.Default | None = None
    length: int | None = None
    exposed: bool = True  # False: bookkeeping the API never shows


_FALSE = ir.Default(False, "false")

TRAIT_COLUMNS: dict[str, tuple[ColumnSpec, ...]] = {
    "timestamps": (
        ColumnSpec("created_at", "datetime", False, NOW),
        ColumnSpec("updated_at", "datetime", False, NOW),
    ),
    "soft_delete": (ColumnSpec("deleted_at", "datetime", True),),
    "tenant": (ColumnSpec("tenant_id", "string", False, length=TENANT_KEY_LENGTH),),
    "versioned": (ColumnSpec("version", "integer", False, ir.Default(1, "1")),),
    "owned": (
        ColumnSpec("owner_id", "string", True, length=TENANT_KEY_LENGTH),
        ColumnSpec("is_system", "boolean", False, _FALSE),
    ),
    "branching": (
        ColumnSpec(
            "branch_id", "string", False, ir.Default("main", "'main'"), length=TENANT_KEY_LENGTH
        ),
        # A tombstone: deleting a row on a branch marks the branch's copy, which hides the
        # default branch's row from that branch's reads.
        ColumnSpec("branch_deleted", "boolean", False, _FALSE, exposed=False),
    ),
}
TRAIT_ORDER = ("branching", "tenant", "owned")  # key-like trait columns come right after id
KEY_COLUMNS = ("branch_id", "tenant_id", "owner_id")
# Columns that scope a row rather than describe it: a unique value is unique within them.
SCOPE_COLUMNS = ("tenant_id", "branch_id")
# Rows a deletion only marks keep their values; uniqueness holds among the others.
LIVE_CONDITIONS = (("soft_delete", "deleted_at IS NULL"), ("branching", "NOT branch_deleted"))


def trait_column_names(trait: str) -> tuple[str, ...]:
    return tuple(c.name for c in TRAIT_COLUMNS.get(trait, ()))


def live_rows(traits: tuple[str, ...] | list[str]) -> str | None:
    """The condition of the rows uniqueness holds among, or None when deleting deletes."""
    return " AND ".join(sql for trait, sql in LIVE_CONDITIONS if trait in traits) or None


def primary_key(traits: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """A resource's primary key: branching rows are keyed per branch."""
    return ("id", "branch_id") if "branching" in traits else ("id",)


# What row-level security trusts: the caller the app sets on each transaction (db.bind).
TENANT_SETTING = "current_setting('app.tenant_id', true)"
USER_SETTING = "current_setting('app.user_id', true)"

# The tables the generated project keeps for itself, and their models: reserved whether or not a
# resource uses them yet, so adding `audit` never breaks a name.
AUDIT_LOG = "audit_log"
BULK_RUNS = "bulk_runs"
IDEMPOTENCY_KEYS = "idempotency_keys"
CHANGE_FEED = "change_feed"
CHANGE_FEED_CLOCK = "change_feed_clock"
SYSTEM_TABLES = {
    AUDIT_LOG: "AuditLogEntry",
    BULK_RUNS: "BulkRun",
    IDEMPOTENCY_KEYS: "IdempotencyKey",
    CHANGE_FEED: "ChangeFeedEntry",
    CHANGE_FEED_CLOCK: "ChangeFeedClock",
}
SYSTEM_ORIGIN = "schemagen."  # + the table: no resource or junction table has a dot in its origin


@dataclass(frozen=True)
class SystemTable:
    """A table the generated runtime keeps (ir.Table is built from it with its policies)."""

    name: str
    description: str
    key: str  # the id's kind: integer or uuid
    columns: tuple[ColumnSpec, ...]  # after the id
    indexes: tuple[tuple[str, ...], ...]
    uniques: tuple[str, ...] = ()


# Who wrote it, for which tenant, on which branch: on every entry and run.
_SCOPE = (
    ColumnSpec("actor", "string", True, length=255),
    ColumnSpec("tenant_id", "string", True, length=TENANT_KEY_LENGTH),
    ColumnSpec("branch_id", "string", True, length=TENANT_KEY_LENGTH),
)
# Where the request came from (its peer's address, IPv6 at most; its User-Agent, cut): on audit
# entries and bulk runs (whose batches write entries after the request), not on the change feed,
# which every caller in the scope reads.
_CLIENT = (
    ColumnSpec("ip_address", "string", True, length=IP_ADDRESS_LENGTH),
    ColumnSpec("user_agent", "string", True, length=USER_AGENT_LENGTH),
)
_ZERO = ir.Default(0, "0")

# Kept when any resource has the audit trait.
AUDIT_LOG_TABLE = SystemTable(
    AUDIT_LOG,
    "One write to an audited resource: who did what to which row, before and after.",
    "integer",
    (
        ColumnSpec("resource", "string", False, length=100),
        ColumnSpec("row_id", "string", False, length=64),
        ColumnSpec("action", "string", False, length=64),
        ColumnSpec("before", "json", True),
        ColumnSpec("after", "json", True),
        *_SCOPE,
        *_CLIENT,
        ColumnSpec("at", "datetime", False, NOW),
    ),
    (("resource", "row_id"), ("tenant_id", "at")),
)
# Kept when any resource has the bulk action.
BULK_RUNS_TABLE = SystemTable(
    BULK_RUNS,
    "One bulk update or delete, and what its undo token restores.",
    "uuid",
    (
        ColumnSpec("resource", "string", False, length=100),
        ColumnSpec("operation", "string", False, length=16),
        ColumnSpec("filter", "json", False),
        ColumnSpec("values", "json", True),
        ColumnSpec("dry_run", "boolean", False),
        ColumnSpec("matched", "integer", False, _ZERO),
        ColumnSpec("affected", "integer", False, _ZERO),
        ColumnSpec("failed", "integer", False, _ZERO),
        *_SCOPE,
        *_CLIENT,
        ColumnSpec("created_at", "datetime", False, NOW),
        ColumnSpec("undo_token", "string", True, length=64),
        ColumnSpec("undo_expires_at", "datetime", True),
        ColumnSpec("undone_at", "datetime", True),
        ColumnSpec("undo_data", "json", True),
        # A run in the background (runtime.bulk_runs): queued, running, then done, cancelled or
        # failed; a run answered in its request is done at once. `last_key` is where its batches
        # got to (the last id handled, as text): a worker claims the next batch by moving it.
        ColumnSpec("status", "string", False, ir.Default("done", "'done'"), length=16),
        ColumnSpec("last_key", "string", True, length=64),
        ColumnSpec("errors", "json", True),
        ColumnSpec("started_at", "datetime", True),
        ColumnSpec("finished_at", "datetime", True),
        # A dry run of a delete: the token the real run sends back when it is large enough to
        # need confirming (BULK_CONFIRM_ROWS).
        ColumnSpec("confirmation_token", "string", True, length=64),
    ),
    (("resource", "created_at"), ("status",)),
    uniques=("undo_token", "confirmation_token"),
)
# Kept by every project with a write route: the Idempotency-Key of each write, and its answer
# (runtime.idempotency). `digest` is the key within its scope (tenant, caller, branch): unique,
# so one request holds a key. The answer's body is kept as a JSON string, which every database
# gives back byte for byte (MySQL's JSON reorders an object's keys; its TEXT holds 64 KiB).
IDEMPOTENCY_KEYS_TABLE = SystemTable(
    IDEMPOTENCY_KEYS,
    "One write sent with an Idempotency-Key: the request it stands for, and its answer.",
    "integer",
    (
        ColumnSpec("digest", "string", False, length=64),
        ColumnSpec("key", "string", False, length=255),
        ColumnSpec("fingerprint", "string", False, length=64),
        *_SCOPE,
        ColumnSpec("status", "integer", True),
        ColumnSpec("headers", "json", True),
        ColumnSpec("body", "json", True),
        ColumnSpec("created_at", "datetime", False, NOW),
        ColumnSpec("expires_at", "datetime", False),
    ),
    (("expires_at",),),
    uniques=("digest",),
)
# Kept by every project: every committed change of a row (runtime.changes), its id the feed's
# position. `tenant_id`, `owner_id` and `branch_id` scope it as the row is scoped (none: every
# caller's); `row` is the row after the change, none for a tombstone.
CHANGE_FEED_TABLE = SystemTable(
    CHANGE_FEED,
    "One committed change of a row, in commit order: the change feed (GET /api/changes).",
    "integer",
    (
        ColumnSpec("resource", "string", False, length=100),
        ColumnSpec("row_id", "string", False, length=64),
        ColumnSpec("action", "string", False, length=64),
        ColumnSpec("row", "json", True),
        ColumnSpec("actor", "string", True, length=255),
        ColumnSpec("tenant_id", "string", True, length=TENANT_KEY_LENGTH),
        ColumnSpec("owner_id", "string", True, length=TENANT_KEY_LENGTH),
        ColumnSpec("branch_id", "string", True, length=TENANT_KEY_LENGTH),
        ColumnSpec("at", "datetime", False, NOW),
    ),
    (("tenant_id", "id"),),
)
# One row, updated by every transaction that records changes, just before it commits: the lock
# that makes the feed's positions follow the commit order (a reader never meets a position
# committed after a higher one, so a client that resumes after N misses nothing).
CHANGE_FEED_CLOCK_TABLE = SystemTable(
    CHANGE_FEED_CLOCK,
    "The change feed's commit clock: one row, its transactions taken in turn.",
    "integer",
    (ColumnSpec("commits", "integer", False, _ZERO),),
    (),
)
