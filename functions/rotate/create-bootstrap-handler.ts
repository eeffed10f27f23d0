import { RequestInvalidError, TesseraError } from "#tessera/core";
import {
  bootstrapDeployment,
  createLambdaChain,
  type LambdaContextLike,
  type Middleware,
  removeDeployment,
  type TrustAnchorCalls,
  type TrustAnchorRemovalPolicy,
} from "#tessera/aws";
import type { RotateDeps } from "./create-handler.js";

/** What the deployment's custom resource needs: the rotate function's parts and the Roles Anywhere calls. */
export interface BootstrapDeps extends RotateDeps {
  trustAnchors: TrustAnchorCalls;
}

/** What happens to the trust anchor when the custom resource is deleted. */
export type AnchorRemovalPolicy = TrustAnchorRemovalPolicy;

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

function logFailures(deps: BootstrapDeps): Middleware<BootstrapEvent, BootstrapResponse> {
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

async function createOrUpdate(deps: BootstrapDeps, event: BootstrapEvent): Promise<BootstrapResponse> {
  const trustDomain = deps.authorityPolicy.trustDomain.name;
  const props = propertiesOf(event, trustDomain);
  const { trustAnchor } = await bootstrapDeployment(deps, {
    ...(props.TrustAnchorName === undefined ? {} : { trustAnchorName: props.TrustAnchorName }),
    ...(event.RequestType === "Update" && event.PhysicalResourceId ? { previousTrustAnchorId: event.PhysicalResourceId } : {}),
  });
  if (!trustAnchor) return { PhysicalResourceId: `tessera-bootstrap:${trustDomain}` };
  const { trustAnchorId, trustAnchorArn } = trustAnchor;
  return { PhysicalResourceId: trustAnchorId, Data: { TrustAnchorId: trustAnchorId, TrustAnchorArn: trustAnchorArn } };
}

async function remove(deps: BootstrapDeps, event: BootstrapEvent): Promise<BootstrapResponse> {
  const trustAnchorId = event.PhysicalResourceId ?? "";
  const removalPolicy = event.ResourceProperties?.TrustAnchorRemovalPolicy ?? "retain";
  await removeDeployment(deps, { trustAnchorId, removalPolicy });
  return { PhysicalResourceId: trustAnchorId };
}

/**
 * The deployment's custom resource. Create: make the first CA and JWT key (the library's ensure
 * step), publish the bundle, then create Tessera's trust anchor holding that CA (or adopt the one
 * a retained earlier deployment left, tagged with the trust domain). Update: ensure and publish
 * again, and keep the anchor untouched. Delete: delete the anchor only when the removal policy
 * says destroy. Keys and the CA journal are never deleted here.
 */
export function createBootstrapHandler(deps: BootstrapDeps): BootstrapHandler {
  const chain = createLambdaChain([logFailures(deps)], async (event: BootstrapEvent) => {
    switch (event.RequestType) {
      case "Create":
      case "Update":
        return createOrUpdate(deps, event);
      case "Delete":
        return remove(deps, event);
      default:
        throw new RequestInvalidError(`bootstrap: unknown request type ${String((event as { RequestType?: unknown }).RequestType)}`);
    }
  });
  return (event, context) => chain(event, (context ?? {}) as LambdaContextLike);
}
