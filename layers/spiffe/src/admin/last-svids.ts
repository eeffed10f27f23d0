import { RequestInvalidError } from "../errors.js";
import type { AuditEvent, StoreFor } from "../store/types.js";
import { assertBotName } from "./bots.js";
import { scanAudit, type AuditScanLimits } from "./scan-audit.js";
import type { FIND_LAST_X509_SVIDS_STORE } from "./store-parts.js";

/** Instances asked about at once: a page of the console's instance list. */
const MAX_INSTANCES = 100;
const INSTANCE_ID = /^[A-Za-z0-9._:-]{1,128}$/;
/** Events read per store call when looking for instances' last SVIDs. */
export const LAST_SVID_PAGE_SIZE = 1000;
/** Events read at most; instances whose last SVID is older are answered as not found, with `capped`. */
export const LAST_SVID_SCAN_CAP = 10_000;

/** The newest X.509-SVID audit event of each instance found, and how far the scan went. */
export interface LastSvids {
  events: AuditEvent[];
  scanned: number;
  /** True when the scan stopped at its cap with instances still not found. */
  capped: boolean;
}

function instanceIdsOf(value: string): Set<string> {
  const ids = value.split(",");
  if (ids.length > MAX_INSTANCES || !ids.every((id) => INSTANCE_ID.test(id))) {
    throw new RequestInvalidError(`admin: instances must be 1 to ${MAX_INSTANCES} instance ids, comma-separated`);
  }
  return new Set(ids);
}

/**
 * The last X.509-SVID each of a bot's instances received: the bot's `x509_svid` audit events read
 * newest first until every instance asked about is found or `LAST_SVID_SCAN_CAP` events were read.
 */
export async function findLastX509Svids(
  deps: { store: StoreFor<typeof FIND_LAST_X509_SVIDS_STORE>; scan?: AuditScanLimits },
  botName: string,
  instanceIds: string,
): Promise<LastSvids> {
  assertBotName(botName);
  const wanted = instanceIdsOf(instanceIds);
  const found = new Map<string, AuditEvent>();
  const limits = deps.scan ?? { pageSize: LAST_SVID_PAGE_SIZE, cap: LAST_SVID_SCAN_CAP };
  const { scanned, capped } = await scanAudit(deps.store, { botName, type: "x509_svid" }, limits, (event) => {
    if (event.instanceId !== undefined && wanted.has(event.instanceId) && !found.has(event.instanceId)) found.set(event.instanceId, event);
    return found.size === wanted.size;
  });
  return { events: [...found.values()], scanned, capped };
}
