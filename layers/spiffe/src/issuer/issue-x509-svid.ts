import { recordAudit } from "../audit/index.js";
import { thumbprintOf } from "../bundle/index.js";
import { requireUsefulAuthority } from "../ca/index.js";
import { caIdOf } from "../crl/index.js";
import { RequestInvalidError, SvidKeyRevokedError } from "../errors.js";
import { parseCsr, signX509Svid } from "../x509svid/index.js";
import { auditRefusals, boundList, boundText, type RefusedRequest } from "./audit-refusals.js";
import { callerRefusalDetail, identifySvidCaller, type SvidCaller, type SvidCallerRequest } from "./identify-svid-caller.js";
import { resolveDnsNames, resolveSvidRequest } from "./resolve-svid-request.js";
import type { ISSUE_X509_SVID_STORE } from "./store-parts.js";
import type { IssuerDepsFor } from "./types.js";

/** Request of `issueX509SvidForBot`. */
export interface IssueX509SvidForBotRequest extends SvidCallerRequest {
  csr: unknown;
  spiffeId: unknown;
  ttlSeconds?: unknown;
  dnsNames?: unknown;
}

/** An issued X.509-SVID with the CA certificates that verify it. */
export interface IssueX509SvidForBotResult {
  spiffeId: string;
  /** DER: the leaf first, then any intermediates (none while Tessera's CA is a root). */
  chain: Uint8Array[];
  serialNumber: string;
  expiresAt: Date;
  /** DER of every X.509 authority in the current bundle. */
  bundle: Uint8Array[];
}

/**
 * Issue an X.509-SVID for a bot, asked with a bot credential or, by a workload without an agent,
 * with a platform proof (see `identifySvidCaller`): caller and locks checked, the SPIFFE ID and every DNS name
 * allowed by the bot's rules, the CSR's signature and key checked (a key of a revoked SVID is refused);
 * exactly one signature by the CA key. The audit event names the signing CA (`ca_id`) for revocation.
 * A refused request is audited (`svid_refused`) with what it asked, bounded.
 */
export async function issueX509SvidForBot(
  deps: IssuerDepsFor<typeof ISSUE_X509_SVID_STORE>,
  request: IssueX509SvidForBotRequest,
): Promise<IssueX509SvidForBotResult> {
  const dnsNames = boundList(request.dnsNames);
  const asked: RefusedRequest = {
    type: "svid_refused",
    spiffeId: boundText(request.spiffeId),
    detail: { svid_type: "x509", ...callerRefusalDetail(request), ...(dnsNames ? { dns_names: dnsNames } : {}) },
  };
  return auditRefusals(deps, asked, (seen) => issue(deps, request, seen));
}

async function issue(
  deps: IssuerDepsFor<typeof ISSUE_X509_SVID_STORE>,
  request: IssueX509SvidForBotRequest,
  asked: RefusedRequest,
): Promise<IssueX509SvidForBotResult> {
  const who = await identifySvidCaller(deps, request, asked);
  return issueX509SvidForCaller(deps, who, request);
}

/**
 * The steps of an X.509-SVID after its caller is known: the SPIFFE ID, DNS names and TTL checked
 * against the caller's bot, the CSR checked, the key's revocation checked, one signature, one audit
 * event. `issueX509SvidBatchForBot` runs it once per entry of a batch.
 */
export async function issueX509SvidForCaller(
  deps: IssuerDepsFor<typeof ISSUE_X509_SVID_STORE>,
  who: SvidCaller,
  request: Omit<IssueX509SvidForBotRequest, keyof SvidCallerRequest>,
): Promise<IssueX509SvidForBotResult> {
  const { spiffeId, ttlSeconds } = resolveSvidRequest(deps, who, request.spiffeId, request.ttlSeconds, deps.policy.x509Svid);
  const dnsNames = resolveDnsNames(request.dnsNames, who.bot);
  if (typeof request.csr !== "string" && !(request.csr instanceof Uint8Array)) {
    throw new RequestInvalidError("issuer: csr must be a PEM string");
  }
  const csr = await parseCsr(request.csr);
  const ca = await deps.authorities.x509();
  const now = deps.clock.now();
  requireUsefulAuthority(ca, now, "X.509 CA");
  const keyThumbprint = await thumbprintOf(csr.publicKey);
  if (await deps.store.revocations.isKeyRevoked(keyThumbprint, now.getTime())) {
    throw new SvidKeyRevokedError("issuer: the CSR's key belongs to a revoked X.509-SVID; make a new key");
  }
  await who.commit();
  const issued = await signX509Svid({
    caKey: ca.key,
    caCertificate: ca.certificate,
    spiffeId,
    publicKey: csr.publicKey,
    notBefore: new Date(now.getTime() - deps.policy.backdateSeconds * 1000),
    notAfter: new Date(now.getTime() + ttlSeconds * 1000),
    dnsNames,
  });
  const notAfter = issued.notAfter;
  const bundle = await deps.authorities.bundle();
  await recordAudit(
    { audit: deps.store, logger: deps.logger },
    {
      type: "x509_svid",
      time: now.getTime(),
      botName: who.bot.name,
      ...(who.instanceId === undefined ? {} : { instanceId: who.instanceId }),
      joinMethod: who.joinMethod,
      spiffeId: spiffeId.toString(),
      serialOrJti: issued.serialNumber,
      expiresAt: notAfter.getTime(),
      keyThumbprint,
      detail: { ...who.auditDetail, ca_id: caIdOf(ca.certificate), bot_id: who.bot.id },
    },
  );
  return {
    spiffeId: spiffeId.toString(),
    chain: [issued.certificate],
    serialNumber: issued.serialNumber,
    expiresAt: notAfter,
    bundle: [...bundle.x509Authorities],
  };
}
