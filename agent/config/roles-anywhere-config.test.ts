import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseAgentConfig } from "./agent-config.js";

const ANCHOR = "arn:aws:rolesanywhere:eu-west-1:123456789012:trust-anchor/0b7a1d2c-1111-4aaa-8bbb-000000000001";
const PROFILE = "arn:aws:rolesanywhere:eu-west-1:123456789012:profile/0b7a1d2c-1111-4aaa-8bbb-000000000002";
const ROLE = "arn:aws:iam::123456789012:role/web";

function config(service: string, extra = ""): string {
  return `version: v1
issuer: http://127.0.0.1:8640
trust_domain: example.org
onboarding: { join_method: token, token: ${"t".repeat(43)} }
services:
  - type: workload-identity-aws-roles-anywhere
    spiffe_id: spiffe://example.org/web
    trust_anchor_arn: ${ANCHOR}
    profile_arn: ${PROFILE}
    role_arn: ${ROLE}
    destination: /var/run/aws
${service}${extra}`;
}

describe("agent config: workload-identity-aws-roles-anywhere", () => {
  it("reads the service with tbot's key names and the defaults", () => {
    const parsed = parseAgentConfig(config(""), { baseDir: "/" });
    assert.deepEqual(parsed.services[0], {
      type: "workload-identity-aws-roles-anywhere",
      spiffeId: "spiffe://example.org/web",
      trustAnchorArn: ANCHOR,
      profileArn: PROFILE,
      roleArn: ROLE,
      sessionDurationSeconds: 3600,
      destination: "/var/run/aws",
      credentialProfileName: "default",
      artifactName: "credentials",
    });
    const full = parseAgentConfig(
      config(
        '    region: eu-west-1\n    endpoint: https://rolesanywhere.eu-west-1.amazonaws.com/\n    session_duration: 2h\n    session_renewal_interval: 30m\n    credential_profile_name: tessera\n    artifact_name: aws_credentials\n    ttl: 4h\n    container_credentials: { listen: "[::1]:9911" }\n',
      ),
    ).services[0];
    assert.deepEqual(
      { ...full, destination: undefined },
      {
        type: "workload-identity-aws-roles-anywhere",
        spiffeId: "spiffe://example.org/web",
        ttlSeconds: 14_400,
        trustAnchorArn: ANCHOR,
        profileArn: PROFILE,
        roleArn: ROLE,
        region: "eu-west-1",
        endpoint: "https://rolesanywhere.eu-west-1.amazonaws.com",
        sessionDurationSeconds: 7200,
        sessionRenewalIntervalSeconds: 1800,
        destination: undefined,
        credentialProfileName: "tessera",
        artifactName: "aws_credentials",
        containerCredentialsListen: "[::1]:9911",
      },
    );
  });

  for (const [what, extra, message] of [
    ["an unknown key", "    role_session_name: x\n", /services\[0\]\.role_session_name is not a known key/],
    ["a session shorter than Roles Anywhere allows", "    session_duration: 10m\n", /session_duration must be between 15m and 12h/],
    ["a session longer than Roles Anywhere allows", "    session_duration: 13h\n", /session_duration must be between 15m and 12h/],
    [
      "a renewal interval as long as the session",
      "    session_duration: 1h\n    session_renewal_interval: 1h\n",
      /session_renewal_interval must be shorter than session_duration/,
    ],
    ["a profile name that would break the INI file", '    credential_profile_name: "a]\\n[b"\n', /credential_profile_name may hold only/],
    ["an artifact name with a slash", "    artifact_name: ../credentials\n", /artifact_name must be a plain file name/],
    ["an endpoint with a path", "    endpoint: https://example.com/x\n", /endpoint must be an http\(s\) URL with no path/],
    ["a region that is not one", "    region: Europe\n", /region must be an AWS region/],
    [
      "a container-credentials endpoint off loopback",
      "    container_credentials: { listen: 0.0.0.0:9911 }\n",
      /container_credentials\.listen must be a loopback address/,
    ],
    [
      "an unknown container-credentials key",
      "    container_credentials: { listen: 127.0.0.1:9911, token: x }\n",
      /container_credentials\.token is not a known key/,
    ],
  ] as const) {
    it(`refuses ${what}`, () => {
      assert.throws(() => parseAgentConfig(config(extra)), { code: "ERR_AGENT_CONFIG", message });
    });
  }

  it("refuses a profile ARN given as the trust anchor, and a profile in another region", () => {
    assert.throws(() => parseAgentConfig(config("").replace(`trust_anchor_arn: ${ANCHOR}`, `trust_anchor_arn: ${PROFILE}`)), {
      code: "ERR_AGENT_CONFIG",
      message: /trust_anchor_arn \/ profile_arn \/ role_arn are not valid: aws: ".*profile.*" is not a Roles Anywhere trust-anchor ARN/,
    });
    assert.throws(
      () => parseAgentConfig(config("").replace(`profile_arn: ${PROFILE}`, `profile_arn: ${PROFILE.replace("eu-west-1", "us-east-1")}`)),
      {
        code: "ERR_AGENT_CONFIG",
        message: /the trust anchor and the profile are in different regions/,
      },
    );
  });

  it("refuses two services writing the same credentials file", () => {
    const second = `  - type: workload-identity-aws-roles-anywhere
    spiffe_id: spiffe://example.org/other
    trust_anchor_arn: ${ANCHOR}
    profile_arn: ${PROFILE}
    role_arn: ${ROLE}
    destination: /var/run/aws
`;
    assert.throws(() => parseAgentConfig(config("", second)), {
      code: "ERR_AGENT_CONFIG",
      message: /write \/var\/run\/aws\/credentials twice/,
    });
  });
});
