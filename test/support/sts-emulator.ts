import type { AwsCredentialIdentity } from "@smithy/types";
import { startEmulator } from "../../scripts/emulator.mjs";
import { signRequestSigV4 } from "#tessera/aws-workload";

/** The account moto puts everything in. */
export const MOTO_ACCOUNT = "123456789012";

/** A second moto whose STS checks SigV4 signatures, with an IAM user and two assumed roles to sign with. */
export interface StsEmulator {
  /** `http://127.0.0.1:<port>/`, as `TESSERA_STS_ENDPOINT` takes it. */
  endpoint: string;
  /** The IAM user `joiner`'s access key. */
  user: AwsCredentialIdentity;
  /** A session of the role `ci-runner` (session name `i-0abc123`). */
  ciRunner: AwsCredentialIdentity;
  /** A session of the role `other-role` (session name `intruder`). */
  otherRole: AwsCredentialIdentity;
  stop(): Promise<void>;
}

const SETUP_CREDENTIALS = { accessKeyId: "setup", secretAccessKey: "setup" };

async function query(endpoint: string, service: string, params: Record<string, string>): Promise<string> {
  const body = new URLSearchParams(params).toString();
  const request = { method: "POST", url: endpoint, headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" }, body };
  const headers = await signRequestSigV4(request, { region: "us-east-1", service, credentials: SETUP_CREDENTIALS });
  delete headers.host;
  const res = await fetch(endpoint, { method: "POST", headers, body });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`sts emulator: ${params.Action} answered ${res.status}: ${text.slice(0, 300)}`);
  return text;
}

function field(xml: string, name: string): string {
  const value = new RegExp(`<${name}>([^<]+)</${name}>`).exec(xml)?.[1];
  if (value === undefined) throw new Error(`sts emulator: no ${name} in ${xml.slice(0, 300)}`);
  return value;
}

async function assumeRole(endpoint: string, role: string, session: string): Promise<AwsCredentialIdentity> {
  const trust = JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${MOTO_ACCOUNT}:root` }, Action: "sts:AssumeRole" }],
  });
  await query(endpoint, "iam", { Action: "CreateRole", Version: "2010-05-08", RoleName: role, AssumeRolePolicyDocument: trust });
  const out = await query(endpoint, "sts", {
    Action: "AssumeRole",
    Version: "2011-06-15",
    RoleArn: `arn:aws:iam::${MOTO_ACCOUNT}:role/${role}`,
    RoleSessionName: session,
  });
  return {
    accessKeyId: field(out, "AccessKeyId"),
    secretAccessKey: field(out, "SecretAccessKey"),
    sessionToken: field(out, "SessionToken"),
  };
}

/**
 * Start a moto of its own (the shared one keeps auth off for every other test), make an IAM user
 * with an access key and two role sessions while auth is off, then switch moto's request
 * authentication on (`INITIAL_NO_AUTH_ACTION_COUNT` = 0 through `/moto-api/reset-auth`): from then
 * on its STS refuses any request whose SigV4 signature does not verify.
 */
export async function startStsEmulator(): Promise<StsEmulator> {
  const moto = await startEmulator();
  const endpoint = `${moto.endpoint}/`;
  try {
    await query(endpoint, "iam", { Action: "CreateUser", Version: "2010-05-08", UserName: "joiner" });
    const key = await query(endpoint, "iam", { Action: "CreateAccessKey", Version: "2010-05-08", UserName: "joiner" });
    const user = { accessKeyId: field(key, "AccessKeyId"), secretAccessKey: field(key, "SecretAccessKey") };
    const ciRunner = await assumeRole(endpoint, "ci-runner", "i-0abc123");
    const otherRole = await assumeRole(endpoint, "other-role", "intruder");
    const res = await fetch(`${moto.endpoint}/moto-api/reset-auth`, { method: "POST", body: "0" });
    if (res.status !== 200) throw new Error(`sts emulator: reset-auth answered ${res.status}`);
    return { endpoint, user, ciRunner, otherRole, stop: () => moto.stop() };
  } catch (err) {
    await moto.stop();
    throw err;
  }
}
