/* What the browser suite's scenarios share: the shape of a resource's case (e2e/cases.ts, generated
 * per project from the client's form and table definitions) and the steps they repeat, each done
 * as a person does it: by role and label. */

import AxeBuilder from "@axe-core/playwright";
import { expect, type Locator, type Page } from "@playwright/test";

/** How a scenario fills one form field: typed text made unique per run, or a fixed value. */
export interface FieldFill {
  readonly label: string;
  /** Its name in the API's Create shape, for rows made without the form. */
  readonly name: string;
  readonly widget: string;
  /** Text typed into the field, made unique (within `maxLength`) each time. */
  readonly unique?: boolean;
  readonly maxLength?: number;
  /** The value to type, or the option to choose (its label)... */
  readonly value?: string;
  /** ...and the same value as the API takes it. */
  readonly json?: string | number | boolean;
}

/** One resource as the app shows it, and what the scenarios may do with it. */
export interface ResourceCase {
  /** The resource's name in the schema and the client (`office`). */
  readonly key: string;
  /** Its label and plural label: "New <label>", the menu's link and the page's heading. */
  readonly label: string;
  readonly labelPlural: string;
  /** Its page in the app: `#/offices`. */
  readonly page: string;
  /** Its list's path in the API, where rows are made without the form. */
  readonly apiPath: string;
  /** Its rows are per tenant. */
  readonly tenant: boolean;
  /** The fields a valid create fills (null: the scenarios cannot fill this form). */
  readonly create: readonly FieldFill[] | null;
  /** The label of the field that names a row (typed, unique): how a row is found again. */
  readonly title: string | null;
  /** A required text field: left empty, the form shows an error before it sends anything. */
  readonly required: string | null;
  readonly editable: boolean;
  readonly deletable: boolean;
  readonly softDelete: boolean;
  /** Its list searches the title field: the search box finds a row by its title. */
  readonly searchable: boolean;
  /** The headers of the sortable columns. */
  readonly sortable: readonly string[];
  readonly pageSize: number;
  /** Its custom row actions: the button's label, and the labels of its input form's fields. */
  readonly actions: readonly { readonly label: string; readonly inputs: readonly string[] }[];
  /** Its single relations: the form field's label, and the related resource's key. */
  readonly relations: readonly { readonly label: string; readonly resource: string }[];
}

/** The scope the scenarios act in, typed into the app's switchers and sent with rows made
 * without the form. */
export const TENANT = "e2e-tenant";
export const USER = "e2e-user";

/** A text no earlier run made. */
export function stamp(): string {
  return Date.now().toString(36) + Math.floor(Math.random() * 1e8).toString(36);
}

/** A value no earlier run typed, as the field's widget takes it: rows are found again by it. */
export function unique(prefix: string, maxLength = 255, widget = "text"): string {
  if (widget === "email") return `e2e.${stamp()}@example.com`;
  if (widget === "url") return `https://example.com/${stamp()}`;
  const text = prefix + " " + stamp();
  return text.length <= maxLength ? text : text.slice(text.length - maxLength);
}

/** The impacts that fail a page: axe-core's "serious" and "critical". */
const FAILING = new Set(["serious", "critical"]);

/** axe-core finds no serious or critical violation on the page as it is now. */
export async function expectAccessible(page: Page): Promise<void> {
  const results = await new AxeBuilder({ page }).analyze();
  const failing = results.violations
    .filter((violation) => FAILING.has(violation.impact ?? ""))
    .map((violation) => {
      const where = violation.nodes.map((node) => node.target.join(" ")).join("; ");
      return `${violation.impact}: ${violation.id} (${violation.help}) at ${where}`;
    });
  expect(failing, "axe-core: serious or critical violations").toEqual([]);
}

/** The menu: the app's navigation landmark. */
export function menu(page: Page): Locator {
  return page.getByRole("navigation", { name: "Resources" });
}

/** Open the app at / and act in the scenarios' scope (or in `tenant`): each switcher the app
 * shows (tenant, user) gets its value, as a person types it. */
export async function start(page: Page, tenant = TENANT): Promise<void> {
  await page.goto("/");
  await expect(menu(page)).toBeVisible();
  for (const [label, value] of [
    ["Tenant", tenant],
    ["User", USER],
  ] as const) {
    const field = page.getByRole("textbox", { name: label, exact: true });
    if ((await field.count()) > 0) {
      await field.fill(value);
      await field.press("Enter");
    }
  }
}

/** Open the resource's page from the menu, and wait for its heading. */
export async function openResource(page: Page, resource: ResourceCase): Promise<void> {
  await menu(page).getByRole("link", { name: resource.labelPlural, exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: resource.labelPlural, exact: true })).toBeVisible();
}

/** Fill one field of a form the way a person does: found by its label. */
export async function fill(form: Locator, field: FieldFill, text: string): Promise<void> {
  const input = form.getByLabel(field.label, { exact: true });
  if (field.widget === "select") {
    await input.selectOption({ label: text });
  } else if (field.widget === "checkbox") {
    await input.check();
  } else {
    await input.fill(text);
  }
}

/** Values for a create form: unique text where the field is typed (the title starting with
 * `prefix` when given), the fixed value elsewhere. */
export function valuesFor(resource: ResourceCase, prefix?: string): Map<FieldFill, string> {
  const values = new Map<FieldFill, string>();
  for (const field of resource.create ?? []) {
    const start = field.label === resource.title && prefix !== undefined ? prefix : field.label;
    values.set(field, field.unique ? unique(start, field.maxLength, field.widget) : (field.value ?? ""));
  }
  return values;
}

/** The title among a create form's values. */
export function titleOf(resource: ResourceCase, values: Map<FieldFill, string>): string {
  for (const [field, text] of values) if (field.label === resource.title) return text;
  throw new Error(`${resource.key}: its case fills no title field`);
}

/** The table's row that shows `text` in a cell (or in its row header). */
export function row(page: Page, text: string): Locator {
  const named = { name: text, exact: true };
  return page.getByRole("row").filter({ has: page.getByRole("rowheader", named).or(page.getByRole("cell", named)) });
}

/** The open dialog. */
export function dialog(page: Page): Locator {
  return page.getByRole("dialog");
}

/** Search the list for `text` where the resource is searchable; the rows that show it. */
export async function search(page: Page, resource: ResourceCase, text: string): Promise<Locator> {
  if (resource.searchable) {
    await page.getByRole("searchbox", { name: `Search ${resource.labelPlural}`, exact: true }).fill(text);
  }
  return row(page, text);
}

/** The row that shows `text`, found as a person finds it in a long list (other scenarios may have
 * filled pages before it): by a search where the list has one, else page by page ("Load more"). */
export async function find(page: Page, resource: ResourceCase, text: string): Promise<Locator> {
  const found = await search(page, resource, text);
  const more = page.getByRole("button", { name: "Load more", exact: true });
  for (;;) {
    // The list has been read: the row shows, or there is a next page to look in.
    await expect(found.or(more).first()).toBeVisible();
    if (await found.isVisible()) return found;
    await more.click();
  }
}

/** Create a row through "New <label>", and find it in the list; the title it was given. */
export async function createRow(page: Page, resource: ResourceCase, prefix?: string): Promise<string> {
  const values = valuesFor(resource, prefix);
  await page.getByRole("button", { name: `New ${resource.label}`, exact: true }).click();
  for (const [field, text] of values) await fill(dialog(page), field, text);
  await dialog(page).getByRole("button", { name: "Create", exact: true }).click();
  await expect(dialog(page)).toBeHidden();
  const title = titleOf(resource, values);
  await expect(await find(page, resource, title)).toBeVisible();
  return title;
}

/** Make `count` rows through the API, as another user of the same scope would; their ids. */
export async function createRowsByApi(page: Page, resource: ResourceCase, count: number, tenant = TENANT): Promise<unknown[]> {
  const ids: unknown[] = [];
  for (let index = 0; index < count; index++) {
    const body: { [name: string]: unknown } = {};
    for (const field of resource.create ?? []) {
      body[field.name] = field.unique ? unique(field.label, field.maxLength, field.widget) : field.json;
    }
    const response = await page.request.post(resource.apiPath, { data: body, headers: scopeHeaders(tenant) });
    expect(response.status(), await response.text()).toBe(201);
    const made: unknown = await response.json();
    ids.push(typeof made === "object" && made !== null && "id" in made ? made.id : null);
  }
  return ids;
}

/** Delete rows made through the API: a scenario leaves the lists of the others as it found them. */
export async function deleteRowsByApi(page: Page, resource: ResourceCase, ids: readonly unknown[], tenant = TENANT): Promise<void> {
  for (const id of ids) {
    const response = await page.request.delete(`${resource.apiPath}/${encodeURIComponent(String(id))}`, { headers: scopeHeaders(tenant) });
    expect(response.status(), await response.text()).toBe(204);
  }
}

function scopeHeaders(tenant: string): { [name: string]: string } {
  return { "X-Tenant-ID": tenant, "X-User-ID": USER };
}
