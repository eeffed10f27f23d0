import { createPrivateKey } from "node:crypto";
import { type Logger, writeFileAtomic } from "#tessera/core";
import { createRolesAnywhereSession, type RolesAnywhereCredentials, RolesAnywhereSessionError } from "#tessera/aws-workload";
import { retryDelayMs, renewalDelayMs } from "../backoff.js";
import type { AwsRolesAnywhereService } from "../config/index.js";
import type { SvidManager, X509Want } from "../svid-manager.js";
import { awsCredentialPaths, formatCredentialProcess, formatSharedCredentials } from "./aws-credential-files.js";
import type { FileOutput } from "./file-outputs.js";
import { createRefreshQueue } from "./refresh-queue.js";

/** The want (X.509-SVID) a Roles Anywhere service signs with. */
export function rolesAnywhereWant(service: AwsRolesAnywhereService): X509Want {
  return { spiffeId: service.spiffeId, dnsNames: [], ...(service.ttlSeconds ? { ttlSeconds: service.ttlSeconds } : {}) };
}

/** The service as a file output that also hands out what it holds (for the container-credentials endpoint). */
export interface AwsRolesAnywhereOutput extends FileOutput {
  /** The credentials held now, if still valid. */
  credentials(): RolesAnywhereCredentials | undefined;
}

interface Held {
  credentials: RolesAnywhereCredentials;
  obtainedAt: number;
  /** Serial of the X.509-SVID that signed the CreateSession. */
  svidSerial: string;
}

/**
 * `workload-identity-aws-roles-anywhere`: exchange the X.509-SVID for AWS credentials with IAM Roles
 * Anywhere `CreateSession` and write them as a shared-credentials profile and as credential_process
 * JSON (both 0600, atomically). A new session is made at about half the credentials' life (or the
 * configured interval) and whenever the SVID is renewed. While the issuer or Roles Anywhere is
 * unreachable the files keep the last credentials, and the service retries with backoff.
 */
export function createAwsRolesAnywhereOutput(
  service: AwsRolesAnywhereService,
  manager: SvidManager,
  logger: Logger,
): AwsRolesAnywhereOutput {
  const want = rolesAnywhereWant(service);
  const paths = awsCredentialPaths(service);
  let held: Held | undefined;
  let lastError: string | undefined;
  let failures = 0;
  const nextRenewal = (h: Held) =>
    service.sessionRenewalIntervalSeconds !== undefined
      ? Math.max(0, Math.min(h.obtainedAt + service.sessionRenewalIntervalSeconds * 1000, h.credentials.expiration.getTime()) - Date.now())
      : renewalDelayMs(h.obtainedAt, h.credentials.expiration.getTime(), Date.now());

  const refresh = async (force: boolean): Promise<boolean> => {
    if (queue.stopped) return held !== undefined;
    const material = manager.x509(want);
    if (!material) return held !== undefined;
    if (!force && held && held.svidSerial === material.serialNumber) return true;
    try {
      const credentials = await createRolesAnywhereSession(
        {
          certificates: material.certificates,
          privateKey: createPrivateKey({ key: Buffer.from(material.privateKey), format: "der", type: "pkcs8" }),
        },
        {
          trustAnchorArn: service.trustAnchorArn,
          profileArn: service.profileArn,
          roleArn: service.roleArn,
          durationSeconds: service.sessionDurationSeconds,
          ...(service.region ? { region: service.region } : {}),
          ...(service.endpoint ? { endpoint: service.endpoint } : {}),
        },
      );
      await writeFileAtomic(paths.credentials, formatSharedCredentials(service.credentialProfileName, credentials), 0o600);
      await writeFileAtomic(paths.process, formatCredentialProcess(credentials), 0o600);
      held = { credentials, obtainedAt: Date.now(), svidSerial: material.serialNumber };
      failures = 0;
      lastError = undefined;
      logger.info("wrote AWS credentials from IAM Roles Anywhere", {
        spiffe_id: service.spiffeId,
        profile: service.credentialProfileName,
        path: paths.credentials,
        access_key_id: credentials.accessKeyId,
        expires_at: credentials.expiration.toISOString(),
        svid_serial: material.serialNumber,
      });
      queue.schedule(nextRenewal(held));
      return true;
    } catch (err) {
      failures++;
      lastError = err instanceof Error ? err.message : String(err);
      const remaining = held ? held.credentials.expiration.getTime() - Date.now() : Infinity;
      const delay = Math.max(500, Math.min(retryDelayMs(failures), remaining / 4));
      logger.warn("could not get AWS credentials from IAM Roles Anywhere; keeping the current ones and retrying", {
        spiffe_id: service.spiffeId,
        error: lastError,
        ...(err instanceof RolesAnywhereSessionError && err.status ? { status: err.status } : {}),
        retry_in_ms: Math.round(delay),
        current_valid: remaining > 0 && remaining !== Infinity,
      });
      queue.schedule(delay);
      return false;
    }
  };
  const queue = createRefreshQueue(manager, refresh);
  return {
    name: `workload-identity-aws-roles-anywhere:${paths.credentials}`,
    flush: () => queue.run(false),
    credentials: () => (held && held.credentials.expiration.getTime() > Date.now() ? held.credentials : undefined),
    stop: queue.stop,
    status: () => ({
      ready: held !== undefined && held.credentials.expiration.getTime() > Date.now(),
      ...(lastError ? { lastError } : {}),
      ...(held ? { writtenAt: new Date(held.obtainedAt).toISOString(), expiresAt: held.credentials.expiration.toISOString() } : {}),
    }),
  };
}
