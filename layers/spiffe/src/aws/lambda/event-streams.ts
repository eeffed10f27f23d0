// Bundled into the Lambda functions in place of @smithy/core/event-streams (an esbuild alias in
// infra/lib/tessera-function.ts). The SDK's protocols load that module with a dynamic import(), for
// event-stream operations only (S3 SelectObjectContent and the like), none of which Tessera calls. In
// a single-file bundle that import() made esbuild wrap the module and all it imports (most of
// @smithy/core) in lazy initializers, every one of which each cold start ran all the same. The S3
// client's configuration names two of its exports when the client is made, so they are here too: an
// event stream that is ever read or written fails with EventStreamsUnavailableError.

/** An event stream was to be read or written in a Lambda function, whose bundle carries no event streams. */
export class EventStreamsUnavailableError extends Error {
  constructor() {
    super("aws: event streams are not in Tessera's Lambda bundles (no operation Tessera calls uses them)");
    this.name = "EventStreamsUnavailableError";
  }
}

function unavailable(): never {
  throw new EventStreamsUnavailableError();
}

/** The SDK's event-stream serde, which the protocols load only for an operation with an event stream. */
export class EventStreamSerde {
  constructor() {
    unavailable();
  }
}

/** The marshaller the S3 client's configuration makes when the client is made; it is never used. */
export const eventStreamSerdeProvider = (): { serialize: () => never; deserialize: () => never } => ({
  serialize: unavailable,
  deserialize: unavailable,
});

/** The S3 client's configuration step: the marshaller from `eventStreamSerdeProvider`, as the SDK's does. */
export const resolveEventStreamSerdeConfig = <T extends { eventStreamSerdeProvider: (config: T) => unknown }>(
  input: T,
): T & { eventStreamMarshaller: unknown } => Object.assign(input, { eventStreamMarshaller: input.eventStreamSerdeProvider(input) });
