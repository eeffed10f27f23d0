import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FixedClock } from "../clock.js";
import { SpiffeIdNotAllowedError, StoreError } from "../errors.js";
import type { AuditEvent } from "../store/types.js";
import { auditRefusals, boundList, boundText, secretHashDetail, type RefusedRequest } from "./audit-refusals.js";
import type { IssuerDeps } from "./types.js";

function depsWith(appendAudit: (e: AuditEvent) => Promise<void>) {
  const errors: Record<string, unknown>[] = [];
  const deps = {
    store: { appendAudit },
    clock: new FixedClock(0),
    logger: { info: () => undefined, error: (_m: string, fields: Record<string, unknown>) => void errors.push(fields) },
  } as unknown as IssuerDeps;
  return { deps, errors };
}

const asked = (): RefusedRequest => ({ type: "svid_refused", detail: {} });

describe("auditRefusals", () => {
  it("writes one record for a caller's error and rethrows it unchanged", async () => {
    const written: AuditEvent[] = [];
    const { deps } = depsWith(async (e) => void written.push(e));
    const refusal = new SpiffeIdNotAllowedError("issuer: bot web may not ask for spiffe://example.org/db");
    await assert.rejects(
      auditRefusals(deps, asked(), async () => Promise.reject(refusal)),
      (err) => err === refusal,
    );
    assert.equal(written.length, 1);
    assert.deepEqual(written[0]?.detail, { code: "ERR_SPIFFEID_NOT_ALLOWED", reason: refusal.message });
  });

  it("answers the refusal when the audit write fails, and logs the failure", async () => {
    const { deps, errors } = depsWith(async () => Promise.reject(new StoreError("store: down")));
    const refusal = new SpiffeIdNotAllowedError("issuer: no");
    await assert.rejects(
      auditRefusals(deps, asked(), async () => Promise.reject(refusal)),
      (err) => err === refusal,
    );
    assert.equal(errors.length, 1);
    assert.equal(errors[0]?.code, "ERR_SPIFFEID_NOT_ALLOWED");
  });

  it("writes nothing for internal failures (5xx codes, errors that are not Tessera's) or successes", async () => {
    const written: AuditEvent[] = [];
    const { deps } = depsWith(async (e) => void written.push(e));
    await assert.rejects(
      auditRefusals(deps, asked(), async () => Promise.reject(new StoreError("store: down"))),
      { code: "ERR_STORE" },
    );
    await assert.rejects(
      auditRefusals(deps, asked(), async () => Promise.reject(new TypeError("bug"))),
      TypeError,
    );
    assert.equal(await auditRefusals(deps, asked(), async () => 42), 42);
    assert.deepEqual(written, []);
  });
});

describe("bounding what enters a refusal record", () => {
  it("keeps short printable text as it is, strips controls and format characters, truncates at 200", () => {
    assert.equal(boundText("spiffe://example.org/web"), "spiffe://example.org/web");
    assert.equal(boundText("a\u0000b\u001b[31mc\u202Ed\u2066e\uD800f\u0085g"), "ab[31mcdefg");
    const long = boundText("x".repeat(1024 * 1024)) as string;
    assert.equal([...long].length, 200);
    assert.ok(long.endsWith("…"));
    assert.equal(boundText(42), undefined);
  });

  it("joins a list's strings, bounded however long or many", () => {
    assert.equal(boundList(["a", 1, "b"]), "a b");
    assert.equal(boundList("db"), "db");
    assert.equal(boundList(42), undefined);
    assert.equal([...(boundList(Array.from({ length: 100_000 }, () => "y".repeat(10_000))) as string)].length, 200);
  });

  it("keeps 12 hex digits of a secret's hash, never the secret", () => {
    const detail = secretHashDetail("token_hash_prefix", "s3cr3t-token");
    assert.match(detail.token_hash_prefix ?? "", /^[0-9a-f]{12}$/);
    assert.ok(!JSON.stringify(detail).includes("s3cr3t"));
    assert.deepEqual(secretHashDetail("token_hash_prefix", undefined), {});
  });
});
