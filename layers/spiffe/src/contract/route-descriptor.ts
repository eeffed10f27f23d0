import type * as v from "valibot";

/** Who may call a route, and how API Gateway authorises it. */
export type RouteAuth =
  /** Public: no credential (the trust bundle, OIDC discovery, revocation data, the join itself). */
  | "none"
  /** A bot credential as `Authorization: Bearer`. */
  | "bot_credential"
  /** A bot credential, or a platform proof in the body's `join` (a workload without an agent). */
  | "bot_credential_or_proof"
  /** An admin principal: SigV4 through API Gateway's IAM authoriser (the dev issuer's admin token locally). */
  | "iam";

/** An object schema of the wire: a body, a query string or the path parameters. */
export type WireObjectSchema =
  | v.ObjectSchema<v.ObjectEntries, v.ErrorMessage<v.ObjectIssue> | undefined>
  | v.LooseObjectSchema<v.ObjectEntries, v.ErrorMessage<v.LooseObjectIssue> | undefined>;

/** The schema of a JSON answer: an object, or an answer of two shapes told apart by one field (`allowed`). */
export type WireAnswerSchema =
  WireObjectSchema | v.VariantSchema<string, v.VariantOptions<string>, v.ErrorMessage<v.VariantIssue> | undefined>;

/** A response that is not JSON of a schema: the content types it may have (PEM, DER, the SPIFFE bundle document). */
export interface RawResponse {
  raw: readonly string[];
}

/**
 * One route of Tessera's HTTP API: the single description that the Lambda handlers, `tessera dev`,
 * the CDK app, the typed client and the OpenAPI check all read.
 */
export interface RouteDescriptor<
  Body extends WireObjectSchema | undefined = WireObjectSchema | undefined,
  Query extends WireObjectSchema | undefined = WireObjectSchema | undefined,
  Params extends WireObjectSchema | undefined = WireObjectSchema | undefined,
  Response extends WireAnswerSchema | RawResponse = WireAnswerSchema | RawResponse,
> {
  method: "GET" | "POST" | "DELETE";
  /** API Gateway path, `{name}` for a path parameter. */
  path: string;
  auth: RouteAuth;
  /** Status of a success. */
  status: 200 | 201;
  /** Largest body accepted, bytes; 0 for routes without a body. */
  maxBodyBytes: number;
  request: {
    body?: Body;
    query?: Query;
    params?: Params;
    /**
     * The use case checks the body itself, so that every refusal is audited with what was asked
     * (join, renew, SVIDs): the router passes the body unchecked and the schema only describes it.
     */
    bodyCheckedByUseCase?: true;
  };
  response: Response;
  /** Headers of every success (caching). */
  headers?: Readonly<Record<string, string>>;
  /** The metric a success counts (Lambda's EMF metrics). */
  successMetric?: string;
}

/** The API Gateway route key of a route: `POST /v1/join`. */
export function routeKeyOf(route: Pick<RouteDescriptor, "method" | "path">): string {
  return `${route.method} ${route.path}`;
}

/** A route descriptor, its schema types kept (so handlers and the client are typed by them). */
export function defineRoute<
  Body extends WireObjectSchema | undefined = undefined,
  Query extends WireObjectSchema | undefined = undefined,
  Params extends WireObjectSchema | undefined = undefined,
  Response extends WireAnswerSchema | RawResponse = RawResponse,
>(route: RouteDescriptor<Body, Query, Params, Response>): RouteDescriptor<Body, Query, Params, Response> {
  return route;
}

type Part<R extends RouteDescriptor, K extends "body" | "query" | "params"> = Exclude<R["request"][K], undefined>;
type OutputOf<S> = [S] extends [never] ? Record<string, never> : S extends v.GenericSchema ? v.InferOutput<S> : Record<string, never>;
type InputOf<S> = S extends v.GenericSchema ? v.InferInput<S> : never;

/** The JSON body of a route's success, as its response schema describes it (the text of a raw route). */
export type ResponseOf<R extends RouteDescriptor> = R["response"] extends v.GenericSchema ? v.InferOutput<R["response"]> : string;

/** What a route's handler receives once the request passed its schemas. */
export type RequestOf<R extends RouteDescriptor> = {
  body: R["request"]["bodyCheckedByUseCase"] extends true ? Record<string, unknown> : OutputOf<Part<R, "body">>;
  query: OutputOf<Part<R, "query">>;
  params: OutputOf<Part<R, "params">>;
};

/** What a caller sends to a route (the typed client's input). */
export type CallOf<R extends RouteDescriptor> = ([Part<R, "body">] extends [never]
  ? { body?: undefined }
  : { body: InputOf<Part<R, "body">> }) &
  ([Part<R, "query">] extends [never] ? { query?: undefined } : { query?: InputOf<Part<R, "query">> }) &
  ([Part<R, "params">] extends [never] ? { params?: undefined } : { params: InputOf<Part<R, "params">> });
