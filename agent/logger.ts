import type { Logger } from "#tessera/core";

const LEVELS = ["debug", "info", "warn", "error"] as const;
type Level = (typeof LEVELS)[number];

/** Options of `createAgentLogger`. */
export interface AgentLoggerOptions {
  format: "text" | "json";
  level: Level;
  write?: (line: string) => void;
}

function render(value: unknown): string {
  if (value instanceof Error) return JSON.stringify(value.message);
  if (typeof value === "string") return /\s|"/.test(value) ? JSON.stringify(value) : value;
  return JSON.stringify(value);
}

/** A logger writing one line per entry to stderr (or `write`). */
export function createAgentLogger(options: AgentLoggerOptions): Logger {
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const threshold = LEVELS.indexOf(options.level);
  const at =
    (level: Level) =>
    (message: string, fields: Record<string, unknown> = {}): void => {
      if (LEVELS.indexOf(level) < threshold) return;
      const time = new Date().toISOString();
      if (options.format === "json") {
        const safe = Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, v instanceof Error ? v.message : v]));
        write(JSON.stringify({ time, level, msg: message, ...safe }));
      } else {
        const extra = Object.entries(fields)
          .map(([k, v]) => `${k}=${render(v)}`)
          .join(" ");
        write(`${time} ${level.toUpperCase().padEnd(5)} ${message}${extra ? ` ${extra}` : ""}`);
      }
    };
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

/** Parse `--log-level`. */
export function parseLogLevel(value: string | undefined): Level {
  const v = (value ?? "info").toLowerCase();
  if (!(LEVELS as readonly string[]).includes(v)) throw new Error(`--log-level must be one of ${LEVELS.join(", ")}`);
  return v as Level;
}
