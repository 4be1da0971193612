"""bulk runs in the background

Revision 0006, after 0005. Written by `schemagen migrate` from schemas/; review it, then
apply it with `alembic -c generated/migrations/alembic.ini upgrade head`.

Steps:
- drop row-level security policy bulk_runs_select on bulk_runs (PostgreSQL)
- add column bulk_runs.status
- add column bulk_runs.last_key
- add column bulk_runs.errors
- add column bulk_runs.started_at
- add column bulk_runs.finished_at
- add column bulk_runs.confirmation_token
- add index ix_bulk_runs_status on bulk_runs
- add unique constraint uq_bulk_runs_confirmation_token on bulk_runs
- add row-level security policy bulk_runs_select on bulk_runs (PostgreSQL)

MySQL and MariaDB commit every DDL statement on its own: if this revision fails part-way on
them, the steps before the failure stay applied. Fix the cause, undo or finish those steps by
hand, then run it again.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "c311a15d95f8"
down_revision = "6b851ca8f3d0"
branch_labels = None
depends_on = None
# sha256 of snapshot.json after this revision: `schemagen check` compares them.
schemagen_state = "60ebeb252319bef338dd78a494e83aa012a1731d2a5ebf5eb18837763f3c7039"


def upgrade() -> None:
    dialect = op.get_context().dialect.name
    # drop row-level security policy bulk_runs_select on bulk_runs (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('DROP POLICY IF EXISTS "bulk_runs_select" ON "bulk_runs"'))
    with op.batch_alter_table("bulk_runs") as batch_op:
        # add column bulk_runs.status
        batch_op.add_column(
            sa.Column("status", sa.String(16), nullable=False, server_default="done")
        )
        # add column bulk_runs.last_key
        batch_op.add_column(sa.Column("last_key", sa.String(64), nullable=True))
        # add column bulk_runs.errors
        batch_op.add_column(
            sa.Column(
                "errors", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=True
            )
        )
        # add column bulk_runs.started_at
        batch_op.add_column(sa.Column("started_at", sa.DateTime(timezone=True), nullable=True))
        # add column bulk_runs.finished_at
        batch_op.add_column(sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True))
        # add column bulk_runs.confirmation_token
        batch_op.add_column(sa.Column("confirmation_token", sa.String(64), nullable=True))
    # add index ix_bulk_runs_status on bulk_runs
    op.create_index("ix_bulk_runs_status", "bulk_runs", ["status"])
    with op.batch_alter_table("bulk_runs") as batch_op:
        # add unique constraint uq_bulk_runs_confirmation_token on bulk_runs
        batch_op.create_unique_constraint("uq_bulk_runs_confirmation_token", ["confirmation_token"])
    # add row-level security policy bulk_runs_select on bulk_runs (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('ALTER TABLE "bulk_runs" ENABLE ROW LEVEL SECURITY'))
        op.execute(
            sa.text(
                "CREATE POLICY \"bulk_runs_select\" ON \"bulk_runs\" FOR SELECT USING (((tenant_id IS NULL OR tenant_id = current_setting('app.tenant_id', true)) AND coalesce(actor, '') = coalesce(current_setting('app.user_id', true), '')) OR current_setting('app.bulk_worker', true) = 'on')"
            )
        )


def downgrade() -> None:
    dialect = op.get_context().dialect.name
    # drop index ix_bulk_runs_status on bulk_runs
    op.drop_index("ix_bulk_runs_status", table_name="bulk_runs")
    with op.batch_alter_table("bulk_runs") as batch_op:
        # drop unique constraint uq_bulk_runs_confirmation_token on bulk_runs
        batch_op.drop_constraint("uq_bulk_runs_confirmation_token", type_="unique")
    # drop row-level security policy bulk_runs_select on bulk_runs (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('DROP POLICY IF EXISTS "bulk_runs_select" ON "bulk_runs"'))
    with op.batch_alter_table("bulk_runs") as batch_op:
        # drop column bulk_runs.confirmation_token
        batch_op.drop_column("confirmation_token")
        # drop column bulk_runs.errors
        batch_op.drop_column("errors")
        # drop column bulk_runs.finished_at
        batch_op.drop_column("finished_at")
        # drop column bulk_runs.last_key
        batch_op.drop_column("last_key")
        # drop column bulk_runs.started_at
        batch_op.drop_column("started_at")
        # drop column bulk_runs.status
        batch_op.drop_column("status")
    # add row-level security policy bulk_runs_select on bulk_runs (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('ALTER TABLE "bulk_runs" ENABLE ROW LEVEL SECURITY'))
        op.execute(
            sa.text(
                "CREATE POLICY \"bulk_runs_select\" ON \"bulk_runs\" FOR SELECT USING ((tenant_id IS NULL OR tenant_id = current_setting('app.tenant_id', true)) AND coalesce(actor, '') = coalesce(current_setting('app.user_id', true), ''))"
            )
        )
