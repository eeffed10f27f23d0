/**
 * rotation: the CA and JWT-key lifecycle, as SPIRE's CA manager runs it. Each key kind has A/B slots
 * in a journal, each key going prepared -> active -> old -> dropped. `planRotation` is a pure function
 * of journal, policy and clock with the thresholds as named functions; `executeRotationStep` carries
 * out one step with one conditional journal write; `runRotationTick` is what the schedule runs, and
 * `auditRotationStep` records each step it carries out (`ca_prepared`, `ca_rotated`, `ca_retired`,
 * `jwt_key_prepared`, `jwt_key_rotated`, `jwt_key_retired`). `runEmergencyRotation` replaces every
 * key of a kind at once and drops the compromised ones; `runChangeTick` is the tick the rotate function
 * runs when the CA journal or a CRL changed, and publishes what the change left.
 */
export { ROTATION_AUDIT_TYPES, auditRotationStep } from "./audit-rotation-step.js";
export { checkRotationSchedule, minimumKeyTtlSeconds, type RotationScheduleSettings } from "./check-rotation-schedule.js";
export { describeExpiryWarning, describeRotation, type RotationScheduleView } from "./describe-rotation.js";
export { PREPARE_LEASE_MS, executeRotationStep } from "./execute-rotation-step.js";
export { isCompromised, planRotation, type RotationPlan, type RotationStep } from "./plan-rotation.js";
export { requestRotation } from "./request-rotation.js";
export {
  MAX_EMERGENCY_REASON_LENGTH,
  requestEmergencyRotation,
  type EmergencyRequest,
  type EmergencyRequestOutcome,
} from "./request-emergency-rotation.js";
export { runEmergencyRotation, type EmergencyRotationDeps, type EmergencyRotationResult } from "./run-emergency-rotation.js";
export { publishCurrentBundle, type PublishDeps } from "./publish-current-bundle.js";
export { runRotationTick, type RotationTickDeps, type RotationTickResult } from "./run-rotation-tick.js";
export { runChangeTick } from "./run-change-tick.js";
export {
  ACTIVATE_DIVISOR,
  DEFAULT_WARN_FRACTION,
  MIN_PUBLISHED_REFRESH_HINTS,
  PREPARE_DIVISOR,
  SIGNING_LAG_MS,
  activateNextAt,
  dropOldAt,
  prepareNextAt,
  publishedLongEnoughAt,
  shouldActivateNext,
  shouldDropOld,
  shouldPrepareNext,
  shouldWarn,
  warnAt,
  type RotationPolicy,
} from "./thresholds.js";
