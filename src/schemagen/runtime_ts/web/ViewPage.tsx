/* A named view's page (the schema's `views:`): the resource's list read with the view's saved
 * parameters, sort, columns and row actions, or, for a tree view, its rows under their parents. */

import { useMemo } from "react";
import type { ListView, TableDefinition } from "../client/tables.js";
import { AutoTable } from "./AutoTable.js";
import type { ResourceEntry } from "./resources.js";
import { TreeView } from "./TreeView.js";

/** The view's columns as a table shows them: a column the view's parameters filter on has no
 * filter control of its own (a user's value there would replace the view's condition). */
export function viewTable(table: TableDefinition, view: ListView): TableDefinition {
  const fixed = new Set(Object.keys(view.params).map((param) => param.replace(/__[a-z]+$/, "")));
  return {
    ...table,
    columns: view.columns.map((column) => (fixed.has(column.accessor) ? { ...column, filterable: false } : column)),
    defaultSort: view.sort.length > 0 ? view.sort : table.defaultSort,
    rowActions: view.rowActions,
  };
}

export interface ViewPageProps {
  readonly resource: ResourceEntry;
  readonly view: ListView;
}

export function ViewPage(props: ViewPageProps) {
  const { resource, view } = props;
  const shown = useMemo(() => ({ ...resource, table: viewTable(resource.table, view) }), [resource, view]);
  return (
    <>
      <h1>{view.title}</h1>
      {view.description !== null && <p className="sg-description">{view.description}</p>}
      {view.tree === null ? <AutoTable resource={shown} fixed={view.params} caption={view.title} /> : <TreeView resource={shown} view={view} />}
    </>
  );
}
