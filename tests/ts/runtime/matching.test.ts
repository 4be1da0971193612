/* The list predicate and order of runtime/matching.ts: the server's filter, search and sort semantics. */

import assert from "node:assert/strict";
import { test } from "node:test";
import { compareRows, compareValues, matchesParams, type QuerySpec } from "../runtime/client/matching.js";

const spec: QuerySpec = {
  filters: { status: "text", score: "number", due: "datetime", done: "boolean", owner_id: "key", tags: "array", person_ids: "many", meta: "json" },
  search: ["name", "code"],
  sortable: { name: "text", score: "number", due: "datetime", stage: ["lead", "won", "lost"], id: "text" },
  defaultSort: ["name"],
  softDelete: true,
};

const row = {
  id: "r1",
  name: "North Office",
  code: "NO",
  status: "active",
  score: 10,
  due: "2026-01-02T00:00:00Z",
  done: false,
  owner_id: "ABC-1",
  tags: ["a", "b"],
  person_ids: ["p1"],
  meta: null,
  deleted_at: null,
};

test("equality, in, gte, lte and isnull filters", () => {
  assert.ok(matchesParams(row, { status: "active" }, spec));
  assert.ok(!matchesParams(row, { status: "closed" }, spec));
  assert.ok(matchesParams(row, { status__in: ["closed", "active"] }, spec));
  assert.ok(matchesParams(row, { status__in: "closed,active" }, spec));
  assert.ok(matchesParams(row, { score__gte: 10, score__lte: "10" }, spec));
  assert.ok(!matchesParams(row, { score__gte: 11 }, spec));
  assert.ok(matchesParams(row, { meta__isnull: true }, spec));
  assert.ok(!matchesParams(row, { meta__isnull: "false" }, spec));
  assert.ok(!matchesParams({ ...row, score: null }, { score__gte: 0 }, spec));
});

test("kinds compare as the server compares them", () => {
  assert.ok(matchesParams(row, { due__lte: "2026-01-02T01:00:00+01:00" }, spec)); // the same instant
  assert.ok(matchesParams(row, { due__lte: "now" }, spec)); // "now" is the current time
  assert.ok(!matchesParams(row, { due__gte: "now" }, spec));
  assert.ok(matchesParams(row, { done: "false" }, spec) && !matchesParams(row, { done: true }, spec));
  assert.ok(matchesParams(row, { owner_id: "abc-1" }, spec)); // ids ignore case
  assert.ok(matchesParams(row, { tags: "b" }, spec) && !matchesParams(row, { tags: "c" }, spec));
  assert.ok(matchesParams(row, { person_ids__in: ["p9", "p1"] }, spec));
  assert.equal(compareValues(2, 10, "number"), -1);
  assert.equal(compareValues("2", "10", "text"), 1);
});

test("search, paging parameters and unknown filters", () => {
  assert.ok(matchesParams(row, { q: "north" }, spec) && matchesParams(row, { q: "no" }, spec));
  assert.ok(!matchesParams(row, { q: "south" }, spec));
  assert.ok(matchesParams(row, { q: "" }, spec));
  assert.ok(matchesParams(row, { limit: 1, cursor: "x", sort: "-name", unknown: "x", status: undefined }, spec));
});

test("a deleted row shows only in lists that include deleted rows", () => {
  const deleted = { ...row, deleted_at: "2026-01-01T00:00:00Z" };
  assert.ok(!matchesParams(deleted, {}, spec));
  assert.ok(matchesParams(deleted, { include_deleted: true }, spec));
  assert.ok(matchesParams(deleted, { include_deleted: "true" }, spec));
  assert.ok(matchesParams(deleted, {}, { ...spec, softDelete: false }));
});

test("rows sort by the sort tokens, NULLs last ascending, then by id", () => {
  const rows = [
    { id: "3", name: "b", score: null, stage: "won" },
    { id: "1", name: "a", score: 2, stage: "lost" },
    { id: "2", name: "b", score: 1, stage: "lead" },
  ];
  const sorted = (params: object): string[] => [...rows].sort((a, b) => compareRows(a, b, params, spec)).map((r) => r.id);
  assert.deepEqual(sorted({}), ["1", "2", "3"]); // the default sort, then the id
  assert.deepEqual(sorted({ sort: "score" }), ["2", "1", "3"]);
  assert.deepEqual(sorted({ sort: ["-score"] }), ["3", "1", "2"]); // NULLs first descending
  assert.deepEqual(sorted({ sort: "stage" }), ["2", "3", "1"]); // an enum in its declared order
  assert.deepEqual(sorted({ sort: "-name,-id" }), ["3", "2", "1"]);
});
