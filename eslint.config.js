import tseslint from "typescript-eslint";

// Who may import what (docs/architecture.md). Outside layers/spiffe/src the library is reached only
// through its entry points (package.json "imports"); inside it, modules import each other directly.
const ENTRY_POINTS = "#tessera/core, #tessera/contract, #tessera/issuer, #tessera/aws, #tessera/aws-workload, #tessera/dev";
const LIBRARY_INTERNALS = {
  regex: "(^|/)layers/spiffe(/|$)",
  message: `import the library through an entry point (${ENTRY_POINTS}, #tessera/test-support): docs/architecture.md`,
};
const OWN_ENTRY_POINTS = {
  regex: "^#tessera/",
  message: "inside the library, import the module itself (an entry point would make a cycle)",
};
// @peculiar/x509 and its Reflect polyfill are dev dependencies: a second X.509 implementation for tests.
const TEST_ONLY = {
  paths: [
    ...["reflect-metadata", "tsyringe"].map((name) => ({ name, message: "test-only dependency" })),
    ...["#tessera/test-support", "#tessera/test-support-x509"].map((name) => ({
      name,
      message: "test support: tests and benchmarks only",
    })),
  ],
  patterns: [{ group: ["@peculiar/*"], message: "test-only dependency" }],
};
// The agent and workload-side code (relying parties, examples) load no issuer and no AWS SDK client.
const ISSUER_SIDE = ["#tessera/issuer", "#tessera/aws", "#tessera/dev"].map((name) => ({
  name,
  message: "the agent and relying parties use #tessera/core, #tessera/contract and #tessera/aws-workload only",
}));
// A Lambda function wires only the parts it uses (buildFunctionRuntime): #tessera/dev's lazy imports
// would put every AWS client in its bundle.
const LOCAL_ONLY = [{ name: "#tessera/dev", message: "a Lambda function builds its runtime with buildFunctionRuntime (#tessera/aws)" }];
const TEST_FILES = ["**/*.test.ts", "**/test-support*.ts", "**/test/**", "test/**", "bench/**"];
const restrict = (...rules) => ({
  "no-restricted-imports": ["error", { paths: rules.flatMap((r) => r.paths ?? []), patterns: rules.flatMap((r) => r.patterns ?? []) }],
});

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
  // Each block below names every restriction of its files: a later block replaces the rule, it does not add to it.
  { files: ["**/*.{ts,mts,js,mjs}"], ignores: ["layers/spiffe/src/**"], rules: restrict({ patterns: [LIBRARY_INTERNALS] }) },
  {
    files: ["**/*.{ts,mts,js,mjs}"],
    ignores: ["layers/spiffe/**", ...TEST_FILES],
    rules: restrict({ patterns: [LIBRARY_INTERNALS] }, TEST_ONLY),
  },
  { files: ["layers/spiffe/src/**/*.ts"], rules: restrict({ patterns: [OWN_ENTRY_POINTS] }) },
  { files: ["layers/spiffe/src/**/*.ts"], ignores: TEST_FILES, rules: restrict({ patterns: [OWN_ENTRY_POINTS] }, TEST_ONLY) },
  { files: ["layers/spiffe/*.ts"], ignores: ["layers/spiffe/test-support*.ts"], rules: restrict(TEST_ONLY) },
  {
    files: ["agent/**/*.ts", "examples/**/*.ts"],
    ignores: TEST_FILES,
    rules: restrict({ patterns: [LIBRARY_INTERNALS], paths: ISSUER_SIDE }, TEST_ONLY),
  },
  {
    files: ["functions/**/*.ts"],
    ignores: TEST_FILES,
    rules: restrict({ patterns: [LIBRARY_INTERNALS], paths: LOCAL_ONLY }, TEST_ONLY),
  },
  {
    files: ["scripts/**", "bench/**", "test/**", "**/*.test.ts"],
    rules: { "no-console": "off" },
  },
);
