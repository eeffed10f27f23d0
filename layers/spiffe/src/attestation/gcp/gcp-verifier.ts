import type { JWTPayload } from "jose";
import { JoinProofInvalidError, JoinRuleMismatchError } from "../../errors.js";
import type { JoinRule } from "../../store/types.js";
import { claimRulesMatch } from "../claim-rules.js";
import { assertFetchableUrl } from "../jwt/fetch-json.js";
import type { KeySetCache } from "../jwt/key-set-cache.js";
import { audienceIncludes, claimJwtOnce, verifyJwtProof } from "../jwt/verify-jwt-proof.js";
import type { Attestation, AttestationContext, JoinProof, JoinVerifier, KeyFetchPolicy } from "../types.js";
import { validateGcpRule, type GcpRule } from "./gcp-rule.js";

/** Google's published token-signing keys. */
export const GOOGLE_JWKS_URL = "https://www.googleapis.com/oauth2/v3/certs";
/** The `iss` of GCE instance identity tokens. */
export const GOOGLE_ISSUER = "https://accounts.google.com";

/** What the `gcp` verifier needs. */
export interface GcpVerifierOptions {
  policy: KeyFetchPolicy;
  cache: KeySetCache;
  /** The `aud` instances must request: this issuer's join audience. */
  audience: string;
  /** Where Google's keys are fetched; default `GOOGLE_JWKS_URL`. */
  keysUrl?: string;
  skewSeconds?: number;
}

function attributesOf(payload: JWTPayload): Record<string, string> {
  const gce = (payload.google as { compute_engine?: Record<string, unknown> } | undefined)?.compute_engine;
  if (typeof gce !== "object" || gce === null)
    throw new JoinProofInvalidError("attestation: the token is not a GCE instance identity token (format=full)");
  const attributes: Record<string, string> = {};
  for (const name of ["project_id", "project_number", "zone", "instance_id", "instance_name"]) {
    const value = gce[name];
    if (typeof value === "string" || (typeof value === "number" && Number.isSafeInteger(value))) attributes[name] = String(value);
  }
  if (payload.email_verified === true && typeof payload.email === "string") attributes.service_account = payload.email;
  if (attributes.project_id === undefined || attributes.instance_id === undefined) {
    throw new JoinProofInvalidError("attestation: the token is not a GCE instance identity token (format=full)");
  }
  return attributes;
}

/**
 * The `gcp` join verifier: a GCE instance identity token (`format=full`), RS256 by Google's keys,
 * for this issuer's audience, matched against project / zone / service account / instance rules;
 * each token is accepted once.
 */
export class GcpVerifier implements JoinVerifier {
  readonly method = "gcp" as const;
  readonly #options: GcpVerifierOptions;
  readonly #keysUrl: string;

  constructor(options: GcpVerifierOptions) {
    this.#options = options;
    this.#keysUrl = options.keysUrl ?? GOOGLE_JWKS_URL;
    assertFetchableUrl(this.#keysUrl, options.policy, "GCP keys URL");
  }

  async validateRule(rule: JoinRule): Promise<JoinRule> {
    return validateGcpRule(rule);
  }

  async attest(proof: JoinProof, rules: readonly JoinRule[], context: AttestationContext): Promise<Attestation> {
    const verified = await verifyJwtProof(proof.token, {
      issuer: GOOGLE_ISSUER,
      algorithms: ["RS256"],
      clock: context.clock,
      skewSeconds: this.#options.skewSeconds ?? 60,
      keys: (refresh) => this.#options.cache.keySet(this.#keysUrl, refresh),
    });
    if (!audienceIncludes(verified.payload, this.#options.audience))
      throw new JoinProofInvalidError("attestation: the token is for another audience");
    const attributes = attributesOf(verified.payload);
    const matched = (rules as GcpRule[]).some((rule) => rule.method === "gcp" && claimRulesMatch(rule.claims, attributes));
    if (!matched) throw new JoinRuleMismatchError("attestation: the instance matches none of the bot's gcp rules");
    await claimJwtOnce(verified, "gcp", context);
    return { attributes, proofHash: verified.proofHash };
  }
}
