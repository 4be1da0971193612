import { act, render, screen, waitFor, within } from "@testing-library/react";
import { userEvent } from "@testing-library/user-event";
import { QueryClient } from "@tanstack/react-query";
import { describe, expect, it, vi } from "vitest";
import { App, ErrorBoundary } from "../runtime/web/App.js";
import type { AppOptions } from "../runtime/web/resources.js";
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
