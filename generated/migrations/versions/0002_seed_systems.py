"""seed systems

Revision 0002, after 0001. Written by `schemagen migrate` from schemas/; review it, then
apply it with `alembic -c generated/migrations/alembic.ini upgrade head`.

Steps:
- drop foreign key fk_customers_office_id_offices on customers
- drop foreign key fk_office_people_office_id_offices on office_people
- drop foreign key fk_office_people_person_id_people on office_people
- drop foreign key fk_offices_parent_id_offices on offices
- drop foreign key fk_offices_region_id_regions on offices
- drop index ix_customers_office_id on customers
- drop unique constraint uq_customers_email on customers
- drop index ix_offices_closed_at on offices
- drop index ix_offices_parent_id on offices
- drop index ix_offices_region_id on offices
- drop index ix_offices_status_created_at on offices
- drop unique constraint uq_offices_name on offices
- drop unique constraint uq_people_email on people
- drop unique constraint uq_regions_name on regions
- create function schemagen_touch_updated_at (PostgreSQL)
- create table audit_log
- create table bulk_runs
- create table matrx_actions
- create table matrx_menu_items
- create table opportunities
- create table todos
- add column customers.branch_id
- add column customers.tenant_id
- add column customers.branch_deleted
- replace primary key pk_customers of customers by pk_customers
- add column office_people.branch_id
- replace primary key pk_office_people of office_people by pk_office_people
- add column offices.branch_id
- add column offices.tenant_id
- add column offices.branch_deleted
- replace primary key pk_offices of offices by pk_offices
- add column people.branch_id
- add column people.tenant_id
- add column people.branch_deleted
- replace primary key pk_people of people by pk_people
- add column regions.branch_id
- add column regions.tenant_id
- add column regions.branch_deleted
- replace primary key pk_regions of regions by pk_regions
- add index ix_customers_office_id_tenant_id on customers
- add index ix_customers_tenant_id on customers
- add unique index ux_customers_tenant_id_branch_id_email on customers
- add trigger trg_customers_updated_at on customers (PostgreSQL)
- add row-level security policy customers_isolation on customers (PostgreSQL)
- add index ix_offices_parent_id_tenant_id on offices
- add index ix_offices_region_id_tenant_id on offices
- add index ix_offices_tenant_id_closed_at on offices
- add index ix_offices_tenant_id_status_created_at on offices
- add unique index ux_offices_tenant_id_branch_id_name on offices
- add trigger trg_offices_updated_at on offices (PostgreSQL)
- add row-level security policy offices_isolation on offices (PostgreSQL)
- add index ix_people_tenant_id on people
- add unique index ux_people_tenant_id_branch_id_email on people
- add trigger trg_people_updated_at on people (PostgreSQL)
- add row-level security policy people_isolation on people (PostgreSQL)
- add index ix_regions_tenant_id on regions
- add unique index ux_regions_tenant_id_branch_id_name on regions
- add trigger trg_regions_updated_at on regions (PostgreSQL)
- add row-level security policy regions_isolation on regions (PostgreSQL)

Can fail on existing rows:
- primary key of customers on (id, branch_id): rows that repeat those values make the upgrade fail
- primary key of office_people on (office_id, person_id, branch_id): rows that repeat those values make the upgrade fail
- primary key of offices on (id, branch_id): rows that repeat those values make the upgrade fail
- primary key of people on (id, branch_id): rows that repeat those values make the upgrade fail
- primary key of regions on (id, branch_id): rows that repeat those values make the upgrade fail
- unique index ux_customers_tenant_id_branch_id_email on customers (tenant_id, branch_id, email): existing duplicates make the upgrade fail
- unique index ux_offices_tenant_id_branch_id_name on offices (tenant_id, branch_id, name): existing duplicates make the upgrade fail
- unique index ux_people_tenant_id_branch_id_email on people (tenant_id, branch_id, email): existing duplicates make the upgrade fail
- unique index ux_regions_tenant_id_branch_id_name on regions (tenant_id, branch_id, name): existing duplicates make the upgrade fail

MySQL and MariaDB commit every DDL statement on its own: if this revision fails part-way on
them, the steps before the failure stay applied. Fix the cause, undo or finish those steps by
hand, then run it again.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "f6835d34de6f"
down_revision = "ba1a73d890fb"
branch_labels = None
depends_on = None
# sha256 of snapshot.json after this revision: `schemagen check` compares them.
schemagen_state = "024b595761d177310922d9fada6fb9a87492514923c7a850de1659b506965715"


def upgrade() -> None:
    dialect = op.get_context().dialect.name
    with op.batch_alter_table("customers") as batch_op:
        # drop foreign key fk_customers_office_id_offices on customers
        batch_op.drop_constraint("fk_customers_office_id_offices", type_="foreignkey")
    with op.batch_alter_table("office_people") as batch_op:
        # drop foreign key fk_office_people_office_id_offices on office_people
        batch_op.drop_constraint("fk_office_people_office_id_offices", type_="foreignkey")
        # drop foreign key fk_office_people_person_id_people on office_people
        batch_op.drop_constraint("fk_office_people_person_id_people", type_="foreignkey")
    with op.batch_alter_table("offices") as batch_op:
        # drop foreign key fk_offices_parent_id_offices on offices
        batch_op.drop_constraint("fk_offices_parent_id_offices", type_="foreignkey")
        # drop foreign key fk_offices_region_id_regions on offices
        batch_op.drop_constraint("fk_offices_region_id_regions", type_="foreignkey")
    # drop index ix_customers_office_id on customers
    op.drop_index("ix_customers_office_id", table_name="customers")
    with op.batch_alter_table("customers") as batch_op:
        # drop unique constraint uq_customers_email on customers
        batch_op.drop_constraint("uq_customers_email", type_="unique")
    # drop index ix_offices_closed_at on offices
    op.drop_index("ix_offices_closed_at", table_name="offices")
    # drop index ix_offices_parent_id on offices
    op.drop_index("ix_offices_parent_id", table_name="offices")
    # drop index ix_offices_region_id on offices
    op.drop_index("ix_offices_region_id", table_name="offices")
    # drop index ix_offices_status_created_at on offices
    op.drop_index("ix_offices_status_created_at", table_name="offices")
    with op.batch_alter_table("offices") as batch_op:
        # drop unique constraint uq_offices_name on offices
        batch_op.drop_constraint("uq_offices_name", type_="unique")
    with op.batch_alter_table("people") as batch_op:
        # drop unique constraint uq_people_email on people
        batch_op.drop_constraint("uq_people_email", type_="unique")
    with op.batch_alter_table("regions") as batch_op:
        # drop unique constraint uq_regions_name on regions
        batch_op.drop_constraint("uq_regions_name", type_="unique")
    # create function schemagen_touch_updated_at (PostgreSQL)
    if dialect == "postgresql":
        op.execute(
            sa.text(
                'CREATE OR REPLACE FUNCTION "schemagen_touch_updated_at"() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  IF NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at THEN\n    NEW.updated_at \\:= now();\n  END IF;\n  RETURN NEW;\nEND\n$$'
            )
        )
    # create table audit_log
    op.create_table(
        "audit_log",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("resource", sa.String(100), nullable=False),
        sa.Column("row_id", sa.String(64), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column(
            "before", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=True
        ),
        sa.Column("after", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=True),
        sa.Column("actor", sa.String(255), nullable=True),
        sa.Column("tenant_id", sa.String(64), nullable=True),
        sa.Column("branch_id", sa.String(64), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
    )
    op.create_index("ix_audit_log_resource_row_id", "audit_log", ["resource", "row_id"])
    op.create_index("ix_audit_log_tenant_id_at", "audit_log", ["tenant_id", "at"])
    # create table bulk_runs
    op.create_table(
        "bulk_runs",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("resource", sa.String(100), nullable=False),
        sa.Column("operation", sa.String(16), nullable=False),
        sa.Column(
            "filter", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False
        ),
        sa.Column(
            "values", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=True
        ),
        sa.Column("dry_run", sa.Boolean(), nullable=False),
        sa.Column("matched", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("affected", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("failed", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("actor", sa.String(255), nullable=True),
        sa.Column("tenant_id", sa.String(64), nullable=True),
        sa.Column("branch_id", sa.String(64), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.Column("undo_token", sa.String(64), nullable=True),
        sa.Column("undo_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("undone_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "undo_data", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=True
        ),
        sa.PrimaryKeyConstraint("id", name="pk_bulk_runs"),
        sa.UniqueConstraint("undo_token", name="uq_bulk_runs_undo_token"),
    )
    op.create_index("ix_bulk_runs_resource_created_at", "bulk_runs", ["resource", "created_at"])
    # create table matrx_actions
    op.create_table(
        "matrx_actions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.String(64), nullable=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column(
            "action_type",
            sa.Enum(
                "prompt",
                "api_call",
                "function",
                "workflow",
                "navigation",
                name="matrx_action_action_type",
                create_constraint=True,
                validate_strings=True,
            ),
            nullable=False,
        ),
        sa.Column(
            "scope",
            sa.Enum(
                "global",
                "workspace",
                "user",
                name="matrx_action_scope",
                create_constraint=True,
                validate_strings=True,
            ),
            nullable=False,
            server_default="user",
        ),
        sa.Column(
            "variable_context_map",
            sa.JSON().with_variant(postgresql.JSONB(), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "execution_settings",
            sa.JSON().with_variant(postgresql.JSONB(), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "tags",
            sa.JSON(none_as_null=True).with_variant(postgresql.ARRAY(sa.String(255)), "postgresql"),
            nullable=True,
        ),
        sa.Column("use_count", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("is_system", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.PrimaryKeyConstraint("id", name="pk_matrx_actions"),
        comment="A reusable action with its variable context and execution settings.",
    )
    op.create_index("ix_matrx_actions_owner_id", "matrx_actions", ["owner_id"])
    if dialect == "postgresql":
        op.create_index("ix_matrx_actions_tags", "matrx_actions", ["tags"], postgresql_using="gin")
    if dialect == "postgresql":
        op.execute(
            sa.text(
                'CREATE TRIGGER "trg_matrx_actions_updated_at" BEFORE UPDATE ON "matrx_actions" FOR EACH ROW EXECUTE FUNCTION "schemagen_touch_updated_at"()'
            )
        )
        op.execute(sa.text('ALTER TABLE "matrx_actions" ENABLE ROW LEVEL SECURITY'))
        op.execute(
            sa.text(
                "CREATE POLICY \"matrx_actions_isolation\" ON \"matrx_actions\" USING (is_system OR owner_id = current_setting('app.user_id', true)) WITH CHECK (owner_id = current_setting('app.user_id', true))"
            )
        )
    # create table matrx_menu_items
    op.create_table(
        "matrx_menu_items",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.String(64), nullable=True),
        sa.Column("label", sa.String(120), nullable=False),
        sa.Column("action_id", sa.Uuid(), nullable=False),
        sa.Column("parent_id", sa.Uuid(), nullable=True),
        sa.Column(
            "menu_type",
            sa.Enum(
                "context_menu",
                "toolbar",
                "quick_action",
                "sidebar",
                name="matrx_menu_item_menu_type",
                create_constraint=True,
                validate_strings=True,
            ),
            nullable=False,
            server_default="context_menu",
        ),
        sa.Column("display_order", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column(
            "context_requirements",
            sa.JSON().with_variant(postgresql.JSONB(), "postgresql"),
            nullable=True,
        ),
        sa.Column("is_system", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.PrimaryKeyConstraint("id", name="pk_matrx_menu_items"),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["matrx_actions.id"],
            ondelete="CASCADE",
            name="fk_matrx_menu_items_action_id_matrx_actions",
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["matrx_menu_items.id"],
            ondelete="CASCADE",
            name="fk_matrx_menu_items_parent_id_matrx_menu_items",
        ),
        comment="An entry of a menu that runs an action.",
    )
    op.create_index("ix_matrx_menu_items_action_id", "matrx_menu_items", ["action_id"])
    op.create_index("ix_matrx_menu_items_owner_id", "matrx_menu_items", ["owner_id"])
    op.create_index("ix_matrx_menu_items_parent_id", "matrx_menu_items", ["parent_id"])
    if dialect == "postgresql":
        op.execute(
            sa.text(
                'CREATE TRIGGER "trg_matrx_menu_items_updated_at" BEFORE UPDATE ON "matrx_menu_items" FOR EACH ROW EXECUTE FUNCTION "schemagen_touch_updated_at"()'
            )
        )
        op.execute(sa.text('ALTER TABLE "matrx_menu_items" ENABLE ROW LEVEL SECURITY'))
        op.execute(
            sa.text(
                "CREATE POLICY \"matrx_menu_items_isolation\" ON \"matrx_menu_items\" USING (is_system OR owner_id = current_setting('app.user_id', true)) WITH CHECK (owner_id = current_setting('app.user_id', true))"
            )
        )
    # create table opportunities
    op.create_table(
        "opportunities",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=True),
        sa.Column("value", sa.Numeric(14, 2), nullable=False, server_default=sa.text("0")),
        sa.Column(
            "stage",
            sa.Enum(
                "lead",
                "qualified",
                "proposal",
                "negotiation",
                "won",
                "lost",
                name="opportunity_stage",
                create_constraint=True,
                validate_strings=True,
            ),
            nullable=False,
            server_default="lead",
        ),
        sa.Column("next_action_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("next_action_details", sa.Text(), nullable=True),
        sa.Column("last_activity_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False, server_default=sa.text("1")),
        sa.PrimaryKeyConstraint("id", name="pk_opportunities"),
        comment="A deal in progress and the next action that moves it forward.",
    )
    op.create_index(
        "ix_opportunities_customer_id_tenant_id", "opportunities", ["customer_id", "tenant_id"]
    )
    op.create_index("ix_opportunities_tenant_id", "opportunities", ["tenant_id"])
    op.create_index(
        "ix_opportunities_tenant_id_deleted_at", "opportunities", ["tenant_id", "deleted_at"]
    )
    op.create_index(
        "ix_opportunities_tenant_id_next_action_at",
        "opportunities",
        ["tenant_id", "next_action_at"],
        postgresql_where=sa.text("next_action_at IS NOT NULL"),
        sqlite_where=sa.text("next_action_at IS NOT NULL"),
    )
    if dialect == "postgresql":
        op.execute(
            sa.text(
                'CREATE TRIGGER "trg_opportunities_updated_at" BEFORE UPDATE ON "opportunities" FOR EACH ROW EXECUTE FUNCTION "schemagen_touch_updated_at"()'
            )
        )
        op.execute(sa.text('ALTER TABLE "opportunities" ENABLE ROW LEVEL SECURITY'))
        op.execute(
            sa.text(
                'CREATE POLICY "opportunities_isolation" ON "opportunities" USING (tenant_id = current_setting(\'app.tenant_id\', true))'
            )
        )
    # create table todos
    op.create_table(
        "todos",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("completed", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column(
            "priority",
            sa.Enum(
                "low",
                "normal",
                "high",
                "urgent",
                name="todo_priority",
                create_constraint=True,
                validate_strings=True,
            ),
            nullable=False,
            server_default="normal",
        ),
        sa.Column("due", sa.Date(), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.PrimaryKeyConstraint("id", name="pk_todos"),
        comment="Something to do, with a priority and a due date.",
    )
    if dialect == "postgresql":
        op.execute(
            sa.text(
                'CREATE TRIGGER "trg_todos_updated_at" BEFORE UPDATE ON "todos" FOR EACH ROW EXECUTE FUNCTION "schemagen_touch_updated_at"()'
            )
        )
    with op.batch_alter_table("customers") as batch_op:
        # add column customers.branch_id
        batch_op.add_column(
            sa.Column("branch_id", sa.String(64), nullable=False, server_default="main")
        )
        # add column customers.tenant_id
        batch_op.add_column(sa.Column("tenant_id", sa.String(64), nullable=True))
    # No default: existing rows get a placeholder ('').
    table = sa.table("customers", sa.column("tenant_id", sa.String(64)))
    op.execute(table.update().values({"tenant_id": ""}))
    with op.batch_alter_table("customers") as batch_op:
        batch_op.alter_column(
            "tenant_id", existing_type=sa.String(64), existing_nullable=True, nullable=False
        )
        # add column customers.branch_deleted
        batch_op.add_column(
            sa.Column("branch_deleted", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        # replace primary key pk_customers of customers by pk_customers
        batch_op.drop_constraint("pk_customers", type_="primary")
        batch_op.create_primary_key("pk_customers", ["id", "branch_id"])
    with op.batch_alter_table("office_people") as batch_op:
        # add column office_people.branch_id
        batch_op.add_column(
            sa.Column("branch_id", sa.String(64), nullable=False, server_default="main")
        )
        # replace primary key pk_office_people of office_people by pk_office_people
        batch_op.drop_constraint("pk_office_people", type_="primary")
        batch_op.create_primary_key("pk_office_people", ["office_id", "person_id", "branch_id"])
    with op.batch_alter_table("offices") as batch_op:
        # add column offices.branch_id
        batch_op.add_column(
            sa.Column("branch_id", sa.String(64), nullable=False, server_default="main")
        )
        # add column offices.tenant_id
        batch_op.add_column(sa.Column("tenant_id", sa.String(64), nullable=True))
    # No default: existing rows get a placeholder ('').
    table = sa.table("offices", sa.column("tenant_id", sa.String(64)))
    op.execute(table.update().values({"tenant_id": ""}))
    with op.batch_alter_table("offices") as batch_op:
        batch_op.alter_column(
            "tenant_id", existing_type=sa.String(64), existing_nullable=True, nullable=False
        )
        # add column offices.branch_deleted
        batch_op.add_column(
            sa.Column("branch_deleted", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        # replace primary key pk_offices of offices by pk_offices
        batch_op.drop_constraint("pk_offices", type_="primary")
        batch_op.create_primary_key("pk_offices", ["id", "branch_id"])
    with op.batch_alter_table("people") as batch_op:
        # add column people.branch_id
        batch_op.add_column(
            sa.Column("branch_id", sa.String(64), nullable=False, server_default="main")
        )
        # add column people.tenant_id
        batch_op.add_column(sa.Column("tenant_id", sa.String(64), nullable=True))
    # No default: existing rows get a placeholder ('').
    table = sa.table("people", sa.column("tenant_id", sa.String(64)))
    op.execute(table.update().values({"tenant_id": ""}))
    with op.batch_alter_table("people") as batch_op:
        batch_op.alter_column(
            "tenant_id", existing_type=sa.String(64), existing_nullable=True, nullable=False
        )
        # add column people.branch_deleted
        batch_op.add_column(
            sa.Column("branch_deleted", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        # replace primary key pk_people of people by pk_people
        batch_op.drop_constraint("pk_people", type_="primary")
        batch_op.create_primary_key("pk_people", ["id", "branch_id"])
    with op.batch_alter_table("regions") as batch_op:
        # add column regions.branch_id
        batch_op.add_column(
            sa.Column("branch_id", sa.String(64), nullable=False, server_default="main")
        )
        # add column regions.tenant_id
        batch_op.add_column(sa.Column("tenant_id", sa.String(64), nullable=True))
    # No default: existing rows get a placeholder ('').
    table = sa.table("regions", sa.column("tenant_id", sa.String(64)))
    op.execute(table.update().values({"tenant_id": ""}))
    with op.batch_alter_table("regions") as batch_op:
        batch_op.alter_column(
            "tenant_id", existing_type=sa.String(64), existing_nullable=True, nullable=False
        )
        # add column regions.branch_deleted
        batch_op.add_column(
            sa.Column("branch_deleted", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        # replace primary key pk_regions of regions by pk_regions
        batch_op.drop_constraint("pk_regions", type_="primary")
        batch_op.create_primary_key("pk_regions", ["id", "branch_id"])
    # add index ix_customers_office_id_tenant_id on customers
    op.create_index("ix_customers_office_id_tenant_id", "customers", ["office_id", "tenant_id"])
    # add index ix_customers_tenant_id on customers
    op.create_index("ix_customers_tenant_id", "customers", ["tenant_id"])
    # add unique index ux_customers_tenant_id_branch_id_email on customers
    op.create_index(
        "ux_customers_tenant_id_branch_id_email",
        "customers",
        ["tenant_id", "branch_id", "email"],
        unique=True,
        postgresql_where=sa.text("NOT branch_deleted"),
        sqlite_where=sa.text("NOT branch_deleted"),
    )
    # add trigger trg_customers_updated_at on customers (PostgreSQL)
    if dialect == "postgresql":
        op.execute(
            sa.text(
                'CREATE TRIGGER "trg_customers_updated_at" BEFORE UPDATE ON "customers" FOR EACH ROW EXECUTE FUNCTION "schemagen_touch_updated_at"()'
            )
        )
    # add row-level security policy customers_isolation on customers (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('ALTER TABLE "customers" ENABLE ROW LEVEL SECURITY'))
        op.execute(
            sa.text(
                'CREATE POLICY "customers_isolation" ON "customers" USING (tenant_id = current_setting(\'app.tenant_id\', true))'
            )
        )
    # add index ix_offices_parent_id_tenant_id on offices
    op.create_index("ix_offices_parent_id_tenant_id", "offices", ["parent_id", "tenant_id"])
    # add index ix_offices_region_id_tenant_id on offices
    op.create_index("ix_offices_region_id_tenant_id", "offices", ["region_id", "tenant_id"])
    # add index ix_offices_tenant_id_closed_at on offices
    op.create_index(
        "ix_offices_tenant_id_closed_at",
        "offices",
        ["tenant_id", "closed_at"],
        postgresql_where=sa.text("closed_at IS NOT NULL"),
        sqlite_where=sa.text("closed_at IS NOT NULL"),
    )
    # add index ix_offices_tenant_id_status_created_at on offices
    op.create_index(
        "ix_offices_tenant_id_status_created_at", "offices", ["tenant_id", "status", "created_at"]
    )
    # add unique index ux_offices_tenant_id_branch_id_name on offices
    op.create_index(
        "ux_offices_tenant_id_branch_id_name",
        "offices",
        ["tenant_id", "branch_id", "name"],
        unique=True,
        postgresql_where=sa.text("NOT branch_deleted"),
        sqlite_where=sa.text("NOT branch_deleted"),
    )
    # add trigger trg_offices_updated_at on offices (PostgreSQL)
    if dialect == "postgresql":
        op.execute(
            sa.text(
                'CREATE TRIGGER "trg_offices_updated_at" BEFORE UPDATE ON "offices" FOR EACH ROW EXECUTE FUNCTION "schemagen_touch_updated_at"()'
            )
        )
    # add row-level security policy offices_isolation on offices (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('ALTER TABLE "offices" ENABLE ROW LEVEL SECURITY'))
        op.execute(
            sa.text(
                'CREATE POLICY "offices_isolation" ON "offices" USING (tenant_id = current_setting(\'app.tenant_id\', true))'
            )
        )
    # add index ix_people_tenant_id on people
    op.create_index("ix_people_tenant_id", "people", ["tenant_id"])
    # add unique index ux_people_tenant_id_branch_id_email on people
    op.create_index(
        "ux_people_tenant_id_branch_id_email",
        "people",
        ["tenant_id", "branch_id", "email"],
        unique=True,
        postgresql_where=sa.text("NOT branch_deleted"),
        sqlite_where=sa.text("NOT branch_deleted"),
    )
    # add trigger trg_people_updated_at on people (PostgreSQL)
    if dialect == "postgresql":
        op.execute(
            sa.text(
                'CREATE TRIGGER "trg_people_updated_at" BEFORE UPDATE ON "people" FOR EACH ROW EXECUTE FUNCTION "schemagen_touch_updated_at"()'
            )
        )
    # add row-level security policy people_isolation on people (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('ALTER TABLE "people" ENABLE ROW LEVEL SECURITY'))
        op.execute(
            sa.text(
                'CREATE POLICY "people_isolation" ON "people" USING (tenant_id = current_setting(\'app.tenant_id\', true))'
            )
        )
    # add index ix_regions_tenant_id on regions
    op.create_index("ix_regions_tenant_id", "regions", ["tenant_id"])
    # add unique index ux_regions_tenant_id_branch_id_name on regions
    op.create_index(
        "ux_regions_tenant_id_branch_id_name",
        "regions",
        ["tenant_id", "branch_id", "name"],
        unique=True,
        postgresql_where=sa.text("NOT branch_deleted"),
        sqlite_where=sa.text("NOT branch_deleted"),
    )
    # add trigger trg_regions_updated_at on regions (PostgreSQL)
    if dialect == "postgresql":
        op.execute(
            sa.text(
                'CREATE TRIGGER "trg_regions_updated_at" BEFORE UPDATE ON "regions" FOR EACH ROW EXECUTE FUNCTION "schemagen_touch_updated_at"()'
            )
        )
    # add row-level security policy regions_isolation on regions (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('ALTER TABLE "regions" ENABLE ROW LEVEL SECURITY'))
        op.execute(
            sa.text(
                'CREATE POLICY "regions_isolation" ON "regions" USING (tenant_id = current_setting(\'app.tenant_id\', true))'
            )
        )


def downgrade() -> None:
    dialect = op.get_context().dialect.name
    # drop index ix_customers_office_id_tenant_id on customers
    op.drop_index("ix_customers_office_id_tenant_id", table_name="customers")
    # drop index ix_customers_tenant_id on customers
    op.drop_index("ix_customers_tenant_id", table_name="customers")
    # drop index ux_customers_tenant_id_branch_id_email on customers
    op.drop_index("ux_customers_tenant_id_branch_id_email", table_name="customers")
    # drop trigger trg_customers_updated_at on customers (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('DROP TRIGGER IF EXISTS "trg_customers_updated_at" ON "customers"'))
    # drop row-level security policy customers_isolation on customers (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('DROP POLICY IF EXISTS "customers_isolation" ON "customers"'))
        op.execute(sa.text('ALTER TABLE "customers" DISABLE ROW LEVEL SECURITY'))
    # drop index ix_offices_parent_id_tenant_id on offices
    op.drop_index("ix_offices_parent_id_tenant_id", table_name="offices")
    # drop index ix_offices_region_id_tenant_id on offices
    op.drop_index("ix_offices_region_id_tenant_id", table_name="offices")
    # drop index ix_offices_tenant_id_closed_at on offices
    op.drop_index("ix_offices_tenant_id_closed_at", table_name="offices")
    # drop index ix_offices_tenant_id_status_created_at on offices
    op.drop_index("ix_offices_tenant_id_status_created_at", table_name="offices")
    # drop index ux_offices_tenant_id_branch_id_name on offices
    op.drop_index("ux_offices_tenant_id_branch_id_name", table_name="offices")
    # drop trigger trg_offices_updated_at on offices (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('DROP TRIGGER IF EXISTS "trg_offices_updated_at" ON "offices"'))
    # drop row-level security policy offices_isolation on offices (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('DROP POLICY IF EXISTS "offices_isolation" ON "offices"'))
        op.execute(sa.text('ALTER TABLE "offices" DISABLE ROW LEVEL SECURITY'))
    # drop index ix_people_tenant_id on people
    op.drop_index("ix_people_tenant_id", table_name="people")
    # drop index ux_people_tenant_id_branch_id_email on people
    op.drop_index("ux_people_tenant_id_branch_id_email", table_name="people")
    # drop trigger trg_people_updated_at on people (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('DROP TRIGGER IF EXISTS "trg_people_updated_at" ON "people"'))
    # drop row-level security policy people_isolation on people (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('DROP POLICY IF EXISTS "people_isolation" ON "people"'))
        op.execute(sa.text('ALTER TABLE "people" DISABLE ROW LEVEL SECURITY'))
    # drop index ix_regions_tenant_id on regions
    op.drop_index("ix_regions_tenant_id", table_name="regions")
    # drop index ux_regions_tenant_id_branch_id_name on regions
    op.drop_index("ux_regions_tenant_id_branch_id_name", table_name="regions")
    # drop trigger trg_regions_updated_at on regions (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('DROP TRIGGER IF EXISTS "trg_regions_updated_at" ON "regions"'))
    # drop row-level security policy regions_isolation on regions (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('DROP POLICY IF EXISTS "regions_isolation" ON "regions"'))
        op.execute(sa.text('ALTER TABLE "regions" DISABLE ROW LEVEL SECURITY'))
    with op.batch_alter_table("customers") as batch_op:
        # replace primary key pk_customers of customers by pk_customers
        batch_op.drop_constraint("pk_customers", type_="primary")
        batch_op.create_primary_key("pk_customers", ["id"])
        # drop column customers.branch_deleted
        batch_op.drop_column("branch_deleted")
        # drop column customers.branch_id
        batch_op.drop_column("branch_id")
        # drop column customers.tenant_id
        batch_op.drop_column("tenant_id")
    with op.batch_alter_table("office_people") as batch_op:
        # replace primary key pk_office_people of office_people by pk_office_people
        batch_op.drop_constraint("pk_office_people", type_="primary")
        batch_op.create_primary_key("pk_office_people", ["office_id", "person_id"])
        # drop column office_people.branch_id
        batch_op.drop_column("branch_id")
    with op.batch_alter_table("offices") as batch_op:
        # replace primary key pk_offices of offices by pk_offices
        batch_op.drop_constraint("pk_offices", type_="primary")
        batch_op.create_primary_key("pk_offices", ["id"])
        # drop column offices.branch_deleted
        batch_op.drop_column("branch_deleted")
        # drop column offices.branch_id
        batch_op.drop_column("branch_id")
        # drop column offices.tenant_id
        batch_op.drop_column("tenant_id")
    with op.batch_alter_table("people") as batch_op:
        # replace primary key pk_people of people by pk_people
        batch_op.drop_constraint("pk_people", type_="primary")
        batch_op.create_primary_key("pk_people", ["id"])
        # drop column people.branch_deleted
        batch_op.drop_column("branch_deleted")
        # drop column people.branch_id
        batch_op.drop_column("branch_id")
        # drop column people.tenant_id
        batch_op.drop_column("tenant_id")
    with op.batch_alter_table("regions") as batch_op:
        # replace primary key pk_regions of regions by pk_regions
        batch_op.drop_constraint("pk_regions", type_="primary")
        batch_op.create_primary_key("pk_regions", ["id"])
        # drop column regions.branch_deleted
        batch_op.drop_column("branch_deleted")
        # drop column regions.branch_id
        batch_op.drop_column("branch_id")
        # drop column regions.tenant_id
        batch_op.drop_column("tenant_id")
    # drop table todos
    op.drop_table("todos")
    # drop table opportunities
    op.drop_table("opportunities")
    # drop table matrx_menu_items
    op.drop_table("matrx_menu_items")
    # drop table matrx_actions
    op.drop_table("matrx_actions")
    # drop table bulk_runs
    op.drop_table("bulk_runs")
    # drop table audit_log
    op.drop_table("audit_log")
    # drop enum type matrx_action_action_type
    sa.Enum(
        "prompt", "api_call", "function", "workflow", "navigation", name="matrx_action_action_type"
    ).drop(op.get_bind(), checkfirst=True)
    # drop enum type matrx_action_scope
    sa.Enum("global", "workspace", "user", name="matrx_action_scope").drop(
        op.get_bind(), checkfirst=True
    )
    # drop enum type matrx_menu_item_menu_type
    sa.Enum(
        "context_menu", "toolbar", "quick_action", "sidebar", name="matrx_menu_item_menu_type"
    ).drop(op.get_bind(), checkfirst=True)
    # drop enum type opportunity_stage
    sa.Enum(
        "lead", "qualified", "proposal", "negotiation", "won", "lost", name="opportunity_stage"
    ).drop(op.get_bind(), checkfirst=True)
    # drop enum type todo_priority
    sa.Enum("low", "normal", "high", "urgent", name="todo_priority").drop(
        op.get_bind(), checkfirst=True
    )
    # drop function schemagen_touch_updated_at (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('DROP FUNCTION IF EXISTS "schemagen_touch_updated_at"()'))
    # add index ix_customers_office_id on customers
    op.create_index("ix_customers_office_id", "customers", ["office_id"])
    with op.batch_alter_table("customers") as batch_op:
        # add unique constraint uq_customers_email on customers
        batch_op.create_unique_constraint("uq_customers_email", ["email"])
    # add index ix_offices_closed_at on offices
    op.create_index(
        "ix_offices_closed_at",
        "offices",
        ["closed_at"],
        postgresql_where=sa.text("closed_at IS NOT NULL"),
        sqlite_where=sa.text("closed_at IS NOT NULL"),
    )
    # add index ix_offices_parent_id on offices
    op.create_index("ix_offices_parent_id", "offices", ["parent_id"])
    # add index ix_offices_region_id on offices
    op.create_index("ix_offices_region_id", "offices", ["region_id"])
    # add index ix_offices_status_created_at on offices
    op.create_index("ix_offices_status_created_at", "offices", ["status", "created_at"])
    with op.batch_alter_table("offices") as batch_op:
        # add unique constraint uq_offices_name on offices
        batch_op.create_unique_constraint("uq_offices_name", ["name"])
    with op.batch_alter_table("people") as batch_op:
        # add unique constraint uq_people_email on people
        batch_op.create_unique_constraint("uq_people_email", ["email"])
    with op.batch_alter_table("regions") as batch_op:
        # add unique constraint uq_regions_name on regions
        batch_op.create_unique_constraint("uq_regions_name", ["name"])
    with op.batch_alter_table("customers") as batch_op:
        # add foreign key fk_customers_office_id_offices on customers
        batch_op.create_foreign_key(
            "fk_customers_office_id_offices", "offices", ["office_id"], ["id"], ondelete="SET NULL"
        )
    with op.batch_alter_table("office_people") as batch_op:
        # add foreign key fk_office_people_office_id_offices on office_people
        batch_op.create_foreign_key(
            "fk_office_people_office_id_offices",
            "offices",
            ["office_id"],
            ["id"],
            ondelete="CASCADE",
        )
        # add foreign key fk_office_people_person_id_people on office_people
        batch_op.create_foreign_key(
            "fk_office_people_person_id_people", "people", ["person_id"], ["id"], ondelete="CASCADE"
        )
    with op.batch_alter_table("offices") as batch_op:
        # add foreign key fk_offices_parent_id_offices on offices
        batch_op.create_foreign_key(
            "fk_offices_parent_id_offices", "offices", ["parent_id"], ["id"], ondelete="SET NULL"
        )
        # add foreign key fk_offices_region_id_regions on offices
        batch_op.create_foreign_key(
            "fk_offices_region_id_regions", "regions", ["region_id"], ["id"], ondelete="CASCADE"
        )
