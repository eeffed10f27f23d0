import { listAuditRoute } from "#tessera/contract";
import type { Command } from "../main.js";
import { formatTable } from "../output.js";
import { expectNoPositionals, printResult } from "./admin-arguments.js";

/** `tessera audit list`: the audit log, filtered. */
export function auditCommands(): Record<string, Command> {
  return {
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
        expectNoPositionals(ctx);
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
        printResult(ctx, { events }, () =>
          formatTable(
            ["TIME", "TYPE", "BOT", "INSTANCE", "SPIFFE ID", "SERIAL/JTI", "TOKEN", "ACTOR", "CODE", "REASON"],
            events.map((e) => {
              const detail: Partial<Record<string, string>> = e.detail ?? {};
              const hash = detail.token_hash_prefix ?? detail.proof_hash_prefix ?? detail.credential_hash_prefix;
              const token = hash === undefined ? undefined : `${hash}...`;
              return [
                e.time,
                e.type,
                e.bot_name,
                e.instance_id,
                e.spiffe_id,
                e.serial_or_jti,
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
  };
}
