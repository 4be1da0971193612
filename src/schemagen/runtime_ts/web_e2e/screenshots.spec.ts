/* Pictures of the app for its README: the start page, each named view with a few rows (a table
 * view with its first custom row action's dialog open too, a tree view with children under a
 * parent), and the form that makes a row of the first view's resource. They are made in a tenant
 * and as a user of their own, from rows of fixed names and times, in a fixed viewport, locale and
 * time zone, so the same app gives the same pictures. Written into SCREENSHOTS_DIR (default
 * test-results/screenshots); schemagen's tests copy the showcase's into docs/ when asked. */

import { expect, test, type Page } from "@playwright/test";
import { cases } from "./cases.js";
import { viewCases } from "./view_cases.js";
import { makeRow, makeable, viewsMenu, type Scope } from "./view_support.js";

const SCOPE: Scope = { tenant: "screenshots", user: "screenshots" };
const DIR = process.env["SCREENSHOTS_DIR"] ?? "test-results/screenshots";

test.use({ viewport: { width: 1280, height: 800 }, locale: "en-US", timezoneId: "UTC", colorScheme: "light" });

/** A file name of letters, digits and dashes. */
function fileName(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "") + ".png";
}

/** Requests the page has sent and not yet had answered. */
const pending = new WeakMap<Page, Set<object>>();

function track(page: Page): void {
  const open = new Set<object>();
  pending.set(page, open);
  page.on("request", (request) => open.add(request));
  page.on("requestfinished", (request) => open.delete(request));
  page.on("requestfailed", (request) => open.delete(request));
}

/** Wait until no request has been open for a while: every read has come back, and the ones it
 * started (a related row's title, read after its list) too. A hash route is no page load, so
 * Playwright's own "networkidle" is reached once and for all with the first page. */
async function quiet(page: Page): Promise<void> {
  const open = pending.get(page) ?? new Set();
  let calm = 0;
  while (calm < 5) {
    await page.waitForTimeout(100);
    calm = open.size === 0 ? calm + 1 : 0;
  }
}

async function shoot(page: Page, name: string): Promise<void> {
  // Every read has come back (related rows' titles too), nothing blinks, nothing is hovered.
  await page.mouse.move(0, 0);
  await quiet(page);
  await expect(page.getByRole("status").filter({ hasText: /Loading/ })).toHaveCount(0);
  await page.screenshot({ path: `${DIR}/${fileName(name)}`, animations: "disabled", caret: "hide" });
}

async function open(page: Page): Promise<void> {
  await page.goto("/");
  for (const [label, value] of [
    ["Tenant", SCOPE.tenant],
    ["User", SCOPE.user],
  ] as const) {
    const field = page.getByRole("textbox", { name: label, exact: true });
    if ((await field.count()) > 0) {
      await field.fill(value);
      await field.press("Enter");
    }
  }
}

test("screenshots of the start page, the views and a form", async ({ page }) => {
  test.setTimeout(120_000);
  track(page);
  await open(page);
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  await shoot(page, "home");

  for (const view of viewCases) {
    if (!makeable(view)) continue;
    const label = cases.find((c) => c.key === view.resource)?.label ?? view.resource;
    if (view.tree === null) {
      // Three rows the view lists, a day apart where it asks for a time before now.
      for (const n of [1, 2, 3]) {
        const extra = Object.fromEntries((view.make?.past ?? []).map((name) => [name, `2024-03-0${n}T09:00:00Z`]));
        await makeRow(page, view, label, { scope: SCOPE, title: `${label} ${n}`, extra });
      }
    } else {
      const first = await makeRow(page, view, label, { scope: SCOPE, title: `${label} 1` });
      for (const n of [1, 2]) {
        await makeRow(page, view, label, { scope: SCOPE, title: `${label} 1.${n}`, extra: { [view.tree]: first.id } });
      }
      await makeRow(page, view, label, { scope: SCOPE, title: `${label} 2` });
    }
    await viewsMenu(page).getByRole("link", { name: view.title, exact: true }).click();
    await expect(page.getByRole("heading", { level: 1, name: view.title, exact: true })).toBeVisible();
    await expect(page.getByText(`${label} 1`, { exact: true }).first()).toBeVisible();
    await shoot(page, `view ${view.title}`);
    const action = view.actions[0];
    if (view.tree === null && action !== undefined) {
      await page.getByRole("row").filter({ hasText: `${label} 1` }).first().getByRole("button", { name: action.label, exact: true }).click();
      await expect(page.getByRole("dialog")).toBeVisible();
      await shoot(page, `view ${view.title} ${action.label}`);
      await page.getByRole("dialog").getByRole("button", { name: "Cancel", exact: true }).click();
    }
  }

  // The form of the first table view's resource the suite can fill (else a tree view's, else of
  // the first such resource).
  const fillable = cases.filter((c) => c.create !== null);
  const tablesFirst = [...viewCases.filter((v) => v.tree === null), ...viewCases.filter((v) => v.tree !== null)];
  const first = tablesFirst.map((v) => fillable.find((c) => c.key === v.resource)).find((c) => c !== undefined) ?? fillable[0];
  if (first !== undefined) {
    await page.getByRole("navigation", { name: "Resources" }).getByRole("link", { name: first.labelPlural, exact: true }).click();
    await page.getByRole("button", { name: `New ${first.label}`, exact: true }).click();
    await expect(page.getByRole("dialog")).toBeVisible();
    await shoot(page, `new ${first.label}`);
  }
});
