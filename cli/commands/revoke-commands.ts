import { type CallOf, listRevocationsRoute, type RevocationView, revokeRoute } from "#tessera/contract";
import type { Command, CommandContext } from "../main.js";
import { UsageError, formatTable } from "../output.js";

type RevokeBody = CallOf<typeof revokeRoute>["body"];

const SELECTORS = ["serial", "jti", "bot", "instance"] as const;

function print(ctx: CommandContext, data: unknown, text: () => string): void {
  ctx.io.out(ctx.json ? JSON.stringify(data, null, 2) : text());
}

function revocationTable(rows: readonly RevocationView[]): string {
  return formatTable(
    ["TYPE", "SERIAL/JTI", "CA", "BOT", "INSTANCE", "REASON", "REVOKED AT", "EXPIRES AT"],
    rows.map((r) => [r.svid_type, r.serial ?? r.jti, r.ca_id, r.bot_name, r.instance_id, r.reason, r.revoked_at, r.expires_at]),
  );
}

async function revoke(ctx: CommandContext, selector: RevokeBody): Promise<void> {
  if (ctx.positionals.length) throw new UsageError(`tessera: unexpected argument ${ctx.positionals[0]}`);
  const reason = ctx.values.reason as string | undefined;
  const body = { ...selector, ...(reason === undefined ? {} : { reason }) };
  const result = await ctx.admin().call(revokeRoute, { body });
  const { revoked } = result;
  const crls = result.crls.map((c) => `  CRL ${c.crl_number} of CA ${c.ca_id}, next update ${c.next_update}`);
  const failed = result.published.flatMap((p) =>
    "error" in p ? [`  publishing to ${p.publisher} failed: ${p.error} (the next rotation tick retries)`] : [],
  );
  const scheduled = result.scheduled?.length
    ? [`  the rotate function publishes the CRLs to ${result.scheduled.join(", ")} within seconds`]
    : [];
  print(ctx, result, () =>
    [
      `revoked ${revoked.length} SVID(s) (${result.matched} live matched)`,
      revoked.length ? revocationTable(revoked) : "",
      ...crls,
      ...failed,
      ...scheduled,
    ]
      .filter((l) => l !== "")
      .join("\n"),
  );
}

/** `tessera svid revoke`, `tessera svid revocations` and `tessera ca revoke`: revocation through the admin API. */
export function revokeCommands(): Record<string, Command> {
  return {
    "svid revoke": {
      usage:
        "(--serial HEX | --jti JTI | --bot NAME | --instance ID) [--reason keyCompromise|superseded|affiliationChanged|cessationOfOperation|unspecified]",
      options: {
        serial: { type: "string" },
        jti: { type: "string" },
        bot: { type: "string" },
        instance: { type: "string" },
        reason: { type: "string" },
      },
      run: async (ctx) => {
        const given = SELECTORS.filter((name) => ctx.values[name] !== undefined);
        if (given.length !== 1) throw new UsageError("tessera: svid revoke needs exactly one of --serial, --jti, --bot, --instance");
        await revoke(ctx, { [given[0]!]: ctx.values[given[0]!] as string });
      },
    },
    "svid revocations": {
      usage: "",
      options: {},
      run: async (ctx) => {
        if (ctx.positionals.length) throw new UsageError(`tessera: unexpected argument ${ctx.positionals[0]}`);
        const result = await ctx.admin().call(listRevocationsRoute, {});
        print(ctx, result, () => (result.revocations.length ? revocationTable(result.revocations) : "no live revoked SVIDs"));
      },
    },
    "ca revoke": {
      usage:
        "--ca CA_ID [--reason cACompromise|...]   (CA_ID: ca_id in `tessera ca status -o json`; revokes every live X.509-SVID it signed)",
      options: { ca: { type: "string" }, reason: { type: "string" } },
      run: async (ctx) => {
        if (typeof ctx.values.ca !== "string") throw new UsageError("tessera: ca revoke needs --ca CA_ID");
        await revoke(ctx, { ca: ctx.values.ca });
      },
    },
  };
}
