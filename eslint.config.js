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
    files: ["scripts/**", "bench/**", "test/**", "**/*.test.ts"],
    rules: { "no-console": "off" },
  },
);
