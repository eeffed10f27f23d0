import { startEmulator } from "../../scripts/emulator.mjs";

/** The AWS side a benchmark measures: moto (started here) unless `TESSERA_TEST_ENDPOINT=external`. */
export interface BenchAws {
  /** "moto", or the endpoint / "AWS" when an external one is used. */
  label: string;
  stop(): Promise<void>;
}

/**
 * Start moto on a free loopback port and point the AWS SDK at it (region and test credentials),
 * as `npm test` does; with `TESSERA_TEST_ENDPOINT=external` use whatever the environment names.
 */
export async function startBenchAws(): Promise<BenchAws> {
  if (process.env.TESSERA_TEST_ENDPOINT === "external") {
    return { label: process.env.AWS_ENDPOINT_URL ?? "AWS", stop: async () => {} };
  }
  const emulator = await startEmulator();
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: emulator.endpoint,
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "bench",
    AWS_SECRET_ACCESS_KEY: "bench",
  });
  return { label: "moto", stop: () => emulator.stop() };
}
