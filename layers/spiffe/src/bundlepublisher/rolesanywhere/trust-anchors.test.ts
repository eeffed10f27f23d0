import {
  CreateTrustAnchorCommand,
  DeleteTrustAnchorCommand,
  GetTrustAnchorCommand,
  ListTagsForResourceCommand,
  ListTrustAnchorsCommand,
  UpdateTrustAnchorCommand,
} from "@aws-sdk/client-rolesanywhere";
import assert from "node:assert/strict";
import { before, beforeEach, describe, it } from "node:test";
import { marshalPemBundle, type Bundle } from "../../bundle/index.js";
import { mockRolesAnywhere, rolesAnywhereClient } from "../test/roles-anywhere-mock.js";
import { bundleOf, makeCaCertificate, recordingSleep } from "../test/fixtures.js";
import { PacedCaller } from "./paced-caller.js";
import { deleteTrustAnchor, ensureTrustAnchor, getTrustAnchor, type TrustAnchorCalls } from "./trust-anchors.js";

const ra = mockRolesAnywhere();
const client = rolesAnywhereClient();
const ID = "11111111-2222-4333-8444-555555555555";
const OTHER_ID = "99999999-2222-4333-8444-555555555555";
const arnOf = (id: string) => `arn:aws:rolesanywhere:us-east-1:111122223333:trust-anchor/${id}`;

function notFound(): Error {
  return Object.assign(new Error("not found"), { name: "ResourceNotFoundException", $metadata: { httpStatusCode: 404 } });
}

describe("trust anchors", () => {
  let bundle: Bundle;
  let calls: TrustAnchorCalls;
  before(async () => {
    bundle = bundleOf([await makeCaCertificate()]);
  });
  beforeEach(() => {
    ra.reset();
    calls = { client, caller: new PacedCaller({ minIntervalMs: 0, sleep: recordingSleep().sleep }) };
  });

  describe("ensureTrustAnchor", () => {
    it("creates the anchor, tagged with the trust domain, holding the bundle's CA", async () => {
      ra.on(ListTrustAnchorsCommand).resolves({
        trustAnchors: [{ name: "someone-else", trustAnchorId: OTHER_ID, trustAnchorArn: arnOf(OTHER_ID) }],
      });
      ra.on(CreateTrustAnchorCommand).resolves({
        trustAnchor: { trustAnchorId: ID, trustAnchorArn: arnOf(ID), name: "tessera-example-org" },
      });
      const result = await ensureTrustAnchor(calls, { name: "tessera-example-org", trustDomain: "example.org", bundle });
      assert.deepEqual(result, { trustAnchorId: ID, trustAnchorArn: arnOf(ID), created: true, updated: false });
      assert.deepEqual(
        ra.commandCalls(CreateTrustAnchorCommand).map((c) => c.args[0].input),
        [
          {
            name: "tessera-example-org",
            enabled: true,
            source: { sourceType: "CERTIFICATE_BUNDLE", sourceData: { x509CertificateData: marshalPemBundle(bundle) } },
            tags: [{ key: "tessera:trust-domain", value: "example.org" }],
          },
        ],
      );
      assert.equal(ra.commandCalls(ListTagsForResourceCommand).length, 0, "an anchor of another name is not looked at");
    });

    it("finds Tessera's anchor on a later page and leaves it alone when it holds the CA", async () => {
      ra.on(ListTrustAnchorsCommand)
        .resolvesOnce({ trustAnchors: [], nextToken: "page-2" })
        .resolves({ trustAnchors: [{ name: "tessera-example-org", trustAnchorId: ID, trustAnchorArn: arnOf(ID) }] });
      ra.on(ListTagsForResourceCommand).resolves({ tags: [{ key: "tessera:trust-domain", value: "example.org" }] });
      ra.on(GetTrustAnchorCommand).resolves({
        trustAnchor: {
          trustAnchorId: ID,
          source: { sourceType: "CERTIFICATE_BUNDLE", sourceData: { x509CertificateData: marshalPemBundle(bundle) } },
        },
      });
      const result = await ensureTrustAnchor(calls, { name: "tessera-example-org", trustDomain: "example.org", bundle });
      assert.deepEqual(result, { trustAnchorId: ID, trustAnchorArn: arnOf(ID), created: false, updated: false });
      assert.deepEqual(
        ra.commandCalls(ListTrustAnchorsCommand).map((c) => c.args[0].input),
        [{ pageSize: 50 }, { nextToken: "page-2", pageSize: 50 }],
      );
      assert.equal(ra.commandCalls(CreateTrustAnchorCommand).length, 0);
      assert.equal(ra.commandCalls(UpdateTrustAnchorCommand).length, 0);
    });

    it("brings a found anchor holding an older CA in line with the bundle", async () => {
      const older = bundleOf([await makeCaCertificate()]);
      ra.on(ListTrustAnchorsCommand).resolves({
        trustAnchors: [{ name: "tessera-example-org", trustAnchorId: ID, trustAnchorArn: arnOf(ID) }],
      });
      ra.on(ListTagsForResourceCommand).resolves({ tags: [{ key: "tessera:trust-domain", value: "example.org" }] });
      ra.on(GetTrustAnchorCommand).resolves({
        trustAnchor: {
          trustAnchorId: ID,
          source: { sourceType: "CERTIFICATE_BUNDLE", sourceData: { x509CertificateData: marshalPemBundle(older) } },
        },
      });
      ra.on(UpdateTrustAnchorCommand).resolves({});
      const result = await ensureTrustAnchor(calls, { name: "tessera-example-org", trustDomain: "example.org", bundle });
      assert.equal(result.updated, true);
      const sent = ra.commandCalls(UpdateTrustAnchorCommand).map((c) => c.args[0].input.source?.sourceData);
      assert.deepEqual(sent, [{ x509CertificateData: marshalPemBundle(bundle) }]);
    });

    it("refuses to adopt an anchor of the same name that Tessera did not tag", async () => {
      ra.on(ListTrustAnchorsCommand).resolves({
        trustAnchors: [{ name: "tessera-example-org", trustAnchorId: ID, trustAnchorArn: arnOf(ID) }],
      });
      ra.on(ListTagsForResourceCommand).resolves({ tags: [{ key: "tessera:trust-domain", value: "other.example" }] });
      await assert.rejects(ensureTrustAnchor(calls, { name: "tessera-example-org", trustDomain: "example.org", bundle }), {
        code: "ERR_BUNDLE_PUBLISH",
        message:
          "bundlepublisher: a trust anchor named tessera-example-org exists without the tessera:trust-domain=example.org tag; Tessera will not adopt it",
      });
      assert.equal(ra.commandCalls(CreateTrustAnchorCommand).length, 0);
      assert.equal(ra.commandCalls(UpdateTrustAnchorCommand).length, 0);
    });

    it("refuses a bundle the anchor cannot hold before calling anything", async () => {
      await assert.rejects(ensureTrustAnchor(calls, { name: "n", trustDomain: "example.org", bundle: bundleOf([]) }), {
        code: "ERR_TRUST_ANCHOR_LIMIT",
      });
      assert.equal(ra.calls().length, 0);
    });
  });

  describe("getTrustAnchor", () => {
    it("returns the anchor's id and ARN", async () => {
      ra.on(GetTrustAnchorCommand, { trustAnchorId: ID }).resolves({ trustAnchor: { trustAnchorId: ID, trustAnchorArn: arnOf(ID) } });
      assert.deepEqual(await getTrustAnchor(calls, ID), { trustAnchorId: ID, trustAnchorArn: arnOf(ID) });
    });

    it("returns undefined when there is none", async () => {
      ra.on(GetTrustAnchorCommand).rejects(notFound());
      assert.equal(await getTrustAnchor(calls, ID), undefined);
    });
  });

  describe("deleteTrustAnchor", () => {
    it("deletes the anchor", async () => {
      ra.on(DeleteTrustAnchorCommand).resolves({});
      assert.equal(await deleteTrustAnchor(calls, ID), true);
      assert.deepEqual(
        ra.commandCalls(DeleteTrustAnchorCommand).map((c) => c.args[0].input),
        [{ trustAnchorId: ID }],
      );
    });

    it("is done when the anchor is gone already", async () => {
      ra.on(DeleteTrustAnchorCommand).rejects(notFound());
      assert.equal(await deleteTrustAnchor(calls, ID), false);
    });
  });
});
