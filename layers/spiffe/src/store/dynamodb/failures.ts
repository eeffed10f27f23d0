import { StoreError, TesseraError } from "../../errors.js";

function errorName(err: unknown): string | undefined {
  return typeof err === "object" && err !== null && "name" in err && typeof err.name === "string" ? err.name : undefined;
}

/** Whether a single-item write was refused by its ConditionExpression. */
export function isConditionFailure(err: unknown): boolean {
  return errorName(err) === "ConditionalCheckFailedException";
}

/** The cancellation code of each action of a cancelled transaction; undefined for any other error. */
export function cancellationCodes(err: unknown): (string | undefined)[] | undefined {
  if (errorName(err) !== "TransactionCanceledException") return undefined;
  const reasons = (err as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
  return reasons.map((reason) => reason.Code);
}

/** Tessera errors pass through; anything else (throttling, network, access) becomes a `StoreError`. */
export function storeFailure(operation: string, err: unknown): TesseraError {
  if (err instanceof TesseraError) return err;
  return new StoreError(`store: dynamodb ${operation} failed`, { cause: err });
}
