// Lint rules, including the architecture's import fences (docs/architecture.md §4):
// - no deep imports into another package's src/;
// - only */src/transport/** may import @nats-io/* or @grpc/grpc-js;
// - @tensorflow/* only in worker/, never in worker/src/transport/**;
// - the coordinator and the worker never import each other.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

const deepImports = { group: ["@prunesweep/*/src/*", "../../*/src/*", "!../../../src/*"], message: "import packages through their public entry" };
const transportOnly = {
  group: ["@nats-io/*", "@grpc/grpc-js", "@grpc/grpc-js/*"],
  message: "only src/transport/** may import NATS or gRPC libraries",
};
const tfjs = { group: ["@tensorflow/*"], message: "@tensorflow/* is allowed only in worker/ (outside transport/)" };

export default tseslint.config(
  { ignores: ["**/dist/**", "**/node_modules/**", "proto/src/gen/**", "runs/**", "bench/results/**", "coverage/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts"],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-restricted-imports": ["error", { patterns: [deepImports, transportOnly, tfjs] }],
    },
  },
  {
    files: ["coordinator/src/transport/**/*.ts", "proto/src/**/*.ts"],
    rules: { "no-restricted-imports": ["error", { patterns: [deepImports, tfjs, { group: ["@prunesweep/worker"], message: "the coordinator never imports the worker" }] }] },
  },
  {
    files: ["coordinator/**/*.ts"],
    ignores: ["coordinator/src/transport/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: [deepImports, transportOnly, tfjs, { group: ["@prunesweep/worker", "@prunesweep/worker/*"], message: "the coordinator never imports the worker" }] },
      ],
    },
  },
  {
    files: ["coordinator/src/cli/**/*.ts"],
    rules: {
      // The CLI wires transports together; it may name NATS types but not the worker.
      "no-restricted-imports": ["error", { patterns: [deepImports, tfjs, { group: ["@prunesweep/worker"], message: "the coordinator never imports the worker" }] }],
    },
  },
  {
    files: ["worker/src/transport/**/*.ts"],
    rules: { "no-restricted-imports": ["error", { patterns: [deepImports, tfjs, { group: ["@prunesweep/coordinator"], message: "the worker never imports the coordinator" }] }] },
  },
  {
    files: ["worker/**/*.ts"],
    ignores: ["worker/src/transport/**"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [deepImports, transportOnly, { group: ["@prunesweep/coordinator", "@prunesweep/coordinator/*"], message: "the worker never imports the coordinator" }] }],
    },
  },
  {
    files: ["worker/src/main.ts"],
    rules: {
      // Process wiring: builds the gRPC credentials; no NATS client calls live here.
      "no-restricted-imports": ["error", { patterns: [deepImports, { group: ["@prunesweep/coordinator"], message: "the worker never imports the coordinator" }] }],
    },
  },
  {
    files: ["test/**/*.ts", "bench/**/*.ts", "**/test/**/*.ts"],
    rules: { "no-restricted-imports": ["error", { patterns: [deepImports] }] },
  },
  {
    files: ["**/*.mjs", "**/*.js", "**/*.cjs"],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      globals: Object.fromEntries(
        ["process", "console", "URL", "performance", "setTimeout", "clearTimeout", "setInterval", "clearInterval", "setImmediate", "Buffer", "TextEncoder", "TextDecoder", "global", "structuredClone", "AbortController", "module"].map((g) => [g, "readonly"]),
      ),
    },
  },
);
