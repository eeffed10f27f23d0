import type { JoinRule } from "../../store/types.js";
import { validateClaimsOnlyRule, type ClaimRules } from "../claim-rules.js";

/** The attributes a `gcp` join establishes (`service_account` is an email: rules only, never a template segment). */
export const GCP_ATTRIBUTES: readonly string[] = [
  "project_id",
  "project_number",
  "zone",
  "instance_id",
  "instance_name",
  "service_account",
];

/** A `gcp` join rule, normalised: claim rules over the instance's attributes, a project among them. */
export interface GcpRule extends JoinRule {
  method: "gcp";
  claims: ClaimRules;
}

/** Check and normalise a `gcp` join rule: only `claims`, naming GCE attributes, constraining the project. */
export function validateGcpRule(rule: JoinRule): GcpRule {
  return { method: "gcp", claims: validateClaimsOnlyRule(rule, GCP_ATTRIBUTES, ["project_id", "project_number"]) };
}
