import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { createCaCertificate, encodeCertificatePem, parseCertificates } from "#tessera/core";
import { BundlePublishError, type CaJournal, requestCaRotation } from "#tessera/issuer";
import { createRotateHandler } from "./create-handler.js";
import { recordingPublisher, startTestRuntime, type TestRuntime } from "./test-support.js";

describe("rotate function", () => {
  let t: TestRuntime;
  beforeEach(async () => {
    t = await startTestRuntime();
  });
  afterEach(() => t.close());

  const handlerWith = (...publishers: ReturnType<typeof recordingPublisher>[]) => createRotateHandler({ ...t.runtime, publishers });

  it("makes the first CA and JWT key on an empty store and publishes the bundle holding them", async () => {
    const publisher = recordingPublisher("recorder");
    const result = await handlerWith(publisher)({ source: "aws.events" });

    const x509 = (await t.runtime.store.getJournal("x509")) as CaJournal;
    assert.ok(await t.runtime.store.getJournal("jwt"), "the JWT key's journal exists");
    assert.deepEqual(result, {
      created: { x509: true, jwt: true },
      steps: [],
      bundleSequence: 2,
      x509Authorities: 1,
      published: [{ publisher: "recorder", changed: true }],
    });
    const [bundle] = publisher.published;
    assert.equal(publisher.published.length, 1);
    assert.deepEqual(bundle!.x509Authorities, parseCertificates(x509.slots[0]!.certificatePem!));
    assert.equal(bundle!.jwtAuthorities.size, 1);
  });

  it("changes nothing on a later tick and hands the publishers the same bundle", async () => {
    const publisher = recordingPublisher("recorder");
    const handler = handlerWith(publisher);
    await handler({});
    const before = await t.runtime.store.getJournal("x509");
    const result = await handler({});
    assert.deepEqual(result.created, { x509: false, jwt: false });
    assert.equal(result.published[0]!.changed, false);
    assert.deepEqual(await t.runtime.store.getJournal("x509"), before);
    assert.equal(publisher.documents[1], publisher.documents[0]);
  });

  it("reads the journals afresh on every tick, so a CA added by another process is published", async () => {
    const publisher = recordingPublisher("recorder");
    const handler = handlerWith(publisher);
    await handler({});
    const journal = (await t.runtime.store.getJournal("x509")) as CaJournal;
    const key = await t.runtime.keys.generateKey("x509-ca-b", "ECC_NIST_P256");
    const now = t.clock.now();
    const certificate = await createCaCertificate({
      key,
      trustDomain: t.runtime.config.trustDomain,
      notBefore: now,
      notAfter: new Date(now.getTime() + 30 * 86_400_000),
    });
    const prepared = {
      ...journal.slots[0]!,
      slot: "b" as const,
      status: "prepared" as const,
      keyId: "x509-ca-b",
      certificatePem: encodeCertificatePem(certificate),
    };
    await t.runtime.store.putJournal(
      { ...journal, version: journal.version + 1, slots: [...journal.slots, prepared], bundleSequence: journal.bundleSequence + 1 },
      journal.version,
    );

    const result = await handler({});
    assert.equal(result.x509Authorities, 2);
    assert.equal(result.bundleSequence, 3);
    assert.equal(publisher.published[1]!.x509Authorities.length, 2);
  });

  it("on a manual rotation request prepares at once, then activates after six refresh hints and clears the request", async () => {
    const handler = handlerWith(recordingPublisher("recorder"));
    await handler({});
    await requestCaRotation(t.runtime.admin);
    t.clock.advance(60_000);
    const prepared = await handler({});
    assert.deepEqual(
      prepared.steps.map((s) => `${s.type} ${s.kind}`),
      ["prepare x509", "prepare jwt"],
    );
    t.clock.advance(6 * 300_000 - 1);
    assert.deepEqual((await handler({})).steps, [], "not before the new keys have been published six refresh hints");
    t.clock.advance(1);
    const activated = await handler({});
    assert.deepEqual(
      activated.steps.map((s) => `${s.type} ${s.kind} ${s.slot}`),
      ["activate x509 b", "activate jwt b"],
    );
    const journal = (await t.runtime.store.getJournal("x509")) as CaJournal;
    assert.equal(journal.rotationRequestedAt, undefined);
    assert.deepEqual(
      journal.slots.map((s) => s.status),
      ["old", "active"],
    );
  });

  it("on a batch of the table's stream records, runs the tick and publishes what the journal now holds", async () => {
    const publisher = recordingPublisher("recorder");
    const handler = handlerWith(publisher);
    await handler({});
    await requestCaRotation(t.runtime.admin);
    t.clock.advance(60_000);
    const records = [
      { eventSource: "aws:dynamodb", eventName: "MODIFY", dynamodb: { Keys: { pk: { S: "JOURNAL#x509" }, sk: { S: "JOURNAL" } } } },
    ];

    const result = await handler({ Records: records });

    assert.deepEqual(
      result.steps.map((s) => `${s.type} ${s.kind}`),
      ["prepare x509", "prepare jwt"],
    );
    assert.equal(publisher.published.at(-1)!.x509Authorities.length, 2, "the prepared CA is published");
    assert.ok(
      t.logger.lines.some((l) => l.message === "rotate: the store changed; publishing" && String(l.fields.partitions) === "JOURNAL#x509"),
    );
  });

  it("runs every publisher when one fails, then fails the tick with the publishing error", async () => {
    const failing = recordingPublisher("aws_s3", new Error("S3 is down"));
    const other = recordingPublisher("aws_rolesanywhere_trustanchor");
    await assert.rejects(handlerWith(failing, other)({}), (err: Error & { code?: string }) => {
      assert.ok(err instanceof BundlePublishError);
      assert.equal(err.message, "bundlepublisher: 1 of 2 publishers failed (aws_s3: S3 is down)");
      return true;
    });
    assert.equal(other.published.length, 1);
    const messages = t.logger.lines.map((l) => `${l.level} ${l.message}`);
    assert.ok(messages.includes("error rotate: publishing failed"));
    assert.ok(messages.includes("error rotate: tick failed"));
    assert.deepEqual(
      t.logger.lines.filter((l) => l.message === "rotate: tick failed").map((l) => l.fields.code),
      ["ERR_BUNDLE_PUBLISH"],
    );
  });

  it("logs a WARN when a tick that cannot publish finds the active keys past 90% of their life", async () => {
    await handlerWith(recordingPublisher("recorder"))({});
    const x509 = (await t.runtime.store.getJournal("x509")) as CaJournal;
    const active = x509.slots.find((s) => s.status === "active")!;
    const failing = recordingPublisher("aws_s3", new Error("S3 is down"));
    const warnings = () => t.logger.lines.filter((l) => l.level === "warn" && l.message.startsWith("rotate: the active"));

    t.clock.advance(active.notBefore + 0.9 * (active.notAfter - active.notBefore) - 1 - t.clock.now().getTime());
    await assert.rejects(handlerWith(failing)({}), BundlePublishError);
    assert.deepEqual(warnings(), [], "no warning before 90% of the life");

    t.clock.advance(1);
    await assert.rejects(handlerWith(failing)({}), BundlePublishError);
    assert.deepEqual(
      warnings().map((l) => [l.fields.kind, /\(slot a\) has lived 90% of its life and expires at /.test(l.message)]),
      [
        ["x509", true],
        ["jwt", true],
      ],
    );
  });

  it("refuses an emergency input of the wrong shape with ERR_REQUEST_INVALID naming the field, and rotates nothing", async () => {
    const handler = handlerWith(recordingPublisher("recorder"));
    await handler({});
    const before = [await t.runtime.store.getJournal("x509"), await t.runtime.store.getJournal("jwt")];
    for (const [emergency, message] of [
      [{ kind: 42 }, /^rotate: kind must be a string$/],
      [{ kind: "x509", reason: ["leaked"] }, /^rotate: reason must be a string$/],
      ["all", /^rotate: emergency must be an object$/],
      [{ kind: "constructor" }, /^admin: kind must be x509, jwt or all$/],
    ] as const) {
      await assert.rejects(handler({ emergency }), (err: Error & { code?: string }) => {
        assert.equal(err.code, "ERR_REQUEST_INVALID");
        assert.match(err.message, message);
        return true;
      });
    }
    assert.deepEqual([await t.runtime.store.getJournal("x509"), await t.runtime.store.getJournal("jwt")], before);
  });
});
