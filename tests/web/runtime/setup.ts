/* Each test starts from an empty document, storage and hash. */

import { cleanup, configure } from "@testing-library/react";
import { afterEach } from "vitest";

// findBy* and waitFor wait up to 5 s, not 1: the suite runs beside others on a loaded CI machine,
// where IndexedDB (fake-indexeddb) and React's renders can take a second; a real failure still fails.
configure({ asyncUtilTimeout: 5000 });

afterEach(() => {
  cleanup();
  window.localStorage.clear();
  window.location.hash = "";
});
