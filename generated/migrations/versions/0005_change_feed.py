"""change feed

Revision 0005, after 0004. Written by `schemagen migrate` from schemas/; review it, then
apply it with `alembic -c generated/migrations/alembic.ini upgrade head`.

Steps:
- create table change_feed
- create table change_feed_clock

MySQL and MariaDB commit every DDL statement on its own: if this revision fails part-way on
them, the steps before the failure stay applied. Fix the cause, undo or finish those steps by
hand, then run it again.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "6b851ca8f3d0"
down_revision = "a475dcc583ff"
branch_labels = None
depends_on = None
# sha256 of snapshot.json after this revision: `schemagen check` compares them.
schemagen_state = "1eef0a95e39daa7263035fcd99b7aa7bea075b78b307d17906e5a07fcc6ae7e2"


def upgrade() -> None:
    dialect = op.get_context().dialect.name
    # create table change_feed
    op.create_table(
        "change_feed",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("resource", sa.String(100), nullable=False),
        sa.Column("row_id", sa.String(64), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("row", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=True),
        sa.Column("actor", sa.String(255), nullable=True),
        sa.Column("tenant_id", sa.String(64), nullable=True),
        sa.Column("owner_id", sa.String(64), nullable=True),
        sa.Column("branch_id", sa.String(64), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("id", name="pk_change_feed"),
    )
    op.create_index("ix_change_feed_tenant_id_id", "change_feed", ["tenant_id", "id"])
    if dialect == "postgresql":
        op.execute(sa.text('ALTER TABLE "change_feed" ENABLE ROW LEVEL SECURITY'))
        op.execute(
            sa.text(
                "CREATE POLICY \"change_feed_insert\" ON \"change_feed\" FOR INSERT WITH CHECK ((tenant_id IS NULL OR tenant_id = current_setting('app.tenant_id', true)) AND (owner_id IS NULL OR owner_id = current_setting('app.user_id', true)))"
            )
        )
        op.execute(
            sa.text(
                "CREATE POLICY \"change_feed_select\" ON \"change_feed\" FOR SELECT USING ((tenant_id IS NULL OR tenant_id = current_setting('app.tenant_id', true)) AND (owner_id IS NULL OR owner_id = current_setting('app.user_id', true)))"
            )
        )
    # create table change_feed_clock
    op.create_table(
        "change_feed_clock",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("commits", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.PrimaryKeyConstraint("id", name="pk_change_feed_clock"),
    )


def downgrade() -> None:
    # drop table change_feed_clock
    op.drop_table("change_feed_clock")
    # drop table change_feed
    op.drop_table("change_feed")
