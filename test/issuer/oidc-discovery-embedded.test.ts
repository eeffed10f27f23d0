// The issue function's OIDC routes over HTTP, with and without an issuer URL configured.
import assert from "node:assert/strict";
import { request } from "node:http";
import { after, before, describe, it } from "node:test";
import { decodeJwt } from "jose";
import { call, startIssuer, type IssuerHarness } from "../support/issuer-harness.js";
import { makeTempDir } from "../support/temp-dir.js";

const ISSUER = "https://spiffe.example.org";
const WEB = "spiffe://example.org/web/oidc";

async function jwtSvidFrom(h: IssuerHarness): Promise<string> {
  const bot = await call(h.url, "POST", "/v1/admin/bots", {
    admin: true,
    body: { name: "web", allowed_spiffe_ids: ["spiffe://example.org/web/*"] },
  });
  assert.equal(bot.status, 201, bot.text);
  const token = await call(h.url, "POST", "/v1/admin/tokens", { admin: true, body: { bot_name: "web" } });
  const joined = await call(h.url, "POST", "/v1/join", { body: { join_method: "token", token: token.json.token } });
  const jwt = await call(h.url, "POST", "/v1/svids/jwt", {
    bearer: joined.json.credential as string,
    body: { spiffe_id: WEB, audience: ["sts.amazonaws.com"] },
  });
  assert.equal(jwt.status, 200, jwt.text);
  return jwt.json.token as string;
}

for (const issuerUrl of [ISSUER, undefined]) {
  describe(`OIDC routes on the embedded issuer, ${issuerUrl ? "with" : "without"} TESSERA_ISSUER_URL`, () => {
    let h: IssuerHarness;
    let dir: Awaited<ReturnType<typeof makeTempDir>>;
    before(async () => {
      dir = await makeTempDir("oidc-routes");
      h = await startIssuer({
        TESSERA_STORE: "embedded",
        TESSERA_KEY_MANAGER: "disk",
        TESSERA_DATA_DIR: dir.path,
        ...(issuerUrl ? { TESSERA_ISSUER_URL: issuerUrl } : {}),
      });
    });
    after(async () => {
      await h?.close();
      await dir?.remove();
    });

    it(issuerUrl ? "puts the issuer URL in the JWT-SVID's iss" : "issues JWT-SVIDs with no iss", async () => {
      assert.equal(decodeJwt(await jwtSvidFrom(h)).iss, issuerUrl);
    });

    it(issuerUrl ? "serves the discovery document" : "answers the discovery document 404 ERR_OIDC_DISCOVERY_DISABLED", async () => {
      const res = await call(h.url, "GET", "/.well-known/openid-configuration");
      if (issuerUrl) {
        assert.equal(res.status, 200, res.text);
        assert.equal(res.json.issuer, issuerUrl);
        assert.equal(res.json.jwks_uri, `${issuerUrl}/.well-known/jwks.json`);
        assert.equal(res.headers.get("cache-control"), "public, max-age=60");
      } else {
        assert.equal(res.status, 404);
        assert.equal((res.json.error as { code: string }).code, "ERR_OIDC_DISCOVERY_DISABLED");
      }
    });

    if (issuerUrl) {
      it("names the configured issuer whatever Host the request carries", async () => {
        const { port } = new URL(h.url);
        const body = await new Promise<string>((resolve, reject) => {
          const req = request(
            { host: "127.0.0.1", port, path: "/.well-known/openid-configuration", headers: { host: "evil.example" } },
            (res) => {
              let text = "";
              res
                .setEncoding("utf8")
                .on("data", (d: string) => (text += d))
                .on("end", () => resolve(text));
            },
          );
          req.on("error", reject).end();
        });
        const document = JSON.parse(body) as { issuer: string; jwks_uri: string };
        assert.deepEqual([document.issuer, document.jwks_uri], [issuerUrl, `${issuerUrl}/.well-known/jwks.json`]);
      });
    }

    it("serves the JWKS: the bundle's JWT key with kid, use sig and alg, public members only", async () => {
      const res = await call(h.url, "GET", "/.well-known/jwks.json");
      assert.equal(res.status, 200, res.text);
      const bundle = JSON.parse((await call(h.url, "GET", "/v1/bundle")).text) as { keys: { use: string; kid?: string; x?: string }[] };
      const jwtKey = bundle.keys.find((k) => k.use === "jwt-svid")!;
      const keys = res.json.keys as Record<string, string>[];
      assert.equal(keys.length, 1);
      assert.deepEqual(Object.keys(keys[0]!).sort(), ["alg", "crv", "kid", "kty", "use", "x", "y"]);
      assert.deepEqual([keys[0]!.kid, keys[0]!.use, keys[0]!.alg, keys[0]!.x], [jwtKey.kid, "sig", "ES256", jwtKey.x]);
    });
  });
}
