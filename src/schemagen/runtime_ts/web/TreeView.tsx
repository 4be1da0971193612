/* A tree view (a view with `tree:`): the rows of a resource under their parents by a relation of
 * the resource to itself (the Matrx menu items under their parent items), siblings in the view's
 * sort. The view's rows are read whole, page after page, and hung under their parents here: one
 * list query of the API, and every item knows at once whether it has children. A row whose parent
 * is not among them (filtered out, deleted, or in a cycle) shows at the top.
 *
 * It is an ARIA tree: items are treeitems named by their row's title and the view's other columns
 * ("Open, Order: 2": all the item shows, as WCAG's label in name asks), with aria-expanded where
 * they have children; one item takes the focus (Tab), the arrow keys move through the visible
 * items, Right opens and Left closes or goes to the parent, Home and End go to the ends, and
 * Enter opens the row's page. */

import { useInfiniteQuery } from "@tanstack/react-query";
import { useEffect, useId, useMemo, useRef, useState, type KeyboardEvent } from "react";
import type { ListView, TableColumn } from "../client/tables.js";
import { formatCell } from "../client/tables.js";
import { RelatedTitle } from "./AutoTable.js";
import type { ListParams, ResourceEntry, Row, RowId } from "./resources.js";
import { href, navigate } from "./router.js";
import { useSession } from "./session.js";
import { asRowId, fieldOf, messageOf, titleOf } from "./values.js";

/** A row with the rows under it, in the view's order. */
export interface TreeNode {
  readonly row: Row;
  readonly children: readonly TreeNode[];
}

/** Hang each row under its parent (`parent` is the self relation's accessor), keeping the
 * rows' order among siblings. A row whose parent is not among the rows is a root, and so is the
 * first row met of a cycle, so every row shows exactly once. */
export function buildTree(rows: readonly Row[], parent: string): TreeNode[] {
  const key = (id: RowId) => String(id);
  const byId = new Map(rows.map((row) => [key(row.id), row]));
  const children = new Map<string, Row[]>();
  const roots: Row[] = [];
  for (const row of rows) {
    const up = asRowId(fieldOf(row, parent));
    if (up !== null && byId.has(key(up)) && key(up) !== key(row.id)) {
      const siblings = children.get(key(up)) ?? [];
      siblings.push(row);
      children.set(key(up), siblings);
    } else {
      roots.push(row);
    }
  }
  const placed = new Set<string>();
  const grow = (row: Row): TreeNode => {
    placed.add(key(row.id));
    const below = (children.get(key(row.id)) ?? []).filter((child) => !placed.has(key(child.id)));
    return { row, children: below.map(grow) };
  };
  const tree = roots.map(grow);
  // Rows only reachable through a cycle (a is b's parent and b is a's) start a tree of their own.
  for (const row of rows) if (!placed.has(key(row.id))) tree.push(grow(row));
  return tree;
}

/** The item a tree item is under: the one its group follows. */
function parentItem(item: HTMLElement): HTMLElement | undefined {
  const above = item.closest('[role="group"]')?.previousElementSibling;
  return above instanceof HTMLElement && above.getAttribute("role") === "treeitem" ? above : undefined;
}

/** Every id of the tree with children: what opens and closes. */
function parents(nodes: readonly TreeNode[], into: Set<string> = new Set()): Set<string> {
  for (const node of nodes) {
    if (node.children.length > 0) {
      into.add(String(node.row.id));
      parents(node.children, into);
    }
  }
  return into;
}

export interface TreeViewProps {
  /** The resource, its table the view's (ViewPage's `viewTable`). */
  readonly resource: ResourceEntry;
  readonly view: ListView;
}

export function TreeView(props: TreeViewProps) {
  const { resource, view } = props;
  const parent = view.tree?.parent ?? "";
  const { queryKey, options } = useSession();
  const params: ListParams = { ...view.params, limit: resource.table.pageSize };
  if (view.sort.length > 0) params.sort = [...view.sort];
  const list = useInfiniteQuery({
    queryKey: [...queryKey, resource.key, "tree", view.name, params],
    queryFn: ({ pageParam, signal }) => resource.list(pageParam === null ? params : { ...params, cursor: pageParam }, { ...options, signal }),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.next_cursor,
  });
  // The whole view is the tree: every page is read, each asked for when the one before arrives.
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = list;
  const pages = list.data?.pages.length ?? 0;
  useEffect(() => {
    if (hasNextPage && !isFetchingNextPage) void fetchNextPage();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage, pages]);
  const rows = useMemo(() => list.data?.pages.flatMap((page) => page.items) ?? [], [list.data]);
  const tree = useMemo(() => buildTree(rows, parent), [rows, parent]);
  // Every item starts open: a menu is read whole, as it shows.
  const [closed, setClosed] = useState<ReadonlySet<string>>(new Set());
  const [active, setActive] = useState<string | null>(null);
  const element = useRef<HTMLUListElement>(null);

  // Shown once read whole: a row's parent may be on a later page.
  if (list.isPending || (list.hasNextPage && !list.isError)) {
    return (
      <p role="status" className="sg-status">
        Loading {view.title.toLowerCase()}…
      </p>
    );
  }
  if (list.isError) {
    return (
      <div role="alert" className="sg-form-error">
        {messageOf(list.error)}{" "}
        <button type="button" onClick={() => void list.refetch()}>
          Try again
        </button>
      </div>
    );
  }
  if (rows.length === 0) return <p className="sg-empty">No {resource.table.labelPlural.toLowerCase()} yet.</p>;

  const focusable = active ?? String(tree[0]?.row.id ?? "");
  const toggle = (id: string, open: boolean) =>
    setClosed((current) => {
      const next = new Set(current);
      if (open) next.delete(id);
      else next.add(id);
      return next;
    });
  const items = () => Array.from(element.current?.querySelectorAll<HTMLElement>('[role="treeitem"]') ?? []);
  const focus = (item: HTMLElement | undefined) => {
    if (item === undefined) return;
    setActive(item.dataset.id ?? null);
    item.focus();
  };
  const onKeyDown = (event: KeyboardEvent<HTMLUListElement>) => {
    const target = event.target;
    if (!(target instanceof HTMLElement) || target.getAttribute("role") !== "treeitem") return;
    const all = items();
    const index = all.indexOf(target);
    const id = target.dataset.id ?? "";
    const expanded = target.getAttribute("aria-expanded");
    let handled = true;
    if (event.key === "ArrowDown") focus(all[index + 1]);
    else if (event.key === "ArrowUp") focus(all[index - 1]);
    else if (event.key === "Home") focus(all[0]);
    else if (event.key === "End") focus(all[all.length - 1]);
    else if (event.key === "ArrowRight") {
      if (expanded === "false") toggle(id, true);
      else if (expanded === "true") focus(all[index + 1]);
    } else if (event.key === "ArrowLeft") {
      if (expanded === "true") toggle(id, false);
      else focus(parentItem(target));
    } else if (event.key === "Enter") navigate(href(resource.path, id));
    else handled = false;
    if (handled) event.preventDefault();
  };
  const all = parents(tree);
  return (
    <>
      <div className="sg-toolbar">
        <button type="button" onClick={() => setClosed(new Set())}>
          Expand all
        </button>
        <button type="button" onClick={() => setClosed(all)}>
          Collapse all
        </button>
      </div>
      <ul ref={element} role="tree" aria-label={view.title} className="sg-tree" onKeyDown={onKeyDown}>
        {tree.map((node) => (
          <TreeItem key={String(node.row.id)} node={node} level={1} resource={resource} columns={resource.table.columns} closed={closed} focusable={focusable} onToggle={toggle} onFocus={setActive} />
        ))}
      </ul>
    </>
  );
}

interface TreeItemProps {
  readonly node: TreeNode;
  readonly level: number;
  readonly resource: ResourceEntry;
  readonly columns: readonly TableColumn[];
  readonly closed: ReadonlySet<string>;
  readonly focusable: string;
  readonly onToggle: (id: string, open: boolean) => void;
  readonly onFocus: (id: string) => void;
}

function TreeItem(props: TreeItemProps) {
  const { node, level, resource, columns, closed, focusable, onToggle, onFocus } = props;
  const groupId = useId();
  const id = String(node.row.id);
  const hasChildren = node.children.length > 0;
  const open = hasChildren && !closed.has(id);
  // The first column names the row (as a table's row header does); the others follow it.
  const [, ...details] = columns;
  // The item holds only its own row, its children's group follows it (owned by it): an item's
  // name is all it shows, and what it shows is only its own row.
  return (
    <li role="none">
      <div
        role="treeitem"
        aria-level={level}
        aria-expanded={hasChildren ? open : undefined}
        aria-owns={open ? groupId : undefined}
        tabIndex={focusable === id ? 0 : -1}
        data-id={id}
        className="sg-tree-item"
        onFocus={(event) => {
          if (event.target === event.currentTarget) onFocus(id);
        }}
      >
        <div className="sg-tree-row">
          {hasChildren ? (
            <span
              className="sg-tree-toggle"
              aria-hidden="true"
              onClick={(event) => {
                event.stopPropagation();
                onToggle(id, !open);
              }}
            >
              {open ? "▾" : "▸"}
            </span>
          ) : (
            <span className="sg-tree-toggle" aria-hidden="true" />
          )}
          <a href={href(resource.path, node.row.id)} tabIndex={-1}>
            {titleOf(node.row, resource.titleField)}
          </a>
          {details.map((column) => (
            <span key={column.accessor} className="sg-tree-detail">
              {/* Heard, not seen: the comma parts the item's name ("Open, Order: 2"). */}
              <span className="sg-visually-hidden">,</span>{" "}
              <span className="sg-muted">{column.header}:</span> <Detail row={node.row} column={column} />
            </span>
          ))}
        </div>
      </div>
      {open && (
        <ul role="group" id={groupId}>
          {node.children.map((child) => (
            <TreeItem key={String(child.row.id)} {...props} node={child} level={level + 1} />
          ))}
        </ul>
      )}
    </li>
  );
}

/** A detail of a tree item: a related row by its title, the rest as a table cell shows it. */
function Detail(props: { readonly row: Row; readonly column: TableColumn }) {
  const { row, column } = props;
  const related = column.relation;
  const id = asRowId(fieldOf(row, column.accessor));
  if (related !== undefined && !related.multiple) return id === null ? null : <RelatedTitle resource={related.resource} id={id} />;
  return <>{formatCell(row, column)}</>;
}
