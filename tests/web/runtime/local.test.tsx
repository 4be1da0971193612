/* The local-first app (runtime/web/local.tsx) on fake-indexeddb: its lists answered from the copy
 * once it is made, a create made while the server cannot be reached shown at once and counted in
 * the sync bar, then sent once when the browser is online again; a queued write the server refuses
 * is reported; and a stale edit kept as a conflict, settled from the sync bar. The fixture's
 * functions stand for the server; `fetch` answers the change feed's page. */

import "fake-indexeddb/auto";
import { act, render, screen, waitFor, within } from "@testing-library/react";
import { userEvent } from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { QuerySpec } from "../runtime/client/matching.js";
import { App } from "../runtime/web/App.js";
import type { AppOptions, ResourceEntry } from "../runtime/web/resources.js";
import { office, world, type World } from "./fixtures.js";

const officeSpec: QuerySpec = {
  filters: { status: "text", region_id: "key", budget: "number" },
  search: ["name"],
  sortable: { name: "text", budget: "number", id: "text" },
  defaultSort: ["name"],
  softDelete: true,
};

/** The world's resources as a local-first app's, with the server reachable or not. */
function localWorld(offices = [office("o1", "Alpha")]): { world: World; resources: ResourceEntry[]; network: { down: boolean } } {
  const made = world(offices);
  const network = { down: false };
  // This browser chose to keep a copy ("Work offline").
  window.localStorage.setItem("schemagen.localCopy", "on");
  const unreachable = () => Promise.reject(new TypeError("Failed to fetch"));
  const resources = made.resources.map((entry): ResourceEntry => {
    if (entry.key !== "office") return entry;
    const list = entry.list.bind(entry);
    const get = entry.get.bind(entry);
    const create = entry.create?.bind(entry);
    const update = entry.update?.bind(entry);
    return {
      ...entry,
      spec: officeSpec,
      clientIds: true,
      list: (params, options) => (network.down ? unreachable() : list(params, options)),
      get: (id, options) => (network.down ? unreachable() : get(id, options)),
      ...(create && { create: (body: object, options?: Parameters<typeof create>[1]) => (network.down ? unreachable() : create(body, options)) }),
      ...(update && { update: (id: string | number, patch: object, options?: Parameters<typeof update>[2]) => (network.down ? unreachable() : update(id, patch, options)) }),
    };
  });
  // The change feed: nothing changes elsewhere in these tests.
  vi.stubGlobal("fetch", () =>
    network.down
      ? unreachable()
      : Promise.resolve(new Response(JSON.stringify({ items: [], position: 0, more: false }), { status: 200, headers: { "Content-Type": "application/json" } })),
  );
  return { world: made, resources, network };
}

function options(): AppOptions {
  return { title: "Showcase", tenant: false, user: false, branch: false, localFirst: "local-test-" + globalThis.crypto.randomUUID() };
}

/** IndexedDB work (the copy, the outbox) takes longer than waitFor's default second on a busy machine. */
const PATIENCE = { timeout: 5_000 };

function go(hash: string) {
  act(() => {
    window.location.hash = hash;
    window.dispatchEvent(new HashChangeEvent("hashchange"));
  });
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("local-first", () => {
  it("answers lists from the copy, and keeps a create made offline until it can be sent", async () => {
    const { world: made, resources, network } = localWorld();
    render(<App resources={resources} options={options()} />);
    go("#/offices");
    expect(await screen.findByRole("row", { name: /Alpha/ })).toBeTruthy();
    // The whole resource is copied (pages of 500, deleted rows too) ...
    await waitFor(() => expect(made.offices.callsOf("list").some((call) => JSON.stringify(call.args).includes('"limit":500'))).toBe(true), PATIENCE);
    const sync = screen.getByRole("status", { name: "Sync" });
    expect(sync.textContent).toContain("Online");

    network.down = true;
    const user = userEvent.setup();
    await user.click(screen.getByRole("button", { name: "New Office" }));
    const dialog = screen.getByRole("dialog", { name: "New Office" });
    await user.type(within(dialog).getByLabelText("Name"), "Beta");
    await user.click(within(dialog).getByRole("button", { name: "Create" }));
    // ... so the new row is listed from it with the server out of reach.
    expect(await screen.findByRole("row", { name: /Beta/ }, PATIENCE)).toBeTruthy();
    await waitFor(() => expect(sync.textContent).toContain("Offline"), PATIENCE);
    expect(sync.textContent).toContain("1 change to send");
    expect(made.offices.rows.map((row) => row.name)).toEqual(["Alpha"]);

    network.down = false;
    act(() => {
      window.dispatchEvent(new Event("online"));
    });
    await waitFor(() => expect(sync.textContent).not.toContain("to send"), PATIENCE);
    expect(sync.textContent).toContain("Online");
    expect(made.offices.rows.map((row) => row.name)).toEqual(["Alpha", "Beta"]);
    // Sent with the id the browser gave it and a key the server can replay by.
    const [call] = made.offices.callsOf("create");
    const sent: { readonly id?: unknown } = { ...(call?.args[0] ?? {}) };
    expect(typeof sent.id).toBe("string");
    expect(new Headers(call?.options?.headers).get("Idempotency-Key")).toMatch(/^[!-~]+$/);
  });

  it("reports a queued write the server refuses, and settles a stale one from the sync bar", async () => {
    const { world: made, resources, network } = localWorld([office("o2", "Bravo")]);
    render(<App resources={resources} options={options()} />);
    go("#/offices");
    await screen.findByRole("row", { name: /Bravo/ });
    await waitFor(() => expect(made.offices.callsOf("list").some((call) => JSON.stringify(call.args).includes('"limit":500'))).toBe(true), PATIENCE);
    const user = userEvent.setup();

    network.down = true;
    // A create the server will refuse (the name is taken by then), and an edit of a row that
    // someone else changes meanwhile.
    await user.click(screen.getByRole("button", { name: "New Office" }));
    await user.type(within(screen.getByRole("dialog", { name: "New Office" })).getByLabelText("Name"), "Charlie");
    await user.click(within(screen.getByRole("dialog", { name: "New Office" })).getByRole("button", { name: "Create" }));
    await screen.findByRole("row", { name: /Charlie/ });
    await user.click(within(screen.getByRole("row", { name: /Bravo/ })).getByRole("button", { name: "Edit" }));
    const edit = screen.getByRole("dialog", { name: "Edit Office" });
    await user.clear(within(edit).getByLabelText("Name"));
    await user.type(within(edit).getByLabelText("Name"), "Bravissimo");
    await user.click(within(edit).getByRole("button", { name: "Save" }));
    await screen.findByRole("row", { name: /Bravissimo/ });
    made.offices.rows.push(office("o9", "Charlie"));
    const bravo = made.offices.find("o2");
    bravo.version = 2;
    bravo.name = "Bravo (theirs)";

    network.down = false;
    act(() => {
      window.dispatchEvent(new Event("online"));
    });
    const toasts = screen.getByRole("status", { name: "Notifications" });
    await waitFor(() => expect(toasts.textContent).toContain("was refused: An office with this name exists."), PATIENCE);
    const sync = screen.getByRole("status", { name: "Sync" });
    await user.click(await within(sync).findByRole("button", { name: "1 conflict" }));
    const conflicts = screen.getByRole("dialog", { name: "Conflicts" });
    expect(conflicts.textContent).toContain("change to office o2");
    await user.click(within(conflicts).getByRole("button", { name: "Keep mine" }));
    await waitFor(() => expect(made.offices.find("o2").name).toBe("Bravissimo"), PATIENCE);
    expect(made.offices.find("o2").version).toBe(3);
    await waitFor(() => expect(within(sync).queryByRole("button", { name: /conflict/ })).toBeNull(), PATIENCE);
    expect(made.offices.rows.filter((row) => row.name === "Charlie")).toHaveLength(1);
  });
});
