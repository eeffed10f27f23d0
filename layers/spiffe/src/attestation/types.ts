import type { Clock } from "../clock.js";
import type { JoinRule, ReplayStore } from "../store/types.js";

/** The join methods whose proof a platform signs (as opposed to a one-time token Tessera issued). */
export type PlatformJoinMethod = Extract<JoinRule["method"], "oidc" | "gcp" | "aws_ec2" | "aws_iam">;

/** What a joining machine presents: the platform's signed token, as sent. */
export interface JoinProof {
  token: unknown;
  /** The signed document, when the method sends it beside the signature (`aws_ec2`), as sent. */
  document?: unknown;
}

/** What a verifier needs from the issuer for one attestation. */
export interface AttestationContext {
  clock: Clock;
  /** Where single-use proof ids are recorded; shared by every issuer instance. */
  replay: ReplayStore;
}

/** What a verified proof establishes about the joining machine. */
export interface Attestation {
  /** Facts the proof establishes, for templates (`{{repository_owner}}`) and the audit trail. */
  attributes: Record<string, string>;
  /** SHA-256 (hex) of the proof: for the audit trail, never the proof itself. */
  proofHash: string;
}

/**
 * The rule side of a join method: what a bot's join rule of this method may say. The admin needs only
 * this (see `createJoinRuleValidators`), never the proof checks and their key material.
 */
export interface JoinRuleValidator {
  /** Check one join rule of this method when a bot is written; returns it normalised. `PolicyInvalidError` otherwise. */
  validateRule(rule: JoinRule): Promise<JoinRule>;
}

/**
 * A join verifier: checks one join method's rules when a bot is created, and one machine's proof
 * against them when it joins. Every implementation runs `runJoinVerifierConformance`.
 */
export interface JoinVerifier extends JoinRuleValidator {
  readonly method: PlatformJoinMethod;
  /**
   * Verify `proof` against the bot's `rules` of this method, then record the proof as used
   * (`ReplayError` if it was). Nothing is recorded for a refused proof.
   */
  attest(proof: JoinProof, rules: readonly JoinRule[], context: AttestationContext): Promise<Attestation>;
}

/** Where verifiers may fetch keys from. */
export interface KeyFetchPolicy {
  /** Accept `http://` URLs on loopback hosts (tests and local development only). */
  allowHttpLoopback: boolean;
}
