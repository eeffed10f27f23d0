import { GetTrustAnchorCommand, ImportCrlCommand, ListCrlsCommand, UpdateCrlCommand, type CrlDetail } from "@aws-sdk/client-rolesanywhere";
import { equalBytes } from "../../internal/der/der-element.js";
import { encodeCrlPem } from "../../crl/sign-crl.js";
import { decodePem } from "../../internal/der/pem.js";
import type { CrlPublisher, PublishedCrl } from "../../revocation/types.js";
import { BundlePublishError } from "../errors.js";
import { PacedCaller, type PacingOptions } from "./paced-caller.js";
import type { RolesAnywhereApi } from "./roles-anywhere-trust-anchor-publisher.js";
import { PUBLISHER_NAMES } from "../name-publishers.js";

/** Options of `RolesAnywhereCrlPublisher`. */
export interface RolesAnywhereCrlPublisherOptions {
  client: RolesAnywhereApi;
  /** Id of the trust anchor the CRLs revoke for. */
  trustAnchorId: string;
  /** Spacing and retries of the control-plane calls, or a pacer shared with other Roles Anywhere calls. */
  pacing?: PacingOptions | PacedCaller;
}

/** The largest CRL ImportCrl and UpdateCrl take, bytes (of PEM): about 4,500 revoked serials. */
export const MAX_ROLES_ANYWHERE_CRL_BYTES = 300_000;

/** The Roles Anywhere name of a CA's CRL. */
export function crlNameOf(caId: string): string {
  return `tessera-${caId}`;
}

/** The DER of an imported CRL (Roles Anywhere keeps what was sent: PEM, as Tessera sends it, or DER); undefined when it is neither. */
export function importedCrlDer(crl: CrlDetail): Uint8Array | undefined {
  const data = crl.crlData;
  if (data === undefined) return undefined;
  const text = Buffer.from(data).toString("latin1");
  if (!text.includes("-----BEGIN")) return data;
  try {
    return decodePem(text, (message) => new Error(message)).find((block) => block.label === "X509 CRL")?.der;
  } catch {
    return undefined;
  }
}

/** Every CRL imported into Roles Anywhere in this account and Region, page after page. */
export async function listImportedCrls(client: RolesAnywhereApi, caller: PacedCaller): Promise<CrlDetail[]> {
  const crls: CrlDetail[] = [];
  let nextToken: string | undefined;
  do {
    const token = nextToken;
    const page = await caller.call("ListCrls", () => client.send(new ListCrlsCommand(token === undefined ? {} : { nextToken: token })));
    crls.push(...(page.crls ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return crls;
}

/** The CRL imported for a CA and a trust anchor, by Tessera's name for it. */
export function findImportedCrl(crls: readonly CrlDetail[], caId: string, trustAnchorArn: string): CrlDetail | undefined {
  const name = crlNameOf(caId);
  return crls.find((c) => c.name === name && c.trustAnchorArn === trustAnchorArn);
}

/**
 * Keeps each CA's CRL imported into IAM Roles Anywhere for the trust anchor, so a revoked
 * certificate stops buying AWS credentials: `ImportCrl` (PEM, enabled, named `tessera-<ca id>`)
 * the first time, `UpdateCrl` when the CRL changed, nothing when Roles Anywhere holds it already.
 * Calls are paced to the control plane's one a second, and throttling is retried.
 */
export class RolesAnywhereCrlPublisher implements CrlPublisher {
  readonly name = PUBLISHER_NAMES.rolesAnywhereCrl;
  readonly #client: RolesAnywhereApi;
  readonly #trustAnchorId: string;
  readonly #caller: PacedCaller;
  #trustAnchorArn: string | undefined;

  constructor(options: RolesAnywhereCrlPublisherOptions) {
    if (typeof options?.client?.send !== "function")
      throw new TypeError("bundlepublisher: RolesAnywhereCrlPublisher needs a Roles Anywhere client");
    if (typeof options.trustAnchorId !== "string" || options.trustAnchorId === "")
      throw new TypeError("bundlepublisher: trustAnchorId is required");
    this.#client = options.client;
    this.#trustAnchorId = options.trustAnchorId;
    this.#caller = options.pacing instanceof PacedCaller ? options.pacing : new PacedCaller(options.pacing);
  }

  async #anchorArn(): Promise<string> {
    if (this.#trustAnchorArn === undefined) {
      const trustAnchorId = this.#trustAnchorId;
      const out = await this.#caller.call("GetTrustAnchor", () => this.#client.send(new GetTrustAnchorCommand({ trustAnchorId })));
      const arn = out.trustAnchor?.trustAnchorArn;
      if (!arn) throw new BundlePublishError(`bundlepublisher: Roles Anywhere trust anchor ${trustAnchorId} has no ARN`);
      this.#trustAnchorArn = arn;
    }
    return this.#trustAnchorArn;
  }

  /** Import or update each CA's CRL that Roles Anywhere does not hold yet. */
  async publishCrls(crls: readonly PublishedCrl[]): Promise<{ changed: boolean }> {
    if (crls.length === 0) return { changed: false };
    const trustAnchorArn = await this.#anchorArn();
    const existing = await listImportedCrls(this.#client, this.#caller);
    let changed = false;
    for (const crl of crls) {
      const name = crlNameOf(crl.caId);
      const crlData = new TextEncoder().encode(encodeCrlPem(crl.der));
      if (crlData.length > MAX_ROLES_ANYWHERE_CRL_BYTES) {
        throw new BundlePublishError(
          `bundlepublisher: the CRL of CA ${crl.caId} is ${crlData.length} bytes of PEM, over the ${MAX_ROLES_ANYWHERE_CRL_BYTES} Roles Anywhere takes; replace the CA instead of revoking that many SVIDs`,
        );
      }
      const found = findImportedCrl(existing, crl.caId, trustAnchorArn);
      if (found?.crlId === undefined) {
        const tags = [{ key: "tessera:ca-id", value: crl.caId }];
        await this.#caller.call("ImportCrl", () =>
          this.#client.send(new ImportCrlCommand({ name, crlData, trustAnchorArn, enabled: true, tags })),
        );
        changed = true;
      } else if (!equalBytes(importedCrlDer(found) ?? new Uint8Array(), crl.der)) {
        const crlId = found.crlId;
        await this.#caller.call("UpdateCrl", () => this.#client.send(new UpdateCrlCommand({ crlId, crlData })));
        changed = true;
      }
    }
    return { changed };
  }
}
