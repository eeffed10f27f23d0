import { createHash, randomBytes } from "node:crypto";
import { JoinChallengeInvalidError, ReplayError } from "../../errors.js";
import type { ReplayWriter } from "../../store/types.js";
import type { AttestationContext } from "../types.js";

/** How long a join challenge can be used, seconds. */
export const CHALLENGE_TTL_SECONDS = 120;

const ISSUED = "aws_iam:challenge";
const USED = "aws_iam:challenge-used";

/** A single-use join challenge. */
export interface JoinChallenge {
  /** 32 random bytes, base64url: the value of the signed challenge header. */
  challenge: string;
  expiresAt: Date;
}

function keyOf(challenge: string): string {
  return createHash("sha256").update(challenge).digest("hex");
}

/** Make a challenge and record it in the store until it expires, so any issuer instance accepts it. */
export async function issueJoinChallenge(context: Pick<AttestationContext, "clock"> & { replay: ReplayWriter }): Promise<JoinChallenge> {
  const challenge = randomBytes(32).toString("base64url");
  const now = context.clock.now().getTime();
  const expiresAt = now + CHALLENGE_TTL_SECONDS * 1000;
  await context.replay.claimOnce(ISSUED, keyOf(challenge), expiresAt, now);
  return { challenge, expiresAt: new Date(expiresAt) };
}

/** Throw unless `challenge` was issued, is unexpired (`JoinChallengeInvalidError`) and unused (`ReplayError`). Writes nothing. */
export async function assertChallengeUsable(challenge: string, context: AttestationContext): Promise<void> {
  const now = context.clock.now().getTime();
  if (!(await context.replay.isClaimed(ISSUED, keyOf(challenge), now))) {
    throw new JoinChallengeInvalidError("attestation: the join challenge is unknown or expired; ask for a new one");
  }
  if (await context.replay.isClaimed(USED, keyOf(challenge), now))
    throw new ReplayError("attestation: the join challenge was already used");
}

/** Spend `challenge`: exactly one caller wins, every other gets `ReplayError`. */
export async function consumeChallenge(challenge: string, context: AttestationContext): Promise<void> {
  const now = context.clock.now().getTime();
  await context.replay.claimOnce(USED, keyOf(challenge), now + CHALLENGE_TTL_SECONDS * 1000, now);
}
