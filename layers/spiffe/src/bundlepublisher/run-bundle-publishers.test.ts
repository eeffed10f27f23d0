import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Bundle } from "../bundle/index.js";
import { createBundlePublishers } from "./create-bundle-publishers.js";
import { BundlePublishError } from "./errors.js";
import { RolesAnywhereTrustAnchorPublisher } from "./rolesanywhere/index.js";
import { runBundlePublishers } from "./run-bundle-publishers.js";
import { S3BundlePublisher } from "./s3/index.js";
import { bundleOf } from "./test/fixtures.js";
import type { BundlePublisher } from "./types.js";

function publisher(name: string, behaviour: "changed" | "unchanged" | Error, seen: string[]): BundlePublisher {
  return {
    name,
    publishBundle: async (bundle: Bundle) => {
      seen.push(`${name}@${bundle.sequence}`);
      if (behaviour instanceof Error) throw behaviour;
      return { changed: behaviour === "changed" };
    },
  };
}

describe("runBundlePublishers", () => {
  it("runs every publisher in order and reports each outcome", async () => {
    const seen: string[] = [];
    const report = await runBundlePublishers([publisher("a", "changed", seen), publisher("b", "unchanged", seen)], bundleOf([], 4));
    assert.deepEqual(seen, ["a@4", "b@4"]);
    assert.deepEqual(report, {
      outcomes: [
        { publisher: "a", changed: true },
        { publisher: "b", changed: false },
      ],
    });
  });

  it("keeps going after a failure and sums the failures up", async () => {
    const seen: string[] = [];
    const boom = new Error("boom");
    const report = await runBundlePublishers(
      [publisher("a", boom, seen), publisher("b", "changed", seen), publisher("c", new Error("bang"), seen)],
      bundleOf([], 2),
    );
    assert.deepEqual(seen, ["a@2", "b@2", "c@2"]);
    assert.deepEqual(
      report.outcomes.map((o) => ("error" in o ? `${o.publisher}: ${o.error.message}` : `${o.publisher}: ${o.changed}`)),
      ["a: boom", "b: true", "c: bang"],
    );
    assert.ok(report.failure instanceof BundlePublishError);
    assert.equal(report.failure.code, "ERR_BUNDLE_PUBLISH");
    assert.equal(report.failure.message, "bundlepublisher: 2 of 3 publishers failed (a: boom; c: bang)");
    assert.ok(report.failure.cause instanceof AggregateError);
  });

  it("has nothing to do without publishers", async () => {
    assert.deepEqual(await runBundlePublishers([], bundleOf([])), { outcomes: [] });
  });
});

describe("createBundlePublishers", () => {
  const fakeClient = { send: async () => ({}) };
  const make = (config: { bundleBucket?: string; trustAnchorId?: string }) =>
    createBundlePublishers({ ...config, awsEndpoints: {} }, { s3: fakeClient, rolesAnywhere: fakeClient });

  it("builds S3 then the trust anchor, as configured", () => {
    const publishers = make({ bundleBucket: "b", trustAnchorId: "0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d" });
    assert.deepEqual(
      publishers.map((p) => p.name),
      ["aws_s3", "aws_rolesanywhere_trustanchor"],
    );
    assert.ok(publishers[0] instanceof S3BundlePublisher);
    assert.ok(publishers[1] instanceof RolesAnywhereTrustAnchorPublisher);
  });

  it("builds only what is configured", () => {
    assert.deepEqual(
      make({ bundleBucket: "b" }).map((p) => p.name),
      ["aws_s3"],
    );
    assert.deepEqual(
      make({ trustAnchorId: "x" }).map((p) => p.name),
      ["aws_rolesanywhere_trustanchor"],
    );
    assert.deepEqual(make({}), []);
  });
});
