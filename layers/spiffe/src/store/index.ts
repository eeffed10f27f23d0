/**
 * store: everything Tessera keeps (bots, join tokens, bot instances, single-use records, the CA
 * journals, the audit trail) behind one set of small interfaces, with two implementations that
 * pass one conformance suite: `DynamoDbStore` in AWS and `EmbeddedStore` on one machine.
 */
export * from "./types.js";
export * from "./dynamodb/index.js";
export * from "./embedded/index.js";
