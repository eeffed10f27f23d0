import { publishFailureOf } from "../bundlepublisher/run-bundle-publishers.js";
import { runRotationTick, type RotationTickDeps, type RotationTickResult } from "./run-rotation-tick.js";

/**
 * The tick run when the store says the CA journal or a CRL changed (in AWS: the table's stream, after an
 * emergency rotation or a revocation by the admin function): the scheduled tick's work (it carries out
 * whatever the change left due, publishes the bundle), and a CRL that could not be refreshed or
 * published fails it as a bundle that could not be published does, so the change is delivered again
 * rather than left to the next scheduled tick.
 */
export async function runChangeTick(deps: RotationTickDeps): Promise<RotationTickResult> {
  const tick = await runRotationTick(deps);
  const failure = publishFailureOf(tick.crlsPublished);
  if (failure) throw failure;
  return tick;
}
