import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { TesseraError } from "../errors.js";
import { SpiffeId, TrustDomain } from "../spiffeid/index.js";
import { validateDnsName } from "../x509svid/dns-name.js";
import { isDnsNameAllowed, validateAllowedDnsNamePattern } from "./allowed-dns-names.js";
import { isSpiffeIdAllowed, validateAllowedSpiffeIdPattern, type SpiffeIdTemplateContext } from "./allowed-spiffe-ids.js";
import { placeholdersFor } from "./policy-template.js";

const td = TrustDomain.fromString("example.org");
const RUNS = { numRuns: 2000 };

/** Fragments a hostile or careless admin might write, mixed with random text of any code point. */
const fragment = fc.oneof(
  fc.constantFrom(
    "spiffe://",
    "example.org",
    "/",
    "/*",
    "*",
    ".",
    "..",
    "{{",
    "}}",
    "{",
    "}",
    "{{bot}}",
    "{{instance}}",
    "{{constructor}}",
    "{{__proto__}}",
    "{{toString}}",
    "{{tostring}}",
    "{{valueof}}",
    "{{hasownproperty}}",
    "{{ bot }}",
    "{{foo}}",
    "{{}}",
    "{{{bot}}}",
    "%2e",
    "é",
    "\u{1F600}",
    "\u212a",
    "\0",
    "\ud800",
  ),
  fc.string({ unit: "binary", maxLength: 6 }),
  fc.stringMatching(/^[a-z0-9._-]{1,6}$/),
);
const text = fc.array(fragment, { maxLength: 10 }).map((parts) => parts.join(""));
const pattern = fc.oneof(
  text,
  text.map((t) => `spiffe://example.org/${t}`),
);

const segment = fc.oneof(fc.constantFrom("ci", "i-1", "x", "v", "a.b"), fc.stringMatching(/^[a-zA-Z0-9_-]{1,6}$/));
const spiffeId = fc.array(segment, { minLength: 1, maxLength: 4 }).map((s) => SpiffeId.fromString(`spiffe://example.org/${s.join("/")}`));

const attributeName = fc.oneof(fc.constantFrom("constructor", "__proto__", "tostring", "valueof", "account"), fc.string({ maxLength: 8 }));
const context: fc.Arbitrary<SpiffeIdTemplateContext> = fc.record({
  bot: fc.oneof(segment, fc.string({ unit: "binary", maxLength: 8 })),
  instance: fc.oneof(segment, fc.string({ maxLength: 8 })),
  // Values are strings in the store; anything else must not make evaluation throw either.
  attributes: fc.dictionary(attributeName, fc.oneof(segment, fc.anything()), { maxKeys: 4 }) as fc.Arbitrary<Record<string, string>>,
});

function onlyTesseraErrors(run: () => unknown): void {
  try {
    run();
  } catch (err) {
    if (!(err instanceof TesseraError)) throw err;
  }
}

describe("allowed SPIFFE ID patterns, over random patterns and IDs", () => {
  it("evaluation returns a boolean and never throws", () => {
    fc.assert(
      fc.property(fc.array(pattern, { maxLength: 4 }), spiffeId, context, (patterns, id, ctx) => {
        assert.equal(typeof isSpiffeIdAllowed(id, patterns, ctx), "boolean");
      }),
      RUNS,
    );
  });

  it("validation accepts or throws a TesseraError, for any join methods", () => {
    const methods = fc.array(fc.constantFrom("token", "aws_iam", "oidc", "constructor", "__proto__"), { maxLength: 3 });
    fc.assert(
      fc.property(pattern, methods, (p, m) => onlyTesseraErrors(() => validateAllowedSpiffeIdPattern(p, td, placeholdersFor(m)))),
      RUNS,
    );
  });

  it("an accepted pattern uses no placeholder but {{bot}} and {{instance}}, and an exact one allows itself", () => {
    fc.assert(
      fc.property(pattern, context, (p, ctx) => {
        try {
          validateAllowedSpiffeIdPattern(p, td, placeholdersFor(["token"]));
        } catch (err) {
          if (err instanceof TesseraError) return;
          throw err;
        }
        assert.deepEqual(p.match(/\{\{[^}]*\}\}/g)?.filter((m) => m !== "{{bot}}" && m !== "{{instance}}") ?? [], []);
        if (!p.includes("{{") && !p.endsWith("/*")) assert.equal(isSpiffeIdAllowed(SpiffeId.fromString(p), [p], ctx), true);
      }),
      RUNS,
    );
  });
});

const label = fc.oneof(fc.constantFrom("a", "web", "svc", "example", "org", "Web", "*"), fc.stringMatching(/^[a-z0-9-]{1,5}$/));
const dnsLike = fc.oneof(
  fc.array(label, { minLength: 1, maxLength: 4 }).map((l) => l.join(".")),
  fc.array(label, { minLength: 1, maxLength: 4 }).map((l) => `${l.join(".")}.`),
  text,
);

function isValidDnsName(name: string): boolean {
  try {
    validateDnsName(name);
    return true;
  } catch {
    return false;
  }
}

/** What a rule set grants, written independently of the implementation: the name itself, or `*.` and its parent. */
function grantedByDefinition(name: string, rules: readonly string[]): boolean {
  const dot = name.indexOf(".");
  return rules.includes(name) || (!name.startsWith("*.") && dot > 0 && rules.includes(`*.${name.slice(dot + 1)}`));
}

describe("allowed DNS names, over random rules and names", () => {
  it("evaluation returns a boolean and never throws", () => {
    fc.assert(
      fc.property(dnsLike, fc.array(dnsLike, { maxLength: 4 }), (name, rules) =>
        assert.equal(typeof isDnsNameAllowed(name, rules), "boolean"),
      ),
      RUNS,
    );
  });

  it("validation accepts or throws a TesseraError", () => {
    fc.assert(
      fc.property(dnsLike, (rule) => onlyTesseraErrors(() => validateAllowedDnsNamePattern(rule))),
      RUNS,
    );
  });

  it("validated rules grant a valid name exactly when it or its one-label wildcard is a rule", () => {
    const validRule = dnsLike.filter((r) => {
      try {
        validateAllowedDnsNamePattern(r);
        return true;
      } catch {
        return false;
      }
    });
    const validName = fc
      .array(label, { minLength: 1, maxLength: 4 })
      .map((l) => l.join(".").toLowerCase())
      .filter(isValidDnsName);
    // Names near the rules too (a rule itself, a label in place of its `*`, one or two more labels in front), so hits are common.
    const rulesAndName = fc.array(validRule.map(validateAllowedDnsNamePattern), { minLength: 1, maxLength: 4 }).chain((rules) =>
      fc.tuple(
        fc.constant(rules),
        fc.oneof(
          validName,
          fc.constantFrom(...rules),
          fc.tuple(fc.constantFrom(...rules), label).map(([r, l]) => r.replace(/^\*/, l.toLowerCase())),
          fc.tuple(fc.constantFrom(...rules), label).map(([r, l]) => `${l.toLowerCase()}.${r}`),
          fc.tuple(fc.constantFrom(...rules), label, label).map(([r, l, m]) => `${l.toLowerCase()}.${r.replace(/^\*/, m.toLowerCase())}`),
        ),
      ),
    );
    fc.assert(
      fc.property(rulesAndName, ([rules, name]) => {
        fc.pre(isValidDnsName(name));
        assert.equal(isDnsNameAllowed(name, rules), grantedByDefinition(name, rules));
      }),
      RUNS,
    );
  });
});
