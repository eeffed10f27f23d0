import { createHash } from "node:crypto";
import { JoinRuleMismatchError, PolicyInvalidError } from "../../errors.js";
import type { JoinRule } from "../../store/types.js";
import { claimRulesMatch, validateClaimRules, type ClaimRules } from "../claim-rules.js";
import type { Attestation, AttestationContext, JoinProof, JoinVerifier } from "../types.js";
import { callGetCallerIdentity } from "./call-sts.js";
import { AWS_IAM_ATTRIBUTES, callerAttributesOf } from "./caller-attributes.js";
import { assertChallengeUsable, consumeChallenge } from "./challenge.js";
import { checkSignedStsRequest, decodeAwsIamProof } from "./signed-sts-request.js";

/** What the `aws_iam` verifier needs. */
export interface AwsIamVerifierOptions {
  /**
   * STS endpoints accepted besides AWS's public ones, each exactly `scheme://host[:port]/`: an
   * emulator in tests, from configuration (`TESSERA_STS_ENDPOINT`). Empty in production.
   */
  extraStsEndpoints?: readonly string[];
  /** How STS is reached; default the global `fetch`. */
  fetch?: typeof fetch;
  /** Default 5000. */
  timeoutMs?: number;
}

interface AwsIamRule extends JoinRule {
  method: "aws_iam";
  claims: ClaimRules;
}

function ruleMatches(rule: AwsIamRule, attributes: Record<string, string>): boolean {
  if (claimRulesMatch(rule.claims, attributes)) return true;
  // An assumed role's ARN also reads as its role's IAM ARN, which is what admins know and write.
  return attributes.role_arn !== undefined && claimRulesMatch(rule.claims, { ...attributes, arn: attributes.role_arn });
}

/**
 * The `aws_iam` join verifier: a SigV4-signed `sts:GetCallerIdentity` request carrying a
 * single-use join challenge in a signed header, checked, forwarded to an allowed STS endpoint, and
 * the caller STS names matched against the bot's account / ARN / role rules. The challenge is spent
 * only after every check passed.
 */
export class AwsIamVerifier implements JoinVerifier {
  readonly method = "aws_iam" as const;
  readonly #extra: readonly string[];
  readonly #fetch: typeof fetch;
  readonly #timeoutMs: number;

  constructor(options: AwsIamVerifierOptions = {}) {
    this.#extra = options.extraStsEndpoints ?? [];
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.#timeoutMs = options.timeoutMs ?? 5000;
  }

  async validateRule(rule: JoinRule): Promise<JoinRule> {
    for (const field of Object.keys(rule)) {
      if (field !== "method" && field !== "claims")
        throw new PolicyInvalidError(`attestation: aws_iam rule has an unknown field ${JSON.stringify(field.slice(0, 64))}`);
    }
    const claims = validateClaimRules(rule.claims, "attestation: aws_iam rule", ["account"]);
    for (const name of Object.keys(claims)) {
      if (!AWS_IAM_ATTRIBUTES.includes(name))
        throw new PolicyInvalidError(`attestation: aws_iam rule claims may name ${AWS_IAM_ATTRIBUTES.join(", ")}`);
    }
    if (claims.account === undefined || !claims.account.every((account) => /^\d{12}$/.test(account))) {
      throw new PolicyInvalidError("attestation: aws_iam rule needs account: one or more 12-digit AWS account ids");
    }
    return { method: "aws_iam", claims };
  }

  async attest(proof: JoinProof, rules: readonly JoinRule[], context: AttestationContext): Promise<Attestation> {
    const request = checkSignedStsRequest(decodeAwsIamProof(proof.token), this.#extra);
    await assertChallengeUsable(request.challenge, context);
    const identity = await callGetCallerIdentity(request, { fetch: this.#fetch, timeoutMs: this.#timeoutMs });
    const attributes = callerAttributesOf(identity);
    if (!(rules as AwsIamRule[]).some((rule) => rule.method === "aws_iam" && ruleMatches(rule, attributes))) {
      throw new JoinRuleMismatchError("attestation: the caller matches none of the bot's aws_iam rules");
    }
    await consumeChallenge(request.challenge, context);
    return {
      attributes,
      proofHash: createHash("sha256")
        .update(proof.token as string)
        .digest("hex"),
    };
  }
}
