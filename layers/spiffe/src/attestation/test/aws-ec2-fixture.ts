import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FixedClock } from "../../clock.js";
import { AwsEc2Verifier } from "../aws-ec2/aws-ec2-verifier.js";
import { createRegionKeys } from "../aws-ec2/region-certificates.js";
import type { VerifierFixture } from "./conformance.js";

export const EC2_ACCOUNT = "123456789012";
export const EC2_REGION = "us-west-2";

/** A self-signed RSA-2048 certificate standing in for AWS's certificate of a Region, made by openssl. */
export interface FakeAwsSigner {
  certPem: string;
  certPath: string;
  keyPath: string;
}

/** How `signIdentityDocument` asks openssl to sign. */
export interface SignOptions {
  /** Leave the document out of the PKCS#7 (`-nodetach` otherwise, as EC2 does). */
  detached?: boolean;
  /** No signed attributes (EC2 sends some). */
  noAttributes?: boolean;
  /** BER with indefinite lengths and a constructed OCTET STRING, as EC2 sends (`openssl cms -stream`). */
  stream?: boolean;
}

/** A scratch directory for openssl, and the fake AWS signers made in it. */
export class OpensslWorkdir {
  readonly dir = mkdtempSync(join(tmpdir(), "tessera-ec2-"));

  /** A new self-signed RSA-2048 certificate and key (`openssl req -x509`). */
  newSigner(name: string): FakeAwsSigner {
    const certPath = join(this.dir, `${name}.pem`);
    const keyPath = join(this.dir, `${name}.key`);
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        keyPath,
        "-out",
        certPath,
        "-subj",
        `/C=US/O=Test AWS/CN=${name}`,
        "-days",
        "2",
      ],
      {
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    return { certPem: readFileSync(certPath, "utf8"), certPath, keyPath };
  }

  /** `document` signed by `signer` with `openssl cms -sign` (RSA, SHA-256), base64 as IMDS serves it. */
  sign(document: string, signer: FakeAwsSigner, options: SignOptions = {}): string {
    const input = join(this.dir, `doc-${randomBytes(6).toString("hex")}.json`);
    writeFileSync(input, document);
    const args = [
      "cms",
      "-sign",
      "-binary",
      "-nocerts",
      "-nosmimecap",
      "-md",
      "sha256",
      "-in",
      input,
      "-signer",
      signer.certPath,
      "-inkey",
      signer.keyPath,
      "-outform",
      "DER",
    ];
    if (!options.detached) args.push("-nodetach");
    if (options.noAttributes) args.push("-noattr");
    if (options.stream) args.push("-stream");
    const der = execFileSync("openssl", args, { stdio: ["ignore", "pipe", "pipe"] });
    rmSync(input);
    return der
      .toString("base64")
      .replace(/(.{64})/g, "$1\n")
      .trim();
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** An instance identity document as EC2 writes it (pretty JSON), launched `ageSeconds` ago by default 60. */
export function identityDocument(overrides: Record<string, unknown> = {}, ageSeconds = 60, now = Date.now()): string {
  const doc = {
    accountId: EC2_ACCOUNT,
    architecture: "x86_64",
    availabilityZone: `${EC2_REGION}a`,
    billingProducts: null,
    devpayProductCodes: null,
    marketplaceProductCodes: null,
    imageId: "ami-0fa9e1f64142cde17",
    instanceId: `i-${randomBytes(8).toString("hex").slice(0, 17)}`,
    instanceType: "t3.medium",
    kernelId: null,
    pendingTime: new Date(Math.floor((now - ageSeconds * 1000) / 1000) * 1000).toISOString().replace(".000Z", "Z"),
    privateIp: "10.0.0.209",
    ramdiskId: null,
    region: EC2_REGION,
    version: "2017-09-30",
    ...overrides,
  };
  return JSON.stringify(doc, null, 2).replace(/": /g, '" : ');
}

/** A verifier trusting `signer` for `EC2_REGION` (and AWS's shipped certificates elsewhere). */
export function verifierTrusting(signer: FakeAwsSigner): AwsEc2Verifier {
  return new AwsEc2Verifier({ regionKeys: createRegionKeys({ [EC2_REGION]: signer.certPem }) });
}

/** Flip one byte of a base64 DER proof at `index` from the end. */
export function flipByte(proof: string, fromEnd: number): string {
  const der = Buffer.from(proof.replace(/\s+/g, ""), "base64");
  der[der.length - fromEnd] = (der[der.length - fromEnd] as number) ^ 0x01;
  return der.toString("base64");
}

/** Replace `from` by `to` (same length) inside the signed content of a base64 DER proof. */
export function rewriteContent(proof: string, from: string, to: string): string {
  const der = Buffer.from(proof.replace(/\s+/g, ""), "base64");
  const at = der.indexOf(from);
  if (at === -1 || from.length !== to.length) throw new Error("rewriteContent: not found or lengths differ");
  der.write(to, at, "latin1");
  return der.toString("base64");
}

/** The `aws_ec2` verifier's conformance fixture. */
export async function makeAwsEc2Fixture(): Promise<VerifierFixture> {
  const work = new OpensslWorkdir();
  const aws = work.newSigner(EC2_REGION);
  const stranger = work.newSigner("stranger");
  const clock = new FixedClock(Date.now());
  const now = clock.now().getTime();
  const doc = (overrides: Record<string, unknown> = {}, age = 60) => identityDocument(overrides, age, now);
  return {
    clock,
    newVerifier: () => verifierTrusting(aws),
    rules: [{ method: "aws_ec2", claims: { account: EC2_ACCOUNT, region: "us-*", ami_id: "ami-0fa9*" } }],
    mismatchedRules: [
      { method: "aws_ec2", claims: { account: "210987654321" } },
      { method: "aws_ec2", claims: { account: EC2_ACCOUNT, region: "eu-west-1" } },
      { method: "aws_ec2", claims: { account: EC2_ACCOUNT, instance_type: "m5.*" } },
    ],
    invalidRules: [
      { name: "no account rule", rule: { method: "aws_ec2", claims: { region: EC2_REGION } } },
      { name: "an account glob", rule: { method: "aws_ec2", claims: { account: "1234*" } } },
      { name: "an unknown claim", rule: { method: "aws_ec2", claims: { account: EC2_ACCOUNT, role: "x" } } },
      { name: "an unknown field", rule: { method: "aws_ec2", claims: { account: EC2_ACCOUNT }, regions: ["us-west-2"] } },
      { name: "max_join_age too short", rule: { method: "aws_ec2", claims: { account: EC2_ACCOUNT }, max_join_age: 10 } },
      { name: "max_join_age too long", rule: { method: "aws_ec2", claims: { account: EC2_ACCOUNT }, max_join_age: "48h" } },
      { name: "allow_rejoin not a boolean", rule: { method: "aws_ec2", claims: { account: EC2_ACCOUNT }, allow_rejoin: "yes" } },
    ],
    validProof: async () => work.sign(doc(), aws, { stream: true }),
    expectedAttributes: {
      account: EC2_ACCOUNT,
      region: EC2_REGION,
      ami_id: "ami-0fa9e1f64142cde17",
      instance_type: "t3.medium",
      availability_zone: "us-west-2a",
      architecture: "x86_64",
    },
    refusedProofs: async () => {
      const signed = work.sign(doc({ instanceId: "i-0123456789abcdef0" }), aws);
      return [
        {
          name: "tampered document (signed attributes)",
          proof: rewriteContent(signed, "i-0123456789abcdef0", "i-0123456789abcdef1"),
          code: "ERR_JOIN_PROOF_INVALID",
        },
        {
          name: "tampered document (no signed attributes)",
          proof: rewriteContent(
            work.sign(doc({ instanceId: "i-0123456789abcdef0" }), aws, { noAttributes: true }),
            "i-0123456789abcdef0",
            "i-0123456789abcdef1",
          ),
          code: "ERR_JOIN_PROOF_INVALID",
        },
        { name: "tampered signature", proof: flipByte(signed, 3), code: "ERR_JOIN_PROOF_INVALID" },
        { name: "signed by another certificate", proof: work.sign(doc(), stranger), code: "ERR_JOIN_PROOF_INVALID" },
        {
          name: "a Region whose AWS certificate is not the signer",
          proof: work.sign(doc({ region: "eu-west-1", availabilityZone: "eu-west-1a" }), aws),
          code: "ERR_JOIN_PROOF_INVALID",
        },
        { name: "an unknown Region", proof: work.sign(doc({ region: "xx-nowhere-1" }), aws), code: "ERR_JOIN_PROOF_INVALID" },
        {
          name: "outside the join window (10 min after pendingTime, rule 5 min)",
          proof: work.sign(doc({}, 600), aws),
          code: "ERR_JOIN_PROOF_INVALID",
        },
        { name: "pendingTime in the future", proof: work.sign(doc({}, -600), aws), code: "ERR_JOIN_PROOF_INVALID" },
        { name: "detached signature, no document sent", proof: work.sign(doc(), aws, { detached: true }), code: "ERR_JOIN_PROOF_INVALID" },
        { name: "signed content that is not a document", proof: work.sign("not json", aws), code: "ERR_JOIN_PROOF_INVALID" },
        { name: "document without an account", proof: work.sign(doc({ accountId: undefined }), aws), code: "ERR_JOIN_PROOF_INVALID" },
        { name: "a certificate, not a signature", proof: aws.certPem, code: "ERR_JOIN_PROOF_INVALID" },
      ];
    },
    close: async () => work.remove(),
  };
}
