import { act, render, screen, waitFor, within } from "@testing-library/react";
import { userEvent } from "@testing-library/user-event";
import { QueryClient } from "@tanstack/react-query";
import { describe, expect, it, vi } from "vitest";
import { App, ErrorBoundary, changesOf } from "../runtime/web/App.js";
import type { AppOptions, AuditEntry } from "../runtime/web/resources.js";
import { office, world } from "./fixtures.js";

const options: AppOptions = { title: "Showcase", tenant: true, user: true, branch: false };

function go(hash: string) {
  act(() => {
    window.location.hash = hash;
    window.dispatchEvent(new HashChangeEvent("hashchange"));
  });
}

describe("App", () => {
  it("has a menu of every resource and a page for each list", async () => {
    const { resources } = world([office("o1", "Alpha", { region_id: "r1" })]);
    render(<App resources={resources} options={options} />);
    const menu = screen.getByRole("navigation", { name: "Resources" });
    expect(within(menu).getAllByRole("link").map((link) => [link.textContent?.trim(), link.getAttribute("href")])).toEqual([
      ["🏢 Offices", "#/offices"],
      ["🗺 Regions", "#/regions"],
    ]);
    expect(screen.getByRole("heading", { level: 1, name: "Showcase" })).toBeTruthy();
    go("#/offices");
    expect(await screen.findByRole("heading", { level: 1, name: /Offices/ })).toBeTruthy();
    expect(within(menu).getByRole("link", { name: /Offices/ }).getAttribute("aria-current")).toBe("page");
    expect(await screen.findByRole("row", { name: /Alpha/ })).toBeTruthy();
    expect(document.title).toBe("Offices · Showcase");
    go("#/nowhere");
    expect(await screen.findByRole("heading", { name: "Not found" })).toBeTruthy();
  });

  it("shows a row's page with its values and the rows that point at it", async () => {
    const { resources } = world([office("o1", "Alpha", { region_id: "r1", tags: ["x", "y"] }), office("o2", "Bravo", { region_id: "r2" })]);
    const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    render(<App resources={resources} options={options} queryClient={queryClient} />);
    go("#/regions/r1");
    expect(await screen.findByRole("heading", { level: 1, name: "North" })).toBeTruthy();
    const offices = await screen.findByRole("table", { name: "Offices of this region" });
    await within(offices).findByRole("row", { name: /Alpha/ });
    expect(within(offices).queryByRole("row", { name: /Bravo/ })).toBeNull();
    go("#/offices/o1");
    expect(await screen.findByRole("heading", { level: 1, name: "Alpha" })).toBeTruthy();
    expect(screen.getByText("Tags").nextSibling?.textContent).toBe('["x","y"]');
    expect(await screen.findByRole("link", { name: "North" })).toBeTruthy();
    go("#/offices/missing");
    expect((await screen.findByRole("alert")).textContent).toBe("Not found");
  });

  it("deletes from a row's page and goes back to the list", async () => {
    const { resources, offices } = world([office("o1", "Alpha")]);
    render(<App resources={resources} options={options} />);
    go("#/offices/o1");
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Delete" }));
    await user.click(within(screen.getByRole("alertdialog", { name: "Delete Office?" })).getByRole("button", { name: "Delete" }));
    await waitFor(() => expect(window.location.hash).toBe("#/offices"));
    expect(offices.callsOf("remove")).toHaveLength(1);
  });

  it("sends the tenant and user chosen in the switchers with every request", async () => {
    const { resources, offices } = world([office("o1", "Alpha")]);
    render(<App resources={resources} options={options} />);
    expect(screen.queryByLabelText("Branch")).toBeNull();
    go("#/offices");
    await screen.findByRole("row", { name: /Alpha/ });
    const user = userEvent.setup();
    await user.type(screen.getByLabelText("Tenant"), "acme{Enter}");
    await user.type(screen.getByLabelText("User"), "ann");
    await user.tab();
    await waitFor(() => expect(offices.callsOf("list").at(-1)?.options?.client?.config).toMatchObject({ tenantId: "acme", userId: "ann" }));
    expect(JSON.parse(window.localStorage.getItem("schemagen.scope") ?? "{}")).toMatchObject({ tenantId: "acme", userId: "ann" });
  });
});

describe("traits", () => {
  it("merges or discards the current branch, each after asking, then acts in main", async () => {
    const { resources, offices } = world([office("o1", "Alpha")]);
    const merge = vi.fn<(name: string) => Promise<unknown>>(() => Promise.resolve({ branch: "draft", merged: { office: 1 } }));
    const discard = vi.fn<(name: string) => Promise<void>>(() => Promise.resolve());
    const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    render(<App resources={resources} options={{ ...options, branch: true, branches: { merge, discard } }} queryClient={queryClient} />);
    expect(screen.queryByRole("button", { name: "Merge branch" })).toBeNull();
    const user = userEvent.setup();
    await user.type(screen.getByLabelText("Branch"), "draft{Enter}");
    await user.click(screen.getByRole("button", { name: "Merge branch" }));
    await user.click(within(screen.getByRole("alertdialog", { name: "Merge branch “draft” into main?" })).getByRole("button", { name: "Merge" }));
    await waitFor(() => expect(screen.getByLabelText("Branch")).toHaveProperty("value", ""));
    expect(merge.mock.calls.map((call) => call[0])).toEqual(["draft"]);
    expect(screen.getByRole("status").textContent).toContain("Branch draft merged into main");
    await user.type(screen.getByLabelText("Branch"), "scratch{Enter}");
    go("#/offices");
    await waitFor(() => expect(offices.callsOf("list").at(-1)?.options?.client?.config.branchId).toBe("scratch"));
    await user.click(screen.getByRole("button", { name: "Discard branch" }));
    await user.click(within(screen.getByRole("alertdialog")).getByRole("button", { name: "Discard" }));
    await waitFor(() => expect(discard).toHaveBeenCalledTimes(1));
    await waitFor(() => expect(screen.queryByRole("button", { name: "Discard branch" })).toBeNull());
  });

  it("shows an audited row's trail on its page", async () => {
    const { resources } = world([office("o1", "Alpha")]);
    const audited = resources.map((resource) => (resource.key === "office" ? { ...resource, audited: true } : resource));
    const trail: AuditEntry[] = [
      { id: 2, resource: "office", row_id: "o1", action: "update", before: { name: "Alp", version: 1 }, after: { name: "Alpha", version: 2 }, actor: "ann", at: "2026-01-03T00:00:00Z" },
      { id: 1, resource: "office", row_id: "o1", action: "create", before: null, after: { name: "Alp" }, actor: "ann", at: "2026-01-02T00:00:00Z" },
    ];
    const list = vi.fn<(params: object) => Promise<{ items: AuditEntry[]; next_cursor: null }>>(() => Promise.resolve({ items: trail, next_cursor: null }));
    render(<App resources={audited} options={{ ...options, audit: { list } }} />);
    go("#/offices/o1");
    const history = await screen.findByRole("table", { name: "History of this office" });
    const rows = within(history).getAllByRole("row").slice(1);
    expect(rows.map((row) => within(row).getAllByRole("cell").map((cell) => cell.textContent))).toEqual([
      ["update", "ann", 'name: "Alp" → "Alpha"'],
      ["create", "ann", "name"],
    ]);
    expect(list).toHaveBeenCalledWith({ resource: "office", row_id: "o1" }, expect.anything());
    expect(changesOf({ ...trail[1]!, after: { name: "Alp", budget: 3 } })).toBe("name; budget");
  });
});

describe("ErrorBoundary", () => {
  it("shows a page's failure and lets it try again", async () => {
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    let fail = true;
    function Fragile() {
      if (fail) throw new Error("broken page");
      return <p>fine</p>;
    }
    render(
      <ErrorBoundary>
        <Fragile />
      </ErrorBoundary>,
    );
    expect(screen.getByRole("alert").textContent).toContain("broken page");
    fail = false;
    await userEvent.setup().click(screen.getByRole("button", { name: "Try again" }));
    expect(screen.getByText("fine")).toBeTruthy();
    vi.restoreAllMocks();
  });
});
