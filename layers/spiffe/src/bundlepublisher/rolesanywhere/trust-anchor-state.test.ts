import { GetTrustAnchorCommand, ListCrlsCommand } from "@aws-sdk/client-rolesanywhere";
import assert from "node:assert/strict";
import { before, beforeEach, describe, it } from "node:test";
import { marshalPemBundle, type Bundle } from "../../bundle/index.js";
import { caIdOf, encodeCrlPem } from "../../crl/index.js";
import { BundlePublishError } from "../errors.js";
import { bundleOf, makeCaCertificate, recordingSleep } from "../test/fixtures.js";
import { mockRolesAnywhere, rolesAnywhereClient } from "../test/roles-anywhere-mock.js";
import { PacedCaller } from "./paced-caller.js";
import { readTrustAnchorState } from "./trust-anchor-state.js";
import type { TrustAnchorCalls } from "./trust-anchors.js";

const ra = mockRolesAnywhere();
const client = rolesAnywhereClient();
const ID = "7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
const ARN = `arn:aws:rolesanywhere:us-east-1:111122223333:trust-anchor/${ID}`;
const OTHER_ARN = `arn:aws:rolesanywhere:us-east-1:111122223333:trust-anchor/other`;
const CRL = Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x07);
const OLDER_CRL = Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x06);
const UPDATED = new Date("2026-11-30T01:02:03Z");
const pemBytes = (der: Uint8Array) => new TextEncoder().encode(encodeCrlPem(der));

function anchorHolding(pem: string, extra: object = {}) {
  return {
    trustAnchor: {
      trustAnchorId: ID,
      trustAnchorArn: ARN,
      name: "tessera-example-org",
      enabled: true,
      source: { sourceType: "CERTIFICATE_BUNDLE", sourceData: { x509CertificateData: pem } },
      createdAt: new Date("2026-11-01T00:00:00Z"),
      updatedAt: UPDATED,
      ...extra,
    },
  };
}

describe("readTrustAnchorState", () => {
  let ca: Uint8Array;
  let next: Uint8Array;
  let bundle: Bundle;
  let calls: TrustAnchorCalls;
  before(async () => {
    ca = await makeCaCertificate();
    next = await makeCaCertificate();
    bundle = bundleOf([ca, next]);
  });
  beforeEach(() => {
    ra.reset();
    calls = { client, caller: new PacedCaller({ minIntervalMs: 0, sleep: recordingSleep().sleep }) };
  });

  it("says the anchor holds the bundle's CAs, and which CRLs are imported and current", async () => {
    ra.on(GetTrustAnchorCommand).resolves(anchorHolding(marshalPemBundle(bundleOf([next, ca]))));
    ra.on(ListCrlsCommand)
      .resolvesOnce({ crls: [{ name: `tessera-${caIdOf(ca)}`, trustAnchorArn: OTHER_ARN, crlData: pemBytes(CRL) }], nextToken: "p2" })
      .resolves({
        crls: [
          { crlId: "c-1", name: `tessera-${caIdOf(ca)}`, trustAnchorArn: ARN, enabled: true, updatedAt: UPDATED, crlData: pemBytes(CRL) },
        ],
      });
    const state = await readTrustAnchorState(calls, { trustAnchorId: ID, bundle, crls: [{ caId: caIdOf(ca), der: CRL }] });
    assert.deepEqual(state, {
      trustAnchorId: ID,
      found: true,
      trustAnchorArn: ARN,
      name: "tessera-example-org",
      enabled: true,
      sourceType: "CERTIFICATE_BUNDLE",
      certificates: 2,
      matchesBundle: true,
      createdAt: new Date("2026-11-01T00:00:00Z"),
      updatedAt: UPDATED,
      crls: [
        { caId: caIdOf(ca), name: `tessera-${caIdOf(ca)}`, imported: true, enabled: true, updatedAt: UPDATED, current: true },
        { caId: caIdOf(next), name: `tessera-${caIdOf(next)}`, imported: false },
      ],
    });
    assert.deepEqual(
      ra.commandCalls(ListCrlsCommand).map((c) => c.args[0].input),
      [{}, { nextToken: "p2" }],
    );
  });

  it("says when the anchor holds other CAs, is disabled, or holds an older CRL", async () => {
    ra.on(GetTrustAnchorCommand).resolves(anchorHolding(marshalPemBundle(bundleOf([ca])), { enabled: false }));
    ra.on(ListCrlsCommand).resolves({
      crls: [{ crlId: "c-1", name: `tessera-${caIdOf(ca)}`, trustAnchorArn: ARN, enabled: false, crlData: pemBytes(OLDER_CRL) }],
    });
    const state = await readTrustAnchorState(calls, { trustAnchorId: ID, bundle, crls: [{ caId: caIdOf(ca), der: CRL }] });
    assert.deepEqual([state.enabled, state.certificates, state.matchesBundle], [false, 1, false]);
    assert.deepEqual(state.crls?.[0], { caId: caIdOf(ca), name: `tessera-${caIdOf(ca)}`, imported: true, enabled: false, current: false });
  });

  it("does not take an anchor of another source type for the bundle", async () => {
    ra.on(GetTrustAnchorCommand).resolves({
      trustAnchor: {
        trustAnchorId: ID,
        trustAnchorArn: ARN,
        source: { sourceType: "AWS_ACM_PCA", sourceData: { acmPcaArn: "arn:aws:acm-pca:x" } },
      },
    });
    ra.on(ListCrlsCommand).resolves({ crls: [] });
    const state = await readTrustAnchorState(calls, { trustAnchorId: ID, bundle, crls: [] });
    assert.deepEqual([state.sourceType, state.certificates, state.matchesBundle], ["AWS_ACM_PCA", 0, false]);
  });

  it("says why a bundle no trust anchor can hold is not matched", async () => {
    const three = bundleOf([ca, next, await makeCaCertificate()]);
    ra.on(GetTrustAnchorCommand).resolves(anchorHolding(marshalPemBundle(bundleOf([ca, next]))));
    ra.on(ListCrlsCommand).resolves({ crls: [] });
    const state = await readTrustAnchorState(calls, { trustAnchorId: ID, bundle: three, crls: [] });
    assert.equal(state.matchesBundle, false);
    assert.match(state.bundleUnfit ?? "", /3 X\.509 authorities/);
    assert.equal(state.crls?.length, 3);
  });

  it("answers found: false for an anchor Roles Anywhere does not have, and throws on any other failure", async () => {
    ra.on(GetTrustAnchorCommand).rejects(
      Object.assign(new Error("no such anchor"), { name: "ResourceNotFoundException", $metadata: { httpStatusCode: 404 } }),
    );
    assert.deepEqual(await readTrustAnchorState(calls, { trustAnchorId: ID, bundle, crls: [] }), { trustAnchorId: ID, found: false });
    assert.equal(ra.commandCalls(ListCrlsCommand).length, 0);
    ra.reset();
    ra.on(GetTrustAnchorCommand).rejects(
      Object.assign(new Error("not authorized to perform rolesanywhere:GetTrustAnchor"), {
        name: "AccessDeniedException",
        $metadata: { httpStatusCode: 403 },
      }),
    );
    await assert.rejects(
      readTrustAnchorState(calls, { trustAnchorId: ID, bundle, crls: [] }),
      (err: unknown) => err instanceof BundlePublishError && /AccessDeniedException/.test(err.message),
    );
  });
});
