"""per-command row-level security

Revision 0003, after 0002. Written by `schemagen migrate` from schemas/; review it, then
apply it with `alembic -c generated/migrations/alembic.ini upgrade head`.

Steps:
- drop row-level security policy customers_isolation on customers (PostgreSQL)
- drop row-level security policy matrx_actions_isolation on matrx_actions (PostgreSQL)
- drop row-level security policy matrx_menu_items_isolation on matrx_menu_items (PostgreSQL)
- drop row-level security policy offices_isolation on offices (PostgreSQL)
- drop row-level security policy opportunities_isolation on opportunities (PostgreSQL)
- drop row-level security policy people_isolation on people (PostgreSQL)
- drop row-level security policy regions_isolation on regions (PostgreSQL)
- add row-level security policy audit_log_insert on audit_log (PostgreSQL)
- add row-level security policy audit_log_select on audit_log (PostgreSQL)
- add row-level security policy bulk_runs_insert on bulk_runs (PostgreSQL)
- add row-level security policy bulk_runs_select on bulk_runs (PostgreSQL)
- add row-level security policy bulk_runs_update on bulk_runs (PostgreSQL)
- add row-level security policy customers_delete on customers (PostgreSQL)
- add row-level security policy customers_insert on customers (PostgreSQL)
- add row-level security policy customers_select on customers (PostgreSQL)
- add row-level security policy customers_update on customers (PostgreSQL)
- add row-level security policy matrx_actions_delete on matrx_actions (PostgreSQL)
- add row-level security policy matrx_actions_insert on matrx_actions (PostgreSQL)
- add row-level security policy matrx_actions_select on matrx_actions (PostgreSQL)
- add row-level security policy matrx_actions_update on matrx_actions (PostgreSQL)
- add row-level security policy matrx_menu_items_delete on matrx_menu_items (PostgreSQL)
- add row-level security policy matrx_menu_items_insert on matrx_menu_items (PostgreSQL)
- add row-level security policy matrx_menu_items_select on matrx_menu_items (PostgreSQL)
- add row-level security policy matrx_menu_items_update on matrx_menu_items (PostgreSQL)
- add row-level security policy office_people_delete on office_people (PostgreSQL)
- add row-level security policy office_people_insert on office_people (PostgreSQL)
- add row-level security policy office_people_select on office_people (PostgreSQL)
- add row-level security policy office_people_update on office_people (PostgreSQL)
- add row-level security policy offices_delete on offices (PostgreSQL)
- add row-level security policy offices_insert on offices (PostgreSQL)
- add row-level security policy offices_select on offices (PostgreSQL)
- add row-level security policy offices_update on offices (PostgreSQL)
- add row-level security policy opportunities_delete on opportunities (PostgreSQL)
- add row-level security policy opportunities_insert on opportunities (PostgreSQL)
- add row-level security policy opportunities_select on opportunities (PostgreSQL)
- add row-level security policy opportunities_update on opportunities (PostgreSQL)
- add row-level security policy people_delete on people (PostgreSQL)
- add row-level security policy people_insert on people (PostgreSQL)
- add row-level security policy people_select on people (PostgreSQL)
- add row-level security policy people_update on people (PostgreSQL)
- add row-level security policy regions_delete on regions (PostgreSQL)
- add row-level security policy regions_insert on regions (PostgreSQL)
- add row-level security policy regions_select on regions (PostgreSQL)
- add row-level security policy regions_update on regions (PostgreSQL)

MySQL and MariaDB commit every DDL statement on its own: if this revision fails part-way on
them, the steps before the failure stay applied. Fix the cause, undo or finish those steps by
hand, then run it again.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "074d35ca67c3"
down_revision = "f6835d34de6f"
branch_labels = None
depends_on = None
# sha256 of snapshot.json after this revision: `schemagen check` compares them.
schemagen_state = "ddcbcfa3b09bb84a472dd9cc353825352f55752723b05a6c06f7856f354dddd5"


def upgrade() -> None:
    dialect = op.get_context().dialect.name
    # drop row-level security policy customers_isolation on customers (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('DROP POLICY IF EXISTS "customers_isolation" ON "customers"'))
    # drop row-level security policy matrx_actions_isolation on matrx_actions (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('DROP POLICY IF EXISTS "matrx_actions_isolation" ON "matrx_actions"'))
    # drop row-level security policy matrx_menu_items_isolation on matrx_menu_items (PostgreSQL)
    if dialect == "postgresql":
        op.execute(
            sa.text('DROP POLICY IF EXISTS "matrx_menu_items_isolation" ON "matrx_menu_items"')
        )
    # drop row-level security policy offices_isolation on offices (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('DROP POLICY IF EXISTS "offices_isolation" ON "offices"'))
    # drop row-level security policy opportunities_isolation on opportunities (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('DROP POLICY IF EXISTS "opportunities_isolation" ON "opportunities"'))
    # drop row-level security policy people_isolation on people (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('DROP POLICY IF EXISTS "people_isolation" ON "people"'))
    # drop row-level security policy regions_isolation on regions (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('DROP POLICY IF EXISTS "regions_isolation" ON "regions"'))
    # add row-level security policy audit_log_insert on audit_log (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('ALTER TABLE "audit_log" ENABLE ROW LEVEL SECURITY'))
        op.execute(
            sa.text(
                "CREATE POLICY \"audit_log_insert\" ON \"audit_log\" FOR INSERT WITH CHECK ((tenant_id = current_setting('app.tenant_id', true) OR (tenant_id IS NULL AND coalesce(current_setting('app.tenant_id', true), '') = '')) AND coalesce(actor, '') = coalesce(current_setting('app.user_id', true), ''))"
            )
        )
    # add row-level security policy audit_log_select on audit_log (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('ALTER TABLE "audit_log" ENABLE ROW LEVEL SECURITY'))
        op.execute(
            sa.text(
                "CREATE POLICY \"audit_log_select\" ON \"audit_log\" FOR SELECT USING ((tenant_id = current_setting('app.tenant_id', true) OR (tenant_id IS NULL AND coalesce(current_setting('app.tenant_id', true), '') = '')))"
            )
        )
    # add row-level security policy bulk_runs_insert on bulk_runs (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('ALTER TABLE "bulk_runs" ENABLE ROW LEVEL SECURITY'))
        op.execute(
            sa.text(
                "CREATE POLICY \"bulk_runs_insert\" ON \"bulk_runs\" FOR INSERT WITH CHECK ((tenant_id IS NULL OR tenant_id = current_setting('app.tenant_id', true)) AND coalesce(actor, '') = coalesce(current_setting('app.user_id', true), ''))"
            )
        )
    # add row-level security policy bulk_runs_select on bulk_runs (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('ALTER TABLE "bulk_runs" ENABLE ROW LEVEL SECURITY'))
        op.execute(
            sa.text(
                "CREATE POLICY \"bulk_runs_select\" ON \"bulk_runs\" FOR SELECT USING ((tenant_id IS NULL OR tenant_id = current_setting('app.tenant_id', true)) AND coalesce(actor, '') = coalesce(current_setting('app.user_id', true), ''))"
            )
        )
    # add row-level security policy bulk_runs_update on bulk_runs (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('ALTER TABLE "bulk_runs" ENABLE ROW LEVEL SECURITY'))
        op.execute(
            sa.text(
                "CREATE POLICY \"bulk_runs_update\" ON \"bulk_runs\" FOR UPDATE USING ((tenant_id IS NULL OR tenant_id = current_setting('app.tenant_id', true)) AND coalesce(actor, '') = coalesce(current_setting('app.user_id', true), '')) WITH CHECK ((tenant_id IS NULL OR tenant_id = current_setting('app.tenant_id', true)) AND coalesce(actor, '') = coalesce(current_setting('app.user_id', true), ''))"
            )
        )
    # add row-level security policy customers_delete on customers (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('ALTER TABLE "customers" ENABLE ROW LEVEL SECURITY'))
        op.execute(
            sa.text(
                'CREATE POLICY "customers_delete" ON "customers" FOR DELETE USING (tenant_id = current_setting(\'app.tenant_id\', true))'
            )
        )
    # add row-level security policy customers_insert on customers (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('ALTER TABLE "customers" ENABLE ROW LEVEL SECURITY'))
        op.execute(
            sa.text(
                'CREATE POLICY "customers_insert" ON "customers" FOR INSERT WITH CHECK (tenant_id = current_setting(\'app.tenant_id\', true))'
            )
        )
    # add row-level security policy customers_select on customers (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('ALTER TABLE "customers" ENABLE ROW LEVEL SECURITY'))
        op.execute(
            sa.text(
                'CREATE POLICY "customers_select" ON "customers" FOR SELECT USING (tenant_id = current_setting(\'app.tenant_id\', true))'
            )
        )
    # add row-level security policy customers_update on customers (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('ALTER TABLE "customers" ENABLE ROW LEVEL SECURITY'))
        op.execute(
            sa.text(
                "CREATE POLICY \"customers_update\" ON \"customers\" FOR UPDATE USING (tenant_id = current_setting('app.tenant_id', true)) WITH CHECK (tenant_id = current_setting('app.tenant_id', true))"
            )
        )
    # add row-level security policy matrx_actions_delete on matrx_actions (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('ALTER TABLE "matrx_actions" ENABLE ROW LEVEL SECURITY'))
        op.execute(
            sa.text(
                'CREATE POLICY "matrx_actions_delete" ON "matrx_actions" FOR DELETE USING (owner_id = current_setting(\'app.user_id\', true) AND NOT is_system)'
            )
        )
    # add row-level security policy matrx_actions_insert on matrx_actions (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('ALTER TABLE "matrx_actions" ENABLE ROW LEVEL SECURITY'))
        op.execute(
            sa.text(
                'CREATE POLICY "matrx_actions_insert" ON "matrx_actions" FOR INSERT WITH CHECK (owner_id = current_setting(\'app.user_id\', true) AND NOT is_system)'
            )
        )
    # add row-level security policy matrx_actions_select on matrx_actions (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('ALTER TABLE "matrx_actions" ENABLE ROW LEVEL SECURITY'))
        op.execute(
            sa.text(
                'CREATE POLICY "matrx_actions_select" ON "matrx_actions" FOR SELECT USING (is_system OR owner_id = current_setting(\'app.user_id\', true))'
            )
        )
    # add row-level security policy matrx_actions_update on matrx_actions (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('ALTER TABLE "matrx_actions" ENABLE ROW LEVEL SECURITY'))
        op.execute(
            sa.text(
                "CREATE POLICY \"matrx_actions_update\" ON \"matrx_actions\" FOR UPDATE USING (owner_id = current_setting('app.user_id', true) AND NOT is_system) WITH CHECK (owner_id = current_setting('app.user_id', true) AND NOT is_system)"
            )
        )
    # add row-level security policy matrx_menu_items_delete on matrx_menu_items (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('ALTER TABLE "matrx_menu_items" ENABLE ROW LEVEL SECURITY'))
        op.execute(
            sa.text(
                'CREATE POLICY "matrx_menu_items_delete" ON "matrx_menu_items" FOR DELETE USING (owner_id = current_setting(\'app.user_id\', true) AND NOT is_system)'
            )
        )
    # add row-level security policy matrx_menu_items_insert on matrx_menu_items (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('ALTER TABLE "matrx_menu_items" ENABLE ROW LEVEL SECURITY'))
        op.execute(
            sa.text(
                'CREATE POLICY "matrx_menu_items_insert" ON "matrx_menu_items" FOR INSERT WITH CHECK (owner_id = current_setting(\'app.user_id\', true) AND NOT is_system)'
            )
        )
    # add row-level security policy matrx_menu_items_select on matrx_menu_items (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('ALTER TABLE "matrx_menu_items" ENABLE ROW LEVEL SECURITY'))
        op.execute(
            sa.text(
                'CREATE POLICY "matrx_menu_items_select" ON "matrx_menu_items" FOR SELECT USING (is_system OR owner_id = current_setting(\'app.user_id\', true))'
            )
        )
    # add row-level security policy matrx_menu_items_update on matrx_menu_items (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('ALTER TABLE "matrx_menu_items" ENABLE ROW LEVEL SECURITY'))
        op.execute(
            sa.text(
                "CREATE POLICY \"matrx_menu_items_update\" ON \"matrx_menu_items\" FOR UPDATE USING (owner_id = current_setting('app.user_id', true) AND NOT is_system) WITH CHECK (owner_id = current_setting('app.user_id', true) AND NOT is_system)"
            )
        )
    # add row-level security policy office_people_delete on office_people (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('ALTER TABLE "office_people" ENABLE ROW LEVEL SECURITY'))
        op.execute(
            sa.text(
                'CREATE POLICY "office_people_delete" ON "office_people" FOR DELETE USING (EXISTS (SELECT 1 FROM "offices" p WHERE p.id = "office_people".office_id AND p.tenant_id = current_setting(\'app.tenant_id\', true)) AND EXISTS (SELECT 1 FROM "people" p WHERE p.id = "office_people".person_id AND p.tenant_id = current_setting(\'app.tenant_id\', true)))'
            )
        )
    # add row-level security policy office_people_insert on office_people (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('ALTER TABLE "office_people" ENABLE ROW LEVEL SECURITY'))
        op.execute(
            sa.text(
                'CREATE POLICY "office_people_insert" ON "office_people" FOR INSERT WITH CHECK (EXISTS (SELECT 1 FROM "offices" p WHERE p.id = "office_people".office_id AND p.tenant_id = current_setting(\'app.tenant_id\', true)) AND EXISTS (SELECT 1 FROM "people" p WHERE p.id = "office_people".person_id AND p.tenant_id = current_setting(\'app.tenant_id\', true)))'
            )
        )
    # add row-level security policy office_people_select on office_people (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('ALTER TABLE "office_people" ENABLE ROW LEVEL SECURITY'))
        op.execute(
            sa.text(
                'CREATE POLICY "office_people_select" ON "office_people" FOR SELECT USING (EXISTS (SELECT 1 FROM "offices" p WHERE p.id = "office_people".office_id AND p.tenant_id = current_setting(\'app.tenant_id\', true)) AND EXISTS (SELECT 1 FROM "people" p WHERE p.id = "office_people".person_id AND p.tenant_id = current_setting(\'app.tenant_id\', true)))'
            )
        )
    # add row-level security policy office_people_update on office_people (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('ALTER TABLE "office_people" ENABLE ROW LEVEL SECURITY'))
        op.execute(
            sa.text(
                'CREATE POLICY "office_people_update" ON "office_people" FOR UPDATE USING (EXISTS (SELECT 1 FROM "offices" p WHERE p.id = "office_people".office_id AND p.tenant_id = current_setting(\'app.tenant_id\', true)) AND EXISTS (SELECT 1 FROM "people" p WHERE p.id = "office_people".person_id AND p.tenant_id = current_setting(\'app.tenant_id\', true))) WITH CHECK (EXISTS (SELECT 1 FROM "offices" p WHERE p.id = "office_people".office_id AND p.tenant_id = current_setting(\'app.tenant_id\', true)) AND EXISTS (SELECT 1 FROM "people" p WHERE p.id = "office_people".person_id AND p.tenant_id = current_setting(\'app.tenant_id\', true)))'
            )
        )
    # add row-level security policy offices_delete on offices (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('ALTER TABLE "offices" ENABLE ROW LEVEL SECURITY'))
        op.execute(
            sa.text(
                'CREATE POLICY "offices_delete" ON "offices" FOR DELETE USING (tenant_id = current_setting(\'app.tenant_id\', true))'
            )
        )
    # add row-level security policy offices_insert on offices (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('ALTER TABLE "offices" ENABLE ROW LEVEL SECURITY'))
        op.execute(
            sa.text(
                'CREATE POLICY "offices_insert" ON "offices" FOR INSERT WITH CHECK (tenant_id = current_setting(\'app.tenant_id\', true))'
            )
        )
    # add row-level security policy offices_select on offices (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('ALTER TABLE "offices" ENABLE ROW LEVEL SECURITY'))
        op.execute(
            sa.text(
                'CREATE POLICY "offices_select" ON "offices" FOR SELECT USING (tenant_id = current_setting(\'app.tenant_id\', true))'
            )
        )
    # add row-level security policy offices_update on offices (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('ALTER TABLE "offices" ENABLE ROW LEVEL SECURITY'))
        op.execute(
            sa.text(
                "CREATE POLICY \"offices_update\" ON \"offices\" FOR UPDATE USING (tenant_id = current_setting('app.tenant_id', true)) WITH CHECK (tenant_id = current_setting('app.tenant_id', true))"
            )
        )
    # add row-level security policy opportunities_delete on opportunities (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('ALTER TABLE "opportunities" ENABLE ROW LEVEL SECURITY'))
        op.execute(
            sa.text(
                'CREATE POLICY "opportunities_delete" ON "opportunities" FOR DELETE USING (tenant_id = current_setting(\'app.tenant_id\', true))'
            )
        )
    # add row-level security policy opportunities_insert on opportunities (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('ALTER TABLE "opportunities" ENABLE ROW LEVEL SECURITY'))
        op.execute(
            sa.text(
                'CREATE POLICY "opportunities_insert" ON "opportunities" FOR INSERT WITH CHECK (tenant_id = current_setting(\'app.tenant_id\', true))'
            )
        )
    # add row-level security policy opportunities_select on opportunities (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('ALTER TABLE "opportunities" ENABLE ROW LEVEL SECURITY'))
        op.execute(
            sa.text(
                'CREATE POLICY "opportunities_select" ON "opportunities" FOR SELECT USING (tenant_id = current_setting(\'app.tenant_id\', true))'
            )
        )
    # add row-level security policy opportunities_update on opportunities (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('ALTER TABLE "opportunities" ENABLE ROW LEVEL SECURITY'))
        op.execute(
            sa.text(
                "CREATE POLICY \"opportunities_update\" ON \"opportunities\" FOR UPDATE USING (tenant_id = current_setting('app.tenant_id', true)) WITH CHECK (tenant_id = current_setting('app.tenant_id', true))"
            )
        )
    # add row-level security policy people_delete on people (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('ALTER TABLE "people" ENABLE ROW LEVEL SECURITY'))
        op.execute(
            sa.text(
                'CREATE POLICY "people_delete" ON "people" FOR DELETE USING (tenant_id = current_setting(\'app.tenant_id\', true))'
            )
        )
    # add row-level security policy people_insert on people (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('ALTER TABLE "people" ENABLE ROW LEVEL SECURITY'))
        op.execute(
            sa.text(
                'CREATE POLICY "people_insert" ON "people" FOR INSERT WITH CHECK (tenant_id = current_setting(\'app.tenant_id\', true))'
            )
        )
    # add row-level security policy people_select on people (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('ALTER TABLE "people" ENABLE ROW LEVEL SECURITY'))
        op.execute(
            sa.text(
                'CREATE POLICY "people_select" ON "people" FOR SELECT USING (tenant_id = current_setting(\'app.tenant_id\', true))'
            )
        )
    # add row-level security policy people_update on people (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('ALTER TABLE "people" ENABLE ROW LEVEL SECURITY'))
        op.execute(
            sa.text(
                "CREATE POLICY \"people_update\" ON \"people\" FOR UPDATE USING (tenant_id = current_setting('app.tenant_id', true)) WITH CHECK (tenant_id = current_setting('app.tenant_id', true))"
            )
        )
    # add row-level security policy regions_delete on regions (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('ALTER TABLE "regions" ENABLE ROW LEVEL SECURITY'))
        op.execute(
            sa.text(
                'CREATE POLICY "regions_delete" ON "regions" FOR DELETE USING (tenant_id = current_setting(\'app.tenant_id\', true))'
            )
        )
    # add row-level security policy regions_insert on regions (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('ALTER TABLE "regions" ENABLE ROW LEVEL SECURITY'))
        op.execute(
            sa.text(
                'CREATE POLICY "regions_insert" ON "regions" FOR INSERT WITH CHECK (tenant_id = current_setting(\'app.tenant_id\', true))'
            )
        )
    # add row-level security policy regions_select on regions (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('ALTER TABLE "regions" ENABLE ROW LEVEL SECURITY'))
        op.execute(
            sa.text(
                'CREATE POLICY "regions_select" ON "regions" FOR SELECT USING (tenant_id = current_setting(\'app.tenant_id\', true))'
            )
        )
    # add row-level security policy regions_update on regions (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('ALTER TABLE "regions" ENABLE ROW LEVEL SECURITY'))
        op.execute(
            sa.text(
                "CREATE POLICY \"regions_update\" ON \"regions\" FOR UPDATE USING (tenant_id = current_setting('app.tenant_id', true)) WITH CHECK (tenant_id = current_setting('app.tenant_id', true))"
            )
        )


def downgrade() -> None:
    dialect = op.get_context().dialect.name
    # drop row-level security policy audit_log_insert on audit_log (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('DROP POLICY IF EXISTS "audit_log_insert" ON "audit_log"'))
    # drop row-level security policy audit_log_select on audit_log (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('DROP POLICY IF EXISTS "audit_log_select" ON "audit_log"'))
        op.execute(sa.text('ALTER TABLE "audit_log" DISABLE ROW LEVEL SECURITY'))
    # drop row-level security policy bulk_runs_insert on bulk_runs (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('DROP POLICY IF EXISTS "bulk_runs_insert" ON "bulk_runs"'))
    # drop row-level security policy bulk_runs_select on bulk_runs (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('DROP POLICY IF EXISTS "bulk_runs_select" ON "bulk_runs"'))
    # drop row-level security policy bulk_runs_update on bulk_runs (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('DROP POLICY IF EXISTS "bulk_runs_update" ON "bulk_runs"'))
        op.execute(sa.text('ALTER TABLE "bulk_runs" DISABLE ROW LEVEL SECURITY'))
    # drop row-level security policy customers_delete on customers (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('DROP POLICY IF EXISTS "customers_delete" ON "customers"'))
    # drop row-level security policy customers_insert on customers (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('DROP POLICY IF EXISTS "customers_insert" ON "customers"'))
    # drop row-level security policy customers_select on customers (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('DROP POLICY IF EXISTS "customers_select" ON "customers"'))
    # drop row-level security policy customers_update on customers (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('DROP POLICY IF EXISTS "customers_update" ON "customers"'))
    # drop row-level security policy matrx_actions_delete on matrx_actions (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('DROP POLICY IF EXISTS "matrx_actions_delete" ON "matrx_actions"'))
    # drop row-level security policy matrx_actions_insert on matrx_actions (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('DROP POLICY IF EXISTS "matrx_actions_insert" ON "matrx_actions"'))
    # drop row-level security policy matrx_actions_select on matrx_actions (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('DROP POLICY IF EXISTS "matrx_actions_select" ON "matrx_actions"'))
    # drop row-level security policy matrx_actions_update on matrx_actions (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('DROP POLICY IF EXISTS "matrx_actions_update" ON "matrx_actions"'))
    # drop row-level security policy matrx_menu_items_delete on matrx_menu_items (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('DROP POLICY IF EXISTS "matrx_menu_items_delete" ON "matrx_menu_items"'))
    # drop row-level security policy matrx_menu_items_insert on matrx_menu_items (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('DROP POLICY IF EXISTS "matrx_menu_items_insert" ON "matrx_menu_items"'))
    # drop row-level security policy matrx_menu_items_select on matrx_menu_items (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('DROP POLICY IF EXISTS "matrx_menu_items_select" ON "matrx_menu_items"'))
    # drop row-level security policy matrx_menu_items_update on matrx_menu_items (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('DROP POLICY IF EXISTS "matrx_menu_items_update" ON "matrx_menu_items"'))
    # drop row-level security policy office_people_delete on office_people (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('DROP POLICY IF EXISTS "office_people_delete" ON "office_people"'))
    # drop row-level security policy office_people_insert on office_people (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('DROP POLICY IF EXISTS "office_people_insert" ON "office_people"'))
    # drop row-level security policy office_people_select on office_people (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('DROP POLICY IF EXISTS "office_people_select" ON "office_people"'))
    # drop row-level security policy office_people_update on office_people (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('DROP POLICY IF EXISTS "office_people_update" ON "office_people"'))
        op.execute(sa.text('ALTER TABLE "office_people" DISABLE ROW LEVEL SECURITY'))
    # drop row-level security policy offices_delete on offices (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('DROP POLICY IF EXISTS "offices_delete" ON "offices"'))
    # drop row-level security policy offices_insert on offices (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('DROP POLICY IF EXISTS "offices_insert" ON "offices"'))
    # drop row-level security policy offices_select on offices (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('DROP POLICY IF EXISTS "offices_select" ON "offices"'))
    # drop row-level security policy offices_update on offices (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('DROP POLICY IF EXISTS "offices_update" ON "offices"'))
    # drop row-level security policy opportunities_delete on opportunities (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('DROP POLICY IF EXISTS "opportunities_delete" ON "opportunities"'))
    # drop row-level security policy opportunities_insert on opportunities (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('DROP POLICY IF EXISTS "opportunities_insert" ON "opportunities"'))
    # drop row-level security policy opportunities_select on opportunities (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('DROP POLICY IF EXISTS "opportunities_select" ON "opportunities"'))
    # drop row-level security policy opportunities_update on opportunities (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('DROP POLICY IF EXISTS "opportunities_update" ON "opportunities"'))
    # drop row-level security policy people_delete on people (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('DROP POLICY IF EXISTS "people_delete" ON "people"'))
    # drop row-level security policy people_insert on people (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('DROP POLICY IF EXISTS "people_insert" ON "people"'))
    # drop row-level security policy people_select on people (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('DROP POLICY IF EXISTS "people_select" ON "people"'))
    # drop row-level security policy people_update on people (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('DROP POLICY IF EXISTS "people_update" ON "people"'))
    # drop row-level security policy regions_delete on regions (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('DROP POLICY IF EXISTS "regions_delete" ON "regions"'))
    # drop row-level security policy regions_insert on regions (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('DROP POLICY IF EXISTS "regions_insert" ON "regions"'))
    # drop row-level security policy regions_select on regions (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('DROP POLICY IF EXISTS "regions_select" ON "regions"'))
    # drop row-level security policy regions_update on regions (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('DROP POLICY IF EXISTS "regions_update" ON "regions"'))
    # add row-level security policy customers_isolation on customers (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('ALTER TABLE "customers" ENABLE ROW LEVEL SECURITY'))
        op.execute(
            sa.text(
                'CREATE POLICY "customers_isolation" ON "customers" FOR ALL USING (tenant_id = current_setting(\'app.tenant_id\', true))'
            )
        )
    # add row-level security policy matrx_actions_isolation on matrx_actions (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('ALTER TABLE "matrx_actions" ENABLE ROW LEVEL SECURITY'))
        op.execute(
            sa.text(
                "CREATE POLICY \"matrx_actions_isolation\" ON \"matrx_actions\" FOR ALL USING (is_system OR owner_id = current_setting('app.user_id', true)) WITH CHECK (owner_id = current_setting('app.user_id', true))"
            )
        )
    # add row-level security policy matrx_menu_items_isolation on matrx_menu_items (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('ALTER TABLE "matrx_menu_items" ENABLE ROW LEVEL SECURITY'))
        op.execute(
            sa.text(
                "CREATE POLICY \"matrx_menu_items_isolation\" ON \"matrx_menu_items\" FOR ALL USING (is_system OR owner_id = current_setting('app.user_id', true)) WITH CHECK (owner_id = current_setting('app.user_id', true))"
            )
        )
    # add row-level security policy offices_isolation on offices (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('ALTER TABLE "offices" ENABLE ROW LEVEL SECURITY'))
        op.execute(
            sa.text(
                'CREATE POLICY "offices_isolation" ON "offices" FOR ALL USING (tenant_id = current_setting(\'app.tenant_id\', true))'
            )
        )
    # add row-level security policy opportunities_isolation on opportunities (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('ALTER TABLE "opportunities" ENABLE ROW LEVEL SECURITY'))
        op.execute(
            sa.text(
                'CREATE POLICY "opportunities_isolation" ON "opportunities" FOR ALL USING (tenant_id = current_setting(\'app.tenant_id\', true))'
            )
        )
    # add row-level security policy people_isolation on people (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('ALTER TABLE "people" ENABLE ROW LEVEL SECURITY'))
        op.execute(
            sa.text(
                'CREATE POLICY "people_isolation" ON "people" FOR ALL USING (tenant_id = current_setting(\'app.tenant_id\', true))'
            )
        )
    # add row-level security policy regions_isolation on regions (PostgreSQL)
    if dialect == "postgresql":
        op.execute(sa.text('ALTER TABLE "regions" ENABLE ROW LEVEL SECURITY'))
        op.execute(
            sa.text(
                'CREATE POLICY "regions_isolation" ON "regions" FOR ALL USING (tenant_id = current_setting(\'app.tenant_id\', true))'
            )
        )
