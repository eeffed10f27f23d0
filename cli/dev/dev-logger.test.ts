import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Logger as PowertoolsLogger } from "@aws-lambda-powertools/logger";
import type { Logger } from "#tessera/core";
import { createDevLogger } from "./dev-logger.js";

/** The lines written while `log` runs, by stream. */
function capture(log: () => void): { out: string[]; err: string[] } {
  const lines = { out: [] as string[], err: [] as string[] };
  const { stdout, stderr } = process;
  const original = { out: stdout.write, err: stderr.write };
  stdout.write = ((chunk: string) => lines.out.push(String(chunk).trimEnd()) > 0) as typeof stdout.write;
  stderr.write = ((chunk: string) => lines.err.push(String(chunk).trimEnd()) > 0) as typeof stderr.write;
  try {
    log();
  } finally {
    stdout.write = original.out;
    stderr.write = original.err;
  }
  return lines;
}

/** A line without its timestamp, which only says when it was written. */
function withoutTime(line: string): Record<string, unknown> {
  const { timestamp, ...rest } = JSON.parse(line) as Record<string, unknown>;
  assert.match(String(timestamp), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  return rest;
}

const AUDIT_FIELDS = {
  audit_type: "x509_svid",
  audit_event: { id: "019ad4e0-5a1c-7000-8000-000000000000", type: "x509_svid", time: 1, detail: { ca_id: "ab", bot_id: "b1" } },
};

describe("createDevLogger", () => {
  it("writes the very line Powertools' Logger writes outside Lambda, errors included", () => {
    const error = new Error("store: the database refused a change", { cause: new TypeError("disk full") });
    Object.assign(error, { code: "ERR_STORE" });
    const log = (logger: Pick<Logger, "info" | "error">) => {
      logger.info("audit: x509_svid", AUDIT_FIELDS);
      logger.error("local front failed", { error, route: "POST /v1/svids/x509", size: 12n });
    };
    const powertools = new PowertoolsLogger({ serviceName: "tessera", logLevel: "INFO" });
    const dev = createDevLogger("INFO", "tessera");
    const expected = capture(() => log({ info: (m, f) => powertools.info(m, f ?? {}), error: (m, f) => powertools.error(m, f ?? {}) }));
    const actual = capture(() => log(dev));
    assert.equal(actual.out.length, 1);
    assert.equal(actual.err.length, 1);
    assert.deepEqual(withoutTime(actual.out[0]!), withoutTime(expected.out[0]!));
    assert.deepEqual(withoutTime(actual.err[0]!), withoutTime(expected.err[0]!));
  });

  it("drops lines below its level, and reads an unknown level as INFO", () => {
    const lines: string[] = [];
    const sink = { out: (line: string) => lines.push(line), err: (line: string) => lines.push(line) };
    const warnOnly = createDevLogger("warn", "tessera", sink);
    warnOnly.debug("d");
    warnOnly.info("i");
    warnOnly.warn("w");
    const unknown = createDevLogger("LOUD", "tessera", sink);
    unknown.debug("d");
    unknown.info("i");
    assert.deepEqual(
      lines.map((line) => (JSON.parse(line) as { message: string }).message),
      ["w", "i"],
    );
  });

  it("keeps its own fields, and writes an object that holds itself without the repeat", () => {
    const lines: string[] = [];
    const logger = createDevLogger("DEBUG", "tessera", { out: (line) => lines.push(line), err: (line) => lines.push(line) });
    const loop: Record<string, unknown> = { name: "loop" };
    loop.self = loop;
    logger.debug("cycle", { level: "ERROR", loop });
    assert.deepEqual(withoutTime(lines[0]!), {
      level: "DEBUG",
      message: "cycle",
      service: "tessera",
      sampling_rate: 0,
      loop: { name: "loop" },
    });
  });
});
