import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { parseDocument } from "yaml";
import { parseYamlSubset } from "./yaml-subset.js";

/** The agent configurations of the docs: YAML blocks and `<<YAML` here-documents that hold a `version:` key. */
function documentedConfigs(): string[] {
  const blocks: string[] = [];
  for (const doc of ["README.md", "docs/agent.md", "docs/aws-credentials.md", "docs/deploy.md", "docs/join-methods.md"]) {
    const text = readFileSync(new URL(`../../${doc}`, import.meta.url), "utf8");
    for (const match of text.matchAll(/(?:```ya?ml|<<YAML)\n([\s\S]*?)(?:```|\nYAML)/g))
      if (/^version:/m.test(match[1]!)) blocks.push(match[1]!);
  }
  return blocks;
}

/** Configurations the subset reads itself (the fast path must not fall back on them). */
const READ_BY_SUBSET = [
  "version: v1\nissuer: http://127.0.0.1:8640\ntrust_domain: example.org\n",
  [
    "version: v1 # the only version",
    "issuer: https://tessera.example.com:8443/prod",
    "trust_domain: example.org",
    "onboarding: { join_method: token, token: TWianH0C71ZwLztZ5D88_tqJi9uDh9al6Djt5gW3O60 }",
    "storage: { directory: /tmp/agent2/stack/agent-state }",
    "",
    "# services",
    "services:",
    "  - type: workload-identity-api",
    "    listen: unix:///tmp/agent2/stack/api.sock",
    "    identities:",
    '      - { spiffe_id: spiffe://example.org/bench/web, selectors: ["unix:uid:0"] }',
    "      - spiffe_id: 'spiffe://example.org/it''s'",
    "        selectors:",
    "          - unix:uid:1000",
    '          - "unix:path:/usr/bin/a #b"',
    "        dns_names: [a.example.org, b.example.org]",
    "        ttl: 30m",
    "  - type: workload-identity-x509",
    "    destination: ./out",
    "    cmd_args: []",
    "    empty: {}",
    "    nothing:",
    "    answer: 42",
    "    flags: [true, False, null, ~, 0]",
    "services_at_same_indent:",
    "- a",
    "- b c",
    "",
  ].join("\n"),
];

/** Texts outside the subset: `yaml` reads (or refuses) them. */
const LEFT_TO_YAML = [
  "",
  "# only a comment\n",
  "- a\n- b\n",
  "  indented: 1\n",
  "a: 1\na: 2\n",
  "a: &x 1\nb: *x\n",
  "a: !!str 1\n",
  "a: |\n  text\n",
  "a: >\n  text\n",
  "a: plain\n  continued\n",
  'a: "escaped \\n"\n',
  "a: 'open\n  closed'\n",
  "a:\tb\n",
  "a: b\r\n",
  "---\na: 1\n",
  "%YAML 1.1\n---\na: yes\n",
  "a: 1.5\n",
  "a: -1\n",
  "a: 0x1f\n",
  "a: 0o17\n",
  "a: 012\n",
  "a: 1e3\n",
  "a: .inf\n",
  "a: 12345678901234567890\n",
  "a: b: c\n",
  "a: b:\n",
  "a: [1, 2,]\n",
  "a: {b: 1,}\n",
  "a: {b}\n",
  "a: [a, , b]\n",
  "a: [1, 2] tail\n",
  "a: [1,\n  2]\n",
  "true: 1\n",
  "null: 1\n",
  "__proto__: 1\n",
  "a: {b: 1, b: 2}\n",
  '"quoted key": 1\n',
  "? a\n: 1\n",
  "a:\n  - - nested\n",
  "a:\n  -\n    b: 1\n",
  "a:\n  - b: 1\n   c: 2\n",
  "a: 1\n  b: 2\n",
  "a: @x\n",
  "a: `x`\n",
  "\uFEFFa: 1\n",
  "a: C:\\path\n",
];

/** Texts made of YAML's tokens in a seeded random order: most leave the subset, the rest must read as yaml reads them. */
function* randomTexts(count: number): Generator<string> {
  const starts = ["a: ", "k:\n  ", "k:\n- ", "x: [", "y: {", ""];
  const tokens = [
    ..."\n  |\n    |\n  - |\n- |\nb: |\n  c: |k2:|a|key|:|: | |  |\n|- |-|[|]|{|}|,|, |#| #|'|\"|1|0|true|null|~".split("|"),
    ..."x:y|http://h:1/p|é|3m|.|*|&|!|>|?|%|@|True|no|yes|1.0|-1|0x1".split("|"),
  ];
  let seed = 7;
  const next = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  for (let i = 0; i < count; i++) {
    let text = starts[next(starts.length)]!;
    for (let n = 1 + next(12); n > 0; n--) text += tokens[next(tokens.length)];
    yield text;
  }
}

function assertSameAsYaml(text: string): void {
  const subset = parseYamlSubset(text);
  if (subset === undefined) return;
  const doc = parseDocument(text, { uniqueKeys: true });
  assert.deepEqual(doc.errors, [], `yaml refuses a text the subset read: ${JSON.stringify(text)}`);
  assert.deepStrictEqual(subset, doc.toJS(), `the subset reads ${JSON.stringify(text)} differently from yaml`);
}

describe("parseYamlSubset", () => {
  it("reads the documented agent configurations itself, exactly as yaml does", () => {
    const configs = documentedConfigs();
    assert.ok(configs.length >= 3, "the docs hold agent configurations");
    for (const text of configs) {
      assert.notEqual(parseYamlSubset(text), undefined, `the subset falls back on a documented configuration:\n${text}`);
      assertSameAsYaml(text);
    }
  });

  it("reads the configurations of its table itself, exactly as yaml does", () => {
    for (const text of READ_BY_SUBSET) {
      assert.notEqual(parseYamlSubset(text), undefined, `falls back on ${JSON.stringify(text)}`);
      assertSameAsYaml(text);
    }
  });

  it("leaves every text outside the subset to yaml", () => {
    for (const text of LEFT_TO_YAML) assert.equal(parseYamlSubset(text), undefined, `read ${JSON.stringify(text)} itself`);
  });

  it("reads thousands of random token sequences as yaml does, or leaves them to yaml", () => {
    let read = 0;
    for (const text of randomTexts(20_000)) {
      if (parseYamlSubset(text) !== undefined) read++;
      assertSameAsYaml(text);
    }
    assert.ok(read > 2_000, `the subset read only ${read} of the random texts`);
  });

  it("never reads a line of a configuration differently from yaml when that line is cut, doubled or re-indented", () => {
    for (const config of [...documentedConfigs(), ...READ_BY_SUBSET]) {
      const lines = config.split("\n");
      lines.forEach((_, i) => {
        const variants = [
          lines.filter((__, j) => j !== i),
          lines.flatMap((line, j) => (j === i ? [line, line] : [line])),
          lines.map((line, j) => (j === i ? ` ${line}` : line)),
          lines.map((line, j) => (j === i ? line.slice(0, Math.ceil(line.length / 2)) : line)),
          lines.map((line, j) => (j === i ? line.replace(": ", ":") : line)),
          lines.map((line, j) => (j === i ? `${line} # comment` : line)),
        ];
        for (const variant of variants) assertSameAsYaml(variant.join("\n"));
      });
    }
  });
});
