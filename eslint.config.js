import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: [".test-tmp/**", "node_modules/**", ".venv/**", "cdk.out/**", "**/dist/**", "**/build/**", ".tessera/**"] },
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
      "no-console": ["error", { allow: ["error", "warn"] }],
    },
  },
  {
    // @peculiar/x509 and its Reflect polyfill are dev dependencies: a second X.509 implementation for tests.
    files: ["**/*.ts"],
    ignores: ["**/*.test.ts", "**/test-support*.ts", "**/test/**", "test/**", "bench/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: ["reflect-metadata", "tsyringe"].map((name) => ({ name, message: "test-only dependency" })),
          patterns: [{ group: ["@peculiar/*"], message: "test-only dependency" }],
        },
      ],
    },
  },
  {
    files: ["scripts/**", "bench/**", "test/**", "**/*.test.ts"],
    rules: { "no-console": "off" },
  },
);
