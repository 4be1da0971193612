import { screen, waitFor, within } from "@testing-library/react";
import { userEvent } from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { AutoModal } from "../runtime/web/AutoModal.js";
import { AutoTable } from "../runtime/web/AutoTable.js";
import { office, officeTable, world } from "./fixtures.js";
import { entry, renderWith } from "./harness.js";

describe("AutoModal", () => {
  it("creates a row in a dialog named for it, and closes", async () => {
    const { resources, offices } = world([office("o1", "Alpha")]);
    renderWith(resources, <AutoTable resource={entry(resources, "office")} />);
    const user = userEvent.setup();
    const opener = screen.getByRole("button", { name: "New Office" });
    await user.click(opener);
    const dialog = screen.getByRole("dialog", { name: "New Office" });
    expect(dialog.getAttribute("aria-modal")).toBe("true");
    // Focus starts in the form.
    expect(document.activeElement).toBe(within(dialog).getByLabelText("Name"));
    await user.type(within(dialog).getByLabelText("Name"), "Alpha");
    await user.click(within(dialog).getByRole("button", { name: "Create" }));
    // The server's 409 lands on the field; the dialog stays.
    expect(await within(dialog).findByText("An office with this name exists.")).toBeTruthy();
    await user.clear(within(dialog).getByLabelText("Name"));
    await user.type(within(dialog).getByLabelText("Name"), "Delta");
    await user.click(within(dialog).getByRole("button", { name: "Create" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    expect(document.activeElement).toBe(opener);
    expect(offices.rows.map((row) => row.name)).toEqual(["Alpha", "Delta"]);
    expect(screen.getByRole("status").textContent).toContain("Office created: Delta");
    await screen.findByRole("row", { name: /Delta/ });
  });

  it("closes on Escape and on Cancel without sending anything", async () => {
    const { resources, offices } = world();
    const closed = vi.fn();
    renderWith(resources, <AutoModal mode="create" resource={entry(resources, "office")} onClose={closed} />);
    const user = userEvent.setup();
    await user.keyboard("{Escape}");
    await user.click(screen.getByRole("button", { name: "Cancel" }));
    expect(closed).toHaveBeenCalledTimes(2);
    expect(offices.callsOf("create")).toHaveLength(0);
  });

  it("keeps Tab inside the dialog, both ways", async () => {
    const { resources } = world();
    renderWith(
      resources,
      <>
        <button type="button">Outside</button>
        <AutoModal mode="create" resource={entry(resources, "office")} onClose={() => undefined} />
      </>,
    );
    const user = userEvent.setup();
    const dialog = screen.getByRole("dialog", { name: "New Office" });
    const name = within(dialog).getByLabelText("Name");
    expect(document.activeElement).toBe(name);
    await user.tab({ shift: true });
    expect(document.activeElement).toBe(within(dialog).getByRole("button", { name: "Cancel" }));
    await user.tab();
    expect(document.activeElement).toBe(name);
    for (let step = 0; step < 12; step++) {
      await user.tab();
      expect(dialog.contains(document.activeElement)).toBe(true);
    }
  });

  it("edits a row from its row action", async () => {
    const { resources, offices } = world([office("o1", "Alpha")]);
    renderWith(resources, <AutoTable resource={entry(resources, "office")} />);
    const user = userEvent.setup();
    await user.click(within(await screen.findByRole("row", { name: /Alpha/ })).getByRole("button", { name: "Edit" }));
    const dialog = screen.getByRole("dialog", { name: "Edit Office" });
    await user.clear(within(dialog).getByLabelText("Name"));
    await user.type(within(dialog).getByLabelText("Name"), "Alpine");
    await user.click(within(dialog).getByRole("button", { name: "Save" }));
    await screen.findByRole("row", { name: /Alpine/ });
    // The version read travels with the change (If-Match).
    expect(offices.callsOf("update")[0]?.args).toEqual(["o1", { name: "Alpine", version: 1 }]);
  });

  it("on a version conflict, keeps my change on the latest version", async () => {
    const { resources, offices } = world([office("o1", "Alpha", { version: 1 })]);
    const row = office("o1", "Alpha", { version: 1 });
    offices.rows[0] = office("o1", "Alpha", { version: 2, budget: 5 });
    const done = vi.fn();
    renderWith(resources, <AutoModal mode="edit" resource={entry(resources, "office")} row={row} onClose={() => undefined} onDone={done} />);
    const user = userEvent.setup();
    await user.type(screen.getByLabelText("Name"), " One");
    await user.click(screen.getByRole("button", { name: "Save" }));
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("changed by someone else");
    await user.click(within(alert).getByRole("button", { name: "Keep my change" }));
    await waitFor(() => expect(done).toHaveBeenCalled());
    expect(offices.callsOf("update").map((call) => call.args[1])).toEqual([
      { name: "Alpha One", version: 1 },
      { name: "Alpha One", version: 2 },
    ]);
    expect(offices.rows[0]).toMatchObject({ name: "Alpha One", budget: 5, version: 3 });
  });

  it("on a version conflict, reloads the latest row into the form", async () => {
    const { resources, offices } = world([office("o1", "Alpha", { version: 1 })]);
    const row = office("o1", "Alpha", { version: 1 });
    offices.rows[0] = office("o1", "Alpha (moved)", { version: 2 });
    renderWith(resources, <AutoModal mode="edit" resource={entry(resources, "office")} row={row} onClose={() => undefined} />);
    const user = userEvent.setup();
    await user.selectOptions(screen.getByLabelText("Status"), "inactive");
    await user.click(screen.getByRole("button", { name: "Save" }));
    await user.click(within(await screen.findByRole("alert")).getByRole("button", { name: "Reload" }));
    await waitFor(() => expect(screen.getByLabelText("Name")).toHaveProperty("value", "Alpha (moved)"));
    expect(screen.getByLabelText("Status")).toHaveProperty("value", "active");
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("runs a custom action with its input form", async () => {
    const { resources, offices } = world([office("o1", "Alpha")]);
    renderWith(resources, <AutoTable resource={entry(resources, "office")} />);
    const user = userEvent.setup();
    await user.click(within(await screen.findByRole("row", { name: /Alpha/ })).getByRole("button", { name: "Close" }));
    const dialog = screen.getByRole("dialog", { name: "Close: Alpha" });
    await user.type(within(dialog).getByLabelText("Reason"), "Lease ended");
    await user.click(within(dialog).getByRole("button", { name: "Close" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    expect(offices.callsOf("close")[0]?.args).toEqual(["o1", { reason: "Lease ended" }]);
    expect(await within(await screen.findByRole("row", { name: /Alpha/ })).findByText("Inactive")).toBeTruthy();
  });

  it("runs an action without input from one button, and shows its failure", async () => {
    const { resources } = world([office("o1", "Alpha")]);
    const base = entry(resources, "office");
    const failing = {
      ...base,
      actions: { "office.close": { input: null, run: () => Promise.reject(new Error("Already closed")) } },
    };
    const action = officeTable.rowActions.find((candidate) => candidate.kind === "custom");
    if (action === undefined) throw new Error("no custom action");
    renderWith(resources, <AutoModal mode="action" resource={failing} action={action} row={office("o1", "Alpha")} onClose={() => undefined} />);
    await userEvent.setup().click(within(screen.getByRole("dialog", { name: "Close: Alpha" })).getByRole("button", { name: "Close" }));
    expect((await screen.findByRole("alert")).textContent).toBe("Already closed");
  });
});
