/**
 * The DynamoDB actions the DynamoDB implementation of each store part sends (IAM authorises a
 * TransactWriteItems by the action of each item in it: PutItem, UpdateItem, DeleteItem,
 * ConditionCheckItem), and whether it reads the global secondary indexes. A function's table
 * access is the union over the parts its use cases declare (`tableAccessOf`). Values only.
 */
import type { StorePart } from "../ports/store.js";

/** One DynamoDB IAM action on the table. */
export type DynamoDbAction =
  | "dynamodb:GetItem"
  | "dynamodb:PutItem"
  | "dynamodb:UpdateItem"
  | "dynamodb:DeleteItem"
  | "dynamodb:ConditionCheckItem"
  | "dynamodb:Query";

/** What a part, or a function, may do on the table. */
export interface TableAccess {
  actions: readonly DynamoDbAction[];
  /** Whether it queries the global secondary indexes. */
  indexes: boolean;
}

const GET = "dynamodb:GetItem";
const PUT = "dynamodb:PutItem";
const UPDATE = "dynamodb:UpdateItem";
const DELETE = "dynamodb:DeleteItem";
const CHECK = "dynamodb:ConditionCheckItem";
const QUERY = "dynamodb:Query";

/** Per part: the actions its methods send (`DynamoDbStore`), proven by the recording run of the conformance suite. */
export const DYNAMODB_PART_ACCESS = {
  BotReader: { actions: [GET], indexes: false },
  BotLister: { actions: [QUERY], indexes: true },
  /** deleteBot reads the bot and its tokens and instances (gsi1), then deletes them in one transaction. */
  BotWriter: { actions: [PUT, GET, QUERY, DELETE], indexes: true },
  BotLocker: { actions: [UPDATE], indexes: false },
  JoinTokenReader: { actions: [GET], indexes: false },
  /** The tokens (gsi1) and the live bots they are checked against. */
  JoinTokenLister: { actions: [QUERY, GET], indexes: true },
  JoinTokenWriter: { actions: [PUT, DELETE], indexes: false },
  /** Read the token; one transaction spends it (update or delete), puts the instance, checks the bot. */
  JoinTokenRedeemer: { actions: [GET, UPDATE, DELETE, PUT, CHECK], indexes: false },
  JoinTokenLocker: { actions: [UPDATE], indexes: false },
  BotInstanceReader: { actions: [GET], indexes: false },
  BotInstanceLister: { actions: [QUERY, GET], indexes: true },
  /** createBotInstance puts (with its claims, in one transaction); advanceGeneration reads, then updates. */
  BotInstanceWriter: { actions: [PUT, GET, UPDATE], indexes: false },
  BotInstanceLocker: { actions: [UPDATE], indexes: false },
  ReplayReader: { actions: [GET], indexes: false },
  ReplayWriter: { actions: [PUT], indexes: false },
  JournalReader: { actions: [GET], indexes: false },
  JournalWriter: { actions: [PUT], indexes: false },
  /** Month partitions of the table, or the bot (gsi1) and SPIFFE ID (gsi2) indexes. */
  AuditReader: { actions: [QUERY], indexes: true },
  AuditWriter: { actions: [PUT], indexes: false },
  RevocationReader: { actions: [QUERY, GET], indexes: false },
  RevocationWriter: { actions: [PUT], indexes: false },
} as const satisfies Record<StorePart, TableAccess>;

/** The table access of a function whose use cases declare `parts`: every action of each part, sorted. */
export function tableAccessOf(parts: readonly StorePart[]): TableAccess {
  const access = parts.map((part) => DYNAMODB_PART_ACCESS[part]);
  return {
    actions: [...new Set(access.flatMap((a): readonly DynamoDbAction[] => a.actions))].sort(),
    indexes: access.some((a) => a.indexes),
  };
}
