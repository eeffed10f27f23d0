/**
 * Test support (`#tessera/test-support`): the conformance suites that every store, key manager and
 * join verifier runs, and the fixtures tests share (a local OIDC issuer, GCP, OIDC and EC2 proofs,
 * test signing keys, a Roles Anywhere mock). Tests and benchmarks only: production code may not
 * import it (eslint.config.js).
 */
export {
  EC2_ACCOUNT,
  EC2_REGION,
  identityDocument,
  makeAwsEc2Fixture,
  OpensslWorkdir,
  type FakeAwsSigner,
} from "./src/attestation/test/aws-ec2-fixture.js";
export { runJoinVerifierConformance, type RefusedProof, type VerifierFixture } from "./src/attestation/test/conformance.js";
export { GCP_AUDIENCE, gceClaims, makeGcpFixture, startGoogle } from "./src/attestation/test/gcp-fixture.js";
export { LocalIssuer, type LocalAlgorithm } from "./src/attestation/test/local-issuer.js";
export { githubClaims, githubRule, makeOidcFixture, OIDC_AUDIENCE } from "./src/attestation/test/oidc-fixture.js";
export { bundleOf, makeCaCertificate, makeLargeCaCertificate, recordingSleep, TRUST_DOMAIN } from "./src/bundlepublisher/test/fixtures.js";
export { mockRolesAnywhere, rolesAnywhereClient, type RolesAnywhereMock } from "./src/bundlepublisher/test/roles-anywhere-mock.js";
export { runKeyManagerConformance, type KeyManagerConformanceOptions } from "./src/keymanager/test/conformance.js";
export { legacyBotId } from "./src/store/record-rules.js";
export { runStoreConformance } from "./src/store/test/conformance.js";
export { createTestSigningKey, opensslCsr, runOpenssl, TestSigningKey, type OpensslResult } from "./src/x509svid/test-support.js";
