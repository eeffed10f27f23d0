/** The AWS error name (`ThrottlingException`, `NotFound`, ...) of `err`, if it has one. */
export function awsErrorName(err: unknown): string | undefined {
  const name = (err as { name?: unknown } | null | undefined)?.name;
  return typeof name === "string" ? name : undefined;
}

/** The HTTP status of a failed AWS call, if the SDK recorded one. */
export function awsHttpStatus(err: unknown): number | undefined {
  const status = (err as { $metadata?: { httpStatusCode?: unknown } } | null | undefined)?.$metadata?.httpStatusCode;
  return typeof status === "number" ? status : undefined;
}
