/* The trait behaviour of the kitchen sink's generated client, under Node, against a fake fetch that
 * records every request and answers as the API does: If-Match on versioned updates, soft delete
 * and restore in the cache, include_deleted and "now" in the list predicate, bulk undo, the audit
 * log and branch merges with their invalidation. Prints one JSON object of observations;
 * tests/e2e/test_client.py asserts on them.
 *
 * Usage: node dist/traits.js   (compiled with the generated clients by the test) */

import { MutationObserver, QueryClient, QueryObserver, type MutationOptions } from "@tanstack/query-core";
import * as api from "./kitchen_sink/client/src/api.js";
import { auditKeys, draftKeys, gadgetKeys, invalidationMap } from "./kitchen_sink/client/src/keys.js";
import * as q from "./kitchen_sink/client/src/queries.js";
import { auditPageSchema, bulkResultSchema, mergeResultSchema } from "./kitchen_sink/client/src/schemas.js";
import { gadgetTable } from "./kitchen_sink/client/src/tables.js";
import type { Gadget, GadgetPage } from "./kitchen_sink/client/src/types.js";

declare const process: { stdout: { write(text: string): boolean } };

const out: { [name: string]: unknown } = {};

// ---------------------------------------------------------------------------------------------
// A fake API: every request recorded, answers from `answer`

interface Sent {
  method: string;
  path: string;
  query: { [name: string]: string };
  ifMatch: string | null;
  tenant: string | null;
  body: unknown;
}

const sent: Sent[] = [];
let answer: (request: Sent) => { status: number; body?: unknown } = () => ({ status: 500 });

const fake: typeof fetch = async (input, init) => {
  const url = new URL(String(input));
  const headers = new Headers(init?.headers);
  const request: Sent = {
    method: init?.method ?? "GET",
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    ifMatch: headers.get("If-Match"),
    tenant: headers.get("X-Tenant-ID"),
    body: typeof init?.body === "string" ? JSON.parse(init.body) : undefined,
  };
  sent.push(request);
  const { status, body } = answer(request);
  return new Response(status === 204 || body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json" },
  });
};
api.configureClient({ baseUrl: "http://api.test", fetch: fake, tenantId: "t1" });

function last(): Sent {
  const request = sent[sent.length - 1];
  if (request === undefined) throw new Error("nothing was sent");
  return request;
}

const ID = "00000000-0000-4000-8000-000000000001";

function gadget(values: Partial<Gadget>): Gadget {
  return {
    id: ID,
    name: "One",
    quantity: 1,
    version: 1,
    deleted_at: null,
    created_at: "2024-01-01T00:00:00+00:00",
    tenant_id: "t1",
    ...values,
  } as Gadget;
}

function page(...items: Gadget[]): GadgetPage {
  return { items, next_cursor: null };
}

function names(data: GadgetPage | undefined): string[] {
  return (data?.items ?? []).map((row) => row.name + (row.deleted_at === null ? "" : " (deleted)"));
}

/** Run a mutation as a component would (through a MutationObserver); an ApiError is returned, not thrown. */
async function mutate<TData, TVariables, TContext>(
  queryClient: QueryClient,
  options: MutationOptions<TData, api.ApiError, TVariables, TContext>,
  variables: TVariables,
): Promise<TData | api.ApiError> {
  try {
    return await new MutationObserver(queryClient, options).mutate(variables);
  } catch (error) {
    if (error instanceof api.ApiError) return error;
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// 1. The list predicate: deleted rows and "now"

const deleted = gadget({ deleted_at: "2024-02-01T00:00:00+00:00" });
const spec: q.QuerySpec = { filters: { due_at: "datetime" }, search: [], sortable: { id: "key" }, defaultSort: [], softDelete: true };
const past = { ...gadget({}), due_at: new Date(Date.now() - 60_000).toISOString() };
const future = { ...gadget({}), due_at: new Date(Date.now() + 3_600_000).toISOString() };
out["predicate"] = {
  live: q.matchesGadgetParams(gadget({}), {}),
  deleted: q.matchesGadgetParams(deleted, {}),
  deletedIncluded: q.matchesGadgetParams(deleted, { include_deleted: true }),
  deletedIncludedAsText: q.matchesParams(deleted, { include_deleted: "true" }, q.gadgetQuerySpec),
  notSoftDeleted: q.matchesParams(deleted, {}, { ...q.gadgetQuerySpec, softDelete: false }),
  specs: { gadget: q.gadgetQuerySpec.softDelete, draft: q.draftQuerySpec.softDelete },
  pastBeforeNow: q.matchesParams(past, { due_at__lte: "now" }, spec),
  futureBeforeNow: q.matchesParams(future, { due_at__lte: "now" }, spec),
  futureAfterNow: q.matchesParams(future, { due_at__gte: "now" }, spec),
};

// ---------------------------------------------------------------------------------------------
// 2. If-Match: from options, the patch's version, or the cached row

answer = (request) => ({ status: 200, body: gadget({ version: 4, ...(request.body as object) }) });
await api.updateGadget(ID, { name: "A", version: 3 });
const fromPatch = last().ifMatch;
await api.updateGadget(ID, { name: "B", version: 3 }, { ifMatch: 9 });
const fromOptions = last().ifMatch;
await api.updateGadget(ID, { name: "C" });
const without = last().ifMatch;

const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: Infinity } } });
queryClient.setQueryData(gadgetKeys.detail(ID), gadget({ version: 7 }));
answer = (request) => ({ status: 200, body: gadget({ version: 8, ...(request.body as object) }) });
await mutate(queryClient, q.updateGadgetMutationOptions(queryClient, { skipInvalidation: true }), { id: ID, patch: { name: "Cached" } });
const fromCache = last().ifMatch;
const cachedAfter = queryClient.getQueryData(gadgetKeys.detail(ID))?.version;
await mutate(queryClient, q.updateGadgetMutationOptions(queryClient, { skipInvalidation: true }), { id: ID, patch: { name: "Again" } });
const fromSettled = last().ifMatch;

// A stale version: the server refuses, the optimistic change is rolled back and the row refetched.
answer = () => ({ status: 409, body: { detail: "stale", error_code: "version_conflict", field: null } });
const refused = await mutate(queryClient, q.updateGadgetMutationOptions(queryClient), { id: ID, patch: { name: "Stale" } });
out["ifMatch"] = {
  fromPatch,
  fromOptions,
  without,
  fromCache,
  cachedAfter,
  fromSettled,
  conflict: refused instanceof api.ApiError ? refused.error_code : null,
  rolledBack: queryClient.getQueryData(gadgetKeys.detail(ID))?.name,
  refreshed: queryClient.getQueryState(gadgetKeys.detail(ID))?.isInvalidated ?? false,
  tenant: last().tenant,
};

// ---------------------------------------------------------------------------------------------
// 3. Soft delete and restore in the cache

const lists = new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: Infinity } } });
const second = gadget({ id: "00000000-0000-4000-8000-000000000002", name: "Two" });
lists.setQueryData(gadgetKeys.list({}), page(gadget({}), second));
lists.setQueryData(gadgetKeys.list({ include_deleted: true }), page(gadget({}), second));
let during: { [name: string]: string[] } = {};
answer = (request) => {
  during = { live: names(lists.getQueryData(gadgetKeys.list({}))), all: names(lists.getQueryData(gadgetKeys.list({ include_deleted: true }))) };
  return request.method === "DELETE" ? { status: 204 } : { status: 200, body: gadget({ version: 2 }) };
};
await mutate(lists, q.deleteGadgetMutationOptions(lists, { skipInvalidation: true }), ID);
const deleteSeen = { request: last().method + " " + last().path, during };
await mutate(lists, q.restoreGadgetMutationOptions(lists, { skipInvalidation: true }), ID);
out["softDelete"] = {
  delete: deleteSeen,
  restore: { request: last().method + " " + last().path, during },
  after: { live: names(lists.getQueryData(gadgetKeys.list({}))), all: names(lists.getQueryData(gadgetKeys.list({ include_deleted: true }))) },
  includeDeletedSent: await (async () => {
    answer = () => ({ status: 200, body: page() });
    await api.listGadgets({ include_deleted: true, kind: "economy" });
    return last().query;
  })(),
  byAction: await (async () => {
    answer = () => ({ status: 200, body: gadget({}) });
    await api.runAction("gadget.restore", ID);
    return last().body;
  })(),
  table: { softDelete: gadgetTable.softDelete, restore: gadgetTable.rowActions.find((a) => a.kind === "restore") ?? null },
};

// ---------------------------------------------------------------------------------------------
// 4. Bulk undo, the audit log and branches

answer = () => ({ status: 200, body: { matched: 3, affected: 2, failed: 1, errors: [{ detail: "conflict: name must be unique", error_code: "conflict", field: "name", rows: 1 }], undo_token: "tok", undo_expires_at: "2030-01-01T00:00:00+00:00" } });
const bulk = await api.bulkGadgets({ operation: "delete", filter: { kind: "economy" } });
answer = () => ({ status: 200, body: { restored: 2, skipped: 1 } });
const undone = await api.undoBulkGadgets({ undo_token: bulk.undo_token ?? "" });
const undoRequest = { path: last().path, body: last().body };
answer = () => ({ status: 410, body: { detail: "expired", error_code: "undo_expired", field: null } });
const expired = await api.undoBulkGadgets({ undo_token: "old" }).catch((error: unknown) => error);

const system = new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: Infinity } } });
const entry = { id: 5, resource: "gadget", row_id: ID, action: "restore", before: { name: "One" }, after: null, actor: "u1", tenant_id: "t1", branch_id: null, ip_address: "127.0.0.1", user_agent: "Mozilla/5.0", at: "2024-03-01T10:00:00+00:00" };
answer = () => ({ status: 200, body: { items: [entry], next_cursor: null } });
const audit = new QueryObserver(system, q.auditEntriesQueryOptions({ resource: "gadget", row_id: ID, limit: 10 }));
const unsubscribe = audit.subscribe(() => undefined);
await audit.refetch();
const auditQuery = last().query;
answer = (request) => (request.method === "GET" ? { status: 200, body: { items: [entry], next_cursor: null } } : { status: 200, body: { matched: 1, affected: 1, failed: 0, errors: [], undo_token: null, undo_expires_at: null } });
const auditBefore = sent.filter((r) => r.path === "/api/audit").length;
await mutate(system, q.bulkGadgetsMutationOptions(system), { operation: "update", filter: {}, values: { quantity: 2 } });
const auditRefetched = sent.filter((r) => r.path === "/api/audit").length - auditBefore;
unsubscribe();

system.setQueryData(draftKeys.list({}), { items: [], next_cursor: null });
system.setQueryData(gadgetKeys.list({}), page());
answer = (request) => (request.method === "POST" ? { status: 200, body: { branch: "feature x", merged: { draft: 2 } } } : { status: 204 });
const merged = await mutate(system, q.mergeBranchMutationOptions(system), "feature x");
const mergeRequest = last().method + " " + last().path;
const draftRefreshed = system.getQueryState(draftKeys.list({}))?.isInvalidated ?? false;
const gadgetUntouched = !(system.getQueryState(gadgetKeys.list({}))?.isInvalidated ?? true);
await mutate(system, q.discardBranchMutationOptions(system), "feature x");
out["system"] = {
  bulk: bulkResultSchema.safeParse(bulk).success,
  undone,
  undoRequest,
  expired: expired instanceof api.ApiError ? [expired.status, expired.error_code] : null,
  auditQuery,
  auditPage: auditPageSchema.safeParse(audit.getCurrentResult().data).success,
  auditRefetched,
  merged: mergeResultSchema.safeParse(merged).success ? merged : null,
  mergeRequest,
  draftRefreshed,
  gadgetUntouched,
  discardRequest: last().method + " " + last().path,
  maps: {
    merge: invalidationMap["branches.merge"],
    restore: invalidationMap["gadget.restore"],
    undo: invalidationMap["gadget.bulk_undo"].some((key) => key === auditKeys.all),
  },
};

process.stdout.write(JSON.stringify(out) + "\n");
