import { Bundle, type Logger, marshalPemBundle, marshalSpiffeBundle, writeFileAtomic, writeX509SvidFiles } from "#tessera/core";
import { renewalDelayMs, retryDelayMs } from "../backoff.js";
import type { JwtFileService, X509FileService } from "../config/index.js";
import type { SvidManager } from "../svid-manager.js";
import { createRefreshQueue, type RefreshQueue } from "./refresh-queue.js";
import { runReloadAction } from "./reload.js";

/** A file output: written whenever what it holds changes. */
export interface FileOutput {
  name: string;
  /** Write once now if there is anything new; resolves true once the output has been written at least once. */
  flush(): Promise<boolean>;
  /** Stop listening and wait for a write in progress. */
  stop(): Promise<void>;
  status(): { ready: boolean; lastError?: string; writtenAt?: string };
}

/** The output `name` whose writes `queue` runs; `state` gives its write time and last error. */
function fileOutputOf(
  name: string,
  queue: RefreshQueue,
  state: () => { writtenAt: Date | undefined; lastError: string | undefined },
): FileOutput {
  return {
    name,
    flush: () => queue.run(false),
    stop: queue.stop,
    status: () => {
      const { writtenAt, lastError } = state();
      return {
        ready: writtenAt !== undefined,
        ...(lastError ? { lastError } : {}),
        ...(writtenAt ? { writtenAt: writtenAt.toISOString() } : {}),
      };
    },
  };
}

/** svid.pem (0644), svid_key.pem (0600), svid_bundle.pem (0644), rewritten on renewal or bundle change. */
export function createX509FileOutput(service: X509FileService, manager: SvidManager, logger: Logger): FileOutput {
  const want = {
    spiffeId: service.spiffeId,
    dnsNames: service.dnsNames,
    ...(service.ttlSeconds ? { ttlSeconds: service.ttlSeconds } : {}),
  };
  let written = "";
  let writtenAt: Date | undefined;
  let lastError: string | undefined;
  const write = async (): Promise<boolean> => {
    if (queue.stopped) return writtenAt !== undefined;
    const material = manager.x509(want);
    const bundle = manager.bundle();
    if (!material || !bundle) return writtenAt !== undefined;
    const stamp = `${material.serialNumber}|${marshalPemBundle(bundle)}`;
    if (stamp === written) return true;
    try {
      await writeX509SvidFiles(
        service.destination,
        { certificates: material.certificates, privateKey: material.privateKey, bundle: bundle.x509Authorities },
        { cert: service.certFileName, key: service.keyFileName, bundle: service.bundleFileName },
      );
      written = stamp;
      writtenAt = new Date();
      lastError = undefined;
      logger.info("wrote X.509-SVID files", {
        spiffe_id: service.spiffeId,
        destination: service.destination,
        serial: material.serialNumber,
      });
      await runReloadAction(service, logger);
      return true;
    } catch (err) {
      lastError = (err as Error).message;
      logger.error("could not write X.509-SVID files", { destination: service.destination, error: err });
      return false;
    }
  };
  const queue = createRefreshQueue(manager, write);
  return fileOutputOf(`workload-identity-x509:${service.destination}`, queue, () => ({ writtenAt, lastError }));
}

/** jwt_svid.token (0600) and jwt_bundle.json (0644), refreshed at about half the token's life. */
export function createJwtFileOutput(service: JwtFileService, manager: SvidManager, logger: Logger): FileOutput {
  let writtenAt: Date | undefined;
  let lastError: string | undefined;
  let failures = 0;
  let lastBundle = "";
  let lastToken = "";
  const write = async (): Promise<boolean> => {
    const bundle = manager.bundle();
    if (!bundle || queue.stopped) return writtenAt !== undefined;
    try {
      const svid = await manager.jwtSvid(service.spiffeId, service.audiences, service.ttlSeconds);
      const jwks = marshalSpiffeBundle(new Bundle({ trustDomain: bundle.trustDomain, jwtAuthorities: bundle.jwtAuthorities }));
      const changed = svid.token !== lastToken || jwks !== lastBundle;
      if (jwks !== lastBundle) await writeFileAtomic(`${service.destination}/${service.bundleFileName}`, jwks, 0o644);
      lastBundle = jwks;
      if (svid.token !== lastToken) {
        await writeFileAtomic(`${service.destination}/${service.fileName}`, svid.token, 0o600);
        lastToken = svid.token;
        logger.info("wrote JWT-SVID file", {
          spiffe_id: service.spiffeId,
          destination: service.destination,
          expires_at: new Date(svid.expiresAt).toISOString(),
        });
      }
      writtenAt ??= new Date();
      lastError = undefined;
      failures = 0;
      if (changed) await runReloadAction(service, logger);
      const half = svid.issuedAt + (svid.expiresAt - svid.issuedAt) / 2;
      queue.schedule(Math.max(1000, changed ? renewalDelayMs(svid.issuedAt, svid.expiresAt, Date.now()) : half - Date.now() + 50));
      return true;
    } catch (err) {
      failures++;
      lastError = (err as Error).message;
      logger.warn("could not refresh the JWT-SVID file; retrying", { spiffe_id: service.spiffeId, error: err });
      queue.schedule(retryDelayMs(failures));
      return false;
    }
  };
  const queue = createRefreshQueue(manager, write);
  return fileOutputOf(`workload-identity-jwt:${service.destination}`, queue, () => ({ writtenAt, lastError }));
}
