/* Drives the showcase's generated client against its running backend, under Node, without React:
 * the fetch client, then a QueryClient from @tanstack/query-core fed by the option factories.
 * Prints one JSON object of observations; tests/e2e/test_client.py asserts on them.
 *
 * Usage: node dist/driver.js BASE_URL   (compiled with the generated client by the test) */

import { InfiniteQueryObserver, MutationObserver, QueryClient, QueryObserver } from "@tanstack/query-core";
import * as api from "./showcase/client/src/api.js";
import { invalidationMap, officeKeys, regionKeys } from "./showcase/client/src/keys.js";
import * as q from "./showcase/client/src/queries.js";
import { bulkRunPageSchema, officeCreateSchema, regionCreateSchema } from "./showcase/client/src/schemas.js";
import type { Region, RegionPage, TodoListParams } from "./showcase/client/src/types.js";

declare const process: { argv: string[]; stdout: { write(text: string): boolean }; exit(code: number): never };

const baseUrl = process.argv[2] ?? "http://127.0.0.1:8000";
const out: { [name: string]: unknown } = {};

// Every request the client sends, and a gate that holds writes until the test has looked at the cache.
const requests: string[] = [];
let gate: Promise<void> | null = null;
let open: () => void = () => undefined;
function holdWrites(): void {
  gate = new Promise((resolve) => {
    open = resolve;
  });
}
function releaseWrites(): void {
  open();
  gate = null;
}
const counted: typeof fetch = async (input, init) => {
  const method = init?.method ?? "GET";
  requests.push(method + " " + new URL(String(input)).pathname);
  if (method !== "GET" && gate !== null) await gate;
  return fetch(input, init);
};
api.configureClient({ baseUrl, fetch: counted, tenantId: "acme" }); // regions, offices, people are a tenant's

function gets(path: string): number {
  return requests.filter((line) => line === "GET " + path).length;
}

function names(page: RegionPage | undefined): string[] {
  return (page?.items ?? []).map((row) => row.name);
}

async function failure(promise: Promise<unknown>): Promise<{ [name: string]: unknown }> {
  try {
    await promise;
    return { thrown: false };
  } catch (error) {
    if (error instanceof api.ApiError) {
      return { thrown: true, api: true, status: error.status, error_code: error.error_code, field: error.field, detail: error.detail };
    }
    return { thrown: true, api: false, message: String(error) };
  }
}

/** A promise and the function that resolves it: to wait until a mutation's onMutate has run. */
function signal(): [Promise<void>, () => void] {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return [promise, resolve];
}

// ---------------------------------------------------------------------------------------------
// 1. CRUD through api.ts

const north = await api.createRegion({ name: "North \u{1F680} it's", code: "NO" });
const fetched = await api.getRegion(north.id);
const patched = await api.updateRegion(north.id, { code: "NOR" });
const office = await api.createOffice({ name: "HQ", region_id: north.id, budget: 1000.5, tags: ["a", "b"], settings: { floor: 3 } });
const offices = await api.listOffices({ region_id: north.id, sort: ["-name"], limit: 10 });
const searched = await api.listRegions({ q: "north" });
const byAction = await api.runAction("office.get", office.id);
const listedByAction = await api.runAction("office.list", { region_id__in: [north.id], sort: "name" });
out["crud"] = {
  created: { name: north.name, code: north.code, idIsUuid: /^[0-9a-f-]{36}$/.test(north.id) },
  fetchedSame: fetched.id === north.id && fetched.name === north.name,
  patchedCode: patched.code,
  office: { budget: office.budget, tags: office.tags, settings: office.settings, region: office.region_id === north.id, people: office.person_ids },
  listed: offices.items.map((row) => row.name),
  nextCursor: offices.next_cursor,
  searched: searched.items.map((row) => row.name),
  byAction: byAction.id === office.id,
  listedByAction: listedByAction.items.map((row) => row.id === office.id),
  zod: {
    create: regionCreateSchema.safeParse({ name: "ok", code: "AB" }).success,
    badPattern: regionCreateSchema.safeParse({ name: "ok", code: "ab" }).success,
    unknownField: regionCreateSchema.safeParse({ name: "ok", nope: 1 }).success,
    officeBudgetStep: officeCreateSchema.safeParse({ name: "x", budget: 1.005 }).success,
  },
};
out["errors"] = {
  conflict: await failure(api.createRegion({ name: north.name })),
  notFound: await failure(api.getOffice("00000000-0000-0000-0000-000000000000")),
  invalid: await failure(api.createOffice({ name: "x".repeat(201) })),
  badReference: await failure(api.createOffice({ name: "Nowhere", region_id: "00000000-0000-0000-0000-000000000000" })),
};
await api.deleteOffice(office.id);
out["deleted"] = await failure(api.getOffice(office.id));

// ---------------------------------------------------------------------------------------------
// 2. The option factories on a QueryClient: optimistic create, list refresh, invalidation order

const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: 60_000 } } });
const all = regionKeys.list({ sort: "name" });
const onlyNo = regionKeys.list({ code: "NO", sort: "name" });
const watchAll = new QueryObserver(queryClient, q.regionListQueryOptions({ sort: "name" })).subscribe(() => undefined);
const watchNo = new QueryObserver(queryClient, q.regionListQueryOptions({ code: "NO", sort: "name" })).subscribe(() => undefined);
await queryClient.fetchQuery(q.regionListQueryOptions({ sort: "name" }));
await queryClient.fetchQuery(q.regionListQueryOptions({ code: "NO", sort: "name" }));
await api.updateRegion(north.id, { code: "NO" });
await queryClient.invalidateQueries({ queryKey: regionKeys.all });

{
  const before = { all: names(queryClient.getQueryData(all)), onlyNo: names(queryClient.getQueryData(onlyNo)) };
  const listGets = gets("/api/regions");
  const [mutated, markMutated] = signal();
  let atOnSuccess: { [name: string]: unknown } = {};
  const create = new MutationObserver(
    queryClient,
    q.createRegionMutationOptions(queryClient, {
      onMutate: () => markMutated(),
      onSuccess: (row: Region) => {
        // The system's invalidation has run (and refetched the active lists) before this.
        atOnSuccess = {
          refetched: gets("/api/regions") - listGets,
          all: names(queryClient.getQueryData(all)),
          serverRowListed: (queryClient.getQueryData(all)?.items ?? []).some((item) => item.id === row.id),
        };
      },
    }),
  );
  holdWrites();
  const pending = create.mutate({ name: "Aardvark", code: "SO" });
  await mutated;
  const optimisticRows = queryClient.getQueryData(all)?.items ?? [];
  const during = {
    all: names(queryClient.getQueryData(all)),
    onlyNo: names(queryClient.getQueryData(onlyNo)),
    temporaryId: optimisticRows.find((row) => row.name === "Aardvark")?.id ?? null,
    requestSent: requests.includes("POST /api/regions"),
  };
  releaseWrites();
  const created = await pending;
  out["create"] = {
    before,
    during,
    atOnSuccess,
    after: { all: names(queryClient.getQueryData(all)), onlyNo: names(queryClient.getQueryData(onlyNo)) },
    createdId: created.id,
    detailCached: queryClient.getQueryData(regionKeys.detail(created.id))?.name ?? null,
  };
}

// skipInvalidation: the server's row replaces the optimistic one, and nothing is refetched.
{
  const listGets = gets("/api/regions");
  const create = new MutationObserver(queryClient, q.createRegionMutationOptions(queryClient, { skipInvalidation: true }));
  const row = await create.mutate({ name: "Zulu", code: "ZU" });
  out["skipInvalidation"] = {
    refetched: gets("/api/regions") - listGets,
    listed: (queryClient.getQueryData(all)?.items ?? []).filter((item) => item.name === "Zulu").map((item) => item.id === row.id),
  };
}

// ---------------------------------------------------------------------------------------------
// 3. Optimistic update, shown at once and rolled back when the server refuses it (409)

{
  const beta = await api.createRegion({ name: "Beta", code: "NO" });
  await queryClient.fetchQuery(q.regionQueryOptions(beta.id));
  await queryClient.invalidateQueries({ queryKey: regionKeys.lists() });
  const [mutated, markMutated] = signal();
  let userOnError: unknown = null;
  const update = new MutationObserver(
    queryClient,
    q.updateRegionMutationOptions(queryClient, {
      onMutate: () => markMutated(),
      onError: (error) => {
        userOnError = { status: error.status, error_code: error.error_code, field: error.field };
      },
    }),
  );
  holdWrites();
  const pending = update.mutate({ id: beta.id, patch: { name: "Aardvark" } }).then(
    () => null,
    (error: unknown) => (error instanceof api.ApiError ? { status: error.status, error_code: error.error_code, field: error.field } : String(error)),
  );
  await mutated;
  const during = {
    detail: queryClient.getQueryData(regionKeys.detail(beta.id))?.name ?? null,
    all: names(queryClient.getQueryData(all)),
    onlyNo: names(queryClient.getQueryData(onlyNo)),
  };
  releaseWrites();
  const error = await pending;
  out["rollback"] = {
    during,
    error,
    userOnError,
    after: {
      detail: queryClient.getQueryData(regionKeys.detail(beta.id))?.name ?? null,
      all: names(queryClient.getQueryData(all)),
      onlyNo: names(queryClient.getQueryData(onlyNo)),
    },
  };

  // A successful update that takes the row out of a filtered list (the predicate decides).
  const [moved, markMoved] = signal();
  const move = new MutationObserver(queryClient, q.updateRegionMutationOptions(queryClient, { onMutate: () => markMoved() }));
  holdWrites();
  const done = move.mutate({ id: beta.id, patch: { code: "SO" } });
  await moved;
  const duringMove = { onlyNo: names(queryClient.getQueryData(onlyNo)), all: names(queryClient.getQueryData(all)) };
  releaseWrites();
  const movedRow = await done;
  out["predicate"] = {
    during: duringMove,
    after: { onlyNo: names(queryClient.getQueryData(onlyNo)), detail: queryClient.getQueryData(regionKeys.detail(beta.id))?.code ?? null },
    code: movedRow.code,
    matches: { before: q.matchesRegionParams({ ...movedRow, code: "NO" }, { code: "NO" }), after: q.matchesRegionParams(movedRow, { code: "NO" }) },
  };
}

// ---------------------------------------------------------------------------------------------
// 4. Infinite lists, delete, the action-keyed factories and the relation-derived invalidation

{
  const pages = new InfiniteQueryObserver(queryClient, q.regionInfiniteQueryOptions({ sort: "name", limit: 2 }));
  const unsubscribe = pages.subscribe(() => undefined);
  await queryClient.fetchInfiniteQuery(q.regionInfiniteQueryOptions({ sort: "name", limit: 2 }));
  await pages.fetchNextPage();
  const infiniteKey = regionKeys.infinite({ sort: "name", limit: 2 });
  const shape = () => (queryClient.getQueryData(infiniteKey)?.pages ?? []).map((page) => page.items.map((row) => row.name));
  const loaded = shape();

  const [mutated, markMutated] = signal();
  const create = new MutationObserver(queryClient, q.actionMutationOptions(queryClient, "region.create", { onMutate: () => markMutated() }));
  holdWrites();
  const pending = create.mutate({ name: "Abc", code: "AB" });
  await mutated;
  const during = shape();
  releaseWrites();
  const abc = await pending;
  out["infinite"] = { loaded, during, after: shape(), pages: queryClient.getQueryData(infiniteKey)?.pageParams.length ?? 0 };
  unsubscribe();

  const byName = await queryClient.fetchQuery(q.actionQueryOptions("region.get", abc.id));
  const [deleting, markDeleting] = signal();
  const remove = new MutationObserver(queryClient, q.deleteRegionMutationOptions(queryClient, { onMutate: () => markDeleting() }));
  holdWrites();
  const removed = remove.mutate(abc.id);
  await deleting;
  const duringDelete = names(queryClient.getQueryData(all)).includes("Abc");
  releaseWrites();
  await removed;
  out["delete"] = { fetchedByAction: byName.name, listedDuring: duringDelete, listedAfter: names(queryClient.getQueryData(all)).includes("Abc") };
}

{
  // region → office is on_delete cascade: deleting a region refreshes the office lists too.
  const south = await api.createRegion({ name: "South", code: "SO" });
  const branch = await api.createOffice({ name: "Branch", region_id: south.id });
  const params = { region_id: south.id };
  const watchOffices = new QueryObserver(queryClient, q.officeListQueryOptions(params)).subscribe(() => undefined);
  await queryClient.fetchQuery(q.officeListQueryOptions(params));
  const before = (queryClient.getQueryData(officeKeys.list(params))?.items ?? []).map((row) => row.id === branch.id);
  const remove = new MutationObserver(queryClient, q.deleteRegionMutationOptions(queryClient));
  await remove.mutate(south.id);
  out["cascade"] = {
    map: invalidationMap["region.delete"],
    before,
    after: (queryClient.getQueryData(officeKeys.list(params))?.items ?? []).length,
  };
  watchOffices();
}

// ---------------------------------------------------------------------------------------------
// Traits against the real API: opportunity is tenant, soft_delete, versioned and audited;
// region is branching. A failure here is recorded, so the other observations still print.

try {
  const hour = 3_600_000;
  const due = await api.createOpportunity({ name: "Due", next_action_at: new Date(Date.now() - hour).toISOString() });
  const later = await api.createOpportunity({ name: "Later", next_action_at: new Date(Date.now() + hour).toISOString() });
  const dueNow = await api.listOpportunities({ next_action_at__lte: "now" });
  const predicate = [due, later].map((row) => q.matchesOpportunityParams(row, { next_action_at__lte: "now" }));

  // Update through the mutation: If-Match comes from the cached detail; the answer feeds the cache.
  await queryClient.fetchQuery(q.opportunityQueryOptions(due.id));
  const update = new MutationObserver(queryClient, q.updateOpportunityMutationOptions(queryClient));
  const first = await update.mutate({ id: due.id, patch: { stage: "qualified" } });
  const second = await update.mutate({ id: due.id, patch: { stage: "proposal" } });
  const missing = await failure(api.updateOpportunity(due.id, { stage: "won" }));
  const stale = await failure(api.updateOpportunity(due.id, { stage: "won", version: 1 }));

  // Soft delete through the mutation, then restore: the lists with include_deleted keep the row.
  const live = q.opportunityListQueryOptions({});
  const withDeleted = q.opportunityListQueryOptions({ include_deleted: true });
  const watchLive = new QueryObserver(queryClient, live).subscribe(() => undefined);
  const watchDeleted = new QueryObserver(queryClient, withDeleted).subscribe(() => undefined);
  await Promise.all([queryClient.fetchQuery(live), queryClient.fetchQuery(withDeleted)]);
  const listed = (options: typeof live) =>
    (queryClient.getQueryData(options.queryKey)?.items ?? []).map((row) => row.name + (row.deleted_at === null ? "" : " (deleted)")).sort();
  await new MutationObserver(queryClient, q.deleteOpportunityMutationOptions(queryClient)).mutate(later.id);
  const afterDelete = { live: listed(live), all: listed(withDeleted) };
  const hidden = await failure(api.getOpportunity(later.id));
  const restored = await new MutationObserver(queryClient, q.restoreOpportunityMutationOptions(queryClient)).mutate(later.id);
  const afterRestore = { live: listed(live), all: listed(withDeleted) };
  watchLive();
  watchDeleted();

  // Bulk update with an undo token, then the undo.
  const bulk = await api.bulkOpportunities({ operation: "update", filter: { stage: "lead" }, values: { stage: "lost" } });
  const undone = await api.undoBulkOpportunities({ undo_token: bulk.undo_token ?? "" });
  const reused = await failure(api.undoBulkOpportunities({ undo_token: bulk.undo_token ?? "" }));
  const laterNow = await api.getOpportunity(later.id);

  // The bulk change and its undo are runs: listed newest first, each readable, a finished one
  // no longer cancellable; the runs' queries poll only while a run is queued or running.
  const runs = await api.listBulkRuns({ resource: "opportunity" });
  const run = await api.getBulkRun(runs.items[0]?.id ?? "");
  const cancelFinished = await failure(api.cancelBulkRun(run.id));
  const missingRun = await failure(api.getBulkRun("00000000-0000-4000-8000-000000000000"));
  const polls = q.bulkRunQueryOptions(run.id).refetchInterval({ state: { data: run } });
  const pollsRunning = q.bulkRunQueryOptions(run.id).refetchInterval({ state: { data: { ...run, status: "running" } } });

  const audit = await api.listAuditEntries({ resource: "opportunity", row_id: due.id });

  // A region made on a branch is seen on main only after the merge.
  const feature = api.createApiClient({ ...api.defaultClient.config, branchId: "feature-1" });
  const drafted = await api.createRegion({ name: "Branch only", code: "BR" }, { client: feature });
  const onMain = async () => (await api.listRegions({ q: "Branch only" })).items.length;
  const beforeMerge = await onMain();
  const merged = await api.mergeBranch("feature-1");
  const afterMerge = await onMain();
  await api.deleteRegion(drafted.id);

  out["traits"] = {
    dueNow: dueNow.items.map((row) => row.name),
    predicate,
    versions: [due.version, first.version, second.version],
    cachedVersion: queryClient.getQueryData(q.opportunityQueryOptions(due.id).queryKey)?.version,
    missing: missing["error_code"],
    stale: [stale["status"], stale["error_code"]],
    afterDelete,
    hidden: hidden["status"],
    restored: restored.deleted_at,
    afterRestore,
    bulk: { affected: bulk.affected, failed: bulk.failed, token: typeof bulk.undo_token, expires: typeof bulk.undo_expires_at },
    undone: undone.restored,
    reused: [reused["status"], reused["error_code"]],
    stageAfterUndo: laterNow.stage,
    runs: {
      listed: runs.items.map((item) => [item.operation, item.status, item.affected]),
      valid: bulkRunPageSchema.safeParse(runs).success,
      run: [run.id === runs.items[0]?.id, run.undo_token === bulk.undo_token, run.undo_token !== null],
      cancelFinished: [cancelFinished["status"], cancelFinished["error_code"]],
      missing: [missingRun["status"], missingRun["error_code"]],
      polls: [polls, pollsRunning],
      refreshedByBulk: invalidationMap["opportunity.bulk"].some((key) => key[0] === "bulk_runs"),
    },
    auditActions: audit.items.map((entry) => entry.action),
    merge: { beforeMerge, merged: merged.merged["region"], afterMerge },
  };
} catch (error) {
  out["traits"] = { error: error instanceof api.ApiError ? [error.status, error.error_code, error.detail] : String(error) };
}

// ---------------------------------------------------------------------------------------------
// OmniSync: the client decides which cached lists a row belongs to, and where, without asking the
// server. For every list below, the server's page and the client's own filter + order + limit
// over every todo must be the same rows in the same order.

try {
  const day = 86_400_000;
  const on = (days: number) => new Date(Date.UTC(2030, 4, 10) + days * day).toISOString().slice(0, 10);
  const specs: [string, "low" | "normal" | "high" | "urgent", number | null, boolean][] = [
    ["Pay rent", "urgent", 0, false], ["Call mum", "normal", 2, true], ["File taxes", "high", 5, false],
    ["Water plants", "low", 1, false], ["Book flights", "high", null, false], ["Renew passport", "normal", 2, false],
  ];
  const todos = [];
  for (const [title, priority, days, completed] of specs) {
    todos.push(await api.createTodo({ title, priority, due: days === null ? null : on(days), completed }));
  }
  const lists: TodoListParams[] = [
    {}, { completed: false }, { priority__in: ["high", "urgent"], sort: "-due" }, { due__gte: on(1), due__lte: on(2), sort: "title" },
    { due__isnull: true }, { completed: false, sort: "-priority", limit: 3 }, { sort: "-created_at", limit: 2 },
    { sort: ["priority", "title"] }, { sort: ["-priority", "title"], limit: 4 },
  ];
  const agree = [];
  for (const params of lists) {
    const server = (await api.listTodos(params)).items.map((row) => row.title);
    const limit = params.limit ?? todos.length;
    const client = todos
      .filter((row) => q.matchesTodoParams(row, params))
      .sort((a, b) => q.compareRows(a, b, params, q.todoQuerySpec))
      .slice(0, limit)
      .map((row) => row.title);
    agree.push({ params, same: JSON.stringify(server) === JSON.stringify(client), server, client });
  }

  // Optimistic: a todo created while a filtered list is cached shows up in it at its place in the
  // list's order before the server has answered, and only in the lists it matches.
  const open = q.todoListQueryOptions({ completed: false, sort: "due" });
  const done = q.todoListQueryOptions({ completed: true });
  const watchOpen = new QueryObserver(queryClient, open).subscribe(() => undefined);
  const watchDone = new QueryObserver(queryClient, done).subscribe(() => undefined);
  await Promise.all([queryClient.fetchQuery(open), queryClient.fetchQuery(done)]);
  const titles = (options: typeof open) => (queryClient.getQueryData(options.queryKey)?.items ?? []).map((row) => row.title);
  holdWrites();
  const [mutated, markMutated] = signal();
  const creating = new MutationObserver(queryClient, q.createTodoMutationOptions(queryClient, { onMutate: () => markMutated() })).mutate({
    title: "Buy milk", priority: "high", due: on(3), completed: false,
  });
  await mutated;
  const optimistic = { open: titles(open), done: titles(done) };
  releaseWrites();
  await creating;
  watchOpen();
  watchDone();
  out["omnisync"] = { agree, optimistic };
} catch (error) {
  out["omnisync"] = { error: error instanceof api.ApiError ? [error.status, error.error_code, error.detail] : String(error) };
}

watchAll();
watchNo();
queryClient.clear();
process.stdout.write(JSON.stringify(out) + "\n");
process.exit(0);
