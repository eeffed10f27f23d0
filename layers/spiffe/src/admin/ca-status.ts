import { caIdOf } from "../crl/index.js";
import { parseCertificates } from "../x509svid/index.js";
import { describeRotation, requestRotation, type RotationScheduleView } from "../rotation/index.js";
import type { CaJournal, JournalKind, JournalSlot } from "../store/types.js";
import type { GET_CA_STATUS_STORE, REQUEST_CA_ROTATION_STORE } from "./store-parts.js";
import type { AdminDepsFor } from "./types.js";

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
    bundleSequence: journals.reduce((sum, j) => sum + j.bundleSequence, 0),
    slots: journals.flatMap((j) => j.slots.map((s) => slotView(j.kind, s))),
    schedule: policy ? journals.map((j) => describeRotation(j, policy[j.kind], now)) : [],
  };
}

/**
 * `tessera ca rotate`: ask the rotation ticks to prepare a new CA and JWT key now and to activate
 * them as soon as they have been published long enough; returns the status with the new schedule.
 */
export async function requestCaRotation(deps: AdminDepsFor<typeof REQUEST_CA_ROTATION_STORE>): Promise<CaStatus> {
  for (const kind of KINDS) await requestRotation({ journals: deps.store, clock: deps.clock }, kind);
  return getCaStatus(deps);
}
