// The real agent against the real dev issuer, with an hour-long SVID: when a scheduled rotation
// activates a new CA, the old one stays in the bundle but is retiring, and the agent renews from the
// new CA within about a refresh hint instead of half an hour later.
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { runRotationTick } from "#tessera/issuer";
import { addPreparedCa } from "../support/add-prepared-ca.js";
import { waitFor } from "../support/wait-for.js";
import { startInteropAgent, type InteropAgent } from "../interop/interop-agent.js";

const TD = "example.org";
const WEB = `spiffe://${TD}/interop/retiring`;
const WANT = { spiffeId: WEB, dnsNames: [] as string[], ttlSeconds: 3600 };

describe("agent early renewal when its CA retires", () => {
  let running: InteropAgent | undefined;
  before(async () => {
    running = await startInteropAgent({
      name: "retiring",
      trustDomain: TD,
      spiffeId: WEB,
      ttl: "1h",
      issuerEnv: { TESSERA_BUNDLE_REFRESH_HINT: "1" },
    });
  });
  after(() => running?.stop());

  it("renews from the newly active CA while the old one is still in the bundle", async () => {
    const { dev, agent } = running!;
    const before = agent.manager.x509(WANT)!;
    await addPreparedCa(dev.runtime);
    // A prepared CA is activated once published for six refresh hints (1 s here).
    await new Promise((resolve) => setTimeout(resolve, 6_500));
    const tick = await runRotationTick({ ...dev.runtime, publishers: [] });
    assert.deepEqual(
      tick.steps.map((s) => `${s.type} ${s.kind}`),
      ["activate x509"],
    );
    const active = await dev.runtime.authorities.x509();
    assert.equal(tick.bundle.x509Authorities.length, 2, "the old CA is still published");

    await waitFor("an early renewal", () => agent.manager.x509(WANT)?.serialNumber !== before.serialNumber);
    const renewed = agent.manager.x509(WANT)!;
    assert.ok(
      new X509Certificate(Buffer.from(renewed.certificates[0]!)).verify(new X509Certificate(Buffer.from(active.certificate)).publicKey),
      "signed by the new CA",
    );
  });
});
