/**
 * issuer: the use cases behind the join and issue functions. Each takes `IssuerDeps` and untrusted
 * request fields, validates everything before writing anything, and audits what it did.
 */
export { isDnsNameAllowed, validateAllowedDnsNamePattern } from "./allowed-dns-names.js";
export { isSpiffeIdAllowed, validateAllowedSpiffeIdPattern, type SpiffeIdTemplateContext } from "./allowed-spiffe-ids.js";
export { checkPolicy, type PolicyCheckDeps, type PolicyCheckRequest, type PolicyCheckResult } from "./check-policy.js";
export { createJoinChallenge, type JoinChallenge } from "./create-join-challenge.js";
export { authenticateBot, type AuthenticatedBot } from "./authenticate-bot.js";
export { issueJwtSvidForBot, type IssueJwtSvidForBotRequest, type IssueJwtSvidForBotResult } from "./issue-jwt-svid.js";
export {
  issueX509SvidBatchForBot,
  MAX_X509_SVID_BATCH,
  type IssueX509SvidBatchRequest,
  type IssueX509SvidBatchResult,
  type X509SvidBatchOutcome,
} from "./issue-x509-svid-batch.js";
export { issueX509SvidForBot, type IssueX509SvidForBotRequest, type IssueX509SvidForBotResult } from "./issue-x509-svid.js";
export { JOIN_ATTRIBUTES, placeholdersFor } from "./policy-template.js";
export { joinBot, type JoinBotRequest } from "./join-bot.js";
export { joinWithToken, type JoinWithTokenRequest } from "./join-with-token.js";
export { renewCredential } from "./renew-credential.js";
export type { CredentialGrant, IssuerDeps, IssuerPolicy, TtlPolicy } from "./types.js";
