"""v3

Revision 0003, after 0002. Written by `schemagen migrate` from schemas/; review it, then
apply it with `alembic -c generated/migrations/alembic.ini upgrade head`.

Steps:
- drop unique constraint uq_books_isbn on books
- alter enum book_status of books.status (remove 'archived')
- alter column books.title (type VARCHAR(200) -> VARCHAR(120))
- drop column books.isbn

Data loss accepted (--accept-data-loss):
- remove 'archived' from enum book_status: rows of books.status holding them are set to 'draft'
- change books.title from VARCHAR(200) to VARCHAR(120): values longer than 120 characters are cut to their first 120
- drop column books.isbn: its values are lost

MySQL and MariaDB commit every DDL statement on its own: if this revision fails part-way on
them, the steps before the failure stay applied. Fix the cause, undo or finish those steps by
hand, then run it again.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None
# sha256 of snapshot.json after this revision: `schemagen check` compares them.
schemagen_state = "84ce0eff183136f7617971a62d5361c971dca58d57c99b146a8b1a34c52ada95"


def upgrade() -> None:
    dialect = op.get_context().dialect.name
    with op.batch_alter_table("books") as batch_op:
        # drop unique constraint uq_books_isbn on books
        batch_op.drop_constraint("uq_books_isbn", type_="unique")
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
    # alter column books.title (type VARCHAR(200) -> VARCHAR(120))
    # Accepted data loss: values longer than 120 characters are cut to fit.
    table = sa.table("books", sa.column("title", sa.String(200)))
    op.execute(
        table.update()
        .where(sa.func.char_length(table.c["title"]) > 120)
        .values({"title": sa.func.substr(table.c["title"], 1, 120)})
    )
    with op.batch_alter_table("books") as batch_op:
        batch_op.alter_column(
            "title", existing_type=sa.String(200), existing_nullable=False, type_=sa.String(120)
        )
        # drop column books.isbn
        batch_op.drop_column("isbn")


def downgrade() -> None:
    dialect = op.get_context().dialect.name
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
        # alter column books.title (type VARCHAR(120) -> VARCHAR(200))
        batch_op.alter_column(
            "title", existing_type=sa.String(120), existing_nullable=False, type_=sa.String(200)
        )
        # add unique constraint uq_books_isbn on books
        batch_op.create_unique_constraint("uq_books_isbn", ["isbn"])
