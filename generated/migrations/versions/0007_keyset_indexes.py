"""keyset indexes

Revision 0007, after 0006. Written by `schemagen migrate` from schemas/; review it, then
apply it with `alembic -c generated/migrations/alembic.ini upgrade head`.

Steps:
- drop index ix_customers_tenant_id on customers
- drop index ix_people_tenant_id on people
- drop index ix_regions_tenant_id on regions
- add index ix_customers_tenant_id_branch_id_name_id on customers
- add index ix_matrx_actions_name_id on matrx_actions
- add index ix_matrx_menu_items_display_order_id on matrx_menu_items
- add index ix_offices_tenant_id_branch_id_created_at_id on offices
- add index ix_opportunities_tenant_id_next_action_at_id on opportunities
- add index ix_people_tenant_id_branch_id_full_name_id on people
- add index ix_regions_tenant_id_branch_id_name_id on regions
- add index ix_todos_due_id on todos

MySQL and MariaDB commit every DDL statement on its own: if this revision fails part-way on
them, the steps before the failure stay applied. Fix the cause, undo or finish those steps by
hand, then run it again.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "c4494b30666d"
down_revision = "c311a15d95f8"
branch_labels = None
depends_on = None
# sha256 of snapshot.json after this revision: `schemagen check` compares them.
schemagen_state = "ebe2ff04db018c674dae766d0200e5d71e2cc2861eedef07e5bd37f3136903a0"


def upgrade() -> None:
    # drop index ix_customers_tenant_id on customers
    op.drop_index("ix_customers_tenant_id", table_name="customers")
    # drop index ix_people_tenant_id on people
    op.drop_index("ix_people_tenant_id", table_name="people")
    # drop index ix_regions_tenant_id on regions
    op.drop_index("ix_regions_tenant_id", table_name="regions")
    # add index ix_customers_tenant_id_branch_id_name_id on customers
    op.create_index(
        "ix_customers_tenant_id_branch_id_name_id",
        "customers",
        ["tenant_id", "branch_id", "name", "id"],
    )
    # add index ix_matrx_actions_name_id on matrx_actions
    op.create_index("ix_matrx_actions_name_id", "matrx_actions", ["name", "id"])
    # add index ix_matrx_menu_items_display_order_id on matrx_menu_items
    op.create_index(
        "ix_matrx_menu_items_display_order_id", "matrx_menu_items", ["display_order", "id"]
    )
    # add index ix_offices_tenant_id_branch_id_created_at_id on offices
    op.create_index(
        "ix_offices_tenant_id_branch_id_created_at_id",
        "offices",
        ["tenant_id", "branch_id", "created_at", "id"],
    )
    # add index ix_opportunities_tenant_id_next_action_at_id on opportunities
    op.create_index(
        "ix_opportunities_tenant_id_next_action_at_id",
        "opportunities",
        ["tenant_id", "next_action_at", "id"],
        postgresql_where=sa.text("deleted_at IS NULL"),
        sqlite_where=sa.text("deleted_at IS NULL"),
    )
    # add index ix_people_tenant_id_branch_id_full_name_id on people
    op.create_index(
        "ix_people_tenant_id_branch_id_full_name_id",
        "people",
        ["tenant_id", "branch_id", "full_name", "id"],
    )
    # add index ix_regions_tenant_id_branch_id_name_id on regions
    op.create_index(
        "ix_regions_tenant_id_branch_id_name_id",
        "regions",
        ["tenant_id", "branch_id", "name", "id"],
    )
    # add index ix_todos_due_id on todos
    op.create_index("ix_todos_due_id", "todos", ["due", "id"])


def downgrade() -> None:
    # drop index ix_customers_tenant_id_branch_id_name_id on customers
    op.drop_index("ix_customers_tenant_id_branch_id_name_id", table_name="customers")
    # drop index ix_matrx_actions_name_id on matrx_actions
    op.drop_index("ix_matrx_actions_name_id", table_name="matrx_actions")
    # drop index ix_matrx_menu_items_display_order_id on matrx_menu_items
    op.drop_index("ix_matrx_menu_items_display_order_id", table_name="matrx_menu_items")
    # drop index ix_offices_tenant_id_branch_id_created_at_id on offices
    op.drop_index("ix_offices_tenant_id_branch_id_created_at_id", table_name="offices")
    # drop index ix_opportunities_tenant_id_next_action_at_id on opportunities
    op.drop_index("ix_opportunities_tenant_id_next_action_at_id", table_name="opportunities")
    # drop index ix_people_tenant_id_branch_id_full_name_id on people
    op.drop_index("ix_people_tenant_id_branch_id_full_name_id", table_name="people")
    # drop index ix_regions_tenant_id_branch_id_name_id on regions
    op.drop_index("ix_regions_tenant_id_branch_id_name_id", table_name="regions")
    # drop index ix_todos_due_id on todos
    op.drop_index("ix_todos_due_id", table_name="todos")
    # add index ix_customers_tenant_id on customers
    op.create_index("ix_customers_tenant_id", "customers", ["tenant_id"])
    # add index ix_people_tenant_id on people
    op.create_index("ix_people_tenant_id", "people", ["tenant_id"])
    # add index ix_regions_tenant_id on regions
    op.create_index("ix_regions_tenant_id", "regions", ["tenant_id"])
