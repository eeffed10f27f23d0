import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { pathToFileURL } from "node:url";
import {
  EventStreamSerde,
  EventStreamsUnavailableError,
  eventStreamSerdeProvider,
  resolveEventStreamSerdeConfig,
} from "./event-streams.js";
import { bundleAsLambda, lazilyInitialized } from "./test/bundle-as-lambda.js";

const dir = mkdtempSync(join(tmpdir(), "tessera-event-streams-"));

describe("the Lambda bundle's event streams", () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("fail with their own error if one is ever read or written", () => {
    assert.throws(() => new EventStreamSerde(), EventStreamsUnavailableError);
    const config = resolveEventStreamSerdeConfig({ eventStreamSerdeProvider });
    assert.throws(() => (config.eventStreamMarshaller as { serialize(): unknown }).serialize(), EventStreamsUnavailableError);
  });

  it("leave an S3 client bundled with them working (HeadObject against the emulator), its SDK modules unwrapped", async () => {
    const entry = join(dir, "entry.ts");
    writeFileSync(
      entry,
      [
        'import { HeadObjectCommand, S3Client } from "@aws-sdk/client-s3";',
        "export const head = () => new S3Client({ forcePathStyle: true }).send(new HeadObjectCommand({ Bucket: 'tessera-missing', Key: 'k' }));",
      ].join("\n"),
    );
    const outfile = join(dir, "s3.mjs");
    // Only the small stand-ins are loaded lazily (the SDK's import()s); no SDK module is wrapped for them.
    assert.deepEqual(lazilyInitialized(await bundleAsLambda(entry, outfile)), ["init_node_http", "init_event_streams"]);
    const { head } = (await import(pathToFileURL(outfile).href)) as { head: () => Promise<unknown> };
    await assert.rejects(head(), (err: Error & { $metadata?: { httpStatusCode?: number } }) => {
      assert.equal(err.$metadata?.httpStatusCode, 404);
      return true;
    });
  });
});
