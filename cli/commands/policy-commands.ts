import { policyTestRoute } from "#tessera/contract";
import type { Command, CommandContext } from "../main.js";
import { UsageError, formatFields } from "../output.js";
import { expectNoPositionals, parseDurationFlag, printResult } from "./admin-arguments.js";

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
  expectNoPositionals(ctx);
  if (!ctx.values.bot || !ctx.values["spiffe-id"]) throw new UsageError("tessera: policy test needs --bot NAME and --spiffe-id ID");
  const ttl = parseDurationFlag(ctx.values.ttl, "--ttl");
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
  printResult(ctx, result, () =>
    result.allowed
      ? `allowed\n${formatFields({ spiffe_id: result.spiffe_id, dns_names: result.dns_names.join(" ") || "-", ttl: `${result.ttl}s` })}`
      : `refused\n${formatFields({ code: result.code, reason: result.reason })}`,
  );
}

/** `tessera policy test`: whether a bot may get an SVID, without issuing one. */
export function policyCommands(): Record<string, Command> {
  return {
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
  };
}
