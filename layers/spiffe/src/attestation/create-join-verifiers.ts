import type { Clock } from "../clock.js";
import { AwsIamVerifier } from "./aws-iam/aws-iam-verifier.js";
import { AwsEc2Verifier } from "./aws-ec2/aws-ec2-verifier.js";
import { createRegionKeys } from "./aws-ec2/region-certificates.js";
import { GcpVerifier } from "./gcp/gcp-verifier.js";
import { KeySetCache, type KeySetCacheOptions } from "./jwt/key-set-cache.js";
import { OidcVerifier } from "./oidc/oidc-verifier.js";
import type { JoinVerifier, KeyFetchPolicy, PlatformJoinMethod } from "./types.js";

/** The verifier of each platform join method. */
export type JoinVerifiers = Readonly<Record<PlatformJoinMethod, JoinVerifier>>;

/** Options of `createJoinVerifiers`. */
export interface JoinVerifiersOptions extends KeyFetchPolicy {
  clock: Clock;
  /** The audience platform tokens must be minted for when the method fixes it (gcp). */
  audience: string;
  /** Where Google's keys are fetched; default Google's. */
  gcpKeysUrl?: string;
  cache?: KeySetCacheOptions;
  /** An STS endpoint `aws_iam` proofs may be addressed to besides AWS's public ones (an emulator). */
  stsEndpoint?: string;
  /** AWS instance identity certificates (Region to PEM) replacing or adding to the shipped ones (aws_ec2). */
  awsEc2Certificates?: Readonly<Record<string, string>>;
}

/** Build every platform join verifier over one shared key cache. */
export function createJoinVerifiers(options: JoinVerifiersOptions): JoinVerifiers {
  const policy = { allowHttpLoopback: options.allowHttpLoopback };
  const cache = new KeySetCache(policy, options.clock, options.cache);
  return {
    oidc: new OidcVerifier({ policy, cache }),
    aws_iam: new AwsIamVerifier({ extraStsEndpoints: options.stsEndpoint ? [options.stsEndpoint] : [] }),
    gcp: new GcpVerifier({ policy, cache, audience: options.audience, ...(options.gcpKeysUrl ? { keysUrl: options.gcpKeysUrl } : {}) }),
    aws_ec2: new AwsEc2Verifier({ regionKeys: createRegionKeys(options.awsEc2Certificates) }),
  };
}
