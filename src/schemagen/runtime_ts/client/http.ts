/* The fetch client every generated `api.ts` calls: a client (base URL, headers, fetch, tenant,
 * branch, user), one request function, and `ApiError` for every answer that is not a success. */

import { asText } from "./text.js";

type HeaderValues = HeadersInit | (() => HeadersInit | Promise<HeadersInit>);

export interface ClientConfig {
  /** Where the API lives, e.g. "https://api.example.com"; "" is the page's own origin. */
  baseUrl: string;
  /** Headers sent with every request, or a function giving them (say, a fresh Authorization). */
  headers?: HeaderValues | undefined;
  /** The fetch to use; default: the global one, looked up at each request. */
  fetch?: typeof fetch | undefined;
  /** Sent as X-Tenant-ID: the tenant every request acts in. */
  tenantId?: string | null | undefined;
  /** Sent as X-Branch-ID: the branch to read and write (the server's default: "main"). */
  branchId?: string | null | undefined;
  /** Sent as X-User-ID: the caller, for owned resources, until real authentication replaces it. */
  userId?: string | null | undefined;
}

export interface RequestOptions {
  signal?: AbortSignal | undefined;
  /** Headers for this request only; they win over the client's. */
  headers?: HeadersInit | undefined;
  /** Sent as If-Match: the version an update of a versioned resource was based on. */
  ifMatch?: string | number | undefined;
  /** The client to send with; default: `defaultClient`. */
  client?: ApiClient | undefined;
}

/** What a request carries beside its method and path. */
export interface RequestBody {
  query?: object | undefined;
  body?: unknown;
}

/** An answer that is not a success: `{detail, error_code, field}` as the API sends it. */
export class ApiError extends Error {
  override readonly name = "ApiError";
  readonly status: number;
  /** not_found, conflict, version_conflict, precondition_required, validation_error, invalid_reference, tenant_required,
   * authentication_required, forbidden, undo_expired, undo_used, ... */
  readonly error_code: string;
  /** The API field the error is about, when there is one. */
  readonly field: string | null;
  readonly detail: string;
  /** The answer's body as it came. */
  readonly body: unknown;

  constructor(status: number, body: unknown) {
    const error: { readonly [key: string]: unknown } = typeof body === "object" && body !== null ? { ...body } : {};
    const detail = typeof error["detail"] === "string" ? error["detail"] : typeof body === "string" && body ? body : "HTTP " + String(status);
    super(detail);
    this.status = status;
    this.error_code = typeof error["error_code"] === "string" ? error["error_code"] : "http_" + String(status);
    this.field = typeof error["field"] === "string" ? error["field"] : null;
    this.detail = detail;
    this.body = body;
  }
}

/** Query parameters as the API reads them: lists joined with commas, nothing for undefined or null. */
export function queryParams(params: object | undefined): { [name: string]: string } {
  const result: { [name: string]: string } = {};
  const entries: [string, unknown][] = Object.entries(params ?? {});
  for (const [name, value] of entries) {
    if (value === undefined || value === null) continue;
    result[name] = asText(value);
  }
  return result;
}

/** A base URL, headers and a fetch: `defaultClient` is one; make more with `createApiClient`. */
export class ApiClient {
  config: ClientConfig;

  constructor(config: ClientConfig) {
    this.config = { ...config };
  }

  /** Change some settings of this client; the others stay. */
  configure(config: Partial<ClientConfig>): this {
    this.config = { ...this.config, ...config };
    return this;
  }

  /** One request: JSON in, JSON out; anything but a 2xx answer throws an `ApiError`. */
  async request<R>(method: string, path: string, init: RequestBody & RequestOptions = {}): Promise<R> {
    const config = this.config;
    const headers = new Headers(typeof config.headers === "function" ? await config.headers() : config.headers);
    headers.set("Accept", "application/json");
    if (config.tenantId) headers.set("X-Tenant-ID", config.tenantId);
    if (config.branchId) headers.set("X-Branch-ID", config.branchId);
    if (config.userId) headers.set("X-User-ID", config.userId);
    new Headers(init.headers).forEach((value, name) => headers.set(name, value));
    if (init.ifMatch !== undefined) headers.set("If-Match", '"' + String(init.ifMatch) + '"');
    let body: string | null = null;
    if (init.body !== undefined) {
      headers.set("Content-Type", "application/json");
      body = JSON.stringify(init.body);
    }
    const search = new URLSearchParams(queryParams(init.query)).toString();
    const url = config.baseUrl.replace(/\/+$/, "") + path + (search ? "?" + search : "");
    const send = config.fetch ?? globalThis.fetch;
    const response = await send(url, { method, headers, body, signal: init.signal ?? null });
    const text = response.status === 204 ? "" : await response.text();
    let data: unknown = undefined;
    if (text) {
      try {
        data = JSON.parse(text);
      } catch {
        data = text;
      }
    }
    if (!response.ok) throw new ApiError(response.status, data);
    // The generated function's signature names what this route answers; the server is trusted for it.
    return data as R;
  }
}

/** A client of its own, for another server, tenant or branch: pass it as `{client}` in the options. */
export function createApiClient(config: ClientConfig): ApiClient {
  return new ApiClient(config);
}

/** The client every function uses unless its options name another. */
export const defaultClient = new ApiClient({ baseUrl: "" });

/** Set the default client's base URL, headers, fetch, tenant or branch. */
export function configureClient(config: Partial<ClientConfig>): ApiClient {
  return defaultClient.configure(config);
}

/** One request with the client the options name (else `defaultClient`): what every generated function calls. */
export function request<R>(options: RequestOptions | undefined, method: string, path: string, init: RequestBody = {}): Promise<R> {
  const { client, ...rest } = options ?? {};
  return (client ?? defaultClient).request<R>(method, path, { ...rest, ...init });
}

/** A path segment: the id or name, percent-encoded. */
export function segment(id: string | number): string {
  return encodeURIComponent(String(id));
}

/** How `POST /api/actions` carries an action's arguments: list parameters, an id, a body, both,
 * or nothing (a tenant's own row: the X-Tenant-ID header says whose). */
export type ActionWire = "params" | "id" | "body" | "id+body" | "none";

/** Run an action through `POST /api/actions`: its arguments are laid out as `wire` says, options last. */
export function sendAction<R>(action: string, wire: ActionWire, values: readonly unknown[]): Promise<R> {
  const payload: { action: string; id?: unknown; input?: unknown } = { action };
  if (wire === "id" || wire === "id+body") payload.id = values[0];
  if (wire === "params") payload.input = actionParams(asObject(values[0]));
  if (wire === "body") payload.input = values[0] ?? {};
  if (wire === "id+body") payload.input = values[1] ?? {};
  const options = values[wire === "id+body" ? 2 : wire === "none" ? 0 : 1];
  return request<R>(isRequestOptions(options) ? options : undefined, "POST", "/api/actions", { body: payload });
}

/** A list's parameters as the action router takes them: JSON values (numbers, booleans, `__in`
 * lists), nothing for undefined or null; `sort`, a list of keys here, is one comma-separated text
 * there as in the query string. */
export function actionParams(params: object | undefined): { [name: string]: unknown } {
  const result: { [name: string]: unknown } = {};
  const entries: [string, unknown][] = Object.entries(params ?? {});
  for (const [name, value] of entries) {
    if (value === undefined || value === null) continue;
    result[name] = name === "sort" ? asText(value) : value;
  }
  return result;
}

function asObject(value: unknown): object | undefined {
  return typeof value === "object" && value !== null ? value : undefined;
}

function isRequestOptions(value: unknown): value is RequestOptions {
  return typeof value === "object" && value !== null;
}
