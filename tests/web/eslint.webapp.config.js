// typescript-eslint's recommendedTypeChecked for a generated web app (tests/e2e/test_web.py), as
// the client and the web runtime are linted (tests/ts/eslint.config.js): run with `--config` from
// the app's folder, whose two tsconfig files (the app's sources, and the build and test
// configuration with the browser suite) give the type information. It lives here, where
// typescript-eslint is installed; the app's own node_modules give the types its files import.
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "test-results/**", "playwright-report/**"] },
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { project: ["./tsconfig.json", "./tsconfig.node.json"], tsconfigRootDir: process.cwd() },
    },
  },
);
