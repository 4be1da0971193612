/* The version of the client runtime these modules are: a generated client carries it in
 * `src/runtime/version.ts` (and exports it), so a bug report can name the runtime it ran. */

export const RUNTIME_VERSION = "1.0.0";
