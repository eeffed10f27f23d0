import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import type { RawResponse, RequestOf, RouteDescriptor } from "../contract/route-descriptor.js";
import type * as v from "valibot";

/** An API Gateway HTTP API (payload 2.0) event, with the parsed JSON body once the router read it. */
export type HttpEvent = APIGatewayProxyEventV2 & {
  json?: Record<string, unknown>;
  requestContext: APIGatewayProxyEventV2["requestContext"] & {
    authorizer?: { iam?: { userArn?: string; accountId?: string } };
  };
};

/** What a route returns. */
export type HttpResult = APIGatewayProxyStructuredResultV2 & { statusCode: number };

/** What a route's handler answers: the JSON body its response schema describes, or a whole result for a raw route. */
export type RouteAnswer<D extends RouteDescriptor> = D["response"] extends RawResponse
  ? HttpResult
  : D["response"] extends v.GenericSchema
    ? v.InferOutput<D["response"]>
    : never;

/** One route: its descriptor in the API contract and the one call that answers it. */
export interface Route<D extends RouteDescriptor = RouteDescriptor> {
  descriptor: D;
  handle(request: RequestOf<D>, event: HttpEvent): Promise<RouteAnswer<D>>;
}

/** Bind a descriptor to its handler, the handler typed by the descriptor's schemas. */
export function bindRoute<D extends RouteDescriptor>(descriptor: D, handle: Route<D>["handle"]): Route {
  return { descriptor, handle } as unknown as Route;
}
