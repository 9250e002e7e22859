import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: ["node_modules/", "build/", "public/build/", ".sentinel/", "test-results/", "playwright-report/"],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { ...globals.node, ...globals.browser },
    },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      "no-console": ["error", { allow: ["warn", "error"] }],
    },
  },
  {
    // The domain is pure: no environment, no clock, no randomness. Time and ids come in as arguments.
    files: ["domain/**/*.ts", "demo/dataset/**/*.ts"],
    rules: {
      "no-restricted-globals": [
        "error",
        { name: "process", message: "domain/ must not read the environment; pass values in." },
      ],
      "no-restricted-properties": [
        "error",
        { object: "Date", property: "now", message: "domain/ takes `now` as an argument." },
        { object: "Math", property: "random", message: "domain/ takes a seeded random source as an argument." },
      ],
    },
  },
  {
    files: ["cli/**/*.ts", "scripts/**/*.ts", "bench/**/*.ts", "bin/**/*.js"],
    rules: { "no-console": "off" },
  },
);
