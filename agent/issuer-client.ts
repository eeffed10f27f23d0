/**
 * The agent's side of Tessera's HTTP API: the library's one typed client (`client/`), whose
 * request and response types come from the API contract's schemas.
 */
export {
  bundleStateOf,
  type CredentialResponse,
  isPermanentRefusal,
  IssuerApiError,
  IssuerClient,
  type IssuerClientOptions,
  type JwtSvidResponse,
  type RevocationsResponse,
  type TrustStateResponse,
  type X509SvidAsk,
  type X509SvidBatchResponse,
  type X509SvidResponse,
} from "#tessera/contract";
export { IssuerUnreachableError } from "#tessera/core";
