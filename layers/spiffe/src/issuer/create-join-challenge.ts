import { issueJoinChallenge, type JoinChallenge } from "../attestation/index.js";
import type { IssuerDeps } from "./types.js";

export type { JoinChallenge };

/**
 * A single-use challenge for an `aws_iam` join, recorded in the store until it expires
 * (`CHALLENGE_TTL_SECONDS`), so whichever issuer instance gets the join accepts it, once.
 */
export function createJoinChallenge(deps: Pick<IssuerDeps, "store" | "clock">): Promise<JoinChallenge> {
  return issueJoinChallenge({ clock: deps.clock, replay: deps.store });
}
