/**
 * The DynamoDB actions of each function, derived: each function lists the store parts its use
 * cases declare (`functions/<name>/store-parts.ts`, the same lists that type what its routes may
 * call), and each part lists the actions its DynamoDB implementation sends
 * (`DYNAMODB_PART_ACCESS`, checked by recording the conformance suite against the emulator).
 * Nothing scans.
 */
import { ADMIN_FUNCTION_STORE } from "../../functions/admin/store-parts.js";
import { ISSUE_FUNCTION_STORE } from "../../functions/issue/store-parts.js";
import { JOIN_FUNCTION_STORE } from "../../functions/join/store-parts.js";
import { ROTATE_FUNCTION_STORE } from "../../functions/rotate/store-parts.js";
import { type TableAccess, tableAccessOf } from "#tessera/aws";

export type { TableAccess };

/** Per function: the union of what its use cases' store parts send. */
export const TABLE_ACCESS = {
  join: tableAccessOf(JOIN_FUNCTION_STORE),
  issue: tableAccessOf(ISSUE_FUNCTION_STORE),
  admin: tableAccessOf(ADMIN_FUNCTION_STORE),
  rotate: tableAccessOf(ROTATE_FUNCTION_STORE),
} as const satisfies Record<string, TableAccess>;
