// The CA page's Roles Anywhere state (`GET /v1/admin/ca/trust-anchor`) through the real admin
// routes: not configured in the embedded default; read from Roles Anywhere (mocked: moto has no
// Roles Anywhere) where a trust anchor is configured, including when it cannot be read.
import { GetTrustAnchorCommand, ListCrlsCommand } from "@aws-sdk/client-rolesanywhere";
import assert from "node:assert/strict";
import { after, afterEach, before, describe, it } from "node:test";
import { caIdOf, marshalPemBundle } from "#tessera/core";
import { TRUST_ANCHOR_READ_TTL_MS } from "#tessera/issuer";
import { mockRolesAnywhere, rolesAnywhereClient } from "#tessera/test-support";
import { runCli } from "../../cli/main.js";
import { makeTempDir } from "../support/temp-dir.js";
import { ADMIN_TOKEN, call, startIssuer, type IssuerHarness } from "../support/issuer-harness.js";

const ID = "5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b";
const ARN = `arn:aws:rolesanywhere:eu-west-1:111122223333:trust-anchor/${ID}`;
const ra = mockRolesAnywhere();

describe("the CA page's Roles Anywhere trust anchor state", () => {
  const dirs: Awaited<ReturnType<typeof makeTempDir>>[] = [];
  const harnesses: IssuerHarness[] = [];
  async function issuer(env: Record<string, string> = {}): Promise<IssuerHarness> {
    const dir = await makeTempDir("admin-trust-anchor");
    dirs.push(dir);
    const h = await startIssuer(
      { TESSERA_STORE: "embedded", TESSERA_KEY_MANAGER: "disk", TESSERA_DATA_DIR: dir.path, ...env },
      { rolesAnywhere: rolesAnywhereClient() },
    );
    harnesses.push(h);
    return h;
  }
  const get = (h: IssuerHarness) => call(h.url, "GET", "/v1/admin/ca/trust-anchor", { admin: true });
  const caStatus = async (h: IssuerHarness, ...flags: string[]) => {
    let out = "";
    let err = "";
    const io = { out: (t: string) => (out += `${t}\n`), err: (t: string) => (err += `${t}\n`), env: {} };
    const code = await runCli(["ca", "status", ...flags, "--issuer", h.url, "--admin-token", ADMIN_TOKEN], io);
    assert.equal(code, 0, err);
    return out;
  };
  const anchorHolding = (pem: string) => ({
    trustAnchor: {
      trustAnchorId: ID,
      trustAnchorArn: ARN,
      name: "tessera-example-org",
      enabled: true,
      source: { sourceType: "CERTIFICATE_BUNDLE" as const, sourceData: { x509CertificateData: pem } },
      updatedAt: new Date("2026-11-30T04:00:00Z"),
    },
  });

  before(() => ra.reset());
  afterEach(() => ra.reset());
  after(async () => {
    for (const h of harnesses) await h.close();
    for (const dir of dirs) await dir.remove();
  });

  it("says it is not configured in the embedded default, and calls no AWS", async () => {
    const answer = await get(await issuer());
    assert.equal(answer.status, 200, answer.text);
    assert.deepEqual(answer.json, { configured: false });
    assert.equal(ra.calls().length, 0);
  });

  it("reads the configured anchor: ARN, enabled, whether it holds the published bundle, last update, CRLs", async () => {
    const h = await issuer({ TESSERA_TRUST_ANCHOR_ID: ID });
    const bundle = await h.runtime.authorities.bundle();
    const caId = caIdOf(bundle.x509Authorities[0] as Uint8Array);
    ra.on(GetTrustAnchorCommand, { trustAnchorId: ID }).resolves({
      trustAnchor: {
        trustAnchorId: ID,
        trustAnchorArn: ARN,
        name: "tessera-example-org",
        enabled: true,
        source: { sourceType: "CERTIFICATE_BUNDLE", sourceData: { x509CertificateData: marshalPemBundle(bundle) } },
        updatedAt: new Date("2026-11-30T04:00:00Z"),
      },
    });
    ra.on(ListCrlsCommand).resolves({ crls: [] });
    const answer = await get(h);
    assert.equal(answer.status, 200, answer.text);
    assert.deepEqual(answer.json, {
      configured: true,
      trust_anchor_id: ID,
      found: true,
      trust_anchor_arn: ARN,
      name: "tessera-example-org",
      enabled: true,
      source_type: "CERTIFICATE_BUNDLE",
      certificates: 1,
      matches_bundle: true,
      updated_at: "2026-11-30T04:00:00.000Z",
      crls: [{ ca_id: caId, name: `tessera-${caId}`, imported: false }],
    });
  });

  it("reports an anchor Roles Anywhere cannot be read for in the answer, not as a 5xx", async () => {
    const h = await issuer({ TESSERA_TRUST_ANCHOR_ID: ID });
    ra.on(GetTrustAnchorCommand).rejects(
      Object.assign(new Error("not authorized to perform: rolesanywhere:GetTrustAnchor"), {
        name: "AccessDeniedException",
        $metadata: { httpStatusCode: 403 },
      }),
    );
    const answer = await get(h);
    assert.equal(answer.status, 200, answer.text);
    assert.equal(answer.json.configured, true);
    assert.equal(answer.json.trust_anchor_id, ID);
    assert.match(String(answer.json.error), /GetTrustAnchor failed \(AccessDeniedException/);
  });

  it("`tessera ca status` says no trust anchor is configured on the embedded issuer", async () => {
    const out = await caStatus(await issuer());
    assert.match(out, /^Roles Anywhere trust anchor: not configured/m);
    assert.match(out, /^KIND +SLOT/m, "the CA status is still shown");
    assert.equal(ra.calls().length, 0);
  });

  it("`tessera ca status` shows the anchor: ARN and name, enabled, that it holds exactly the published CAs, each CA's CRL", async () => {
    const h = await issuer({ TESSERA_TRUST_ANCHOR_ID: ID });
    const bundle = await h.runtime.authorities.bundle();
    const caId = caIdOf(bundle.x509Authorities[0] as Uint8Array);
    ra.on(GetTrustAnchorCommand, { trustAnchorId: ID }).resolves(anchorHolding(marshalPemBundle(bundle)));
    ra.on(ListCrlsCommand).resolves({ crls: [] });
    const out = await caStatus(h);
    assert.match(out, new RegExp(`^ {2}anchor: +${ARN} \\(tessera-example-org\\)$`, "m"));
    assert.match(out, /^ {2}enabled: +yes$/m);
    assert.match(out, /^ {2}source: +CERTIFICATE_BUNDLE, 1 CA certificate\(s\)$/m);
    assert.match(out, /^ {2}holds exactly the published CAs: yes$/m);
    assert.match(out, new RegExp(`^${caId} +not imported$`, "m"));
    const json = JSON.parse(await caStatus(h, "-o", "json")) as { trustDomain: string; trustAnchor: Record<string, unknown> };
    assert.equal(json.trustAnchor.trust_anchor_arn, ARN);
    assert.equal(json.trustAnchor.matches_bundle, true);
  });

  it("`tessera ca status` says so when the anchor holds another CA, and shows a disabled CRL", async () => {
    const other = await (await issuer()).runtime.authorities.bundle();
    const h = await issuer({ TESSERA_TRUST_ANCHOR_ID: ID });
    const caId = caIdOf((await h.runtime.authorities.bundle()).x509Authorities[0] as Uint8Array);
    ra.on(GetTrustAnchorCommand, { trustAnchorId: ID }).resolves(anchorHolding(marshalPemBundle(other)));
    ra.on(ListCrlsCommand).resolves({
      crls: [{ name: `tessera-${caId}`, trustAnchorArn: ARN, enabled: false, updatedAt: new Date("2026-11-30T05:00:00Z") }],
    });
    const out = await caStatus(h);
    assert.match(out, /^ {2}holds exactly the published CAs: no$/m);
    assert.match(out, new RegExp(`^${caId} +imported \\(no CRL signed yet\\) \\(disabled\\), updated 2026-11-30T05:00:00.000Z$`, "m"));
  });

  it("`tessera ca status` shows Roles Anywhere's refusal instead of failing", async () => {
    const h = await issuer({ TESSERA_TRUST_ANCHOR_ID: ID });
    ra.on(GetTrustAnchorCommand).rejects(
      Object.assign(new Error("not authorized to perform: rolesanywhere:GetTrustAnchor"), { name: "AccessDeniedException" }),
    );
    const out = await caStatus(h);
    assert.match(
      out,
      new RegExp(`^Roles Anywhere trust anchor: ${ID} could not be read: .*GetTrustAnchor failed \\(AccessDeniedException`, "m"),
    );
  });

  it("reads Roles Anywhere once for the reads within the cache window, and again after it", async () => {
    const h = await issuer({ TESSERA_TRUST_ANCHOR_ID: ID });
    ra.on(GetTrustAnchorCommand, { trustAnchorId: ID }).resolves(anchorHolding(marshalPemBundle(await h.runtime.authorities.bundle())));
    ra.on(ListCrlsCommand).resolves({ crls: [] });
    const reads = () => [ra.commandCalls(GetTrustAnchorCommand).length, ra.commandCalls(ListCrlsCommand).length];
    const [first, second] = await Promise.all([get(h), get(h)]);
    assert.equal(first.json.matches_bundle, true, first.text);
    assert.deepEqual(second.json, first.json);
    h.clock.advance(TRUST_ANCHOR_READ_TTL_MS - 1);
    assert.deepEqual((await get(h)).json, first.json);
    assert.deepEqual(reads(), [1, 1], "one GetTrustAnchor and one ListCrls for three reads within the window");
    h.clock.advance(1);
    assert.deepEqual((await get(h)).json, first.json);
    assert.deepEqual(reads(), [2, 2], "a read after the window asks Roles Anywhere again");
  });

  it("does not keep a failed Roles Anywhere read: the next read asks again", async () => {
    const h = await issuer({ TESSERA_TRUST_ANCHOR_ID: ID });
    ra.on(GetTrustAnchorCommand)
      .rejectsOnce(Object.assign(new Error("rate exceeded"), { name: "AccessDeniedException" }))
      .resolves(anchorHolding(marshalPemBundle(await h.runtime.authorities.bundle())));
    ra.on(ListCrlsCommand).resolves({ crls: [] });
    assert.match(String((await get(h)).json.error), /AccessDeniedException/);
    assert.equal((await get(h)).json.matches_bundle, true);
    assert.equal(ra.commandCalls(GetTrustAnchorCommand).length, 2);
  });
});
