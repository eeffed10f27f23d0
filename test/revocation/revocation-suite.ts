import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createAdminHandler } from "../../functions/admin/create-handler.js";
import { caIdOf, encodeCertificatePem, encodeCrlPem, parseCrl } from "#tessera/core";
import type { HttpEvent } from "#tessera/contract";
import { runRotationTick } from "#tessera/issuer";
import { opensslCrlVerify, opensslVerifyWithCrl } from "../support/openssl.js";
import { makeTempDir } from "../support/temp-dir.js";
import { TRUST_DOMAIN, call, codeOf, expectRefusal, makeCsr, type IssuerHarness } from "../support/issuer-harness.js";

const WEB = `spiffe://${TRUST_DOMAIN}/web/frontend`;
const HOUR = 3_600_000;

/** Revocation over HTTP, the same on every store and key manager: revoke, CRL, deny-list, attacks. */
export function runRevocationSuite(name: string, start: () => Promise<IssuerHarness>): void {
  describe(`revocation over HTTP: ${name}`, () => {
    let h: IssuerHarness;
    let tmp: Awaited<ReturnType<typeof makeTempDir>>;
    let caPem = "";
    let caId = "";
    const admin = (method: string, path: string, body?: unknown) =>
      call(h.url, method, path, { admin: true, ...(body !== undefined ? { body } : {}) });
    const joined = async (bot: string) => {
      const token = await admin("POST", "/v1/admin/tokens", { bot_name: bot });
      const res = await call(h.url, "POST", "/v1/join", { body: { join_method: "token", token: token.json.token } });
      assert.equal(res.status, 200, res.text);
      return res.json as { credential: string; instance_id: string };
    };
    const x509 = async (credential: string, csr?: string) => {
      const res = await call(h.url, "POST", "/v1/svids/x509", {
        bearer: credential,
        body: { csr: csr ?? (await makeCsr()).csr, spiffe_id: WEB },
      });
      assert.equal(res.status, 200, res.text);
      return { serial: res.json.serial_number as string, pem: (res.json.certificates as string[]).join("") };
    };
    const jwt = async (credential: string) => {
      const res = await call(h.url, "POST", "/v1/svids/jwt", { bearer: credential, body: { spiffe_id: WEB, audience: ["db"] } });
      assert.equal(res.status, 200, res.text);
      return JSON.parse(Buffer.from((res.json.token as string).split(".")[1]!, "base64url").toString()).jti as string;
    };
    const crlOf = async (): Promise<{ pem: string; der: Uint8Array }> => {
      const res = await fetch(`${h.url}/v1/crl/${caId}`);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), "application/pkix-crl");
      const der = new Uint8Array(await res.arrayBuffer());
      return { der, pem: encodeCrlPem(der) };
    };
    const revoke = async (body: Record<string, unknown>) => {
      const res = await admin("POST", "/v1/admin/revocations", body);
      assert.equal(res.status, 200, res.text);
      return res.json as {
        revoked: { serial?: string; jti?: string; reason: string }[];
        matched: number;
        crls: { ca_id: string; crl_number: number }[];
      };
    };

    before(async () => {
      h = await start();
      tmp = await makeTempDir("revocation-suite");
      for (const bot of ["web", "other"]) {
        const res = await admin("POST", "/v1/admin/bots", { name: bot, allowed_spiffe_ids: [`spiffe://${TRUST_DOMAIN}/web/*`] });
        assert.equal(res.status, 201, res.text);
      }
      const ca = (await h.runtime.authorities.x509()).certificate;
      caPem = encodeCertificatePem(ca);
      caId = caIdOf(ca);
    });
    after(async () => {
      await h?.close();
      await tmp?.remove();
    });

    it("revokes one X.509-SVID by serial: a CRL signed by the CA that openssl checks, the other SVID still good", async () => {
      const { credential } = await joined("web");
      const [revoked, kept] = [await x509(credential), await x509(credential)];
      const result = await revoke({ serial: revoked.serial.toUpperCase().match(/../g)!.join(":"), reason: "keyCompromise" });
      assert.deepEqual(
        result.revoked.map((r) => [r.serial, r.reason]),
        [[revoked.serial, "keyCompromise"]],
      );
      assert.equal(result.crls[0]?.ca_id, caId);
      const crl = await crlOf();
      const text = opensslCrlVerify(tmp.path, caPem, crl.pem);
      assert.ok(text.ok, text.output);
      assert.match(text.output, /verify OK/);
      assert.match(text.output, new RegExp(`Serial Number: ${revoked.serial.toUpperCase()}[\\s\\S]*Key Compromise`));
      const refused = opensslVerifyWithCrl(tmp.path, caPem, crl.pem, revoked.pem);
      assert.equal(refused.ok, false);
      assert.match(refused.output, /certificate revoked/);
      const accepted = opensslVerifyWithCrl(tmp.path, caPem, crl.pem, kept.pem);
      assert.ok(accepted.ok, accepted.output);
      const pem = await call(h.url, "GET", `/v1/crl/${caId}?format=pem`);
      assert.equal(pem.text, crl.pem);
    });

    it("revokes everything one instance holds, then everything a bot holds, X.509 and JWT alike; other bots keep theirs", async () => {
      const a = await joined("web");
      const b = await joined("web");
      const other = await joined("other");
      const [aSvid, bSvid, otherSvid] = [await x509(a.credential), await x509(b.credential), await x509(other.credential)];
      const [aJti, bJti, otherJti] = [await jwt(a.credential), await jwt(b.credential), await jwt(other.credential)];
      const byInstance = await revoke({ instance: a.instance_id });
      assert.deepEqual(byInstance.revoked.map((r) => r.serial ?? r.jti).sort(), [aSvid.serial, aJti].sort());
      const byBot = await revoke({ bot: "web", reason: "cessationOfOperation" });
      const ids = byBot.revoked.map((r) => r.serial ?? r.jti);
      assert.ok(ids.includes(bSvid.serial) && ids.includes(bJti), "b's SVIDs revoked with the bot");
      assert.ok(!ids.includes(aSvid.serial), "already revoked: not repeated");
      assert.ok(!ids.includes(otherSvid.serial) && !ids.includes(otherJti), "another bot's SVIDs stay");
      const list = await call(h.url, "GET", "/v1/revocations");
      assert.equal(list.status, 200);
      const denied = (list.json.denied_jwt_svids as { jti: string }[]).map((d) => d.jti);
      assert.ok(denied.includes(aJti) && denied.includes(bJti) && !denied.includes(otherJti));
      const crls = list.json.crls as { ca_id: string; crl: string }[];
      const listed = parseCrl(Buffer.from(crls.find((c) => c.ca_id === caId)!.crl, "base64")).revoked.map((r) => r.serialNumber);
      assert.ok(listed.includes(aSvid.serial) && listed.includes(bSvid.serial) && !listed.includes(otherSvid.serial));

      const [trust, bundle] = await Promise.all([call(h.url, "GET", "/v1/trust"), fetch(`${h.url}/v1/bundle`)]);
      assert.equal(trust.status, 200, trust.text);
      const { bundle: bundleText, active_x509_sha256: active, ...revocations } = trust.json;
      assert.deepEqual(revocations, list.json, "GET /v1/trust carries what GET /v1/revocations answers");
      assert.equal(bundleText, await bundle.text(), "and the bundle document of GET /v1/bundle");
      assert.equal(active, bundle.headers.get("tessera-active-x509-authority"));
    });

    it("refuses to sign a new SVID for a revoked SVID's key; a new key gets one that no CRL lists", async () => {
      const { credential } = await joined("web");
      const { csr } = await makeCsr();
      const first = await x509(credential, csr);
      await revoke({ serial: first.serial, reason: "keyCompromise" });
      await expectRefusal(
        h.runtime.store,
        () => call(h.url, "POST", "/v1/svids/x509", { bearer: credential, body: { csr, spiffe_id: WEB } }),
        {
          status: 403,
          code: "ERR_SVID_KEY_REVOKED",
          audited: "svid_refused",
        },
      );
      const renewed = await x509(credential);
      assert.notEqual(renewed.serial, first.serial);
      const listed = parseCrl((await crlOf()).der).revoked.map((r) => r.serialNumber);
      assert.ok(listed.includes(first.serial) && !listed.includes(renewed.serial));
    });

    it("refuses bad revocation requests with a 4xx and writes nothing", async () => {
      const cases: [Record<string, unknown>, number, string][] = [
        [{}, 400, "ERR_REQUEST_INVALID"],
        [{ serial: "0a", bot: "web" }, 400, "ERR_REQUEST_INVALID"],
        [{ serial: "xyz" }, 400, "ERR_REQUEST_INVALID"],
        [{ serial: "00" }, 400, "ERR_REQUEST_INVALID"],
        [{ serial: 12 }, 400, "ERR_REQUEST_INVALID"],
        [{ bot: "Not A Bot" }, 400, "ERR_REQUEST_INVALID"],
        [{ ca: "not-hex" }, 400, "ERR_REQUEST_INVALID"],
        [{ bot: "web", reason: "because" }, 400, "ERR_REQUEST_INVALID"],
        [{ serial: "7f".repeat(16) }, 404, "ERR_REVOCATION_NOT_FOUND"],
        [{ jti: "no-such-jti" }, 404, "ERR_REVOCATION_NOT_FOUND"],
        [{ ca: "ab".repeat(20) }, 404, "ERR_REVOCATION_NOT_FOUND"],
      ];
      for (const [body, status, code] of cases) {
        await expectRefusal(h.runtime.store, () => admin("POST", "/v1/admin/revocations", body), { status, code });
      }
      const unknownCrl = await call(h.url, "GET", `/v1/crl/${"cd".repeat(20)}`);
      assert.equal(unknownCrl.status, 404);
      assert.equal(codeOf(unknownCrl), "ERR_REVOCATION_NOT_FOUND");
    });

    it("refuses to revoke without an admin principal, at the route itself (attack: revoking needs admin auth)", async () => {
      const { credential } = await joined("web");
      const svid = await x509(credential);
      const anonymous = await call(h.url, "POST", "/v1/admin/revocations", { body: { serial: svid.serial } });
      assert.equal(anonymous.status, 401);
      const asBot = await call(h.url, "POST", "/v1/admin/revocations", { bearer: credential, body: { serial: svid.serial } });
      assert.equal(asBot.status, 401);
      // Behind API Gateway the IAM authoriser sets the principal; the route refuses an event without one.
      const handler = createAdminHandler(h.runtime);
      const event = {
        version: "2.0",
        routeKey: "POST /v1/admin/revocations",
        rawPath: "/v1/admin/revocations",
        rawQueryString: "",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ serial: svid.serial }),
        isBase64Encoded: false,
        requestContext: {},
      } as unknown as HttpEvent;
      const before = await h.runtime.store.revocations.listRevocations(0);
      const res = await handler(event);
      assert.equal(res.statusCode, 401);
      assert.equal(JSON.parse(res.body as string).error.code, "ERR_UNAUTHORIZED");
      assert.deepEqual(await h.runtime.store.revocations.listRevocations(0), before);
    });

    it("revokes every live X.509-SVID a CA signed (tessera ca revoke)", async () => {
      const { credential } = await joined("other");
      const svid = await x509(credential);
      const result = await revoke({ ca: caId });
      assert.ok(result.revoked.some((r) => r.serial === svid.serial && r.reason === "cACompromise"));
      assert.ok(parseCrl((await crlOf()).der).revoked.some((r) => r.serialNumber === svid.serial));
    });

    it("renews the CRL on the rotation tick before nextUpdate and drops serials once their SVIDs expire", async () => {
      const before = parseCrl((await crlOf()).der);
      assert.ok(before.revoked.length > 0);
      h.clock.advance(13 * HOUR);
      await runRotationTick({ ...h.runtime, publishers: [] });
      const renewed = parseCrl((await crlOf()).der);
      assert.ok(renewed.crlNumber! > before.crlNumber!, "a new CRL number");
      assert.ok(renewed.nextUpdate!.getTime() > before.nextUpdate!.getTime());
      assert.equal(renewed.revoked.length, 0, "every SVID revoked above lived an hour: all expired, all dropped");
      const list = await call(h.url, "GET", "/v1/revocations");
      assert.deepEqual(list.json.denied_jwt_svids, []);
    });
  });
}
