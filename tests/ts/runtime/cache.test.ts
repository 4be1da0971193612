/* The optimistic cache of runtime/cache.ts on a real QueryClient (@tanstack/query-core, no React). */

import assert from "node:assert/strict";
import { test } from "node:test";
import { MutationObserver, QueryClient, type InfiniteData } from "@tanstack/query-core";
import {
  cachedVersion,
  composeMutation,
  definedOnly,
  findRow,
  insertSorted,
  invalidatePrefixes,
  optimisticCreate,
  optimisticDelete,
  optimisticUpdate,
  refreshIfStale,
  settleRow,
  temporaryId,
  type Page,
  type ResourceCache,
} from "../runtime/client/cache.js";
import { ApiError } from "../runtime/client/http.js";
import { dataKey } from "../runtime/client/keys.js";
import type { QuerySpec } from "../runtime/client/matching.js";

interface Item {
  id: string;
  name: string;
  kind: string;
  version: number;
  deleted_at: string | null;
}

const spec: QuerySpec = { filters: { kind: "text" }, search: ["name"], sortable: { name: "text", id: "text" }, defaultSort: ["name"], softDelete: true };
const items: ResourceCache<Item, string> = {
  all: ["item"],
  lists: ["item", "list"],
  detail: (id) => ["item", "detail", id],
  id: (row) => row.id,
  spec,
};

function item(id: string, name: string, kind = "a"): Item {
  return { id, name, kind, version: 1, deleted_at: null };
}

function page(rows: Item[], next: string | null = null): Page<Item> {
  return { items: rows, next_cursor: next };
}

function names(queryClient: QueryClient, params: object): string[] {
  return queryClient.getQueryData<Page<Item>>(["item", "list", params])?.items.map((row) => row.name) ?? [];
}

function seeded(): QueryClient {
  const queryClient = new QueryClient();
  queryClient.setQueryData(["item", "list", {}], page([item("1", "b"), item("2", "d")]));
  queryClient.setQueryData(["item", "list", { kind: "z" }], page([]));
  queryClient.setQueryData(["item", "list", { include_deleted: true }], page([item("1", "b"), item("2", "d")]));
  const infinite: InfiniteData<Page<Item>, string | null> = { pages: [page([item("1", "b")], "c1"), page([item("2", "d")])], pageParams: [null, "c1"] };
  queryClient.setQueryData(["item", "list", "infinite", {}], infinite);
  queryClient.setQueryData(["item", "detail", "1"], item("1", "b"));
  return queryClient;
}

test("a create goes into the lists it matches, at its place, and rolls back", async () => {
  const queryClient = seeded();
  const row = { ...item(temporaryId("string"), "c") };
  const optimistic = await optimisticCreate(queryClient, items, row);
  assert.deepEqual(names(queryClient, {}), ["b", "c", "d"]);
  assert.deepEqual(names(queryClient, { kind: "z" }), []);
  const infinite = queryClient.getQueryData<InfiniteData<Page<Item>>>(["item", "list", "infinite", {}]);
  assert.deepEqual(infinite?.pages.map((p) => p.items.map((r) => r.name)), [["b"], ["c", "d"]]);
  assert.ok(String(optimistic.optimisticId).startsWith("optimistic-"));
  settleRow(queryClient, items, optimistic.optimisticId, item("9", "c"));
  assert.equal(queryClient.getQueryData<Item>(["item", "detail", "9"])?.id, "9");
  assert.deepEqual(queryClient.getQueryData<Page<Item>>(["item", "list", {}])?.items.map((r) => r.id), ["1", "9", "2"]);
  optimistic.rollback();
  assert.deepEqual(names(queryClient, {}), ["b", "d"]);
});

test("a row goes nowhere when its place is on a page not loaded yet", () => {
  const pages = [page([item("1", "b")], "next")];
  assert.equal(insertSorted(pages, item("2", "z"), (a, b) => a.name < b.name), pages);
  assert.deepEqual(insertSorted([page([])], item("2", "z"), () => false)[0]?.items.map((r) => r.name), ["z"]);
});

test("an update patches the detail and moves the row between lists", async () => {
  const queryClient = seeded();
  const optimistic = await optimisticUpdate(queryClient, items, "1", { name: "e", kind: "z", version: undefined });
  assert.equal(queryClient.getQueryData<Item>(["item", "detail", "1"])?.name, "e");
  assert.equal(queryClient.getQueryData<Item>(["item", "detail", "1"])?.version, 1); // undefined sets nothing
  assert.deepEqual(names(queryClient, {}), ["e", "d"]); // patched where it is: the refetch reorders
  assert.deepEqual(names(queryClient, { kind: "z" }), ["e"]); // it matches now
  optimistic.rollback();
  assert.deepEqual(names(queryClient, { kind: "z" }), []);
  assert.equal(queryClient.getQueryData<Item>(["item", "detail", "1"])?.name, "b");
  const missing = await optimisticUpdate(queryClient, items, "404", { name: "x" });
  missing.rollback();
});

test("a soft delete keeps the row in lists of deleted rows; a delete takes it out of all", async () => {
  const queryClient = seeded();
  await optimisticUpdate(queryClient, items, "1", { deleted_at: "2026-01-01T00:00:00Z" });
  assert.deepEqual(names(queryClient, {}), ["d"]);
  assert.deepEqual(names(queryClient, { include_deleted: true }), ["b", "d"]);
  await optimisticDelete(queryClient, items, "2");
  assert.deepEqual(names(queryClient, { include_deleted: true }), ["b"]);
});

test("the cached row and its version: the detail's, else a list's", () => {
  const queryClient = seeded();
  queryClient.setQueryData(["item", "detail", "1"], { ...item("1", "b"), version: 7 });
  assert.equal(cachedVersion(queryClient, items, "1"), 7);
  assert.equal(findRow(queryClient, items, "2")?.name, "d");
  assert.equal(cachedVersion(queryClient, items, "404"), undefined);
});

test("a version conflict refreshes the resource; another error does not", async () => {
  const queryClient = seeded();
  refreshIfStale(queryClient, items, new ApiError(409, { error_code: "conflict" }));
  assert.equal(queryClient.getQueryState(["item", "detail", "1"])?.isInvalidated, false);
  refreshIfStale(queryClient, items, new ApiError(409, { error_code: "version_conflict" }));
  await Promise.resolve();
  assert.equal(queryClient.getQueryState(["item", "detail", "1"])?.isInvalidated, true);
});

test("invalidation reaches every query under the prefixes, and only those", async () => {
  const queryClient = seeded();
  queryClient.setQueryData(["other", "list", {}], page([]));
  await invalidatePrefixes(queryClient, [["item", "list"]]);
  assert.equal(queryClient.getQueryState(["item", "list", {}])?.isInvalidated, true);
  assert.equal(queryClient.getQueryState(["item", "detail", "1"])?.isInvalidated, false);
  assert.equal(queryClient.getQueryState(["other", "list", {}])?.isInvalidated, false);
  await invalidatePrefixes(queryClient, []);
});

test("definedOnly drops undefined properties only; keys know their data", () => {
  const key = dataKey<Item>()("item", "detail", "1");
  assert.deepEqual(key, ["item", "detail", "1"]);
  assert.deepEqual(definedOnly({ a: 1, b: undefined, c: null }), { a: 1, c: null });
  assert.ok(temporaryId("number") < 0);
});

test("a mutation runs the system's callbacks, then the caller's; an error rolls back first", async () => {
  const queryClient = seeded();
  const calls: string[] = [];
  const options = composeMutation<Item, { id: string; name: string }, string>(
    queryClient,
    [["item", "list"]],
    ["item", "update"],
    {
      onMutate: () => {
        calls.push("caller onMutate");
        return "own";
      },
      onSuccess: (_data, _variables, context) => {
        calls.push("caller onSuccess " + context + " " + String(queryClient.getQueryState(["item", "list", {}])?.isInvalidated));
      },
      onError: (error, _variables, context) => {
        calls.push("caller onError " + error.error_code + " " + String(context) + " " + names(queryClient, {}).join(""));
      },
      onSettled: () => {
        calls.push("caller onSettled");
      },
    },
    {
      run: (variables) => (variables.name === "bad" ? Promise.reject(new ApiError(409, { error_code: "conflict" })) : Promise.resolve({ ...item(variables.id, variables.name) })),
      optimistic: (variables) => optimisticUpdate(queryClient, items, variables.id, { name: variables.name }),
      settle: (data, variables) => {
        calls.push("settle");
        settleRow(queryClient, items, variables.id, data);
      },
      refused: () => calls.push("refused"),
    },
  );
  const observer = new MutationObserver(queryClient, options);
  await observer.mutate({ id: "1", name: "a" });
  assert.deepEqual(calls, ["caller onMutate", "settle", "caller onSuccess own true", "caller onSettled"]);
  calls.length = 0;
  await observer.mutate({ id: "2", name: "bad" }).catch(() => undefined);
  assert.deepEqual(calls, ["caller onMutate", "refused", "caller onError conflict own ad", "caller onSettled"]);
});

test("skipInvalidation and changesNothing leave the cache as it is", async () => {
  const queryClient = seeded();
  const run = (): Promise<Item> => Promise.resolve(item("1", "b"));
  await new MutationObserver(queryClient, composeMutation(queryClient, [["item"]], ["item", "x"], { skipInvalidation: true }, { run })).mutate(undefined);
  const dry = composeMutation<Item, { dry_run: boolean }, unknown>(queryClient, [["item"]], ["item", "bulk"], {}, { run, changesNothing: (v) => v.dry_run });
  await new MutationObserver(queryClient, dry).mutate({ dry_run: true });
  assert.equal(queryClient.getQueryState(["item", "list", {}])?.isInvalidated, false);
});
