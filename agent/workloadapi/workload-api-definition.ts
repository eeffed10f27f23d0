import type { MethodDefinition, ServiceDefinition } from "@grpc/grpc-js";
import { loadSync, type Options, type PackageDefinition } from "@grpc/proto-loader";
import { fileURLToPath } from "node:url";

/** The Workload API's .proto, which ships beside this module and is read at run time. */
export const WORKLOAD_API_PROTO_PATH = fileURLToPath(new URL("./workload.proto", import.meta.url));

/** The service's name in the .proto: method paths are `/SpiffeWorkloadAPI/<Method>`. */
export const WORKLOAD_API_SERVICE = "SpiffeWorkloadAPI";

/** How messages map to objects: field names as in the .proto, bytes as Buffers, every field present. */
const LOADER_OPTIONS: Options = { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true };

/** What the request deserializer answers for bytes that are not a valid message. */
export const MALFORMED_REQUEST: Readonly<Record<string, never>> = Object.freeze({});

/** The proto-loader package of the Workload API, for clients (`grpc.loadPackageDefinition`). */
export function loadWorkloadApiPackage(): PackageDefinition {
  return loadSync(WORKLOAD_API_PROTO_PATH, LOADER_OPTIONS);
}

/** An encoder of one message type, from the method whose response it is. */
export type MessageEncoder = (message: object) => Buffer;

/** The service as the server registers it, and the encoders its handlers use. */
export interface WorkloadApiServerDefinition {
  service: ServiceDefinition;
  /** Response encoders by method name. */
  encoders: Record<string, MessageEncoder>;
}

/**
 * The service for the server. Handlers write responses already encoded (so a stream can compare
 * what it would send with what it sent); requests that fail to decode become `MALFORMED_REQUEST`
 * instead of grpc-js's INTERNAL answer, so the handler can answer INVALID_ARGUMENT.
 */
export function loadWorkloadApiServerDefinition(): WorkloadApiServerDefinition {
  const methods = loadWorkloadApiPackage()[WORKLOAD_API_SERVICE] as unknown as Record<string, MethodDefinition<object, object>>;
  const service: Record<string, MethodDefinition<object, unknown>> = {};
  const encoders: Record<string, MessageEncoder> = {};
  for (const [name, method] of Object.entries(methods)) {
    encoders[name] = (message) => method.responseSerialize(message);
    service[name] = {
      ...method,
      responseSerialize: (encoded: unknown) => encoded as Buffer,
      requestDeserialize: (bytes: Buffer) => {
        try {
          return method.requestDeserialize(bytes);
        } catch {
          return MALFORMED_REQUEST;
        }
      },
    };
  }
  return { service: service as ServiceDefinition, encoders };
}
