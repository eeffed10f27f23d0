import { caIdOf } from "../crl/index.js";
import { JwtSvidsDisabledError, RequestInvalidError } from "../errors.js";
import { parseCertificates } from "../x509svid/index.js";
import { describeRotation, requestRotation, type RotationScheduleView } from "../rotation/index.js";
import type { CaJournal, JournalKind, JournalSlot } from "../store/types.js";
import type { GET_CA_STATUS_STORE, REQUEST_CA_ROTATION_STORE } from "./store-parts.js";
import type { AdminDeps, AdminDepsFor } from "./types.js";

/** One slot as `tessera ca status` shows it. */
export interface SlotStatusView {
  kind: CaJournal["kind"];
  slot: JournalSlot["slot"];
  status: JournalSlot["status"];
  keyId: string;
  /** X.509 slots: the CA's subject key identifier (hex), the id `tessera ca revoke --ca` and CRLs use. */
  caId?: string;
  keyGeneration: number;
  notBefore: string;
  notAfter: string;
  preparedAt: string;
  activatedAt?: string;
  retiredAt?: string;
}

/** The state of the CA and JWT-key journals, and what the rotation schedule does next. */
export interface CaStatus {
  trustDomain: string;
  /** False when JWT-SVIDs are turned off (`TESSERA_JWT_SVIDS=false`): a JWT key left from before only waits to be dropped. */
  jwtSvids: boolean;
  bundleSequence: number;
  slots: SlotStatusView[];
  schedule: RotationScheduleView[];
}

const KINDS: readonly JournalKind[] = ["x509", "jwt"];
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

function slotView(kind: JournalKind, s: JournalSlot): SlotStatusView {
  const view: SlotStatusView = {
    kind,
    slot: s.slot,
    status: s.status,
    keyId: s.keyId,
    keyGeneration: s.keyGeneration,
    notBefore: iso(s.notBefore)!,
    notAfter: iso(s.notAfter)!,
    preparedAt: iso(s.preparedAt)!,
  };
  const [certificate] = s.certificatePem ? parseCertificates(s.certificatePem) : [];
  if (certificate) view.caId = caIdOf(certificate);
  if (s.activatedAt !== undefined) view.activatedAt = iso(s.activatedAt);
  if (s.retiredAt !== undefined) view.retiredAt = iso(s.retiredAt);
  return view;
}

/** The slots of both journals, their keys and expiries, and the planner's next step for each. */
export async function getCaStatus(deps: AdminDepsFor<typeof GET_CA_STATUS_STORE>): Promise<CaStatus> {
  const journals = (await Promise.all(KINDS.map((kind) => deps.store.getJournal(kind)))).filter((j): j is CaJournal => j !== undefined);
  const now = deps.clock.now().getTime();
  const policy = deps.rotationPolicy;
  return {
    trustDomain: deps.trustDomain.name,
    jwtSvids: deps.issuerPolicy.jwtSvids !== false,
    bundleSequence: journals.reduce((sum, j) => sum + j.bundleSequence, 0),
    slots: journals.flatMap((j) => j.slots.map((s) => slotView(j.kind, s))),
    schedule: policy ? journals.map((j) => describeRotation(j, policy[j.kind], now)) : [],
  };
}

const KINDS_BY_NAME: Record<string, readonly JournalKind[]> = { x509: ["x509"], jwt: ["jwt"], all: KINDS };

/**
 * The key kinds a rotation request names (`x509`, `jwt`, or `all`, the default): `all` leaves out
 * the JWT key when JWT-SVIDs are turned off, and naming `jwt` then is `JwtSvidsDisabledError`.
 */
export function rotationKindsOf(deps: Pick<AdminDeps, "issuerPolicy">, kind: string | undefined): readonly JournalKind[] {
  // Own keys only: `constructor` or `toString` would otherwise name Object's members (a 500).
  const kinds = kind === undefined ? KINDS : Object.hasOwn(KINDS_BY_NAME, kind) ? KINDS_BY_NAME[kind] : undefined;
  if (!kinds) throw new RequestInvalidError("admin: kind must be x509, jwt or all");
  if (deps.issuerPolicy.jwtSvids !== false) return kinds;
  if (kind === "jwt")
    throw new JwtSvidsDisabledError("admin: JWT-SVIDs are turned off in this deployment, so there is no JWT key to rotate");
  return kinds.filter((k) => k !== "jwt");
}

/**
 * `tessera ca rotate`: ask the rotation ticks to prepare a new CA and JWT key (or the one `kind`
 * names, see `rotationKindsOf`) now and to activate them as soon as they have been published long
 * enough; returns the status with the new schedule.
 */
export async function requestCaRotation(deps: AdminDepsFor<typeof REQUEST_CA_ROTATION_STORE>, kind?: string): Promise<CaStatus> {
  for (const k of rotationKindsOf(deps, kind)) await requestRotation({ journals: deps.store, clock: deps.clock }, k);
  return getCaStatus(deps);
}
