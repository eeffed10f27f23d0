import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  CHALLENGE_HEADER,
  GET_CALLER_IDENTITY_BODY,
  checkSignedStsRequest,
  decodeAwsIamProof,
  encodeAwsIamProof,
  isAllowedStsUrl,
  type SignedStsRequest,
} from "./signed-sts-request.js";

const EMULATOR = "http://127.0.0.1:4566/";
const CHALLENGE = "c".repeat(43);

function signed(url: string, overrides: Partial<SignedStsRequest["headers"]> = {}): SignedStsRequest {
  return {
    url,
    body: GET_CALLER_IDENTITY_BODY,
    headers: {
      host: new URL(url).host,
      "x-amz-date": "20261130T000000Z",
      [CHALLENGE_HEADER]: CHALLENGE,
      authorization: `AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261130/us-east-1/sts/aws4_request, SignedHeaders=host;x-amz-date;${CHALLENGE_HEADER}, Signature=${"a".repeat(64)}`,
      ...overrides,
    } as Record<string, string>,
  };
}

function refusedCode(request: SignedStsRequest): string | undefined {
  try {
    checkSignedStsRequest(request, [EMULATOR]);
    return undefined;
  } catch (err) {
    return (err as { code?: string }).code;
  }
}

describe("aws_iam: the STS allow-list", () => {
  it("accepts AWS's global, regional, FIPS, GovCloud and China STS endpoints, and the configured one", () => {
    for (const url of [
      "https://sts.amazonaws.com/",
      "https://sts.eu-west-1.amazonaws.com/",
      "https://sts.ap-southeast-2.amazonaws.com/",
      "https://sts-fips.us-east-1.amazonaws.com/",
      "https://sts.us-gov-west-1.amazonaws.com/",
      "https://sts.cn-north-1.amazonaws.com.cn/",
      EMULATOR,
    ]) {
      assert.equal(isAllowedStsUrl(url, [EMULATOR]), true, url);
    }
  });

  it("refuses look-alikes, userinfo, IP literals, ports, other schemes, paths, queries and case games", () => {
    for (const url of [
      "https://sts.amazonaws.com.evil.example/",
      "https://sts.amazonaws.com.cn/",
      "https://evil.example/sts.amazonaws.com/",
      "https://evilsts.amazonaws.com/",
      "https://sts.evil.amazonaws.com/",
      "https://sts.eu-west-1.amazonaws.com.evil.example/",
      "https://s3.amazonaws.com/",
      "https://sts.amazonaws.com@evil.example/",
      "https://user:pass@sts.amazonaws.com/",
      "https://52.94.133.131/",
      "https://[::1]/",
      "https://sts.amazonaws.com:443/",
      "https://sts.amazonaws.com:8443/",
      "http://sts.amazonaws.com/",
      "ftp://sts.amazonaws.com/",
      "https://sts.amazonaws.com",
      "https://sts.amazonaws.com/?Action=GetCallerIdentity",
      "https://sts.amazonaws.com/#x",
      "https://sts.amazonaws.com/x",
      "https://STS.amazonaws.com/",
      "https://sts.amazonaws.com./",
      "https://sts.amazonaws.com\\@evil.example/",
      "http://127.0.0.1:4567/",
      "http://localhost:4566/",
      "http://x@127.0.0.1:4566/",
      "https://127.0.0.1:4566/",
    ]) {
      assert.equal(isAllowedStsUrl(url, [EMULATOR]), false, url);
      assert.equal(refusedCode(signed(url.replace("\\", ""), {})), "ERR_JOIN_PROOF_INVALID", url);
    }
    assert.equal(isAllowedStsUrl(EMULATOR, []), false, "an emulator only by configuration");
  });
});

describe("aws_iam: checks of the signed request", () => {
  it("passes a well-formed request and forwards only authorization and the signed headers, less host", () => {
    const request = signed("https://sts.amazonaws.com/", { "user-agent": "x" });
    const checked = checkSignedStsRequest(request, []);
    assert.equal(checked.challenge, CHALLENGE);
    assert.deepEqual(Object.keys(checked.forwardHeaders).sort(), ["authorization", "x-amz-date", CHALLENGE_HEADER].sort());
  });

  it("refuses a challenge header that is not signed, missing or malformed", () => {
    const url = "https://sts.amazonaws.com/";
    const unsigned = signed(url);
    unsigned.headers.authorization = (unsigned.headers.authorization as string).replace(`;${CHALLENGE_HEADER}`, "");
    assert.equal(refusedCode(unsigned), "ERR_JOIN_PROOF_INVALID");
    const missing = signed(url);
    delete missing.headers[CHALLENGE_HEADER];
    assert.equal(refusedCode(missing), "ERR_JOIN_PROOF_INVALID");
    assert.equal(refusedCode(signed(url, { [CHALLENGE_HEADER]: "short" })), "ERR_JOIN_PROOF_INVALID");
  });

  it("refuses any other body, a host header that is not the URL's, another service, another algorithm, a signed connection header", () => {
    const url = "https://sts.amazonaws.com/";
    for (const body of [
      "",
      "Action=GetCallerIdentity",
      "Version=2011-06-15&Action=GetCallerIdentity",
      `${GET_CALLER_IDENTITY_BODY}&X=1`,
      "Action=AssumeRole&Version=2011-06-15",
    ]) {
      assert.equal(refusedCode({ ...signed(url), body }), "ERR_JOIN_PROOF_INVALID", body);
    }
    assert.equal(refusedCode(signed(url, { host: "evil.example" })), "ERR_JOIN_PROOF_INVALID");
    const auth = signed(url).headers.authorization as string;
    assert.equal(refusedCode(signed(url, { authorization: auth.replace("/sts/", "/iam/") })), "ERR_JOIN_PROOF_INVALID");
    assert.equal(
      refusedCode(signed(url, { authorization: auth.replace("AWS4-HMAC-SHA256", "AWS4-ECDSA-P256-SHA256") })),
      "ERR_JOIN_PROOF_INVALID",
    );
    assert.equal(
      refusedCode(signed(url, { authorization: auth.replace("SignedHeaders=", "SignedHeaders=connection;"), connection: "close" })),
      "ERR_JOIN_PROOF_INVALID",
    );
    assert.equal(
      refusedCode(signed(url, { authorization: auth.replace("SignedHeaders=", "SignedHeaders=x-absent;") })),
      "ERR_JOIN_PROOF_INVALID",
    );
  });

  it("decodes what it encodes, lowercasing header names, and refuses anything else", () => {
    const request = signed("https://sts.amazonaws.com/");
    assert.deepEqual(decodeAwsIamProof(encodeAwsIamProof(request)), request);
    const upper = encodeAwsIamProof({ ...request, headers: { ...request.headers, "X-Amz-Date": "1" } });
    assert.throws(() => decodeAwsIamProof(upper), { code: "ERR_JOIN_PROOF_INVALID" });
    const bad = [
      undefined,
      42,
      "",
      "not base64!",
      Buffer.from("[]").toString("base64url"),
      Buffer.from('{"url":1}').toString("base64url"),
      "A".repeat(40_000),
    ];
    for (const token of bad) assert.throws(() => decodeAwsIamProof(token), { code: "ERR_JOIN_PROOF_INVALID" });
    const crlf = encodeAwsIamProof({ ...request, headers: { ...request.headers, "x-amz-date": "1\r\nx-evil: 1" } });
    assert.throws(() => decodeAwsIamProof(crlf), { code: "ERR_JOIN_PROOF_INVALID" });
  });
});
