import { TesseraError } from "#tessera/core";
import { IssuerApiError } from "../agent/issuer-client.js";
import { UsageError, type CliIo } from "./output.js";

/** Whether `argv` asks for JSON output (`--json`, `-o json`, `--output json`, `--output=json`). */
export function wantsJsonOutput(argv: readonly string[]): boolean {
  return (
    argv.includes("--json") ||
    argv.some((a, i) => (a === "-o" || a === "--output") && argv[i + 1] === "json") ||
    argv.includes("--output=json")
  );
}

/**
 * Report an error that ended a CLI command, on stderr (or stdout as `{"error": ...}` with JSON
 * output), and return the exit code: 2 for a usage error, 1 for any other failure.
 */
export function reportCliError(err: unknown, io: CliIo, json: boolean): number {
  const isUsage = err instanceof UsageError || String((err as { code?: unknown }).code ?? "").startsWith("ERR_PARSE_ARGS");
  const ownCode = (err as { code?: unknown }).code;
  const code =
    err instanceof IssuerApiError || err instanceof TesseraError
      ? err.code
      : isUsage
        ? "ERR_USAGE"
        : typeof ownCode === "string" && ownCode.startsWith("ERR_")
          ? ownCode
          : "ERR_CLI";
  const message = err instanceof Error ? err.message : String(err);
  if (json) io.out(JSON.stringify({ error: { code, message } }));
  else io.err(`error: ${message}${code !== "ERR_USAGE" && code !== "ERR_CLI" ? ` (${code})` : ""}`);
  return isUsage ? 2 : 1;
}
