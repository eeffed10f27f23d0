import { importJWK, type JSONWebKeySet, type JWK } from "jose";
import { PolicyInvalidError } from "../../errors.js";
import type { JoinRule } from "../../store/types.js";
import { validateClaimRules, type ClaimRules } from "../claim-rules.js";
import { assertFetchableUrl } from "../jwt/fetch-json.js";
import { PROOF_ALGORITHMS } from "../jwt/verify-jwt-proof.js";
import type { KeyFetchPolicy } from "../types.js";
import { OIDC_PRESETS } from "./presets.js";

const KNOWN_FIELDS = new Set(["method", "preset", "issuer", "audience", "jwks", "algorithms", "claims"]);
const PRIVATE_FIELDS = ["d", "p", "q", "dp", "dq", "qi", "k", "oth"];
const MAX_KEYS = 16;

/** An `oidc` join rule, normalised. */
export interface OidcRule extends JoinRule {
  method: "oidc";
  preset?: string;
  /** The exact `iss`; discovery at `<issuer>/.well-known/openid-configuration` unless `jwks` is given. */
  issuer: string;
  /** The `aud` the token must carry: something only this bot's deployers use. */
  audience: string;
  /** A static JWKS (public keys only), for issuers without public discovery. */
  jwks?: JSONWebKeySet;
  algorithms: string[];
  claims: ClaimRules;
}

function fail(why: string): never {
  throw new PolicyInvalidError(`attestation: oidc rule ${why}`);
}

function staticKeySet(value: unknown): JSONWebKeySet {
  const keys = (value as JSONWebKeySet | null)?.keys;
  if (!Array.isArray(keys) || keys.length === 0 || keys.length > MAX_KEYS) fail(`jwks must be {"keys": [...]} with 1 to ${MAX_KEYS} keys`);
  for (const key of keys as unknown[]) {
    if (typeof key !== "object" || key === null) fail("jwks keys must be objects");
    const jwk = key as JWK;
    if (jwk.kty !== "RSA" && jwk.kty !== "EC") fail("jwks keys must be RSA or EC public keys");
    if (PRIVATE_FIELDS.some((field) => Object.hasOwn(jwk, field))) fail("jwks must hold public keys only");
  }
  return { keys: keys as JWK[] };
}

/** Check that every key of a static JWKS imports (`PolicyInvalidError` otherwise). */
async function validateOidcKeys(rule: OidcRule): Promise<void> {
  for (const key of rule.jwks?.keys ?? []) {
    try {
      await importJWK(key, key.alg ?? (key.kty === "RSA" ? "RS256" : "ES256"));
    } catch (err) {
      throw new PolicyInvalidError("attestation: oidc rule jwks has a key that does not import", { cause: err });
    }
  }
}

/** Check and normalise an `oidc` join rule (synchronous checks; see `validateOidcKeys` for key material). */
function validateOidcRule(rule: JoinRule, policy: KeyFetchPolicy): OidcRule {
  for (const field of Object.keys(rule)) if (!KNOWN_FIELDS.has(field)) fail(`has an unknown field ${JSON.stringify(field.slice(0, 64))}`);
  let preset: (typeof OIDC_PRESETS)[string] | undefined;
  if (rule.preset !== undefined) {
    if (typeof rule.preset !== "string" || !Object.hasOwn(OIDC_PRESETS, rule.preset))
      fail(`preset must be one of ${Object.keys(OIDC_PRESETS).join(", ")}`);
    preset = OIDC_PRESETS[rule.preset];
  }
  const issuer = rule.issuer ?? preset?.defaultIssuer;
  if (typeof issuer !== "string" || issuer.length > 512) fail("needs an issuer");
  assertFetchableUrl(issuer, policy, "oidc issuer");
  const issuerProblem = preset?.issuerProblem?.(new URL(issuer));
  if (issuerProblem !== undefined) fail(`issuer ${issuerProblem}`);
  if (typeof rule.audience !== "string" || rule.audience === "" || rule.audience.length > 512)
    fail("needs an audience (1 to 512 characters)");
  const allowed = preset?.algorithms ?? PROOF_ALGORITHMS;
  const algorithms = rule.algorithms ?? allowed;
  if (!Array.isArray(algorithms) || algorithms.length === 0 || !algorithms.every((alg) => allowed.includes(alg as string))) {
    fail(`algorithms must be a non-empty subset of ${allowed.join(", ")}`);
  }
  const claims = validateClaimRules(rule.claims, "attestation: oidc rule", preset?.requiredClaims ?? []);
  if (Object.keys(claims).length === 0) fail("needs at least one claim rule (an issuer signs tokens for more than this bot)");
  const normalised: OidcRule = { method: "oidc", issuer, audience: rule.audience, algorithms: [...(algorithms as string[])], claims };
  if (preset) normalised.preset = rule.preset as string;
  if (rule.jwks !== undefined) normalised.jwks = staticKeySet(rule.jwks);
  return normalised;
}

/** Check and normalise an `oidc` join rule, its static JWKS included (`PolicyInvalidError` otherwise). */
export async function validateOidcJoinRule(rule: JoinRule, policy: KeyFetchPolicy): Promise<OidcRule> {
  const normalised = validateOidcRule(rule, policy);
  await validateOidcKeys(normalised);
  return normalised;
}
