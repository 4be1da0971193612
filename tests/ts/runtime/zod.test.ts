/* runtime/zod.ts: a pattern JavaScript can read is checked; one it cannot is left to the server. */

import assert from "node:assert/strict";
import { test } from "node:test";
import { z } from "zod";
import { withPattern } from "../runtime/client/zod.js";

test("a valid pattern is checked, an invalid one is skipped", () => {
  const code = withPattern(z.string(), "^[A-Z]{2}$");
  assert.ok(code.safeParse("NO").success && !code.safeParse("no").success);
  const email = withPattern(z.email(), "@example\\.com$");
  assert.ok(email.safeParse("a@example.com").success && !email.safeParse("a@other.org").success);
  const python = withPattern(z.string(), "(?P<name>x)"); // Python's named group: not JavaScript
  assert.ok(python.safeParse("anything").success);
});
