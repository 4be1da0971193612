import { fireEvent, screen, waitFor } from "@testing-library/react";
import { userEvent } from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { ApiError } from "../runtime/client/http.js";
import { AutoForm, fromDraft, kindOf, toDraft } from "../runtime/web/AutoForm.js";
import { office, officeForm, world } from "./fixtures.js";
import { renderWith } from "./harness.js";

function fieldNamed(name: string) {
  const field = officeForm.fields.find((candidate) => candidate.name === name);
  if (field === undefined) throw new Error("no field " + name);
  return field;
}

describe("AutoForm", () => {
  it("gives every field a labelled widget of its kind, with its help", () => {
    const { resources } = world();
    renderWith(resources, <AutoForm form={officeForm} mode="create" onSubmit={() => Promise.resolve()} />);
    expect(screen.getByLabelText("Name")).toHaveProperty("type", "text");
    expect(screen.getByLabelText("Name")).toHaveProperty("required", true);
    expect(screen.getByLabelText("Status")).toHaveProperty("tagName", "SELECT");
    expect(screen.getByRole("option", { name: "Inactive" })).toBeTruthy();
    expect(screen.getByLabelText("Region")).toHaveProperty("tagName", "SELECT");
    expect(screen.getByLabelText("Budget")).toHaveProperty("type", "number");
    expect(screen.getByLabelText("Budget").getAttribute("aria-describedby")).toBeTruthy();
    expect(screen.getByText("Per year.")).toBeTruthy();
    expect(screen.getByLabelText("Tags")).toHaveProperty("tagName", "TEXTAREA");
    expect(screen.getByLabelText("Settings")).toHaveProperty("tagName", "TEXTAREA");
    expect(screen.getByLabelText("Opened on")).toHaveProperty("type", "date");
    // The enum's default is chosen.
    expect(screen.getByLabelText("Status")).toHaveProperty("value", "active");
  });

  it("shows what is wrong before anything is sent", async () => {
    const { resources } = world();
    const submit = vi.fn(() => Promise.resolve());
    renderWith(resources, <AutoForm form={officeForm} mode="create" onSubmit={submit} />);
    const user = userEvent.setup();
    await user.click(screen.getByRole("button", { name: "Save" }));
    expect(screen.getByText("Name is required.")).toBeTruthy();
    expect(screen.getByLabelText("Name").getAttribute("aria-invalid")).toBe("true");
    expect(document.activeElement).toBe(screen.getByLabelText("Name"));
    // The input holds no more than the schema's maximum length.
    await user.type(screen.getByLabelText("Name"), "A name far longer than twenty");
    expect(screen.getByLabelText("Name")).toHaveProperty("value", "A name far longer th");
    await user.type(screen.getByLabelText("Settings"), "{{not json");
    await user.click(screen.getByRole("button", { name: "Save" }));
    expect(screen.getByText("Enter valid JSON.")).toBeTruthy();
    expect(screen.queryByText("Name is required.")).toBeNull();
    // The zod schema's rule: a budget is at least 0.
    await user.clear(screen.getByLabelText("Settings"));
    // (typed key by key, a number input drops the lone "-" first)
    fireEvent.change(screen.getByLabelText("Budget"), { target: { value: "-5" } });
    await user.click(screen.getByRole("button", { name: "Save" }));
    expect(screen.getByLabelText("Budget").getAttribute("aria-invalid")).toBe("true");
    expect(screen.getByLabelText("Budget").getAttribute("aria-describedby")).toContain(screen.getByText(/>=0/).id);
    expect(submit).not.toHaveBeenCalled();
  });

  it("sends the API's values: numbers, lists, JSON, a related id", async () => {
    const { resources } = world();
    const submit = vi.fn<(body: object) => Promise<void>>(() => Promise.resolve());
    renderWith(resources, <AutoForm form={officeForm} mode="create" onSubmit={submit} />);
    const user = userEvent.setup();
    await user.type(screen.getByLabelText("Name"), "Harbour");
    await user.type(screen.getByLabelText("Budget"), "1250.5");
    await user.type(screen.getByLabelText("Tags"), "north{Enter}coast");
    await user.type(screen.getByLabelText("Settings"), '{{"floors": 3}');
    // The picker lists the related rows by their title.
    await user.selectOptions(screen.getByLabelText("Region"), await screen.findByRole("option", { name: "South" }));
    await user.click(screen.getByRole("button", { name: "Save" }));
    expect(submit).toHaveBeenCalledWith({ name: "Harbour", status: "active", region_id: "r2", budget: 1250.5, tags: ["north", "coast"], settings: { floors: 3 } });
  });

  it("searches the related list in the picker", async () => {
    const { resources, regions } = world();
    renderWith(resources, <AutoForm form={officeForm} mode="create" onSubmit={() => Promise.resolve()} />);
    const user = userEvent.setup();
    await screen.findByRole("option", { name: "North" });
    await user.type(screen.getByRole("searchbox", { name: "Search Region" }), "sou");
    await waitFor(() => expect(screen.queryByRole("option", { name: "North" })).toBeNull());
    expect(screen.getByRole("option", { name: "South" })).toBeTruthy();
    expect(regions.callsOf("list").at(-1)?.args[0]).toEqual({ limit: 50, q: "sou" });
  });

  it("reads the related list a page at a time, so the 120th region can be picked", async () => {
    const many = Array.from({ length: 120 }, (_, n) => ({ id: "r" + String(n), name: "Region " + String(n).padStart(3, "0") }));
    const { resources, regions } = world([], many);
    const submit = vi.fn<(body: object) => Promise<void>>(() => Promise.resolve());
    renderWith(resources, <AutoForm form={officeForm} mode="create" onSubmit={submit} />);
    const user = userEvent.setup();
    const picker = screen.getByLabelText("Region");
    await screen.findByRole("option", { name: "Region 049" });
    expect(screen.queryByRole("option", { name: "Region 050" })).toBeNull();
    await user.click(screen.getByRole("button", { name: "More Region choices" }));
    await screen.findByRole("option", { name: "Region 099" });
    await user.click(screen.getByRole("button", { name: "More Region choices" }));
    await screen.findByRole("option", { name: "Region 119" });
    expect(screen.queryByRole("button", { name: "More Region choices" })).toBeNull(); // the last page
    expect(picker.querySelectorAll("option")).toHaveLength(121); // and the empty choice
    expect(regions.callsOf("list").map((call) => call.args[0])).toEqual([{ limit: 50 }, { limit: 50, cursor: "50" }, { limit: 50, cursor: "100" }]);
    await user.type(screen.getByLabelText("Name"), "Harbour");
    await user.selectOptions(picker, "r119");
    await user.click(screen.getByRole("button", { name: "Save" }));
    expect(submit).toHaveBeenCalledWith(expect.objectContaining({ name: "Harbour", region_id: "r119" }));
  });

  it("in edit mode sends only what changed, and null for a cleared nullable field", async () => {
    const { resources } = world();
    const submit = vi.fn<(body: object) => Promise<void>>(() => Promise.resolve());
    const row = office("o1", "Harbour", { budget: 10, region_id: "r1", tags: ["a"] });
    renderWith(resources, <AutoForm form={officeForm} mode="edit" initial={row} onSubmit={submit} />);
    const user = userEvent.setup();
    expect(screen.getByLabelText("Name")).toHaveProperty("value", "Harbour");
    expect(await screen.findByRole("option", { name: "North", selected: true })).toBeTruthy();
    await user.clear(screen.getByLabelText("Budget"));
    await user.selectOptions(screen.getByLabelText("Status"), "inactive");
    await user.click(screen.getByRole("button", { name: "Save" }));
    expect(submit).toHaveBeenCalledWith({ status: "inactive", budget: null });
  });

  it("puts the server's refusal on its field, or on the form", async () => {
    const { resources } = world();
    const submit = vi
      .fn<(body: object) => Promise<void>>()
      .mockRejectedValueOnce(new ApiError(409, { detail: "An office with this name exists.", error_code: "conflict", field: "name" }))
      .mockRejectedValueOnce(new ApiError(500, { detail: "Internal error", error_code: "internal", field: null }));
    renderWith(resources, <AutoForm form={officeForm} mode="create" onSubmit={submit} />);
    const user = userEvent.setup();
    await user.type(screen.getByLabelText("Name"), "Harbour");
    await user.click(screen.getByRole("button", { name: "Save" }));
    expect(await screen.findByText("An office with this name exists.")).toBeTruthy();
    expect(screen.getByLabelText("Name").getAttribute("aria-invalid")).toBe("true");
    await user.click(screen.getByRole("button", { name: "Save" }));
    expect((await screen.findByRole("alert")).textContent).toBe("Internal error");
  });

  it("shows read-only fields in edit mode and sends none of them", async () => {
    const { resources } = world();
    const form = { ...officeForm, fields: officeForm.fields.map((field) => (field.name === "name" ? { ...field, readOnly: { create: true, update: true } } : field)) };
    const submit = vi.fn<(body: object) => Promise<void>>(() => Promise.resolve());
    const { unmount } = renderWith(resources, <AutoForm form={form} mode="edit" initial={office("o1", "Harbour")} onSubmit={submit} />);
    expect(screen.getByLabelText("Name")).toHaveProperty("readOnly", true);
    await userEvent.setup().click(screen.getByRole("button", { name: "Save" }));
    expect(submit).toHaveBeenCalledWith({});
    unmount();
    renderWith(resources, <AutoForm form={form} mode="create" onSubmit={submit} />);
    expect(screen.queryByLabelText("Name")).toBeNull();
  });
});

describe("drafts", () => {
  it("choose the widget by the field", () => {
    expect(kindOf(fieldNamed("region_id"))).toBe("relation");
    expect(kindOf(fieldNamed("tags"))).toBe("list");
    expect(kindOf({ ...fieldNamed("name"), widget: "slug" })).toBe("text");
    expect(kindOf({ ...fieldNamed("name"), widget: "multiselect", type: "array" })).toBe("text");
  });

  it("turn API values into widget values and back", () => {
    const when = { ...fieldNamed("opened_on"), name: "at", widget: "datetime", type: "datetime" };
    const local = toDraft(when, "2026-03-04T05:06:00Z");
    expect(local).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/);
    expect(fromDraft(when, local)).toEqual({ value: "2026-03-04T05:06:00.000Z" });
    expect(fromDraft(when, "")).toBe("empty");
    expect(fromDraft(fieldNamed("budget"), "abc")).toEqual({ error: "Enter a number." });
    const counts = { ...fieldNamed("tags"), of: "integer" };
    expect(fromDraft(counts, toDraft(counts, [1, 2]))).toEqual({ value: [1, 2] });
    expect(fromDraft(counts, "1\nx")).toEqual({ error: "Enter one number per line." });
    expect(toDraft(fieldNamed("settings"), { a: 1 })).toBe('{\n  "a": 1\n}');
    expect(fromDraft(fieldNamed("region_id"), [])).toBe("empty");
  });
});
