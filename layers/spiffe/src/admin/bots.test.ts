import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { FixedClock } from "../clock.js";
import { TrustDomain } from "../spiffeid/index.js";
import { EmbeddedStore } from "../store/embedded/index.js";
import { createBot, type CreateBotInput } from "./bots.js";
import type { AdminDeps } from "./types.js";

describe("createBot: the rules are checked before anything is written", () => {
  let root = "";
  let deps: AdminDeps;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), "tessera-admin-bots-"));
    const clock = new FixedClock(1_900_000_000_000);
    deps = {
      store: await EmbeddedStore.open({ directory: join(root, "data"), clock }),
      clock,
      logger: { info: () => undefined, error: () => undefined },
      trustDomain: TrustDomain.fromString("example.org"),
      maxSvidTtlSeconds: 86_400,
      issuerPolicy: {
        trustDomain: TrustDomain.fromString("example.org"),
        credentialTtlSeconds: 3600,
        x509Svid: { defaultSeconds: 3600, maxSeconds: 86_400 },
        jwtSvid: { defaultSeconds: 300, maxSeconds: 3600 },
        backdateSeconds: 30,
      },
    };
  });
  after(async () => {
    await deps?.store.close();
    await rm(root, { recursive: true, force: true });
  });

  it("stores DNS rules normalised and once, and none when not given", async () => {
    const bot = await createBot(
      deps,
      { name: "dns", allowedSpiffeIds: ["spiffe://example.org/dns"], allowedDnsNames: ["Web.Internal.", "web.internal", "*.svc.internal"] },
      "t",
    );
    assert.deepEqual(bot.allowedDnsNames, ["web.internal", "*.svc.internal"]);
    assert.deepEqual((await deps.store.getBot("dns"))?.allowedDnsNames, ["web.internal", "*.svc.internal"]);
    assert.deepEqual((await createBot(deps, { name: "plain", allowedSpiffeIds: ["spiffe://example.org/plain"] }, "t")).allowedDnsNames, []);
  });

  it("accepts {{bot}} and {{instance}} for a token bot", async () => {
    const bot = await createBot(deps, { name: "tpl", allowedSpiffeIds: ["spiffe://example.org/{{bot}}/{{instance}}/*"] }, "t");
    assert.deepEqual(bot.allowedSpiffeIds, ["spiffe://example.org/{{bot}}/{{instance}}/*"]);
  });

  const refused: [string, Partial<CreateBotInput>, string][] = [
    ["an Object member as placeholder", { allowedSpiffeIds: ["spiffe://example.org/p/{{constructor}}"] }, "ERR_POLICY_INVALID"],
    ["an unknown placeholder", { allowedSpiffeIds: ["spiffe://example.org/p/{{foo}}"] }, "ERR_POLICY_INVALID"],
    ["a spaced placeholder", { allowedSpiffeIds: ["spiffe://example.org/p/{{ bot }}"] }, "ERR_POLICY_INVALID"],
    [
      "an attribute no join method provides",
      { allowedSpiffeIds: ["spiffe://example.org/aws/{{account}}"], joinRules: [{ method: "token" }, { method: "aws_iam" }] },
      "ERR_POLICY_INVALID",
    ],
    // No verifiers in deps: the production rule checks (https only) run, as in the admin function.
    [
      "an oidc rule whose issuer is plain http",
      { joinRules: [{ method: "oidc", issuer: "http://127.0.0.1:8080", audience: "a", claims: { sub: "x" } }] },
      "ERR_POLICY_INVALID",
    ],
    ["an aws_iam rule with an account glob", { joinRules: [{ method: "aws_iam", claims: { account: "1111*" } }] }, "ERR_POLICY_INVALID"],
    ["an aws_ec2 rule with no account", { joinRules: [{ method: "aws_ec2", claims: { region: "us-east-1" } }] }, "ERR_POLICY_INVALID"],
    [
      "a gcp rule naming an unknown claim",
      { joinRules: [{ method: "gcp", claims: { project_id: "p", hostname: "x" } }] },
      "ERR_POLICY_INVALID",
    ],
    ["a wildcard over a top-level domain", { allowedDnsNames: ["*.com"] }, "ERR_POLICY_INVALID"],
    ["a DNS rule that is no hostname", { allowedDnsNames: ["web.internal", "a_b.internal"] }, "ERR_POLICY_INVALID"],
    // DNS rules that are not strings, or not a list, are refused by the request schema at the edge
    // (test/issuer/contract-edge.test.ts): createBot's input is typed.
  ];
  for (const [what, input, code] of refused) {
    it(`refuses ${what} with ${code} and writes nothing`, async () => {
      const bots = JSON.stringify(await deps.store.listBots());
      const audit = (await deps.store.listAudit({ limit: 1000 })).length;
      await assert.rejects(createBot(deps, { name: "refused", allowedSpiffeIds: ["spiffe://example.org/ok"], ...input }, "t"), { code });
      assert.equal(JSON.stringify(await deps.store.listBots()), bots);
      assert.equal((await deps.store.listAudit({ limit: 1000 })).length, audit);
    });
  }
});
