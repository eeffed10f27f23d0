import { nameErrorClasses, TesseraError } from "../errors.js";

/** Publishing the bundle to a destination failed (not the caller's fault). */
export class BundlePublishError extends TesseraError {
  static override readonly code = "ERR_BUNDLE_PUBLISH";
}

/** The bundle does not fit what an IAM Roles Anywhere trust anchor holds (two CAs, 8,000 PEM characters). */
export class TrustAnchorLimitError extends TesseraError {
  static override readonly code = "ERR_TRUST_ANCHOR_LIMIT";
}

nameErrorClasses({ BundlePublishError, TrustAnchorLimitError });
