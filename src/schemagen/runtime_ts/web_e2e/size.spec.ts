/* A long list: 1,000 rows read page by page ("Load more") until every one is in the table, from a
 * fresh navigation, several times. The app records when each page of the list is drawn (a
 * `performance.measure` from the navigation, `schemagen:list <resource>`, its detail the row
 * count); the medians go into the test's annotations (the JSON report carries them). Nothing
 * asserts on them, as a slow machine is no bug. */

import { expect, test, type Locator, type Page } from "@playwright/test";
import { cases } from "./cases.js";
import { TENANT, createRowsByApi, deleteRowsByApi, listTable, stamp, start } from "./support.js";

const ROWS = 1000;
/** Navigations measured: the medians of these many. */
const RUNS = 5;

/** The app's measures of the list so far: the rows drawn, and the milliseconds from navigation. */
async function measured(page: Page, resource: string): Promise<{ readonly rows: number; readonly at: number }[]> {
  return page.evaluate(
    (name) =>
      performance.getEntriesByName(name, "measure").map((entry) => {
        const detail: unknown = (entry as PerformanceMeasure).detail;
        const rows = typeof detail === "object" && detail !== null && "rows" in detail ? Number(detail.rows) : 0;
        return { rows, at: entry.duration };
      }),
    `schemagen:list ${resource}`,
  );
}

/** Wait until the table has read more than `shown` rows (its `aria-rowcount` counts the header row
 * too), looking every 20 ms: the table says what it holds whether or not a frame has been drawn
 * since, so a "Load more" is never waited for through the app's own measure. */
async function readBeyond(page: Page, caption: string, shown: number, timeout?: number): Promise<void> {
  await page.waitForFunction(
    ([caption, count]) =>
      Array.from(document.querySelectorAll("table")).some(
        (table) => table.querySelector("caption")?.textContent === caption && Number(table.getAttribute("aria-rowcount")) - 1 > count,
      ),
    [caption, shown] as const,
    { polling: 20, ...(timeout === undefined ? {} : { timeout }) },
  );
}

/** Click "Load more" until the table reads more than `shown` rows: a click that lands as the
 * virtualised rows above the button are measured again can miss it (the button moved), and a
 * person clicks again. Three misses fail the test. */
async function loadMore(page: Page, more: Locator, caption: string, shown: number): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    // Playwright waits for the button to be still and on top; past 5 s that wait is a miss too.
    const clicked = await more.click({ timeout: 5_000 }).then(
      () => true,
      () => false,
    );
    const grew =
      clicked &&
      (await readBeyond(page, caption, shown, 5_000).then(
        () => true,
        () => false,
      ));
    if (grew) return;
    if (attempt === 3) throw new Error(`"Load more" clicked 3 times at ${shown} rows and the list did not grow`);
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

test(`a list of ${ROWS} rows reads every row`, async ({ page }, testInfo) => {
  const fillable = cases.filter(
    (c) => c.create !== null && c.create.every((f) => f.unique === true || f.json !== undefined || f.relation !== undefined),
  );
  // In a tenant of its own where it can: the other scenarios' lists stay short.
  const resource = fillable.find((c) => c.tenant) ?? fillable[0];
  test.skip(resource === undefined, "no resource the suite can make rows of through the API");
  if (resource === undefined) return;
  test.setTimeout(300_000);
  const tenant = resource.tenant ? `size-${stamp()}` : TENANT;
  await start(page, tenant);
  const ids = await createRowsByApi(page, resource, ROWS, tenant);
  const table = listTable(page, resource);
  const more = page.getByRole("button", { name: "Load more", exact: true });
  const read = async () => Number(await table.getAttribute("aria-rowcount")) - 1;

  const firstPage: number[] = [];
  const everyRow: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    // From a blank page: the app loads, reads the first page, then each next one on "Load more".
    await page.goto("about:blank");
    await page.goto("/" + resource.page);
    await readBeyond(page, resource.labelPlural, 0);
    for (;;) {
      const shown = await read();
      if (!(await more.isVisible())) break;
      await loadMore(page, more, resource.labelPlural, shown);
    }
    // The app measures a page once it is drawn: wait for the measure of the last one.
    const total = await read();
    await expect.poll(async () => Math.max(0, ...(await measured(page, resource.key)).map((entry) => entry.rows)), { message: "the app measured every row drawn" }).toBe(total);
    const entries = await measured(page, resource.key);
    firstPage.push(entries[0]?.at ?? 0);
    everyRow.push(entries[entries.length - 1]?.at ?? 0);
    // The table counts the header row and every row read (outside a tenant of its own, the other
    // scenarios' rows too), whatever it keeps drawn.
    const count = Number(await table.getAttribute("aria-rowcount"));
    if (resource.tenant) expect(count).toBe(ROWS + 1);
    else expect(count).toBeGreaterThanOrEqual(ROWS + 1);
    // The last row is there at the end of the page.
    await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
    await expect(page.getByRole("row").last()).toHaveAttribute("aria-rowindex", String(count));
  }
  // Outside a tenant of its own, the rows go again: the other scenarios page through shorter lists.
  if (!resource.tenant && resource.deletable) await deleteRowsByApi(page, resource, ids, tenant);
  testInfo.annotations.push({
    type: "timing",
    description:
      `${resource.labelPlural}: first page ${Math.round(median(firstPage))} ms, all ${ROWS} rows ` +
      `${Math.round(median(everyRow))} ms after navigation (medians of ${RUNS} navigations; the app's performance.measure)`,
  });
});
