import { createHash } from "node:crypto";
import type { JSONWebKeySet } from "jose";
import { JoinKeysUnavailableError, JoinProofInvalidError, JoinRuleMismatchError } from "../../errors.js";
import type { JoinRule } from "../../store/types.js";
import { claimRulesMatch } from "../claim-rules.js";
import { assertFetchableUrl } from "../jwt/fetch-json.js";
import type { KeySetCache } from "../jwt/key-set-cache.js";
import { audienceIncludes, claimJwtOnce, readIssuerInsecure, verifyJwtProof, type VerifiedJwt } from "../jwt/verify-jwt-proof.js";
import type { Attestation, AttestationContext, JoinProof, JoinVerifier, KeyFetchPolicy } from "../types.js";
import { validateOidcJoinRule, type OidcRule } from "./oidc-rule.js";
import { OIDC_PRESETS, claimValuesOf, oidcAttributesOf } from "./presets.js";

/** What the `oidc` verifier needs. */
export interface OidcVerifierOptions {
  policy: KeyFetchPolicy;
  /** Shared cache of discovery documents and JWKS. */
  cache: KeySetCache;
  /** Tolerated clock difference for `exp`, `nbf`, `iat`, seconds. Default 60. */
  skewSeconds?: number;
}

/**
 * The `oidc` join verifier: any OIDC issuer's ID token (GitHub Actions, GitLab CI, Kubernetes
 * service accounts...), verified against the issuer's discovered JWKS or a static one, then the
 * bot's audience and claim rules; each token is accepted once (its `jti`, else its hash).
 */
export class OidcVerifier implements JoinVerifier {
  readonly method = "oidc" as const;
  readonly #options: OidcVerifierOptions;

  constructor(options: OidcVerifierOptions) {
    this.#options = options;
  }

  async validateRule(rule: JoinRule): Promise<JoinRule> {
    return validateOidcJoinRule(rule, this.#options.policy);
  }

  async attest(proof: JoinProof, rules: readonly JoinRule[], context: AttestationContext): Promise<Attestation> {
    const iss = readIssuerInsecure(proof.token);
    const candidates = (rules as OidcRule[]).filter((rule) => rule.method === "oidc" && rule.issuer === iss);
    if (candidates.length === 0) throw new JoinProofInvalidError("attestation: the token's issuer is not trusted by this bot");
    let firstError: unknown;
    let verifiedOnce = false;
    for (const rule of candidates) {
      let verified: VerifiedJwt;
      try {
        verified = await verifyJwtProof(proof.token, {
          issuer: rule.issuer,
          algorithms: rule.algorithms,
          clock: context.clock,
          skewSeconds: this.#options.skewSeconds ?? 60,
          keys: (refresh) => this.#keysOf(rule, refresh),
        });
        if (!audienceIncludes(verified.payload, rule.audience))
          throw new JoinProofInvalidError("attestation: the token is for another audience");
      } catch (err) {
        firstError ??= err;
        continue;
      }
      verifiedOnce = true;
      const preset = rule.preset === undefined ? undefined : OIDC_PRESETS[rule.preset];
      const attributes = oidcAttributesOf(verified.payload, preset);
      if (!claimRulesMatch(rule.claims, claimValuesOf(verified.payload, attributes, preset))) continue;
      await claimJwtOnce(verified, `oidc:${createHash("sha256").update(rule.issuer).digest("hex").slice(0, 32)}`, context);
      return { attributes, proofHash: verified.proofHash };
    }
    if (verifiedOnce) throw new JoinRuleMismatchError("attestation: the token matches none of the bot's oidc claim rules");
    throw firstError;
  }

  async #keysOf(rule: OidcRule, refresh: boolean): Promise<JSONWebKeySet> {
    if (rule.jwks) return rule.jwks;
    const { cache, policy } = this.#options;
    const discoveryUrl =
      (rule.preset === undefined ? undefined : OIDC_PRESETS[rule.preset]?.discoveryUrl?.(new URL(rule.issuer))) ??
      `${rule.issuer.replace(/\/+$/, "")}/.well-known/openid-configuration`;
    const discovery = (await cache.document(discoveryUrl)) as Record<string, unknown> | null;
    if (discovery?.issuer !== rule.issuer)
      throw new JoinKeysUnavailableError("attestation: the issuer's discovery document names another issuer");
    try {
      assertFetchableUrl(discovery.jwks_uri, policy, "jwks_uri");
    } catch (err) {
      throw new JoinKeysUnavailableError("attestation: the issuer's discovery document has no usable jwks_uri", { cause: err });
    }
    return cache.keySet(discovery.jwks_uri, refresh);
  }
}
