import type { KeySpec, SigningKey } from "#tessera/core";
import type { KeyManager, KeyRetirer } from "#tessera/issuer";

/** A key that a `generateKey` replaced or `retireKey` retired, so its key manager deleted (or scheduled it for deletion). */
export interface ReplacedKey {
  id: string;
  /** SPKI DER, base64. */
  publicKey: string;
  at: number;
}

function spkiOf(key: SigningKey): string {
  return key.publicKey.export({ format: "der", type: "spki" }).toString("base64");
}

/**
 * Wraps a key manager: counts every call (signatures too), records each key a `generateKey` replaced,
 * and, once `failAfter` calls have been made, throws instead of calling through (crash injection).
 */
export class CountingKeyManager implements KeyManager, KeyRetirer {
  readonly calls = { generateKey: 0, getKey: 0, listKeys: 0, retireKey: 0, sign: 0 };
  readonly replaced: ReplacedKey[] = [];
  failAfter = Infinity;

  constructor(
    readonly inner: KeyManager & KeyRetirer,
    readonly now: () => number,
  ) {}

  get total(): number {
    return this.calls.generateKey + this.calls.getKey + this.calls.listKeys + this.calls.retireKey + this.calls.sign;
  }

  #count(call: keyof CountingKeyManager["calls"]): void {
    if (this.total >= this.failAfter) throw new Error(`injected crash before key manager call ${this.total + 1} (${call})`);
    this.calls[call]++;
  }

  #wrap(key: SigningKey): SigningKey {
    return {
      id: key.id,
      spec: key.spec,
      publicKey: key.publicKey,
      sign: async (data) => {
        this.#count("sign");
        return key.sign(data);
      },
    };
  }

  async generateKey(id: string, spec: KeySpec): Promise<SigningKey> {
    this.#count("generateKey");
    const previous = await this.inner.getKey(id).catch(() => undefined);
    const key = await this.inner.generateKey(id, spec);
    if (previous) this.replaced.push({ id, publicKey: spkiOf(previous), at: this.now() });
    return this.#wrap(key);
  }

  async retireKey(id: string): Promise<void> {
    this.#count("retireKey");
    const previous = await this.inner.getKey(id).catch(() => undefined);
    await this.inner.retireKey(id);
    if (previous) this.replaced.push({ id, publicKey: spkiOf(previous), at: this.now() });
  }

  async getKey(id: string): Promise<SigningKey> {
    this.#count("getKey");
    return this.#wrap(await this.inner.getKey(id));
  }

  async listKeys(): Promise<SigningKey[]> {
    this.#count("listKeys");
    return (await this.inner.listKeys()).map((k) => this.#wrap(k));
  }
}
