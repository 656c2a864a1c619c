// Lint rules: ESLint's and TypeScript's recommended sets, TSDoc syntax, and a doc comment on every export
// (DESIGN.md: "TSDoc on every export with @throws"). `npm test` runs it before the tests.
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import tsdoc from "eslint-plugin-tsdoc";
import jsdoc from "eslint-plugin-jsdoc";
import globals from "globals";

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "data/**", "**/*.cjs"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts"],
    plugins: { tsdoc, jsdoc },
    rules: {
      "tsdoc/syntax": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
    },
  },
  {
    // plain Node scripts (set-up runs before TypeScript tooling is installed)
    files: ["**/*.mjs", "**/*.js"],
    languageOptions: { globals: globals.node },
  },
  {
    // the repository browser's page scripts (src/server/browser/) run in the browser
    files: ["src/server/browser/**/*.js"],
    languageOptions: { globals: globals.browser },
  },
  {
    // tests read JSON that Python printed: its shape is asserted, not declared
    files: ["test/**/*.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
  {
    // the library's exports are its API: each carries a doc comment
    files: ["src/**/*.ts", "registry/**/*.ts", "mappers/**/*.ts"],
    rules: {
      "jsdoc/require-jsdoc": [
        "error",
        {
          publicOnly: true,
          require: { FunctionDeclaration: true, ClassDeclaration: true, MethodDefinition: false },
          contexts: ["TSInterfaceDeclaration", "TSTypeAliasDeclaration", "TSEnumDeclaration", "ExportNamedDeclaration > VariableDeclaration"],
        },
      ],
    },
  },
);
