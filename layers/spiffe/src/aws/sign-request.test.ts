import assert from "node:assert/strict";
import { createHash, createHmac } from "node:crypto";
import { describe, it } from "node:test";
import { signRequestSigV4 } from "./sign-request.js";

// An independent SigV4 computation (AWS's documented algorithm) to check the signer against.
function expectedSignature(options: {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body: string;
  region: string;
  secret: string;
}): string {
  const signed = Object.keys(options.headers)
    .map((h) => h.toLowerCase())
    .sort();
  const lower = Object.fromEntries(Object.entries(options.headers).map(([k, v]) => [k.toLowerCase(), v.trim()]));
  const canonical = [
    options.method,
    options.url.pathname,
    [...options.url.searchParams]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
      .join("&"),
    ...signed.map((h) => `${h}:${lower[h]}`),
    "",
    signed.join(";"),
    createHash("sha256").update(options.body).digest("hex"),
  ].join("\n");
  const amzDate = lower["x-amz-date"] as string;
  const scope = `${amzDate.slice(0, 8)}/${options.region}/execute-api/aws4_request`;
  const toSign = ["AWS4-HMAC-SHA256", amzDate, scope, createHash("sha256").update(canonical).digest("hex")].join("\n");
  let key: Buffer = createHmac("sha256", `AWS4${options.secret}`).update(amzDate.slice(0, 8)).digest();
  for (const part of [options.region, "execute-api", "aws4_request"]) key = createHmac("sha256", key).update(part).digest();
  return createHmac("sha256", key).update(toSign).digest("hex");
}

describe("signRequestSigV4", () => {
  it("signs for execute-api with the default credential chain, and the signature checks out independently", async () => {
    const saved = { ...process.env };
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: "AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" });
    delete process.env.AWS_SESSION_TOKEN;
    delete process.env.AWS_PROFILE;
    try {
      const url = "https://abc123.execute-api.eu-west-1.amazonaws.com/v1/admin/audit?limit=5&bot=web";
      const body = JSON.stringify({ name: "web" });
      const headers = await signRequestSigV4(
        { method: "POST", url, headers: { "content-type": "application/json" }, body },
        { region: "eu-west-1" },
      );
      const auth = headers.authorization as string;
      const match =
        /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/(\d{8})\/eu-west-1\/execute-api\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/.exec(
          auth,
        );
      assert.ok(match, auth);
      const signedHeaders = (match[2] as string).split(";");
      assert.ok(signedHeaders.includes("host") && signedHeaders.includes("x-amz-date") && signedHeaders.includes("content-type"));
      const included = Object.fromEntries(
        signedHeaders.map((h) => [h, Object.entries(headers).find(([k]) => k.toLowerCase() === h)?.[1] as string]),
      );
      const expected = expectedSignature({
        method: "POST",
        url: new URL(url),
        headers: included,
        body,
        region: "eu-west-1",
        secret: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
      });
      assert.equal(match[3], expected);
      const other = await signRequestSigV4(
        { method: "POST", url, headers: { "content-type": "application/json" }, body: "{}" },
        { region: "eu-west-1" },
      );
      assert.notEqual(other.authorization, auth, "the body is signed");
    } finally {
      process.env = saved;
    }
  });
});
