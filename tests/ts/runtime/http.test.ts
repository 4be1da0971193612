/* The fetch client of runtime/http.ts against a fake fetch: headers, bodies, errors, actions. */

import assert from "node:assert/strict";
import { test } from "node:test";
import { ApiClient, ApiError, configureClient, createApiClient, defaultClient, queryParams, request, segment, sendAction } from "../runtime/client/http.js";
import { asText } from "../runtime/client/text.js";
import { RUNTIME_VERSION } from "../runtime/client/version.js";

interface Sent {
  url: string;
  method: string;
  headers: { [name: string]: string };
  body: string | null;
}

function fakeFetch(status: number, answer: string, sent: Sent[]): typeof fetch {
  return (input, init) => {
    const headers: { [name: string]: string } = {};
    new Headers(init?.headers).forEach((value, name) => (headers[name] = value));
    sent.push({ url: asText(input), method: init?.method ?? "GET", headers, body: typeof init?.body === "string" ? init.body : null });
    return Promise.resolve(new Response(status === 204 ? null : answer, { status }));
  };
}

test("the runtime records its version", () => {
  assert.match(RUNTIME_VERSION, /^\d+\.\d+\.\d+$/);
});

test("query parameters: lists joined, null and undefined left out", () => {
  assert.deepEqual(queryParams({ a: [1, "x"], b: null, c: undefined, d: true, e: 0 }), { a: "1,x", d: "true", e: "0" });
  assert.deepEqual(queryParams(undefined), {});
  assert.equal(segment("a b/c"), "a%20b%2Fc");
  assert.equal(asText({ k: 1 }), '{"k":1}');
});

test("a request carries the client's headers, the request's, If-Match and JSON", async () => {
  const sent: Sent[] = [];
  const client = createApiClient({
    baseUrl: "http://api.test/",
    fetch: fakeFetch(200, '{"id": 1}', sent),
    headers: () => ({ Authorization: "Bearer t" }),
    tenantId: "t1",
    branchId: "feature",
    userId: "u1",
  });
  const answer = await client.request<{ id: number }>("PATCH", "/api/x/1", { body: { a: 1 }, query: { q: "it's" }, ifMatch: 3, headers: { "X-Extra": "1" } });
  assert.deepEqual(answer, { id: 1 });
  const [first] = sent;
  assert.ok(first !== undefined);
  assert.equal(first.url, "http://api.test/api/x/1?q=it%27s");
  assert.equal(first.method, "PATCH");
  assert.equal(first.body, '{"a":1}');
  assert.deepEqual(first.headers, {
    accept: "application/json",
    authorization: "Bearer t",
    "content-type": "application/json",
    "if-match": '"3"',
    "x-branch-id": "feature",
    "x-extra": "1",
    "x-tenant-id": "t1",
    "x-user-id": "u1",
  });
  assert.ok(client.configure({ tenantId: null }) instanceof ApiClient);
  await client.request("GET", "/api/x");
  assert.equal(sent[1]?.headers["x-tenant-id"], undefined);
});

test("an answer that is not a success is an ApiError", async () => {
  const sent: Sent[] = [];
  const client = new ApiClient({ baseUrl: "", fetch: fakeFetch(409, '{"detail": "taken", "error_code": "conflict", "field": "name"}', sent) });
  const error = await client.request("POST", "/api/x").catch((e: unknown) => e);
  assert.ok(error instanceof ApiError);
  assert.deepEqual([error.status, error.error_code, error.field, error.detail, error.message], [409, "conflict", "name", "taken", "taken"]);
  const plain = new ApiError(502, "Bad gateway");
  assert.deepEqual([plain.error_code, plain.field, plain.detail, plain.name], ["http_502", null, "Bad gateway", "ApiError"]);
  assert.equal(new ApiError(500, undefined).detail, "HTTP 500");
});

test("204 answers nothing; a body that is not JSON comes as text", async () => {
  const sent: Sent[] = [];
  assert.equal(await new ApiClient({ baseUrl: "", fetch: fakeFetch(204, "", sent) }).request("DELETE", "/x"), undefined);
  assert.equal(await new ApiClient({ baseUrl: "", fetch: fakeFetch(200, "plain", sent) }).request("GET", "/x"), "plain");
});

test("actions go through POST /api/actions with their arguments laid out by wire", async () => {
  const sent: Sent[] = [];
  const other = createApiClient({ baseUrl: "http://other", fetch: fakeFetch(200, "{}", sent) });
  configureClient({ baseUrl: "http://default", fetch: fakeFetch(200, "{}", sent) });
  await sendAction("book.list", "params", [{ tags__in: ["a", "b"], q: undefined, sort: ["-title", "id"], limit: 5, done: false, due: null }]);
  await sendAction("book.get", "id", ["b1", { client: other }]);
  await sendAction("book.create", "body", [undefined]);
  await sendAction("book.close", "id+body", ["b1", { reason: "x" }, { headers: { "X-Trace": "1" } }]);
  await request(undefined, "GET", "/api/y", { query: { limit: 5 } });
  assert.deepEqual(
    sent.map((s) => [s.url, s.body]),
    [
      ["http://default/api/actions", '{"action":"book.list","input":{"tags__in":["a","b"],"sort":"-title,id","limit":5,"done":false}}'],
      ["http://other/api/actions", '{"action":"book.get","id":"b1"}'],
      ["http://default/api/actions", '{"action":"book.create","input":{}}'],
      ["http://default/api/actions", '{"action":"book.close","id":"b1","input":{"reason":"x"}}'],
      ["http://default/api/y?limit=5", null],
    ],
  );
  assert.equal(sent[3]?.headers["x-trace"], "1");
  defaultClient.configure({ baseUrl: "", fetch: undefined });
});
