"""initial

Revision 0001. Written by `schemagen migrate` from schemas/; review it, then
apply it with `alembic -c generated/migrations/alembic.ini upgrade head`.

Steps:
- create table people
- create table regions
- create table offices
- create table customers
- create table office_people

MySQL and MariaDB commit every DDL statement on its own: if this revision fails part-way on
them, the steps before the failure stay applied. Fix the cause, undo or finish those steps by
hand, then run it again.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "ba1a73d890fb"
down_revision = None
branch_labels = None
depends_on = None
# sha256 of snapshot.json after this revision: `schemagen check` compares them.
schemagen_state = "9f0da418edfd92713c577ebe2e4d005ca22a09dae10363f45b1340aef68ea715"


def upgrade() -> None:
    # create table people
    op.create_table(
        "people",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("full_name", sa.String(160), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("title", sa.String(120), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("started_on", sa.Date(), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.PrimaryKeyConstraint("id", name="pk_people"),
        sa.UniqueConstraint("email", name="uq_people_email"),
        comment="Someone who works in one or more offices.",
    )
    # create table regions
    op.create_table(
        "regions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("code", sa.String(8), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.PrimaryKeyConstraint("id", name="pk_regions"),
        sa.UniqueConstraint("name", name="uq_regions_name"),
        comment="A sales region that groups offices.",
    )
    # create table offices
    op.create_table(
        "offices",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "active",
                "inactive",
                name="office_status",
                create_constraint=True,
                validate_strings=True,
            ),
            nullable=False,
            server_default="active",
        ),
        sa.Column("region_id", sa.Uuid(), nullable=True),
        sa.Column("budget", sa.Numeric(12, 2), nullable=True),
        sa.Column(
            "tags",
            sa.JSON(none_as_null=True).with_variant(postgresql.ARRAY(sa.String(255)), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "settings", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=True
        ),
        sa.Column("parent_id", sa.Uuid(), nullable=True),
        sa.Column("code", sa.String(12), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.PrimaryKeyConstraint("id", name="pk_offices"),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["offices.id"], ondelete="SET NULL", name="fk_offices_parent_id_offices"
        ),
        sa.ForeignKeyConstraint(
            ["region_id"], ["regions.id"], ondelete="CASCADE", name="fk_offices_region_id_regions"
        ),
        sa.UniqueConstraint("name", name="uq_offices_name"),
        sa.CheckConstraint("budget >= 0", name=op.f("ck_offices_budget_positive")),
        comment="A physical office.",
    )
    op.create_index(
        "ix_offices_closed_at",
        "offices",
        ["closed_at"],
        postgresql_where=sa.text("closed_at IS NOT NULL"),
        sqlite_where=sa.text("closed_at IS NOT NULL"),
    )
    op.create_index("ix_offices_parent_id", "offices", ["parent_id"])
    op.create_index("ix_offices_region_id", "offices", ["region_id"])
    op.create_index("ix_offices_status_created_at", "offices", ["status", "created_at"])
    # create table customers
    op.create_table(
        "customers",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("email", sa.String(320), nullable=True),
        sa.Column(
            "tier",
            sa.Enum(
                "standard",
                "gold",
                "platinum",
                name="customer_tier",
                create_constraint=True,
                validate_strings=True,
            ),
            nullable=False,
            server_default="standard",
        ),
        sa.Column("office_id", sa.Uuid(), nullable=True),
        sa.Column("lifetime_value", sa.Numeric(14, 2), nullable=False, server_default=sa.text("0")),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.PrimaryKeyConstraint("id", name="pk_customers"),
        sa.ForeignKeyConstraint(
            ["office_id"],
            ["offices.id"],
            ondelete="SET NULL",
            name="fk_customers_office_id_offices",
        ),
        sa.UniqueConstraint("email", name="uq_customers_email"),
        comment="A company or person the offices serve.",
    )
    op.create_index("ix_customers_office_id", "customers", ["office_id"])
    # create table office_people
    op.create_table(
        "office_people",
        sa.Column("office_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("office_id", "person_id", name="pk_office_people"),
        sa.ForeignKeyConstraint(
            ["office_id"],
            ["offices.id"],
            ondelete="CASCADE",
            name="fk_office_people_office_id_offices",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            ondelete="CASCADE",
            name="fk_office_people_person_id_people",
        ),
    )
    op.create_index("ix_office_people_person_id", "office_people", ["person_id"])


def downgrade() -> None:
    # drop table office_people
    op.drop_table("office_people")
    # drop table customers
    op.drop_table("customers")
    # drop table offices
    op.drop_table("offices")
    # drop table regions
    op.drop_table("regions")
    # drop table people
    op.drop_table("people")
    # drop enum type customer_tier
    sa.Enum("standard", "gold", "platinum", name="customer_tier").drop(
        op.get_bind(), checkfirst=True
    )
    # drop enum type office_status
    sa.Enum("active", "inactive", name="office_status").drop(op.get_bind(), checkfirst=True)
