import { assertBotName } from "../admin/bots.js";
import { recordAudit } from "../audit/index.js";
import { x509CertificatesOf } from "../ca/index.js";
import { REVOCATION_REASONS, caIdOf } from "../crl/index.js";
import { RequestInvalidError, RevocationNotFoundError } from "../errors.js";
import type { AuditEvent, Revocation, RevocationReason } from "../store/types.js";
import { refreshCrls, type RefreshCrlsResult } from "./refresh-crls.js";
import type { REVOKE_SVIDS_STORE } from "./store-parts.js";
import type { RevocationDepsFor } from "./types.js";

/** What to revoke: exactly one selector, and an optional reason (typed by the API contract's request schema). */
export interface RevokeSvidsRequest {
  /** One X.509-SVID by serial (hex, colons and case ignored). */
  serial?: string;
  /** One JWT-SVID by `jti`. */
  jti?: string;
  /** Every live SVID (X.509 and JWT) issued to this bot. */
  bot?: string;
  /** Every live SVID issued to this bot instance. */
  instance?: string;
  /** Every live X.509-SVID signed by this CA (subject key identifier, hex). */
  ca?: string;
  /** An RFC 5280 CRLReason name; `unspecified` by default (`cACompromise` for a CA). */
  reason?: string;
}

/** What `revokeSvids` revoked and the CRLs it left. */
export interface RevokeSvidsResult extends RefreshCrlsResult {
  /** The revocations recorded by this call (ones recorded before are not repeated). */
  revoked: Revocation[];
  /** Live SVIDs that matched, whether newly revoked or revoked already. */
  matched: number;
}

type Selector = { kind: "serial" | "jti" | "bot" | "instance" | "ca"; value: string };

const SELECTORS = ["serial", "jti", "bot", "instance", "ca"] as const;
const MAX_EVENTS = 1_000_000;

function normalizeSerial(value: string): string {
  if (!/^[0-9a-fA-F:]{1,64}$/.test(value)) throw new RequestInvalidError("revocation: serial must be hex (colons allowed)");
  const digits = value
    .replaceAll(":", "")
    .toLowerCase()
    .replace(/^0+(?=.)/, "");
  if (digits.length > 40 || digits === "0")
    throw new RequestInvalidError("revocation: serial must be a positive number of at most 20 octets");
  return digits.length % 2 === 1 ? `0${digits}` : digits;
}

function selectorOf(request: RevokeSvidsRequest): Selector {
  const given = SELECTORS.filter((name) => request[name] !== undefined);
  if (given.length !== 1) throw new RequestInvalidError("revocation: give exactly one of serial, jti, bot, instance, ca");
  const kind = given[0]!;
  const value = request[kind] as string;
  if (kind === "serial") return { kind, value: normalizeSerial(value) };
  if (kind === "bot") {
    assertBotName(value);
    return { kind, value };
  }
  const pattern = kind === "ca" ? /^[0-9a-f]{2,128}$/ : /^[\x21-\x7e]{1,256}$/;
  if (!pattern.test(value)) {
    throw new RequestInvalidError(
      kind === "ca" ? "revocation: ca must be a CA id (lowercase hex)" : `revocation: ${kind} must be 1-256 printable characters`,
    );
  }
  return { kind, value };
}

function reasonOf(value: string | undefined, selector: Selector): RevocationReason {
  if (value === undefined) return selector.kind === "ca" ? "cACompromise" : "unspecified";
  if (!REVOCATION_REASONS.includes(value as RevocationReason))
    throw new RequestInvalidError(`revocation: reason must be one of ${REVOCATION_REASONS.join(", ")}`);
  return value as RevocationReason;
}

function matches(event: AuditEvent, selector: Selector): boolean {
  switch (selector.kind) {
    case "serial":
    case "jti":
      return event.serialOrJti === selector.value;
    case "bot":
      return event.botName === selector.value;
    case "instance":
      return event.instanceId === selector.value;
    case "ca":
      return event.detail?.ca_id === selector.value;
  }
}

/** The live SVIDs the audit trail records for the selector. */
async function findIssued(deps: RevocationDepsFor<typeof REVOKE_SVIDS_STORE>, selector: Selector, now: number): Promise<AuditEvent[]> {
  const since = now - deps.svidWindowSeconds * 1000;
  const types =
    selector.kind === "serial" || selector.kind === "ca"
      ? (["x509_svid"] as const)
      : selector.kind === "jti"
        ? (["jwt_svid"] as const)
        : (["x509_svid", "jwt_svid"] as const);
  const found: AuditEvent[] = [];
  for (const type of types) {
    const events = await deps.store.listAudit({
      type,
      since,
      limit: MAX_EVENTS,
      ...(selector.kind === "bot" ? { botName: selector.value } : {}),
    });
    found.push(...events.filter((e) => e.serialOrJti !== undefined && (e.expiresAt ?? 0) > now && matches(e, selector)));
  }
  return found;
}

function revocationOf(event: AuditEvent, reason: RevocationReason, actor: string, now: number): Revocation {
  const revocation: Revocation = {
    kind: event.type === "jwt_svid" ? "jwt" : "x509",
    id: event.serialOrJti!,
    expiresAt: event.expiresAt!,
    revokedAt: now,
    reason,
    revokedBy: actor,
  };
  if (event.detail?.ca_id !== undefined) revocation.caId = event.detail.ca_id;
  if (event.keyThumbprint !== undefined) revocation.keyThumbprint = event.keyThumbprint;
  if (event.botName !== undefined) revocation.botName = event.botName;
  if (event.instanceId !== undefined) revocation.instanceId = event.instanceId;
  return revocation;
}

/**
 * Revoke live SVIDs found in the audit trail: one by serial or `jti`, or everything a bot, a bot
 * instance or a CA holds. Each newly revoked SVID is audited (`svid_revoked`), then the CRLs are
 * signed again and published. `RevocationNotFoundError` when a serial or `jti` matches no live
 * SVID, or a CA id no CA of the journal; nothing is written then.
 */
export async function revokeSvids(
  deps: RevocationDepsFor<typeof REVOKE_SVIDS_STORE>,
  request: RevokeSvidsRequest,
  actor: string,
): Promise<RevokeSvidsResult> {
  const selector = selectorOf(request);
  const reason = reasonOf(request.reason, selector);
  const now = deps.clock.now().getTime();
  if (selector.kind === "ca" && !x509CertificatesOf(await deps.store.getJournal("x509")).some((ca) => caIdOf(ca) === selector.value)) {
    throw new RevocationNotFoundError(`revocation: no CA ${selector.value} in the trust bundle`);
  }
  const events = await findIssued(deps, selector, now);
  if (events.length === 0 && (selector.kind === "serial" || selector.kind === "jti")) {
    throw new RevocationNotFoundError(`revocation: no live SVID with ${selector.kind} ${selector.value} in the audit trail`);
  }
  const revoked =
    events.length === 0 ? [] : await deps.store.revocations.addRevocations(events.map((e) => revocationOf(e, reason, actor, now)));
  for (const revocation of revoked) {
    await recordAudit(
      { audit: deps.store, logger: deps.logger },
      {
        type: "svid_revoked",
        time: now,
        ...(revocation.botName !== undefined ? { botName: revocation.botName } : {}),
        ...(revocation.instanceId !== undefined ? { instanceId: revocation.instanceId } : {}),
        serialOrJti: revocation.id,
        expiresAt: revocation.expiresAt,
        detail: { svid_type: revocation.kind, reason, actor, selector: selector.kind },
      },
    );
  }
  const crls = await refreshCrls(deps, { force: revoked.some((r) => r.kind === "x509") });
  return { revoked, matched: events.length, ...crls };
}
