import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after } from "node:test";
import { EmbeddedStore } from "../store/embedded/index.js";
import { makeAwsEc2Fixture } from "./test/aws-ec2-fixture.js";
import { runJoinVerifierConformance } from "./test/conformance.js";
import { makeGcpFixture } from "./test/gcp-fixture.js";
import { makeOidcFixture } from "./test/oidc-fixture.js";

const dirs: string[] = [];
async function embeddedStore(): Promise<EmbeddedStore> {
  const dir = await mkdtemp(join(tmpdir(), "tessera-attestation-"));
  dirs.push(dir);
  return EmbeddedStore.open({ directory: join(dir, "data") });
}
after(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

runJoinVerifierConformance("OidcVerifier on EmbeddedStore", embeddedStore, makeOidcFixture);
runJoinVerifierConformance("GcpVerifier on EmbeddedStore", embeddedStore, makeGcpFixture);
runJoinVerifierConformance("AwsEc2Verifier on EmbeddedStore", embeddedStore, makeAwsEc2Fixture);
