import { parseDurationSeconds } from "#tessera/core";
import {
  caStatusRoute,
  createBotRoute,
  createJoinTokenRoute,
  deleteBotRoute,
  listAuditRoute,
  listBotsRoute,
  listJoinTokensRoute,
  policyTestRoute,
  rotateCaRoute,
  setLockRoute,
  showBotRoute,
} from "#tessera/contract";
import { consoleLoginCodeRoute } from "../dev/console-login-route.js";
import type { Command, CommandContext } from "../main.js";
import { UsageError, formatFields, formatTable } from "../output.js";
import { JOIN_RULE_OPTIONS, joinRulesFromFlags } from "./join-rule-flags.js";

type Json = Record<string, unknown>;

function one(ctx: CommandContext, what: string): string {
  const [value, ...rest] = ctx.positionals;
  if (!value || rest.length) throw new UsageError(`tessera: expected exactly one ${what}`);
  return value;
}

function none(ctx: CommandContext): void {
  if (ctx.positionals.length) throw new UsageError(`tessera: unexpected argument ${ctx.positionals[0]}`);
}

function seconds(value: unknown, flag: string): number | undefined {
  if (value === undefined) return undefined;
  try {
    return parseDurationSeconds(String(value), flag);
  } catch {
    throw new UsageError(`tessera: ${flag} must be a duration such as 300, 15m, 1h or 24h`);
  }
}

function print(ctx: CommandContext, data: unknown, text: () => string): void {
  ctx.io.out(ctx.json ? JSON.stringify(data, null, 2) : text());
}

// An issuer older than DNS rules sends no allowed_dns_names: it grants none either.
const dnsText = (bot: Json, separator = ", ") => ((bot.allowed_dns_names as string[] | undefined) ?? []).join(separator) || "-";
const lockText = (lock: unknown) => (lock ? `locked (${(lock as Json).reason as string})` : "active");

async function setLock(ctx: CommandContext, target: string, id: string, locked: boolean): Promise<void> {
  const body = { target, id, locked, ...(ctx.values.reason ? { reason: ctx.values.reason as string } : {}) };
  const result = await ctx.admin().call(setLockRoute, { body });
  const what = `${target.replace("_", " ")} ${id}`;
  print(ctx, result, () =>
    result.changed === false
      ? `${what} was ${locked ? "already" : "not"} locked; nothing changed`
      : `${locked ? "locked" : "unlocked"} ${what}`,
  );
}

function setBotLock(ctx: CommandContext, locked: boolean): Promise<void> {
  const name = one(ctx, "bot name");
  const instance = ctx.values.instance as string | undefined;
  return setLock(ctx, instance ? "bot_instance" : "bot", instance ?? name, locked);
}

function formatWarnings(schedule: Json[]): string {
  const warnings = schedule.flatMap((p) => (typeof p.warning === "string" ? [`  WARNING ${p.kind as string}: ${p.warning}`] : []));
  return warnings.length === 0 ? "" : `\n\nwarnings:\n${warnings.join("\n")}`;
}

function formatCaStatus(status: Json): string {
  const slots = status.slots as Json[];
  const schedule = (status.schedule as Json[] | undefined) ?? [];
  const next = schedule.map((p) => {
    const step = p.next as Json | undefined;
    const emergency = p.emergency as Json | undefined;
    const requested = emergency
      ? ` (EMERGENCY rotation under way since ${emergency.requestedAt as string}: ${emergency.reason as string})`
      : p.rotationRequestedAt
        ? ` (rotation requested ${p.rotationRequestedAt as string})`
        : "";
    return step
      ? `${p.kind as string}: ${step.step as string} slot ${step.slot as string} ${step.due ? "now" : `at ${step.at as string}`}${requested}`
      : `${p.kind as string}: nothing planned`;
  });
  return `trust domain: ${status.trustDomain as string}\nbundle sequence: ${status.bundleSequence as number}\n\n${formatTable(
    ["KIND", "SLOT", "STATUS", "KEY", "GEN", "NOT BEFORE", "NOT AFTER"],
    slots.map((s) => [
      s.kind as string,
      s.slot as string,
      s.status as string,
      s.keyId as string,
      String(s.keyGeneration),
      s.notBefore as string,
      s.notAfter as string,
    ]),
  )}\n\nnext:\n${next.map((l) => `  ${l}`).join("\n")}${formatWarnings(schedule)}`;
}

function attributesFromFlags(values: unknown): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const pair of (values as string[] | undefined) ?? []) {
    const at = pair.indexOf("=");
    if (at < 1) throw new UsageError(`tessera: --attr must be NAME=VALUE, not ${pair}`);
    attributes[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return attributes;
}

async function testPolicy(ctx: CommandContext): Promise<void> {
  none(ctx);
  if (!ctx.values.bot || !ctx.values["spiffe-id"]) throw new UsageError("tessera: policy test needs --bot NAME and --spiffe-id ID");
  const ttl = seconds(ctx.values.ttl, "--ttl");
  const dns = ctx.values.dns as string[] | undefined;
  const result = await ctx.admin().call(policyTestRoute, {
    body: {
      bot: ctx.values.bot as string,
      attributes: attributesFromFlags(ctx.values.attr),
      spiffe_id: ctx.values["spiffe-id"] as string,
      ...(ctx.values.instance ? { instance: ctx.values.instance as string } : {}),
      ...(ctx.values.jwt ? { svid_type: "jwt" } : {}),
      ...(dns?.length ? { dns_names: dns } : {}),
      ...(ttl ? { ttl } : {}),
    },
  });
  print(ctx, result, () =>
    result.allowed
      ? `allowed\n${formatFields({ spiffe_id: result.spiffe_id, dns_names: (result.dns_names as string[]).join(" ") || "-", ttl: `${result.ttl as number}s` })}`
      : `refused\n${formatFields({ code: result.code, reason: result.reason })}`,
  );
}

function formatEmergency(done: Json): string {
  const outcomes = Object.entries((done.outcomes as Json | undefined) ?? {}).map(([kind, outcome]) => `${kind}: ${outcome as string}`);
  const steps = ((done.steps as Json[] | undefined) ?? []).map((s) => `${s.type as string} ${s.kind as string} slot ${s.slot as string}`);
  const pending = (done.pending as string[] | undefined) ?? [];
  const state = pending.length
    ? `still under way for ${pending.join(", ")}: the next rotation ticks finish it (see tessera ca status)`
    : "done: the compromised keys are out of the published bundle; agents renew from the new CA at their next bundle refresh";
  return `emergency rotation ${state}\nrequests: ${outcomes.join(", ")}\nsteps: ${steps.join(", ") || "none"}\n\n${formatCaStatus(done)}`;
}

/** `tessera bot|token|audit|ca|bundle|policy ...`: the admin commands. */
export function adminCommands(): Record<string, Command> {
  return {
    "bot create": {
      usage:
        "NAME --allow SPIFFE_ID [--allow ...] [--allow-dns NAME|*.DOMAIN ...] [--join-method token|oidc|gcp|aws_ec2|aws_iam ...] " +
        "[--oidc-preset github|gitlab|kubernetes|aws_sts|azure] [--oidc-issuer URL] [--oidc-audience AUD] [--claim NAME=GLOB ...] " +
        "[--aws-account ID ...] [--aws-region GLOB ...] [--max-join-age 5m] [--allow-rejoin] [--aws-arn GLOB ...] " +
        "[--join-rules JSON] [--max-ttl 1h]",
      options: {
        allow: { type: "string", multiple: true },
        "allow-dns": { type: "string", multiple: true },
        ...JOIN_RULE_OPTIONS,
        "max-ttl": { type: "string" },
      },
      run: async (ctx) => {
        const name = one(ctx, "bot name");
        const allow = (ctx.values.allow as string[] | undefined) ?? [];
        if (!allow.length) throw new UsageError("tessera: bot create needs at least one --allow SPIFFE_ID");
        const maxTtl = seconds(ctx.values["max-ttl"], "--max-ttl");
        const bot = await ctx.admin().call(createBotRoute, {
          body: {
            name,
            allowed_spiffe_ids: allow,
            allowed_dns_names: (ctx.values["allow-dns"] as string[] | undefined) ?? [],
            join_rules: joinRulesFromFlags(ctx.values) as { method: string }[],
            ...(maxTtl ? { max_svid_ttl: maxTtl } : {}),
          },
        });
        const fields = {
          id: bot.id,
          allowed_spiffe_ids: (bot.allowed_spiffe_ids as string[]).join(", "),
          allowed_dns_names: dnsText(bot),
          max_svid_ttl: `${bot.max_svid_ttl as number}s`,
        };
        print(ctx, bot, () => `created bot ${name}\n${formatFields(fields)}`);
      },
    },
    "bot list": {
      usage: "",
      options: {},
      run: async (ctx) => {
        none(ctx);
        const { bots } = await ctx.admin().call(listBotsRoute, {});
        print(ctx, { bots }, () =>
          formatTable(
            ["NAME", "STATE", "JOIN METHODS", "ALLOWED SPIFFE IDS", "ALLOWED DNS NAMES"],
            bots.map((b) => [
              b.name as string,
              lockText(b.lock),
              (b.join_rules as Json[]).map((r) => r.method as string).join(","),
              (b.allowed_spiffe_ids as string[]).join(" "),
              dnsText(b, " "),
            ]),
          ),
        );
      },
    },
    "bot show": {
      usage: "NAME",
      options: {},
      run: async (ctx) => {
        const name = one(ctx, "bot name");
        const bot = await ctx.admin().call(showBotRoute, { params: { name } });
        const instances = bot.instances as Json[];
        print(ctx, bot, () =>
          [
            formatFields({
              name: bot.name,
              id: bot.id,
              state: lockText(bot.lock),
              allowed_spiffe_ids: (bot.allowed_spiffe_ids as string[]).join(" "),
              allowed_dns_names: dnsText(bot, " "),
              join_methods: (bot.join_rules as Json[]).map((r) => r.method).join(","),
              max_svid_ttl: `${bot.max_svid_ttl as number}s`,
              created_at: bot.created_at,
            }),
            "",
            formatTable(
              ["INSTANCE", "STATE", "METHOD", "GENERATION", "EXPIRES"],
              instances.map((i) => [
                i.id as string,
                lockText(i.lock),
                i.join_method as string,
                i.generation as number,
                i.expires_at as string,
              ]),
            ),
          ].join("\n"),
        );
      },
    },
    "bot delete": {
      usage: "NAME",
      options: {},
      run: async (ctx) => {
        const name = one(ctx, "bot name");
        const result = await ctx.admin().call(deleteBotRoute, { params: { name } });
        print(ctx, result, () => `deleted bot ${name}`);
      },
    },
    "bot lock": {
      usage: "NAME [--instance ID] [--reason TEXT]",
      options: { instance: { type: "string" }, reason: { type: "string" } },
      run: (ctx) => setBotLock(ctx, true),
    },
    "bot unlock": {
      usage: "NAME [--instance ID] [--reason TEXT]",
      options: { instance: { type: "string" }, reason: { type: "string" } },
      run: (ctx) => setBotLock(ctx, false),
    },
    "token create": {
      usage: "--bot NAME [--ttl 1h] [--uses 1]",
      options: { bot: { type: "string" }, ttl: { type: "string" }, uses: { type: "string" } },
      run: async (ctx) => {
        none(ctx);
        if (!ctx.values.bot) throw new UsageError("tessera: token create needs --bot NAME");
        const uses = ctx.values.uses === undefined ? undefined : Number(ctx.values.uses);
        if (uses !== undefined && !Number.isSafeInteger(uses)) throw new UsageError("tessera: --uses must be a whole number");
        const ttl = seconds(ctx.values.ttl, "--ttl");
        const token = await ctx.admin().call(createJoinTokenRoute, {
          body: {
            bot_name: ctx.values.bot as string,
            ...(ttl ? { ttl } : {}),
            ...(uses ? { uses } : {}),
          },
        });
        print(
          ctx,
          token,
          () =>
            `${token.token as string}\n\n${formatFields({ bot: token.bot_name, uses: token.uses_remaining, expires_at: token.expires_at, token_hash: token.token_hash })}\n\nThe token is shown once; pass it to the agent's onboarding.token.`,
        );
      },
    },
    "token list": {
      usage: "[--bot NAME]",
      options: { bot: { type: "string" } },
      run: async (ctx) => {
        none(ctx);
        const { tokens } = await ctx.admin().call(listJoinTokensRoute, ctx.values.bot ? { query: { bot: ctx.values.bot as string } } : {});
        print(ctx, { tokens }, () =>
          formatTable(
            ["TOKEN HASH", "BOT", "USES LEFT", "STATE", "EXPIRES"],
            tokens.map((t) => [
              t.token_hash as string,
              t.bot_name as string,
              t.uses_remaining as number,
              lockText(t.lock),
              t.expires_at as string,
            ]),
          ),
        );
      },
    },
    "token lock": {
      usage: "TOKEN_HASH [--reason TEXT]",
      options: { reason: { type: "string" } },
      run: (ctx) => setLock(ctx, "join_token", one(ctx, "token hash"), true),
    },
    "token unlock": {
      usage: "TOKEN_HASH [--reason TEXT]",
      options: { reason: { type: "string" } },
      run: (ctx) => setLock(ctx, "join_token", one(ctx, "token hash"), false),
    },
    "audit list": {
      usage:
        "[--bot NAME] [--spiffe-id ID] [--type T (join, x509_svid, join_refused, svid_refused, ...)] [--since TIME] [--until TIME] [--limit N]",
      options: {
        bot: { type: "string" },
        "spiffe-id": { type: "string" },
        type: { type: "string" },
        since: { type: "string" },
        until: { type: "string" },
        limit: { type: "string" },
      },
      run: async (ctx) => {
        none(ctx);
        const query: Record<string, string> = {};
        for (const [flag, name] of [
          ["bot", "bot"],
          ["spiffe-id", "spiffe_id"],
          ["type", "type"],
          ["since", "since"],
          ["until", "until"],
          ["limit", "limit"],
        ] as const) {
          const v = ctx.values[flag];
          if (typeof v === "string") query[name] = v;
        }
        const { events } = await ctx.admin().call(listAuditRoute, { query });
        print(ctx, { events }, () =>
          formatTable(
            ["TIME", "TYPE", "BOT", "INSTANCE", "SPIFFE ID", "SERIAL/JTI", "TOKEN", "ACTOR", "CODE", "REASON"],
            events.map((e) => {
              const detail = (e.detail ?? {}) as Record<string, string | undefined>;
              const hash = detail.token_hash_prefix ?? detail.proof_hash_prefix ?? detail.credential_hash_prefix;
              const token = hash === undefined ? undefined : `${hash}...`;
              return [
                e.time as string,
                e.type as string,
                e.bot_name as string,
                e.instance_id as string,
                e.spiffe_id as string,
                e.serial_or_jti as string,
                token,
                detail.actor,
                detail.code,
                detail.reason,
              ];
            }),
          ),
        );
      },
    },
    "policy test": {
      usage: "--bot NAME --spiffe-id ID [--attr NAME=VALUE ...] [--instance ID] [--dns NAME ...] [--ttl 1h] [--jwt]",
      options: {
        bot: { type: "string" },
        "spiffe-id": { type: "string" },
        attr: { type: "string", multiple: true },
        instance: { type: "string" },
        dns: { type: "string", multiple: true },
        ttl: { type: "string" },
        jwt: { type: "boolean" },
      },
      run: testPolicy,
    },
    "console login": {
      usage: "",
      options: {},
      run: async (ctx) => {
        none(ctx);
        const created = await ctx.admin().call(consoleLoginCodeRoute, {});
        const url = `${ctx.target.issuer.replace(/\/+$/, "")}${created.login_path as string}`;
        print(
          ctx,
          { url },
          () => `${url}\n\nOpen it once, within 10 minutes, in the browser that will use the console (tessera dev only).`,
        );
      },
    },
    "ca status": {
      usage: "",
      options: {},
      run: async (ctx) => {
        none(ctx);
        const status = await ctx.admin().call(caStatusRoute, {});
        print(ctx, status, () => formatCaStatus(status));
      },
    },
    "ca rotate": {
      usage: "[--emergency [--kind x509|jwt|all] [--reason TEXT]]",
      options: { emergency: { type: "boolean" }, kind: { type: "string" }, reason: { type: "string" } },
      run: async (ctx) => {
        none(ctx);
        const { emergency, kind, reason } = ctx.values;
        if (!emergency && (kind !== undefined || reason !== undefined))
          throw new UsageError("tessera: --kind and --reason go with --emergency");
        if (kind !== undefined && kind !== "x509" && kind !== "jwt" && kind !== "all")
          throw new UsageError("tessera: --kind must be x509, jwt or all");
        if (!emergency) {
          const status = await ctx.admin().call(rotateCaRoute, { body: {} });
          print(
            ctx,
            status,
            () =>
              `rotation requested: a new CA and JWT key are prepared on the next tick and activated once published\n\n${formatCaStatus(status)}`,
          );
          return;
        }
        const body = {
          emergency: true,
          ...(kind !== undefined ? { kind } : {}),
          ...(reason !== undefined ? { reason: reason as string } : {}),
        };
        const done = await ctx.admin().call(rotateCaRoute, { body });
        print(ctx, done, () => formatEmergency(done));
      },
    },
    "bundle show": {
      usage: "[--format spiffe|pem]",
      options: { format: { type: "string" } },
      run: async (ctx) => {
        none(ctx);
        const format = (ctx.values.format as string | undefined) ?? "spiffe";
        if (format !== "spiffe" && format !== "pem") throw new UsageError("tessera: --format must be spiffe or pem");
        const text = await ctx.admin().issuer.fetchBundle(format === "pem" ? "pem" : undefined);
        ctx.io.out(ctx.json && format === "spiffe" ? JSON.stringify(JSON.parse(text), null, 2) : text.trimEnd());
      },
    },
  };
}
