import { type BotView, createBotRoute, deleteBotRoute, listBotsRoute, showBotRoute } from "#tessera/contract";
import type { Command, CommandContext } from "../main.js";
import { UsageError, formatFields, formatTable } from "../output.js";
import { expectNoPositionals, expectOnePositional, parseDurationFlag, printResult } from "./admin-arguments.js";
import { JOIN_RULE_OPTIONS, joinRulesFromFlags } from "./join-rule-flags.js";
import { formatLockState, setLock } from "./lock-state.js";

const dnsText = (bot: BotView, separator = ", ") => bot.allowed_dns_names.join(separator) || "-";
const joinMethods = (bot: BotView) => bot.join_rules.map((r) => r.method).join(",");

function setBotLock(ctx: CommandContext, locked: boolean): Promise<void> {
  const name = expectOnePositional(ctx, "bot name");
  const instance = ctx.values.instance as string | undefined;
  return setLock(ctx, instance ? "bot_instance" : "bot", instance ?? name, locked);
}

/** `tessera bot create|list|show|delete|lock|unlock`: manage bots and lock their instances. */
export function botCommands(): Record<string, Command> {
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
        const name = expectOnePositional(ctx, "bot name");
        const allow = (ctx.values.allow as string[] | undefined) ?? [];
        if (!allow.length) throw new UsageError("tessera: bot create needs at least one --allow SPIFFE_ID");
        const maxTtl = parseDurationFlag(ctx.values["max-ttl"], "--max-ttl");
        const bot = await ctx.admin().call(createBotRoute, {
          body: {
            name,
            allowed_spiffe_ids: allow,
            allowed_dns_names: (ctx.values["allow-dns"] as string[] | undefined) ?? [],
            join_rules: joinRulesFromFlags(ctx.values),
            ...(maxTtl ? { max_svid_ttl: maxTtl } : {}),
          },
        });
        const fields = {
          id: bot.id,
          allowed_spiffe_ids: bot.allowed_spiffe_ids.join(", "),
          allowed_dns_names: dnsText(bot),
          max_svid_ttl: `${bot.max_svid_ttl}s`,
        };
        printResult(ctx, bot, () => `created bot ${name}\n${formatFields(fields)}`);
      },
    },
    "bot list": {
      usage: "",
      options: {},
      run: async (ctx) => {
        expectNoPositionals(ctx);
        const { bots } = await ctx.admin().call(listBotsRoute, {});
        printResult(ctx, { bots }, () =>
          formatTable(
            ["NAME", "STATE", "JOIN METHODS", "ALLOWED SPIFFE IDS", "ALLOWED DNS NAMES"],
            bots.map((b) => [b.name, formatLockState(b.lock), joinMethods(b), b.allowed_spiffe_ids.join(" "), dnsText(b, " ")]),
          ),
        );
      },
    },
    "bot show": {
      usage: "NAME",
      options: {},
      run: async (ctx) => {
        const name = expectOnePositional(ctx, "bot name");
        const bot = await ctx.admin().call(showBotRoute, { params: { name } });
        const instances = bot.instances ?? [];
        printResult(ctx, bot, () =>
          [
            formatFields({
              name: bot.name,
              id: bot.id,
              state: formatLockState(bot.lock),
              allowed_spiffe_ids: bot.allowed_spiffe_ids.join(" "),
              allowed_dns_names: dnsText(bot, " "),
              join_methods: joinMethods(bot),
              max_svid_ttl: `${bot.max_svid_ttl}s`,
              created_at: bot.created_at,
            }),
            "",
            formatTable(
              ["INSTANCE", "STATE", "METHOD", "GENERATION", "EXPIRES"],
              instances.map((i) => [i.id, formatLockState(i.lock), i.join_method, i.generation, i.expires_at]),
            ),
          ].join("\n"),
        );
      },
    },
    "bot delete": {
      usage: "NAME",
      options: {},
      run: async (ctx) => {
        const name = expectOnePositional(ctx, "bot name");
        const result = await ctx.admin().call(deleteBotRoute, { params: { name } });
        printResult(ctx, result, () => `deleted bot ${name}`);
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
  };
}
