import { AWS_IAM_ATTRIBUTES } from "../attestation/aws-iam/caller-attributes.js";
import { AWS_EC2_ATTRIBUTES } from "../attestation/aws-ec2/aws-ec2-rule.js";
import { GCP_ATTRIBUTES } from "../attestation/gcp/gcp-rule.js";
import { OIDC_ATTRIBUTES } from "../attestation/oidc/presets.js";
import { PolicyInvalidError } from "../errors.js";
import type { JoinRule } from "../store/types.js";

const NAME = /^[a-z][a-z0-9_]{0,63}$/;
const OPEN = "{{";
const CLOSE = "}}";

/** One piece of a parsed pattern: literal text, or a `{{name}}` placeholder. */
export type TemplatePart = { literal: string } | { placeholder: string };

/**
 * The join attributes each join method establishes, which templates may use besides `bot` and
 * `instance`. A token proves nothing about the machine, so it establishes none.
 */
export const JOIN_ATTRIBUTES: Readonly<Record<JoinRule["method"], readonly string[]>> = {
  token: [],
  aws_iam: AWS_IAM_ATTRIBUTES,
  aws_ec2: AWS_EC2_ATTRIBUTES,
  gcp: GCP_ATTRIBUTES,
  oidc: OIDC_ATTRIBUTES,
};

/** The placeholders a bot joining with `methods` can have filled: `bot`, `instance`, and their join attributes. */
export function placeholdersFor(methods: readonly string[]): ReadonlySet<string> {
  const names = new Set(["bot", "instance"]);
  for (const method of methods) {
    if (Object.hasOwn(JOIN_ATTRIBUTES, method)) for (const name of JOIN_ATTRIBUTES[method as JoinRule["method"]]) names.add(name);
  }
  return names;
}

function malformed(pattern: string, why: string): PolicyInvalidError {
  return new PolicyInvalidError(`issuer: pattern ${JSON.stringify(pattern.slice(0, 300))} ${why}`);
}

/**
 * Split a pattern into literal text and placeholders, written exactly `{{name}}` (a lowercase
 * letter, then lowercase letters, digits or `_`; no spaces). Any other brace is malformed:
 * `PolicyInvalidError`.
 */
export function parseTemplate(pattern: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let rest = pattern;
  while (rest !== "") {
    const open = rest.indexOf(OPEN);
    const literal = open === -1 ? rest : rest.slice(0, open);
    if (literal.includes("{") || literal.includes("}")) throw malformed(pattern, "has a brace outside a {{name}} placeholder");
    if (literal !== "") parts.push({ literal });
    if (open === -1) break;
    const close = rest.indexOf(CLOSE, open + OPEN.length);
    if (close === -1) throw malformed(pattern, "has an unclosed {{");
    const name = rest.slice(open + OPEN.length, close);
    if (!NAME.test(name)) throw malformed(pattern, "has a placeholder that is not {{name}} (lowercase letters, digits and _, no spaces)");
    parts.push({ placeholder: name });
    rest = rest.slice(close + CLOSE.length);
  }
  return parts;
}

/** Throw `PolicyInvalidError` for the first placeholder of `parts` that is not in `known`. */
export function assertPlaceholdersKnown(pattern: string, parts: readonly TemplatePart[], known: ReadonlySet<string>): void {
  for (const part of parts) {
    if ("placeholder" in part && !known.has(part.placeholder)) {
      const offered = [...known].map((n) => `{{${n}}}`).join(", ");
      throw malformed(pattern, `uses {{${part.placeholder}}}, which nothing fills for this bot's join methods (it may use ${offered})`);
    }
  }
}
