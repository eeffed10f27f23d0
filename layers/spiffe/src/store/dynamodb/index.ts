/**
 * store/dynamodb: the Tessera store over ONE DynamoDB table (`DynamoDbStore`, one part per record
 * kind over a shared `TableClient`; `part-access.ts` lists the actions each part sends), and that table's
 * schema for the CDK stack and the tests: `TABLE_KEY_SCHEMA` (string `pk`, string `sk`),
 * `TABLE_ATTRIBUTE_DEFINITIONS`, `GLOBAL_SECONDARY_INDEXES` (`gsi1`, `gsi2`, both sparse,
 * projecting all attributes), `TTL_ATTRIBUTE` (numeric `ttl`, epoch seconds: enable Time to Live on
 * it), with their shapes `KeySchemaAttribute`, `KeyAttributeDefinition`,
 * `GlobalSecondaryIndexDefinition`. `DynamoDbStoreOptions` takes the caller's document client
 * (`DynamoDbDocumentSender`, the one `send` method used), the table name, the audit retention and a clock.
 *
 * Items (record attributes sit at the top level beside the key attributes):
 *
 * | record | pk | sk | gsi1pk / gsi1sk | gsi2pk / gsi2sk | ttl |
 * | --- | --- | --- | --- | --- | --- |
 * | bot | `BOT#<name>` | `BOT` | `BOTS` / `<name>` | | |
 * | join token | `TOKEN#<hash>` | `TOKEN` | `TOKENS` / `<bot>#<hash>` | | `expiresAt` |
 * | bot instance | `INSTANCE#<id>` | `INSTANCE` | `INSTANCES` / `<bot>#<id>` | | `expiresAt` + 7 days |
 * | replay record | `REPLAY#<namespace>#<key>` | `REPLAY` | | | `expiresAt` |
 * | CA journal | `JOURNAL#<kind>` | `JOURNAL` | | | |
 * | audit event | `AUDIT#<UTC month>` | `<time>#<id>` | `AUDIT#BOT#<bot>` / `<time>#<id>` | `AUDIT#SPIFFE#<id>` / `<time>#<id>`, but not for `x509_svid` and `jwt_svid` | `time` + retention |
 * | revocation | `REVOCATION` | `<x509 or jwt>#<serial or jti>` | | | the SVID's `expiresAt` |
 * | revoked key | `REVOKED_KEY#<thumbprint>` | `KEY` | | | latest `expiresAt` |
 * | CRL | `CRL` | `<CA subject key id, hex>` | | | |
 *
 * (`<bot>` and `<namespace>` are URI-encoded; `<time>` is epoch ms zero-padded to 15 digits.)
 * Every invariant is a ConditionExpression: names and ids with `attribute_not_exists`, journals on
 * `version`, generations on `generation` and the absence of `lock`; a join is one
 * TransactWriteItems (spend the token, put the instance, check that the token's bot item still has
 * the token's `botId`); deleting a bot is one TransactWriteItems with the first 99 of its tokens and
 * instances (the rest follow one by one), and lists keep only records bound to a live bot, so a
 * record a delete left behind is dead (see `bot-deletion.ts`). A bot item with no `id` (written
 * before ids) reads as `legacyBotId(createdAt)`; a token or instance with no `botId` is bound to no
 * bot. TTL deletion is lazy, so expiry is also
 * checked on every read and in every condition: an expired token, replay record or instance
 * counts as absent. Point reads are strongly consistent; `list*` read gsi1 and are eventually
 * consistent. `listAudit` reads the bot (gsi1) partition when the filter names a bot, the SPIFFE
 * ID (gsi2) partition when it names a SPIFFE ID and only event types gsi2 holds (SVID events are
 * left out of gsi2: they are most of the trail, and each would cost a write unit there), else walks
 * the month partitions newest first, filtered, until the limit is met (writes all go to the
 * current month, as they would to any time bucket: about 1,000 events a second at most).
 *
 * The table's stream (keys only) feeds the rotate function the changes of `PUBLISHING_PARTITIONS`
 * (the journals and the CRLs; `publishingStreamFilterPattern` is its event filter), so an emergency
 * rotation or a revocation is published seconds after the admin function writes it.
 */
export { DynamoDbStore, type DynamoDbDocumentSender, type DynamoDbStoreOptions } from "./dynamodb-store.js";
export { PUBLISHING_PARTITIONS, publishingPartitionOf, publishingStreamFilterPattern } from "./publishing-changes.js";
export {
  GLOBAL_SECONDARY_INDEXES,
  TABLE_ATTRIBUTE_DEFINITIONS,
  TABLE_KEY_SCHEMA,
  TTL_ATTRIBUTE,
  type GlobalSecondaryIndexDefinition,
  type KeyAttributeDefinition,
  type KeySchemaAttribute,
} from "./table-schema.js";
