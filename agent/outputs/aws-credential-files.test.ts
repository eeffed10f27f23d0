import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { after, before, describe, it } from "node:test";
import { makeTempDir } from "../../test/support/temp-dir.js";
import type { AwsRolesAnywhereService } from "../config/index.js";
import { formatCredentialProcess, formatSharedCredentials, readCredentialProcess } from "./aws-credential-files.js";

const credentials = {
  accessKeyId: "ASIAEXAMPLE",
  secretAccessKey: "secret/key+1",
  sessionToken: "token==",
  expiration: new Date("2026-11-30T01:00:00.000Z"),
};

describe("AWS credential files", () => {
  let tmp: Awaited<ReturnType<typeof makeTempDir>>;
  let service: AwsRolesAnywhereService;
  before(async () => {
    tmp = await makeTempDir("aws-files");
    service = {
      type: "workload-identity-aws-roles-anywhere",
      spiffeId: "spiffe://example.org/web",
      trustAnchorArn: "a",
      profileArn: "p",
      roleArn: "r",
      sessionDurationSeconds: 3600,
      destination: tmp.path,
      credentialProfileName: "tessera",
      artifactName: "credentials",
    };
  });
  after(async () => tmp?.remove());

  it("writes one profile in the shared credentials format and the credential_process JSON", () => {
    assert.equal(
      formatSharedCredentials("tessera", credentials),
      "[tessera]\naws_access_key_id = ASIAEXAMPLE\naws_secret_access_key = secret/key+1\naws_session_token = token==\n",
    );
    assert.deepEqual(JSON.parse(formatCredentialProcess(credentials)), {
      Version: 1,
      AccessKeyId: "ASIAEXAMPLE",
      SecretAccessKey: "secret/key+1",
      SessionToken: "token==",
      Expiration: "2026-11-30T01:00:00.000Z",
    });
  });

  it("reads the JSON back only while it is valid, and says why not", async () => {
    await assert.rejects(
      readCredentialProcess(service, Date.parse("2026-11-30T00:00:00Z")),
      /no AWS credentials in .*credentials\.json yet \(ENOENT\)/,
    );
    await writeFile(`${tmp.path}/credentials.json`, formatCredentialProcess(credentials));
    assert.equal((await readCredentialProcess(service, Date.parse("2026-11-30T00:59:59Z"))).AccessKeyId, "ASIAEXAMPLE");
    await assert.rejects(readCredentialProcess(service, Date.parse("2026-11-30T01:00:00Z")), /expired at 2026-11-30T01:00:00.000Z/);
  });
});
