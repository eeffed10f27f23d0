import { loadSync, type Options, type PackageDefinition } from "@grpc/proto-loader";
import { fileURLToPath } from "node:url";

/** The Workload API's .proto, which ships beside this module and is read at run time. */
export const WORKLOAD_API_PROTO_PATH = fileURLToPath(new URL("./workload.proto", import.meta.url));

/** The service's name in the .proto: method paths are `/SpiffeWorkloadAPI/<Method>`. */
export const WORKLOAD_API_SERVICE = "SpiffeWorkloadAPI";

/** How messages map to objects: field names as in the .proto, bytes as Buffers, every field present. */
const LOADER_OPTIONS: Options = { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true };

/**
 * The proto-loader package of the Workload API, for clients (`grpc.loadPackageDefinition`). The
 * agent's server does not load it: it encodes and decodes with workload-api-codec.ts.
 */
export function loadWorkloadApiPackage(): PackageDefinition {
  return loadSync(WORKLOAD_API_PROTO_PATH, LOADER_OPTIONS);
}
