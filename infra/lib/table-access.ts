/**
 * The DynamoDB actions each function's store calls make (read from DynamoDbStore): a single-item
 * method is GetItem / PutItem / UpdateItem / DeleteItem, a join's TransactWriteItems is authorised
 * as the Update or Delete of the token plus the Put of the instance, and the `list*` methods Query
 * the table or its indexes. Nothing scans.
 */
export interface TableAccess {
  actions: readonly string[];
  /** Whether the function queries the global secondary indexes. */
  indexes: boolean;
}

/** Per function: what its use cases call. */
export const TABLE_ACCESS = {
  /** joinWithToken (token read, redeem transaction, audit) and renewCredential (generation update, reuse lock, audit). */
  join: {
    actions: ["dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
    indexes: false,
  },
  /**
   * authenticateBot (reads, reuse lock), a platform proof's single-use record (agent-less SVIDs), the
   * CA journals, the revoked-key read and the audit record of each SVID; the CRL and revocation list (Query).
   */
  issue: { actions: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:UpdateItem"], indexes: false },
  /** Bots, tokens and locks, the bot/token/instance lists and the audit queries (gsi1, gsi2); revocations and CRLs. */
  admin: {
    actions: ["dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:UpdateItem"],
    indexes: true,
  },
  /** ensureAuthorities: journal reads, the authority lease (a conditional put) and the first journal write; CRL renewal (Query, PutItem). */
  rotate: { actions: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"], indexes: false },
} as const satisfies Record<string, TableAccess>;
