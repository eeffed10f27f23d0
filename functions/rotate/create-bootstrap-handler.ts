import middy, { type MiddlewareObj } from "@middy/core";
import { RequestInvalidError, TesseraError } from "#tessera/core";
import { ensureAuthorities, publishCurrentBundle } from "#tessera/issuer";
import { deleteTrustAnchor, ensureTrustAnchor, getTrustAnchor, type TrustAnchorCalls, type TrustAnchorRef } from "#tessera/aws";
import type { RotateDeps } from "./create-handler.js";

/** What the deployment's custom resource needs: the rotate function's parts and the Roles Anywhere calls. */
export interface BootstrapDeps extends RotateDeps {
  trustAnchors: TrustAnchorCalls;
}

/** What happens to the trust anchor when the custom resource is deleted. */
export type AnchorRemovalPolicy = "retain" | "destroy";

/**
 * The custom resource's properties, as the template sets them. Deliberately no certificate: the
 * anchor's CAs come from the CA journal, never from CloudFormation. Without `TrustAnchorName` the
 * deployment has no Roles Anywhere trust anchor (e.g. on an emulator that lacks the service).
 */
export interface BootstrapProperties {
  TrustDomain: string;
  TrustAnchorName?: string;
  TrustAnchorRemovalPolicy?: AnchorRemovalPolicy;
}

/** The CDK Provider framework's onEvent request (the parts read here). */
export interface BootstrapEvent {
  RequestType: "Create" | "Update" | "Delete";
  PhysicalResourceId?: string;
  ResourceProperties: BootstrapProperties & Record<string, unknown>;
  OldResourceProperties?: Record<string, unknown>;
}

/**
 * The onEvent response: the anchor id as the physical id, and its id and ARN for `Fn::GetAtt`
 * (without an anchor, a fixed id naming the trust domain and no data).
 */
export interface BootstrapResponse {
  PhysicalResourceId: string;
  Data?: { TrustAnchorId: string; TrustAnchorArn: string };
}

/** The Lambda handler behind the custom resource. */
export type BootstrapHandler = (event: BootstrapEvent, context?: unknown) => Promise<BootstrapResponse>;

const ANCHOR_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ANCHOR_NAME = /^[ a-zA-Z0-9_-]{1,255}$/;

function propertiesOf(event: BootstrapEvent, trustDomain: string): BootstrapProperties {
  const { TrustDomain, TrustAnchorName, TrustAnchorRemovalPolicy = "retain" } = event.ResourceProperties ?? ({} as BootstrapProperties);
  if (TrustDomain !== trustDomain) {
    throw new RequestInvalidError(`bootstrap: the resource is for trust domain ${String(TrustDomain)}, the function for ${trustDomain}`);
  }
  if (TrustAnchorName !== undefined && (typeof TrustAnchorName !== "string" || !ANCHOR_NAME.test(TrustAnchorName))) {
    throw new RequestInvalidError("bootstrap: TrustAnchorName must be 1 to 255 letters, digits, spaces, _ or -");
  }
  if (TrustAnchorRemovalPolicy !== "retain" && TrustAnchorRemovalPolicy !== "destroy") {
    throw new RequestInvalidError("bootstrap: TrustAnchorRemovalPolicy must be retain or destroy");
  }
  return { TrustDomain, ...(TrustAnchorName === undefined ? {} : { TrustAnchorName }), TrustAnchorRemovalPolicy };
}

function answer(ref: TrustAnchorRef): BootstrapResponse {
  return { PhysicalResourceId: ref.trustAnchorId, Data: { TrustAnchorId: ref.trustAnchorId, TrustAnchorArn: ref.trustAnchorArn } };
}

function logFailures(deps: BootstrapDeps): MiddlewareObj<BootstrapEvent> {
  return {
    onError: (request) => {
      const err = request.error;
      deps.logger.error("bootstrap: request failed", {
        requestType: request.event?.RequestType,
        code: err instanceof TesseraError ? err.code : "ERR_INTERNAL",
        error: err,
      });
    },
  };
}

async function createOrUpdate(deps: BootstrapDeps, calls: TrustAnchorCalls, event: BootstrapEvent): Promise<BootstrapResponse> {
  const trustDomain = deps.authorityPolicy.trustDomain.name;
  const props = propertiesOf(event, trustDomain);
  await ensureAuthorities(deps.authority, deps.authorityPolicy);
  const { bundle, report } = await publishCurrentBundle(deps);
  if (props.TrustAnchorName === undefined) {
    if (report.failure) throw report.failure;
    return { PhysicalResourceId: `tessera-bootstrap:${trustDomain}` };
  }
  const previous = event.RequestType === "Update" ? event.PhysicalResourceId : undefined;
  // An update keeps the anchor it has and writes nothing into it: certificates change only through
  // rotation, so a redeployment can never put an older CA back.
  let ref = previous && ANCHOR_ID.test(previous) ? await getTrustAnchor(calls, previous) : undefined;
  if (ref) {
    deps.logger.info("bootstrap: trust anchor kept", { trustAnchorId: ref.trustAnchorId });
  } else {
    const ensured = await ensureTrustAnchor(calls, { name: props.TrustAnchorName, trustDomain, bundle });
    deps.logger.info("bootstrap: trust anchor ensured", {
      trustAnchorId: ensured.trustAnchorId,
      created: ensured.created,
      updated: ensured.updated,
    });
    ref = ensured;
  }
  if (report.failure) throw report.failure;
  return answer(ref);
}

async function remove(deps: BootstrapDeps, calls: TrustAnchorCalls, event: BootstrapEvent): Promise<BootstrapResponse> {
  const id = event.PhysicalResourceId ?? "";
  const policy = event.ResourceProperties?.TrustAnchorRemovalPolicy ?? "retain";
  if (policy === "destroy" && ANCHOR_ID.test(id)) {
    const deleted = await deleteTrustAnchor(calls, id);
    deps.logger.info("bootstrap: trust anchor deleted", { trustAnchorId: id, existed: deleted });
  } else {
    deps.logger.info("bootstrap: trust anchor retained", { trustAnchorId: id });
  }
  return { PhysicalResourceId: id };
}

/**
 * The deployment's custom resource. Create: make the first CA and JWT key (the library's ensure
 * step), publish the bundle, then create Tessera's trust anchor holding that CA (or adopt the one
 * a retained earlier deployment left, tagged with the trust domain). Update: ensure and publish
 * again, and keep the anchor untouched. Delete: delete the anchor only when the removal policy
 * says destroy. Keys and the CA journal are never deleted here.
 */
export function createBootstrapHandler(deps: BootstrapDeps): BootstrapHandler {
  const chain = middy<BootstrapEvent, BootstrapResponse>()
    .use(logFailures(deps))
    .handler(async (event) => {
      const calls = deps.trustAnchors;
      switch (event.RequestType) {
        case "Create":
        case "Update":
          return createOrUpdate(deps, calls, event);
        case "Delete":
          return remove(deps, calls, event);
        default:
          throw new RequestInvalidError(`bootstrap: unknown request type ${String((event as { RequestType?: unknown }).RequestType)}`);
      }
    });
  return (event, context) => chain(event, (context ?? {}) as never);
}
