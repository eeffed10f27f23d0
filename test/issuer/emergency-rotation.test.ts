// Emergency rotation through the admin API of the issuer (embedded store, disk keys): the compromised
// CA leaves the bundle at once and what it signed stops verifying (node's verifier and openssl), the
// new CA signs, the compromised key is retired, bad requests change nothing, a key manager that cannot
// make a key leaves the compromised CA published (never none), and two requests at once act once.
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { encodeCertificatePem, KeyManagerError, parseCertificates, parseSpiffeBundle, TrustDomain, verifyX509Svid } from "#tessera/core";
import { type CaJournal, createBot, createJoinToken, DiskKeyManager, type KeyManager, type KeyRetirer } from "#tessera/issuer";
import { call, codeOf, expectRefusal, makeCsr, startIssuer, type IssuerHarness } from "../support/issuer-harness.js";
import { opensslVerify } from "../support/openssl.js";
import { makeTempDir } from "../support/temp-dir.js";

type TempDir = Awaited<ReturnType<typeof makeTempDir>>;

const WEB = "spiffe://example.org/emergency/web";
type RetiringKeys = KeyManager & KeyRetirer;
const td = TrustDomain.fromString("example.org");
const spki = (cert: X509Certificate) => cert.publicKey.export({ format: "der", type: "spki" }).toString("base64");

/** A disk key manager whose `generateKey` fails while `failing` is set, as KMS does when it is down. */
function breakableKeys(): { keys: (inner: RetiringKeys) => RetiringKeys; failing: { on: boolean } } {
  const failing = { on: false };
  return {
    failing,
    keys: (inner) => ({
      generateKey: (id, spec) =>
        failing.on
          ? Promise.reject(new KeyManagerError("keymanager: KMS CreateKey failed (KMSInternalException)"))
          : inner.generateKey(id, spec),
      getKey: (id) => inner.getKey(id),
      listKeys: () => inner.listKeys(),
      retireKey: (id) => inner.retireKey(id),
    }),
  };
}

async function startWithBot(
  dir: TempDir,
  name: string,
  wrapKeys?: (inner: RetiringKeys) => RetiringKeys,
): Promise<{ h: IssuerHarness; issue: () => Promise<string[]> }> {
  const env = { TESSERA_STORE: "embedded", TESSERA_KEY_MANAGER: "disk", TESSERA_DATA_DIR: `${dir.path}/${name}` };
  const h = await startIssuer(env, wrapKeys ? { keys: wrapKeys(new DiskKeyManager({ directory: `${dir.path}/${name}/keys` })) } : {});
  await createBot(h.runtime.admin, { name, allowedSpiffeIds: ["spiffe://example.org/emergency/*"] }, "test");
  const { token } = await createJoinToken(h.runtime.admin, { botName: name, uses: 1 }, "test");
  const joined = await call(h.url, "POST", "/v1/join", { body: { join_method: "token", token } });
  const credential = joined.json.credential as string;
  const issue = async () => {
    const { csr } = await makeCsr(WEB);
    const answer = await call(h.url, "POST", "/v1/svids/x509", { bearer: credential, body: { csr, spiffe_id: WEB } });
    assert.equal(answer.status, 200, answer.text);
    return answer.json.certificates as string[];
  };
  return { h, issue };
}

async function publishedBundle(h: IssuerHarness) {
  return parseSpiffeBundle((await call(h.url, "GET", "/v1/bundle")).text, td);
}

const emergency = (h: IssuerHarness, body: Record<string, unknown>) =>
  call(h.url, "POST", "/v1/admin/ca/rotate", { admin: true, body: { emergency: true, ...body } });

describe("emergency rotation through the admin API", () => {
  let dir: TempDir;
  before(async () => {
    dir = await makeTempDir("emergency");
  });
  after(() => dir.remove());

  it("removes the compromised CA from the bundle at once: its SVIDs stop verifying, the new CA's verify", async () => {
    const { h, issue } = await startWithBot(dir, "web");
    try {
      const [oldLeaf] = await issue();
      const before = await publishedBundle(h);
      assert.equal(before.x509Authorities.length, 1);
      const compromisedKey = spki(new X509Certificate(before.x509Authorities[0]!));
      assert.doesNotThrow(() => verifyX509Svid(parseCertificates(oldLeaf!), before, { now: h.clock.now() }));

      const answer = await emergency(h, { kind: "x509", reason: "CA key copied off the host" });

      assert.equal(answer.status, 200, answer.text);
      assert.deepEqual(
        (answer.json.steps as { type: string }[]).map((s) => s.type),
        ["prepare", "activate", "drop"],
      );
      assert.deepEqual(answer.json.pending, []);
      const bundle = await publishedBundle(h);
      assert.equal(bundle.x509Authorities.length, 1, "only the new CA is published");
      const newCa = new X509Certificate(bundle.x509Authorities[0]!);
      assert.notEqual(spki(newCa), compromisedKey);
      assert.throws(
        () => verifyX509Svid(parseCertificates(oldLeaf!), bundle, { now: h.clock.now() }),
        "an SVID from the compromised CA no longer verifies",
      );
      assert.throws(() => opensslVerify(dir.path, encodeCertificatePem(bundle.x509Authorities[0]!), oldLeaf!), "openssl refuses it too");
      const [newLeaf] = await issue();
      assert.ok(new X509Certificate(newLeaf!).verify(newCa.publicKey), "new SVIDs come from the new CA");
      assert.match(opensslVerify(dir.path, encodeCertificatePem(bundle.x509Authorities[0]!), newLeaf!), /OK/);

      const x509 = (await h.runtime.store.getJournal("x509")) as CaJournal;
      assert.equal(x509.emergency, undefined, "the emergency is finished");
      const dropped = x509.slots[0]!.slot === "a" ? "x509-ca-b" : "x509-ca-a";
      await assert.rejects(
        h.runtime.keys.getKey(dropped),
        { code: "ERR_KEY_NOT_FOUND" },
        "the compromised key is gone from the key manager",
      );
      const [event] = await h.runtime.store.listAudit({ type: "emergency_rotation" });
      assert.deepEqual(
        { kind: event?.detail?.kind, reason: event?.detail?.reason, actor: event?.detail?.actor, completed: event?.detail?.completed },
        { kind: "x509", reason: "CA key copied off the host", actor: "local-admin", completed: "true" },
      );
      const steps = await Promise.all(
        ["ca_prepared", "ca_rotated", "ca_retired"].map((type) => h.runtime.store.listAudit({ type: type as "ca_rotated" })),
      );
      assert.deepEqual(
        steps.map(([e]) => e?.detail?.reason),
        ["emergency", "emergency", "emergency"],
        "each step is audited as an emergency",
      );
      const jwt = (await h.runtime.store.getJournal("jwt")) as CaJournal;
      assert.equal(jwt.slots.length, 1, "--kind x509 leaves the JWT key alone");
      assert.equal(jwt.slots[0]!.keyGeneration, 1);
    } finally {
      await h.close();
    }
  });

  it("refuses bad requests with 400 ERR_REQUEST_INVALID and changes nothing", async () => {
    const { h } = await startWithBot(dir, "bad");
    try {
      const bad: [string, Record<string, unknown>][] = [
        ["an unknown kind", { kind: "rsa" }],
        ["a kind that names an Object member", { kind: "constructor" }],
        ["a kind of the wrong type", { kind: ["x509"] }],
        ["a reason over 256 characters", { reason: "x".repeat(257) }],
        ["a reason with a control character", { reason: 'leak\n{"forged":true}' }],
        ["an empty reason", { reason: "  " }],
        ["emergency not a boolean", { emergency: "yes" }],
      ];
      for (const [, body] of bad) {
        await expectRefusal(h.runtime.store, () => emergency(h, body), { status: 400, code: "ERR_REQUEST_INVALID" });
      }
      const answer = await call(h.url, "POST", "/v1/admin/ca/rotate", { body: { emergency: true } });
      assert.equal(answer.status, 401, "the admin routes need the admin credential");
      assert.equal((await publishedBundle(h)).x509Authorities.length, 1);
    } finally {
      await h.close();
    }
  });

  it("answers 503 ERR_ROTATION_KEY_UNAVAILABLE when no new key can be made, and keeps the compromised CA published", async () => {
    const broken = breakableKeys();
    const { h, issue } = await startWithBot(dir, "broken", broken.keys);
    try {
      const before = await publishedBundle(h);
      broken.failing.on = true;
      const answer = await emergency(h, { kind: "all" });
      assert.equal(answer.status, 503, answer.text);
      assert.equal(codeOf(answer), "ERR_ROTATION_KEY_UNAVAILABLE");
      assert.equal(answer.headers.get("retry-after"), "30");
      const after = await publishedBundle(h);
      assert.deepEqual(after.x509Authorities, before.x509Authorities, "never left without a CA");
      await issue();
      const x509 = (await h.runtime.store.getJournal("x509")) as CaJournal;
      assert.ok(x509.emergency, "the request stays recorded: every tick tries again");
      const status = await call(h.url, "GET", "/v1/admin/ca", { admin: true });
      const schedule = status.json.schedule as { kind: string; emergency?: { reason: string; requestedBy: string } }[];
      assert.deepEqual(schedule.find((v) => v.kind === "x509")?.emergency, {
        requestedAt: new Date(x509.emergency.requestedAt).toISOString(),
        reason: "emergency rotation",
        requestedBy: "local-admin",
      });
      const [event] = await h.runtime.store.listAudit({ type: "emergency_rotation" });
      assert.equal(event?.detail?.code, "ERR_ROTATION_KEY_UNAVAILABLE");
      assert.equal(event?.detail?.completed, "false");

      broken.failing.on = false;
      h.clock.advance(60_000);
      const retried = await emergency(h, { kind: "all" });
      assert.equal(retried.status, 200, retried.text);
      assert.deepEqual(
        retried.json.outcomes,
        { x509: "pending", jwt: "pending" },
        "the recorded emergency is carried out, not a second one",
      );
      const bundle = await publishedBundle(h);
      assert.equal(bundle.x509Authorities.length, 1);
      assert.notDeepEqual(bundle.x509Authorities, before.x509Authorities);
      assert.equal(bundle.jwtAuthorities.size, 1);
      assert.notDeepEqual([...bundle.jwtAuthorities.keys()], [...before.jwtAuthorities.keys()]);
    } finally {
      await h.close();
    }
  });

  it("acts once when two emergency requests arrive together", async () => {
    const { h } = await startWithBot(dir, "twice");
    try {
      const answers = await Promise.all([
        emergency(h, { kind: "x509", reason: "first" }),
        emergency(h, { kind: "x509", reason: "second" }),
      ]);
      for (const a of answers) assert.equal(a.status, 200, a.text);
      const outcomes = answers.map((a) => (a.json.outcomes as { x509: string }).x509).sort();
      assert.ok(
        outcomes[0] !== "recorded" && outcomes[1] === "recorded",
        `one request recorded, the other found it: ${outcomes.join(", ")}`,
      );
      const prepares = answers.flatMap((a) => (a.json.steps as { type: string }[]).filter((s) => s.type === "prepare"));
      assert.equal(prepares.length, 1, "one new key");
      const x509 = (await h.runtime.store.getJournal("x509")) as CaJournal;
      assert.deepEqual(
        x509.slots.map((s) => [s.status, s.keyGeneration]),
        [["active", 2]],
      );
      assert.equal((await h.runtime.store.listAudit({ type: "emergency_rotation" })).length, 1);
    } finally {
      await h.close();
    }
  });
});
