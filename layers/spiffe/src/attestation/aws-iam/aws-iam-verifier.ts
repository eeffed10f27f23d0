import { createHash } from "node:crypto";
import { JoinRuleMismatchError } from "../../errors.js";
import type { JoinRule } from "../../store/types.js";
import { claimRulesMatch } from "../claim-rules.js";
import type { Attestation, AttestationContext, JoinProof, JoinVerifier } from "../types.js";
import { callGetCallerIdentity } from "./call-sts.js";
import { validateAwsIamRule, type AwsIamRule } from "./aws-iam-rule.js";
import { callerAttributesOf } from "./caller-attributes.js";
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
    return validateAwsIamRule(rule);
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
