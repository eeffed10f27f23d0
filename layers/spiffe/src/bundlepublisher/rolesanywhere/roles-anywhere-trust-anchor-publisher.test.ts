import { GetTrustAnchorCommand, UpdateTrustAnchorCommand, type TrustAnchorDetail } from "@aws-sdk/client-rolesanywhere";
import assert from "node:assert/strict";
import { before, beforeEach, describe, it } from "node:test";
import { marshalPemBundle } from "../../bundle/index.js";
import { mockRolesAnywhere, rolesAnywhereClient } from "../test/roles-anywhere-mock.js";
import { bundleOf, makeCaCertificate, recordingSleep } from "../test/fixtures.js";
import { RolesAnywhereTrustAnchorPublisher } from "./roles-anywhere-trust-anchor-publisher.js";

const ANCHOR_ID = "0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d";
const ra = mockRolesAnywhere();
const client = rolesAnywhereClient();

function anchorHolding(pem: string, sourceType = "CERTIFICATE_BUNDLE"): { trustAnchor: TrustAnchorDetail } {
  return {
    trustAnchor: {
      trustAnchorId: ANCHOR_ID,
      trustAnchorArn: `arn:aws:rolesanywhere:us-east-1:111122223333:trust-anchor/${ANCHOR_ID}`,
      source: { sourceType: sourceType as never, sourceData: { x509CertificateData: pem } },
    },
  };
}

function throttled(): Error {
  return Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException", $metadata: { httpStatusCode: 429 } });
}

describe("RolesAnywhereTrustAnchorPublisher", () => {
  let first: Uint8Array;
  let second: Uint8Array;
  let third: Uint8Array;
  before(async () => {
    [first, second, third] = await Promise.all([makeCaCertificate(), makeCaCertificate(), makeCaCertificate()]);
  });
  beforeEach(() => ra.reset());

  const publisher = (sleep = recordingSleep().sleep) =>
    new RolesAnywhereTrustAnchorPublisher({ client, trustAnchorId: ANCHOR_ID, pacing: { minIntervalMs: 1000, sleep } });

  it("writes nothing when the anchor already holds exactly the bundle's CAs", async () => {
    const bundle = bundleOf([first, second]);
    const stored = marshalPemBundle(bundleOf([second, first])).replace(/\n/g, "\r\n");
    ra.on(GetTrustAnchorCommand).resolves(anchorHolding(stored));
    assert.deepEqual(await publisher().publishBundle(bundle), { changed: false });
    assert.deepEqual(
      ra.commandCalls(GetTrustAnchorCommand).map((c) => c.args[0].input),
      [{ trustAnchorId: ANCHOR_ID }],
    );
    assert.equal(ra.commandCalls(UpdateTrustAnchorCommand).length, 0);
  });

  it("puts the current one or two CA certificates in the anchor when they differ", async () => {
    const bundle = bundleOf([first, second], 7);
    ra.on(GetTrustAnchorCommand).resolves(anchorHolding(marshalPemBundle(bundleOf([first]))));
    ra.on(UpdateTrustAnchorCommand).resolves({});
    const { sleep, waits } = recordingSleep();
    assert.deepEqual(await publisher(sleep).publishBundle(bundle), { changed: true });
    const updates = ra.commandCalls(UpdateTrustAnchorCommand).map((c) => c.args[0].input);
    assert.deepEqual(updates, [
      {
        trustAnchorId: ANCHOR_ID,
        source: { sourceType: "CERTIFICATE_BUNDLE", sourceData: { x509CertificateData: marshalPemBundle(bundle) } },
      },
    ]);
    const sent = updates[0]!.source!.sourceData as { x509CertificateData: string };
    assert.equal(sent.x509CertificateData.match(/-----BEGIN CERTIFICATE-----/g)?.length, 2);
    assert.equal(waits.length, 1, "the update waits for the control plane's interval after the read");
    assert.ok(waits[0]! > 0 && waits[0]! <= 1000);
  });

  it("replaces a source that is not a certificate bundle", async () => {
    const bundle = bundleOf([first]);
    ra.on(GetTrustAnchorCommand).resolves(anchorHolding(marshalPemBundle(bundle), "AWS_ACM_PCA"));
    ra.on(UpdateTrustAnchorCommand).resolves({});
    assert.deepEqual(await publisher().publishBundle(bundle), { changed: true });
    assert.equal(ra.commandCalls(UpdateTrustAnchorCommand).length, 1);
  });

  it("refuses three CAs without calling Roles Anywhere", async () => {
    await assert.rejects(publisher().publishBundle(bundleOf([first, second, third])), { code: "ERR_TRUST_ANCHOR_LIMIT" });
    assert.equal(ra.calls().length, 0);
  });

  it("retries a throttled update with backoff", async () => {
    const bundle = bundleOf([second]);
    ra.on(GetTrustAnchorCommand).resolves(anchorHolding(marshalPemBundle(bundleOf([first]))));
    ra.on(UpdateTrustAnchorCommand).rejectsOnce(throttled()).resolves({});
    assert.deepEqual(await publisher().publishBundle(bundle), { changed: true });
    assert.equal(ra.commandCalls(UpdateTrustAnchorCommand).length, 2);
  });

  it("fails with a BundlePublishError when the anchor cannot be read", async () => {
    const denied = Object.assign(new Error("denied"), { name: "AccessDeniedException", $metadata: { httpStatusCode: 403 } });
    ra.on(GetTrustAnchorCommand).rejects(denied);
    await assert.rejects(publisher().publishBundle(bundleOf([first])), {
      code: "ERR_BUNDLE_PUBLISH",
      message: "bundlepublisher: Roles Anywhere GetTrustAnchor failed (AccessDeniedException: denied)",
    });
    assert.equal(ra.commandCalls(UpdateTrustAnchorCommand).length, 0);
  });

  it("needs a client and an anchor id", () => {
    assert.throws(() => new RolesAnywhereTrustAnchorPublisher({ client, trustAnchorId: "" }), TypeError);
    assert.throws(() => new RolesAnywhereTrustAnchorPublisher({ client: {} as never, trustAnchorId: ANCHOR_ID }), TypeError);
  });
});
