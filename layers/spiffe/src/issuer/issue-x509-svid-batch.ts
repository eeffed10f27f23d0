import { BatchEntryDuplicateError, BatchTooLargeError, RequestInvalidError, TesseraError } from "../errors.js";
import { statusForCode } from "../http/status-table.js";
import { auditRefusals, boundList, boundText, type RefusedRequest } from "./audit-refusals.js";
import { callerRefusalDetail, identifySvidCaller } from "./identify-svid-caller.js";
import { issueX509SvidForCaller, type IssueX509SvidForBotResult } from "./issue-x509-svid.js";
import type { ISSUE_X509_SVID_STORE } from "./store-parts.js";
import type { IssuerDepsFor } from "./types.js";

/** Most X.509-SVIDs one batch may ask for. */
export const MAX_X509_SVID_BATCH = 64;

/** One entry of a batch: what `issueX509SvidForBot` takes, without the caller. */
export interface X509SvidBatchEntry {
  csr: unknown;
  spiffeId: unknown;
  ttlSeconds?: unknown;
  dnsNames?: unknown;
}

/** Request of `issueX509SvidBatchForBot`: one bot credential, the entries. */
export interface IssueX509SvidBatchRequest {
  credential: unknown;
  entries: unknown;
}

/** The outcome of one entry: its SVID, or the refusal's stable code, message and HTTP status. */
export type X509SvidBatchOutcome =
  { svid: Omit<IssueX509SvidForBotResult, "bundle"> } | { error: { code: string; message: string; status: number } };

/** Result of `issueX509SvidBatchForBot`: one outcome per entry, in order, and the bundle once. */
export interface IssueX509SvidBatchResult {
  outcomes: X509SvidBatchOutcome[];
  /** DER of every X.509 authority in the current bundle. */
  bundle: Uint8Array[];
}

/**
 * Issue several X.509-SVIDs for one bot instance in one request (an agent renewing every SVID that
 * is due). The bot credential is checked once: a bad credential, more than `MAX_X509_SVID_BATCH`
 * entries or a malformed list refuses the whole batch, and nothing is issued. Each entry is then
 * checked, signed and audited on its own, exactly as `issueX509SvidForBot` does for one: a refused
 * entry (a SPIFFE ID the bot may not have, a bad CSR, the same CSR twice) gets its error code and
 * signs nothing, and the others are issued. After an entry fails inside the issuer (KMS throttling),
 * the entries left get that error without being tried.
 */
export async function issueX509SvidBatchForBot(
  deps: IssuerDepsFor<typeof ISSUE_X509_SVID_STORE>,
  request: IssueX509SvidBatchRequest,
): Promise<IssueX509SvidBatchResult> {
  const entries = Array.isArray(request.entries) ? request.entries : [];
  const asked: RefusedRequest = {
    type: "svid_refused",
    detail: { svid_type: "x509_batch", entries: String(entries.length), ...callerRefusalDetail({ credential: request.credential }) },
  };
  return auditRefusals(deps, asked, async (seen) => {
    const list = checkedEntries(request.entries);
    const who = await identifySvidCaller(deps, { credential: request.credential }, seen);
    const outcomes: X509SvidBatchOutcome[] = [];
    const seenCsrs = new Set<string>();
    let failure: TesseraError | undefined;
    for (const entry of list) {
      if (failure) {
        outcomes.push(outcomeOf(failure));
        continue;
      }
      try {
        const svid = await issueEntry(deps, who, entry, seenCsrs, seen);
        outcomes.push({ svid });
      } catch (err) {
        if (!(err instanceof TesseraError)) throw err;
        if (statusForCode(err.code) >= 500) failure = err;
        outcomes.push(outcomeOf(err));
      }
    }
    return { outcomes, bundle: [...(await deps.authorities.bundle()).x509Authorities] };
  });
}

function checkedEntries(value: unknown): X509SvidBatchEntry[] {
  if (!Array.isArray(value) || value.length === 0) throw new RequestInvalidError("issuer: entries must be a non-empty array");
  if (value.length > MAX_X509_SVID_BATCH) {
    throw new BatchTooLargeError(`issuer: a batch asks for at most ${MAX_X509_SVID_BATCH} X.509-SVIDs, not ${value.length}`);
  }
  if (!value.every((e) => typeof e === "object" && e !== null && !Array.isArray(e))) {
    throw new RequestInvalidError("issuer: each entry must be an object");
  }
  return (value as Record<string, unknown>[]).map((e) => ({ csr: e.csr, spiffeId: e.spiffe_id, ttlSeconds: e.ttl, dnsNames: e.dns_names }));
}

async function issueEntry(
  deps: IssuerDepsFor<typeof ISSUE_X509_SVID_STORE>,
  who: Awaited<ReturnType<typeof identifySvidCaller>>,
  entry: X509SvidBatchEntry,
  seenCsrs: Set<string>,
  caller: RefusedRequest,
): Promise<Omit<IssueX509SvidForBotResult, "bundle">> {
  const dnsNames = boundList(entry.dnsNames);
  const asked: RefusedRequest = {
    ...caller,
    spiffeId: boundText(entry.spiffeId),
    detail: { ...caller.detail, svid_type: "x509", ...(dnsNames ? { dns_names: dnsNames } : {}) },
  };
  return auditRefusals(deps, asked, async () => {
    const csr = typeof entry.csr === "string" ? entry.csr.trim() : undefined;
    if (csr !== undefined && seenCsrs.has(csr)) throw new BatchEntryDuplicateError("issuer: this CSR is already in the batch");
    if (csr !== undefined) seenCsrs.add(csr);
    const { spiffeId, chain, serialNumber, expiresAt } = await issueX509SvidForCaller(deps, who, entry);
    return { spiffeId, chain, serialNumber, expiresAt };
  });
}

function outcomeOf(err: TesseraError): X509SvidBatchOutcome {
  return { error: { code: err.code, message: err.message, status: statusForCode(err.code) } };
}
