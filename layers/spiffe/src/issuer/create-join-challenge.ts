import { issueJoinChallenge, type JoinChallenge } from "../attestation/index.js";
import type { CREATE_JOIN_CHALLENGE_STORE } from "./store-parts.js";
import type { IssuerDepsFor } from "./types.js";

export type { JoinChallenge };

/**
 * A single-use challenge for an `aws_iam` join, recorded in the store until it expires
 * (`CHALLENGE_TTL_SECONDS`), so whichever issuer instance gets the join accepts it, once.
 */
export function createJoinChallenge(
  deps: Pick<IssuerDepsFor<typeof CREATE_JOIN_CHALLENGE_STORE>, "store" | "clock">,
): Promise<JoinChallenge> {
  return issueJoinChallenge({ clock: deps.clock, replay: deps.store });
}
