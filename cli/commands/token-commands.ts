import { createJoinTokenRoute, listJoinTokensRoute } from "#tessera/contract";
import type { Command } from "../main.js";
import { UsageError, formatFields, formatTable } from "../output.js";
import { expectNoPositionals, expectOnePositional, parseDurationFlag, printResult } from "./admin-arguments.js";
import { formatLockState, setLock } from "./lock-state.js";

/** `tessera token create|list|lock|unlock`: join tokens. */
export function tokenCommands(): Record<string, Command> {
  return {
    "token create": {
      usage: "--bot NAME [--ttl 1h] [--uses 1]",
      options: { bot: { type: "string" }, ttl: { type: "string" }, uses: { type: "string" } },
      run: async (ctx) => {
        expectNoPositionals(ctx);
        if (!ctx.values.bot) throw new UsageError("tessera: token create needs --bot NAME");
        const uses = ctx.values.uses === undefined ? undefined : Number(ctx.values.uses);
        if (uses !== undefined && !Number.isSafeInteger(uses)) throw new UsageError("tessera: --uses must be a whole number");
        const ttl = parseDurationFlag(ctx.values.ttl, "--ttl");
        const token = await ctx.admin().call(createJoinTokenRoute, {
          body: {
            bot_name: ctx.values.bot as string,
            ...(ttl ? { ttl } : {}),
            ...(uses ? { uses } : {}),
          },
        });
        printResult(
          ctx,
          token,
          () =>
            `${token.token}\n\n${formatFields({ bot: token.bot_name, uses: token.uses_remaining, expires_at: token.expires_at, token_hash: token.token_hash })}\n\nThe token is shown once; pass it to the agent's onboarding.token.`,
        );
      },
    },
    "token list": {
      usage: "[--bot NAME]",
      options: { bot: { type: "string" } },
      run: async (ctx) => {
        expectNoPositionals(ctx);
        const { tokens } = await ctx.admin().call(listJoinTokensRoute, ctx.values.bot ? { query: { bot: ctx.values.bot as string } } : {});
        printResult(ctx, { tokens }, () =>
          formatTable(
            ["TOKEN HASH", "BOT", "USES LEFT", "STATE", "EXPIRES"],
            tokens.map((t) => [t.token_hash, t.bot_name, t.uses_remaining, formatLockState(t.lock), t.expires_at]),
          ),
        );
      },
    },
    "token lock": {
      usage: "TOKEN_HASH [--reason TEXT]",
      options: { reason: { type: "string" } },
      run: (ctx) => setLock(ctx, "join_token", expectOnePositional(ctx, "token hash"), true),
    },
    "token unlock": {
      usage: "TOKEN_HASH [--reason TEXT]",
      options: { reason: { type: "string" } },
      run: (ctx) => setLock(ctx, "join_token", expectOnePositional(ctx, "token hash"), false),
    },
  };
}
