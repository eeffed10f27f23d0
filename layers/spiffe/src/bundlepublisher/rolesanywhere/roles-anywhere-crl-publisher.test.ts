import { GetTrustAnchorCommand, ImportCrlCommand, ListCrlsCommand, UpdateCrlCommand } from "@aws-sdk/client-rolesanywhere";
import assert from "node:assert/strict";
import { beforeEach, describe, it } from "node:test";
import { encodeCrlPem } from "../../crl/index.js";
import { mockRolesAnywhere, rolesAnywhereClient } from "../test/roles-anywhere-mock.js";
import { recordingSleep } from "../test/fixtures.js";
import { RolesAnywhereCrlPublisher } from "./roles-anywhere-crl-publisher.js";

const ANCHOR_ID = "0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d";
const ANCHOR_ARN = `arn:aws:rolesanywhere:us-east-1:111122223333:trust-anchor/${ANCHOR_ID}`;
const ra = mockRolesAnywhere();
const client = rolesAnywhereClient();
const CRL_A = { caId: "aa11", slotKeyId: "x509-ca-a", der: Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x01) };
const CRL_B = { caId: "bb22", slotKeyId: "x509-ca-b", der: Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x02) };

function throttled(): Error {
  return Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException", $metadata: { httpStatusCode: 429 } });
}

const pemBytes = (der: Uint8Array) => new TextEncoder().encode(encodeCrlPem(der));

describe("RolesAnywhereCrlPublisher", () => {
  beforeEach(() => {
    ra.reset();
    ra.on(GetTrustAnchorCommand).resolves({ trustAnchor: { trustAnchorId: ANCHOR_ID, trustAnchorArn: ANCHOR_ARN } });
  });
  const publisher = (sleep = recordingSleep().sleep) =>
    new RolesAnywhereCrlPublisher({ client, trustAnchorId: ANCHOR_ID, pacing: { minIntervalMs: 1000, sleep } });

  it("imports a CA's CRL the first time: PEM, enabled, named after the CA, for the trust anchor", async () => {
    ra.on(ListCrlsCommand).resolves({ crls: [] });
    ra.on(ImportCrlCommand).resolves({ crl: { crlId: "c-1" } });
    assert.deepEqual(await publisher().publishCrls([CRL_A]), { changed: true });
    const [call] = ra.commandCalls(ImportCrlCommand);
    const input = call!.args[0].input;
    assert.equal(input.name, "tessera-aa11");
    assert.equal(input.trustAnchorArn, ANCHOR_ARN);
    assert.equal(input.enabled, true);
    assert.deepEqual(input.tags, [{ key: "tessera:ca-id", value: "aa11" }]);
    assert.equal(new TextDecoder().decode(input.crlData), encodeCrlPem(CRL_A.der));
    assert.match(new TextDecoder().decode(input.crlData), /^-----BEGIN X509 CRL-----\n/);
    assert.equal(ra.commandCalls(UpdateCrlCommand).length, 0);
  });

  it("updates the imported CRL when it changed, and leaves one alone that Roles Anywhere holds already", async () => {
    ra.on(ListCrlsCommand).resolves({
      crls: [
        { crlId: "c-a", name: "tessera-aa11", trustAnchorArn: ANCHOR_ARN, crlData: pemBytes(Uint8Array.of(0x30, 0x00)) },
        { crlId: "c-b", name: "tessera-bb22", trustAnchorArn: ANCHOR_ARN, crlData: CRL_B.der },
        {
          crlId: "c-x",
          name: "tessera-aa11",
          trustAnchorArn: "arn:aws:rolesanywhere:us-east-1:111122223333:trust-anchor/other",
          crlData: CRL_A.der,
        },
      ],
    });
    ra.on(UpdateCrlCommand).resolves({ crl: { crlId: "c-a" } });
    const p = publisher();
    assert.deepEqual(await p.publishCrls([CRL_A, CRL_B]), { changed: true });
    assert.deepEqual(
      ra.commandCalls(UpdateCrlCommand).map((c) => ({ ...c.args[0].input, crlData: new TextDecoder().decode(c.args[0].input.crlData) })),
      [{ crlId: "c-a", crlData: encodeCrlPem(CRL_A.der) }],
    );
    assert.equal(ra.commandCalls(ImportCrlCommand).length, 0);
    ra.reset();
    ra.on(GetTrustAnchorCommand).rejects(new Error("the ARN is cached: not asked again"));
    ra.on(ListCrlsCommand).resolves({
      crls: [{ crlId: "c-a", name: "tessera-aa11", trustAnchorArn: ANCHOR_ARN, crlData: pemBytes(CRL_A.der) }],
    });
    assert.deepEqual(await p.publishCrls([CRL_A]), { changed: false });
    assert.equal(ra.commandCalls(UpdateCrlCommand).length + ra.commandCalls(ImportCrlCommand).length, 0);
  });

  it("refuses a CRL over Roles Anywhere's 300,000 bytes before calling ImportCrl", async () => {
    ra.on(ListCrlsCommand).resolves({ crls: [] });
    const huge = { caId: "cc33", slotKeyId: "x509-ca-a", der: new Uint8Array(230_000) };
    await assert.rejects(publisher().publishCrls([huge]), { code: "ERR_BUNDLE_PUBLISH", message: /over the 300000 Roles Anywhere takes/ });
    assert.equal(ra.commandCalls(ImportCrlCommand).length, 0);
  });

  it("follows ListCrls pages and calls nothing for no CRLs", async () => {
    ra.on(ListCrlsCommand)
      .resolvesOnce({ crls: [], nextToken: "t2" })
      .resolvesOnce({ crls: [{ crlId: "c-a", name: "tessera-aa11", trustAnchorArn: ANCHOR_ARN, crlData: pemBytes(CRL_A.der) }] });
    const p = publisher();
    assert.deepEqual(await p.publishCrls([CRL_A]), { changed: false });
    assert.deepEqual(
      ra.commandCalls(ListCrlsCommand).map((c) => c.args[0].input),
      [{}, { nextToken: "t2" }],
    );
    ra.reset();
    assert.deepEqual(await p.publishCrls([]), { changed: false });
    assert.equal(ra.calls().length, 0);
  });

  it("retries throttling with backoff, paced a second apart, and names the operation when it gives up", async () => {
    const { sleep, waits } = recordingSleep();
    ra.on(ListCrlsCommand).resolves({ crls: [] });
    ra.on(ImportCrlCommand)
      .rejectsOnce(throttled())
      .rejectsOnce(throttled())
      .resolves({ crl: { crlId: "c-1" } });
    assert.deepEqual(await publisher(sleep).publishCrls([CRL_A]), { changed: true });
    assert.equal(ra.commandCalls(ImportCrlCommand).length, 3);
    assert.ok(
      waits.some((ms) => ms >= 500),
      `a backoff after throttling: ${waits.join(", ")}`,
    );
    ra.reset();
    ra.on(GetTrustAnchorCommand).resolves({ trustAnchor: { trustAnchorId: ANCHOR_ID, trustAnchorArn: ANCHOR_ARN } });
    ra.on(ListCrlsCommand).resolves({ crls: [] });
    ra.on(ImportCrlCommand).rejects(
      Object.assign(new Error("bad CRL"), { name: "ValidationException", $metadata: { httpStatusCode: 400 } }),
    );
    await assert.rejects(publisher().publishCrls([CRL_A]), (err: Error & { code?: string }) => {
      assert.equal(err.code, "ERR_BUNDLE_PUBLISH");
      assert.match(err.message, /ImportCrl failed \(ValidationException: bad CRL\)/);
      return true;
    });
  });
});
