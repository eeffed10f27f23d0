import { recordAudit } from "../audit/index.js";
import { KeyManagerError, KmsThrottledError, RotationKeyUnavailableError, TesseraError } from "../errors.js";
import type { CaJournal, JournalKind } from "../store/types.js";
import type { RotationStep } from "./plan-rotation.js";
import { requestEmergencyRotation, type EmergencyRequest, type EmergencyRequestOutcome } from "./request-emergency-rotation.js";
import { runRotationTick, type RotationTickDeps, type RotationTickResult } from "./run-rotation-tick.js";

/** What an emergency rotation needs: a rotation tick's parts (its `store` takes the audit events). */
export type EmergencyRotationDeps = RotationTickDeps;

/** What an emergency rotation did, per kind, and the bundle it left published. */
export interface EmergencyRotationResult {
  outcomes: Partial<Record<JournalKind, EmergencyRequestOutcome>>;
  steps: RotationStep[];
  /** Kinds whose emergency another tick still holds (the scheduled ticks finish it); normally none. */
  pending: JournalKind[];
  bundle: RotationTickResult["bundle"];
  published: RotationTickResult["published"];
}

/** How many ticks an emergency runs while another tick holds a journal, and the wait between them. */
const TICKS = 6;
const BUSY_WAIT_MS = 500;

function isKeyFailure(err: unknown): boolean {
  return err instanceof KeyManagerError || err instanceof KmsThrottledError;
}

async function tickOnce(deps: RotationTickDeps): Promise<RotationTickResult> {
  try {
    return await runRotationTick(deps);
  } catch (err) {
    if (!isKeyFailure(err)) throw err;
    const code = err instanceof TesseraError ? err.code : "ERR_INTERNAL";
    throw new RotationKeyUnavailableError(
      `rotation: no new key could be made (${code}); the compromised key stays published, and every rotation tick tries again`,
      { cause: err },
    );
  }
}

async function pendingKinds(deps: RotationTickDeps, kinds: readonly JournalKind[]): Promise<CaJournal[]> {
  const journals = await Promise.all(kinds.map((kind) => deps.authority.journals.getJournal(kind)));
  return journals.filter((j): j is CaJournal => j?.emergency !== undefined);
}

/**
 * Emergency rotation of `kinds`, at once: record the request in each journal, then run rotation ticks
 * (a new key made and activated, every compromised key dropped from the bundle and retired, the bundle
 * published everywhere) until no emergency is pending. Refuses with `ERR_ROTATION_KEY_UNAVAILABLE` when
 * no new key can be made; the request stays recorded and the compromised key published, so nothing
 * is ever left without a key, and each scheduled tick tries again. Each step is audited as the tick
 * audits it (reason `emergency`), and each kind this call asked for as an `emergency_rotation` event.
 */
export async function runEmergencyRotation(
  deps: EmergencyRotationDeps,
  kinds: readonly JournalKind[],
  request: EmergencyRequest,
): Promise<EmergencyRotationResult> {
  const outcomes: EmergencyRotationResult["outcomes"] = {};
  for (const kind of kinds)
    outcomes[kind] = await requestEmergencyRotation({ journals: deps.authority.journals, clock: deps.authority.clock }, kind, request);
  const steps: RotationStep[] = [];
  let failure: unknown;
  let tick: RotationTickResult | undefined;
  let pending: JournalKind[] = [...kinds];
  try {
    for (let i = 0; i < TICKS && pending.length > 0; i++) {
      if (i > 0) await new Promise((resolve) => setTimeout(resolve, BUSY_WAIT_MS));
      tick = await tickOnce(deps);
      steps.push(...tick.steps);
      pending = (await pendingKinds(deps, kinds)).map((j) => j.kind);
    }
  } catch (err) {
    failure = err;
  }
  for (const kind of kinds.filter((k) => outcomes[k] === "recorded")) {
    const done = steps.filter((s) => s.kind === kind);
    await recordAudit(
      { audit: deps.store, logger: deps.logger },
      {
        type: "emergency_rotation",
        time: deps.authority.clock.now().getTime(),
        detail: {
          kind,
          reason: request.reason,
          actor: request.requestedBy,
          steps: done.map((s) => `${s.type} ${s.slot}`).join(", "),
          completed: String(!failure && !pending.includes(kind)),
          ...(failure ? { code: failure instanceof TesseraError ? failure.code : "ERR_INTERNAL" } : {}),
        },
      },
    );
  }
  if (failure) throw failure;
  return { outcomes, steps, pending, bundle: tick!.bundle, published: tick!.published };
}
