import assert from "node:assert/strict";
import { X509Certificate, type KeyObject } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { parseCertificates, parseSpiffeBundle, TrustDomain, verifyX509Svid } from "#tessera/core";
import type { AuditEvent } from "#tessera/issuer";
import { TRUST_DOMAIN, call, expectRefusal, listRefusals, makeCsr, type IssuerHarness } from "../support/issuer-harness.js";
import type { StartIssuerWith } from "./platform-join-suite.js";

const td = TrustDomain.fromString(TRUST_DOMAIN);
const A = `spiffe://${TRUST_DOMAIN}/batch/a`;
const B = `spiffe://${TRUST_DOMAIN}/batch/b`;
const FORBIDDEN = `spiffe://${TRUST_DOMAIN}/admin/root`;

interface Result {
  spiffe_id?: string;
  certificates?: string[];
  error?: { code: string; status: number; message: string };
}

/**
 * `POST /v1/svids/x509/batch` over HTTP on one configuration: one credential check, each entry
 * checked, signed and audited on its own, and the attacks (too many entries, a repeated CSR, a
 * SPIFFE ID the bot may not have, a bad credential) refused with their codes and nothing issued.
 */
export function runX509BatchSuite(name: string, start: StartIssuerWith): void {
  describe(`X.509-SVID batches: ${name}`, () => {
    let h: IssuerHarness;
    let credential: string;
    const batch = (entries: unknown, bearer = credential) => call(h.url, "POST", "/v1/svids/x509/batch", { bearer, body: { entries } });
    const svidEvents = async () => (await h.runtime.store.listAudit({ limit: 1000 })).filter((e) => e.type === "x509_svid");
    const newSince = <T extends { id: string }>(before: T[], now: T[]) => now.filter((e) => !before.some((b) => b.id === e.id));
    const newEntry = async (spiffeId: string) => {
      const { csr, privateKey } = await makeCsr();
      return { entry: { csr, spiffe_id: spiffeId }, privateKey };
    };

    before(async () => {
      h = await start({});
      const admin = (path: string, body: unknown) => call(h.url, "POST", path, { admin: true, body });
      const bot = await admin("/v1/admin/bots", { name: "batcher", allowed_spiffe_ids: [`spiffe://${TRUST_DOMAIN}/batch/*`] });
      assert.equal(bot.status, 201, bot.text);
      const token = await admin("/v1/admin/tokens", { bot_name: "batcher" });
      const joined = await call(h.url, "POST", "/v1/join", { body: { join_method: "token", token: token.json.token } });
      assert.equal(joined.status, 200, joined.text);
      credential = joined.json.credential as string;
    });
    after(async () => h?.close());

    it("issues every entry, in order, each for its own key and verified against the bundle, with one audit event each", async () => {
      const asked = await Promise.all([newEntry(A), newEntry(B), newEntry(A)]);
      const events = (await svidEvents()).length;
      const res = await batch(asked.map((a) => a.entry));
      assert.equal(res.status, 200, res.text);
      const results = res.json.results as Result[];
      const bundle = parseSpiffeBundle(await (await fetch(`${h.url}/v1/bundle`)).text(), td);
      assert.equal(results.length, 3);
      results.forEach((result, i) => {
        const chain = (result.certificates ?? []).flatMap((pem) => parseCertificates(pem));
        const { spiffeId } = verifyX509Svid(chain, bundle, { now: new Date() });
        assert.equal(spiffeId.toString(), asked[i]!.entry.spiffe_id);
        assert.ok(new X509Certificate(Buffer.from(chain[0]!)).checkPrivateKey(asked[i]!.privateKey as KeyObject));
      });
      assert.equal((await svidEvents()).length, events + 3);
      assert.ok((res.json.bundle as string[]).length >= 1);
    });

    it("refuses a bad entry with its own code and issues the good ones: a SPIFFE ID the bot may not have, a bad CSR", async () => {
      const [good1, forbidden, good2] = await Promise.all([newEntry(A), newEntry(FORBIDDEN), newEntry(B)]);
      const events = await svidEvents();
      const refusals = await listRefusals(h.runtime.store);
      const res = await batch([good1.entry, forbidden.entry, { csr: "not a csr", spiffe_id: A }, good2.entry]);
      assert.equal(res.status, 200, res.text);
      const results = res.json.results as Result[];
      assert.deepEqual(
        results.map((r) => r.error?.code ?? "ok"),
        ["ok", "ERR_SPIFFEID_NOT_ALLOWED", "ERR_CSR_INVALID", "ok"],
      );
      assert.deepEqual(
        results.map((r) => r.error?.status ?? 200),
        [200, 403, 400, 200],
      );
      const issued = newSince(events, await svidEvents());
      assert.deepEqual(issued.map((e) => e.spiffeId).sort(), [A, B]);
      assert.ok(!issued.some((e) => e.spiffeId === FORBIDDEN), "nothing issued for the forbidden SPIFFE ID");
      const written: AuditEvent[] = newSince(refusals, await listRefusals(h.runtime.store));
      assert.deepEqual(written.map((e) => e.detail?.code).sort(), ["ERR_CSR_INVALID", "ERR_SPIFFEID_NOT_ALLOWED"]);
      assert.ok(written.every((e) => e.botName === "batcher"));
    });

    it("refuses an entry that repeats an earlier entry's CSR, and signs that CSR once", async () => {
      const { entry } = await newEntry(A);
      const events = (await svidEvents()).length;
      const res = await batch([entry, { ...entry, spiffe_id: B }, entry]);
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(
        (res.json.results as Result[]).map((r) => r.error?.code ?? "ok"),
        ["ok", "ERR_BATCH_ENTRY_DUPLICATE", "ERR_BATCH_ENTRY_DUPLICATE"],
      );
      assert.equal((await svidEvents()).length, events + 1);
    });

    it("refuses a batch of more than 64 entries whole (400 ERR_BATCH_TOO_LARGE) before checking a credential, nothing issued", async () => {
      const { entry } = await newEntry(A);
      const entries = Array.from({ length: 65 }, () => entry);
      await expectRefusal(h.runtime.store, () => batch(entries), { status: 400, code: "ERR_BATCH_TOO_LARGE", audited: "svid_refused" });
    });

    it("refuses the whole batch for a bad credential, nothing issued and no entry tried", async () => {
      const { entry } = await newEntry(A);
      const [prefix, id, generation, secret] = credential.split(".");
      const forged = [prefix, id, generation, `${secret!.slice(0, -2)}AA`].join(".");
      const refusal = await expectRefusal(h.runtime.store, () => batch([entry], forged), {
        status: 401,
        code: "ERR_CREDENTIAL_INVALID",
        audited: "svid_refused",
        secrets: [forged, secret!],
      });
      assert.equal(refusal?.detail?.svid_type, "x509_batch");
      const missing = await call(h.url, "POST", "/v1/svids/x509/batch", { body: { entries: [entry] } });
      assert.equal(missing.status, 401, missing.text);
    });

    it("refuses an empty or malformed list (400 ERR_REQUEST_INVALID) and a body over 256 KiB (413), nothing issued", async () => {
      for (const entries of [[], "x", [null], [["csr"]]]) {
        await expectRefusal(h.runtime.store, () => batch(entries), { status: 400, code: "ERR_REQUEST_INVALID", audited: "svid_refused" });
      }
      const { entry } = await newEntry(A);
      const big = [{ ...entry, dns_names: ["x".repeat(300 * 1024)] }];
      await expectRefusal(h.runtime.store, () => batch(big), { status: 413, code: "ERR_BODY_TOO_LARGE" });
    });
  });
}
