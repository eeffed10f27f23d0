import { readFile } from "node:fs/promises";
import { createAwsIamProof } from "#tessera/aws-workload";
import { fetchGceIdentityToken } from "./gce-identity-token.js";
import { fetchInstanceIdentity } from "./instance-identity.js";
import type { IssuerClient } from "./issuer-client.js";

/** An http(s) origin, as metadata endpoints are given (`http://169.254.169.254`, `http://[fd00:ec2::254]`). */
export const METADATA_ENDPOINT_PATTERN = /^https?:\/\/[^/?#@\s]+\/?$/;
/** An http(s) URL with no path, as an STS endpoint other than AWS's is given (an emulator). */
export const STS_ENDPOINT_PATTERN = /^https?:\/\/[^/@]+\/?$/;
/** An AWS region name such as `eu-west-1`. */
export const AWS_REGION_PATTERN = /^[a-z]{2}(-[a-z0-9]+)+-\d$/;

/** A platform join method: the ones that prove the machine with what its platform gives it. */
export type PlatformJoinMethod = "oidc" | "gcp" | "aws_ec2" | "aws_iam";

/**
 * Where a platform proof comes from: a token file (`oidc`, `gcp`), the GCE metadata server (`gcp`
 * without a token file, for `tokenAudience`), IMDSv2 (`aws_ec2`), or the default AWS credential
 * chain signing a fresh challenge for `stsRegion`'s STS or `stsEndpoint` (`aws_iam`).
 */
export interface JoinProofSource {
  joinMethod: PlatformJoinMethod;
  tokenPath?: string;
  metadataEndpoint?: string;
  tokenAudience?: string;
  stsRegion?: string;
  stsEndpoint?: string;
}

/** A platform proof as `POST /v1/join` and an agent-less SVID's `join` take it. */
export interface JoinProof {
  token: string;
  /** The signed instance identity document (`aws_ec2`). */
  document?: string;
}

/** The machine could not produce its proof: a token file unreadable, a metadata server or the AWS credential chain failing. */
export class JoinProofUnavailableError extends Error {
  override readonly name = "JoinProofUnavailableError";
  readonly code = "ERR_JOIN_PROOF_UNAVAILABLE";
  /** True when the proof is a file that could not be read (retrying will not help). */
  readonly fromFile: boolean;

  constructor(message: string, options: { cause?: unknown; fromFile?: boolean } = {}) {
    super(message, { cause: options.cause });
    this.fromFile = options.fromFile ?? false;
  }
}

const reasonOf = (err: unknown) => {
  const cause = (err as { cause?: unknown }).cause;
  const code = (err as NodeJS.ErrnoException).code ?? (cause as NodeJS.ErrnoException | undefined)?.code;
  return code ?? (cause instanceof Error ? cause.message : undefined) ?? (err instanceof Error ? err.message : String(err));
};

async function fromPlatform<T>(what: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (err) {
    throw new JoinProofUnavailableError(`join: cannot ${what} (${reasonOf(err)})`, { cause: err });
  }
}

function stsOf(source: JoinProofSource): { region?: string; endpoint?: string } {
  return { ...(source.stsRegion ? { region: source.stsRegion } : {}), ...(source.stsEndpoint ? { endpoint: source.stsEndpoint } : {}) };
}

/**
 * Make the proof of a platform join from `source`, fresh for each join (the issuer accepts each
 * proof once): read the token file, or ask the platform. `client` is asked for an `aws_iam`
 * challenge only. A failure of the platform side is `JoinProofUnavailableError`; the issuer's own
 * refusals and outages pass through as they are.
 */
export async function createJoinProof(source: JoinProofSource, client: Pick<IssuerClient, "joinChallenge">): Promise<JoinProof> {
  const { joinMethod, tokenPath, tokenAudience, metadataEndpoint } = source;
  if (tokenPath && (joinMethod === "oidc" || joinMethod === "gcp")) {
    try {
      return { token: (await readFile(tokenPath, "utf8")).trim() };
    } catch (err) {
      throw new JoinProofUnavailableError(`join: the token file ${tokenPath} cannot be read (${reasonOf(err)})`, {
        cause: err,
        fromFile: true,
      });
    }
  }
  switch (joinMethod) {
    case "aws_ec2": {
      const identity = await fromPlatform("read the instance identity from IMDSv2", () => fetchInstanceIdentity(metadataEndpoint));
      return { token: identity.signature, document: identity.document };
    }
    case "aws_iam": {
      // The challenge is the issuer's: its refusals and outages pass through as they are.
      const { challenge } = await client.joinChallenge();
      return {
        token: await fromPlatform("sign the aws_iam proof with the default AWS credential chain", () =>
          createAwsIamProof({ challenge, ...stsOf(source) }),
        ),
      };
    }
    case "gcp":
      if (!tokenAudience) throw new TypeError("join: a gcp proof from the metadata server needs tokenAudience");
      return {
        token: await fromPlatform("read the identity token from the GCE metadata server", () =>
          fetchGceIdentityToken(tokenAudience, metadataEndpoint),
        ),
      };
    default:
      throw new TypeError(`join: ${joinMethod} proofs come from a token file`);
  }
}
