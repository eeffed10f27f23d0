import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { RolesAnywhereCredentials } from "#tessera/aws-workload";
import type { AwsRolesAnywhereService } from "../config/index.js";

/** The JSON a `credential_process` prints (AWS CLI "Sourcing credentials with an external process"). */
export interface CredentialProcessOutput {
  Version: 1;
  AccessKeyId: string;
  SecretAccessKey: string;
  SessionToken: string;
  Expiration: string;
}

/**
 * Where a service writes its shared-credentials file, the credential_process JSON beside it and the
 * container-credentials endpoint's authorization token.
 */
export function awsCredentialPaths(service: Pick<AwsRolesAnywhereService, "destination" | "artifactName">): {
  credentials: string;
  process: string;
  token: string;
} {
  const base = join(service.destination, service.artifactName);
  return { credentials: base, process: `${base}.json`, token: `${base}.token` };
}

/** One profile in the AWS shared credentials file format (INI). */
export function formatSharedCredentials(profile: string, c: RolesAnywhereCredentials): string {
  return [
    `[${profile}]`,
    `aws_access_key_id = ${c.accessKeyId}`,
    `aws_secret_access_key = ${c.secretAccessKey}`,
    `aws_session_token = ${c.sessionToken}`,
    "",
  ].join("\n");
}

/** The credential_process JSON for `c`. */
export function formatCredentialProcess(c: RolesAnywhereCredentials): string {
  const out: CredentialProcessOutput = {
    Version: 1,
    AccessKeyId: c.accessKeyId,
    SecretAccessKey: c.secretAccessKey,
    SessionToken: c.sessionToken,
    Expiration: c.expiration.toISOString(),
  };
  return `${JSON.stringify(out)}\n`;
}

/**
 * The credential_process JSON a running agent wrote for `service`, if it is still valid at `now`.
 * Throws an Error saying why not (no file yet, expired), for `tessera agent aws credentials`.
 */
export async function readCredentialProcess(service: AwsRolesAnywhereService, now: number): Promise<CredentialProcessOutput> {
  const path = awsCredentialPaths(service).process;
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    throw new Error(
      `agent: no AWS credentials in ${path} yet (${(err as NodeJS.ErrnoException).code ?? "unreadable"}): is the agent running?`,
    );
  }
  const parsed = JSON.parse(text) as CredentialProcessOutput;
  if (!(Date.parse(parsed.Expiration) > now))
    throw new Error(
      `agent: the AWS credentials in ${path} expired at ${parsed.Expiration}: is the agent running and can it reach IAM Roles Anywhere?`,
    );
  return parsed;
}
