import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { IssuerClient } from "../agent/issuer-client.js";
import { type CallOf, pathOf, type ResponseOf, type RouteDescriptor } from "#tessera/contract";
import { signRequestSigV4 } from "#tessera/aws-workload";
import { UsageError } from "./output.js";

/** How to reach and authorise against an issuer. */
export interface TargetOptions {
  issuer: string;
  dataDir: string;
  adminToken?: string;
  /** Sign with SigV4 for API Gateway's IAM auth; on by default for `*.amazonaws.com` URLs. */
  sigv4?: boolean;
  region?: string;
}

/** The admin side of the HTTP API, authorised by the local admin token or by SigV4. */
export class AdminClient {
  readonly #target: TargetOptions;
  readonly #client: IssuerClient;

  constructor(target: TargetOptions) {
    this.#target = target;
    this.#client = new IssuerClient({ issuer: target.issuer });
  }

  get issuer(): IssuerClient {
    return this.#client;
  }

  async #authHeaders(method: string, path: string, body: string | undefined): Promise<Record<string, string>> {
    const url = new URL(this.#target.issuer);
    const sigv4 = this.#target.sigv4 ?? url.hostname.endsWith(".amazonaws.com");
    if (sigv4) {
      const region = this.#target.region ?? /\.([a-z0-9-]+)\.amazonaws\.com$/.exec(url.hostname)?.[1];
      if (!region) throw new UsageError("tessera: --region is needed to sign requests for this issuer URL");
      const headers: Record<string, string> = { accept: "application/json" };
      if (body !== undefined) headers["content-type"] = "application/json";
      return signRequestSigV4(
        { method, url: `${this.#target.issuer.replace(/\/+$/, "")}${path}`, headers, ...(body !== undefined ? { body } : {}) },
        { region },
      );
    }
    const token =
      this.#target.adminToken ?? (await readFile(join(this.#target.dataDir, "admin-token"), "utf8").catch(() => undefined))?.trim();
    if (!token) {
      throw new UsageError(
        `tessera: no admin token: pass --admin-token, set TESSERA_ADMIN_TOKEN, or point --data-dir at the dev issuer's data`,
      );
    }
    return { authorization: `Bearer ${token}` };
  }

  /** One admin call passed through as it is (status and body text), for `tessera console`. */
  async forward(method: string, path: string, body: string | undefined): Promise<{ status: number; body: string }> {
    const headers = await this.#authHeaders(method, path, body);
    const res = await fetch(`${this.#target.issuer.replace(/\/+$/, "")}${path}`, {
      method,
      headers,
      ...(body !== undefined ? { body } : {}),
    });
    return { status: res.status, body: await res.text() };
  }

  /** One admin call of the API contract, typed and checked by the route's schemas. */
  async call<D extends RouteDescriptor>(route: D, input: CallOf<D>): Promise<ResponseOf<D>> {
    const text = input.body === undefined ? undefined : JSON.stringify(input.body);
    const headers = await this.#authHeaders(route.method, pathOf(route, input), text);
    return this.#client.call(route, input, { headers });
  }
}
