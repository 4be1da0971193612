/* Cell formatting of runtime/tables.ts. */

import assert from "node:assert/strict";
import { test } from "node:test";
import { formatCell, formatters, type TableColumn } from "../runtime/client/tables.js";

const column: TableColumn = { accessor: "v", header: "V", type: "string", format: "text", sortable: false, filterable: false };

test("each format shows its values; null is empty", () => {
  assert.equal(formatCell({ v: "x" }, column), "x");
  assert.equal(formatCell({ v: null }, column), "");
  assert.equal(formatCell({}, { ...column, format: "boolean" }), "");
  assert.equal(formatters.boolean(true, column), "Yes");
  assert.equal(formatters.boolean(false, column), "No");
  assert.equal(formatters.decimal("1.5", { ...column, format: "decimal", scale: 2 }), new Intl.NumberFormat(undefined, { minimumFractionDigits: 2 }).format(1.5));
  assert.equal(formatters.number(1000, column), new Intl.NumberFormat().format(1000));
  assert.equal(formatters.date("2026-01-02", column), "2026-01-02");
  assert.equal(formatters.enum("b", { ...column, options: [{ value: "b", label: "Bee" }] }), "Bee");
  assert.equal(formatters.enum("c", { ...column, options: [] }), "c");
  assert.equal(formatters.list(["a", 1], column), "a, 1");
  assert.equal(formatters.json({ a: [1] }, column), '{"a":[1]}');
  assert.equal(formatters.json(undefined, column), "");
  assert.equal(formatters.datetime("2026-01-02T00:00:00Z", column), new Date("2026-01-02T00:00:00Z").toLocaleString());
});
