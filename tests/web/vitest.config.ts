// The web runtime's unit tests (tests/e2e/test_web_runtime.py copies them next to the runtime).
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    environment: "jsdom",
    include: ["tests/**/*.test.{ts,tsx}"],
    setupFiles: ["tests/setup.ts"],
    testTimeout: 20000, // above the 5 s a find may wait, on a loaded machine
  },
});
