/* Create, edit and delete through the app's dialogs, for each resource whose form the suite can
 * fill: the form shows a missing required value before it sends anything. */

import { expect, test } from "@playwright/test";
import { cases } from "./cases.js";
import {
  createRow,
  dialog,
  expectAccessible,
  fill,
  find,
  openResource,
  row,
  search,
  start,
  toasts,
  titleOf,
  unique,
  valuesFor,
} from "./support.js";

for (const resource of cases.filter((c) => c.create !== null)) {
  test.describe(resource.labelPlural, () => {
    test.beforeEach(async ({ page }) => {
      await start(page);
      await openResource(page, resource);
    });

    test(`New ${resource.label}: a missing value shown before submit, then created`, async ({ page }) => {
      const posts: string[] = [];
      page.on("request", (request) => {
        if (request.method() === "POST") posts.push(request.url());
      });
      // First what the form needs (a related row is made before the form lists the choices).
      const values = await valuesFor(page, resource);
      await page.getByRole("button", { name: `New ${resource.label}`, exact: true }).click();
      await expect(dialog(page)).toBeVisible();
      await expectAccessible(page);
      const create = dialog(page).getByRole("button", { name: "Create", exact: true });
      for (const [field, text] of values) {
        if (field.label !== resource.required) await fill(dialog(page), field, text);
      }
      if (resource.required !== null) {
        // The required field left empty: the form marks it and sends nothing.
        await create.click();
        const input = dialog(page).getByLabel(resource.required, { exact: true });
        await expect(input).toHaveAttribute("aria-invalid", "true");
        await expectAccessible(page);
        expect(posts, "requests sent by a form with a missing value").toEqual([]);
        for (const [field, text] of values) {
          if (field.label === resource.required) await fill(dialog(page), field, text);
        }
      }
      await create.click();
      await expect(dialog(page)).toBeHidden();
      await expect(await find(page, resource, titleOf(resource, values))).toBeVisible();
      expect(posts).toHaveLength(1);
    });

    if (resource.editable) {
      test(`edit: the changed ${resource.title ?? "title"} is shown`, async ({ page }) => {
        const title = await createRow(page, resource);
        await row(page, title).getByRole("button", { name: "Edit", exact: true }).click();
        const changed = unique("Edited");
        await dialog(page).getByLabel(resource.title ?? "", { exact: true }).fill(changed);
        await expectAccessible(page);
        await dialog(page).getByRole("button", { name: "Save", exact: true }).click();
        await expect(dialog(page)).toBeHidden();
        await expect(await find(page, resource, changed)).toBeVisible();
        await expect(await search(page, resource, title)).toHaveCount(0);
      });
    }

    if (resource.deletable) {
      test(resource.softDelete ? "delete, then restore" : "delete", async ({ page }) => {
        const title = await createRow(page, resource);
        await row(page, title).getByRole("button", { name: "Delete", exact: true }).click();
        // Deleting asks first.
        const confirm = page.getByRole("alertdialog");
        await expect(confirm).toBeVisible();
        await expectAccessible(page);
        await confirm.getByRole("button", { name: "Delete", exact: true }).click();
        await expect(row(page, title)).toHaveCount(0);
        if (resource.softDelete) {
          const showDeleted = page.getByRole("checkbox", { name: "Show deleted", exact: true });
          await showDeleted.check();
          await (await find(page, resource, title)).getByRole("button", { name: "Restore", exact: true }).click();
          await showDeleted.uncheck();
          await expect(await find(page, resource, title)).toBeVisible();
        }
      });
    }
  });
}

/* Each custom row action opens its dialog, named by the action and the row, with its input form;
 * Cancel leaves the row as it was. (What an action does is its handler's: the project's tests.) */
for (const resource of cases.filter((c) => c.create !== null && c.actions.length > 0)) {
  test(`${resource.labelPlural}: each row action opens its form`, async ({ page }) => {
    await start(page);
    await openResource(page, resource);
    const title = await createRow(page, resource);
    for (const action of resource.actions) {
      await row(page, title).getByRole("button", { name: action.label, exact: true }).click();
      const opened = page.getByRole("dialog", { name: `${action.label}: ${title}`, exact: true });
      await expect(opened).toBeVisible();
      for (const input of action.inputs) await expect(opened.getByLabel(input, { exact: true })).toBeVisible();
      await expectAccessible(page);
      await opened.getByRole("button", { name: "Cancel", exact: true }).click();
      await expect(opened).toBeHidden();
    }
  });
}

/* A custom action run with its input: the form's values are what the API is sent, and the app
 * shows the API's answer: the dialog closes with a toast, or it stays with the refusal (a handler
 * not written yet answers 501: the app says so). */
for (const resource of cases.filter((c) => c.create !== null && c.actions.some((a) => a.fill !== null))) {
  const action = resource.actions.find((a) => a.fill !== null);
  if (action === undefined) continue;
  test(`${resource.labelPlural}: ${action.label} runs with its input`, async ({ page }) => {
    await start(page);
    await openResource(page, resource);
    const title = await createRow(page, resource);
    await row(page, title).getByRole("button", { name: action.label, exact: true }).click();
    const opened = page.getByRole("dialog", { name: `${action.label}: ${title}`, exact: true });
    const typed = new Map<string, string>();
    for (const field of action.fill ?? []) {
      const text = field.unique ? unique(field.label, field.maxLength, field.widget) : (field.value ?? "");
      await fill(opened, field, text);
      typed.set(field.name, text);
    }
    const [request] = await Promise.all([
      page.waitForRequest((sent) => sent.method() === "POST" && !sent.url().endsWith(resource.apiPath)),
      opened.getByRole("button", { name: action.label, exact: true }).click(),
    ]);
    // What was typed is what was sent (typed text as it is; a select's option as its value).
    const sent: unknown = request.postDataJSON();
    for (const field of action.fill ?? []) {
      const value = typeof sent === "object" && sent !== null ? (sent as { readonly [name: string]: unknown })[field.name] : undefined;
      expect(value, `${action.label}: the input ${field.name}`).toEqual(field.unique ? typed.get(field.name) : field.json);
    }
    const response = await request.response();
    expect(response).not.toBeNull();
    if (response?.ok()) {
      await expect(opened).toBeHidden();
      await expect(toasts(page)).toContainText(`${action.label} done: ${title}`);
    } else {
      const answer: unknown = await response?.json();
      const detail = typeof answer === "object" && answer !== null && "detail" in answer ? String(answer.detail) : "";
      await expect(opened).toContainText(detail);
      await expectAccessible(page);
      await opened.getByRole("button", { name: "Cancel", exact: true }).click();
      await expect(opened).toBeHidden();
    }
  });
}
