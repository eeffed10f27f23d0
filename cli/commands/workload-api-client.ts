import { Metadata, credentials, loadPackageDefinition, type Client, type ClientReadableStream, type ServiceError } from "@grpc/grpc-js";
import { loadWorkloadApiPackage, WORKLOAD_API_SERVICE } from "../../agent/workloadapi/index.js";

type Rpc = (...args: unknown[]) => unknown;
type WorkloadClient = Client & Record<string, Rpc>;

/** Resolve the socket the spire-agent way: flag, then SPIFFE_ENDPOINT_SOCKET, then the default. Accepts unix:///p, unix:/p and /p. */
export function resolveSocket(flag: string | undefined, env: Readonly<Record<string, string | undefined>>, fallback: string): string {
  const value = flag ?? env.SPIFFE_ENDPOINT_SOCKET ?? fallback;
  const path = value.startsWith("unix://") ? value.slice(7) : value.startsWith("unix:") ? value.slice(5) : value;
  if (!path.startsWith("/")) throw new Error(`socket ${value} must be an absolute unix path`);
  return path;
}

/** A small client of the SPIFFE Workload API, for `tessera agent api ...`. */
export class WorkloadApiClient {
  readonly #client: WorkloadClient;

  constructor(socketPath: string) {
    const pkg = loadPackageDefinition(loadWorkloadApiPackage());
    const Ctor = pkg[WORKLOAD_API_SERVICE] as unknown as new (target: string, creds: unknown, options: object) => WorkloadClient;
    this.#client = new Ctor(`unix://${socketPath}`, credentials.createInsecure(), {});
  }

  #metadata(): Metadata {
    const metadata = new Metadata();
    metadata.set("workload.spiffe.io", "true");
    return metadata;
  }

  /** One unary call. */
  unary<T>(method: string, request: object, timeoutMs = 10_000): Promise<T> {
    return new Promise((resolve, reject) => {
      this.#client[method]!(request, this.#metadata(), { deadline: Date.now() + timeoutMs }, (err: ServiceError | null, res: T) =>
        err ? reject(err) : resolve(res),
      );
    });
  }

  /** The first message of a stream, then cancel it. */
  first<T>(method: string, timeoutMs = 10_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const stream = this.watch<T>(
        method,
        (message) => {
          clearTimeout(timer);
          stream.cancel();
          resolve(message);
        },
        (err) => {
          clearTimeout(timer);
          reject(err);
        },
      );
      const timer = setTimeout(() => {
        stream.cancel();
        reject(new Error(`no answer from the Workload API within ${timeoutMs} ms`));
      }, timeoutMs);
    });
  }

  /** Every message of a stream until it ends or is cancelled. */
  watch<T>(method: string, onMessage: (message: T) => void, onError: (err: ServiceError) => void): ClientReadableStream<T> {
    const stream = this.#client[method]!({}, this.#metadata()) as ClientReadableStream<T>;
    stream.on("data", onMessage);
    stream.on("error", (err: ServiceError) => {
      if (err.code !== 1) onError(err);
    });
    return stream;
  }

  close(): void {
    this.#client.close();
  }
}
