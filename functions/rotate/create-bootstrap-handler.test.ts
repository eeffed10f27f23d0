import {
  CreateTrustAnchorCommand,
  DeleteTrustAnchorCommand,
  GetTrustAnchorCommand,
  ListTrustAnchorsCommand,
  UpdateTrustAnchorCommand,
} from "@aws-sdk/client-rolesanywhere";
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { marshalPemBundle } from "#tessera/core";
import type { CaJournal } from "#tessera/issuer";
import { createTrustAnchorCalls } from "#tessera/aws";
import { mockRolesAnywhere, rolesAnywhereClient } from "#tessera/test-support";
import { createBootstrapHandler, type BootstrapEvent } from "./create-bootstrap-handler.js";
import { recordingPublisher, startTestRuntime, type TestRuntime } from "./test-support.js";

const ra = mockRolesAnywhere();
const ID = "11111111-2222-4333-8444-555555555555";
const NEW_ID = "66666666-2222-4333-8444-555555555555";
const arnOf = (id: string) => `arn:aws:rolesanywhere:us-east-1:111122223333:trust-anchor/${id}`;
const PROPERTIES = {
  ServiceToken: "arn:aws:lambda:us-east-1:111122223333:function:provider",
  TrustDomain: "example.org",
  TrustAnchorName: "tessera-example-org",
};
const STALE_PEM = "-----BEGIN CERTIFICATE-----\nMIIBstale\n-----END CERTIFICATE-----\n";

function notFound(): Error {
  return Object.assign(new Error("not found"), { name: "ResourceNotFoundException", $metadata: { httpStatusCode: 404 } });
}

/** The Roles Anywhere commands sent, by name, in order. */
function commandsSent(): string[] {
  return ra.calls().map((call) => (call.args[0] as object).constructor.name);
}

describe("bootstrap custom resource", () => {
  let t: TestRuntime;
  let s3: ReturnType<typeof recordingPublisher>;
  beforeEach(async () => {
    ra.reset();
    t = await startTestRuntime();
    s3 = recordingPublisher("aws_s3");
  });
  afterEach(() => t.close());

  const handler = () =>
    createBootstrapHandler({
      ...t.runtime,
      publishers: [s3],
      trustAnchors: createTrustAnchorCalls({ client: rolesAnywhereClient(), pacing: { minIntervalMs: 0 } }),
    });

  /** Run a Create so the store has its first CA; returns that CA's PEM. */
  async function created(): Promise<string> {
    ra.on(ListTrustAnchorsCommand).resolves({ trustAnchors: [] });
    ra.on(CreateTrustAnchorCommand).resolves({ trustAnchor: { trustAnchorId: ID, trustAnchorArn: arnOf(ID) } });
    await handler()({ RequestType: "Create", ResourceProperties: PROPERTIES });
    ra.reset();
    const journal = (await t.runtime.store.getJournal("x509")) as CaJournal;
    return journal.slots[0]!.certificatePem!;
  }

  it("Create makes the first CA, creates the anchor holding exactly it, and publishes the bundle", async () => {
    ra.on(ListTrustAnchorsCommand).resolves({ trustAnchors: [] });
    ra.on(CreateTrustAnchorCommand).resolves({ trustAnchor: { trustAnchorId: ID, trustAnchorArn: arnOf(ID) } });
    assert.equal(await t.runtime.store.getJournal("x509"), undefined);

    const response = await handler()({ RequestType: "Create", ResourceProperties: PROPERTIES });

    assert.deepEqual(response, { PhysicalResourceId: ID, Data: { TrustAnchorId: ID, TrustAnchorArn: arnOf(ID) } });
    const journal = (await t.runtime.store.getJournal("x509")) as CaJournal;
    assert.ok(await t.runtime.store.getJournal("jwt"));
    const creates = ra.commandCalls(CreateTrustAnchorCommand).map((c) => c.args[0].input);
    assert.deepEqual(creates, [
      {
        name: "tessera-example-org",
        enabled: true,
        source: { sourceType: "CERTIFICATE_BUNDLE", sourceData: { x509CertificateData: journal.slots[0]!.certificatePem } },
        tags: [{ key: "tessera:trust-domain", value: "example.org" }],
      },
    ]);
    assert.equal(s3.published.length, 1);
    assert.equal(marshalPemBundle(s3.published[0]!), journal.slots[0]!.certificatePem);
    assert.deepEqual(commandsSent(), ["ListTrustAnchorsCommand", "CreateTrustAnchorCommand"]);
  });

  it("Update never writes certificates into the anchor, whatever the template carries", async () => {
    await created();
    ra.on(GetTrustAnchorCommand).resolves({
      trustAnchor: {
        trustAnchorId: ID,
        trustAnchorArn: arnOf(ID),
        source: { sourceType: "CERTIFICATE_BUNDLE", sourceData: { x509CertificateData: STALE_PEM } },
      },
    });
    const event: BootstrapEvent = {
      RequestType: "Update",
      PhysicalResourceId: ID,
      ResourceProperties: { ...PROPERTIES, X509CertificateData: STALE_PEM, Source: { SourceData: { X509CertificateData: STALE_PEM } } },
      OldResourceProperties: { ...PROPERTIES, X509CertificateData: STALE_PEM },
    };

    const response = await handler()(event);

    assert.deepEqual(response, { PhysicalResourceId: ID, Data: { TrustAnchorId: ID, TrustAnchorArn: arnOf(ID) } });
    assert.deepEqual(commandsSent(), ["GetTrustAnchorCommand"]);
    assert.equal(ra.commandCalls(UpdateTrustAnchorCommand).length, 0);
    assert.equal(ra.commandCalls(CreateTrustAnchorCommand).length, 0);
  });

  it("Update keeps the CA the store has (it never makes a new one)", async () => {
    await created();
    const before = await t.runtime.store.getJournal("x509");
    ra.on(GetTrustAnchorCommand).resolves({ trustAnchor: { trustAnchorId: ID, trustAnchorArn: arnOf(ID) } });
    await handler()({ RequestType: "Update", PhysicalResourceId: ID, ResourceProperties: PROPERTIES });
    assert.deepEqual(await t.runtime.store.getJournal("x509"), before);
  });

  it("Update re-creates an anchor deleted behind its back, from the store's CA", async () => {
    const pem = await created();
    ra.on(GetTrustAnchorCommand).rejects(notFound());
    ra.on(ListTrustAnchorsCommand).resolves({ trustAnchors: [] });
    ra.on(CreateTrustAnchorCommand).resolves({ trustAnchor: { trustAnchorId: NEW_ID, trustAnchorArn: arnOf(NEW_ID) } });

    const response = await handler()({
      RequestType: "Update",
      PhysicalResourceId: ID,
      ResourceProperties: { ...PROPERTIES, X509CertificateData: STALE_PEM },
    });

    assert.equal(response.PhysicalResourceId, NEW_ID);
    assert.deepEqual(
      ra.commandCalls(CreateTrustAnchorCommand).map((c) => c.args[0].input.source?.sourceData),
      [{ x509CertificateData: pem }],
    );
  });

  it("without a trust anchor name, makes the first CA and publishes, and calls no Roles Anywhere API", async () => {
    const properties = { ServiceToken: PROPERTIES.ServiceToken, TrustDomain: "example.org" };
    const response = await handler()({ RequestType: "Create", ResourceProperties: properties });
    assert.deepEqual(response, { PhysicalResourceId: "tessera-bootstrap:example.org" });
    assert.ok(await t.runtime.store.getJournal("x509"));
    assert.equal(s3.published.length, 1);
    assert.deepEqual(
      await handler()({ RequestType: "Update", PhysicalResourceId: response.PhysicalResourceId, ResourceProperties: properties }),
      response,
    );
    assert.deepEqual(
      await handler()({ RequestType: "Delete", PhysicalResourceId: response.PhysicalResourceId, ResourceProperties: properties }),
      response,
    );
    assert.deepEqual(commandsSent(), []);
  });

  it("Delete keeps the anchor under the retain policy", async () => {
    const response = await handler()({ RequestType: "Delete", PhysicalResourceId: ID, ResourceProperties: PROPERTIES });
    assert.deepEqual(response, { PhysicalResourceId: ID });
    assert.deepEqual(commandsSent(), []);
  });

  it("Delete deletes the anchor under the destroy policy, and never touches the CA", async () => {
    await created();
    const journal = await t.runtime.store.getJournal("x509");
    ra.on(DeleteTrustAnchorCommand).resolves({});
    await handler()({
      RequestType: "Delete",
      PhysicalResourceId: ID,
      ResourceProperties: { ...PROPERTIES, TrustAnchorRemovalPolicy: "destroy" },
    });
    assert.deepEqual(
      ra.commandCalls(DeleteTrustAnchorCommand).map((c) => c.args[0].input),
      [{ trustAnchorId: ID }],
    );
    assert.deepEqual(await t.runtime.store.getJournal("x509"), journal);
  });

  it("Delete after a failed Create (no anchor id) calls nothing", async () => {
    await handler()({
      RequestType: "Delete",
      PhysicalResourceId: "TesseraIssuer-TrustAnchor-1ABCDEF",
      ResourceProperties: { ...PROPERTIES, TrustAnchorRemovalPolicy: "destroy" },
    });
    assert.deepEqual(commandsSent(), []);
  });

  const refusals: [string, Record<string, unknown>, RegExp][] = [
    [
      "another trust domain",
      { TrustDomain: "other.example" },
      /^bootstrap: the resource is for trust domain other\.example, the function for example\.org$/,
    ],
    ["a bad anchor name", { TrustAnchorName: "no/slashes" }, /^bootstrap: TrustAnchorName must be/],
    [
      "an unknown removal policy",
      { TrustAnchorRemovalPolicy: "snapshot" },
      /^bootstrap: TrustAnchorRemovalPolicy must be retain or destroy$/,
    ],
  ];
  for (const [name, change, message] of refusals) {
    it(`refuses ${name} before making anything`, async () => {
      await assert.rejects(
        handler()({ RequestType: "Create", ResourceProperties: { ...PROPERTIES, ...change } as never }),
        (err: Error & { code?: string }) => err.code === "ERR_REQUEST_INVALID" && message.test(err.message),
      );
      assert.equal(await t.runtime.store.getJournal("x509"), undefined);
      assert.deepEqual(commandsSent(), []);
    });
  }

  it("fails a Create whose bundle could not be published, after creating the anchor", async () => {
    s3 = recordingPublisher("aws_s3", new Error("bucket gone"));
    ra.on(ListTrustAnchorsCommand).resolves({ trustAnchors: [] });
    ra.on(CreateTrustAnchorCommand).resolves({ trustAnchor: { trustAnchorId: ID, trustAnchorArn: arnOf(ID) } });
    await assert.rejects(handler()({ RequestType: "Create", ResourceProperties: PROPERTIES }), { code: "ERR_BUNDLE_PUBLISH" });
    assert.equal(ra.commandCalls(CreateTrustAnchorCommand).length, 1);
    assert.ok(t.logger.lines.some((l) => l.message === "bootstrap: request failed" && l.fields.code === "ERR_BUNDLE_PUBLISH"));
  });

  it("fails a Create whose trust anchor could not be made with a message naming the cause", async () => {
    ra.on(ListTrustAnchorsCommand).resolves({ trustAnchors: [] });
    ra.on(CreateTrustAnchorCommand).rejects(new Error("getaddrinfo ENOTFOUND rolesanywhere.us-east-1.amazonaws.com"));
    await assert.rejects(handler()({ RequestType: "Create", ResourceProperties: PROPERTIES }), {
      code: "ERR_BUNDLE_PUBLISH",
      message:
        "bundlepublisher: Roles Anywhere CreateTrustAnchor failed (Error: getaddrinfo ENOTFOUND rolesanywhere.us-east-1.amazonaws.com)",
    });
  });
});
