import {
  adminActorOf,
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
  jsonResponse,
  listAuditPage,
  listBotInstancePage,
  listBotPage,
  listBots,
  listJoinTokenPage,
  listJoinTokens,
  requestCaRotation,
  RequestInvalidError,
  revokeSvids,
  setLock,
  showBot,
  type AdminDeps,
  type AuditEvent,
  type Bot,
  type BotInstance,
  type HttpEvent,
  type JoinToken,
  type Revocation,
  type RevocationDeps,
  type Route,
} from "../../layers/spiffe/src/index.js";
import { issuanceView, trustAnchorView } from "./console-views.js";

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
const lockView = (lock: Bot["lock"]) =>
  lock ? { reason: lock.reason, locked_at: iso(lock.lockedAt), locked_by: lock.lockedBy } : undefined;

function botView(bot: Bot): Record<string, unknown> {
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

function instanceView(instance: BotInstance): Record<string, unknown> {
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

function tokenView(token: JoinToken): Record<string, unknown> {
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

function auditView(event: AuditEvent): Record<string, unknown> {
  return {
    id: event.id,
    type: event.type,
    time: iso(event.time),
    bot_name: event.botName,
    instance_id: event.instanceId,
    join_method: event.joinMethod,
    spiffe_id: event.spiffeId,
    serial_or_jti: event.serialOrJti,
    expires_at: iso(event.expiresAt),
    key_thumbprint: event.keyThumbprint,
    detail: event.detail,
  };
}

function revocationView(revocation: Revocation): Record<string, unknown> {
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

const param = (event: HttpEvent, name: string) => event.pathParameters?.[name];
const query = (event: HttpEvent, name: string) => event.queryStringParameters?.[name];

/** The admin routes: bots, join tokens, locks, audit, CA status and revocation. IAM-authorised in AWS. */
export function adminRoutes(deps: AdminDeps, revocation: RevocationDeps): Route[] {
  const route = (routeKey: string, maxBodyBytes: number, run: (event: HttpEvent, actor: string) => Promise<unknown>): Route => ({
    routeKey,
    maxBodyBytes,
    handle: async (event) => {
      const actor = adminActorOf(event);
      const status = routeKey.startsWith("POST /v1/admin/bots") || routeKey.startsWith("POST /v1/admin/tokens") ? 201 : 200;
      return jsonResponse(status, await run(event, actor));
    },
  });
  return [
    route("POST /v1/admin/bots", 64 * 1024, async (event, actor) => {
      const body = event.json ?? {};
      const bot = await createBot(
        deps,
        {
          name: body.name,
          allowedSpiffeIds: body.allowed_spiffe_ids,
          allowedDnsNames: body.allowed_dns_names,
          joinRules: body.join_rules,
          maxSvidTtlSeconds: body.max_svid_ttl,
        },
        actor,
      );
      return botView(bot);
    }),
    route("GET /v1/admin/bots", 0, async (event) => {
      if (query(event, "limit") === undefined && query(event, "cursor") === undefined) return { bots: (await listBots(deps)).map(botView) };
      const page = await listBotPage(deps, { limit: query(event, "limit"), cursor: query(event, "cursor") });
      return { bots: page.items.map(botView), ...(page.next ? { next_cursor: page.next } : {}) };
    }),
    route("GET /v1/admin/bots/{name}/instances", 0, async (event) => {
      const page = await listBotInstancePage(deps, param(event, "name"), { limit: query(event, "limit"), cursor: query(event, "cursor") });
      return { instances: page.items.map(instanceView), ...(page.next ? { next_cursor: page.next } : {}) };
    }),
    route("GET /v1/admin/bots/{name}/last-svids", 0, async (event) => {
      const found = await findLastX509Svids(deps, param(event, "name"), query(event, "instances"));
      return { last_svids: found.events.map(auditView), scanned: found.scanned, capped: found.capped };
    }),
    route("GET /v1/admin/bots/{name}", 0, async (event) => {
      const only = query(event, "instances");
      if (only !== undefined && only !== "none") throw new RequestInvalidError("admin: instances must be none (or absent: every instance)");
      if (only === "none") return botView(await getBotByName(deps, param(event, "name")));
      const { bot, instances } = await showBot(deps, param(event, "name"));
      return { ...botView(bot), instances: instances.map(instanceView) };
    }),
    route("DELETE /v1/admin/bots/{name}", 0, async (event, actor) => {
      const deleted = await deleteBot(deps, param(event, "name"), actor);
      return { deleted: deleted.name, id: deleted.id };
    }),
    route("POST /v1/admin/tokens", 4 * 1024, async (event, actor) => {
      const body = event.json ?? {};
      const created = await createJoinToken(deps, { botName: body.bot_name, ttlSeconds: body.ttl, uses: body.uses }, actor);
      return {
        token: created.token,
        token_hash: created.tokenHash,
        bot_id: created.botId,
        bot_name: created.botName,
        uses_remaining: created.usesRemaining,
        expires_at: created.expiresAt.toISOString(),
      };
    }),
    route("GET /v1/admin/tokens", 0, async (event) => {
      if (query(event, "limit") === undefined && query(event, "cursor") === undefined) return { tokens: (await listJoinTokens(deps, query(event, "bot"))).map(tokenView) };
      const page = await listJoinTokenPage(deps, { bot: query(event, "bot"), limit: query(event, "limit"), cursor: query(event, "cursor") });
      return { tokens: page.items.map(tokenView), ...(page.next ? { next_cursor: page.next } : {}) };
    }),
    route("POST /v1/admin/locks", 4 * 1024, async (event, actor) => {
      const body = event.json ?? {};
      const { locked, changed } = await setLock(deps, { target: body.target, id: body.id, locked: body.locked ?? true, reason: body.reason }, actor);
      return { target: body.target, id: body.id, locked, changed };
    }),
    route("GET /v1/admin/audit", 0, async (event) => {
      const page = await listAuditPage(deps, {
        bot: query(event, "bot"),
        spiffeId: query(event, "spiffe_id"),
        type: query(event, "type"),
        since: query(event, "since"),
        until: query(event, "until"),
        limit: query(event, "limit"),
        cursor: query(event, "cursor"),
      });
      return { events: page.items.map(auditView), ...(page.next ? { next_cursor: page.next } : {}) };
    }),
    route("POST /v1/admin/policy/test", 16 * 1024, async (event) => {
      const body = event.json ?? {};
      const result = await checkPolicy(
        { store: deps.store, policy: deps.issuerPolicy },
        {
          bot: body.bot,
          attributes: body.attributes,
          instance: body.instance,
          spiffeId: body.spiffe_id,
          svidType: body.svid_type,
          dnsNames: body.dns_names,
          ttlSeconds: body.ttl,
        },
      );
      return result.allowed
        ? { allowed: true, spiffe_id: result.spiffeId, dns_names: result.dnsNames, ttl: result.ttlSeconds }
        : { allowed: false, code: result.code, reason: result.reason };
    }),
    route("GET /v1/admin/ca", 0, async () => getCaStatus(deps)),
    route("GET /v1/admin/ca/trust-anchor", 0, async () => trustAnchorView(await getTrustAnchorState(deps))),
    route("GET /v1/admin/stats/issuance", 0, async (event) =>
      issuanceView(await countIssuance(deps, { hours: query(event, "hours"), bucketMinutes: query(event, "bucket_minutes"), top: query(event, "top") })),
    ),
    route("POST /v1/admin/ca/rotate", 4 * 1024, async (event, actor) => {
      const body = event.json ?? {};
      if (body.emergency === undefined || body.emergency === false) return requestCaRotation(deps);
      if (body.emergency !== true) throw new RequestInvalidError("admin: emergency must be true or false");
      const done = await emergencyCaRotation(deps, { kind: body.kind, reason: body.reason }, actor);
      return { emergency: true, outcomes: done.outcomes, steps: done.steps, pending: done.pending, published: done.published, ...done.status };
    }),
    route("POST /v1/admin/revocations", 4 * 1024, async (event, actor) => {
      const body = event.json ?? {};
      const result = await revokeSvids(revocation, { serial: body.serial, jti: body.jti, bot: body.bot, instance: body.instance, ca: body.ca, reason: body.reason }, actor);
      return {
        revoked: result.revoked.map(revocationView),
        matched: result.matched,
        crls: result.crls.map((crl) => ({ ca_id: crl.caId, crl_number: crl.crlNumber, this_update: iso(crl.thisUpdate), next_update: iso(crl.nextUpdate) })),
        published: result.published.map((p) => ("error" in p ? { publisher: p.publisher, error: p.error.message } : p)),
      };
    }),
    route("GET /v1/admin/revocations", 0, async () => ({
      revocations: (await revocation.store.revocations.listRevocations(revocation.clock.now().getTime())).map(revocationView),
    })),
  ];
}
