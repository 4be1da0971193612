/* The queries the components share, keyed under the session's scope. */

import { useQuery, useQueryClient, type UseQueryResult } from "@tanstack/react-query";
import { useCallback } from "react";
import type { ResourceEntry, Row, RowId } from "./resources.js";
import { useSession } from "./session.js";

/** One row, by id (disabled while `id` is null). */
export function useRow(entry: ResourceEntry | undefined, id: RowId | null): UseQueryResult<Row> {
  const { queryKey, options } = useSession();
  return useQuery({
    queryKey: [...queryKey, entry?.key ?? "", "get", id],
    queryFn: ({ signal }) => {
      if (entry === undefined || id === null) throw new Error("no row to read");
      return entry.get(id, { ...options, signal });
    },
    enabled: entry !== undefined && id !== null,
  });
}

/** After a write, every list and row of the scope is read again: a write reaches other resources
 * too (cascades, set_null, many-to-many links), and the generated app lists only a few at once. */
export function useInvalidate(): () => Promise<void> {
  const queryClient = useQueryClient();
  const { queryKey } = useSession();
  return useCallback(() => queryClient.invalidateQueries({ queryKey }), [queryClient, queryKey]);
}
