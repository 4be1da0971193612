"""v1

Revision 0001. Written by `schemagen migrate` from schemas/; review it, then
apply it with `alembic -c generated/migrations/alembic.ini upgrade head`.

Steps:
- create table authors
- create table books

MySQL and MariaDB commit every DDL statement on its own: if this revision fails part-way on
them, the steps before the failure stay applied. Fix the cause, undo or finish those steps by
hand, then run it again.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "8079380b6eb2"
down_revision = None
branch_labels = None
depends_on = None
# sha256 of snapshot.json after this revision: `schemagen check` compares them.
schemagen_state = "9900141e786943753ddc997f613e03ffde7e0457f588f3ca68f5909ba29fb50d"


def upgrade() -> None:
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


def downgrade() -> None:
    # drop table books
    op.drop_table("books")
    # drop table authors
    op.drop_table("authors")
    # drop enum type book_status
    sa.Enum("draft", "published", name="book_status").drop(op.get_bind(), checkfirst=True)
