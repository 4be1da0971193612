import { screen, waitFor, within } from "@testing-library/react";
import { userEvent } from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { AutoTable, VIRTUAL_FROM, filterParams, nextSort } from "../runtime/web/AutoTable.js";
import { office, officeTable, world } from "./fixtures.js";
import { entry, renderWith } from "./harness.js";

function column(accessor: string) {
  const found = officeTable.columns.find((candidate) => candidate.accessor === accessor);
  if (found === undefined) throw new Error("no column " + accessor);
  return found;
}

const three = () => [
  office("o1", "Alpha", { budget: 1200.5, region_id: "r1" }),
  office("o2", "Bravo", { status: "inactive", budget: 10 }),
  office("o3", "Charlie", { budget: 300 }),
];

describe("AutoTable", () => {
  it("is a table with header cells and formatted cells", async () => {
    const { resources } = world(three());
    renderWith(resources, <AutoTable resource={entry(resources, "office")} />);
    const table = await screen.findByRole("table", { name: "Offices" });
    const headers = within(table).getAllByRole("columnheader").map((th) => th.textContent);
    expect(headers).toEqual(["Name ▲", "Status", "Region", "Budget", "Actions"]);
    const alpha = await within(table).findByRole("row", { name: /Alpha/ });
    // The first cell heads its row and links to the row's page.
    expect(within(alpha).getByRole("rowheader").textContent).toBe("Alpha");
    expect(within(alpha).getByRole("link", { name: "Alpha" }).getAttribute("href")).toBe("#/offices/o1");
    expect(within(alpha).getByText((1200.5).toLocaleString(undefined, { minimumFractionDigits: 2 }))).toBeTruthy();
    // The related row by its title, linked.
    expect((await within(alpha).findByRole("link", { name: "North" })).getAttribute("href")).toBe("#/regions/r1");
    expect(within(table).getByRole("row", { name: /Bravo/ }).textContent).toContain("Inactive");
  });

  it("sorts by a sortable header, each click the other way", async () => {
    const { resources, offices } = world(three());
    renderWith(resources, <AutoTable resource={entry(resources, "office")} />);
    const user = userEvent.setup();
    await screen.findByRole("row", { name: /Alpha/ });
    const name = screen.getByRole("columnheader", { name: /Name/ });
    expect(name.getAttribute("aria-sort")).toBe("ascending");
    expect(screen.getByRole("columnheader", { name: "Status" }).getAttribute("aria-sort")).toBeNull();
    await user.click(within(name).getByRole("button"));
    expect(name.getAttribute("aria-sort")).toBe("descending");
    await waitFor(() => expect(screen.getAllByRole("rowheader").map((cell) => cell.textContent)).toEqual(["Charlie", "Bravo"]));
    expect(offices.callsOf("list").at(-1)?.args[0]).toMatchObject({ sort: ["-name"] });
    const budget = screen.getByRole("columnheader", { name: /Budget/ });
    await user.click(within(budget).getByRole("button"));
    expect(budget.getAttribute("aria-sort")).toBe("ascending");
    expect(name.getAttribute("aria-sort")).toBe("none");
  });

  it("pages with Load more", async () => {
    const { resources, offices } = world(three());
    renderWith(resources, <AutoTable resource={entry(resources, "office")} />);
    const user = userEvent.setup();
    await screen.findByRole("row", { name: /Bravo/ });
    expect(screen.queryByRole("row", { name: /Charlie/ })).toBeNull();
    await user.click(screen.getByRole("button", { name: "Load more" }));
    await screen.findByRole("row", { name: /Charlie/ });
    expect(offices.callsOf("list").at(-1)?.args[0]).toMatchObject({ cursor: "2", limit: 2 });
    expect(screen.queryByRole("button", { name: "Load more" })).toBeNull();
  });

  it("searches and filters", async () => {
    const { resources, offices } = world(three());
    renderWith(resources, <AutoTable resource={entry(resources, "office")} />);
    const user = userEvent.setup();
    await screen.findByRole("row", { name: /Alpha/ });
    await user.type(screen.getByRole("searchbox", { name: "Search Offices" }), "char");
    await waitFor(() => expect(screen.getAllByRole("rowheader").map((cell) => cell.textContent)).toEqual(["Charlie"]));
    await user.clear(screen.getByRole("searchbox", { name: "Search Offices" }));
    const filters = screen.getByRole("group", { name: "Filters" });
    await user.selectOptions(within(filters).getByLabelText("Status"), "inactive");
    await waitFor(() => expect(screen.getAllByRole("rowheader").map((cell) => cell.textContent)).toEqual(["Bravo"]));
    expect(offices.callsOf("list").at(-1)?.args[0]).toMatchObject({ status: "inactive" });
    await user.selectOptions(within(filters).getByLabelText("Status"), "");
    await user.selectOptions(within(filters).getByLabelText("Budget operator"), "gte");
    await user.type(within(filters).getByLabelText("Budget"), "200");
    await waitFor(() => expect(screen.getAllByRole("rowheader").map((cell) => cell.textContent)).toEqual(["Alpha", "Charlie"]));
    expect(offices.callsOf("list").at(-1)?.args[0]).toMatchObject({ budget__gte: "200" });
  });

  it("shows an empty state, and an error with a way to try again", async () => {
    const { resources } = world([]);
    renderWith(resources, <AutoTable resource={entry(resources, "office")} />);
    expect(await screen.findByText("No offices yet.")).toBeTruthy();
    const failing = { ...entry(resources, "region"), list: () => Promise.reject(new Error("offline")) };
    renderWith(resources, <AutoTable resource={failing} />);
    expect((await screen.findByRole("alert")).textContent).toContain("offline");
    expect(screen.getByRole("button", { name: "Try again" })).toBeTruthy();
  });

  it("deletes after a confirmation, shows deleted rows and restores them", async () => {
    const { resources, offices } = world(three());
    renderWith(resources, <AutoTable resource={entry(resources, "office")} />);
    const user = userEvent.setup();
    const alpha = await screen.findByRole("row", { name: /Alpha/ });
    await user.click(within(alpha).getByRole("button", { name: "Delete" }));
    const confirm = screen.getByRole("alertdialog", { name: "Delete Office?" });
    await user.click(within(confirm).getByRole("button", { name: "Delete" }));
    await waitFor(() => expect(screen.queryByRole("row", { name: /Alpha/ })).toBeNull());
    expect(offices.callsOf("remove")).toHaveLength(1);
    expect(screen.getByRole("status").textContent).toContain("Office deleted: Alpha");
    await user.click(screen.getByRole("checkbox", { name: "Show deleted" }));
    const deleted = await screen.findByRole("row", { name: /Alpha/ });
    expect(within(deleted).queryByRole("button", { name: "Edit" })).toBeNull();
    await user.click(within(deleted).getByRole("button", { name: "Restore" }));
    await waitFor(() => expect(within(screen.getByRole("row", { name: /Alpha/ })).queryByRole("button", { name: "Restore" })).toBeNull());
    expect(offices.rows[0]?.deleted_at).toBeNull();
  });

  it("offers Undo in the toast after a soft delete", async () => {
    const { resources, offices } = world(three());
    renderWith(resources, <AutoTable resource={entry(resources, "office")} />);
    const user = userEvent.setup();
    await user.click(within(await screen.findByRole("row", { name: /Bravo/ })).getByRole("button", { name: "Delete" }));
    await user.click(within(screen.getByRole("alertdialog")).getByRole("button", { name: "Delete" }));
    await user.click(await within(screen.getByRole("status")).findByRole("button", { name: "Undo" }));
    await screen.findByRole("row", { name: /Bravo/ });
    expect(offices.callsOf("restore")).toHaveLength(1);
  });
});

describe("a long list", () => {
  // jsdom lays nothing out: each element is given a row's height, as a browser would measure it,
  // and the page's top moves up as the window scrolls down.
  beforeEach(() => {
    vi.spyOn(Element.prototype, "getBoundingClientRect").mockImplementation(() => DOMRect.fromRect({ x: 0, y: -window.scrollY, width: 800, height: 38 }));
    vi.spyOn(HTMLElement.prototype, "offsetHeight", "get").mockReturnValue(38);
  });
  afterEach(() => vi.restoreAllMocks());

  function long(count: number) {
    const rows = Array.from({ length: count }, (_, index) => office("o" + String(index), "Office " + String(index).padStart(3, "0")));
    const { resources } = world(rows);
    const offices = entry(resources, "office");
    return { resources, offices: { ...offices, table: { ...offices.table, pageSize: count } } };
  }

  it(`draws from ${VIRTUAL_FROM} rows on only those near the window, and counts them all`, async () => {
    const { resources, offices } = long(VIRTUAL_FROM + 100);
    renderWith(resources, <AutoTable resource={offices} />);
    const table = await screen.findByRole("table", { name: "Offices" });
    await waitFor(() => expect(table.getAttribute("aria-rowcount")).toBe(String(VIRTUAL_FROM + 101)));
    const drawn = within(table).getAllByRole("row");
    expect(drawn.length).toBeGreaterThan(10);
    expect(drawn.length).toBeLessThan(80);
    // Still a table: the header row is row 1, each row drawn says its place and has its header cell.
    expect(drawn.map((row) => row.getAttribute("aria-rowindex")).slice(0, 3)).toEqual(["1", "2", "3"]);
    expect(within(drawn[1] ?? table).getByRole("rowheader").textContent).toBe("Office 000");
    expect(within(table).getAllByRole("columnheader").map((th) => th.textContent)).toEqual(["Name ▲", "Status", "Region", "Budget", "Actions"]);
    // Scrolled down, the rows there are drawn instead.
    Object.defineProperty(window, "scrollY", { configurable: true, value: 38 * 250 });
    window.dispatchEvent(new Event("scroll"));
    await waitFor(() => expect(within(table).getAllByRole("rowheader").map((cell) => cell.textContent)).toContain("Office 250"));
    expect(within(table).queryByRole("rowheader", { name: "Office 000" })).toBeNull();
    Object.defineProperty(window, "scrollY", { configurable: true, value: 0 });
  });

  it(`draws a list shorter than ${VIRTUAL_FROM} rows whole`, async () => {
    const { resources, offices } = long(VIRTUAL_FROM - 1);
    renderWith(resources, <AutoTable resource={offices} />);
    const table = await screen.findByRole("table", { name: "Offices" });
    await waitFor(() => expect(within(table).getAllByRole("row")).toHaveLength(VIRTUAL_FROM));
    expect(table.getAttribute("aria-rowcount")).toBe(String(VIRTUAL_FROM));
  });
});

describe("list parameters", () => {
  it("name each filter operator as the API reads it", () => {
    expect(filterParams(column("status"), { op: "eq", value: "active" })).toEqual({ status: "active" });
    expect(filterParams(column("status"), { op: "in", value: ["active", "inactive"] })).toEqual({ status__in: ["active", "inactive"] });
    expect(filterParams(column("region_id"), { op: "isnull", value: "true" })).toEqual({ region_id__isnull: true });
    expect(filterParams(column("region_id"), { op: "eq", value: ["r1"] })).toEqual({ region_id: "r1" });
    expect(filterParams(column("budget"), { op: "in", value: "1, 2" })).toEqual({ budget__in: ["1", "2"] });
    expect(filterParams(column("budget"), { op: "lte", value: " " })).toEqual({});
    expect(filterParams({ ...column("budget"), accessor: "at", format: "datetime" }, { op: "gte", value: "2026-01-02T03:04" })).toEqual({
      at__gte: new Date("2026-01-02T03:04").toISOString(),
    });
  });

  it("sort ascending first, then the other way", () => {
    expect(nextSort(["-created_at"], "name")).toEqual(["name"]);
    expect(nextSort(["name"], "name")).toEqual(["-name"]);
    expect(nextSort(["-name"], "name")).toEqual(["name"]);
  });
});
