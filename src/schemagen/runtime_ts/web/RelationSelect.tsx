/* A picker of related rows: a search box over the related resource's list (when it is
 * searchable) and a select of what it finds, one row or many, a page at a time ("More choices"
 * reads the next, so every row can be picked however many there are); the rows already chosen
 * stay among the options whatever the search shows. */

import { useInfiniteQuery, useQueries } from "@tanstack/react-query";
import { useState } from "react";
import type { Row, RowId } from "./resources.js";
import { useSession } from "./session.js";
import { titleOf } from "./values.js";

/** How many related rows a picker offers at once: the search narrows them. */
const PICKER_PAGE = 50;

export interface RelationSelectProps {
  /** The select's id, which the caller's label names. */
  readonly id: string;
  /** The field's label, for the search box's name ("Search Region"). */
  readonly label: string;
  readonly resource: string;
  readonly titleField: string;
  readonly multiple: boolean;
  readonly value: readonly RowId[];
  readonly onChange: (value: readonly RowId[]) => void;
  readonly required?: boolean;
  readonly disabled?: boolean;
  readonly describedBy?: string | undefined;
  readonly invalid?: boolean;
}

export function RelationSelect(props: RelationSelectProps) {
  const { id, label, resource, titleField, multiple, value, onChange } = props;
  const { resources, queryKey, options } = useSession();
  const entry = resources.get(resource);
  const [search, setSearch] = useState("");
  const searchable = entry?.table.searchable === true;
  const q = searchable ? search.trim() : "";
  const found = useInfiniteQuery({
    queryKey: [...queryKey, resource, "picker", { limit: PICKER_PAGE, q }],
    queryFn: ({ signal, pageParam }) => {
      if (entry === undefined) throw new Error("no list of " + resource);
      const params = { limit: PICKER_PAGE, ...(q && { q }), ...(pageParam !== null && { cursor: pageParam }) };
      return entry.list(params, { ...options, signal });
    },
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.next_cursor,
    enabled: entry !== undefined,
    // A picker opened shows the rows as they are now (one made a moment ago among them), not
    // what another picker of the same list read a few seconds before.
    staleTime: 0,
  });
  const listed = found.data?.pages.flatMap((page) => page.items) ?? [];
  const missing = value.filter((chosen) => !listed.some((row) => row.id === chosen));
  const chosen = useQueries({
    queries: missing.map((rowId) => ({
      queryKey: [...queryKey, resource, "get", rowId],
      queryFn: ({ signal }: { signal: AbortSignal }) => {
        if (entry === undefined) throw new Error("no rows of " + resource);
        return entry.get(rowId, { ...options, signal });
      },
      enabled: entry !== undefined,
    })),
  });
  const rows: Row[] = [...listed];
  chosen.forEach((query) => {
    if (query.data !== undefined) rows.push(query.data);
  });
  // A chosen row that could not be read yet still needs its option, or the select would drop it.
  missing.forEach((rowId) => {
    if (!rows.some((row) => row.id === rowId)) rows.push({ id: rowId });
  });
  const byText = new Map(rows.map((row) => [String(row.id), row.id]));
  const ids = (texts: readonly string[]) => texts.flatMap((text) => {
    const rowId = byText.get(text);
    return rowId === undefined ? [] : [rowId];
  });
  return (
    <div className="sg-relation">
      {searchable && (
        <input
          type="search"
          aria-label={"Search " + label}
          placeholder="Search…"
          value={search}
          disabled={props.disabled}
          onChange={(event) => setSearch(event.target.value)}
        />
      )}
      {multiple ? (
        <select
          id={id}
          multiple
          value={value.map(String)}
          disabled={props.disabled}
          required={props.required}
          aria-invalid={props.invalid}
          aria-describedby={props.describedBy}
          onChange={(event) => onChange(ids(Array.from(event.target.selectedOptions, (option) => option.value)))}
        >
          {rows.map((row) => (
            <option key={String(row.id)} value={String(row.id)}>
              {titleOf(row, titleField)}
            </option>
          ))}
        </select>
      ) : (
        <select
          id={id}
          value={value[0] === undefined ? "" : String(value[0])}
          disabled={props.disabled}
          required={props.required}
          aria-invalid={props.invalid}
          aria-describedby={props.describedBy}
          onChange={(event) => onChange(ids([event.target.value]))}
        >
          <option value="">—</option>
          {rows.map((row) => (
            <option key={String(row.id)} value={String(row.id)}>
              {titleOf(row, titleField)}
            </option>
          ))}
        </select>
      )}
      {found.hasNextPage && (
        <button
          type="button"
          className="sg-more"
          disabled={props.disabled === true || found.isFetchingNextPage}
          onClick={() => void found.fetchNextPage()}
        >
          {found.isFetchingNextPage ? "Loading…" : "More " + label + " choices"}
        </button>
      )}
      {found.isError && <span className="sg-error">Could not load the {label.toLowerCase()} choices.</span>}
    </div>
  );
}
