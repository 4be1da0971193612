import { act, render, screen, waitFor, within } from "@testing-library/react";
import { userEvent } from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { ListView, TableDefinition } from "../runtime/client/tables.js";
import type { RequestOptions } from "../runtime/client/http.js";
import { App } from "../runtime/web/App.js";
import type { AppOptions, ResourceEntry, Row, RowId } from "../runtime/web/resources.js";
import { href, parseHash, viewHref } from "../runtime/web/router.js";
import { buildTree, TreeView, type TreeNode } from "../runtime/web/TreeView.js";
import { viewTable } from "../runtime/web/ViewPage.js";
import { renderWith } from "./harness.js";
import { office, officeForm, officeTable, Store, world } from "./fixtures.js";

const options: AppOptions = { title: "Showcase", tenant: false, user: false, branch: false };

function go(hash: string) {
  act(() => {
    window.location.hash = hash;
    window.dispatchEvent(new HashChangeEvent("hashchange"));
  });
}

/** The active offices with a budget of at most 100, largest first: a view as the tables target
 * writes it, its row actions only Close. */
const [nameColumn, statusColumn, , budgetColumn] = officeTable.columns;
if (nameColumn === undefined || statusColumn === undefined || budgetColumn === undefined) throw new Error("officeTable changed");
const smallView: ListView = {
  name: "small_active",
  title: "Small active offices",
  description: "Open offices on a small budget.",
  params: { status__in: ["active"], budget__lte: 100 },
  sort: ["-budget"],
  columns: [nameColumn, statusColumn, budgetColumn],
  rowActions: officeTable.rowActions.filter((action) => action.action === "office.close"),
  tree: null,
};

function withViews(resources: readonly ResourceEntry[], key: string, views: readonly ListView[]): ResourceEntry[] {
  return resources.map((resource) => (resource.key === key ? { ...resource, table: { ...resource.table, views } } : resource));
}

describe("the router's view routes", () => {
  it("reads and writes a view's hash, apart from a row's page", () => {
    expect(viewHref("offices", "small_active")).toBe("#/offices/views/small_active");
    expect(parseHash(viewHref("offices", "due now"))).toEqual({ kind: "view", path: "offices", view: "due now" });
    // A row whose id is "views" is still a row's page; a fourth segment is not a view.
    expect(parseHash(href("offices", "views"))).toEqual({ kind: "detail", path: "offices", id: "views" });
    expect(parseHash("#/offices/views/a/b")).toEqual({ kind: "detail", path: "offices", id: "views" });
  });
});

describe("viewTable", () => {
  it("takes the view's columns, sort and row actions, with no filter control where the view filters", () => {
    const table = viewTable(officeTable, smallView);
    expect(table.columns.map((column) => [column.accessor, column.filterable !== false])).toEqual([
      ["name", false],
      ["status", false],
      ["budget", false],
    ]);
    expect(table.defaultSort).toEqual(["-budget"]);
    expect(table.rowActions.map((action) => action.label)).toEqual(["Close"]);
    expect(viewTable(officeTable, { ...smallView, params: {}, sort: [] }).defaultSort).toEqual(officeTable.defaultSort);
  });
});

describe("a named view's page", () => {
  it("is in the menu and lists what its saved query matches, in its order, with its actions", async () => {
    const { resources, offices } = world([
      office("o1", "Alpha", { budget: 50 }),
      office("o2", "Bravo", { budget: 80 }),
      office("o3", "Charlie", { budget: 500 }),
      office("o4", "Delta", { budget: 20, status: "inactive" }),
    ]);
    render(<App resources={withViews(resources, "office", [smallView])} options={options} />);
    const views = screen.getByRole("navigation", { name: "Views" });
    const link = within(views).getByRole("link", { name: /Small active offices/ });
    expect(link.getAttribute("href")).toBe("#/offices/views/small_active");
    // The home page offers it too.
    expect(within(screen.getByRole("main")).getByRole("link", { name: /Small active offices/ })).toBeTruthy();
    const user = userEvent.setup();
    await user.click(link);
    expect(await screen.findByRole("heading", { level: 1, name: "Small active offices" })).toBeTruthy();
    expect(screen.getByText("Open offices on a small budget.")).toBeTruthy();
    expect(link.getAttribute("aria-current")).toBe("page");
    expect(within(screen.getByRole("navigation", { name: "Resources" })).getByRole("link", { name: /Offices/ }).getAttribute("aria-current")).toBeNull();
    expect(document.title).toBe("Small active offices · Showcase");
    const table = await screen.findByRole("table", { name: "Small active offices" });
    await within(table).findByRole("row", { name: /Bravo/ });
    const rows = within(table).getAllByRole("row").slice(1);
    expect(rows.map((row) => within(row).getByRole("rowheader").textContent)).toEqual(["Bravo", "Alpha"]);
    expect(within(table).getAllByRole("columnheader").map((header) => header.textContent?.replace(/[▲▼]/g, "").trim())).toEqual(["Name", "Status", "Budget", "Actions"]);
    expect(offices.callsOf("list").at(-1)?.args[0]).toMatchObject({ status__in: ["active"], budget__lte: 100, sort: ["-budget"] });
    // The view filters status and budget: no control of the user's may replace its condition.
    expect(screen.queryByRole("group", { name: "Filters" })).toBeNull();
    const bravo = rows[0];
    if (bravo === undefined) throw new Error("no row");
    expect(within(bravo).queryByRole("button", { name: "Edit" })).toBeNull();
    await user.click(within(bravo).getByRole("button", { name: "Close" }));
    const dialog = await screen.findByRole("dialog", { name: "Close: Bravo" });
    await user.click(within(dialog).getByRole("button", { name: "Close" }));
    await waitFor(() => expect(offices.callsOf("close")).toHaveLength(1));
    // Closed, Bravo is inactive: read again, the view no longer shows it.
    await waitFor(() => expect(within(table).queryByRole("row", { name: /Bravo/ })).toBeNull());
  });

  it("says so when the view is unknown", async () => {
    const { resources } = world([]);
    render(<App resources={withViews(resources, "office", [smallView])} options={options} />);
    go("#/offices/views/nothing");
    expect(await screen.findByRole("heading", { level: 1, name: "Not found" })).toBeTruthy();
  });
});

interface Item extends Row {
  readonly id: string;
  readonly label: string;
  readonly parent_id: string | null;
  readonly display_order: number;
}

const itemTable: TableDefinition<"menu_item"> = {
  resource: "menu_item",
  label: "Menu item",
  labelPlural: "Menu items",
  columns: [
    { accessor: "label", header: "Label", type: "string", format: "text", sortable: true, filterable: false },
    { accessor: "display_order", header: "Order", type: "integer", format: "number", sortable: true, filterable: false },
  ],
  defaultSort: ["display_order"],
  pageSize: 2,
  searchable: false,
  softDelete: false,
  rowActions: [],
  bulkActions: [],
  collectionActions: [],
  listHook: null,
  listQueryOptions: null,
};

const treeView: ListView = {
  name: "menu_tree",
  title: "Menu tree",
  description: null,
  params: {},
  sort: ["display_order"],
  columns: itemTable.columns,
  rowActions: [],
  tree: { parent: "parent_id" },
};

/** A treeitem's name: its title, then the view's other columns ("Open, Order: 2"). */
function named(title: string): RegExp {
  return new RegExp("^" + title + ", ");
}

function item(id: string, label: string, parent: string | null, order: number): Item {
  return { id, label, parent_id: parent, display_order: order };
}

function menuWorld(items: Item[]): { store: Store<Item>; resource: ResourceEntry } {
  const store = new Store<Item>(items, "label");
  const resource: ResourceEntry = {
    key: "menu_item",
    path: "menu_items",
    label: "Menu item",
    labelPlural: "Menu items",
    titleField: "label",
    table: { ...itemTable, views: [treeView] },
    form: officeForm,
    actions: {},
    list: async (params: object, options?: RequestOptions) => {
      store.record("list", options, params);
      return Promise.resolve(store.list(params));
    },
    get: async (id: RowId) => Promise.resolve({ ...store.find(id) }),
  };
  return { store, resource };
}

describe("buildTree", () => {
  const ids = (nodes: readonly TreeNode[]): unknown[] => nodes.map((node) => (node.children.length > 0 ? [node.row.id, ids(node.children)] : node.row.id));

  it("hangs rows under their parents in the rows' order", () => {
    const rows = [item("a", "A", null, 1), item("b1", "B1", "b", 1), item("b", "B", null, 2), item("a1", "A1", "a", 1), item("b2", "B2", "b", 2), item("b11", "B11", "b1", 1)];
    expect(ids(buildTree(rows, "parent_id"))).toEqual([
      ["a", ["a1"]],
      ["b", [["b1", ["b11"]], "b2"]],
    ]);
  });

  it("shows a row whose parent is not among the rows, and each row of a cycle once", () => {
    const rows = [item("x", "X", "gone", 1), item("p", "P", "q", 2), item("q", "Q", "p", 3), item("self", "S", "self", 4)];
    expect(ids(buildTree(rows, "parent_id"))).toEqual(["x", "self", ["p", ["q"]]]);
  });
});

describe("TreeView", () => {
  const items = [item("tools", "Tools", null, 2), item("file", "File", null, 1), item("open", "Open", "file", 2), item("new", "New", "file", 1), item("recent", "Recent", "open", 1)];

  it("reads every page and shows each item under its parent, in order", async () => {
    const { store, resource } = menuWorld(items);
    renderWith([resource], <TreeView resource={resource} view={treeView} />);
    const tree = await screen.findByRole("tree", { name: "Menu tree" });
    await within(tree).findByRole("treeitem", { name: named("Recent") });
    // pageSize 2: five rows are three pages, each asked with the view's sort.
    expect(store.callsOf("list").map((call) => call.args[0])).toEqual([
      { limit: 2, sort: ["display_order"] },
      { limit: 2, sort: ["display_order"], cursor: "2" },
      { limit: 2, sort: ["display_order"], cursor: "4" },
    ]);
    // Each item, in order, at its level: children follow their parent, one level deeper.
    expect(within(tree).getAllByRole("treeitem").map((node) => [node.getAttribute("data-id"), node.getAttribute("aria-level")])).toEqual([
      ["file", "1"],
      ["new", "2"],
      ["open", "2"],
      ["recent", "3"],
      ["tools", "1"],
    ]);
    // Named by all it shows and nothing more: the title, then the other columns.
    const file = within(tree).getByRole("treeitem", { name: named("File") });
    expect(file.textContent).toBe("▾File, Order: 1");
    expect(file.getAttribute("aria-expanded")).toBe("true");
    // Its children's group is its own.
    const group = document.getElementById(file.getAttribute("aria-owns") ?? "");
    expect(group?.getAttribute("role")).toBe("group");
    expect(within(group ?? document.body).getAllByRole("treeitem").map((node) => node.getAttribute("data-id"))).toEqual(["new", "open", "recent"]);
    expect(within(tree).getByRole("treeitem", { name: named("Tools") }).getAttribute("aria-expanded")).toBeNull();
  });

  it("moves with the arrow keys, opens and closes, and Enter opens the row's page", async () => {
    const { resource } = menuWorld(items);
    renderWith([resource], <TreeView resource={resource} view={treeView} />);
    const tree = await screen.findByRole("tree", { name: "Menu tree" });
    const file = await within(tree).findByRole("treeitem", { name: named("File") });
    expect(file.tabIndex).toBe(0);
    const user = userEvent.setup();
    // Expand all, Collapse all, then the tree: one stop, at its first item.
    await user.tab();
    await user.tab();
    await user.tab();
    expect(document.activeElement).toBe(file);
    await user.keyboard("{ArrowLeft}");
    expect(file.getAttribute("aria-expanded")).toBe("false");
    expect(within(tree).queryByRole("treeitem", { name: named("New") })).toBeNull();
    await user.keyboard("{ArrowDown}");
    expect(document.activeElement).toBe(within(tree).getByRole("treeitem", { name: named("Tools") }));
    await user.keyboard("{Home}{ArrowRight}{ArrowRight}");
    expect(file.getAttribute("aria-expanded")).toBe("true");
    expect(document.activeElement).toBe(within(tree).getByRole("treeitem", { name: named("New") }));
    await user.keyboard("{ArrowLeft}");
    expect(document.activeElement).toBe(file);
    await user.keyboard("{End}");
    expect(document.activeElement).toBe(within(tree).getByRole("treeitem", { name: named("Tools") }));
    await user.keyboard("{Enter}");
    expect(window.location.hash).toBe("#/menu_items/tools");
    await user.click(screen.getByRole("button", { name: "Collapse all" }));
    expect(within(tree).getAllByRole("treeitem")).toHaveLength(2);
    await user.click(screen.getByRole("button", { name: "Expand all" }));
    expect(within(tree).getAllByRole("treeitem")).toHaveLength(5);
  });

  it("is a page of the app, from the Views menu", async () => {
    const { resource } = menuWorld(items);
    render(<App resources={[resource]} options={options} />);
    await userEvent.setup().click(within(screen.getByRole("navigation", { name: "Views" })).getByRole("link", { name: /Menu tree/ }));
    expect(await screen.findByRole("heading", { level: 1, name: "Menu tree" })).toBeTruthy();
    expect(await screen.findByRole("treeitem", { name: named("Recent") })).toBeTruthy();
  });
});
