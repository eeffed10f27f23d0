import { parseDurationSeconds, SpiffeId, type TrustDomain } from "#tessera/core";

/** A configuration file that breaks the rules; `path` says where (`services[1].destination`). */
export class AgentConfigError extends Error {
  override readonly name = "AgentConfigError";
  readonly code = "ERR_AGENT_CONFIG";
}

/** A YAML mapping as parsed. */
export type Obj = Record<string, unknown>;

/** One mapping of the configuration, read key by key; every failure names its path. */
export class Reader {
  constructor(
    readonly obj: Obj,
    readonly path: string,
  ) {}

  #fail(key: string, message: string): never {
    throw new AgentConfigError(`agent config: ${this.path ? `${this.path}.` : ""}${key} ${message}`);
  }

  allow(keys: readonly string[]): void {
    for (const key of Object.keys(this.obj)) {
      if (!keys.includes(key)) this.#fail(key, `is not a known key (known: ${keys.join(", ")})`);
    }
  }

  string(key: string, required = false): string | undefined {
    const v = this.obj[key];
    if (v === undefined || v === null) return required ? this.#fail(key, "is required") : undefined;
    if (typeof v !== "string" || v === "") this.#fail(key, "must be a non-empty string");
    return v as string;
  }

  bool(key: string, fallback: boolean): boolean {
    const v = this.obj[key];
    if (v === undefined) return fallback;
    if (typeof v !== "boolean") this.#fail(key, "must be true or false");
    return v as boolean;
  }

  duration(key: string): number | undefined {
    const v = this.obj[key];
    if (v === undefined) return undefined;
    try {
      return parseDurationSeconds(String(v), key);
    } catch {
      return this.#fail(key, "must be a duration such as 30s, 20m or 1h");
    }
  }

  strings(key: string, required = false): string[] {
    const v = this.obj[key];
    if (v === undefined) return required ? this.#fail(key, "is required") : [];
    if (!Array.isArray(v) || !v.every((s) => typeof s === "string" && s !== "")) this.#fail(key, "must be a list of strings");
    if (required && (v as string[]).length === 0) this.#fail(key, "must not be empty");
    return v as string[];
  }

  object(key: string, required = false): Reader | undefined {
    const v = this.obj[key];
    if (v === undefined) return required ? this.#fail(key, "is required") : undefined;
    if (typeof v !== "object" || v === null || Array.isArray(v)) this.#fail(key, "must be a mapping");
    return new Reader(v as Obj, this.path ? `${this.path}.${key}` : key);
  }

  list(key: string): Reader[] {
    const v = this.obj[key];
    if (v === undefined) return [];
    if (!Array.isArray(v)) this.#fail(key, "must be a list");
    return (v as unknown[]).map((item, i) => {
      if (typeof item !== "object" || item === null || Array.isArray(item)) this.#fail(`${key}[${i}]`, "must be a mapping");
      return new Reader(item as Obj, `${this.path ? `${this.path}.` : ""}${key}[${i}]`);
    });
  }

  spiffeId(key: string, trustDomain: TrustDomain): string {
    const value = this.string(key, true) as string;
    let id: SpiffeId;
    try {
      id = SpiffeId.fromString(value);
    } catch (err) {
      return this.#fail(key, `is not a SPIFFE ID: ${(err as Error).message}`);
    }
    if (!id.memberOf(trustDomain)) this.#fail(key, `must be in the trust domain ${trustDomain.name}`);
    return value;
  }

  fail(key: string, message: string): never {
    return this.#fail(key, message);
  }
}
