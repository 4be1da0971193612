// typescript-eslint's recommendedTypeChecked, what the generated clients and the client runtime are
// linted with (tests/e2e/test_client.py, tests/e2e/test_ts_runtime.py): copied next to the files it
// checks, whose tsconfig.json gives the type information.
import tseslint from "typescript-eslint";

export default tseslint.config(tseslint.configs.recommendedTypeChecked, {
  languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
});
