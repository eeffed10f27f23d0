import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { parseSpiffeBundle, TrustDomain } from "#tessera/core";
import { buildRuntime } from "#tessera/dev";
import { startLocalFront, type LocalFront } from "../../cli/dev/local-front.js";
import { CountingKeyManager } from "../support/counting-key-manager.js";
import { ADMIN_TOKEN, TRUST_DOMAIN, call, expectRefusal, makeCsr, type IssuerHarness } from "../support/issuer-harness.js";
import type { StartIssuerWith } from "./platform-join-suite.js";

const WEB = `spiffe://${TRUST_DOMAIN}/web/frontend`;
const DISABLED = { status: 403, code: "ERR_JWT_SVIDS_DISABLED" } as const;

/**
 * JWT-SVIDs turned off (`TESSERA_JWT_SVIDS=false`) over HTTP on one configuration: every JWT-SVID
 * request refused with its code, nothing written but the refusal and nothing signed, X.509-SVIDs
 * unaffected, no JWT key in the bundle or the JWKS, and the admin's CA routes saying the kind is off.
 */
export function runJwtSvidsOffSuite(name: string, start: StartIssuerWith): void {
  const admin = (url: string, method: string, path: string, body?: unknown) =>
    call(url, method, path, { admin: true, ...(body !== undefined ? { body } : {}) });
  const credentialOf = async (url: string): Promise<string> => {
    const token = await admin(url, "POST", "/v1/admin/tokens", { bot_name: "web" });
    assert.equal(token.status, 201, token.text);
    const joined = await call(url, "POST", "/v1/join", { body: { join_method: "token", token: token.json.token } });
    assert.equal(joined.status, 200, joined.text);
    return joined.json.credential as string;
  };
  const addBot = async (url: string) => {
    const bot = await admin(url, "POST", "/v1/admin/bots", { name: "web", allowed_spiffe_ids: [`spiffe://${TRUST_DOMAIN}/web/*`] });
    assert.equal(bot.status, 201, bot.text);
  };
  const jwtRequest = (url: string, credential: string) =>
    call(url, "POST", "/v1/svids/jwt", { bearer: credential, body: { spiffe_id: WEB, audience: ["db"] } });

  describe(`JWT-SVIDs off from the start: ${name}`, () => {
    let h: IssuerHarness;
    let credential: string;
    before(async () => {
      h = await start({ TESSERA_JWT_SVIDS: "false" });
      await addBot(h.url);
      credential = await credentialOf(h.url);
    });
    after(async () => h?.close());

    it("refuses POST /v1/svids/jwt with 403 ERR_JWT_SVIDS_DISABLED, writing only the refusal, for a credential or a platform proof", async () => {
      const record = await expectRefusal(h.runtime.store, () => jwtRequest(h.url, credential), {
        ...DISABLED,
        audited: "svid_refused",
        secrets: [credential],
      });
      assert.equal(record?.spiffeId, WEB);
      assert.equal(record?.detail?.svid_type, "jwt");
      const agentless = { spiffe_id: WEB, audience: "db", join: { join_method: "oidc", bot_name: "web", token: "a.b.c" } };
      await expectRefusal(h.runtime.store, () => call(h.url, "POST", "/v1/svids/jwt", { body: agentless }), {
        ...DISABLED,
        audited: "svid_refused",
      });
    });

    it("issues X.509-SVIDs as before; the bundle and the JWKS carry no JWT key", async () => {
      const res = await call(h.url, "POST", "/v1/svids/x509", { bearer: credential, body: { csr: (await makeCsr()).csr, spiffe_id: WEB } });
      assert.equal(res.status, 200, res.text);
      const bundle = parseSpiffeBundle((await call(h.url, "GET", "/v1/bundle")).text, TrustDomain.fromString(TRUST_DOMAIN));
      assert.equal(bundle.x509Authorities.length, 1);
      assert.equal(bundle.jwtAuthorities.size, 0);
      const jwks = await call(h.url, "GET", "/.well-known/jwks.json");
      assert.equal(jwks.status, 200, jwks.text);
      assert.deepEqual(jwks.json, { keys: [] });
      assert.equal(await h.runtime.store.getJournal("jwt"), undefined);
    });

    it("says so in the CA status, refuses to rotate the JWT key (403, nothing written), and rotates the CA alone", async () => {
      const status = await admin(h.url, "GET", "/v1/admin/ca");
      assert.equal(status.status, 200, status.text);
      assert.equal(status.json.jwtSvids, false);
      assert.deepEqual(
        (status.json.schedule as { kind: string }[]).map((s) => s.kind),
        ["x509"],
      );
      await expectRefusal(h.runtime.store, () => admin(h.url, "POST", "/v1/admin/ca/rotate", { kind: "jwt" }), DISABLED);
      await expectRefusal(
        h.runtime.store,
        () => admin(h.url, "POST", "/v1/admin/ca/rotate", { emergency: true, kind: "jwt", reason: "test" }),
        DISABLED,
      );
      const rotated = await admin(h.url, "POST", "/v1/admin/ca/rotate", {});
      assert.equal(rotated.status, 200, rotated.text);
      assert.notEqual((await h.runtime.store.getJournal("x509"))?.rotationRequestedAt, undefined, "the CA rotation is requested");
      assert.equal(await h.runtime.store.getJournal("jwt"), undefined, "and nothing is asked of a JWT key");
    });
  });

  describe(`JWT-SVIDs switched off on a running deployment: ${name}`, () => {
    let h: IssuerHarness;
    let off: LocalFront;
    let keys: CountingKeyManager;
    before(async () => {
      h = await start({});
      await addBot(h.url);
      keys = new CountingKeyManager(h.runtime.keys, () => h.clock.now().getTime());
      // The same store and keys as the running issuer, configured with JWT-SVIDs off: what a redeployment with `jwtSvids=false` runs.
      const runtime = await buildRuntime(
        { ...h.runtime.config, jwtSvids: false },
        { store: h.runtime.store, keys, clock: h.clock, logger: h.logger },
      );
      off = await startLocalFront({ runtime, host: "127.0.0.1", port: 0, adminToken: ADMIN_TOKEN });
    });
    after(async () => {
      await off?.close();
      await h?.close();
    });

    it("attack: a JWT-SVID request while the JWT key is still active writes nothing and signs nothing", async () => {
      const credential = await credentialOf(h.url);
      assert.equal((await jwtRequest(h.url, credential)).status, 200, "issued before the switch");
      assert.ok(
        (await h.runtime.store.getJournal("jwt"))?.slots.some((s) => s.status === "active"),
        "the JWT key is still active",
      );
      const signed = keys.calls.sign;
      await expectRefusal(h.runtime.store, () => jwtRequest(off.url, credential), { ...DISABLED, audited: "svid_refused" });
      assert.equal(keys.calls.sign, signed, "nothing signed");
      assert.equal(keys.calls.getKey, 0, "no key even loaded");
      const x509 = await call(off.url, "POST", "/v1/svids/x509", {
        bearer: credential,
        body: { csr: (await makeCsr()).csr, spiffe_id: WEB },
      });
      assert.equal(x509.status, 200, x509.text);
      const bundle = parseSpiffeBundle((await call(off.url, "GET", "/v1/bundle")).text, TrustDomain.fromString(TRUST_DOMAIN));
      assert.equal(bundle.jwtAuthorities.size, 1, "the key stays published until the JWT-SVIDs it signed have expired");
    });

    it("drops a JWT key still published at once on an emergency naming jwt, makes no new one, then refuses one with no key left", async () => {
      assert.equal((await h.runtime.store.getJournal("jwt"))?.slots.length, 1, "the JWT key is still held");
      const generated = keys.calls.generateKey;
      const emergency = await admin(off.url, "POST", "/v1/admin/ca/rotate", { emergency: true, kind: "jwt", reason: "key leaked" });
      assert.equal(emergency.status, 200, emergency.text);
      assert.equal(keys.calls.generateKey, generated, "no new JWT key");
      const journal = await h.runtime.store.getJournal("jwt");
      assert.deepEqual(journal?.slots, [], "the compromised key left the journal");
      assert.equal(journal?.emergency, undefined, "and the emergency is done");
      const bundle = parseSpiffeBundle((await call(off.url, "GET", "/v1/bundle")).text, TrustDomain.fromString(TRUST_DOMAIN));
      assert.equal(bundle.jwtAuthorities.size, 0, "the compromised key is out of the bundle at once");
      assert.equal(bundle.x509Authorities.length, 1, "the CA is untouched");
      await expectRefusal(
        h.runtime.store,
        () => admin(off.url, "POST", "/v1/admin/ca/rotate", { emergency: true, kind: "jwt", reason: "again" }),
        DISABLED,
      );
    });
  });
}
