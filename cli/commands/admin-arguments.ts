import { parseDurationSeconds } from "#tessera/core";
import type { CommandContext } from "../main.js";
import { UsageError } from "../output.js";

/** The command's only positional argument (`what` names it in the usage error). */
export function expectOnePositional(ctx: CommandContext, what: string): string {
  const [value, ...rest] = ctx.positionals;
  if (!value || rest.length) throw new UsageError(`tessera: expected exactly one ${what}`);
  return value;
}

/** Refuse any positional argument. */
export function expectNoPositionals(ctx: CommandContext): void {
  if (ctx.positionals.length) throw new UsageError(`tessera: unexpected argument ${ctx.positionals[0]}`);
}

/** A duration flag (`300`, `15m`, `1h`) in seconds, or undefined when the flag is absent. */
export function parseDurationFlag(value: unknown, flag: string): number | undefined {
  if (value === undefined) return undefined;
  try {
    return parseDurationSeconds(String(value), flag);
  } catch {
    throw new UsageError(`tessera: ${flag} must be a duration such as 300, 15m, 1h or 24h`);
  }
}

/** Write `data` as JSON in JSON mode, else the text `text` renders. */
export function printResult(ctx: CommandContext, data: unknown, text: () => string): void {
  ctx.io.out(ctx.json ? JSON.stringify(data, null, 2) : text());
}
