/* Query keys whose data type TanStack Query knows, and key prefixes (what an invalidation names). */

import type { DataTag } from "@tanstack/query-core";
import type { ApiError } from "./http.js";

/** A key prefix: everything whose key starts with it. */
export type QueryKeyPrefix = readonly string[];

/** A key whose data is a `V`: `queryClient.getQueryData(bookKeys.detail(id))` is a `Book`. */
export function dataKey<V>() {
  return <const K extends readonly unknown[]>(...parts: K): DataTag<K, V, ApiError> => parts as DataTag<K, V, ApiError>;
}
