import { createHash, createHmac, type Hash, type Hmac } from "node:crypto";
import type { SourceData } from "@smithy/types";

/** node:crypto SHA-256 (or HMAC-SHA-256 with a secret) in the shape SignatureV4 wants. */
export class NodeSha256 {
  readonly #secret: Uint8Array | string | undefined;
  #hash: Hash | Hmac;

  constructor(secret?: SourceData) {
    this.#secret =
      secret === undefined || typeof secret === "string"
        ? secret
        : new Uint8Array(
            ArrayBuffer.isView(secret) ? secret.buffer.slice(secret.byteOffset, secret.byteOffset + secret.byteLength) : secret,
          );
    this.#hash = this.#fresh();
  }

  #fresh(): Hash | Hmac {
    return this.#secret === undefined ? createHash("sha256") : createHmac("sha256", this.#secret);
  }

  update(data: Uint8Array | string): void {
    this.#hash.update(data);
  }

  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.#hash.digest());
  }

  reset(): void {
    this.#hash = this.#fresh();
  }
}
