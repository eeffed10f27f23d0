import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { jwksUriOf, parseIssuerUrl } from "./issuer-url.js";

describe("parseIssuerUrl", () => {
  const accepted = [
    "https://abc123.execute-api.us-east-1.amazonaws.com",
    "https://spiffe.example.org",
    "https://example.org/tessera",
    "https://example.org:8443",
    "http://127.0.0.1:8640",
    "http://localhost:8640",
    "http://[::1]:8640",
  ];
  for (const url of accepted) it(`accepts ${url} unchanged`, () => assert.equal(parseIssuerUrl(url, "TESSERA_ISSUER_URL"), url));

  const refused: [string, RegExp][] = [
    ["not a url", /TESSERA_ISSUER_URL is not a URL/],
    ["http://example.org", /must be an https URL \(http only on a loopback host\)/],
    ["http://10.0.0.1:8640", /must be an https URL/],
    ["ftp://example.org", /must be an https URL/],
    ["https://example.org/", /must not end in \//],
    ["https://example.org/tessera/", /must not end in \//],
    ["https://example.org?x=1", /no query or fragment/],
    ["https://example.org#top", /no query or fragment/],
    ["https://example.org?", /no query or fragment/],
    ["https://user:pw@example.org", /no user info/],
    ["https://Example.org", /canonical form: https:\/\/example\.org$/],
    ["https://example.org:443", /canonical form: https:\/\/example\.org$/],
    ["https://example.org/a/../b", /canonical form: https:\/\/example\.org\/b$/],
  ];
  for (const [url, message] of refused) {
    it(`refuses ${url}`, () => assert.throws(() => parseIssuerUrl(url, "TESSERA_ISSUER_URL"), { code: "ERR_CONFIG", message }));
  }

  it("puts the JWKS under the issuer's .well-known", () => {
    assert.equal(jwksUriOf("https://example.org/tessera"), "https://example.org/tessera/.well-known/jwks.json");
  });
});
