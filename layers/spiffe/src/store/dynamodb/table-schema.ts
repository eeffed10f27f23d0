/** One attribute of a key schema, in the shape `CreateTable` takes. */
export interface KeySchemaAttribute {
  readonly AttributeName: string;
  readonly KeyType: "HASH" | "RANGE";
}

/** A key attribute's declared type: every key of the table is a string. */
export interface KeyAttributeDefinition {
  readonly AttributeName: string;
  readonly AttributeType: "S";
}

/** A global secondary index, in the shape `CreateTable` takes (on-demand billing). */
export interface GlobalSecondaryIndexDefinition {
  readonly IndexName: string;
  readonly KeySchema: readonly KeySchemaAttribute[];
  readonly Projection: { readonly ProjectionType: "ALL" };
}

/** Partition key attribute of the table. */
export const PARTITION_KEY = "pk";
/** Sort key attribute of the table. */
export const SORT_KEY = "sk";
/** The numeric TTL attribute (epoch seconds) that DynamoDB's Time to Live must be enabled on. */
export const TTL_ATTRIBUTE = "ttl";

/** Index listing bots, tokens and instances, and audit events by bot. */
export const GSI1_NAME = "gsi1";
/** Index of audit events by SPIFFE ID. */
export const GSI2_NAME = "gsi2";

/** Key schema of the table: string `pk`, string `sk`. */
export const TABLE_KEY_SCHEMA: readonly KeySchemaAttribute[] = Object.freeze([
  Object.freeze({ AttributeName: PARTITION_KEY, KeyType: "HASH" as const }),
  Object.freeze({ AttributeName: SORT_KEY, KeyType: "RANGE" as const }),
]);

/** Types of every key attribute of the table and its indexes. */
export const TABLE_ATTRIBUTE_DEFINITIONS: readonly KeyAttributeDefinition[] = Object.freeze(
  [PARTITION_KEY, SORT_KEY, "gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk"].map((name) =>
    Object.freeze({ AttributeName: name, AttributeType: "S" as const }),
  ),
);

function index(name: string, pk: string, sk: string): GlobalSecondaryIndexDefinition {
  return Object.freeze({
    IndexName: name,
    KeySchema: Object.freeze([
      Object.freeze({ AttributeName: pk, KeyType: "HASH" as const }),
      Object.freeze({ AttributeName: sk, KeyType: "RANGE" as const }),
    ]),
    Projection: Object.freeze({ ProjectionType: "ALL" as const }),
  });
}

/** The table's global secondary indexes (both sparse, both projecting every attribute). */
export const GLOBAL_SECONDARY_INDEXES: readonly GlobalSecondaryIndexDefinition[] = Object.freeze([
  index(GSI1_NAME, "gsi1pk", "gsi1sk"),
  index(GSI2_NAME, "gsi2pk", "gsi2sk"),
]);
