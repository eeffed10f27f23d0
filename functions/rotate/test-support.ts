// Test-only: a runtime on the embedded store and disk keys in a temporary directory, and a
// publisher that records what it is handed.
import { createCaptureLogger } from "../../test/support/capture-logger.js";
import { makeTempDir } from "../../test/support/temp-dir.js";
import { type Bundle, FixedClock, marshalSpiffeBundle } from "#tessera/core";
import { type BundlePublisher, loadConfig } from "#tessera/issuer";
import { type TesseraRuntime } from "#tessera/aws";
import { buildRuntime } from "#tessera/dev";

/** A runtime for example.org on a frozen clock, and its logger's lines. */
export interface TestRuntime {
  runtime: TesseraRuntime;
  logger: ReturnType<typeof createCaptureLogger>;
  clock: FixedClock;
  close(): Promise<void>;
}

/** Start a runtime with the embedded store and disk keys; `close` removes everything. */
export async function startTestRuntime(): Promise<TestRuntime> {
  const dir = await makeTempDir("rotate");
  const clock = new FixedClock(Date.UTC(2030, 0, 15, 12));
  const logger = createCaptureLogger();
  const config = loadConfig({
    TESSERA_TRUST_DOMAIN: "example.org",
    TESSERA_STORE: "embedded",
    TESSERA_KEY_MANAGER: "disk",
    TESSERA_DATA_DIR: dir.path,
    TESSERA_LOG_LEVEL: "ERROR",
  });
  const runtime = await buildRuntime(config, { clock, logger });
  return {
    runtime,
    logger,
    clock,
    close: async () => {
      await runtime.close();
      await dir.remove();
    },
  };
}

/** A publisher that keeps every bundle it gets (as SPIFFE JSON) and fails when told to. */
export function recordingPublisher(name: string, fail?: Error): BundlePublisher & { published: Bundle[]; documents: string[] } {
  const published: Bundle[] = [];
  const documents: string[] = [];
  return {
    name,
    published,
    documents,
    publishBundle: async (bundle) => {
      published.push(bundle);
      documents.push(marshalSpiffeBundle(bundle));
      if (fail) throw fail;
      return { changed: documents.length === 1 || documents.at(-1) !== documents.at(-2) };
    },
  };
}
