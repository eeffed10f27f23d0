import { GetTrustAnchorCommand, UpdateTrustAnchorCommand, type RolesAnywhereClient } from "@aws-sdk/client-rolesanywhere";
import type { Bundle } from "../../bundle/index.js";
import type { BundlePublisher, PublishResult } from "../types.js";
import { PacedCaller, type PacingOptions } from "./paced-caller.js";
import { sameCertificates, trustAnchorPemOf } from "./trust-anchor-pem.js";
import { PUBLISHER_NAMES } from "../name-publishers.js";

/** The one SDK call the Roles Anywhere code needs: a `RolesAnywhereClient`, or a fake in tests. */
export type RolesAnywhereApi = Pick<RolesAnywhereClient, "send">;

/** Options of `RolesAnywhereTrustAnchorPublisher`. */
export interface RolesAnywhereTrustAnchorPublisherOptions {
  client: RolesAnywhereApi;
  /** Id of the trust anchor Tessera keeps in step with its CAs. */
  trustAnchorId: string;
  /** Spacing and retries of the control-plane calls, or a pacer shared with other Roles Anywhere calls. */
  pacing?: PacingOptions | PacedCaller;
}

/** The source type of a trust anchor that holds its CA certificates itself. */
export const CERTIFICATE_BUNDLE = "CERTIFICATE_BUNDLE";

/**
 * Keeps an IAM Roles Anywhere trust anchor holding the bundle's X.509 authorities (one or two CA
 * certificates) with `UpdateTrustAnchor` (SPIRE's `aws_rolesanywhere_trustanchor`). Reads the
 * anchor first and writes only when its certificates differ; refuses a bundle the anchor cannot
 * hold; spaces its calls for the control plane's one call a second and retries throttling.
 */
export class RolesAnywhereTrustAnchorPublisher implements BundlePublisher {
  readonly name = PUBLISHER_NAMES.trustAnchor;
  readonly #client: RolesAnywhereApi;
  readonly #trustAnchorId: string;
  readonly #caller: PacedCaller;

  constructor(options: RolesAnywhereTrustAnchorPublisherOptions) {
    if (typeof options?.client?.send !== "function") {
      throw new TypeError("bundlepublisher: RolesAnywhereTrustAnchorPublisher needs a Roles Anywhere client");
    }
    if (typeof options.trustAnchorId !== "string" || options.trustAnchorId === "") {
      throw new TypeError("bundlepublisher: trustAnchorId is required");
    }
    this.#client = options.client;
    this.#trustAnchorId = options.trustAnchorId;
    this.#caller = options.pacing instanceof PacedCaller ? options.pacing : new PacedCaller(options.pacing);
  }

  /** Put the bundle's CA certificates in the trust anchor unless it already holds exactly them. */
  async publishBundle(bundle: Bundle): Promise<PublishResult> {
    const pem = trustAnchorPemOf(bundle);
    const trustAnchorId = this.#trustAnchorId;
    const current = await this.#caller.call("GetTrustAnchor", () => this.#client.send(new GetTrustAnchorCommand({ trustAnchorId })));
    const source = current.trustAnchor?.source;
    if (source?.sourceType === CERTIFICATE_BUNDLE && sameCertificates(source.sourceData?.x509CertificateData, pem)) {
      return { changed: false };
    }
    await this.#caller.call("UpdateTrustAnchor", () =>
      this.#client.send(
        new UpdateTrustAnchorCommand({
          trustAnchorId,
          source: { sourceType: CERTIFICATE_BUNDLE, sourceData: { x509CertificateData: pem } },
        }),
      ),
    );
    return { changed: true };
  }
}
