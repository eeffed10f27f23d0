import { randomBytes } from "node:crypto";
import type { AwsCredentialIdentity } from "@smithy/types";
import { AwsIamVerifier, decodeAwsIamProof, encodeAwsIamProof, issueJoinChallenge, type SignedStsRequest } from "#tessera/issuer";
import type { VerifierFixture } from "#tessera/test-support";
import { FixedClock } from "#tessera/core";
import type { Store } from "#tessera/issuer";
import { createAwsIamProof, signRequestSigV4 } from "#tessera/aws-workload";
import { MOTO_ACCOUNT, type StsEmulator } from "./sts-emulator.js";

/** The ARN moto's STS names for a `ci-runner` session. */
export const CI_RUNNER_ARN = `arn:aws:sts::${MOTO_ACCOUNT}:assumed-role/ci-runner/i-0abc123`;

/** Change a proof's decoded request and encode it again. */
export function tamper(token: string, change: (request: SignedStsRequest) => void): string {
  const request = decodeAwsIamProof(token);
  change(request);
  return encodeAwsIamProof(request);
}

/** A proof whose `x-tessera-challenge` header is added after signing: present, but not among the signed headers. */
export async function unsignedChallengeProof(sts: StsEmulator, challenge: string, credentials: AwsCredentialIdentity): Promise<string> {
  const body = "Action=GetCallerIdentity&Version=2011-06-15";
  const request = {
    method: "POST",
    url: sts.endpoint,
    headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
    body,
  };
  const headers = await signRequestSigV4(request, { region: "us-east-1", service: "sts", credentials });
  return encodeAwsIamProof({ url: sts.endpoint, headers: { ...headers, "x-tessera-challenge": challenge }, body });
}

/** A `GetCallerIdentity` request with a signed challenge, but signed for `service` instead of `sts`. */
async function signedFor(sts: StsEmulator, service: string, challenge: string): Promise<string> {
  const body = "Action=GetCallerIdentity&Version=2011-06-15";
  const headers = await signRequestSigV4(
    { method: "POST", url: sts.endpoint, headers: { "x-tessera-challenge": challenge }, body },
    { region: "us-east-1", service, credentials: sts.ciRunner },
  );
  return encodeAwsIamProof({ url: sts.endpoint, headers, body });
}

/** A challenge that was never issued. */
export function strayChallenge(): string {
  return randomBytes(32).toString("base64url");
}

/**
 * The `aws_iam` verifier's conformance fixture over `sts` (moto with signature checks on): proofs
 * signed by the AWS SDK's SigV4 signer as the `ci-runner` role, with challenges issued into `store`.
 */
export function makeAwsIamFixture(sts: () => Promise<StsEmulator>): (store: Store) => Promise<VerifierFixture> {
  return async (store) => {
    const e = await sts();
    const clock = new FixedClock(Date.now());
    const challenge = async () => (await issueJoinChallenge({ clock, replay: store })).challenge;
    const sign = async (credentials = e.ciRunner) => createAwsIamProof({ challenge: await challenge(), endpoint: e.endpoint, credentials });
    const at = (url: string) => async () => tamper(await sign(), (r) => void (r.url = url));
    const port = new URL(e.endpoint).port;
    return {
      clock,
      newVerifier: () => new AwsIamVerifier({ extraStsEndpoints: [e.endpoint] }),
      rules: [{ method: "aws_iam", claims: { account: MOTO_ACCOUNT, arn: `arn:aws:iam::${MOTO_ACCOUNT}:role/ci-*` } }],
      mismatchedRules: [
        { method: "aws_iam", claims: { account: "111122223333" } },
        { method: "aws_iam", claims: { account: MOTO_ACCOUNT, role: "other-role" } },
        { method: "aws_iam", claims: { account: MOTO_ACCOUNT, arn: `arn:aws:iam::${MOTO_ACCOUNT}:user/*` } },
      ],
      invalidRules: [
        { name: "no account", rule: { method: "aws_iam", claims: { arn: "arn:aws:iam::123456789012:role/x" } } },
        { name: "an account glob", rule: { method: "aws_iam", claims: { account: "1234*" } } },
        { name: "an account that is not 12 digits", rule: { method: "aws_iam", claims: { account: "12345" } } },
        { name: "an unknown claim", rule: { method: "aws_iam", claims: { account: MOTO_ACCOUNT, region: "eu-west-1" } } },
        { name: "an unknown field", rule: { method: "aws_iam", aws_account: MOTO_ACCOUNT } },
      ],
      validProof: () => sign(),
      expectedAttributes: {
        account: MOTO_ACCOUNT,
        arn: CI_RUNNER_ARN,
        principal_type: "assumed-role",
        role: "ci-runner",
        role_arn: `arn:aws:iam::${MOTO_ACCOUNT}:role/ci-runner`,
        session_name: "i-0abc123",
      },
      refusedProofs: async () => {
        const issued = await challenge();
        return [
          {
            name: "challenge header not signed",
            proof: await unsignedChallengeProof(e, await challenge(), e.ciRunner),
            code: "ERR_JOIN_PROOF_INVALID",
          },
          {
            name: "look-alike host sts.amazonaws.com.evil.example",
            proof: await at("https://sts.amazonaws.com.evil.example/")(),
            code: "ERR_JOIN_PROOF_INVALID",
          },
          {
            name: "userinfo before an STS host",
            proof: await at("https://sts.amazonaws.com@evil.example/")(),
            code: "ERR_JOIN_PROOF_INVALID",
          },
          {
            name: "userinfo before the configured endpoint",
            proof: await at(`http://x@127.0.0.1:${port}/`)(),
            code: "ERR_JOIN_PROOF_INVALID",
          },
          { name: "an IP literal", proof: await at("https://52.94.133.131/")(), code: "ERR_JOIN_PROOF_INVALID" },
          { name: "an IPv6 literal", proof: await at("https://[::1]/")(), code: "ERR_JOIN_PROOF_INVALID" },
          { name: "an STS host with a port", proof: await at("https://sts.amazonaws.com:8443/")(), code: "ERR_JOIN_PROOF_INVALID" },
          { name: "plain http to an STS host", proof: await at("http://sts.amazonaws.com/")(), code: "ERR_JOIN_PROOF_INVALID" },
          { name: "another port on loopback", proof: await at(`http://127.0.0.1:${Number(port) + 1}/`)(), code: "ERR_JOIN_PROOF_INVALID" },
          { name: "a path after the STS host", proof: await at(`${e.endpoint}moto-api/`)(), code: "ERR_JOIN_PROOF_INVALID" },
          {
            name: "body altered",
            proof: tamper(await sign(), (r) => void (r.body = "Action=GetCallerIdentity&Version=2011-06-15&Extra=1")),
            code: "ERR_JOIN_PROOF_INVALID",
          },
          {
            name: "body of another action",
            proof: tamper(await sign(), (r) => void (r.body = "Action=AssumeRole&Version=2011-06-15")),
            code: "ERR_JOIN_PROOF_INVALID",
          },
          {
            name: "signed host differs from the URL",
            proof: tamper(await sign(), (r) => void (r.headers.host = "sts.amazonaws.com")),
            code: "ERR_JOIN_PROOF_INVALID",
          },
          {
            name: "forged signature (STS refuses it)",
            proof: tamper(
              await sign(),
              (r) =>
                void (r.headers.authorization = (r.headers.authorization as string).replace(
                  /Signature=(.)/,
                  (_m, c: string) => `Signature=${c === "0" ? "1" : "0"}`,
                )),
            ),
            code: "ERR_JOIN_PROOF_INVALID",
          },
          {
            name: "a wrong secret key (STS refuses it)",
            proof: await sign({ ...e.user, secretAccessKey: "not-the-secret" }),
            code: "ERR_JOIN_PROOF_INVALID",
          },
          {
            name: "a stray challenge swapped in after signing",
            proof: tamper(await sign(), (r) => void (r.headers["x-tessera-challenge"] = strayChallenge())),
            code: "ERR_JOIN_CHALLENGE_INVALID",
          },
          {
            name: "an issued challenge swapped in after signing (STS refuses it)",
            proof: tamper(await sign(), (r) => void (r.headers["x-tessera-challenge"] = issued)),
            code: "ERR_JOIN_PROOF_INVALID",
          },
          {
            name: "a challenge never issued",
            proof: await createAwsIamProof({ challenge: strayChallenge(), endpoint: e.endpoint, credentials: e.ciRunner }),
            code: "ERR_JOIN_CHALLENGE_INVALID",
          },
          { name: "SigV4 for another service", proof: await signedFor(e, "iam", await challenge()), code: "ERR_JOIN_PROOF_INVALID" },
        ];
      },
      close: async () => undefined,
    };
  };
}
