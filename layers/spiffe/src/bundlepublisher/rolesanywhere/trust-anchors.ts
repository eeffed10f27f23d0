import {
  CreateTrustAnchorCommand,
  DeleteTrustAnchorCommand,
  GetTrustAnchorCommand,
  ListTagsForResourceCommand,
  ListTrustAnchorsCommand,
  type TrustAnchorDetail,
} from "@aws-sdk/client-rolesanywhere";
import type { Bundle } from "../../bundle/index.js";
import { awsErrorName } from "../../aws/aws-error.js";
import { BundlePublishError } from "../errors.js";
import type { PacedCaller } from "./paced-caller.js";
import { CERTIFICATE_BUNDLE, RolesAnywhereTrustAnchorPublisher, type RolesAnywhereApi } from "./roles-anywhere-trust-anchor-publisher.js";
import { trustAnchorPemOf } from "./trust-anchor-pem.js";

/** Tag that marks a trust anchor as Tessera's, valued with the trust domain it trusts. */
export const TRUST_DOMAIN_TAG = "tessera:trust-domain";

/** A trust anchor, by id and ARN. */
export interface TrustAnchorRef {
  trustAnchorId: string;
  trustAnchorArn: string;
}

/** What the trust-anchor calls need: a client and one pacer shared by every call of a run. */
export interface TrustAnchorCalls {
  client: RolesAnywhereApi;
  caller: PacedCaller;
}

/** Inputs of `ensureTrustAnchor`. */
export interface EnsureTrustAnchorOptions {
  /** Name of the trust anchor. */
  name: string;
  /** The trust domain whose CAs it holds; recorded in the `tessera:trust-domain` tag. */
  trustDomain: string;
  /** The bundle whose X.509 authorities a new anchor is created with. */
  bundle: Bundle;
}

/** The result of `ensureTrustAnchor`. */
export interface EnsureTrustAnchorResult extends TrustAnchorRef {
  /** True when this call created the anchor; false when it found Tessera's own. */
  created: boolean;
  /** True when a found anchor's certificates were brought in line with the bundle. */
  updated: boolean;
}

function refOf(detail: TrustAnchorDetail | undefined, operation: string): TrustAnchorRef {
  if (!detail?.trustAnchorId || !detail.trustAnchorArn) {
    throw new BundlePublishError(`bundlepublisher: Roles Anywhere ${operation} returned no trust anchor id`);
  }
  return { trustAnchorId: detail.trustAnchorId, trustAnchorArn: detail.trustAnchorArn };
}

function isNotFound(err: unknown): boolean {
  return awsErrorName(err) === "ResourceNotFoundException";
}

async function anchorsNamed(calls: TrustAnchorCalls, name: string): Promise<TrustAnchorDetail[]> {
  const found: TrustAnchorDetail[] = [];
  let nextToken: string | undefined;
  do {
    const page = await calls.caller.call("ListTrustAnchors", () =>
      calls.client.send(new ListTrustAnchorsCommand({ ...(nextToken ? { nextToken } : {}), pageSize: 50 })),
    );
    found.push(...(page.trustAnchors ?? []).filter((anchor) => anchor.name === name));
    nextToken = page.nextToken;
  } while (nextToken);
  return found;
}

async function trustDomainTagOf(calls: TrustAnchorCalls, arn: string): Promise<string | undefined> {
  const tags = await calls.caller.call("ListTagsForResource", () =>
    calls.client.send(new ListTagsForResourceCommand({ resourceArn: arn })),
  );
  return tags.tags?.find((tag) => tag.key === TRUST_DOMAIN_TAG)?.value;
}

/**
 * Find Tessera's trust anchor for the trust domain by name and tag, or create it holding the
 * bundle's CA certificates. A found anchor whose certificates differ from the bundle is updated
 * from the bundle (never from anything else). Refuses to adopt an anchor of that name that
 * Tessera did not tag.
 */
export async function ensureTrustAnchor(calls: TrustAnchorCalls, options: EnsureTrustAnchorOptions): Promise<EnsureTrustAnchorResult> {
  const pem = trustAnchorPemOf(options.bundle);
  const named = await anchorsNamed(calls, options.name);
  for (const anchor of named) {
    const ref = refOf(anchor, "ListTrustAnchors");
    if ((await trustDomainTagOf(calls, ref.trustAnchorArn)) !== options.trustDomain) continue;
    const publisher = new RolesAnywhereTrustAnchorPublisher({
      client: calls.client,
      trustAnchorId: ref.trustAnchorId,
      pacing: calls.caller,
    });
    const { changed } = await publisher.publishBundle(options.bundle);
    return { ...ref, created: false, updated: changed };
  }
  if (named.length > 0) {
    throw new BundlePublishError(
      `bundlepublisher: a trust anchor named ${options.name} exists without the ${TRUST_DOMAIN_TAG}=${options.trustDomain} tag; Tessera will not adopt it`,
    );
  }
  const created = await calls.caller.call("CreateTrustAnchor", () =>
    calls.client.send(
      new CreateTrustAnchorCommand({
        name: options.name,
        enabled: true,
        source: { sourceType: CERTIFICATE_BUNDLE, sourceData: { x509CertificateData: pem } },
        tags: [{ key: TRUST_DOMAIN_TAG, value: options.trustDomain }],
      }),
    ),
  );
  return { ...refOf(created.trustAnchor, "CreateTrustAnchor"), created: true, updated: false };
}

/** The trust anchor with this id, or undefined when there is none. */
export async function getTrustAnchor(calls: TrustAnchorCalls, trustAnchorId: string): Promise<TrustAnchorRef | undefined> {
  try {
    const out = await calls.caller.call("GetTrustAnchor", () => calls.client.send(new GetTrustAnchorCommand({ trustAnchorId })));
    return refOf(out.trustAnchor, "GetTrustAnchor");
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/** Delete the trust anchor with this id; true when it was deleted, false when there was none. */
export async function deleteTrustAnchor(calls: TrustAnchorCalls, trustAnchorId: string): Promise<boolean> {
  try {
    await calls.caller.call("DeleteTrustAnchor", () => calls.client.send(new DeleteTrustAnchorCommand({ trustAnchorId })));
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}
