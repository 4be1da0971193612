/* Each test starts from an empty document, storage and hash. */

import { cleanup } from "@testing-library/react";
import { afterEach } from "vitest";

afterEach(() => {
  cleanup();
  window.localStorage.clear();
  window.location.hash = "";
});
