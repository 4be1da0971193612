/* What the view scenarios (views.spec.ts) share: the shape of a named view's case (e2e/view_cases.ts,
 * generated per project from the client's table and form definitions) and how a row it lists is
 * made, through the API as another user of the same scope would. */

import { expect, type Locator, type Page } from "@playwright/test";
import { cases } from "./cases.js";
import { TENANT, USER, type FieldFill, unique } from "./support.js";

/** A named view of a resource, as the app shows it. */
export interface ViewCase {
  /** The resource's name (`opportunity`). */
  readonly resource: string;
  /** Its title: the menu's link, the page's heading, the table's caption or the tree's name. */
  readonly title: string;
  /** Its page: `#/opportunities/views/due_actions`. */
  readonly page: string;
  /** The resource's list in the API, where its rows are made. */
  readonly apiPath: string;
  /** A tree view: the self relation's API name (`parent_id`); null for a table. */
  readonly tree: string | null;
  /** The headers of its columns, in order. */
  readonly headers: readonly string[];
  /** How a row it lists is made; null when its conditions ask for what the suite cannot pick. */
  readonly make: {
    /** The API name of the field that names a row (typed, unique). */
    readonly title: string;
    /** The create's other fields, filled as the resource's case fills them. */
    readonly fill: readonly FieldFill[];
    /** The values the view's conditions ask for (a long past time for `lte: now`). */
    readonly match: { readonly [name: string]: unknown };
    /** The fields it wants before now (`lte: now`): any time in the past will do. */
    readonly past: readonly string[];
    /** Required relations: a row of that resource is made first, and named here. */
    readonly relations: readonly { readonly name: string; readonly resource: string }[];
  } | null;
  /** Its custom row actions: the label, its input form's labels, and whether the form may be sent
   * empty. */
  readonly actions: readonly { readonly label: string; readonly inputs: readonly string[]; readonly submit: boolean }[];
}

/** Who makes the rows: the tenant and user the app's switchers act as. */
export interface Scope {
  readonly tenant: string;
  readonly user: string;
}

const SUITE: Scope = { tenant: TENANT, user: USER };

async function post(page: Page, path: string, body: object, scope: Scope): Promise<{ readonly id: unknown }> {
  const response = await page.request.post(path, { data: body, headers: { "X-Tenant-ID": scope.tenant, "X-User-ID": scope.user } });
  expect(response.status(), await response.text()).toBe(201);
  const made: unknown = await response.json();
  return { id: typeof made === "object" && made !== null && "id" in made ? made.id : null };
}

/** How a row is made: `extra` values over what the view asks, in `scope`; with `title`, every typed
 * text is that title (and a related row's, its resource's label and the title): the same each run. */
export interface MakeOptions {
  readonly extra?: { readonly [name: string]: unknown };
  readonly scope?: Scope;
  readonly title?: string;
}

/** Make a row the view lists; its title and id. Typed texts are unique (starting with `prefix`),
 * unless `options.title` fixes them. */
export async function makeRow(page: Page, view: ViewCase, prefix: string, options: MakeOptions = {}): Promise<{ readonly title: string; readonly id: unknown }> {
  const scope = options.scope ?? SUITE;
  const typed = (field: FieldFill, start: string, fixed: string | undefined) => {
    if (fixed === undefined) return unique(start, field.maxLength, field.widget);
    const slug = fixed.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
    if (field.widget === "email") return `${slug}@example.com`;
    if (field.widget === "url") return `https://example.com/${slug}`;
    return fixed.slice(0, field.maxLength ?? fixed.length);
  };
  const make = view.make;
  if (make === null) throw new Error(`${view.title}: the suite cannot make its rows`);
  const body: { [name: string]: unknown } = {};
  for (const relation of make.relations) {
    const related = cases.find((c) => c.key === relation.resource);
    if (related?.create == null) throw new Error(`${view.title}: cannot make a ${relation.resource} for ${relation.name}`);
    const relatedBody: { [name: string]: unknown } = {};
    const fixed = options.title === undefined ? undefined : `${related.label} of ${options.title}`;
    for (const field of related.create) relatedBody[field.name] = field.unique ? typed(field, field.label, fixed) : field.json;
    body[relation.name] = (await post(page, related.apiPath, relatedBody, scope)).id;
  }
  let title = "";
  for (const field of make.fill) {
    const value = field.unique ? typed(field, field.name === make.title ? prefix : field.label, options.title) : field.json;
    body[field.name] = value;
    if (field.name === make.title) title = String(value);
  }
  Object.assign(body, make.match, options.extra ?? {});
  const { id } = await post(page, view.apiPath, body, scope);
  return { title, id };
}

/** Whether the suite can make the view's rows: its conditions, and each required relation's resource. */
export function makeable(view: ViewCase): boolean {
  // A related row is made from its resource's own fill, which must need no further related row.
  return view.make !== null && view.make.relations.every((relation) => cases.find((c) => c.key === relation.resource)?.create?.every((field) => field.widget !== "relation") === true);
}

/** The views menu: the navigation landmark before the resources'. */
export function viewsMenu(page: Page): Locator {
  return page.getByRole("navigation", { name: "Views" });
}
