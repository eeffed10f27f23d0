import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { callGetCallerIdentity } from "./call-sts.js";
import { callerAttributesOf } from "./caller-attributes.js";

// Faults real STS will not produce on demand, injected through the fetch the verifier takes.
const request = { url: "https://sts.amazonaws.com/", forwardHeaders: { authorization: "x" }, challenge: "c".repeat(43) };
const xml = (result: string) =>
  `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>${result}</GetCallerIdentityResult></GetCallerIdentityResponse>`;
const OK = "<Arn>arn:aws:iam::123456789012:user/a</Arn><UserId>AIDA1</UserId><Account>123456789012</Account>";
const answering = (body: string | ReadableStream<Uint8Array>, init: ResponseInit = {}) =>
  (async () => new Response(body, init)) as typeof fetch;

async function codeOf(fetchStub: typeof fetch, timeoutMs = 1000): Promise<string | undefined> {
  try {
    await callGetCallerIdentity(request, { fetch: fetchStub, timeoutMs });
    return undefined;
  } catch (err) {
    return (err as { code?: string }).code;
  }
}

describe("aws_iam: reading STS's answer", () => {
  it("reads Account, Arn and UserId from XML and from JSON", async () => {
    assert.deepEqual(await callGetCallerIdentity(request, { fetch: answering(xml(OK)), timeoutMs: 1000 }), {
      account: "123456789012",
      arn: "arn:aws:iam::123456789012:user/a",
      userId: "AIDA1",
    });
    const json = JSON.stringify({
      GetCallerIdentityResponse: {
        GetCallerIdentityResult: { Account: "123456789012", Arn: "arn:aws:iam::123456789012:user/a", UserId: "AIDA1" },
      },
    });
    assert.equal(
      (
        await callGetCallerIdentity(request, {
          fetch: answering(json, { headers: { "content-type": "application/json" } }),
          timeoutMs: 1000,
        })
      ).userId,
      "AIDA1",
    );
  });

  it("puts the caller's refusals at 401 and STS's own trouble at 503", async () => {
    const error = (code: string) => `<ErrorResponse><Error><Code>${code}</Code></Error></ErrorResponse>`;
    assert.equal(await codeOf(answering(error("SignatureDoesNotMatch"), { status: 403 })), "ERR_JOIN_PROOF_INVALID");
    assert.equal(await codeOf(answering(error("ExpiredToken"), { status: 400 })), "ERR_JOIN_PROOF_INVALID");
    assert.equal(await codeOf(answering(error("Throttling"), { status: 400 })), "ERR_STS_UNAVAILABLE");
    assert.equal(await codeOf(answering("", { status: 500 })), "ERR_STS_UNAVAILABLE");
    assert.equal(await codeOf(answering("", { status: 302, headers: { location: "https://evil.example/" } })), "ERR_STS_UNAVAILABLE");
    // Only a 200 is an answer: an identity under any other status is not read.
    for (const status of [201, 203, 302])
      assert.equal(
        await codeOf(answering(xml(OK), { status, headers: { location: "https://evil.example/" } })),
        "ERR_STS_UNAVAILABLE",
        String(status),
      );
    assert.equal(await codeOf((async () => Promise.reject(new TypeError("fetch failed"))) as typeof fetch), "ERR_STS_UNAVAILABLE");
  });

  it("gives up on a slow STS and on an answer over 64 KiB, declared or streamed", async () => {
    // A connection that never answers; the held timer stands for its open socket (AbortSignal.timeout's own timer is unref'd).
    const hanging = ((_url: unknown, init?: RequestInit) =>
      new Promise((_resolve, reject) => {
        const socket = setTimeout(() => undefined, 10_000);
        init?.signal?.addEventListener("abort", () => {
          clearTimeout(socket);
          reject(init.signal?.reason);
        });
      })) as typeof fetch;
    assert.equal(await codeOf(hanging, 50), "ERR_STS_UNAVAILABLE");
    assert.equal(await codeOf(answering(xml(OK), { headers: { "content-length": String(1 << 20) } })), "ERR_STS_UNAVAILABLE");
    const endless = new ReadableStream<Uint8Array>({ pull: (c) => c.enqueue(new Uint8Array(16 * 1024).fill(32)) });
    assert.equal(await codeOf(answering(endless)), "ERR_STS_UNAVAILABLE");
  });

  it("refuses an answer without exactly one readable Account, Arn and UserId", async () => {
    for (const body of [
      "",
      "<html>hello</html>",
      xml("<Arn>arn:aws:iam::123456789012:user/a</Arn><UserId>AIDA1</UserId>"),
      xml(`${OK}<Arn>arn:aws:iam::123456789012:user/b</Arn>`),
      xml(OK) + xml(OK),
      xml("<Arn>arn:aws:iam::123456789012:user/a&lt;</Arn><UserId>AIDA1</UserId><Account>123456789012</Account>"),
      xml("<Arn>arn:aws:iam::123456789012:user/a</Arn><UserId>AIDA1</UserId><Account>12345</Account>"),
    ]) {
      assert.equal(await codeOf(answering(body)), "ERR_STS_UNAVAILABLE", body);
    }
  });
});

describe("aws_iam: the caller's attributes", () => {
  it("names an assumed role, its IAM role ARN and session; a user; the root", () => {
    assert.deepEqual(
      callerAttributesOf({ account: "123456789012", arn: "arn:aws:sts::123456789012:assumed-role/ci/i-0abc", userId: "AROA1:i-0abc" }),
      {
        account: "123456789012",
        arn: "arn:aws:sts::123456789012:assumed-role/ci/i-0abc",
        user_id: "AROA1:i-0abc",
        principal_type: "assumed-role",
        role: "ci",
        role_arn: "arn:aws:iam::123456789012:role/ci",
        session_name: "i-0abc",
      },
    );
    assert.equal(
      callerAttributesOf({ account: "123456789012", arn: "arn:aws-cn:sts::123456789012:assumed-role/ci/s", userId: "x" }).role_arn,
      "arn:aws-cn:iam::123456789012:role/ci",
    );
    assert.equal(
      callerAttributesOf({ account: "123456789012", arn: "arn:aws:iam::123456789012:user/team/deploy", userId: "AIDA" }).user_name,
      "deploy",
    );
    assert.deepEqual(
      Object.keys(callerAttributesOf({ account: "123456789012", arn: "arn:aws:iam::123456789012:root", userId: "123456789012" })).sort(),
      ["account", "arn", "principal_type", "user_id"],
    );
  });

  it("refuses an ARN of another account than STS's Account, or not an IAM/STS ARN", () => {
    assert.throws(() => callerAttributesOf({ account: "123456789012", arn: "arn:aws:sts::999999999999:assumed-role/ci/s", userId: "x" }), {
      code: "ERR_STS_UNAVAILABLE",
    });
    assert.throws(() => callerAttributesOf({ account: "123456789012", arn: "arn:aws:s3:::bucket", userId: "x" }), {
      code: "ERR_STS_UNAVAILABLE",
    });
  });
});
