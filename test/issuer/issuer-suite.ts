import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { createLocalJWKSet, jwtVerify } from "jose";
import { parseCertificates, parseSpiffeBundle, TrustDomain, verifyX509Svid } from "#tessera/core";
import { type AuditEventType, issueJwtSvidForBot, issueX509SvidForBot } from "#tessera/issuer";
import { x509 } from "#tessera/test-support-x509";
import { opensslVerify } from "../support/openssl.js";
import { makeTempDir } from "../support/temp-dir.js";
import {
  TRUST_DOMAIN,
  call,
  callUnfinished,
  codeOf,
  expectRefusal,
  makeCsr,
  snapshotStore,
  type Answer,
  type IssuerHarness,
} from "../support/issuer-harness.js";

const td = TrustDomain.fromString(TRUST_DOMAIN);
const WEB = `spiffe://${TRUST_DOMAIN}/web/frontend`;

async function rsaCsr(bits: number): Promise<string> {
  const alg = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256", publicExponent: new Uint8Array([1, 0, 1]), modulusLength: bits };
  const keys = await crypto.subtle.generateKey(alg, true, ["sign", "verify"]);
  return (await x509.Pkcs10CertificateRequestGenerator.create({ name: "CN=x", keys, signingAlgorithm: alg })).toString("pem");
}

async function caRequestCsr(): Promise<string> {
  const alg = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" };
  const keys = await crypto.subtle.generateKey(alg, true, ["sign", "verify"]);
  return (
    await x509.Pkcs10CertificateRequestGenerator.create({
      name: "CN=x",
      keys,
      signingAlgorithm: alg,
      extensions: [new x509.BasicConstraintsExtension(true, undefined, true)],
    })
  ).toString("pem");
}

function tamperedCsr(pem: string): string {
  const der = Buffer.from(pem.replace(/-----[A-Z ]+-----/g, "").replace(/\s+/g, ""), "base64");
  der[der.length - 3] = (der[der.length - 3] as number) ^ 0x01;
  return `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString("base64").replace(/(.{64})/g, "$1\n")}\n-----END CERTIFICATE REQUEST-----\n`;
}

function expectError(answer: Answer, status: number, code: string): void {
  assert.equal(answer.status, status, `expected ${status} ${code}, got ${answer.status} ${answer.text}`);
  assert.equal(codeOf(answer), code);
  assert.equal(typeof (answer.json.error as { message?: unknown }).message, "string");
}

/**
 * The issuer's whole contract over HTTP, run against one configuration (embedded store + disk key,
 * or DynamoDB + KMS on the emulator): join, SVIDs, renewals, replay locks, admin, audit, and every
 * refusal with its status, code, and an unchanged store.
 */
export function runIssuerSuite(name: string, start: () => Promise<IssuerHarness>): void {
  describe(`issuer over HTTP: ${name}`, () => {
    let h: IssuerHarness;
    let tmp: Awaited<ReturnType<typeof makeTempDir>>;
    const admin = (method: string, path: string, body?: unknown) =>
      call(h.url, method, path, { admin: true, ...(body !== undefined ? { body } : {}) });
    const newToken = async (bot = "web", extra: Record<string, unknown> = {}) => {
      const res = await admin("POST", "/v1/admin/tokens", { bot_name: bot, ...extra });
      assert.equal(res.status, 201, res.text);
      return res.json.token as string;
    };
    const join = async (token: string) => call(h.url, "POST", "/v1/join", { body: { join_method: "token", token } });
    const joined = async () => {
      const res = await join(await newToken());
      assert.equal(res.status, 200, res.text);
      return res.json as { credential: string; instance_id: string; generation: number };
    };
    const x509Svid = async (credential: string, csr: string, spiffeId = WEB, extra: Record<string, unknown> = {}) =>
      call(h.url, "POST", "/v1/svids/x509", { bearer: credential, body: { csr, spiffe_id: spiffeId, ...extra } });

    before(async () => {
      h = await start();
      tmp = await makeTempDir("issuer-suite");
      const bot = await admin("POST", "/v1/admin/bots", {
        name: "web",
        allowed_spiffe_ids: [`spiffe://${TRUST_DOMAIN}/web/*`, `spiffe://${TRUST_DOMAIN}/bots/{{bot}}`],
        allowed_dns_names: ["web.internal", "*.svc.internal"],
      });
      assert.equal(bot.status, 201, bot.text);
    });
    after(async () => {
      await h?.close();
      await tmp?.remove();
    });

    it("issues an X.509-SVID that openssl, node and the library verify against GET /v1/bundle", async () => {
      const { credential } = await joined();
      const { csr, privateKey } = await makeCsr();
      const res = await x509Svid(credential, csr, WEB, { dns_names: ["web.internal"] });
      assert.equal(res.status, 200, res.text);
      const bundleRes = await call(h.url, "GET", "/v1/bundle");
      assert.equal(bundleRes.status, 200);
      const bundle = parseSpiffeBundle(bundleRes.text, td);
      assert.equal(bundle.x509Authorities.length, 1);
      const caPem = new X509Certificate(Buffer.from(bundle.x509Authorities[0] as Uint8Array)).toString();
      const leafPem = (res.json.certificates as string[]).join("");
      assert.match(opensslVerify(tmp.path, caPem, leafPem), /OK/);
      const leaf = new X509Certificate(leafPem);
      assert.equal(leaf.subjectAltName, `URI:${WEB}, DNS:web.internal`);
      assert.ok(leaf.checkPrivateKey(privateKey));
      assert.ok(leaf.verify(new X509Certificate(caPem).publicKey));
      const verified = verifyX509Svid(parseCertificates(leafPem), bundle, { now: h.clock.now() });
      assert.equal(verified.spiffeId.toString(), WEB);
      const expected = Math.floor((h.clock.now().getTime() + 3600_000) / 1000) * 1000;
      assert.equal(Date.parse(res.json.expires_at as string), expected);
      assert.equal(Date.parse(leaf.validTo), expected);
    });

    it("issues a JWT-SVID that jose validates against the bundle's JWKS with the audience", async () => {
      const { credential } = await joined();
      const res = await call(h.url, "POST", "/v1/svids/jwt", { bearer: credential, body: { spiffe_id: WEB, audience: ["db"] } });
      assert.equal(res.status, 200, res.text);
      const bundle = JSON.parse((await call(h.url, "GET", "/v1/bundle")).text) as { keys: { use?: string }[] };
      // Generic JOSE libraries only pick keys with no `use` or `use: sig`: hand jose the jwt-svid keys without it.
      const jwtKeys = bundle.keys.filter((k) => k.use === "jwt-svid").map(({ use: _use, ...key }) => key);
      assert.equal(jwtKeys.length, 1);
      const jwks = createLocalJWKSet({ keys: jwtKeys } as never);
      const { payload, protectedHeader } = await jwtVerify(res.json.token as string, jwks, { audience: "db", currentDate: h.clock.now() });
      assert.equal(payload.sub, WEB);
      assert.equal(protectedHeader.alg, "ES256");
      await assert.rejects(jwtVerify(res.json.token as string, jwks, { audience: "other", currentDate: h.clock.now() }));
    });

    it("fills templates from the bot's name and refuses IDs outside the rules", async () => {
      const { credential } = await joined();
      const { csr } = await makeCsr();
      assert.equal((await x509Svid(credential, csr, `spiffe://${TRUST_DOMAIN}/bots/web`)).status, 200);
      expectError(await x509Svid(credential, csr, `spiffe://${TRUST_DOMAIN}/bots/other`), 403, "ERR_SPIFFEID_NOT_ALLOWED");
    });

    it("puts in a certificate the DNS names the bot's rules grant, normalised, a wildcard only where a rule grants it", async () => {
      const shown = await admin("GET", "/v1/admin/bots/web");
      assert.deepEqual(shown.json.allowed_dns_names, ["web.internal", "*.svc.internal"]);
      const { credential } = await joined();
      const { csr } = await makeCsr();
      const res = await x509Svid(credential, csr, WEB, { dns_names: ["Web.Internal.", "db.svc.internal", "*.svc.internal"] });
      assert.equal(res.status, 200, res.text);
      const leaf = new X509Certificate((res.json.certificates as string[]).join(""));
      assert.equal(leaf.subjectAltName, `URI:${WEB}, DNS:web.internal, DNS:db.svc.internal, DNS:*.svc.internal`);
    });

    it("a bot stored before its patterns were checked is refused with 403s, never a 500, and gets no DNS name", async () => {
      // As a bot written by an earlier version: a placeholder nothing fills, and no DNS rules at all.
      await h.runtime.store.createBot({
        id: "legacy-bot-id",
        name: "legacy",
        allowedSpiffeIds: [
          `spiffe://${TRUST_DOMAIN}/p/{{constructor}}`,
          `spiffe://${TRUST_DOMAIN}/p/{{__proto__}}/x`,
          `spiffe://${TRUST_DOMAIN}/legacy/*`,
        ],
        joinRules: [{ method: "token" }],
        maxSvidTtlSeconds: 3600,
        createdAt: h.clock.now().getTime(),
      });
      const joinedLegacy = await join(await newToken("legacy"));
      assert.equal(joinedLegacy.status, 200, joinedLegacy.text);
      const credential = joinedLegacy.json.credential as string;
      const { csr } = await makeCsr();
      const refused = { status: 403, code: "ERR_SPIFFEID_NOT_ALLOWED", audited: "svid_refused" as const, secrets: [credential] };
      await expectRefusal(h.runtime.store, () => x509Svid(credential, csr, `spiffe://${TRUST_DOMAIN}/p/x`), refused);
      await expectRefusal(h.runtime.store, () => x509Svid(credential, csr, `spiffe://${TRUST_DOMAIN}/p/x/x`), refused);
      const jwt = () =>
        call(h.url, "POST", "/v1/svids/jwt", { bearer: credential, body: { spiffe_id: `spiffe://${TRUST_DOMAIN}/p/x`, audience: ["db"] } });
      await expectRefusal(h.runtime.store, jwt, refused);
      const dns = () => x509Svid(credential, csr, `spiffe://${TRUST_DOMAIN}/legacy/a`, { dns_names: ["localhost"] });
      await expectRefusal(h.runtime.store, dns, { ...refused, code: "ERR_DNS_NAME_NOT_ALLOWED" });
      assert.equal((await x509Svid(credential, csr, `spiffe://${TRUST_DOMAIN}/legacy/a`)).status, 200);
      assert.deepEqual((await admin("GET", "/v1/admin/bots/legacy")).json.allowed_dns_names, []);
    });

    it("renews twice, then locks the instance when an old credential comes back, and unlocks on request", async () => {
      const first = await joined();
      const r1 = await call(h.url, "POST", "/v1/renew", { bearer: first.credential });
      assert.equal(r1.status, 200, r1.text);
      assert.equal(r1.json.generation, 2);
      const r2 = await call(h.url, "POST", "/v1/renew", { bearer: r1.json.credential as string });
      assert.equal(r2.json.generation, 3);
      const current = r2.json.credential as string;
      const { csr } = await makeCsr();
      assert.equal((await x509Svid(current, csr)).status, 200);

      expectError(await x509Svid(r1.json.credential as string, csr), 403, "ERR_GENERATION_MISMATCH");
      expectError(await x509Svid(current, csr), 403, "ERR_BOT_LOCKED");
      expectError(await call(h.url, "POST", "/v1/renew", { bearer: current }), 403, "ERR_BOT_LOCKED");
      const shown = await admin("GET", "/v1/admin/bots/web");
      const inst = (shown.json.instances as { id: string; lock?: { locked_by: string } }[]).find((i) => i.id === first.instance_id);
      assert.equal(inst?.lock?.locked_by, "tessera");
      const audit = await admin("GET", `/v1/admin/audit?bot=web&type=lock`);
      assert.ok((audit.json.events as { instance_id: string }[]).some((e) => e.instance_id === first.instance_id));

      const unlock = await admin("POST", "/v1/admin/locks", { target: "bot_instance", id: first.instance_id, locked: false });
      assert.equal(unlock.status, 200, unlock.text);
      assert.equal((await x509Svid(current, csr)).status, 200);
    });

    it("locks the instance when two holders renew the same credential at once", async () => {
      const { credential, instance_id } = await joined();
      const results = await Promise.all([1, 2, 3].map(() => call(h.url, "POST", "/v1/renew", { bearer: credential })));
      const statuses = results.map((r) => r.status).sort();
      assert.equal(statuses.filter((s) => s === 200).length, 1, JSON.stringify(results.map((r) => r.json)));
      for (const r of results.filter((x) => x.status !== 200))
        assert.ok(["ERR_GENERATION_MISMATCH", "ERR_BOT_LOCKED"].includes(codeOf(r) ?? ""));
      const instance = await h.runtime.store.getBotInstance(instance_id);
      assert.ok(instance?.lock, "instance locked");
    });

    describe("a deleted bot stays dead when its name is reused", () => {
      const makeBot = async (name: string) => {
        const res = await admin("POST", "/v1/admin/bots", { name, allowed_spiffe_ids: [`spiffe://${TRUST_DOMAIN}/${name}/*`] });
        assert.equal(res.status, 201, res.text);
        assert.equal(typeof res.json.id, "string");
        return res.json.id as string;
      };
      /** A bot with one joined instance and one unspent token; returns what a thief of both would hold. */
      const bornAndJoined = async (name: string) => {
        const id = await makeBot(name);
        const spare = await newToken(name, { uses: 5 });
        const joinedRes = await join(await newToken(name));
        assert.equal(joinedRes.status, 200, joinedRes.text);
        const { csr } = await makeCsr();
        const credential = joinedRes.json.credential as string;
        const svid = () => x509Svid(credential, csr, `spiffe://${TRUST_DOMAIN}/${name}/api`);
        assert.equal((await svid()).status, 200);
        return { id, spare, credential, instanceId: joinedRes.json.instance_id as string, svid };
      };
      const expectDead = async (name: string, held: Awaited<ReturnType<typeof bornAndJoined>>) => {
        expectError(await held.svid(), 401, "ERR_CREDENTIAL_INVALID");
        expectError(await call(h.url, "POST", "/v1/renew", { bearer: held.credential }), 401, "ERR_CREDENTIAL_INVALID");
        expectError(await join(held.spare), 401, "ERR_JOIN_TOKEN_INVALID");
        const shown = await admin("GET", `/v1/admin/bots/${name}`);
        assert.notEqual(shown.json.id, held.id);
        assert.deepEqual(shown.json.instances, []);
        assert.deepEqual((await admin("GET", `/v1/admin/tokens?bot=${name}`)).json.tokens, []);
      };

      it("refuses the old credential and unspent token after delete and re-create, and lists neither", async () => {
        const held = await bornAndJoined("phoenix");
        const deleted = await admin("DELETE", "/v1/admin/bots/phoenix");
        assert.deepEqual(deleted.json, { deleted: "phoenix", id: held.id });
        expectError(await held.svid(), 401, "ERR_CREDENTIAL_INVALID");
        const reborn = await makeBot("phoenix");
        assert.notEqual(reborn, held.id);
        await expectDead("phoenix", held);
        const fresh = await join(await newToken("phoenix"));
        assert.equal(fresh.status, 200, fresh.text);
        assert.equal((await admin("GET", "/v1/admin/bots/phoenix")).json.id, reborn);
      });

      it("refuses records a delete cut short left behind, under a bot re-created with the name", async () => {
        const held = await bornAndJoined("ember");
        const store = h.runtime.store;
        const instance = await store.getBotInstance(held.instanceId);
        const tokens = await store.listJoinTokens("ember");
        assert.ok(instance && tokens.length === 1);
        assert.equal((await admin("DELETE", "/v1/admin/bots/ember")).status, 200);
        await makeBot("ember");
        // Put back what a crash between the bot's delete and its records' would have left.
        await store.createBotInstance(instance);
        for (const token of tokens) await store.createJoinToken(token);
        await expectDead("ember", held);
      });
    });

    it("audits joins and SVIDs with serials and key thumbprints, never secrets", async () => {
      const { credential, instance_id } = await joined();
      const { csr } = await makeCsr();
      const res = await x509Svid(credential, csr);
      const events = (await admin("GET", `/v1/admin/audit?bot=web&spiffe_id=${encodeURIComponent(WEB)}&type=x509_svid`)).json
        .events as Record<string, unknown>[];
      const mine = events.find((e) => e.serial_or_jti === res.json.serial_number);
      assert.equal(mine?.instance_id, instance_id);
      assert.equal(typeof mine?.key_thumbprint, "string");
      const logged = JSON.stringify(h.logger.lines) + JSON.stringify(await h.runtime.store.listAudit({ limit: 1000 }));
      assert.ok(!logged.includes(credential.split(".")[3] as string), "credential secret in logs or audit");
    });

    describe("refused joins, renewals and SVID requests are audited", () => {
      const store = () => h.runtime.store;

      it("a join with a wrong token writes one join_refused record with the code and the token's hash prefix only", async () => {
        const token = `${(await newToken()).slice(0, -4)}AAAA`;
        const record = await expectRefusal(store(), () => join(token), {
          status: 401,
          code: "ERR_JOIN_TOKEN_INVALID",
          audited: "join_refused",
          secrets: [token],
        });
        assert.equal(record?.joinMethod, "token");
        assert.equal(record?.detail?.reason, "join: unknown, expired or locked join token");
        assert.match(record?.detail?.token_hash_prefix ?? "", /^[0-9a-f]{12}$/);
        const listed = await admin("GET", "/v1/admin/audit?type=join_refused");
        assert.equal(listed.status, 200, listed.text);
        const shown = (listed.json.events as { id: string; detail: Record<string, string> }[]).find((e) => e.id === record?.id);
        assert.equal(shown?.detail.code, "ERR_JOIN_TOKEN_INVALID");
      });

      it("an SVID request for a SPIFFE ID or a DNS name the rules do not grant writes one svid_refused record naming the bot", async () => {
        const { credential, instance_id } = await joined();
        const { csr } = await makeCsr();
        const other = `spiffe://${TRUST_DOMAIN}/db/primary`;
        const id = await expectRefusal(store(), () => x509Svid(credential, csr, other), {
          status: 403,
          code: "ERR_SPIFFEID_NOT_ALLOWED",
          audited: "svid_refused",
          secrets: [credential],
        });
        assert.deepEqual([id?.botName, id?.instanceId, id?.spiffeId, id?.detail?.svid_type], ["web", instance_id, other, "x509"]);
        assert.equal(typeof id?.detail?.bot_id, "string");
        const dns = await expectRefusal(store(), () => x509Svid(credential, csr, WEB, { dns_names: ["www.google.com"] }), {
          status: 403,
          code: "ERR_DNS_NAME_NOT_ALLOWED",
          audited: "svid_refused",
          secrets: [credential],
        });
        assert.equal(dns?.detail?.dns_names, "www.google.com");
        assert.match(dns?.detail?.reason ?? "", /may not put the DNS name www\.google\.com/);
        const listed = (await admin("GET", "/v1/admin/audit?bot=web&type=svid_refused")).json.events as { id: string }[];
        assert.ok([id?.id, dns?.id].every((x) => listed.some((e) => e.id === x)));
      });

      it("a refused renewal writes one renew_refused record", async () => {
        const { credential, instance_id } = await joined();
        const record = await expectRefusal(store(), () => call(h.url, "POST", "/v1/renew", { bearer: credential, body: { ttl: 5 } }), {
          status: 400,
          code: "ERR_REQUEST_INVALID",
          audited: "renew_refused",
          secrets: [credential],
        });
        assert.match(record?.detail?.credential_hash_prefix ?? "", /^[0-9a-f]{12}$/);
        const forged = `${credential.slice(0, -4)}AAAA`;
        await expectRefusal(store(), () => call(h.url, "POST", "/v1/renew", { bearer: forged }), {
          status: 401,
          code: "ERR_CREDENTIAL_INVALID",
          audited: "renew_refused",
          secrets: [forged],
        });
        assert.equal((await h.runtime.store.getBotInstance(instance_id))?.generation, 1);
      });

      it("records a huge SPIFFE ID, DNS name list or audience list bounded, controls stripped", async () => {
        const { credential } = await joined();
        const { csr } = await makeCsr();
        const long = `spiffe://${TRUST_DOMAIN}/web/${"\u001b[31m".repeat(5)}${"a".repeat(60 * 1024)}`;
        const overHttp = await expectRefusal(store(), () => x509Svid(credential, csr, long), {
          status: 400,
          code: "ERR_SPIFFEID_INVALID",
          audited: "svid_refused",
          secrets: [credential],
        });
        assert.ok([...(overHttp?.spiffeId ?? "")].length <= 200 && !/\p{Cc}/u.test(overHttp?.spiffeId ?? ""), overHttp?.spiffeId);
        const audiences = Array.from({ length: 1000 }, (_, i) => `a${i}`);
        const jwt = () => call(h.url, "POST", "/v1/svids/jwt", { bearer: credential, body: { spiffe_id: WEB, audience: audiences } });
        const aud = await expectRefusal(store(), jwt, {
          status: 400,
          code: "ERR_JWTSVID_AUDIENCE_INVALID",
          audited: "svid_refused",
          secrets: [credential],
        });
        assert.equal(aud?.detail?.audience_count, "1000");
        assert.ok([...(aud?.detail?.audience ?? "")].length <= 200);
        const direct = async (run: () => Promise<unknown>, code: string) => {
          const before = new Set((await h.runtime.store.listAudit({ limit: 1000 })).map((e) => e.id));
          await assert.rejects(run(), (err: { code?: string }) => err.code === code);
          const written = (await h.runtime.store.listAudit({ limit: 1000 })).filter((e) => !before.has(e.id));
          assert.equal(written.length, 1);
          const newest = written[0];
          assert.equal(newest?.type, "svid_refused");
          assert.equal(newest?.detail?.code, code);
          assert.ok(JSON.stringify(newest).length < 4096, `bounded: ${JSON.stringify(newest).length}`);
          assert.ok(!JSON.stringify(newest).includes(credential));
        };
        const mib = "a".repeat(1024 * 1024);
        await direct(
          () => issueX509SvidForBot(h.runtime.issuer, { credential, csr, spiffeId: `spiffe://${TRUST_DOMAIN}/${mib}` }),
          "ERR_SPIFFEID_INVALID",
        );
        await direct(
          () =>
            issueX509SvidForBot(h.runtime.issuer, {
              credential,
              csr,
              spiffeId: WEB,
              dnsNames: Array.from({ length: 10_000 }, () => mib.slice(0, 1024)),
            }),
          "ERR_REQUEST_INVALID",
        );
        await direct(
          () => issueJwtSvidForBot(h.runtime.issuer, { credential, spiffeId: WEB, audience: Array.from({ length: 10_000 }, () => mib) }),
          "ERR_JWTSVID_AUDIENCE_INVALID",
        );
      });
    });

    describe("refusals change nothing", () => {
      const cases: [string, () => Promise<Answer>, number, string, AuditEventType | undefined][] = [];
      /** A refused request; `audited` names its refusal record (none for refusals before the issuer's use cases). */
      const refuse = (what: string, status: number, code: string, run: () => Promise<Answer>, audited?: AuditEventType) =>
        cases.push([what, run, status, code, audited]);
      let credential: string;
      let csr: string;
      before(async () => {
        credential = (await joined()).credential;
        csr = (await makeCsr()).csr;
      });

      refuse("malformed JSON", 400, "ERR_REQUEST_INVALID", () =>
        call(h.url, "POST", "/v1/svids/x509", { bearer: credential, rawBody: "{not json" }),
      );
      refuse("a JSON array body", 400, "ERR_REQUEST_INVALID", () => call(h.url, "POST", "/v1/join", { rawBody: "[]" }));
      refuse("an oversized body", 413, "ERR_BODY_TOO_LARGE", () => x509Svid(credential, "A".repeat(70 * 1024)));
      const mib = (n: number) => "x".repeat(n * 1024 * 1024);
      const chunks = (count: number) =>
        new ReadableStream<Uint8Array>({
          start(controller) {
            for (let i = 0; i < count; i++) controller.enqueue(Buffer.alloc(64 * 1024, "y"));
            controller.close();
          },
        });
      refuse("a body over 1 MiB", 413, "ERR_BODY_TOO_LARGE", () => call(h.url, "POST", "/v1/join", { rawBody: mib(2) }));
      refuse("a body over 1 MiB to an admin route", 413, "ERR_BODY_TOO_LARGE", () =>
        call(h.url, "POST", "/v1/admin/bots", { admin: true, rawBody: mib(3) }),
      );
      refuse("a chunked body over 1 MiB", 413, "ERR_BODY_TOO_LARGE", () =>
        call(h.url, "POST", "/v1/svids/x509", { bearer: credential, rawBody: chunks(40) }),
      );
      refuse("a Content-Length over 1 MiB with a short body", 413, "ERR_BODY_TOO_LARGE", () =>
        callUnfinished(h.url, "/v1/join", { "content-type": "application/json", "content-length": String(5 * 1024 * 1024) }, "{}"),
      );
      refuse("a text/plain body", 415, "ERR_UNSUPPORTED_MEDIA_TYPE", () =>
        call(h.url, "POST", "/v1/join", {
          rawBody: JSON.stringify({ join_method: "token", token: "B".repeat(43) }),
          contentType: "text/plain",
        }),
      );
      refuse("a form body to an admin route", 415, "ERR_UNSUPPORTED_MEDIA_TYPE", () =>
        call(h.url, "POST", "/v1/admin/bots", { admin: true, rawBody: "name=x", contentType: "application/x-www-form-urlencoded" }),
      );
      refuse("a CSR with a bad signature", 400, "ERR_CSR_INVALID", () => x509Svid(credential, tamperedCsr(csr)), "svid_refused");
      refuse(
        "a CSR that is not one",
        400,
        "ERR_CSR_INVALID",
        () => x509Svid(credential, "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n"),
        "svid_refused",
      );
      refuse("a CSR asking to be a CA", 400, "ERR_CSR_INVALID", async () => x509Svid(credential, await caRequestCsr()), "svid_refused");
      refuse("an RSA-1024 CSR", 400, "ERR_KEY_UNSUPPORTED", async () => x509Svid(credential, await rsaCsr(1024)), "svid_refused");
      refuse(
        "a CSR field of the wrong type",
        400,
        "ERR_REQUEST_INVALID",
        () => call(h.url, "POST", "/v1/svids/x509", { bearer: credential, body: { csr: 42, spiffe_id: WEB } }),
        "svid_refused",
      );
      refuse(
        "a malformed SPIFFE ID",
        400,
        "ERR_SPIFFEID_INVALID",
        () => x509Svid(credential, csr, "spiffe://example.org/web/../etc"),
        "svid_refused",
      );
      refuse(
        "a SPIFFE ID of another trust domain",
        403,
        "ERR_SPIFFEID_NOT_ALLOWED",
        () => x509Svid(credential, csr, "spiffe://evil.org/web/frontend"),
        "svid_refused",
      );
      refuse(
        "a SPIFFE ID outside the bot's rules",
        403,
        "ERR_SPIFFEID_NOT_ALLOWED",
        () => x509Svid(credential, csr, `spiffe://${TRUST_DOMAIN}/db/primary`),
        "svid_refused",
      );
      refuse(
        "the bare prefix of a wildcard rule",
        403,
        "ERR_SPIFFEID_NOT_ALLOWED",
        () => x509Svid(credential, csr, `spiffe://${TRUST_DOMAIN}/web`),
        "svid_refused",
      );
      for (const dnsNames of [
        ["www.google.com"],
        ["*.example.org"],
        ["localhost"],
        ["svc.internal"],
        ["a.db.svc.internal"],
        ["*.db.svc.internal"],
        ["web.internal", "www.google.com"],
      ]) {
        refuse(
          `DNS names outside the bot's rules: ${dnsNames.join(", ")}`,
          403,
          "ERR_DNS_NAME_NOT_ALLOWED",
          () => x509Svid(credential, csr, WEB, { dns_names: dnsNames }),
          "svid_refused",
        );
      }
      refuse(
        "a DNS name that is no hostname",
        400,
        "ERR_REQUEST_INVALID",
        () => x509Svid(credential, csr, WEB, { dns_names: ["web..internal"] }),
        "svid_refused",
      );
      refuse("a negative TTL", 400, "ERR_REQUEST_INVALID", () => x509Svid(credential, csr, WEB, { ttl: -5 }), "svid_refused");
      const jwtFor = (audience: unknown) =>
        call(h.url, "POST", "/v1/svids/jwt", { bearer: credential, body: { spiffe_id: WEB, audience } });
      refuse("a JWT-SVID without an audience", 400, "ERR_JWTSVID_AUDIENCE_INVALID", () => jwtFor([]), "svid_refused");
      refuse(
        "a JWT-SVID for 1,000 audiences",
        400,
        "ERR_JWTSVID_AUDIENCE_INVALID",
        () => jwtFor(Array.from({ length: 1000 }, (_, i) => `a${i}`)),
        "svid_refused",
      );
      refuse("a JWT-SVID audience of 513 characters", 400, "ERR_JWTSVID_AUDIENCE_INVALID", () => jwtFor(["a".repeat(513)]), "svid_refused");
      for (const [name, bad] of [
        ["NUL", "db\u0000"],
        ["an ESC", "db\u001b[31m"],
        ["a bidi override", "db\u202Egpj"],
        ["an isolate", "\u2066db"],
        ["a lone surrogate", "db\uD800"],
        ["a C1 control", "db\u0085x"],
      ]) {
        refuse(`a JWT-SVID audience with ${name}`, 400, "ERR_JWTSVID_AUDIENCE_INVALID", () => jwtFor(["ok", bad]), "svid_refused");
      }
      // A missing Authorization header is refused at the HTTP edge, as a malformed body is: before the issuer.
      refuse("no credential", 401, "ERR_CREDENTIAL_INVALID", () =>
        call(h.url, "POST", "/v1/svids/x509", { body: { csr, spiffe_id: WEB } }),
      );
      refuse("a malformed credential", 401, "ERR_CREDENTIAL_INVALID", () => x509Svid("tbc1.nope", csr), "svid_refused");
      refuse(
        "a forged credential for a real instance",
        401,
        "ERR_CREDENTIAL_INVALID",
        () => {
          const [p, id, gen] = credential.split(".");
          return x509Svid(`${p}.${id}.${gen}.${"A".repeat(43)}`, csr);
        },
        "svid_refused",
      );
      refuse("an unknown join token", 401, "ERR_JOIN_TOKEN_INVALID", () => join("B".repeat(43)), "join_refused");
      refuse("a malformed join token", 401, "ERR_JOIN_TOKEN_INVALID", () => join("short"), "join_refused");
      refuse(
        "an unsupported join method",
        400,
        "ERR_REQUEST_INVALID",
        () => call(h.url, "POST", "/v1/join", { body: { join_method: "kerberos" } }),
        "join_refused",
      );
      refuse("an admin call without the admin credential", 401, "ERR_UNAUTHORIZED", () => call(h.url, "GET", "/v1/admin/bots"));
      refuse("an admin call with a bot credential", 401, "ERR_UNAUTHORIZED", () =>
        call(h.url, "POST", "/v1/admin/bots", { bearer: credential, body: { name: "x", allowed_spiffe_ids: [WEB] } }),
      );
      refuse("a bot with an ID outside the trust domain", 403, "ERR_SPIFFEID_NOT_ALLOWED", () =>
        admin("POST", "/v1/admin/bots", { name: "evil", allowed_spiffe_ids: ["spiffe://evil.org/x"] }),
      );
      for (const pattern of [
        "p/{{constructor}}",
        "p/{{__proto__}}",
        "p/{{toString}}",
        "p/{{foo}}",
        "p/{{ bot }}",
        "p/{{account}}",
        "p/{{bot",
        "p/{bot}",
      ]) {
        refuse(`a bot with the pattern ${pattern}`, 400, "ERR_POLICY_INVALID", () =>
          admin("POST", "/v1/admin/bots", { name: "evil", allowed_spiffe_ids: [`spiffe://${TRUST_DOMAIN}/${pattern}`] }),
        );
      }
      for (const rule of ["*", "*.internal", "w*.example.org", "a.*.example.org", "{{bot}}.example.org", "10.0.0.1"]) {
        refuse(`a bot with the DNS rule ${rule}`, 400, "ERR_POLICY_INVALID", () =>
          admin("POST", "/v1/admin/bots", { name: "evil", allowed_spiffe_ids: [WEB], allowed_dns_names: [rule] }),
        );
      }
      refuse("a bot that exists", 409, "ERR_BOT_EXISTS", () => admin("POST", "/v1/admin/bots", { name: "web", allowed_spiffe_ids: [WEB] }));
      refuse("an unknown route", 404, "ERR_NOT_FOUND", () => call(h.url, "GET", "/v1/nothing"));
      refuse("a lock of a join token nobody holds", 404, "ERR_JOIN_TOKEN_NOT_FOUND", () =>
        admin("POST", "/v1/admin/locks", { target: "join_token", id: "0".repeat(64) }),
      );
      refuse("an unlock of a join token nobody holds", 404, "ERR_JOIN_TOKEN_NOT_FOUND", () =>
        admin("POST", "/v1/admin/locks", { target: "join_token", id: "0".repeat(64), locked: false }),
      );

      it("each refusal has its status and code, and the store is untouched but for one refusal record of the issuer's", async () => {
        const secrets = [credential, credential.split(".")[3] as string, "B".repeat(43)];
        for (const [what, run, status, code, audited] of cases) {
          await expectRefusal(h.runtime.store, run, { status, code, secrets, ...(audited ? { audited } : {}) }).catch((err: Error) => {
            throw new Error(`${what}: ${err.message}`, { cause: err });
          });
        }
        const failures = h.logger.lines.filter((l) => l.message === "local front failed");
        assert.deepEqual(failures, [], "a refusal is not a failure of the front");
      });

      it("a used-up join token is refused and nothing is written", async () => {
        const token = await newToken();
        assert.equal((await join(token)).status, 200);
        // The record goes with its last use, so a spent token is as unknown as a made-up one.
        await expectRefusal(h.runtime.store, () => join(token), {
          status: 401,
          code: "ERR_JOIN_TOKEN_INVALID",
          audited: "join_refused",
          secrets: [token],
        });
      });

      it("an expired join token and an expired credential are refused", async () => {
        const token = await newToken("web", { ttl: 60 });
        const { credential: cred } = await joined();
        h.clock.advance(3601_000);
        try {
          const store = h.runtime.store;
          await expectRefusal(store, () => join(token), {
            status: 401,
            code: "ERR_JOIN_TOKEN_INVALID",
            audited: "join_refused",
            secrets: [token],
          });
          await expectRefusal(store, () => x509Svid(cred, csr), {
            status: 401,
            code: "ERR_CREDENTIAL_INVALID",
            audited: "svid_refused",
            secrets: [cred],
          });
          const renew = () => call(h.url, "POST", "/v1/renew", { bearer: cred });
          await expectRefusal(store, renew, { status: 401, code: "ERR_CREDENTIAL_INVALID", audited: "renew_refused", secrets: [cred] });
        } finally {
          h.clock.advance(-3601_000);
        }
      });

      it("a locked bot can neither join nor get SVIDs, and a locked token cannot join", async () => {
        const token = await newToken();
        const tokens = (await admin("GET", "/v1/admin/tokens?bot=web")).json.tokens as { token_hash: string }[];
        assert.ok(tokens.length > 0);
        assert.equal((await admin("POST", "/v1/admin/locks", { target: "bot", id: "web", reason: "incident 42" })).status, 200);
        try {
          const store = h.runtime.store;
          const svid = await expectRefusal(store, () => x509Svid(credential, csr), {
            status: 403,
            code: "ERR_BOT_LOCKED",
            audited: "svid_refused",
            secrets: [credential],
          });
          assert.equal(svid?.botName, "web");
          const joinRefused = await expectRefusal(store, () => join(token), {
            status: 403,
            code: "ERR_BOT_LOCKED",
            audited: "join_refused",
            secrets: [token],
          });
          assert.equal(joinRefused?.botName, "web");
        } finally {
          assert.equal((await admin("POST", "/v1/admin/locks", { target: "bot", id: "web", locked: false })).status, 200);
        }
        assert.equal((await x509Svid(credential, csr)).status, 200);
        const lockedToken = await newToken();
        const hash = ((await admin("GET", "/v1/admin/tokens?bot=web")).json.tokens as { token_hash: string }[]).map((t) => t.token_hash);
        for (const tokenHash of hash) await admin("POST", "/v1/admin/locks", { target: "join_token", id: tokenHash });
        expectError(await join(lockedToken), 401, "ERR_JOIN_TOKEN_INVALID");
      });

      it("an expired CA, or one with under a minute left, answers 503 ERR_AUTHORITY_EXPIRED and nothing is written", async () => {
        const journal = await h.runtime.store.getJournal("x509");
        const active = journal?.slots.find((s) => s.status === "active");
        assert.ok(active);
        const jwtActive = (await h.runtime.store.getJournal("jwt"))?.slots.find((s) => s.status === "active");
        assert.ok(jwtActive);
        // A fresh credential at each point (the bot credential lives an hour), then no SVID of either kind.
        // Last in this block: joining a month ahead lets the store sweep the earlier, expired instances.
        for (const left of [59_000, 1_000, -10_000, -3600_000]) {
          const moved = Math.min(active.notAfter, jwtActive.notAfter) - left - h.clock.now().getTime();
          h.clock.advance(moved);
          try {
            const { credential: fresh } = await joined();
            const before = await snapshotStore(h.runtime.store);
            const res = await x509Svid(fresh, csr);
            expectError(res, 503, "ERR_AUTHORITY_EXPIRED");
            assert.equal(res.headers.get("retry-after"), "30");
            const jwt = await call(h.url, "POST", "/v1/svids/jwt", { bearer: fresh, body: { spiffe_id: WEB, audience: ["db"] } });
            expectError(jwt, 503, "ERR_AUTHORITY_EXPIRED");
            assert.equal(await snapshotStore(h.runtime.store), before, `${left} ms before the end changed the store`);
          } finally {
            h.clock.advance(-moved);
          }
        }
      });
    });

    it("tells a caller with a wrong admin token that the dev issuer wants its bearer admin token", async () => {
      const res = await call(h.url, "GET", "/v1/admin/bots", { bearer: "not-the-admin-token" });
      expectError(res, 401, "ERR_UNAUTHORIZED");
      const message = (res.json.error as { message: string }).message;
      assert.match(message, /admin token as Authorization: Bearer/);
      assert.doesNotMatch(message, /SigV4/);
    });

    it("serves the bundle as PEM too", async () => {
      const pem = await call(h.url, "GET", "/v1/bundle?format=pem");
      assert.equal(pem.status, 200);
      const certs = parseCertificates(pem.text);
      assert.equal(certs.length, 1);
      assert.ok(new X509Certificate(Buffer.from(certs[0] as Uint8Array)).ca);
    });
  });
}
