/** The gRPC status codes the Workload API answers (grpc.io/docs/guides/status-codes). */
export const GrpcStatus = {
  OK: 0,
  CANCELLED: 1,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
} as const;

/** One of `GrpcStatus`. */
export type GrpcStatusCode = (typeof GrpcStatus)[keyof typeof GrpcStatus];
