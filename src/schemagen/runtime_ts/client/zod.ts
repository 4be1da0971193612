/* What the generated `schemas.ts` builds its zod schemas with. */

import type { z } from "zod";

/** A string schema with a pattern, when the pattern is a valid JavaScript regular expression (the
 * server checks it anyway: a Python pattern JavaScript cannot read is left to the server). */
export function withPattern<S extends z.ZodString | z.ZodStringFormat>(schema: S, source: string): S {
  let pattern: RegExp;
  try {
    pattern = new RegExp(source);
  } catch {
    return schema;
  }
  // .regex() answers the schema's own class: the check is added to S.
  return schema.regex(pattern) as S;
}
