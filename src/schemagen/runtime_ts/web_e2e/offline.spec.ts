/* Local-first, in the browser against the real backend: writes made with the API unreachable are
 * shown at once, kept across a reload and sent once on reconnect; a write in one browser reaches
 * another's open list through the change feed; and the figures the app measures (a list answered
 * from the copy, a write shown before the server answers) reported as "timing" annotations. */

import { expect, test, type Browser, type Page } from "@playwright/test";
import { cases } from "./cases.js";
import { createRow, dialog, fill, find, listTable, openResource, row, search, start, unique, valuesFor, titleOf, type ResourceCase } from "./support.js";

/** A resource the app copies whose create form the suite fills without a related row. */
const subject: ResourceCase | undefined = cases.find(
  (c) => c.clientIds && c.create !== null && c.create.every((field) => field.relation === undefined) && c.title !== null && c.editable && c.deletable && c.searchable,
);

const API = /\/api\//;

/** The API unreachable from this page (the app's own files still load), or reachable again. */
async function apiDown(page: Page, down: boolean): Promise<void> {
  if (down) await page.route(API, (route) => route.abort("internetdisconnected"));
  else await page.unroute(API);
}

function sync(page: Page) {
  return page.getByRole("status", { name: "Sync", exact: true });
}

/** The median of some numbers. */
function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/** The rows of the resource the server has for the page's scope, by title. */
async function serverTitles(page: Page, resource: ResourceCase, prefix: string): Promise<string[]> {
  const titleField = resource.create?.find((field) => field.label === resource.title)?.name ?? "";
  const response = await page.request.get(resource.apiPath, { params: { q: prefix, limit: 500 }, headers: { "X-Tenant-ID": "e2e-tenant", "X-User-ID": "e2e-user" } });
  expect(response.status()).toBe(200);
  const body = (await response.json()) as { items: { readonly [name: string]: unknown }[] };
  return body.items.map((item) => String(item[titleField])).sort();
}

/** Record in the page when a button named `button` is clicked (null: not here) and when a table
 * row showing `text` is first drawn, as wall-clock ms (so two pages compare): read by `watched`. */
async function watch(page: Page, button: string | null, text: string): Promise<void> {
  await page.evaluate(
    ([button, text]) => {
      const times: { clicked?: number; shown?: number } = {};
      Object.assign(window, { schemagenTimes: times });
      if (button !== null) {
        document.addEventListener(
          "click",
          (event) => {
            if (event.target instanceof Element && event.target.closest("button")?.textContent === button) times.clicked = performance.timeOrigin + event.timeStamp;
          },
          { capture: true },
        );
      }
      const seen = () => Array.from(document.querySelectorAll("tr")).some((tr) => tr.textContent?.includes(text) === true);
      const observer = new MutationObserver(() => {
        if (times.shown === undefined && seen()) {
          times.shown = performance.timeOrigin + performance.now();
          observer.disconnect();
        }
      });
      observer.observe(document.body, { subtree: true, childList: true, characterData: true });
    },
    [button, text] as const,
  );
}

async function watched(page: Page): Promise<{ clicked: number; shown: number }> {
  return page.evaluate(() => {
    const times = (window as unknown as { schemagenTimes: { clicked?: number; shown?: number } }).schemagenTimes;
    return { clicked: times.clicked ?? Number.NaN, shown: times.shown ?? Number.NaN };
  });
}

/** Click the resource in the menu and time, in the page, until its list table has drawn rows. */
async function menuToRows(page: Page, resource: ResourceCase): Promise<number> {
  const link = page.getByRole("navigation", { name: "Resources" }).getByRole("link", { name: resource.labelPlural, exact: true });
  await link.evaluate((element, caption) => {
    const times: { clicked?: number; shown?: number } = {};
    Object.assign(window, { schemagenTimes: times });
    element.addEventListener("click", (event) => (times.clicked = performance.timeOrigin + event.timeStamp), { once: true });
    const drawn = () => Array.from(document.querySelectorAll("table")).some((table) => table.querySelector("caption")?.textContent === caption && table.querySelector("tbody tr") !== null);
    const observer = new MutationObserver(() => {
      if (times.shown === undefined && drawn()) {
        times.shown = performance.timeOrigin + performance.now();
        observer.disconnect();
      }
    });
    observer.observe(document.body, { subtree: true, childList: true });
  }, resource.labelPlural);
  await link.click();
  await expect(listTable(page, resource).locator("tbody tr").first()).toBeVisible();
  const times = await watched(page);
  return times.shown - times.clicked;
}

/** This browser keeps a local copy (the header's "Work offline", remembered across reloads). */
async function workOffline(page: Page): Promise<void> {
  await page.getByRole("checkbox", { name: "Work offline", exact: true }).check();
  await expect(sync(page)).toContainText("Online");
}

async function newPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext();
  return context.newPage();
}

test.describe("local-first", () => {
  test.skip(subject === undefined, "no resource the suite can make offline");
  const resource = subject as ResourceCase;

  test("offline: create, edit and delete are kept across a reload and sent once on reconnect", async ({ page }) => {
    await start(page);
    await workOffline(page);
    await openResource(page, resource);
    const prefix = unique("Offline");
    const kept = await createRow(page, resource, prefix + " kept");
    const doomed = await createRow(page, resource, prefix + " doomed");
    await expect(sync(page)).toContainText("Online");

    await apiDown(page, true);
    // Create.
    const values = await valuesFor(page, resource, prefix + " new");
    await page.getByRole("button", { name: `New ${resource.label}`, exact: true }).click();
    for (const [field, text] of values) await fill(dialog(page), field, text);
    await dialog(page).getByRole("button", { name: "Create", exact: true }).click();
    await expect(dialog(page)).toBeHidden();
    const made = titleOf(resource, values);
    await expect(await find(page, resource, made)).toBeVisible();
    await expect(sync(page)).toContainText("Offline");
    // Edit.
    await search(page, resource, kept);
    await row(page, kept).getByRole("button", { name: "Edit", exact: true }).click();
    const edited = prefix + " edited";
    await dialog(page).getByLabel(resource.title ?? "", { exact: true }).fill(edited);
    await dialog(page).getByRole("button", { name: "Save", exact: true }).click();
    await expect(dialog(page)).toBeHidden();
    await expect(await find(page, resource, edited)).toBeVisible();
    // Delete.
    await search(page, resource, doomed);
    await row(page, doomed).getByRole("button", { name: "Delete", exact: true }).click();
    await page.getByRole("alertdialog").getByRole("button", { name: "Delete", exact: true }).click();
    await expect(row(page, doomed)).toHaveCount(0);
    await expect(sync(page)).toContainText("3 changes to send");

    // A reload with the API still unreachable: the rows and the queue come back from IndexedDB.
    await page.reload();
    await openResource(page, resource);
    await expect(sync(page)).toContainText("3 changes to send");
    await expect(await find(page, resource, made)).toBeVisible();
    await expect(await find(page, resource, edited)).toBeVisible();
    await search(page, resource, doomed);
    await expect(row(page, doomed)).toHaveCount(0);
    expect(await serverTitles(page, resource, prefix), "nothing reached the server yet").toEqual([doomed, kept].sort());

    // Reconnect: the queue is sent, and the server ends as the client shows it: the new row once,
    // the edit applied, the deleted row gone.
    await apiDown(page, false);
    await page.evaluate(() => window.dispatchEvent(new Event("online")));
    await expect(sync(page)).not.toContainText("to send", { timeout: 10_000 });
    await expect(sync(page)).toContainText("Online");
    const server = await serverTitles(page, resource, prefix);
    expect(server).toEqual([edited, made].sort());
  });

  test("a write in one browser reaches another browser's open list through the feed", async ({ browser }) => {
    // Twenty rounds of each measure, for medians.
    test.setTimeout(240_000);
    const [writer, reader] = [await newPage(browser), await newPage(browser)];
    const fed: number[] = [];
    const shown: number[] = [];
    for (const page of [writer, reader]) {
      await start(page);
      await workOffline(page);
      await openResource(page, resource);
    }
    for (let round = 0; round < 20; round++) {
      const prefix = unique("Fed");
      await search(reader, resource, prefix);
      await expect(listTable(reader, resource)).toHaveAttribute("aria-busy", "false");
      const values = await valuesFor(writer, resource, prefix);
      const title = titleOf(resource, values);
      // The writer's list searches for the row first (its search waits for typing to pause).
      await search(writer, resource, title);
      await expect(listTable(writer, resource)).toHaveAttribute("aria-busy", "false");
      await writer.getByRole("button", { name: `New ${resource.label}`, exact: true }).click();
      for (const [field, text] of values) await fill(dialog(writer), field, text);
      await watch(writer, "Create", title);
      await watch(reader, null, title);
      await dialog(writer).getByRole("button", { name: "Create", exact: true }).click();
      await expect(row(writer, title)).toBeVisible();
      await expect(row(reader, title)).toBeVisible({ timeout: 1_000 });
      await expect(dialog(writer)).toBeHidden();
      const [mine, theirs] = [await watched(writer), await watched(reader)];
      shown.push(mine.shown - mine.clicked);
      fed.push(theirs.shown - mine.clicked);
    }
    // A list the copy answers, from a click in the menu to its rows drawn: in the page that has it
    // in memory, then after a reload (read from IndexedDB).
    const listed: number[] = [];
    const reloaded: number[] = [];
    for (let round = 0; round < 20; round++) {
      await reader.locator("a.sg-brand").click();
      listed.push(await menuToRows(reader, resource));
      // A new page load at home: the copy is read back from IndexedDB as the list asks for it.
      await reader.goto("/#/");
      await expect(reader.locator("a.sg-brand")).toBeVisible();
      reloaded.push(await menuToRows(reader, resource));
    }
    test.info().annotations.push({
      type: "timing",
      description:
        `local-first (medians of 20): a write shown in its own list ${median(shown).toFixed(1)} ms after the click (max ${Math.max(...shown).toFixed(1)}), ` +
        `in another browser's open list ${median(fed).toFixed(0)} ms (max ${Math.max(...fed).toFixed(0)}); ` +
        `a list from the menu to its rows ${median(listed).toFixed(1)} ms from memory, ${median(reloaded).toFixed(1)} ms after a reload (IndexedDB)`,
    });
    expect(Math.max(...fed), "another browser shows the write within 1 s").toBeLessThan(1_000);
    for (const page of [writer, reader]) await page.context().close();
  });
});
