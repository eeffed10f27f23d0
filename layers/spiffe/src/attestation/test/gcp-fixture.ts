import { randomUUID } from "node:crypto";
import type { JWTPayload } from "jose";
import { FixedClock } from "../../clock.js";
import { GOOGLE_ISSUER, GcpVerifier } from "../gcp/gcp-verifier.js";
import { KeySetCache } from "../jwt/key-set-cache.js";
import type { VerifierFixture } from "./conformance.js";
import { LocalIssuer } from "./local-issuer.js";

export const GCP_AUDIENCE = "spiffe://example.org";

/** A GCE instance identity token's claims (`format=full`), valid for an hour. */
export function gceClaims(overrides: JWTPayload = {}, instance: Record<string, unknown> = {}): JWTPayload {
  const now = Math.floor(Date.now() / 1000);
  return {
    aud: GCP_AUDIENCE,
    azp: "1111",
    sub: "1111",
    email: "web@acme-prod.iam.gserviceaccount.com",
    email_verified: true,
    iat: now,
    exp: now + 3600,
    google: {
      compute_engine: {
        project_id: "acme-prod",
        project_number: 4242,
        zone: "europe-west1-b",
        instance_id: String(Math.floor(Math.random() * 1e15)),
        instance_name: "web-1",
        instance_creation_timestamp: now - 60,
        ...instance,
      },
    },
    ...overrides,
  };
}

/** A loopback stand-in for Google: issues as `https://accounts.google.com`, serves its keys on loopback. */
export async function startGoogle(): Promise<LocalIssuer> {
  const google = await LocalIssuer.start();
  google.issuer = GOOGLE_ISSUER;
  return google;
}

/** The `gcp` verifier's conformance fixture. */
export async function makeGcpFixture(): Promise<VerifierFixture> {
  const google = await startGoogle();
  const clock = new FixedClock(Date.now());
  const policy = { allowHttpLoopback: true };
  const now = Math.floor(Date.now() / 1000);
  const sign = (claims: JWTPayload) => google.sign({ jti: randomUUID(), ...claims });
  return {
    clock,
    newVerifier: () =>
      new GcpVerifier({ policy, cache: new KeySetCache(policy, clock), audience: GCP_AUDIENCE, keysUrl: `${google.url}/jwks` }),
    rules: [{ method: "gcp", claims: { project_id: "acme-prod", zone: "europe-west1-*" } }],
    mismatchedRules: [
      { method: "gcp", claims: { project_id: "acme-dev" } },
      { method: "gcp", claims: { project_id: "acme-prod", service_account: "db@*" } },
    ],
    invalidRules: [
      { name: "no project rule", rule: { method: "gcp", claims: { zone: "europe-west1-b" } } },
      { name: "an unknown claim", rule: { method: "gcp", claims: { project_id: "acme-prod", hostname: "x" } } },
      { name: "an unknown field", rule: { method: "gcp", project_id: "acme-prod" } },
    ],
    validProof: () => google.sign(gceClaims()),
    expectedAttributes: {
      project_id: "acme-prod",
      project_number: "4242",
      zone: "europe-west1-b",
      instance_name: "web-1",
      service_account: "web@acme-prod.iam.gserviceaccount.com",
    },
    refusedProofs: async () => {
      const stranger = await google.sign(gceClaims());
      google.issuer = "https://accounts.example.com";
      const otherIssuer = await google.sign(gceClaims());
      google.issuer = GOOGLE_ISSUER;
      return [
        { name: "another audience", proof: await sign(gceClaims({ aud: "https://other.example.com" })), code: "ERR_JOIN_PROOF_INVALID" },
        { name: "expired", proof: await sign(gceClaims({ iat: now - 7200, exp: now - 3600 })), code: "ERR_JOIN_PROOF_INVALID" },
        { name: "alg none", proof: google.unsigned(gceClaims()), code: "ERR_JOIN_PROOF_INVALID" },
        { name: "HS256 keyed with the public key", proof: google.hmacWithPublicKey(gceClaims()), code: "ERR_JOIN_PROOF_INVALID" },
        {
          name: "ES256 by a published key (Google signs RS256)",
          proof: await google.sign(gceClaims(), "ES256"),
          code: "ERR_JOIN_PROOF_INVALID",
        },
        { name: "unknown kid", proof: await google.sign(gceClaims(), "RS256", { unpublished: true }), code: "ERR_JOIN_PROOF_INVALID" },
        { name: "another issuer, signed by a published key", proof: otherIssuer, code: "ERR_JOIN_PROOF_INVALID" },
        {
          name: "format=standard (no instance claims)",
          proof: await google.sign(gceClaims({ google: undefined })),
          code: "ERR_JOIN_PROOF_INVALID",
        },
        {
          name: "instance claims without project or instance id",
          proof: await google.sign(gceClaims({ google: { compute_engine: { zone: "europe-west1-b" } } })),
          code: "ERR_JOIN_PROOF_INVALID",
        },
        {
          name: "service account email not verified",
          proof: await google.sign(gceClaims({ email_verified: false, google: undefined })),
          code: "ERR_JOIN_PROOF_INVALID",
        },
        {
          name: "signature of another token",
          proof: `${stranger.split(".").slice(0, 2).join(".")}.${otherIssuer.split(".")[2]}`,
          code: "ERR_JOIN_PROOF_INVALID",
        },
      ];
    },
    close: () => google.close(),
  };
}
