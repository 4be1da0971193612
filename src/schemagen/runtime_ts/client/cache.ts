/* The TanStack Query cache of a generated client: lists as `{items, next_cursor}` pages (plain or
 * infinite), optimistic creates, updates and deletes with their rollback, the server's row in
 * place of the optimistic one, invalidation by key prefix, and the mutation options that run the
 * system's callbacks before the caller's. The generated `queries.ts` describes each resource's
 * cache (its keys, id and list spec) and calls these. */

import type { InfiniteData, MutationFunctionContext, MutationOptions, QueryClient, QueryKey } from "@tanstack/query-core";
import type { ApiError } from "./http.js";
import type { QueryKeyPrefix } from "./keys.js";
import { compareRows, matchesParams, type QuerySpec } from "./matching.js";

/** One page of a list as the API answers it. */
export interface Page<R> {
  items: R[];
  next_cursor: string | null;
}

/** A resource's cache as the optimistic updates see it. */
export interface ResourceCache<R, K> {
  /** The prefix of every query of the resource. */
  all: QueryKey;
  /** The prefix of its lists, plain and infinite. */
  lists: QueryKey;
  detail: (id: K) => QueryKey;
  id: (row: R) => K;
  /** How its lists filter and sort; null when it has no list. */
  spec: QuerySpec | null;
}

type CachedList<R> = Page<R> | InfiniteData<Page<R>, string | null>;

/** Apply `change` to the pages of every cached list of a resource, plain or infinite. */
function eachList<R, K>(queryClient: QueryClient, cache: ResourceCache<R, K>, change: (pages: Page<R>[], params: object) => Page<R>[]): void {
  for (const [queryKey, data] of queryClient.getQueriesData<CachedList<R>>({ queryKey: cache.lists })) {
    if (data === undefined) continue;
    const infinite = queryKey[2] === "infinite";
    const params: unknown = (infinite ? queryKey[3] : queryKey[2]) ?? {};
    if (typeof params !== "object" || params === null) continue;
    if ("pages" in data) {
      queryClient.setQueryData(queryKey, { ...data, pages: change(data.pages, params) });
    } else {
      const [page] = change([data], params);
      if (page !== undefined) queryClient.setQueryData(queryKey, page);
    }
  }
}

/** Everything cached under a prefix now, and a function putting it back. */
function takeSnapshot(queryClient: QueryClient, prefix: QueryKey): () => void {
  const saved = queryClient.getQueriesData({ queryKey: prefix });
  return () => {
    for (const [queryKey, data] of saved) queryClient.setQueryData(queryKey, data);
  };
}

function withItems<R>(pages: Page<R>[], index: number, items: R[]): Page<R>[] {
  return pages.map((page, i) => (i === index ? { ...page, items } : page));
}

/** The row at its place in the sort order; nowhere when that place is on a page not loaded yet. */
export function insertSorted<R>(pages: Page<R>[], row: R, before: (a: R, b: R) => boolean): Page<R>[] {
  for (let i = 0; i < pages.length; i++) {
    const items = pages[i]?.items ?? [];
    const at = items.findIndex((item) => before(row, item));
    if (at >= 0) return withItems(pages, i, [...items.slice(0, at), row, ...items.slice(at)]);
  }
  const last = pages[pages.length - 1];
  return last !== undefined && last.next_cursor === null ? withItems(pages, pages.length - 1, [...last.items, row]) : pages;
}

/** The cached row of an id: the detail's, else the first list's that holds it. */
export function findRow<R, K>(queryClient: QueryClient, cache: ResourceCache<R, K>, id: K): R | undefined {
  const detail = queryClient.getQueryData<R>(cache.detail(id));
  if (detail !== undefined) return detail;
  for (const [, data] of queryClient.getQueriesData<CachedList<R>>({ queryKey: cache.lists })) {
    const pages = data === undefined ? [] : "pages" in data ? data.pages : [data];
    for (const page of pages) {
      const found = page.items.find((item) => cache.id(item) === id);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

function matches<R extends object, K>(cache: ResourceCache<R, K>, row: R, params: object): boolean {
  return cache.spec === null || matchesParams(row, params, cache.spec);
}

function placeBefore<R extends object>(spec: QuerySpec | null, params: object): (a: R, b: R) => boolean {
  return (a, b) => spec !== null && compareRows(a, b, params, spec) < 0;
}

/** What an optimistic change leaves for the mutation's other callbacks. */
export interface Optimistic {
  rollback: () => void;
  /** The temporary id of the row a create inserted: the server's row replaces it. */
  optimisticId?: unknown;
}

/** A create: the row in every cached list whose parameters it matches, at its place. */
export async function optimisticCreate<R extends object, K>(queryClient: QueryClient, cache: ResourceCache<R, K>, row: R): Promise<Optimistic> {
  await queryClient.cancelQueries({ queryKey: cache.lists });
  const restore = takeSnapshot(queryClient, cache.lists);
  eachList(queryClient, cache, (pages, params) => (matches(cache, row, params) ? insertSorted(pages, row, placeBefore<R>(cache.spec, params)) : pages));
  return { rollback: restore, optimisticId: cache.id(row) };
}

/** An update: the patched row in the detail and in every list it still matches (added to those it
 * now matches, dropped from those it no longer does). */
export async function optimisticUpdate<R extends object, K>(queryClient: QueryClient, cache: ResourceCache<R, K>, id: K, patch: object): Promise<Optimistic> {
  await queryClient.cancelQueries({ queryKey: cache.all });
  const restore = takeSnapshot(queryClient, cache.all);
  const current = findRow(queryClient, cache, id);
  if (current === undefined) return { rollback: restore };
  // A patch (an Update, or deleted_at for a soft delete or restore) sets properties of the row.
  const next: R = { ...current, ...definedOnly(patch) };
  if (queryClient.getQueryData(cache.detail(id)) !== undefined) queryClient.setQueryData(cache.detail(id), next);
  eachList(queryClient, cache, (pages, params) => {
    const present = pages.some((page) => page.items.some((item) => cache.id(item) === id));
    if (!matches(cache, next, params)) {
      return present ? pages.map((page) => ({ ...page, items: page.items.filter((item) => cache.id(item) !== id) })) : pages;
    }
    if (present) return pages.map((page) => ({ ...page, items: page.items.map((item) => (cache.id(item) === id ? next : item)) }));
    return insertSorted(pages, next, placeBefore<R>(cache.spec, params));
  });
  return { rollback: restore };
}

/** A delete: the row out of every list. */
export async function optimisticDelete<R, K>(queryClient: QueryClient, cache: ResourceCache<R, K>, id: K): Promise<Optimistic> {
  await queryClient.cancelQueries({ queryKey: cache.lists });
  const restore = takeSnapshot(queryClient, cache.lists);
  eachList(queryClient, cache, (pages) => pages.map((page) => ({ ...page, items: page.items.filter((item) => cache.id(item) !== id) })));
  return { rollback: restore };
}

/** The server's row in the detail and in place of the row with `id` (the optimistic one, or the
 * row before the change) in every list. */
export function settleRow<R, K>(queryClient: QueryClient, cache: ResourceCache<R, K>, id: unknown, row: R): void {
  queryClient.setQueryData(cache.detail(cache.id(row)), row);
  eachList(queryClient, cache, (pages) => pages.map((page) => ({ ...page, items: page.items.map((item) => (cache.id(item) === id ? row : item)) })));
}

/** The version of the cached row an update is based on: the detail's, else a list's. */
export function cachedVersion<R extends { version: number }, K>(queryClient: QueryClient, cache: ResourceCache<R, K>, id: K): number | undefined {
  return findRow(queryClient, cache, id)?.version;
}

/** After a version_conflict the cached row is older than the server's: fetch it again (not awaited). */
export function refreshIfStale<R, K>(queryClient: QueryClient, cache: ResourceCache<R, K>, error: ApiError): void {
  if (error.error_code === "version_conflict") void queryClient.invalidateQueries({ queryKey: cache.all });
}

/** The properties whose value is not undefined: what a patch or an input really sets. */
export type DefinedOnly<T> = { [P in keyof T]?: Exclude<T[P], undefined> };

export function definedOnly<T extends object>(values: T): DefinedOnly<T> {
  // Only undefined values are dropped: what is left has the properties of T, none undefined.
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as DefinedOnly<T>;
}

let temporaryIds = 0;

/** An id for a row the server has not made yet: never one the server gives out. */
export function temporaryId(kind: "string"): string;
export function temporaryId(kind: "number"): number;
export function temporaryId(kind: "string" | "number"): string | number {
  temporaryIds += 1;
  return kind === "number" ? -temporaryIds : "optimistic-" + String(temporaryIds);
}

/** Refresh every query under these prefixes, in one `invalidateQueries` call; resolves when the active ones are refetched. */
export async function invalidatePrefixes(queryClient: QueryClient, prefixes: readonly QueryKeyPrefix[]): Promise<void> {
  if (prefixes.length === 0) return;
  await queryClient.invalidateQueries({
    predicate: (query) => prefixes.some((prefix) => prefix.every((part, i) => query.queryKey[i] === part)),
  });
}

/** What a caller may add to a mutation's options: TanStack's own, and `skipInvalidation`. */
export type MutationExtras<TData, TVariables, TContext = unknown> = Omit<
  MutationOptions<TData, ApiError, TVariables, TContext>,
  "mutationFn" | "mutationKey"
> & {
  /** Leave the cache as the optimistic update and the server's answer made it: refresh nothing. */
  skipInvalidation?: boolean | undefined;
};

/** What onMutate hands to the other callbacks: the rollback, the id of the optimistic row a
 * create inserted (the server's row replaces it), and the caller's own onMutate result. */
export interface OptimisticContext<TContext> {
  rollback: () => void;
  optimisticId: unknown;
  context: TContext | undefined;
}

/** What the generated client does around a mutation's request, before the caller's callbacks. */
export interface MutationSystem<TData, TVariables> {
  run: (variables: TVariables) => Promise<TData>;
  optimistic?: (variables: TVariables) => Promise<Optimistic>;
  settle?: (data: TData, variables: TVariables, optimisticId: unknown) => void;
  changesNothing?: (variables: TVariables) => boolean;
  refused?: (error: ApiError, variables: TVariables) => void;
}

/** A mutation's options: the system's optimistic change, settlement and invalidation of
 * `refreshes` first, then the caller's callbacks (an error rolls the cache back first). */
export function composeMutation<TData, TVariables, TContext>(
  queryClient: QueryClient,
  refreshes: readonly QueryKeyPrefix[],
  mutationKey: QueryKey,
  extras: MutationExtras<TData, TVariables, TContext>,
  system: MutationSystem<TData, TVariables>,
): MutationOptions<TData, ApiError, TVariables, OptimisticContext<TContext>> {
  const { skipInvalidation = false, onMutate, onSuccess, onError, onSettled, ...rest } = extras;
  return {
    ...rest,
    mutationKey,
    mutationFn: (variables: TVariables) => system.run(variables),
    onMutate: async (variables: TVariables, context: MutationFunctionContext) => {
      const optimistic = system.optimistic ? await system.optimistic(variables) : { rollback: () => undefined };
      const own = onMutate ? await onMutate(variables, context) : undefined;
      return { rollback: optimistic.rollback, optimisticId: optimistic.optimisticId, context: own };
    },
    onError: async (error, variables, result, context) => {
      result?.rollback();
      system.refused?.(error, variables);
      await onError?.(error, variables, result?.context, context);
    },
    onSuccess: async (data, variables, result, context) => {
      system.settle?.(data, variables, result.optimisticId);
      if (!skipInvalidation && !system.changesNothing?.(variables)) await invalidatePrefixes(queryClient, refreshes);
      await onSuccess?.(data, variables, result.context as TContext, context);
    },
    onSettled: async (data, error, variables, result, context) => {
      await onSettled?.(data, error, variables, result?.context, context);
    },
  };
}
