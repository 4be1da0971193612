"""The autodetector: two database states in, an ordered list of typed operations out.

1. `match` pairs the tables and columns of the old state with those of the new one: a table by
   its origin (its resource), a column by its name, and both by `renamed_from` hints. Nothing is
   ever guessed from similar names or shapes.
2. `diff` turns the pairs into operations. Each operation belongs to a phase (foreign keys and
   indexes dropped first, added last; see `operations`), and tables are created and dropped in
   foreign-key order; a foreign-key cycle among new tables is broken by adding the closing
   foreign keys after every table exists (and among dropped tables, by dropping them first).
3. The list is sorted by (phase, table, rank, key): the same states always give the same list.

The downgrade of a revision is `diff(new, old, matching.inverted())`: the same machinery, so it is
ordered by the same rules.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field, replace
from typing import Any

from schemagen.migrations import operations as ops
from schemagen.migrations import render_py as py
from schemagen.migrations.questioner import Questioner, Subject
from schemagen.migrations.snapshot import (
    ColumnState,
    ForeignKeyState,
    Hints,
    IndexState,
    SchemaState,
    TableState,
)
from schemagen.types import FIELD_TYPES, REGISTRY, FieldType


@dataclass(frozen=True)
class Matching:
    """Which old table is which new table, and within each, which old column is which new one."""

    tables: tuple[tuple[str, str], ...] = ()  # (old name, new name)
    columns: dict[tuple[str, str], tuple[tuple[str, str], ...]] = field(
        default_factory=dict
    )  # (old, new table) -> (old, new column)

    def inverted(self) -> Matching:
        return Matching(
            tuple((new, old) for old, new in self.tables),
            {
                (new, old): tuple((n, o) for o, n in pairs)
                for (old, new), pairs in self.columns.items()
            },
        )


def match(old: SchemaState, new: SchemaState, hints: Hints) -> Matching:
    """Pair tables by origin (or `renamed_from`, or else by name) and columns by name (or `renamed_from`)."""
    old_by_origin = old.by_origin()
    taken: set[str] = set()
    pairs: dict[str, str] = {}  # new name -> old name
    for table in sorted(new.tables.values(), key=lambda t: t.name):
        candidate = old_by_origin.get(table.origin)
        if candidate is None and table.origin in hints.tables:
            # A rename that was captured already leaves `renamed_from` naming nothing: a no-op.
            candidate = old_by_origin.get(hints.tables[table.origin])
            if candidate is not None and candidate.origin in {
                t.origin for t in new.tables.values()
            }:
                candidate = None
        if candidate is not None and candidate.name not in taken:
            pairs[table.name] = candidate.name
            taken.add(candidate.name)
    new_origins = {t.origin for t in new.tables.values()}
    for table in sorted(new.tables.values(), key=lambda t: t.name):
        # The same table name for a different origin (say, a resource replaced by another with
        # the same table): the database sees one table, so it is altered, not dropped and created.
        same = old.tables.get(table.name)
        if (
            table.name not in pairs
            and same is not None
            and same.name not in taken
            and same.origin not in new_origins
        ):
            pairs[table.name] = same.name
            taken.add(same.name)
    columns: dict[tuple[str, str], tuple[tuple[str, str], ...]] = {}
    for new_name, old_name in sorted(pairs.items()):
        columns[(old_name, new_name)] = _match_columns(
            old.tables[old_name], new.tables[new_name], hints
        )
    return Matching(tuple(sorted((o, n) for n, o in pairs.items())), columns)


def _match_columns(old: TableState, new: TableState, hints: Hints) -> tuple[tuple[str, str], ...]:
    old_names = set(old.column_names)
    new_names = set(new.column_names)
    result = [(c, c) for c in new.column_names if c in old_names]
    for name in new.column_names:
        if name in old_names:
            continue
        previous = hints.columns.get((new.origin, name))
        # Only when the old column is there and is not kept under its own name.
        if (
            previous
            and previous in old_names
            and previous not in new_names
            and previous not in {o for o, _ in result}
        ):
            result.append((previous, name))
    return tuple(result)


# ---------------------------------------------------------------------------------------------
# The diff


def autodetect(
    old: SchemaState, new: SchemaState, hints: Hints, questioner: Questioner
) -> tuple[list[ops.Operation], Matching]:
    """The operations from `old` to `new`, sorted, and the matching they came from."""
    matching = match(old, new, hints)
    return diff(old, new, matching, questioner, hints), matching


def diff(
    old: SchemaState,
    new: SchemaState,
    matching: Matching,
    questioner: Questioner,
    hints: Hints | None = None,
) -> list[ops.Operation]:
    return _Differ(old, new, matching, questioner, hints or Hints()).run()


class _Differ:
    def __init__(
        self,
        old: SchemaState,
        new: SchemaState,
        matching: Matching,
        questioner: Questioner,
        hints: Hints,
    ):
        self.old, self.new, self.matching, self.questioner, self.hints = (
            old,
            new,
            matching,
            questioner,
            hints,
        )
        self.table_map = dict(matching.tables)  # old name -> new name
        self.column_maps = {old_t: dict(pairs) for (old_t, _), pairs in matching.columns.items()}
        self.result: list[ops.Operation] = []
        self.created_enums: set[str] = set()
        self.dropped_enums: set[str] = set()
        # (new table, column) -> the SQL a precheck sees for that column: a new column's value,
        # or the fill of a kept column's NULLs (see `rows_view`).
        self.values: dict[tuple[str, str], str] = {}

    def run(self) -> list[ops.Operation]:
        matched_new = set(self.table_map.values())
        created = [t for name, t in sorted(self.new.tables.items()) if name not in matched_new]
        dropped = [t for name, t in sorted(self.old.tables.items()) if name not in self.table_map]
        for old_name, new_name in self.matching.tables:
            if old_name != new_name:
                self.result.append(ops.RenameTable(old_name, new_name))
        self.create_tables(created)
        for old_name, new_name in self.matching.tables:
            self.alter_table(self.old.tables[old_name], self.new.tables[new_name])
        self.drop_tables(dropped)
        for name in sorted(self.dropped_enums - set(self.new.enums)):
            self.result.append(ops.DropEnum(name, self.old.enums[name]))
        for name in sorted(self.created_enums - set(self.old.enums)):
            self.result.append(ops.CreateEnum(name, self.new.enums[name]))
        for name, body in sorted(self.new.functions.items()):
            if self.old.functions.get(name) != body:
                self.result.append(ops.CreateFunction(name, body))
        for name in sorted(set(self.old.functions) - set(self.new.functions)):
            self.result.append(ops.DropFunction(name))
        return sort_operations(self.result)

    # tables ------------------------------------------------------------------------------------
    def create_tables(self, created: list[TableState]) -> None:
        names = {t.name for t in created}
        order, deferred = _creation_order(created, names)
        for position, table in enumerate(order):
            closing = deferred.get(table.name, set())
            self.result.append(ops.CreateTable(table, self.new.enums, frozenset(closing), position))
            for fk in table.foreign_keys:
                if fk.name in closing:
                    self.result.append(ops.AddConstraint(table.name, fk, holds=True))

    def drop_tables(self, dropped: list[TableState]) -> None:
        names = {t.name for t in dropped}
        order, deferred = _creation_order(dropped, names)
        for position, table in enumerate(reversed(order)):
            # A cycle: the foreign keys that closed it go first, so every table can be dropped.
            for fk in table.foreign_keys:
                if fk.name in deferred.get(table.name, set()):
                    self.result.append(ops.DropConstraint(table.name, fk))
            self.result.append(ops.DropTable(table, position))
            for column in table.columns:
                if column.enum:
                    self.dropped_enums.add(column.enum)

    def alter_table(self, old: TableState, new: TableState) -> None:
        pairs = dict(self.column_maps.get(old.name, {}))  # old column -> new column
        reverse = {n: o for o, n in pairs.items()}
        name = new.name
        for position, column in enumerate(new.columns):
            if column.name in reverse:
                self.alter_column(old, new, old.column(reverse[column.name]), column)  # type: ignore[arg-type]
            else:
                self.add_column(old, new, column, position)
        for column in old.columns:
            if column.name not in pairs:
                self.result.append(ops.DropColumn(name, column, self.old.enums))
                if column.enum:
                    self.dropped_enums.add(column.enum)
        old_pk = tuple(pairs.get(c, c) for c in old.primary_key)
        if (old.primary_key_name, old_pk) != (new.primary_key_name, new.primary_key):
            self.result.append(
                ops.ReplacePrimaryKey(
                    name, old.primary_key_name, old_pk, new.primary_key_name, new.primary_key
                )
            )
        if old.comment != new.comment:
            self.result.append(ops.AlterTableComment(name, old.comment, new.comment))
        self.constraints(old, new, pairs)

    # columns -----------------------------------------------------------------------------------
    def subject(self, table: TableState, column: ColumnState) -> Subject:
        key = (table.origin, column.name)
        fk = next((fk for fk in table.foreign_keys if fk.columns == (column.name,)), None)
        target = self.hints.relations.get(key) or (fk.target_table if fk else None)
        return Subject(
            table.origin, self.hints.fields.get(key, column.name), table.name, column, target
        )

    def old_table_name(self, new_name: str) -> str | None:
        """The name before this revision of a table that exists now (None: it is new)."""
        return next((o for o, n in self.table_map.items() if n == new_name), None)

    def backfill(
        self,
        subject: Subject,
        column: ColumnState,
        added: bool,
        old_table: str,
        old_column: str | None,
    ) -> tuple[str, tuple[ops.Precheck, ...]] | None:
        """The `backfill:` of the column as an expression, with the precheck that a relation's
        backfill names an existing row; None when the field has none."""
        value = self.hints.backfills.get((subject.resource, column.name))
        if value is None:
            return None
        expression = py.fill_value(column, self.new.enums, value)
        if subject.target is None:
            return expression, ()
        target_old = self.old_table_name(subject.target)
        key_type = py.sa_type(replace(column, name="id", nullable=False), self.new.enums)
        rows = "row(s)" if added else "row(s) holding NULL"
        query = ops.count_missing_target(
            old_table, old_column, target_old, "id", key_type, expression
        )
        problem = (
            f"{rows} of {old_table} need the backfill of {subject} ({value.value!r}), and "
            f"{subject.target} has no row with that id: create that row, or write this revision again "
            "with a backfill that names one"
        )
        return expression, (ops.Precheck(query, problem),)

    def add_column(
        self, old_table: TableState, table: TableState, column: ColumnState, position: int
    ) -> None:
        fill = note = None
        staged = False
        prechecks: tuple[ops.Precheck, ...] = ()
        subject = self.subject(table, column)
        backfill = self.backfill(subject, column, True, old_table.name, None)
        if backfill is not None and not column.nullable:
            (fill, prechecks), note = backfill, "Existing rows get the field's backfill."
        elif not column.nullable and column.default is None:
            value = self.hints.fills.get((table.origin, column.name))
            if value is not None:
                fill, note = py.json_value(value), "Existing rows get the field's default."
            else:
                fill, note = self.questioner.fill_not_null(subject, self.new.enums, added=True)
                if fill is None:
                    staged = True
                    problem = (
                        f"row(s) in {old_table.name}, and {subject} is a new NOT NULL column with "
                        "no value for them: delete those rows, or write this revision again with "
                        "a `backfill:` on the field"
                    )
                    prechecks = (ops.Precheck(ops.count_rows(old_table.name), problem),)
        if not _stored_as_json(column.type):
            value_expr = fill or (
                py.default_value(column, self.new.enums) if column.default else None
            )
            if value_expr is not None:
                self.values[(table.name, column.name)] = ops.sql_value(value_expr)
        self.result.append(
            ops.AddColumn(
                table.name,
                column,
                self.new.enums,
                fill,
                note,
                position,
                staged,
                prechecks=prechecks,
            )
        )
        if column.enum and column.enum not in self.old.enums:
            self.created_enums.add(column.enum)

    def alter_column(
        self, old_table: TableState, new_table: TableState, old: ColumnState, new: ColumnState
    ) -> None:
        table = new_table.name
        in_key = old.name in old_table.primary_key and new.name in new_table.primary_key
        if in_key and old.type_key() != new.type_key():
            self.questioner.unsupported(
                f"change the type of the primary key {table}.{new.name}: migrate cannot rewrite a key and "
                "every foreign key that points at it; write that revision by hand (`alembic revision`)"
            )
        if old.name != new.name:
            self.result.append(ops.RenameColumn(table, old.name, old, self.old.enums, new.name))
        current = replace(old, name=new.name)
        if old.enum and new.enum:
            if old.enum != new.enum:
                self.result.append(ops.RenameEnum(old.enum, new.enum))
            old_check, new_check = (
                ops.sqlite_enum_check(old_table.name, old.enum),
                ops.sqlite_enum_check(table, new.enum),
            )
            if old_check != new_check:
                self.result.append(
                    ops.RenameEnumCheck(
                        table, new.name, old_check, new_check, self.old.enums[old.enum]
                    )
                )
            current = replace(current, enum=new.enum)
            old_values, new_values = self.old.enums[old.enum], self.new.enums[new.enum]
            if old_values != new_values:
                alter = ops.AlterEnum(
                    table, current, replace(current, default=new.default), old_values, new_values
                )
                if alter.removed and alter.replacement() is None:
                    values = ", ".join(repr(v) for v in alter.removed)
                    problem = (
                        f"row(s) of {old_table.name} hold {values} in {old.name}, which enum "
                        f"{new.enum} no longer has and which have no default to take instead: "
                        "change them, then run the upgrade again"
                    )
                    query = ops.count_values(old_table.name, old.name, alter.removed)
                    alter = replace(alter, prechecks=(ops.Precheck(query, problem),))
                self.result.append(alter)
                current = replace(current, default=new.default)  # AlterEnum restates the default
        elif new.enum and new.enum not in self.old.enums:
            self.created_enums.add(new.enum)
        elif old.enum and old.enum not in self.new.enums:
            self.dropped_enums.add(old.enum)
        if current.definition() != new.definition():
            backfill, note, prechecks = None, None, ()
            if current.nullable and not new.nullable:
                backfill, note, prechecks = self.fill_nulls(old_table, new_table, old, new)
                if backfill is not None and not _stored_as_json(new.type):
                    self.values[(table, new.name)] = ops.sql_value(backfill)
            extra = {"backfill_note": note} if note else {}
            alter = ops.AlterColumn(
                table, current, new, self._enums_for(current), self.new.enums, backfill, **extra
            )
            bound = ops.narrowed_bound(old, new)
            if alter.data_loss() and bound is not None:
                problem = (
                    f"row(s) of {old_table.name} hold a {old.name} of {bound} or more (or -{bound} "
                    f"or less), which {_type(new)} cannot hold: change them, then run the upgrade again"
                )
                query = ops.count_beyond(old_table.name, old.name, bound)
                prechecks = (*prechecks, ops.Precheck(query, problem))
            self.result.append(replace(alter, prechecks=prechecks))

    def fill_nulls(
        self, old_table: TableState, new_table: TableState, old: ColumnState, new: ColumnState
    ) -> tuple[str | None, str | None, tuple[ops.Precheck, ...]]:
        """What rows holding NULL get when the column becomes NOT NULL: the field's backfill,
        else its default, else the questioner's answer (None: a precheck stops the upgrade while
        any row holds NULL)."""
        subject = self.subject(new_table, new)
        backfill = self.backfill(subject, new, False, old_table.name, old.name)
        if backfill is not None:
            value, prechecks = backfill
            return (
                value,
                "Rows holding NULL get the field's backfill before the column becomes NOT NULL.",
                prechecks,
            )
        if new.default is not None:
            value = py.default_value(new, self.new.enums)
            if value is not None:
                return value, None, ()
        fill = self.hints.fills.get((new_table.origin, new.name))
        if fill is not None:
            return (
                py.json_value(fill),
                "Rows holding NULL get the field's default before the column becomes NOT NULL.",
                (),
            )
        value, note = self.questioner.fill_not_null(subject, self.new.enums, added=False)
        if value is not None:
            return value, note, ()
        problem = (
            f"row(s) of {old_table.name} hold NULL in {old.name}, and {subject} becomes NOT NULL "
            "with no backfill: give them a value, then run the upgrade again"
        )
        return None, None, (ops.Precheck(ops.count_nulls(old_table.name, old.name), problem),)

    def _enums_for(self, column: ColumnState) -> dict[str, tuple[str, ...]]:
        # The column before: its enum (possibly renamed already) with the values it had.
        enums = dict(self.old.enums)
        if column.enum and column.enum not in enums:
            enums[column.enum] = self.new.enums[column.enum]
        return enums

    # constraints -------------------------------------------------------------------------------
    def constraints(self, old: TableState, new: TableState, pairs: dict[str, str]) -> None:
        # Drops run before tables are renamed (phases), adds after: each names the table as it is then.
        name, before_rename = new.name, old.name

        def cols(
            columns: tuple[str, ...], mapping: dict[str, str] = pairs
        ) -> tuple[str | None, ...]:
            return tuple(mapping.get(c) for c in columns)

        def foreign_key(fk: ForeignKeyState) -> tuple[Any, ...]:
            target = self.table_map.get(fk.target_table, fk.target_table)
            target_map = self.column_maps.get(fk.target_table, {})
            return (cols(fk.columns), target, cols(fk.target_columns, target_map), fk.on_delete)

        new_fks = {fk.name: fk for fk in new.foreign_keys}
        old_fks = {fk.name: fk for fk in old.foreign_keys}
        for fk in old.foreign_keys:
            kept = new_fks.get(fk.name)
            if kept is None or foreign_key(fk) != (
                kept.columns,
                kept.target_table,
                kept.target_columns,
                kept.on_delete,
            ):
                self.result.append(ops.DropConstraint(before_rename, fk))
        # A constraint that only changes its name (the table or a column was renamed) held before;
        # one on new columns that start out NULL holds too. Neither gets a warning.
        empty = {
            c.name
            for c in new.columns
            if c.name not in pairs.values() and c.nullable and c.default is None
        }
        held = {foreign_key(fk) for fk in old.foreign_keys}
        reverse = {n: o for o, n in pairs.items()}
        rows: list[str] = []  # the rows as the constraints will see them: built once, if needed

        def view() -> str:
            if not rows:
                rows.append(self.rows_view(old, new, reverse))
            return rows[0]

        for fk in new.foreign_keys:
            before = old_fks.get(fk.name)
            definition = (fk.columns, fk.target_table, fk.target_columns, fk.on_delete)
            if before is None or foreign_key(before) != definition:
                # New columns hold NULL or a backfill, whose row a precheck has looked for.
                existing_rows = definition not in held and all(c in reverse for c in fk.columns)
                prechecks = ()
                if existing_rows and len(fk.columns) == 1:
                    target = self.old_table_name(fk.target_table)
                    target_key = fk.target_columns[0]
                    if target is not None:
                        target_key = {
                            n: o for o, n in self.column_maps.get(target, {}).items()
                        }.get(target_key, target_key)
                    problem = (
                        f"row(s) of {before_rename} hold a {reverse[fk.columns[0]]} that names no row of "
                        f"{target or fk.target_table} (foreign key {fk.name}): fix them, then run the upgrade again"
                    )
                    query = ops.count_dangling(
                        before_rename, reverse[fk.columns[0]], target, target_key
                    )
                    prechecks = (ops.Precheck(query, problem),)
                self.result.append(
                    ops.AddConstraint(name, fk, holds=not existing_rows, prechecks=prechecks)
                )

        kept_fk_columns = {
            fk.columns[0] for fk in new.foreign_keys if fk.name in old_fks and len(fk.columns) == 1
        }
        new_indexes = {i.name: i for i in new.indexes}
        old_indexes = {i.name: i for i in old.indexes}

        def index_definition(index: IndexState) -> tuple[Any, ...]:
            return (cols(index.columns), *index.definition()[1:])

        for index in old.indexes:
            kept = new_indexes.get(index.name)
            if kept is None or index_definition(index) != kept.definition():
                # MySQL will not drop the index a kept foreign key uses: drop it once the index
                # or unique that replaces it exists.
                late = pairs.get(index.columns[0]) in kept_fk_columns
                self.result.append(ops.DropIndex(name if late else before_rename, index, late=late))
        held = {index_definition(i) for i in old.indexes}
        # A unique index over columns a unique constraint covered holds too (soft_delete turns
        # the one into the other, over the live rows only).
        held_uniques = {cols(u.columns) for u in old.uniques}
        for index in new.indexes:
            before = old_indexes.get(index.name)
            definition = index.definition()
            if before is None or index_definition(before) != definition:
                recreated = (
                    definition in held
                    or set(index.columns) <= empty
                    or (index.unique and index.columns in held_uniques)
                )
                prechecks = ()
                if index.unique and not recreated:
                    prechecks = (
                        self.duplicates(
                            view(), before_rename, index.name, index.columns, index.where
                        ),
                    )
                self.result.append(
                    ops.AddIndex(name, index, recreated=recreated, prechecks=prechecks)
                )

        new_uniques = {u.name: u for u in new.uniques}
        old_uniques = {u.name: u for u in old.uniques}
        for unique in old.uniques:
            kept = new_uniques.get(unique.name)
            if kept is None or cols(unique.columns) != kept.columns:
                late = pairs.get(unique.columns[0]) in kept_fk_columns
                self.result.append(
                    ops.DropConstraint(name if late else before_rename, unique, late=late)
                )
        held = {cols(u.columns) for u in old.uniques}
        for unique in new.uniques:
            before = old_uniques.get(unique.name)
            if before is None or cols(before.columns) != unique.columns:
                recreated = unique.columns in held or set(unique.columns) <= empty
                prechecks = ()
                if not recreated:
                    prechecks = (
                        self.duplicates(view(), before_rename, unique.name, unique.columns, None),
                    )
                self.result.append(
                    ops.AddConstraint(name, unique, holds=recreated, prechecks=prechecks)
                )

        new_checks = {c.name: c for c in new.checks}
        old_checks = {c.name: c for c in old.checks}
        for check in old.checks:
            kept = new_checks.get(check.name)
            if kept is None or kept.expr != check.expr:
                self.result.append(ops.DropConstraint(before_rename, check))
        held = {c.expr for c in old.checks}
        for check in new.checks:
            before = old_checks.get(check.name)
            if before is None or before.expr != check.expr:
                recreated = check.expr in held
                prechecks = ()
                if not recreated:
                    problem = (
                        f"row(s) of {before_rename} break check {check.name} ({check.expr}): "
                        "fix them, then run the upgrade again"
                    )
                    query = ops.count_failing_check(view(), check.expr)
                    prechecks = (ops.Precheck(query, problem),)
                self.result.append(
                    ops.AddConstraint(name, check, holds=recreated, prechecks=prechecks)
                )

        # PostgreSQL only. A table's triggers and policies name only trait columns, which are
        # never renamed: a changed name or definition is a drop and an add.
        new_triggers = {t.name: t for t in new.triggers}
        old_triggers = {t.name: t for t in old.triggers}
        for trigger in old.triggers:
            if new_triggers.get(trigger.name) != trigger:
                self.result.append(ops.DropTrigger(before_rename, trigger))
        for trigger in new.triggers:
            if old_triggers.get(trigger.name) != trigger:
                self.result.append(ops.AddTrigger(name, trigger))
        new_policies = {p.name: p for p in new.policies}
        old_policies = {p.name: p for p in old.policies}
        # RLS goes off with the last policy dropped (they run by name), when none is left.
        last = max((p.name for p in old.policies), default=None)
        for policy in old.policies:
            if new_policies.get(policy.name) != policy:
                disable = not new.policies and policy.name == last
                self.result.append(ops.DropPolicy(before_rename, policy, disable=disable))
        for policy in new.policies:
            if old_policies.get(policy.name) != policy:
                self.result.append(ops.AddPolicy(name, policy))

    def rows_view(self, old: TableState, new: TableState, reverse: dict[str, str]) -> str:
        """The rows of `old` as `new` will hold them: see ops.rows_view."""
        columns = []
        for column in new.columns:
            value = self.values.get((new.name, column.name))
            if column.name in reverse:
                expression = f"sa.column({py.lit(reverse[column.name])})"
                if value is not None:
                    expression = f"sa.func.coalesce({expression}, {value})"
            else:
                expression = value or "sa.null()"
            columns.append((column.name, expression))
        return ops.rows_view(old.name, columns)

    def duplicates(
        self, view: str, table: str, name: str, columns: tuple[str, ...], where: str | None
    ) -> ops.Precheck:
        problem = (
            f"value(s) of ({', '.join(columns)}) are held by more than one row of {table}, and the "
            f"new {name} makes them unique: change or delete the duplicates, then run the upgrade again"
        )
        return ops.Precheck(ops.count_duplicates(view, columns, where), problem)


def _stored_as_json(kind: str) -> bool:
    """A JSON value or a list: its default is the application's, never a server default."""
    return kind in FIELD_TYPES and REGISTRY[FieldType(kind)].family in ("json", "array")


def _type(column: ColumnState) -> str:
    if column.type == "decimal":
        return f"decimal({column.precision},{column.scale})"
    return "integer" if column.type == "integer_key" else column.type


def _creation_order(
    tables: list[TableState], names: set[str]
) -> tuple[list[TableState], dict[str, set[str]]]:
    """Tables so that each comes after those it references (among `names`), and the foreign keys
    that had to wait because they close a cycle: by table, the names of those foreign keys.

    A table whose policies read others (a junction's, its linked rows) comes after them too, with
    or without a foreign key; only resource tables are read, which point at no junction, so this
    never closes a cycle."""
    by_name = {t.name: t for t in tables}
    depends = {
        t.name: {
            fk.target_table
            for fk in t.foreign_keys
            if fk.target_table in names and fk.target_table != t.name
        }
        | {read for p in t.policies for read in p.reads if read in names and read != t.name}
        for t in tables
    }
    order: list[TableState] = []
    deferred: dict[str, set[str]] = {}
    done: set[str] = set()
    remaining = {name: set(deps) for name, deps in depends.items()}
    while remaining:
        ready = sorted(name for name, deps in remaining.items() if not deps)
        if not ready:
            # A cycle: the smallest name goes first; its foreign keys to the rest wait.
            name = min(remaining)
            table = by_name[name]
            deferred[name] = {
                fk.name
                for fk in table.foreign_keys
                if fk.target_table in remaining and fk.target_table != name
            }
            ready = [name]
        heapq.heapify(ready)
        name = heapq.heappop(ready)
        order.append(by_name[name])
        done.add(name)
        del remaining[name]
        for deps in remaining.values():
            deps.discard(name)
    return order, deferred


def sort_operations(operations: list[ops.Operation]) -> list[ops.Operation]:
    """Phase first; then table by table; within a table, by kind and key. Deterministic."""

    def key(op: ops.Operation) -> tuple[Any, ...]:
        phase = ops.LATE_DROPS if getattr(op, "late", False) else op.phase
        if phase in (ops.CREATE_TABLES, ops.DROP_TABLES):
            return (phase, op.sort_key(), op.table)
        return (phase, op.table, op.rank, type(op).__name__, op.sort_key())

    unique: dict[Any, ops.Operation] = {}
    for op in operations:
        unique.setdefault((type(op).__name__, op.table, repr(op.sort_key()), op.describe()), op)
    return sorted(unique.values(), key=key)
