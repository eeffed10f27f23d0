import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";

/** An API Gateway HTTP API (payload 2.0) event, with the parsed JSON body once `jsonBody` ran. */
export type HttpEvent = APIGatewayProxyEventV2 & {
  json?: Record<string, unknown>;
  requestContext: APIGatewayProxyEventV2["requestContext"] & {
    authorizer?: { iam?: { userArn?: string; accountId?: string } };
  };
};

/** What a route returns. */
export type HttpResult = APIGatewayProxyStructuredResultV2 & { statusCode: number };

/** One route: an API Gateway route key (`POST /v1/join`) and what answers it. */
export interface Route {
  routeKey: string;
  /** Largest body accepted, bytes; 0 for routes without a body. */
  maxBodyBytes: number;
  handle(event: HttpEvent): Promise<HttpResult>;
}

