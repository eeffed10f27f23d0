import {
  adminActorOf,
  bindRoute,
  caStatusRoute,
  createBotRoute,
  createJoinTokenRoute,
  deleteBotRoute,
  type HttpEvent,
  issuanceStatsRoute,
  lastSvidsRoute,
  listAuditRoute,
  listBotInstancesRoute,
  listBotsRoute,
  listJoinTokensRoute,
  listRevocationsRoute,
  policyTestRoute,
  type RequestOf,
  revokeRoute,
  rotateCaRoute,
  type Route,
  type RouteAnswer,
  type RouteDescriptor,
  setLockRoute,
  showBotRoute,
  trustAnchorRoute,
} from "#tessera/contract";
import {
  type AdminDeps,
  type AuditEvent,
  type Bot,
  type BotInstance,
  checkPolicy,
  countIssuance,
  createBot,
  createJoinToken,
  deleteBot,
  emergencyCaRotation,
  findLastX509Svids,
  getBotByName,
  getCaStatus,
  getTrustAnchorState,
  type JoinToken,
  listAuditPage,
  listBotInstancePage,
  listBotPage,
  listBots,
  listJoinTokenPage,
  listJoinTokens,
  requestCaRotation,
  type Revocation,
  type RevocationDeps,
  revokeSvids,
  setLock,
  showBot,
  type StoreFor,
} from "#tessera/issuer";
import type { PublisherNames } from "#tessera/aws";
import { issuanceView, trustAnchorView } from "./console-views.js";
import type { ADMIN_FUNCTION_STORE } from "./store-parts.js";

/** The store as the admin routes see it: the parts their use cases declare. */
type AdminStore = StoreFor<typeof ADMIN_FUNCTION_STORE>;

const iso = (ms: number) => new Date(ms).toISOString();
const lockView = (lock: Bot["lock"]) =>
  lock ? { reason: lock.reason, locked_at: iso(lock.lockedAt), locked_by: lock.lockedBy } : undefined;

function botView(bot: Bot) {
  return {
    id: bot.id,
    name: bot.name,
    allowed_spiffe_ids: bot.allowedSpiffeIds,
    allowed_dns_names: bot.allowedDnsNames ?? [],
    join_rules: bot.joinRules,
    max_svid_ttl: bot.maxSvidTtlSeconds,
    created_at: iso(bot.createdAt),
    lock: lockView(bot.lock),
  };
}

function instanceView(instance: BotInstance) {
  return {
    id: instance.id,
    bot_id: instance.botId,
    bot_name: instance.botName,
    join_method: instance.joinMethod,
    generation: instance.generation,
    created_at: iso(instance.createdAt),
    renewed_at: iso(instance.renewedAt),
    expires_at: iso(instance.expiresAt),
    attributes: instance.attributes,
    lock: lockView(instance.lock),
  };
}

function tokenView(token: JoinToken) {
  return {
    token_hash: token.tokenHash,
    bot_id: token.botId,
    bot_name: token.botName,
    uses_remaining: token.usesRemaining,
    expires_at: iso(token.expiresAt),
    created_at: iso(token.createdAt),
    lock: lockView(token.lock),
  };
}

function auditView(event: AuditEvent) {
  return {
    id: event.id,
    type: event.type,
    time: iso(event.time),
    bot_name: event.botName,
    instance_id: event.instanceId,
    join_method: event.joinMethod,
    spiffe_id: event.spiffeId,
    serial_or_jti: event.serialOrJti,
    expires_at: event.expiresAt === undefined ? undefined : iso(event.expiresAt),
    key_thumbprint: event.keyThumbprint,
    detail: event.detail,
  };
}

function revocationView(revocation: Revocation) {
  return {
    svid_type: revocation.kind,
    [revocation.kind === "x509" ? "serial" : "jti"]: revocation.id,
    ca_id: revocation.caId,
    bot_name: revocation.botName,
    instance_id: revocation.instanceId,
    reason: revocation.reason,
    revoked_at: iso(revocation.revokedAt),
    revoked_by: revocation.revokedBy,
    expires_at: iso(revocation.expiresAt),
  };
}

/** An admin route: the admin principal is read before anything else runs. */
function adminRoute<D extends RouteDescriptor>(
  descriptor: D,
  run: (request: RequestOf<D>, actor: string, event: HttpEvent) => Promise<RouteAnswer<D>>,
): Route {
  return bindRoute(descriptor, (request, event) => run(request, adminActorOf(event), event));
}

/**
 * The admin routes: bots, join tokens, locks, audit, CA status and revocation. IAM-authorised in AWS.
 * `scheduled`: the publishers the rotate function runs after an emergency rotation or a revocation
 * (AWS); the answers name them, since nothing was published by the call itself.
 */
export function adminRoutes(deps: AdminDeps<AdminStore>, revocation: RevocationDeps<AdminStore>, scheduled?: PublisherNames): Route[] {
  return [
    adminRoute(createBotRoute, async ({ body }, actor) => {
      const input = {
        name: body.name,
        allowedSpiffeIds: body.allowed_spiffe_ids,
        allowedDnsNames: body.allowed_dns_names,
        joinRules: body.join_rules,
        maxSvidTtlSeconds: body.max_svid_ttl,
      };
      return botView(await createBot(deps, input, actor));
    }),
    adminRoute(listBotsRoute, async ({ query }) => {
      if (query.limit === undefined && query.cursor === undefined) return { bots: (await listBots(deps)).map(botView) };
      const page = await listBotPage(deps, { limit: query.limit, cursor: query.cursor });
      return { bots: page.items.map(botView), ...(page.next ? { next_cursor: page.next } : {}) };
    }),
    adminRoute(listBotInstancesRoute, async ({ params, query }) => {
      const page = await listBotInstancePage(deps, params.name, { limit: query.limit, cursor: query.cursor });
      return { instances: page.items.map(instanceView), ...(page.next ? { next_cursor: page.next } : {}) };
    }),
    adminRoute(lastSvidsRoute, async ({ params, query }) => {
      const found = await findLastX509Svids(deps, params.name, query.instances);
      return { last_svids: found.events.map(auditView), scanned: found.scanned, capped: found.capped };
    }),
    adminRoute(showBotRoute, async ({ params, query }) => {
      if (query.instances === "none") return botView(await getBotByName(deps, params.name));
      const { bot, instances } = await showBot(deps, params.name);
      return { ...botView(bot), instances: instances.map(instanceView) };
    }),
    adminRoute(deleteBotRoute, async ({ params }, actor) => {
      const deleted = await deleteBot(deps, params.name, actor);
      return { deleted: deleted.name, id: deleted.id };
    }),
    adminRoute(createJoinTokenRoute, async ({ body }, actor) => {
      const created = await createJoinToken(deps, { botName: body.bot_name, ttlSeconds: body.ttl, uses: body.uses }, actor);
      return {
        token: created.token,
        token_hash: created.tokenHash,
        bot_id: created.botId,
        bot_name: created.botName,
        uses_remaining: created.usesRemaining,
        expires_at: created.expiresAt.toISOString(),
        created_at: created.createdAt.toISOString(),
      };
    }),
    adminRoute(listJoinTokensRoute, async ({ query }) => {
      if (query.limit === undefined && query.cursor === undefined)
        return { tokens: (await listJoinTokens(deps, query.bot)).map(tokenView) };
      const page = await listJoinTokenPage(deps, query);
      return { tokens: page.items.map(tokenView), ...(page.next ? { next_cursor: page.next } : {}) };
    }),
    adminRoute(setLockRoute, async ({ body }, actor) => {
      const { locked, changed } = await setLock(
        deps,
        { target: body.target, id: body.id, locked: body.locked ?? true, reason: body.reason },
        actor,
      );
      return { target: body.target, id: body.id, locked, changed };
    }),
    adminRoute(listAuditRoute, async ({ query }) => {
      const page = await listAuditPage(deps, { ...query, spiffeId: query.spiffe_id });
      return { events: page.items.map(auditView), ...(page.next ? { next_cursor: page.next } : {}) };
    }),
    adminRoute(policyTestRoute, async ({ body }) => {
      const request = {
        bot: body.bot,
        attributes: body.attributes,
        instance: body.instance,
        spiffeId: body.spiffe_id,
        svidType: body.svid_type,
        dnsNames: body.dns_names,
        ttlSeconds: body.ttl,
      };
      const result = await checkPolicy({ store: deps.store, policy: deps.issuerPolicy }, request);
      return result.allowed
        ? { allowed: true as const, spiffe_id: result.spiffeId, dns_names: result.dnsNames, ttl: result.ttlSeconds }
        : { allowed: false as const, code: result.code, reason: result.reason };
    }),
    adminRoute(caStatusRoute, async () => getCaStatus(deps)),
    adminRoute(trustAnchorRoute, async () => trustAnchorView(await getTrustAnchorState(deps))),
    adminRoute(issuanceStatsRoute, async ({ query }) =>
      issuanceView(await countIssuance(deps, { hours: query.hours, bucketMinutes: query.bucket_minutes, top: query.top })),
    ),
    adminRoute(rotateCaRoute, async ({ body }, actor) => {
      if (body.emergency !== true) return requestCaRotation(deps, body.kind);
      const done = await emergencyCaRotation(deps, { kind: body.kind, reason: body.reason }, actor);
      return {
        emergency: true as const,
        outcomes: done.outcomes,
        steps: done.steps,
        pending: done.pending,
        published: done.published,
        ...(scheduled ? { scheduled: scheduled.bundle } : {}),
        ...done.status,
      };
    }),
    adminRoute(revokeRoute, async ({ body }, actor) => {
      const result = await revokeSvids(revocation, body, actor);
      return {
        revoked: result.revoked.map(revocationView),
        matched: result.matched,
        crls: result.crls.map((crl) => ({
          ca_id: crl.caId,
          crl_number: crl.crlNumber,
          this_update: iso(crl.thisUpdate),
          next_update: iso(crl.nextUpdate),
        })),
        published: result.published.map((p) => ("error" in p ? { publisher: p.publisher, error: p.error.message } : p)),
        ...(scheduled ? { scheduled: scheduled.crl } : {}),
      };
    }),
    adminRoute(listRevocationsRoute, async () => ({
      revocations: (await revocation.store.revocations.listRevocations(revocation.clock.now().getTime())).map(revocationView),
    })),
  ];
}
