import type { JWTPayload } from "jose";
import { AWS_STS_ATTRIBUTES, AWS_STS_PRESET } from "./aws-sts-preset.js";
import { AZURE_ATTRIBUTES, AZURE_PRESET } from "./azure-preset.js";
import { attributeText, nestedClaim } from "./claim-values.js";

/** A preset: defaults and guard rails for one well-known OIDC issuer family. */
export interface OidcPreset {
  /** The issuer used when the rule names none (public SaaS issuers only). */
  defaultIssuer?: string;
  /** Claims of which a rule must constrain at least one: the issuer signs tokens for everyone's jobs. */
  requiredClaims: readonly string[];
  /** The algorithms the issuer signs with: a rule's default (and what it may narrow). */
  algorithms?: readonly string[];
  /** Why an issuer URL cannot be this family's, or `undefined` when it can. */
  issuerProblem?(issuer: URL): string | undefined;
  /** Where the discovery document is, when not at `<issuer>/.well-known/openid-configuration`. */
  discoveryUrl?(issuer: URL): string | undefined;
  /** Attributes only this preset's rules establish (templates, rules, audit). */
  attributes?(payload: JWTPayload): Record<string, string>;
  /** Values only this preset's claim rules see, never attributes (e.g. one per principal tag). */
  ruleValues?(payload: JWTPayload): Record<string, string>;
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
  aws_sts: AWS_STS_PRESET,
  azure: AZURE_PRESET,
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
 * service-account tokens, `namespace`, `service_account` and `pod`; rules with the `aws_sts` or
 * `azure` preset add theirs (`AWS_STS_ATTRIBUTES`, `AZURE_ATTRIBUTES`). A value that is not one SPIFFE
 * path segment (`org/repo`, `refs/heads/main`) is kept for claim rules but never fills a template.
 */
export const OIDC_ATTRIBUTES: readonly string[] = [
  ...COPIED_CLAIMS,
  "repository_name",
  "namespace",
  "service_account",
  "pod",
  ...AWS_STS_ATTRIBUTES,
  ...AZURE_ATTRIBUTES,
];

/** The join attributes of a verified OIDC token (see `OIDC_ATTRIBUTES`), with those of the rule's `preset`. */
export function oidcAttributesOf(payload: JWTPayload, preset?: OidcPreset): Record<string, string> {
  const attributes: Record<string, string> = {};
  const put = (name: string, value: unknown) => {
    const text = attributeText(value);
    if (text !== undefined) attributes[name] = text;
  };
  for (const name of COPIED_CLAIMS) put(name, payload[name]);
  const owner = attributes.repository_owner;
  if (owner !== undefined && attributes.repository?.startsWith(`${owner}/`))
    put("repository_name", attributes.repository.slice(owner.length + 1));
  const k8s = payload["kubernetes.io"];
  put("namespace", nestedClaim(k8s, "namespace"));
  put("service_account", nestedClaim(k8s, "serviceaccount", "name"));
  put("pod", nestedClaim(k8s, "pod", "name"));
  return Object.assign(attributes, preset?.attributes?.(payload));
}

/**
 * What claim rules are matched against: every top-level string or number claim, the preset's
 * rule-only values, then the attributes.
 */
export function claimValuesOf(payload: JWTPayload, attributes: Record<string, string>, preset?: OidcPreset): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [name, value] of Object.entries(payload)) {
    const text = attributeText(value);
    if (text !== undefined) values[name] = text;
  }
  return Object.assign(values, preset?.ruleValues?.(payload), attributes);
}
