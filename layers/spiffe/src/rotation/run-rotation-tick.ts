import type { Bundle } from "../bundle/index.js";
import type { PublishOutcome } from "../bundlepublisher/run-bundle-publishers.js";
import { ensureAuthorities, type AuthorityDeps, type AuthorityPolicy } from "../ca/index.js";
import { JournalConflictError, ReplayError, TesseraError } from "../errors.js";
import type { Logger } from "../logger.js";
import { refreshCrls } from "../revocation/index.js";
import type { REFRESH_CRLS_STORE } from "../revocation/store-parts.js";
import type { RevocationDepsFor } from "../revocation/types.js";
import type { AuditWriter, JournalKind } from "../store/types.js";
import { auditRotationStep } from "./audit-rotation-step.js";
import { describeExpiryWarning } from "./describe-rotation.js";
import { executeRotationStep } from "./execute-rotation-step.js";
import { planRotation, type RotationStep } from "./plan-rotation.js";
import { publishCurrentBundle, type PublishDeps } from "./publish-current-bundle.js";
import type { RotationPolicy } from "./thresholds.js";

/** What a rotation tick needs. */
export interface RotationTickDeps extends PublishDeps {
  authority: AuthorityDeps;
  authorityPolicy: AuthorityPolicy;
  rotationPolicy: Record<JournalKind, RotationPolicy>;
  /** Where each step's audit event (`ca_prepared`, `ca_rotated`, ...) is recorded. */
  store: AuditWriter;
  logger: Pick<Logger, "info" | "warn" | "error">;
  /** When set, each tick also renews CRLs before their nextUpdate and publishes them. */
  revocation?: RevocationDepsFor<typeof REFRESH_CRLS_STORE>;
}

/** What one tick did. */
export interface RotationTickResult {
  /** Which authorities this tick had to make (true only on a fresh deployment). */
  created: Record<JournalKind, boolean>;
  /** The rotation steps this tick carried out, in order. */
  steps: RotationStep[];
  /** Kinds another tick was rotating at the same time (this tick left them alone). */
  busy: JournalKind[];
  bundle: Bundle;
  /** Each publisher and whether it wrote anything, on the tick's last publication. */
  published: { publisher: string; changed: boolean }[];
  /** Each CRL publisher and whether it wrote, or why it failed (a failed CRL refresh: publisher `crl_refresh`); empty without `revocation`. */
  crlsPublished: PublishOutcome[];
}

const KINDS: readonly JournalKind[] = ["x509", "jwt"];
/** Drop, prepare, activate: never more than three steps per kind in one tick. */
const MAX_STEPS_PER_KIND = 3;

async function publishOrThrow(deps: PublishDeps): Promise<Pick<RotationTickResult, "bundle" | "published">> {
  const { bundle, report } = await publishCurrentBundle(deps);
  if (report.failure) throw report.failure;
  return { bundle, published: report.outcomes.map((o) => ({ publisher: o.publisher, changed: "changed" in o && o.changed })) };
}

/** Plan and run steps for one journal until nothing is due; false when another tick holds it. */
async function advance(kind: JournalKind, deps: RotationTickDeps, steps: RotationStep[]): Promise<boolean> {
  for (let i = 0; i < MAX_STEPS_PER_KIND; i++) {
    const journal = await deps.authority.journals.getJournal(kind);
    if (!journal) return true;
    const { due } = planRotation(journal, deps.rotationPolicy[kind], deps.authority.clock.now().getTime());
    if (!due) return true;
    let next;
    try {
      next = await executeRotationStep(journal, due, deps.authority, deps.authorityPolicy);
    } catch (err) {
      if (err instanceof JournalConflictError || err instanceof ReplayError) return false;
      throw err;
    }
    deps.logger.info("rotate: step done", { kind, step: due.type, slot: due.slot });
    await auditRotationStep({ audit: deps.store, logger: deps.logger }, due, journal, next);
    steps.push(due);
  }
  return true;
}

/** Log a WARN for each active key past the warning fraction of its life, before anything that may fail. */
async function warnNearEnd(deps: RotationTickDeps): Promise<void> {
  const now = deps.authority.clock.now().getTime();
  for (const kind of KINDS) {
    const journal = await deps.authority.journals.getJournal(kind);
    const warning = journal && describeExpiryWarning(journal, deps.rotationPolicy[kind], now);
    if (warning) deps.logger.warn(`rotate: ${warning}`, { kind });
  }
}

/** Renew due CRLs and publish them; a failure is logged and left to the next tick, never lost rotation work. */
async function refreshCrlsOrLog(deps: RevocationDepsFor<typeof REFRESH_CRLS_STORE>): Promise<RotationTickResult["crlsPublished"]> {
  try {
    return (await refreshCrls(deps)).published;
  } catch (err) {
    deps.logger.error("rotate: CRL refresh failed", { code: err instanceof TesseraError ? err.code : "ERR_INTERNAL", error: err });
    return [{ publisher: "crl_refresh", error: err instanceof Error ? err : new Error(String(err)) }];
  }
}

/**
 * One rotation tick, the same in Lambda and in `tessera dev`: make the first authorities if missing,
 * publish the bundle (so a key is in the published bundle before any tick may activate it), run the
 * steps the planner finds due for each journal, and publish again when the bundle changed.
 */
export async function runRotationTick(deps: RotationTickDeps): Promise<RotationTickResult> {
  await warnNearEnd(deps);
  const ensured = await ensureAuthorities(deps.authority, deps.authorityPolicy);
  let publication = await publishOrThrow(deps);
  const steps: RotationStep[] = [];
  const busy: JournalKind[] = [];
  for (const kind of KINDS) {
    if (!(await advance(kind, deps, steps))) busy.push(kind);
  }
  // Only a prepare or a drop changes the bundle; an activation or deactivation changes which key signs.
  if (steps.some((s) => s.type === "prepare" || s.type === "drop")) publication = await publishOrThrow(deps);
  else if (steps.length > 0) deps.authorities.invalidate();
  const crlsPublished = deps.revocation ? await refreshCrlsOrLog(deps.revocation) : [];
  return { created: { x509: ensured.x509.created, jwt: ensured.jwt?.created ?? false }, steps, busy, ...publication, crlsPublished };
}
