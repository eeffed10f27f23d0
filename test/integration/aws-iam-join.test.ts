// The aws_iam join verifier against moto's STS with SigV4 signature checks switched on (a moto of
// its own; see sts-emulator.ts): the JoinVerifier conformance suite on both stores, then the attacks
// that need the network counted, the clock moved or STS gone.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { DeleteTableCommand, DynamoDBClient, waitUntilTableExists } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { AwsIamVerifier, CHALLENGE_TTL_SECONDS, EmbeddedStore, issueJoinChallenge, type JoinRule, type Store } from "#tessera/issuer";
import { runJoinVerifierConformance } from "#tessera/test-support";
import { FixedClock } from "#tessera/core";
import { createAwsIamProof } from "#tessera/aws-workload";
import { DynamoDbStore } from "#tessera/aws";
import { CI_RUNNER_ARN, makeAwsIamFixture, tamper } from "../support/aws-iam-fixture.js";
import { freePort } from "../support/free-port.js";
import { MOTO_ACCOUNT, startStsEmulator, type StsEmulator } from "../support/sts-emulator.js";
import { createTesseraTable } from "../support/tessera-table.js";
import { makeTempDir } from "../support/temp-dir.js";

let started: Promise<StsEmulator> | undefined;
const sts = () => (started ??= startStsEmulator());
const dynamo = new DynamoDBClient({});
const tables: string[] = [];
const dirs: { remove(): Promise<void> }[] = [];

async function embeddedStore(): Promise<Store> {
  const dir = await makeTempDir("aws-iam-join");
  dirs.push(dir);
  return EmbeddedStore.open({ directory: dir.path });
}

async function dynamoDbStore(): Promise<Store> {
  const tableName = await createTesseraTable(dynamo, "tessera-aws-iam");
  tables.push(tableName);
  await waitUntilTableExists({ client: dynamo, maxWaitTime: 120 }, { TableName: tableName });
  return new DynamoDbStore({ client: DynamoDBDocumentClient.from(dynamo), tableName });
}

after(async () => {
  await (await started?.catch(() => undefined))?.stop();
  await Promise.allSettled(tables.map((TableName) => dynamo.send(new DeleteTableCommand({ TableName }))));
  await Promise.allSettled(dirs.map((dir) => dir.remove()));
  dynamo.destroy();
});

runJoinVerifierConformance("AwsIamVerifier on EmbeddedStore", embeddedStore, makeAwsIamFixture(sts));
runJoinVerifierConformance("AwsIamVerifier on DynamoDbStore", dynamoDbStore, makeAwsIamFixture(sts));

async function rejectsWithCode(promise: Promise<unknown>, code: string, label = ""): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.equal((err as { code?: unknown }).code, code, `${label}: ${String(err)}`);
    return true;
  });
}

describe("aws_iam join: challenges, STS calls and rules", () => {
  let e: StsEmulator;
  let store: Store;
  const clock = new FixedClock(Date.now());
  let calls = 0;
  const counted: typeof fetch = (input, init) => {
    calls++;
    return fetch(input, init);
  };
  const verifier = () => new AwsIamVerifier({ extraStsEndpoints: [e.endpoint], fetch: counted });
  const context = () => ({ clock, replay: store });
  const rules = async (claims: Record<string, unknown>): Promise<JoinRule[]> => [
    await verifier().validateRule({ method: "aws_iam", claims }),
  ];
  const proof = async (credentials = e.ciRunner) =>
    createAwsIamProof({ challenge: (await issueJoinChallenge(context())).challenge, endpoint: e.endpoint, credentials });

  before(async () => {
    e = await sts();
    store = await embeddedStore();
  });
  after(async () => store?.close());

  it("refuses proofs for hosts off the allow-list, unsigned challenges and altered bodies before any network call", async () => {
    const ok = await rules({ account: MOTO_ACCOUNT });
    const refused = [
      tamper(await proof(), (r) => void (r.url = "https://sts.amazonaws.com.evil.example/")),
      tamper(await proof(), (r) => void (r.url = "https://sts.amazonaws.com@127.0.0.1/")),
      tamper(await proof(), (r) => void (r.url = "https://127.0.0.1/")),
      tamper(await proof(), (r) => void (r.url = "https://sts.us-east-1.amazonaws.com:444/")),
      tamper(await proof(), (r) => void (r.body = "Action=GetCallerIdentity&Version=2011-06-15 ")),
      tamper(await proof(), (r) => {
        r.headers.authorization = (r.headers.authorization as string).replace(";x-tessera-challenge", "");
      }),
    ];
    for (const [i, token] of refused.entries()) {
      calls = 0;
      await rejectsWithCode(verifier().attest({ token }, ok, context()), "ERR_JOIN_PROOF_INVALID", `refusal ${i}`);
      assert.equal(calls, 0, `refusal ${i} reached the network`);
    }
  });

  it("refuses an expired challenge with ERR_JOIN_CHALLENGE_INVALID before any network call", async () => {
    const token = await proof();
    clock.advance(CHALLENGE_TTL_SECONDS * 1000 + 1);
    try {
      calls = 0;
      await rejectsWithCode(verifier().attest({ token }, await rules({ account: MOTO_ACCOUNT }), context()), "ERR_JOIN_CHALLENGE_INVALID");
      assert.equal(calls, 0);
    } finally {
      clock.advance(-(CHALLENGE_TTL_SECONDS * 1000 + 1));
    }
  });

  it("refuses a replayed challenge with ERR_REPLAY before any network call, and lets one of racing joins win", async () => {
    const ok = await rules({ account: MOTO_ACCOUNT });
    const token = await proof();
    await verifier().attest({ token }, ok, context());
    calls = 0;
    await rejectsWithCode(verifier().attest({ token }, ok, context()), "ERR_REPLAY");
    assert.equal(calls, 0);
    const racing = await proof();
    const results = await Promise.allSettled([1, 2, 3].map(() => verifier().attest({ token: racing }, ok, context())));
    assert.equal(results.filter((r) => r.status === "fulfilled").length, 1);
    for (const r of results) if (r.status === "rejected") assert.equal((r.reason as { code?: string }).code, "ERR_REPLAY");
  });

  it("answers ERR_STS_UNAVAILABLE (503) when STS cannot be reached, and spends nothing", async () => {
    const down = `http://127.0.0.1:${await freePort()}/`;
    const challenge = (await issueJoinChallenge(context())).challenge;
    const token = await createAwsIamProof({ challenge, endpoint: down, credentials: e.ciRunner });
    const offline = new AwsIamVerifier({ extraStsEndpoints: [down], timeoutMs: 2000 });
    await rejectsWithCode(offline.attest({ token }, await rules({ account: MOTO_ACCOUNT }), context()), "ERR_STS_UNAVAILABLE");
    // The outage spent nothing: the same challenge, signed again for a live STS, joins.
    const again = await createAwsIamProof({ challenge, endpoint: e.endpoint, credentials: e.ciRunner });
    await verifier().attest({ token: again }, await rules({ account: MOTO_ACCOUNT }), context());
  });

  it("does not follow a redirect from the STS endpoint (503, nothing spent)", async () => {
    const elsewhere = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/xml" });
      res.end(
        `<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::${MOTO_ACCOUNT}:user/joiner</Arn><UserId>AIDA1</UserId><Account>${MOTO_ACCOUNT}</Account></GetCallerIdentityResult></GetCallerIdentityResponse>`,
      );
    });
    const redirecting = createServer((_req, res) => {
      res.writeHead(307, { location: `http://127.0.0.1:${(elsewhere.address() as AddressInfo).port}/` });
      res.end();
    });
    await Promise.all([elsewhere, redirecting].map((server) => new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))));
    try {
      const endpoint = `http://127.0.0.1:${(redirecting.address() as AddressInfo).port}/`;
      const token = await createAwsIamProof({ challenge: (await issueJoinChallenge(context())).challenge, endpoint, credentials: e.user });
      const redirected = new AwsIamVerifier({ extraStsEndpoints: [endpoint] });
      await rejectsWithCode(redirected.attest({ token }, await rules({ account: MOTO_ACCOUNT }), context()), "ERR_STS_UNAVAILABLE");
    } finally {
      await Promise.all([elsewhere, redirecting].map((server) => new Promise((resolve) => server.close(resolve))));
    }
  });

  it("matches accounts, ARN globs, assumed roles by their role ARN or name, and IAM users", async () => {
    const attest = async (claims: Record<string, unknown>, credentials = e.ciRunner) =>
      verifier().attest({ token: await proof(credentials) }, await rules(claims), context());
    assert.equal(
      (await attest({ account: MOTO_ACCOUNT, arn: `arn:aws:iam::${MOTO_ACCOUNT}:role/ci-runner` })).attributes.arn,
      CI_RUNNER_ARN,
    );
    await attest({ account: MOTO_ACCOUNT, arn: `arn:aws:sts::${MOTO_ACCOUNT}:assumed-role/ci-runner/i-*` });
    await attest({ account: MOTO_ACCOUNT, role: "ci-*" });
    await attest({ account: [MOTO_ACCOUNT, "111122223333"], session_name: "i-0abc123" });
    const user = await attest({ account: MOTO_ACCOUNT, arn: `arn:aws:iam::${MOTO_ACCOUNT}:user/joiner` }, e.user);
    assert.deepEqual([user.attributes.principal_type, user.attributes.user_name, user.attributes.role], ["user", "joiner", undefined]);
  });

  it("refuses the wrong account and the wrong role with ERR_JOIN_RULE_MISMATCH, spending nothing", async () => {
    for (const [label, claims, credentials] of [
      ["wrong account", { account: "111122223333" }, e.ciRunner],
      ["wrong role", { account: MOTO_ACCOUNT, arn: `arn:aws:iam::${MOTO_ACCOUNT}:role/ci-runner` }, e.otherRole],
      ["wrong role name", { account: MOTO_ACCOUNT, role: "ci-runner" }, e.otherRole],
      ["a user is not a role", { account: MOTO_ACCOUNT, role: "*joiner*" }, e.user],
      ["a role ARN glob is not a user", { account: MOTO_ACCOUNT, arn: `arn:aws:iam::${MOTO_ACCOUNT}:role/*` }, e.user],
    ] as const) {
      const token = await proof(credentials);
      await rejectsWithCode(verifier().attest({ token }, await rules(claims), context()), "ERR_JOIN_RULE_MISMATCH", label);
      await verifier().attest({ token }, await rules({ account: MOTO_ACCOUNT }), context());
    }
  });
});
