import { createHash } from "node:crypto";
import { JoinProofInvalidError, JoinRuleMismatchError } from "../../errors.js";
import { equalBytes } from "../../internal/der/der-element.js";
import type { JoinRule } from "../../store/types.js";
import { claimRulesMatch } from "../claim-rules.js";
import type { Attestation, AttestationContext, JoinProof, JoinVerifier } from "../types.js";
import { MAX_JOIN_AGE_LIMIT_SECONDS, validateAwsEc2Rule, type AwsEc2Rule } from "./aws-ec2-rule.js";
import { identityAttributes, MAX_DOCUMENT_BYTES, parseIdentityDocument, type IdentityDocument } from "./identity-document.js";
import { parseSignedData, verifySignedData } from "./pkcs7-signed-data.js";
import type { RegionKeys } from "./region-certificates.js";

/** The longest `rsa2048` signature accepted, characters of base64 (EC2's are about 2,400). */
const MAX_SIGNATURE_CHARS = 16_384;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** What the `aws_ec2` verifier needs. */
export interface AwsEc2VerifierOptions {
  /** The key of each Region's RSA-2048 certificate (`createRegionKeys`). */
  regionKeys: RegionKeys;
  /** Tolerated clock difference around `pendingTime`, seconds. Default 60. */
  skewSeconds?: number;
}

function invalid(why: string): JoinProofInvalidError {
  return new JoinProofInvalidError(`attestation: ${why}`);
}

/** The DER/BER bytes of an `rsa2048` signature: base64, with or without PEM armour and line breaks. */
function signatureBytes(token: unknown): Uint8Array {
  if (typeof token !== "string" || token.length === 0 || token.length > MAX_SIGNATURE_CHARS)
    throw invalid("the proof is not an EC2 rsa2048 signature");
  const text = token.replace(/-----(BEGIN|END) PKCS7-----/g, "").replace(/\s+/g, "");
  if (text.length % 4 !== 0 || !BASE64.test(text)) throw invalid("the proof is not an EC2 rsa2048 signature (base64)");
  return Buffer.from(text, "base64");
}

function documentBytes(document: unknown): Uint8Array | undefined {
  if (document === undefined || document === null) return undefined;
  if (typeof document !== "string" || document.length === 0 || Buffer.byteLength(document) > MAX_DOCUMENT_BYTES) {
    throw invalid("the instance identity document sent beside the signature is not a document");
  }
  return Buffer.from(document, "utf8");
}

/** The bot's aws_ec2 rules, normalised; a rule stored before it could be validated and invalid now matches nothing. */
function storedRules(rules: readonly JoinRule[]): AwsEc2Rule[] {
  return rules.flatMap((rule) => {
    try {
      return rule.method === "aws_ec2" ? [validateAwsEc2Rule(rule)] : [];
    } catch {
      return [];
    }
  });
}

/**
 * The `aws_ec2` join verifier: an EC2 instance identity document and its RSA-2048 PKCS#7 signature
 * (IMDS `dynamic/instance-identity/rsa2048`), verified with the AWS certificate of the document's
 * Region. The signed content is the only source of facts: a document sent beside it must be the
 * same bytes. Then the bot's account / Region / instance / AMI rules, the join window after
 * `pendingTime`, and trust on first use: one launch of an instance joins once.
 */
export class AwsEc2Verifier implements JoinVerifier {
  readonly method = "aws_ec2" as const;
  readonly #options: AwsEc2VerifierOptions;

  constructor(options: AwsEc2VerifierOptions) {
    this.#options = options;
  }

  async validateRule(rule: JoinRule): Promise<JoinRule> {
    return validateAwsEc2Rule(rule);
  }

  async attest(proof: JoinProof, rules: readonly JoinRule[], context: AttestationContext): Promise<Attestation> {
    const signature = signatureBytes(proof.token);
    const beside = documentBytes(proof.document);
    const doc = this.#verifiedDocument(signature, beside);
    const attributes = identityAttributes(doc);
    const matching = storedRules(rules).filter((rule) => claimRulesMatch(rule.claims, attributes));
    if (matching.length === 0) throw new JoinRuleMismatchError("attestation: the instance matches none of the bot's aws_ec2 rules");
    const now = context.clock.now().getTime();
    const skew = (this.#options.skewSeconds ?? 60) * 1000;
    if (doc.pendingTime > now + skew) throw invalid("the instance identity document's pendingTime is in the future");
    const rule = matching.find((candidate) => now <= doc.pendingTime + candidate.max_join_age * 1000 + skew);
    if (!rule) throw invalid("the instance identity document is older than the bot's max_join_age");
    if (!rule.allow_rejoin) {
      // One launch (instance id + pendingTime) joins once, whichever bot; remembered as long as any rule could accept it.
      const expiresAt = doc.pendingTime + MAX_JOIN_AGE_LIMIT_SECONDS * 1000 + skew;
      await context.replay.claimOnce(`aws_ec2:${doc.account}`, `${doc.instanceId}@${doc.pendingTime}`, expiresAt, now);
    }
    return { attributes, proofHash: createHash("sha256").update(signature).digest("hex") };
  }

  /** The document the signature covers, verified; a document sent beside it must be those bytes. */
  #verifiedDocument(signature: Uint8Array, beside: Uint8Array | undefined): IdentityDocument {
    const signed = parseSignedData(signature);
    // The Region picks the certificate; the signature check below then vouches for the Region too.
    const region = parseIdentityDocument(signed.content ?? beside ?? new Uint8Array()).region;
    const key = this.#options.regionKeys.get(region);
    if (!key) throw invalid(`no AWS certificate is configured for Region ${region}`);
    const content = verifySignedData(signed, key, beside);
    if (beside && !equalBytes(beside, content)) throw invalid("the document sent differs from the document the signature covers");
    return parseIdentityDocument(content);
  }
}
