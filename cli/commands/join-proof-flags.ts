import {
  AWS_REGION_PATTERN,
  METADATA_ENDPOINT_PATTERN,
  STS_ENDPOINT_PATTERN,
  type JoinProofSource,
  type PlatformJoinMethod,
} from "../../agent/join-proof.js";
import type { CommandContext } from "../main.js";
import { UsageError } from "../output.js";

/** The platform join methods `tessera join` and `tessera svid --join-method` take. */
export const PLATFORM_METHODS: readonly PlatformJoinMethod[] = ["oidc", "gcp", "aws_iam", "aws_ec2"];

/** The flags that say where a platform proof comes from. */
export const JOIN_PROOF_OPTIONS = {
  bot: { type: "string" },
  "token-file": { type: "string" },
  "metadata-endpoint": { type: "string" },
  "token-audience": { type: "string" },
  "sts-region": { type: "string" },
  "sts-endpoint": { type: "string" },
} as const;

/** Usage text of the proof flags, per method. */
export const JOIN_PROOF_USAGE =
  "oidc: --token-file PATH | gcp: --token-file PATH, or the GCE metadata server [--metadata-endpoint URL] --token-audience AUD | " +
  "aws_iam: [--sts-region R] [--sts-endpoint URL] (signs with the default AWS credential chain) | aws_ec2: [--metadata-endpoint URL] (IMDSv2)";

const FLAGS_OF: Record<PlatformJoinMethod, readonly string[]> = {
  oidc: ["token-file"],
  gcp: ["token-file", "metadata-endpoint", "token-audience"],
  aws_iam: ["sts-region", "sts-endpoint"],
  aws_ec2: ["metadata-endpoint"],
};

/** True when `method` is a platform join method. */
export function isPlatformMethod(method: unknown): method is PlatformJoinMethod {
  return PLATFORM_METHODS.includes(method as PlatformJoinMethod);
}

/**
 * The bot and proof source that the flags name for `method`; `UsageError` for a flag of another
 * method, a missing one, or a malformed endpoint or region. A gcp token from the metadata server
 * is asked for `--token-audience`, else `defaultAudience` (never one the issuer names: the token
 * could then be replayed to whoever chose that audience).
 */
export function joinProofSourceOf(
  ctx: CommandContext,
  method: PlatformJoinMethod,
  defaultAudience?: string,
): { botName: string; source: JoinProofSource } {
  const flag = (name: keyof typeof JOIN_PROOF_OPTIONS) => ctx.values[name] as string | undefined;
  for (const name of Object.keys(JOIN_PROOF_OPTIONS)) {
    if (name !== "bot" && flag(name as keyof typeof JOIN_PROOF_OPTIONS) !== undefined && !FLAGS_OF[method].includes(name))
      throw new UsageError(`tessera: --${name} is not for join method ${method}`);
  }
  const botName = flag("bot");
  if (!botName) throw new UsageError(`tessera: join method ${method} needs --bot NAME`);
  const endpoint = flag("metadata-endpoint");
  if (endpoint !== undefined && !METADATA_ENDPOINT_PATTERN.test(endpoint))
    throw new UsageError("tessera: --metadata-endpoint must be an http(s) origin such as http://169.254.169.254");
  const region = flag("sts-region");
  if (region !== undefined && !AWS_REGION_PATTERN.test(region))
    throw new UsageError("tessera: --sts-region must be an AWS region such as eu-west-1");
  const sts = flag("sts-endpoint");
  if (sts !== undefined && !STS_ENDPOINT_PATTERN.test(sts))
    throw new UsageError("tessera: --sts-endpoint must be an http(s) URL with no path, such as http://127.0.0.1:5000");
  const tokenPath = flag("token-file");
  if (method === "oidc" && !tokenPath) throw new UsageError("tessera: join method oidc needs --token-file PATH (the OIDC ID token)");
  if (method === "gcp" && tokenPath && (endpoint || flag("token-audience")))
    throw new UsageError("tessera: gcp reads --token-file or the metadata server, not both");
  const audience = flag("token-audience") ?? defaultAudience;
  if (method === "gcp" && !tokenPath && !audience)
    throw new UsageError(
      "tessera: gcp from the metadata server needs --token-audience AUD (the issuer's join audience, by default spiffe://<trust domain>)",
    );
  const source: JoinProofSource = {
    joinMethod: method,
    ...(tokenPath ? { tokenPath } : {}),
    ...(endpoint ? { metadataEndpoint: endpoint } : {}),
    ...(method === "gcp" && !tokenPath ? { tokenAudience: audience } : {}),
    ...(region ? { stsRegion: region } : {}),
    ...(sts ? { stsEndpoint: sts } : {}),
  };
  return { botName, source };
}
