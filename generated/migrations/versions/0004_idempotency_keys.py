"""idempotency keys

Revision 0004, after 0003. Written by `schemagen migrate` from schemas/; review it, then
apply it with `alembic -c generated/migrations/alembic.ini upgrade head`.

Steps:
- create table idempotency_keys

MySQL and MariaDB commit every DDL statement on its own: if this revision fails part-way on
them, the steps before the failure stay applied. Fix the cause, undo or finish those steps by
hand, then run it again.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "a475dcc583ff"
down_revision = "074d35ca67c3"
branch_labels = None
depends_on = None
# sha256 of snapshot.json after this revision: `schemagen check` compares them.
schemagen_state = "1b94f4137be20ce4a932af778c5ad96f9e96fa975fcccaf93d45591a0f788614"


def upgrade() -> None:
    dialect = op.get_context().dialect.name
    # create table idempotency_keys
    op.create_table(
        "idempotency_keys",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("actor", sa.String(255), nullable=True),
        sa.Column("tenant_id", sa.String(64), nullable=True),
        sa.Column("branch_id", sa.String(64), nullable=True),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column(
            "headers", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=True
        ),
        sa.Column("body", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_idempotency_keys"),
        sa.UniqueConstraint("digest", name="uq_idempotency_keys_digest"),
    )
    op.create_index("ix_idempotency_keys_expires_at", "idempotency_keys", ["expires_at"])
    if dialect == "postgresql":
        op.execute(sa.text('ALTER TABLE "idempotency_keys" ENABLE ROW LEVEL SECURITY'))
        op.execute(
            sa.text(
                "CREATE POLICY \"idempotency_keys_delete\" ON \"idempotency_keys\" FOR DELETE USING ((tenant_id = current_setting('app.tenant_id', true) OR (tenant_id IS NULL AND coalesce(current_setting('app.tenant_id', true), '') = '')) AND coalesce(actor, '') = coalesce(current_setting('app.user_id', true), ''))"
            )
        )
        op.execute(
            sa.text(
                "CREATE POLICY \"idempotency_keys_insert\" ON \"idempotency_keys\" FOR INSERT WITH CHECK ((tenant_id = current_setting('app.tenant_id', true) OR (tenant_id IS NULL AND coalesce(current_setting('app.tenant_id', true), '') = '')) AND coalesce(actor, '') = coalesce(current_setting('app.user_id', true), ''))"
            )
        )
        op.execute(
            sa.text(
                "CREATE POLICY \"idempotency_keys_select\" ON \"idempotency_keys\" FOR SELECT USING ((tenant_id = current_setting('app.tenant_id', true) OR (tenant_id IS NULL AND coalesce(current_setting('app.tenant_id', true), '') = '')) AND coalesce(actor, '') = coalesce(current_setting('app.user_id', true), ''))"
            )
        )
        op.execute(
            sa.text(
                "CREATE POLICY \"idempotency_keys_update\" ON \"idempotency_keys\" FOR UPDATE USING ((tenant_id = current_setting('app.tenant_id', true) OR (tenant_id IS NULL AND coalesce(current_setting('app.tenant_id', true), '') = '')) AND coalesce(actor, '') = coalesce(current_setting('app.user_id', true), '')) WITH CHECK ((tenant_id = current_setting('app.tenant_id', true) OR (tenant_id IS NULL AND coalesce(current_setting('app.tenant_id', true), '') = '')) AND coalesce(actor, '') = coalesce(current_setting('app.user_id', true), ''))"
            )
        )


def downgrade() -> None:
    # drop table idempotency_keys
    op.drop_table("idempotency_keys")
