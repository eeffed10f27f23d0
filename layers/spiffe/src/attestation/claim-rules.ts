import { PolicyInvalidError } from "../errors.js";
import type { JoinRule } from "../store/types.js";

const MAX_RULES = 32;
const MAX_GLOB = 512;
const CLAIM_NAME = /^[A-Za-z0-9_.:-]{1,128}$/;

/** Claim rules: each named claim must match one of its globs (`*` matches any run of characters, `/` included). */
export type ClaimRules = Record<string, string[]>;

/**
 * Check and normalise a rule's `claims`: an object from claim name to a glob or a list of globs.
 * `required`, when given, lists claim names of which at least one must be constrained.
 */
export function validateClaimRules(value: unknown, where: string, required: readonly string[] = []): ClaimRules {
  if (value === undefined) value = {};
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new PolicyInvalidError(`${where}: claims must be an object of claim name to glob(s)`);
  const entries = Object.entries(value);
  if (entries.length > MAX_RULES) throw new PolicyInvalidError(`${where}: at most ${MAX_RULES} claim rules`);
  const rules: ClaimRules = {};
  for (const [name, globs] of entries) {
    if (!CLAIM_NAME.test(name)) throw new PolicyInvalidError(`${where}: claim name ${JSON.stringify(name.slice(0, 64))} is not allowed`);
    const list = typeof globs === "string" ? [globs] : globs;
    if (
      !Array.isArray(list) ||
      list.length === 0 ||
      list.length > MAX_RULES ||
      !list.every((g) => typeof g === "string" && g !== "" && g.length <= MAX_GLOB)
    ) {
      throw new PolicyInvalidError(`${where}: claim ${name} needs a non-empty glob or list of globs`);
    }
    if (list.every((g) => /^\*+$/.test(g as string))) throw new PolicyInvalidError(`${where}: claim ${name} rule "*" constrains nothing`);
    rules[name] = list as string[];
  }
  if (required.length > 0 && !required.some((name) => Object.hasOwn(rules, name))) {
    throw new PolicyInvalidError(`${where}: claims must constrain at least one of ${required.join(", ")}`);
  }
  return rules;
}

/** True when `value` matches `glob`, where `*` matches any run of characters and everything else is literal. */
export function matchesGlob(glob: string, value: string): boolean {
  const pieces = glob.split("*");
  const first = pieces[0] as string;
  const last = pieces[pieces.length - 1] as string;
  if (pieces.length === 1) return glob === value;
  if (!value.startsWith(first) || !value.endsWith(last) || value.length < first.length + last.length) return false;
  let at = first.length;
  const end = value.length - last.length;
  for (const piece of pieces.slice(1, -1)) {
    const found = value.indexOf(piece, at);
    if (found === -1 || found + piece.length > end) return false;
    at = found + piece.length;
  }
  return true;
}

/** True when every rule's claim is present in `values` and matches one of its globs. */
export function claimRulesMatch(rules: ClaimRules, values: Readonly<Record<string, string>>): boolean {
  return Object.entries(rules).every(([name, globs]) => {
    const value = Object.hasOwn(values, name) ? values[name] : undefined;
    return typeof value === "string" && globs.some((glob) => matchesGlob(glob, value));
  });
}

/**
 * Check a join rule that is claim rules only (`{ method, claims }`): no other field, claims naming
 * only `attributes`, at least one of `required` constrained. Returns the normalised claims.
 */
export function validateClaimsOnlyRule(rule: JoinRule, attributes: readonly string[], required: readonly string[]): ClaimRules {
  for (const field of Object.keys(rule)) {
    if (field !== "method" && field !== "claims")
      throw new PolicyInvalidError(`attestation: ${rule.method} rule has an unknown field ${JSON.stringify(field.slice(0, 64))}`);
  }
  const claims = validateClaimRules(rule.claims, `attestation: ${rule.method} rule`, required);
  for (const name of Object.keys(claims)) {
    if (!attributes.includes(name))
      throw new PolicyInvalidError(`attestation: ${rule.method} rule claims may name ${attributes.join(", ")}`);
  }
  return claims;
}
