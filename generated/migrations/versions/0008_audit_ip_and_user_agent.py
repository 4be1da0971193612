"""audit ip and user agent

Revision 0008, after 0007. Written by `schemagen migrate` from schemas/; review it, then
apply it with `alembic -c generated/migrations/alembic.ini upgrade head`.

Steps:
- add column audit_log.ip_address
- add column audit_log.user_agent
- add column bulk_runs.ip_address
- add column bulk_runs.user_agent

MySQL and MariaDB commit every DDL statement on its own: if this revision fails part-way on
them, the steps before the failure stay applied. Fix the cause, undo or finish those steps by
hand, then run it again.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "c4494b30666d"
branch_labels = None
depends_on = None
# sha256 of snapshot.json after this revision: `schemagen check` compares them.
schemagen_state = "1088fe0a5d4ad9b1937653a76835ad595366996e067cced721231ab51a21eb49"


def upgrade() -> None:
    with op.batch_alter_table("audit_log") as batch_op:
        # add column audit_log.ip_address
        batch_op.add_column(sa.Column("ip_address", sa.String(45), nullable=True))
        # add column audit_log.user_agent
        batch_op.add_column(sa.Column("user_agent", sa.String(512), nullable=True))
    with op.batch_alter_table("bulk_runs") as batch_op:
        # add column bulk_runs.ip_address
        batch_op.add_column(sa.Column("ip_address", sa.String(45), nullable=True))
        # add column bulk_runs.user_agent
        batch_op.add_column(sa.Column("user_agent", sa.String(512), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("audit_log") as batch_op:
        # drop column audit_log.ip_address
        batch_op.drop_column("ip_address")
        # drop column audit_log.user_agent
        batch_op.drop_column("user_agent")
    with op.batch_alter_table("bulk_runs") as batch_op:
        # drop column bulk_runs.ip_address
        batch_op.drop_column("ip_address")
        # drop column bulk_runs.user_agent
        batch_op.drop_column("user_agent")
