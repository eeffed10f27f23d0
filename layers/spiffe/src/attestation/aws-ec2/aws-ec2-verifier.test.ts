import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import { FixedClock } from "../../clock.js";
import { statusForCode } from "../../http/status-table.js";
import { EmbeddedStore } from "../../store/embedded/index.js";
import type { JoinRule } from "../../store/types.js";
import {
  EC2_ACCOUNT,
  OpensslWorkdir,
  flipByte,
  identityDocument,
  rewriteContent,
  verifierTrusting,
  type FakeAwsSigner,
} from "../test/aws-ec2-fixture.js";
import type { AttestationContext, JoinProof } from "../types.js";
import { AwsEc2Verifier } from "./aws-ec2-verifier.js";
import { createRegionKeys } from "./region-certificates.js";

// A document AWS itself signed (us-west-2, 2021), as published in Teleport's EC2 join tests: it
// proves the parser reads EC2's real BER encoding and that the shipped us-west-2 certificate is AWS's.
const AWS_SIGNED = `MIAGCSqGSIb3DQEHAqCAMIACAQExDzANBglghkgBZQMEAgEFADCABgkqhkiG9w0BBwGggCSABIIB
23sKICAiYWNjb3VudElkIiA6ICIyNzg1NzYyMjA0NTMiLAogICJhcmNoaXRlY3R1cmUiIDogIng4
Nl82NCIsCiAgImF2YWlsYWJpbGl0eVpvbmUiIDogInVzLXdlc3QtMmEiLAogICJiaWxsaW5nUHJv
ZHVjdHMiIDogbnVsbCwKICAiZGV2cGF5UHJvZHVjdENvZGVzIiA6IG51bGwsCiAgIm1hcmtldHBs
YWNlUHJvZHVjdENvZGVzIiA6IG51bGwsCiAgImltYWdlSWQiIDogImFtaS0wZmE5ZTFmNjQxNDJj
ZGUxNyIsCiAgImluc3RhbmNlSWQiIDogImktMDc4NTE3Y2E4YTcwYTFkZGUiLAogICJpbnN0YW5j
ZVR5cGUiIDogInQyLm1lZGl1bSIsCiAgImtlcm5lbElkIiA6IG51bGwsCiAgInBlbmRpbmdUaW1l
IiA6ICIyMDIxLTA5LTAzVDIxOjI1OjQ0WiIsCiAgInByaXZhdGVJcCIgOiAiMTAuMC4wLjIwOSIs
CiAgInJhbWRpc2tJZCIgOiBudWxsLAogICJyZWdpb24iIDogInVzLXdlc3QtMiIsCiAgInZlcnNp
b24iIDogIjIwMTctMDktMzAiCn0AAAAAAAAxggIvMIICKwIBATBpMFwxCzAJBgNVBAYTAlVTMRkw
FwYDVQQIExBXYXNoaW5ndG9uIFN0YXRlMRAwDgYDVQQHEwdTZWF0dGxlMSAwHgYDVQQKExdBbWF6
b24gV2ViIFNlcnZpY2VzIExMQwIJALZL3lrQCSTMMA0GCWCGSAFlAwQCAQUAoIGYMBgGCSqGSIb3
DQEJAzELBgkqhkiG9w0BBwEwHAYJKoZIhvcNAQkFMQ8XDTIxMDkwMzIxMjU0N1owLQYJKoZIhvcN
AQk0MSAwHjANBglghkgBZQMEAgEFAKENBgkqhkiG9w0BAQsFADAvBgkqhkiG9w0BCQQxIgQgCH2d
JiKmdx9uhxlm8ObWAvFOhqJb7k79+DW/T3ezwVUwDQYJKoZIhvcNAQELBQAEggEANWautigs/qZ6
w8g5/EfWsAFj8kHgUD+xqsQ1HDrBUx3IQ498NMBZ78379B8RBfuzeVjbaf+yugov0fYrDbGvSRRw
myy49TfZ9gdlpWQXzwSg3OPMDNToRoKw00/LQjSxcTCaPP4vMDEIjYMUqZ3i4uWYJJJ0Lb7fDMDk
Anu7yHolVfbnvIAuZe8lGpc7ofCSBG5wulm+/pqzO25YPMH1cLEvOadE+3N2GxK6gRTLJoE98rsm
LDp6OuU/b2QfaxU0ec6OogdtSJto/URI0/ygHmNAzBis470A29yh5nVwm6AkY4krjPsK7uiBIRhs
lr5x0X6+ggQfF2BKAJ/BRcAHNgAAAAAAAA==`;

describe("AwsEc2Verifier", () => {
  let work: OpensslWorkdir;
  let aws: FakeAwsSigner;
  let dir: string;
  let store: EmbeddedStore;
  const clock = new FixedClock(Date.now());
  const now = clock.now().getTime();
  const context = (): AttestationContext => ({ clock, replay: store });
  let verifier: AwsEc2Verifier;
  let rules: JoinRule[];
  const doc = (overrides: Record<string, unknown> = {}, age = 60) => identityDocument(overrides, age, now);
  const attest = (proof: JoinProof, with_: JoinRule[] = rules) => verifier.attest(proof, with_, context());
  const refused = async (proof: JoinProof, code: string, message: RegExp, with_?: JoinRule[]) =>
    assert.rejects(attest(proof, with_), (err: { code?: string; message?: string }) => {
      assert.equal(err.code, code, String(err));
      assert.match(err.message ?? "", message);
      return true;
    });

  before(async () => {
    work = new OpensslWorkdir();
    aws = work.newSigner("us-west-2");
    dir = await mkdtemp(join(tmpdir(), "tessera-ec2-verifier-"));
    store = await EmbeddedStore.open({ directory: join(dir, "data") });
    verifier = verifierTrusting(aws);
    rules = [await verifier.validateRule({ method: "aws_ec2", claims: { account: EC2_ACCOUNT } })];
  });
  after(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
    work.remove();
  });

  it("verifies a document AWS signed with the shipped us-west-2 certificate, and reads EC2's BER", async () => {
    const real = new AwsEc2Verifier({ regionKeys: createRegionKeys() });
    const realRules = [await real.validateRule({ method: "aws_ec2", claims: { account: "278576220453", region: "us-west-2" } })];
    const at = { clock: new FixedClock(Date.parse("2021-09-03T21:27:00Z")), replay: store };
    const attestation = await real.attest({ token: AWS_SIGNED }, realRules, at);
    assert.deepEqual(attestation.attributes, {
      account: "278576220453",
      region: "us-west-2",
      instance_id: "i-078517ca8a70a1dde",
      ami_id: "ami-0fa9e1f64142cde17",
      instance_type: "t2.medium",
      availability_zone: "us-west-2a",
      architecture: "x86_64",
    });
    // The same bytes under a test certificate for us-west-2 are "signed by another certificate".
    await assert.rejects(verifierTrusting(aws).attest({ token: AWS_SIGNED }, realRules, at), { code: "ERR_JOIN_PROOF_INVALID" });
  });

  it("joins with the document sent beside the signature when it is the signed bytes, and with a detached signature", async () => {
    const text = doc();
    assert.equal((await attest({ token: work.sign(text, aws), document: text })).attributes.account, EC2_ACCOUNT);
    const detached = doc();
    assert.equal(
      (await attest({ token: work.sign(detached, aws, { detached: true }), document: detached })).attributes.account,
      EC2_ACCOUNT,
    );
  });

  it("refuses a document beside the signature that differs from the signed content, even by whitespace (SPIRE 1.14.6)", async () => {
    const signedFor = doc({ accountId: "210987654321" });
    const sentBeside = doc({ instanceId: "i-0aaaaaaaaaaaaaaaa" });
    const token = work.sign(signedFor, aws);
    await refused({ token, document: sentBeside }, "ERR_JOIN_PROOF_INVALID", /differs from the document the signature covers/);
    await refused({ token, document: `${signedFor}\n` }, "ERR_JOIN_PROOF_INVALID", /differs/);
    // The signed content alone decides: its account matches no rule, whatever the document beside says.
    await refused({ token }, "ERR_JOIN_RULE_MISMATCH", /none of the bot's aws_ec2 rules/);
  });

  it("refuses each attack with its code and reason", async () => {
    const stranger = work.newSigner("stranger");
    const signed = work.sign(doc({ instanceId: "i-0123456789abcdef0" }), aws);
    const detachedText = doc();
    const cases: [string, JoinProof, RegExp][] = [
      [
        "tampered content",
        { token: rewriteContent(signed, "i-0123456789abcdef0", "i-0123456789abcdef1") },
        /message digest is not the content's/,
      ],
      ["tampered signature", { token: flipByte(signed, 3) }, /signature does not verify/],
      ["another signer", { token: work.sign(doc(), stranger) }, /signature does not verify/],
      [
        "tampered detached document",
        { token: work.sign(detachedText, aws, { detached: true }), document: detachedText.replace("t3.medium", "t3.xlarge") },
        /message digest/,
      ],
      [
        "unknown Region",
        { token: work.sign(doc({ region: "xx-nowhere-1" }), aws) },
        /no AWS certificate is configured for Region xx-nowhere-1/,
      ],
      ["outside the window", { token: work.sign(doc({}, 361), aws) }, /older than the bot's max_join_age/],
      ["pendingTime in the future", { token: work.sign(doc({}, -120), aws) }, /in the future/],
      ["not base64", { token: "MIAG!!!!" }, /base64/],
      ["a document that is not a string", { token: signed, document: { accountId: EC2_ACCOUNT } }, /not a document/],
    ];
    for (const [name, proof, message] of cases)
      await refused(proof, "ERR_JOIN_PROOF_INVALID", message).catch((err) => assert.fail(`${name}: ${err}`));
  });

  it("lets a rule widen the window with max_join_age", async () => {
    const late = work.sign(doc({}, 590), aws);
    await refused({ token: late }, "ERR_JOIN_PROOF_INVALID", /max_join_age/);
    const wide = [await verifier.validateRule({ method: "aws_ec2", claims: { account: EC2_ACCOUNT }, max_join_age: "10m" })];
    assert.equal((await attest({ token: late }, wide)).attributes.account, EC2_ACCOUNT);
  });

  it("joins one launch once (trust on first use), across bots; a new launch of the instance joins again; allow_rejoin lifts it", async () => {
    const first = doc({ instanceId: "i-0feedfacefeedface" }, 120);
    await attest({ token: work.sign(first, aws) });
    // A fresh signature of the same launch, for another bot's rule: still the second join of that launch.
    const other = [await verifier.validateRule({ method: "aws_ec2", claims: { account: EC2_ACCOUNT, instance_type: "t3.*" } })];
    await refused({ token: work.sign(first, aws) }, "ERR_REPLAY", /already used/, other);
    assert.ok(await attest({ token: work.sign(doc({ instanceId: "i-0feedfacefeedface" }, 30), aws) }));
    const rejoin = [await verifier.validateRule({ method: "aws_ec2", claims: { account: EC2_ACCOUNT }, allow_rejoin: true })];
    const again = work.sign(doc({ instanceId: "i-0beefbeefbeefbeef" }), aws);
    await attest({ token: again }, rejoin);
    await attest({ token: again }, rejoin);
  });

  it("lets exactly one of many racing joins of a launch win", async () => {
    const launch = doc({ instanceId: "i-0abcabc0abcabcab1" });
    const proofs = Array.from({ length: 6 }, () => work.sign(launch, aws));
    const results = await Promise.allSettled(proofs.map((token) => attest({ token })));
    assert.equal(results.filter((r) => r.status === "fulfilled").length, 1);
    for (const r of results) if (r.status === "rejected") assert.equal((r.reason as { code: string }).code, "ERR_REPLAY");
  });

  it("never answers malformed DER with anything but a 4xx (fuzzed)", async () => {
    const valid = Buffer.from(work.sign(doc(), aws, { stream: true }).replace(/\s+/g, ""), "base64");
    const mutated = fc
      .tuple(fc.nat({ max: valid.length - 1 }), fc.integer({ min: 1, max: 255 }), fc.nat({ max: valid.length }))
      .map(([at, xor, cut]) => {
        const bytes = Buffer.from(valid);
        bytes[at] = (bytes[at] as number) ^ xor;
        return bytes.subarray(0, Math.max(cut, at + 1));
      });
    const anyBytes = fc.uint8Array({ minLength: 0, maxLength: 600 }).map((b) => Buffer.concat([Buffer.from([0x30, 0x80]), b]));
    await fc.assert(
      fc.asyncProperty(fc.oneof(mutated, anyBytes), async (bytes) => {
        try {
          await attest({ token: Buffer.from(bytes).toString("base64") });
        } catch (err) {
          const code = (err as { code?: string }).code;
          assert.ok(statusForCode(code) < 500, `${code}: ${String(err)}`);
        }
      }),
      { numRuns: 300 },
    );
  });
});
