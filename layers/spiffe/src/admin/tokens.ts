import { recordAudit } from "../audit/index.js";
import { generateJoinTokenSecret, hashSecret } from "../credential/index.js";
import { BotNotFoundError, RequestInvalidError } from "../errors.js";
import type { JoinToken } from "../store/types.js";
import { assertBotName } from "./bots.js";
import { pageAfter, pageSizeOf, type Page, type PageQuery } from "./pages.js";
import type { CREATE_JOIN_TOKEN_STORE, LIST_JOIN_TOKENS_STORE } from "./store-parts.js";
import type { AdminActor, AdminDepsFor } from "./types.js";

const MAX_TOKEN_TTL_SECONDS = 7 * 24 * 3600;
const MAX_USES = 1000;

/** What an admin gives to create a join token (typed by the API contract's request schema). */
export interface CreateJoinTokenInput {
  botName: string;
  ttlSeconds?: number;
  uses?: number;
}

/** A new join token: the secret is shown this once and stored only as its hash. */
export interface CreatedJoinToken {
  token: string;
  tokenHash: string;
  botId: string;
  botName: string;
  usesRemaining: number;
  expiresAt: Date;
  createdAt: Date;
}

function boundedInteger(value: number | undefined, fallback: number, max: number, what: string): number {
  const v = value ?? fallback;
  if (!Number.isSafeInteger(v) || v <= 0 || v > max) {
    throw new RequestInvalidError(`admin: ${what} must be a whole number from 1 to ${max}`);
  }
  return v;
}

/** Create a join token, bound to the bot's id, for a bot that accepts token joins. Default: one use, 1 hour. */
export async function createJoinToken(
  deps: AdminDepsFor<typeof CREATE_JOIN_TOKEN_STORE>,
  input: CreateJoinTokenInput,
  actor: AdminActor,
): Promise<CreatedJoinToken> {
  assertBotName(input.botName);
  const ttlSeconds = boundedInteger(input.ttlSeconds, 3600, MAX_TOKEN_TTL_SECONDS, "ttl");
  const uses = boundedInteger(input.uses, 1, MAX_USES, "uses");
  const bot = await deps.store.getBot(input.botName);
  if (!bot) throw new BotNotFoundError(`admin: no bot named ${input.botName}`);
  if (!bot.joinRules.some((r) => r.method === "token")) {
    throw new RequestInvalidError(`admin: bot ${bot.name} does not accept the token join method`);
  }
  const token = generateJoinTokenSecret();
  const now = deps.clock.now().getTime();
  const record: JoinToken = {
    tokenHash: hashSecret(token),
    botId: bot.id,
    botName: bot.name,
    usesRemaining: uses,
    expiresAt: now + ttlSeconds * 1000,
    createdAt: now,
  };
  await deps.store.createJoinToken(record);
  await recordAudit(
    { audit: deps.store, logger: deps.logger },
    {
      type: "token_created",
      time: now,
      botName: bot.name,
      expiresAt: record.expiresAt,
      detail: { actor, token_hash_prefix: record.tokenHash.slice(0, 12), uses: String(uses) },
    },
  );
  return {
    token,
    tokenHash: record.tokenHash,
    botId: bot.id,
    botName: bot.name,
    usesRemaining: uses,
    expiresAt: new Date(record.expiresAt),
    createdAt: new Date(now),
  };
}

/** Join tokens (hashes only), optionally of one bot. */
export async function listJoinTokens(deps: AdminDepsFor<typeof LIST_JOIN_TOKENS_STORE>, botName?: string): Promise<JoinToken[]> {
  if (botName !== undefined) assertBotName(botName);
  return deps.store.listJoinTokens(botName);
}

/** A page of join tokens (hashes only), optionally of one bot, in hash order, after the cursor (a hash). */
export async function listJoinTokenPage(
  deps: AdminDepsFor<typeof LIST_JOIN_TOKENS_STORE>,
  query: PageQuery & { bot?: string },
): Promise<Page<JoinToken>> {
  const byHash = (await listJoinTokens(deps, query.bot)).sort((a, b) => (a.tokenHash < b.tokenHash ? -1 : 1));
  return pageAfter(byHash, (token) => token.tokenHash, query.cursor, pageSizeOf(query.limit, 100));
}
