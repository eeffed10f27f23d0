import { ConfigError } from "../errors.js";
import { ACTIVATE_DIVISOR, MIN_PUBLISHED_REFRESH_HINTS, PREPARE_DIVISOR, SIGNING_LAG_MS } from "./thresholds.js";

/** One key kind's settings, each with the name of the variable it came from. */
export interface RotationScheduleSettings {
  keyTtl: { name: string; seconds: number };
  maxSvidTtl: { name: string; seconds: number };
  skewSeconds: number;
  refreshHintSeconds: number;
}

/** The shortest key lifetime the schedule allows, seconds, and the rule that sets it. */
export function minimumKeyTtlSeconds(settings: Omit<RotationScheduleSettings, "keyTtl">): { seconds: number; rule: "svid" | "publish" } {
  const oldWindow = settings.maxSvidTtl.seconds + settings.skewSeconds + SIGNING_LAG_MS / 1000;
  const bySvid = oldWindow * ACTIVATE_DIVISOR;
  const publishLead = 1 / PREPARE_DIVISOR - 1 / ACTIVATE_DIVISOR;
  const byPublish = Math.ceil((MIN_PUBLISHED_REFRESH_HINTS * settings.refreshHintSeconds) / publishLead);
  return bySvid >= byPublish ? { seconds: bySvid, rule: "svid" } : { seconds: byPublish, rule: "publish" };
}

/**
 * Refuse a schedule that could need three keys at once. The old key leaves the bundle a sixth of a
 * lifetime after it is retired, so that sixth must cover the longest SVID plus skew; and a prepared key
 * must be published several refresh hints before the active one reaches its activation point.
 */
export function checkRotationSchedule(settings: RotationScheduleSettings): void {
  const { seconds, rule } = minimumKeyTtlSeconds(settings);
  if (settings.keyTtl.seconds >= seconds) return;
  const why =
    rule === "svid"
      ? `${ACTIVATE_DIVISOR} x (${settings.maxSvidTtl.name} + TESSERA_BACKDATE + ${SIGNING_LAG_MS / 1000}s), so that the old key leaves the bundle before the next is prepared and never more than two are published`
      : `${MIN_PUBLISHED_REFRESH_HINTS} x TESSERA_BUNDLE_REFRESH_HINT / (1/${PREPARE_DIVISOR} - 1/${ACTIVATE_DIVISOR}), so that a new key is published long enough before it signs`;
  throw new ConfigError(`config: ${settings.keyTtl.name} must be at least ${seconds}s: ${why}`);
}
