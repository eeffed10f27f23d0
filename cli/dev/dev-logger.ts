// The dev issuer's logger: the JSON lines Powertools' Logger prints outside Lambda, without its
// per-line work for Lambda (trace ids read from the environment, log buffering, sampling, attributes
// deep-merged into a log item). Every SVID writes an audit line, and Powertools spent about 30 us of
// the issuer's CPU on each; this writes the same line in about 4 us.
import type { Logger } from "#tessera/core";

const LEVELS = { DEBUG: 8, INFO: 12, WARN: 16, ERROR: 20 } as const;
type Level = keyof typeof LEVELS;
/** Powertools' names for the thresholds it accepts besides ours. */
const THRESHOLDS: Record<string, number> = { TRACE: 6, ...LEVELS, CRITICAL: 24, SILENT: 28 };
const CODE_LOCATION = /\(([^()]*?):(\d+?):(\d+?)\)\\?$/;

/** Where a dev logger writes: info and debug lines to `out`, warnings and errors to `err` (Powertools' console methods). */
export interface DevLogSink {
  out(line: string): void;
  err(line: string): void;
}

const STANDARD_STREAMS: DevLogSink = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/** The first `(file:line:column)` of a stack, as `file:line`. */
function codeLocationOf(stack: string | undefined): string {
  for (const line of stack?.split("\n") ?? []) {
    const match = CODE_LOCATION.exec(line);
    if (match) return `${match[1]}:${Number(match[2])}`;
  }
  return "";
}

/** An error as Powertools prints one: name, location, message, stack, cause, and its own fields. */
function formatError(error: Error): Record<string, unknown> {
  const { name, message, stack, cause } = error;
  const formatted: Record<string, unknown> = {
    name,
    location: codeLocationOf(stack),
    message,
    stack,
    cause: cause instanceof Error ? formatError(cause) : cause,
  };
  for (const [key, value] of Object.entries(error)) if (!(key in formatted)) formatted[key] = value;
  return formatted;
}

/** Errors formatted, BigInts as strings, and (once a plain pass has met a cycle) a value met again on its own path left out. */
function replacerOf(trackCycles: boolean): (this: unknown, key: string, value: unknown) => unknown {
  const ancestors: unknown[] = [];
  return function (this: unknown, _key: string, value: unknown): unknown {
    const replaced = value instanceof Error ? formatError(value) : value;
    if (typeof replaced === "bigint") return replaced.toString();
    if (!trackCycles || typeof replaced !== "object" || replaced === null) return replaced;
    while (ancestors.length > 0 && ancestors.at(-1) !== this) ancestors.pop();
    if (ancestors.includes(replaced)) return undefined;
    ancestors.push(replaced);
    return replaced;
  };
}

function serialize(line: Record<string, unknown>): string {
  try {
    return JSON.stringify(line, replacerOf(false));
  } catch {
    return JSON.stringify(line, replacerOf(true));
  }
}

/**
 * A logger for `tessera dev` printing what Powertools' Logger prints outside Lambda: one JSON object
 * a line (`level`, `message`, `timestamp` in UTC, `service`, `sampling_rate` 0, then the fields), errors formatted as
 * Powertools formats them, debug and info to stdout, warn and error to stderr. `level` is a
 * Powertools level name (TRACE, DEBUG, INFO, WARN, ERROR, CRITICAL, SILENT; INFO when unknown).
 */
export function createDevLogger(level: string, service: string, sink: DevLogSink = STANDARD_STREAMS): Logger {
  const threshold = THRESHOLDS[level.toUpperCase()] ?? LEVELS.INFO;
  const at = (name: Level, write: (line: string) => void) => {
    if (LEVELS[name] < threshold) return () => undefined;
    return (message: string, fields?: Record<string, unknown>): void => {
      const line: Record<string, unknown> = { level: name, message, timestamp: new Date().toISOString(), service, sampling_rate: 0 };
      // A field may not replace one of the line's own (Powertools drops such a field too).
      for (const key in fields) if (!(key in line)) line[key] = fields[key];
      write(serialize(line));
    };
  };
  return {
    debug: at("DEBUG", sink.out),
    info: at("INFO", sink.out),
    warn: at("WARN", sink.err),
    error: at("ERROR", sink.err),
  };
}
