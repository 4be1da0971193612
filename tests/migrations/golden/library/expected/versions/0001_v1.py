"""v1

Revision 0001. Written by `schemagen migrate` from schemas/; review it, then
apply it with `alembic -c generated/migrations/alembic.ini upgrade head`.

Steps:
- create table authors
- create table books
- create table change_feed
- create table change_feed_clock
- create table idempotency_keys

MySQL and MariaDB commit every DDL statement on its own: if this revision fails part-way on
them, the steps before the failure stay applied. Fix the cause, undo or finish those steps by
hand, then run it again.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None
# sha256 of snapshot.json after this revision: `schemagen check` compares them.
schemagen_state = "8e590f908d5058720816bbca4eeb18bf7eea3530b01666863afc57e61497b915"


def upgrade() -> None:
    dialect = op.get_context().dialect.name
    # create table authors
    op.create_table(
        "authors",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("nickname", sa.String(50), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_authors"),
    )
    # create table books
    op.create_table(
        "books",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "published",
                name="book_status",
                create_constraint=True,
                validate_strings=True,
            ),
            nullable=False,
            server_default="draft",
        ),
        sa.Column("author_id", sa.Uuid(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_books"),
        sa.ForeignKeyConstraint(
            ["author_id"], ["authors.id"], ondelete="CASCADE", name="fk_books_author_id_authors"
        ),
        comment="A book.",
    )
    op.create_index("ix_books_author_id", "books", ["author_id"])
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
    # drop table change_feed_clock
    op.drop_table("change_feed_clock")
    # drop table change_feed
    op.drop_table("change_feed")
    # drop table books
    op.drop_table("books")
    # drop table authors
    op.drop_table("authors")
    # drop enum type book_status
    sa.Enum("draft", "published", name="book_status").drop(op.get_bind(), checkfirst=True)
