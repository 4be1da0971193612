/* A small typed router over the URL's hash (`#/offices`, `#/offices/<id>`, a named view
 * `#/offices/views/<name>`): the routes are the
 * resources the generated app lists at run time, so a router library's typed route tree would give
 * nothing here, and hash routes need no fallback from the server that serves the built files. */

import { useSyncExternalStore } from "react";

export type Route =
  | { readonly kind: "home" }
  | { readonly kind: "list"; readonly path: string }
  | { readonly kind: "detail"; readonly path: string; readonly id: string }
  | { readonly kind: "view"; readonly path: string; readonly view: string };

/** The segment between a resource's path and a view's name: a row's page has two segments, a
 * view's three, so no id is ever taken for a view. */
const VIEWS = "views";

/** The route a hash names: "" and "#/" are home; unknown paths are the page's to report. */
export function parseHash(hash: string): Route {
  const parts = hash
    .replace(/^#\/?/, "")
    .split("/")
    .filter((part) => part !== "")
    .map((part) => {
      try {
        return decodeURIComponent(part);
      } catch {
        return part;
      }
    });
  const [path, id, view] = parts;
  if (path === undefined) return { kind: "home" };
  if (id === undefined) return { kind: "list", path };
  if (id === VIEWS && view !== undefined && parts.length === 3) return { kind: "view", path, view };
  return { kind: "detail", path, id };
}

/** The hash of a list (`href("offices")`) or of a row's page (`href("offices", id)`). */
export function href(path: string, id?: string | number): string {
  return "#/" + encodeURIComponent(path) + (id === undefined ? "" : "/" + encodeURIComponent(String(id)));
}

/** The hash of a resource's named view: `viewHref("opportunities", "due_actions")`. */
export function viewHref(path: string, view: string): string {
  return href(path) + "/" + VIEWS + "/" + encodeURIComponent(view);
}

/** Go to a hash, as a link would. */
export function navigate(to: string): void {
  window.location.hash = to;
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener("hashchange", onChange);
  return () => window.removeEventListener("hashchange", onChange);
}

function currentHash(): string {
  return window.location.hash;
}

/** The current route, re-rendering on every change of the hash. */
export function useRoute(): Route {
  return parseHash(useSyncExternalStore(subscribe, currentHash, () => ""));
}
