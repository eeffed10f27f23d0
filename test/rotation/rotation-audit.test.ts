// Every rotation step the tick carries out is an audit event, listed by the admin API and shown
// by `tessera audit`: prepare, activate and drop of the CA and of the JWT key.
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { thumbprintOf } from "#tessera/core";
import { type AuditEvent, type CaJournal, runRotationTick } from "#tessera/issuer";
import { runTessera } from "../support/cli-process.js";
import { ADMIN_TOKEN, call, startIssuer, type IssuerHarness } from "../support/issuer-harness.js";
import { makeTempDir } from "../support/temp-dir.js";

const MIN = 60_000;
const DAY = 24 * 60 * MIN;

describe("rotation audit events on the embedded store", () => {
  let h: IssuerHarness;
  let dir: Awaited<ReturnType<typeof makeTempDir>>;
  let start: number;
  const tick = () => runRotationTick({ ...h.runtime, publishers: [] });
  const rotationEvents = async () =>
    (await h.runtime.store.listAudit({ limit: 1000 }))
      .filter((e) => /^(ca|jwt_key)_/.test(e.type))
      // Oldest first; the CA's step before the JWT key's when one tick recorded both.
      .sort((x, y) => x.time - y.time || x.type.localeCompare(y.type));

  before(async () => {
    dir = await makeTempDir("rotation-audit");
    h = await startIssuer({ TESSERA_STORE: "embedded", TESSERA_KEY_MANAGER: "disk", TESSERA_DATA_DIR: dir.path });
    start = h.clock.now().getTime();
  });
  after(async () => {
    await h?.close();
    await dir?.remove();
  });

  it("records ca_prepared / jwt_key_prepared, then *_rotated, then *_retired, one per step, in order", async () => {
    assert.deepEqual((await tick()).steps, [], "nothing due on a fresh issuer");
    assert.deepEqual(await rotationEvents(), []);
    h.clock.set(start + 24 * DAY);
    await tick();
    const x509 = (await h.runtime.store.getJournal("x509")) as CaJournal;
    const prepared = x509.slots.find((s) => s.status === "prepared")!;
    h.clock.set(start + 25 * DAY);
    await tick();
    h.clock.set(start + 26 * DAY + 5 * MIN);
    await tick();
    const events = await rotationEvents();
    assert.deepEqual(
      events.map((e) => `${e.type} ${e.detail?.slot}`),
      ["ca_prepared b", "jwt_key_prepared b", "ca_rotated b", "jwt_key_rotated b", "ca_retired a", "jwt_key_retired a"],
    );
    const caPrepared = events[0] as AuditEvent;
    const certificate = new X509Certificate(prepared.certificatePem!);
    assert.equal(caPrepared.time, start + 24 * DAY);
    assert.equal(caPrepared.expiresAt, prepared.notAfter);
    assert.equal(caPrepared.keyThumbprint, await thumbprintOf(certificate.publicKey));
    assert.equal(caPrepared.serialOrJti, certificate.serialNumber.toLowerCase());
    assert.deepEqual(caPrepared.detail, { kind: "x509", slot: "b", reason: "scheduled", key_id: "x509-ca-b", key_generation: "2" });
    assert.deepEqual(events[2]!.detail, {
      kind: "x509",
      slot: "b",
      reason: "scheduled",
      key_id: "x509-ca-b",
      key_generation: "2",
      retired_slot: "a",
    });
    assert.deepEqual(events[5]!.detail, { kind: "jwt", slot: "a", reason: "scheduled", key_id: "jwt-a", key_generation: "1" });
    assert.equal(events[5]!.serialOrJti, undefined, "a JWT key has no serial");
    assert.deepEqual((await tick()).steps, [], "a tick with nothing due records nothing");
    assert.equal((await rotationEvents()).length, 6);
  });

  it("marks steps set off by `tessera ca rotate` as requested, and `tessera audit` lists them by type", async () => {
    const cli = (...args: string[]) => runTessera([...args, "--issuer", h.url, "--admin-token", ADMIN_TOKEN]);
    const rotate = await cli("ca", "rotate");
    assert.equal(rotate.code, 0, rotate.stderr);
    await tick();
    const listed = await call(h.url, "GET", "/v1/admin/audit?type=ca_prepared", { admin: true });
    assert.equal(listed.status, 200, listed.text);
    const [latest] = listed.json.events as { type: string; detail: Record<string, string> }[];
    assert.equal(latest!.type, "ca_prepared");
    assert.equal(latest!.detail.reason, "requested");
    const table = await cli("audit", "list", "--type", "jwt_key_prepared", "--limit", "1");
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout.split("\n")[1] ?? "", /^\S+\s+jwt_key_prepared\s+.*requested\s*$/);
  });
});
