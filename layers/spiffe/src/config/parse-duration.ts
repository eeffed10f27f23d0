import { ConfigError } from "../errors.js";

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/**
 * Parse `90`, `90s`, `15m`, `1h` or `30d` into seconds. Apart from `load-config.ts`, so that a
 * command-line flag parsed with it does not load the configuration's dependencies (the shipped AWS
 * Region certificates among them) into the CLI's start.
 */
export function parseDurationSeconds(value: string, name: string): number {
  const match = /^([1-9][0-9]*)([smhd]?)$/.exec(value.trim());
  if (!match) throw new ConfigError(`config: ${name} must be a duration such as 300, 15m, 1h or 30d`);
  return Number(match[1]) * (UNITS[match[2] || "s"] as number);
}
