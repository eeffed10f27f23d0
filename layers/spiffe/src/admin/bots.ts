import { randomUUID } from "node:crypto";
import { recordAudit } from "../audit/index.js";
import { createJoinRuleValidators, type PlatformJoinMethod } from "../attestation/index.js";
import { BotNotFoundError, RequestInvalidError } from "../errors.js";
import { validateAllowedDnsNamePattern } from "../issuer/allowed-dns-names.js";
import { validateAllowedSpiffeIdPattern } from "../issuer/allowed-spiffe-ids.js";
import { placeholdersFor } from "../issuer/policy-template.js";
import type { Bot, BotInstance, JoinRule } from "../store/types.js";
import { pageAfter, pageSizeOf, type Page, type PageQuery } from "./pages.js";
import type { CREATE_BOT_STORE, DELETE_BOT_STORE, GET_BOT_STORE, LIST_BOTS_STORE, SHOW_BOT_STORE } from "./store-parts.js";
import type { AdminActor, AdminDeps, AdminDepsFor } from "./types.js";

const BOT_NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;
const JOIN_METHODS: readonly JoinRule["method"][] = ["token", "aws_iam", "aws_ec2", "gcp", "oidc"];
const MAX_PATTERNS = 100;
const MAX_JOIN_RULES = 16;

/** A join rule as an admin gives it: a method, and that method's rules (checked by its validator). */
export type JoinRuleInput = { method: unknown } & Record<string, unknown>;

/**
 * What an admin gives to create a bot. The types are the API contract's (its request schema checks
 * them at the edge); `createBot` checks what a schema does not: names, bounds and the rules themselves.
 */
export interface CreateBotInput {
  name: string;
  allowedSpiffeIds: readonly string[];
  /** Exact DNS names and `*.domain` wildcards the bot may put in certificates; none when absent. */
  allowedDnsNames?: readonly string[];
  joinRules?: readonly JoinRuleInput[];
  maxSvidTtlSeconds?: number;
}

/**
 * Throws unless `name` is a bot name: lowercase letters, digits, `.`, `_`, `-`, at most 63. Takes
 * `unknown` for the join and SVID bodies, which their use cases check (and audit) themselves.
 */
export function assertBotName(name: unknown): asserts name is string {
  if (typeof name !== "string" || !BOT_NAME.test(name)) {
    throw new RequestInvalidError("admin: bot name must be 1-63 of [a-z0-9._-], starting with a letter or digit");
  }
}

async function joinRulesOf(deps: Pick<AdminDeps, "verifiers">, value: readonly JoinRuleInput[] | undefined): Promise<JoinRule[]> {
  if (value === undefined) return [{ method: "token" }];
  if (value.length === 0 || value.length > MAX_JOIN_RULES) {
    throw new RequestInvalidError(`admin: join_rules must be an array of 1 to ${MAX_JOIN_RULES} rules`);
  }
  const verifiers = deps.verifiers ?? createJoinRuleValidators({ allowHttpLoopback: false });
  const rules: JoinRule[] = [];
  for (const rule of value) {
    if (!JOIN_METHODS.includes(rule.method as JoinRule["method"])) {
      throw new RequestInvalidError(`admin: each join rule needs a method, one of ${JOIN_METHODS.join(", ")}`);
    }
    const method = (rule as JoinRule).method;
    rules.push(
      Object.hasOwn(verifiers, method) ? await verifiers[method as PlatformJoinMethod].validateRule(rule as JoinRule) : (rule as JoinRule),
    );
  }
  return rules;
}

function dnsRulesOf(value: readonly string[] | undefined): string[] {
  if (value === undefined) return [];
  if (value.length > MAX_PATTERNS) throw new RequestInvalidError(`admin: allowed_dns_names must be at most ${MAX_PATTERNS} strings`);
  return [...new Set(value.map(validateAllowedDnsNamePattern))];
}

/**
 * Create a bot with its allowed SPIFFE IDs, DNS names and join rules under a new immutable id; the
 * name must be free. Every pattern is checked first (placeholders only those the join methods
 * fill), so nothing is written for a rule that could not be evaluated.
 */
export async function createBot(deps: AdminDepsFor<typeof CREATE_BOT_STORE>, input: CreateBotInput, actor: AdminActor): Promise<Bot> {
  assertBotName(input.name);
  const patterns = input.allowedSpiffeIds;
  if (patterns.length === 0 || patterns.length > MAX_PATTERNS) {
    throw new RequestInvalidError(`admin: allowed_spiffe_ids must be 1 to ${MAX_PATTERNS} strings`);
  }
  const joinRules = await joinRulesOf(deps, input.joinRules);
  const placeholders = placeholdersFor(joinRules.map((rule) => rule.method));
  for (const pattern of patterns) validateAllowedSpiffeIdPattern(pattern, deps.trustDomain, placeholders);
  const allowedDnsNames = dnsRulesOf(input.allowedDnsNames);
  const ttl = input.maxSvidTtlSeconds ?? deps.maxSvidTtlSeconds;
  if (!Number.isSafeInteger(ttl) || ttl <= 0 || ttl > deps.maxSvidTtlSeconds) {
    throw new RequestInvalidError(`admin: max_svid_ttl must be 1 to ${deps.maxSvidTtlSeconds} seconds`);
  }
  const now = deps.clock.now().getTime();
  const bot: Bot = {
    id: randomUUID(),
    name: input.name,
    allowedSpiffeIds: [...patterns],
    allowedDnsNames,
    joinRules,
    maxSvidTtlSeconds: ttl,
    createdAt: now,
  };
  await deps.store.createBot(bot);
  await recordAudit(
    { audit: deps.store, logger: deps.logger },
    { type: "bot_created", time: now, botName: bot.name, detail: { actor, bot_id: bot.id } },
  );
  return bot;
}

/** Every bot. */
export async function listBots(deps: AdminDepsFor<typeof LIST_BOTS_STORE>): Promise<Bot[]> {
  return (await deps.store.listBots()).sort((a, b) => a.name.localeCompare(b.name));
}

/** A page of bots by name, after the cursor (a bot name). */
export async function listBotPage(deps: AdminDepsFor<typeof LIST_BOTS_STORE>, query: PageQuery): Promise<Page<Bot>> {
  const byCodeUnits = (await deps.store.listBots()).sort((a, b) => (a.name < b.name ? -1 : 1));
  return pageAfter(byCodeUnits, (bot) => bot.name, query.cursor, pageSizeOf(query.limit, 100));
}

/** A page of a bot's live instances, newest join first, after the cursor (an instance's position). */
export async function listBotInstancePage(
  deps: AdminDepsFor<typeof SHOW_BOT_STORE>,
  name: string,
  query: PageQuery,
): Promise<Page<BotInstance>> {
  const { instances } = await showBot(deps, name);
  const ordered = instances
    .map((i) => ({ i, key: `${String(Number.MAX_SAFE_INTEGER - i.createdAt).padStart(16, "0")}#${i.id}` }))
    .sort((a, b) => (a.key < b.key ? -1 : 1));
  const page = pageAfter(ordered, (o) => o.key, query.cursor, pageSizeOf(query.limit, 100));
  return { items: page.items.map((o) => o.i), ...(page.next ? { next: page.next } : {}) };
}

/** One bot, without its instances; `BotNotFoundError` if there is none. */
export async function getBotByName(deps: AdminDepsFor<typeof GET_BOT_STORE>, name: string): Promise<Bot> {
  assertBotName(name);
  const bot = await deps.store.getBot(name);
  if (!bot) throw new BotNotFoundError(`admin: no bot named ${name}`);
  return bot;
}

/** One bot with its live instances (those bound to its id); `BotNotFoundError` if there is none. */
export async function showBot(deps: AdminDepsFor<typeof SHOW_BOT_STORE>, name: string): Promise<{ bot: Bot; instances: BotInstance[] }> {
  const bot = await getBotByName(deps, name);
  return { bot, instances: await deps.store.listBotInstances(bot.name) };
}

/**
 * Delete a bot with its join tokens and instances: its credentials and unspent tokens stop working
 * at once, and for good (they are bound to its id, which a bot created with the name does not get).
 */
export async function deleteBot(deps: AdminDepsFor<typeof DELETE_BOT_STORE>, name: string, actor: AdminActor): Promise<Bot> {
  assertBotName(name);
  const bot = await deps.store.deleteBot(name);
  await recordAudit(
    { audit: deps.store, logger: deps.logger },
    { type: "bot_deleted", time: deps.clock.now().getTime(), botName: name, detail: { actor, bot_id: bot.id } },
  );
  return bot;
}
