import { TesseraError } from "#tessera/core";

/** The kernel's credentials of a Workload API caller could not be read. */
export class PeerCredentialsError extends TesseraError {
  static override readonly code = "ERR_PEER_CREDENTIALS";
}

/** A workload selector in the configuration is not one the Unix attestor produces. */
export class SelectorInvalidError extends TesseraError {
  static override readonly code = "ERR_SELECTOR_INVALID";
}

/** The caller's process could not be inspected for a reason other than its exit. */
export class WorkloadAttestationError extends TesseraError {
  static override readonly code = "ERR_WORKLOAD_ATTESTATION";
}
