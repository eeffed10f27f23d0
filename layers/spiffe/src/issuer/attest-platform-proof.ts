import type { Attestation, JoinProof, PlatformJoinMethod } from "../attestation/index.js";
import { assertBotName } from "../admin/bots.js";
import { BotLockedError, JoinMethodNotAllowedError } from "../errors.js";
import type { Bot, ReplayStore } from "../store/types.js";
import type { RefusedRequest } from "./audit-refusals.js";
import { defaultJoinVerifiers } from "./default-join-verifiers.js";
import type { ATTEST_PLATFORM_PROOF_STORE } from "./store-parts.js";
import type { IssuerDeps, IssuerDepsFor } from "./types.js";

/** A platform proof that the bot's rules accepted. */
export interface AttestedBot {
  bot: Bot;
  attestation: Attestation;
}

/**
 * Check a platform proof (`oidc`, `gcp`, ...) against the rules of the bot it names: the bot exists
 * and has rules for the method, is not locked, and the method's verifier accepts the proof. The
 * proof's single-use records go to `replay`, which the caller writes when its request succeeds.
 * `asked` learns the bot whose rules decide, for the audit of a refusal.
 */
export async function attestPlatformProof(
  deps: IssuerDepsFor<typeof ATTEST_PLATFORM_PROOF_STORE>,
  request: { method: PlatformJoinMethod; botName: unknown; proof: JoinProof },
  asked: RefusedRequest | undefined,
  replay: ReplayStore,
): Promise<AttestedBot> {
  assertBotName(request.botName);
  const bot = await deps.store.getBot(request.botName);
  const rules = bot?.joinRules.filter((rule) => rule.method === request.method) ?? [];
  // An unknown bot and a bot without the method read the same: names are not for strangers to probe.
  if (!bot || rules.length === 0)
    throw new JoinMethodNotAllowedError(`join: bot ${request.botName} does not accept ${request.method} joins`);
  if (asked) {
    asked.botName = bot.name;
    asked.detail.bot_id = bot.id;
  }
  if (bot.lock) throw new BotLockedError(`join: bot ${bot.name} is locked`);
  const verifier = platformVerifiers(deps)[request.method];
  const attestation = await verifier.attest(request.proof, rules, { clock: deps.clock, replay });
  return { bot, attestation };
}

/** The platform join verifiers of `deps` (production defaults when it has none). */
export function platformVerifiers(deps: Pick<IssuerDeps, "verifiers" | "clock" | "policy">): NonNullable<IssuerDeps["verifiers"]> {
  return deps.verifiers ?? defaultJoinVerifiers(deps);
}

/** True when `method` names a platform join method that has a verifier. */
export function isPlatformJoinMethod(
  deps: Pick<IssuerDeps, "verifiers" | "clock" | "policy">,
  method: unknown,
): method is PlatformJoinMethod {
  return typeof method === "string" && Object.hasOwn(platformVerifiers(deps), method);
}

/** The audit `subject` of an attestation: the token's `sub`, else the instance id, else the caller's ARN. */
export function subjectOf(attributes: Record<string, string>): Record<string, string> {
  const subject = attributes.sub ?? attributes.instance_id ?? attributes.arn;
  return subject === undefined ? {} : { subject: subject.slice(0, 256) };
}
