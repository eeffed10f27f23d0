/**
 * credential: the secrets Tessera hands out to bots. A bot credential is
 * `tbc1.<instance id>.<generation>.<secret>`: the instance and generation are in the clear so the
 * issuer can find the record and tell a stale copy from a forgery; the secret is compared by its
 * SHA-256 against the stored hash. Join tokens are random secrets stored only as hashes.
 * `DEAD_CREDENTIAL_CODES` are the refusals after which a bot must join again.
 */
export {
  createInstanceId,
  hashSecret,
  hashesEqual,
  mintBotCredential,
  parseBotCredential,
  type MintedBotCredential,
  type ParsedBotCredential,
} from "./bot-credential.js";
export { DEAD_CREDENTIAL_CODES } from "./dead-credential-codes.js";
export { generateSecret } from "./generate-secret.js";
export { assertJoinTokenShape, generateJoinTokenSecret } from "./join-token.js";
