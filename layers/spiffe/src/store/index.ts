/**
 * store: everything Tessera keeps (bots, join tokens, bot instances, single-use records, the CA
 * journals, the audit trail, revocations) behind small parts per record kind (`ports/`: `BotReader`,
 * `JoinTokenRedeemer`, `AuditWriter`, ...), of which a use case declares the ones it uses
 * (`storeParts`, `StoreFor`). `Store` is every part; two implementations pass one conformance
 * suite: `DynamoDbStore` in AWS and `EmbeddedStore` on one machine.
 */
export * from "./types.js";
export * from "./dynamodb/index.js";
export * from "./embedded/index.js";
