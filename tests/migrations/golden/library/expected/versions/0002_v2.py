"""v2

Revision 0002, after 0001. Written by `schemagen migrate` from schemas/; review it, then
apply it with `alembic -c generated/migrations/alembic.ini upgrade head`.

Steps:
- rename column authors.nickname to pen_name
- add column authors.active
- add column books.isbn
- alter enum book_status of books.status (add 'archived')
- add unique constraint uq_books_isbn on books

MySQL and MariaDB commit every DDL statement on its own: if this revision fails part-way on
them, the steps before the failure stay applied. Fix the cause, undo or finish those steps by
hand, then run it again.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None
# sha256 of snapshot.json after this revision: `schemagen check` compares them.
schemagen_state = "3ca060b2aff5fefdf0123bd387c3184668d250a9c2f0e68f5efaf2bdcc886389"


def upgrade() -> None:
    dialect = op.get_context().dialect.name
    # rename column authors.nickname to pen_name
    op.alter_column(
        "authors",
        "nickname",
        new_column_name="pen_name",
        existing_type=sa.String(50),
        existing_nullable=True,
    )
    with op.batch_alter_table("authors") as batch_op:
        # add column authors.active
        batch_op.add_column(
            sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true())
        )
    with op.batch_alter_table("books") as batch_op:
        # add column books.isbn
        batch_op.add_column(sa.Column("isbn", sa.String(20), nullable=True))
    # alter enum book_status of books.status (add 'archived')
    if dialect == "postgresql":
        # ADD VALUE cannot run inside a transaction block.
        with op.get_context().autocommit_block():
            op.execute(
                sa.text(
                    "ALTER TYPE \"book_status\" ADD VALUE IF NOT EXISTS 'archived' AFTER 'published'"
                )
            )
    else:
        with op.batch_alter_table("books") as batch_op:
            batch_op.alter_column(
                "status",
                existing_type=sa.Enum(
                    "draft",
                    "published",
                    name="book_status",
                    create_constraint=True,
                    validate_strings=True,
                ),
                existing_nullable=False,
                existing_server_default="draft",
                type_=sa.Enum(
                    "draft",
                    "published",
                    "archived",
                    name="book_status",
                    create_constraint=True,
                    validate_strings=True,
                ),
            )
    with op.batch_alter_table("books") as batch_op:
        # add unique constraint uq_books_isbn on books
        batch_op.create_unique_constraint("uq_books_isbn", ["isbn"])


def downgrade() -> None:
    dialect = op.get_context().dialect.name
    with op.batch_alter_table("books") as batch_op:
        # drop unique constraint uq_books_isbn on books
        batch_op.drop_constraint("uq_books_isbn", type_="unique")
    # rename column authors.pen_name to nickname
    op.alter_column(
        "authors",
        "pen_name",
        new_column_name="nickname",
        existing_type=sa.String(50),
        existing_nullable=True,
    )
    with op.batch_alter_table("authors") as batch_op:
        # drop column authors.active
        batch_op.drop_column("active")
    # alter enum book_status of books.status (remove 'archived')
    # Rows holding a removed value get the default.
    table = sa.table(
        "books",
        sa.column(
            "status",
            sa.Enum(
                "draft",
                "published",
                "archived",
                name="book_status",
                create_constraint=True,
                validate_strings=True,
            ),
        ),
    )
    op.execute(
        table.update().where(table.c["status"].in_(["archived"])).values({"status": "draft"})
    )
    if dialect == "postgresql":
        # Recreate the type: PostgreSQL cannot remove or reorder the values of an enum.
        op.execute(sa.text('ALTER TYPE "book_status" RENAME TO "book_status_old"'))
        sa.Enum("draft", "published", name="book_status").create(op.get_bind())
        op.execute(sa.text('ALTER TABLE "books" ALTER COLUMN "status" DROP DEFAULT'))
        op.execute(
            sa.text(
                'ALTER TABLE "books" ALTER COLUMN "status" TYPE "book_status" USING CAST(CAST("status" AS text) AS "book_status")'
            )
        )
        op.execute(sa.text('ALTER TABLE "books" ALTER COLUMN "status" SET DEFAULT \'draft\''))
        op.execute(sa.text('DROP TYPE "book_status_old"'))
    else:
        with op.batch_alter_table("books") as batch_op:
            batch_op.alter_column(
                "status",
                existing_type=sa.Enum(
                    "draft",
                    "published",
                    "archived",
                    name="book_status",
                    create_constraint=True,
                    validate_strings=True,
                ),
                existing_nullable=False,
                existing_server_default="draft",
                type_=sa.Enum(
                    "draft",
                    "published",
                    name="book_status",
                    create_constraint=True,
                    validate_strings=True,
                ),
            )
    with op.batch_alter_table("books") as batch_op:
        # drop column books.isbn
        batch_op.drop_column("isbn")
