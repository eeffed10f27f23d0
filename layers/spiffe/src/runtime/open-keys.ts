import { createKmsClient, deferClient } from "../aws/clients.js";
import type { Clock } from "../clock.js";
import type { TesseraConfig } from "../config/index.js";
import { DiskKeyManager } from "../keymanager/disk/index.js";
import { KmsKeyManager } from "../keymanager/kms/index.js";
import type { KeyManager, KeyRetirer } from "../keymanager/types.js";
import type { Logger } from "../logger.js";

/**
 * The key manager the configuration names: KMS (with Tessera's aliases and tags; its client is made
 * by the first KMS call, which a join or a bundle read never makes) or a disk directory.
 */
export function openKeys(config: TesseraConfig, clock: Clock, logger: Logger): KeyManager & KeyRetirer {
  if (config.keyManager.kind === "disk") return new DiskKeyManager({ directory: config.keyManager.directory });
  return new KmsKeyManager({
    client: deferClient(() => createKmsClient({ endpoint: config.awsEndpoints.kms })),
    aliasPrefix: config.keyManager.aliasPrefix,
    tags: { "tessera:trust-domain": config.trustDomain.name },
    clock,
    onRetireError: (err) =>
      logger.warn("keymanager: could not schedule the replaced key for deletion", { code: err.code, error: err.message }),
  });
}
