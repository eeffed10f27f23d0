import type { JWTPayload } from "jose";

/** A preset: defaults and guard rails for one well-known OIDC issuer family. */
export interface OidcPreset {
  /** The issuer used when the rule names none (public SaaS issuers only). */
  defaultIssuer?: string;
  /** Claims of which a rule must constrain at least one: the issuer signs tokens for everyone's jobs. */
  requiredClaims: readonly string[];
}

/** The presets `oidc` rules may name. */
export const OIDC_PRESETS: Readonly<Record<string, OidcPreset>> = {
  github: {
    defaultIssuer: "https://token.actions.githubusercontent.com",
    requiredClaims: ["repository", "repository_owner", "repository_id", "repository_owner_id", "sub"],
  },
  gitlab: {
    defaultIssuer: "https://gitlab.com",
    requiredClaims: ["project_path", "namespace_path", "project_id", "namespace_id", "sub"],
  },
  kubernetes: { requiredClaims: ["namespace", "service_account", "sub"] },
};

/** Top-level claims copied into join attributes when they are strings or numbers. */
const COPIED_CLAIMS = [
  "sub",
  "repository",
  "repository_owner",
  "repository_id",
  "repository_owner_id",
  "ref",
  "ref_type",
  "environment",
  "workflow",
  "job_workflow_ref",
  "actor",
  "project_path",
  "project_id",
  "namespace_path",
  "namespace_id",
  "pipeline_source",
] as const;

/**
 * The attributes an `oidc` join establishes, for templates and the audit trail: the claims above,
 * plus `repository_name` (the part of `repository` after `repository_owner/`) and, from Kubernetes
 * service-account tokens, `namespace`, `service_account` and `pod`. A value that is not one SPIFFE
 * path segment (`org/repo`, `refs/heads/main`) is kept for claim rules but never fills a template.
 */
export const OIDC_ATTRIBUTES: readonly string[] = [...COPIED_CLAIMS, "repository_name", "namespace", "service_account", "pod"];

const MAX_VALUE = 512;

function scalar(value: unknown): string | undefined {
  if (typeof value === "string" && value.length <= MAX_VALUE) return value;
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  return undefined;
}

function nested(value: unknown, ...path: string[]): unknown {
  let at = value;
  for (const key of path) {
    if (typeof at !== "object" || at === null || !Object.hasOwn(at, key)) return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}

/** The join attributes of a verified OIDC token (see `OIDC_ATTRIBUTES`). */
export function oidcAttributesOf(payload: JWTPayload): Record<string, string> {
  const attributes: Record<string, string> = {};
  const put = (name: string, value: unknown) => {
    const text = scalar(value);
    if (text !== undefined) attributes[name] = text;
  };
  for (const name of COPIED_CLAIMS) put(name, payload[name]);
  const owner = attributes.repository_owner;
  if (owner !== undefined && attributes.repository?.startsWith(`${owner}/`)) put("repository_name", attributes.repository.slice(owner.length + 1));
  const k8s = payload["kubernetes.io"];
  put("namespace", nested(k8s, "namespace"));
  put("service_account", nested(k8s, "serviceaccount", "name"));
  put("pod", nested(k8s, "pod", "name"));
  return attributes;
}

/** What claim rules are matched against: every top-level string or number claim, then the attributes. */
export function claimValuesOf(payload: JWTPayload, attributes: Record<string, string>): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [name, value] of Object.entries(payload)) {
    const text = scalar(value);
    if (text !== undefined) values[name] = text;
  }
  return Object.assign(values, attributes);
}
