import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { IssuerApiError, type RevocationsResponse, type TrustStateResponse } from "./issuer-client.js";
import { TRUST_REUSE_MS, TrustPoll } from "./trust-poll.js";

const ACTIVE = "ab".repeat(32);
const REVOCATIONS: RevocationsResponse = {
  crls: [{ ca_id: "ca1", crl_number: 3, next_update: "2030-01-01T00:00:00.000Z", crl: "MIIB" }],
  denied_jwt_svids: [{ jti: "j1", expires_at: "2030-01-01T00:00:00.000Z" }],
};

/** A client that counts each route it is asked, answering `GET /v1/trust` with `trust` (or throwing it). */
function countingClient(trust: TrustStateResponse | Error) {
  const calls = { trust: 0, bundle: 0, revocations: 0 };
  return {
    calls,
    async fetchTrustState(): Promise<TrustStateResponse> {
      calls.trust++;
      if (trust instanceof Error) throw trust;
      return trust;
    },
    async fetchBundleState() {
      calls.bundle++;
      return { text: "bundle from /v1/bundle" };
    },
    async fetchRevocations(): Promise<RevocationsResponse> {
      calls.revocations++;
      return REVOCATIONS;
    },
  };
}

describe("TrustPoll", () => {
  it("serves the bundle poll and the revocation poll that fall together from one GET /v1/trust", async () => {
    const client = countingClient({ bundle: "the bundle", active_x509_sha256: ACTIVE, ...REVOCATIONS });
    const poll = new TrustPoll(client, () => 1000, 5);
    const [bundle, revocations] = await Promise.all([poll.fetchBundleState(), poll.fetchRevocations()]);
    assert.deepEqual(bundle, { text: "the bundle", activeX509Sha256: ACTIVE });
    assert.deepEqual(revocations, REVOCATIONS);
    assert.deepEqual(client.calls, { trust: 1, bundle: 0, revocations: 0 });
  });

  it(`lets a bundle poll reuse a revocation poll's answer for ${TRUST_REUSE_MS / 1000} s, and otherwise fetch GET /v1/bundle`, async () => {
    let now = 0;
    const client = countingClient({ bundle: "b", ...REVOCATIONS });
    const poll = new TrustPoll(client, () => now, 1);
    await poll.fetchRevocations();
    now = TRUST_REUSE_MS - 1;
    assert.deepEqual(await poll.fetchBundleState(), { text: "b" });
    assert.deepEqual(client.calls, { trust: 1, bundle: 0, revocations: 0 });
    now = TRUST_REUSE_MS;
    assert.deepEqual(await poll.fetchBundleState(), { text: "bundle from /v1/bundle" });
    await poll.fetchRevocations();
    assert.deepEqual(client.calls, { trust: 2, bundle: 1, revocations: 0 });
  });

  it("leaves out an active CA hash that is not SHA-256 hex", async () => {
    const poll = new TrustPoll(countingClient({ bundle: "b", active_x509_sha256: "not-a-hash", ...REVOCATIONS }), Date.now, 1);
    await poll.fetchRevocations();
    assert.deepEqual(await poll.fetchBundleState(), { text: "b" });
  });

  it("polls route by route, from then on, an issuer without GET /v1/trust (404)", async () => {
    const client = countingClient(new IssuerApiError(404, "ERR_NOT_FOUND", "http: no route GET /v1/trust"));
    const poll = new TrustPoll(client, Date.now, 1);
    assert.deepEqual(await poll.fetchRevocations(), REVOCATIONS);
    assert.deepEqual(await poll.fetchRevocations(), REVOCATIONS);
    assert.deepEqual(await poll.fetchBundleState(), { text: "bundle from /v1/bundle" });
    assert.deepEqual(client.calls, { trust: 1, bundle: 1, revocations: 2 });
  });

  it("gives a revocation poll any other failure, and asks again next time", async () => {
    const failure = new IssuerApiError(503, "ERR_AUTHORITY_UNAVAILABLE", "down");
    const client = countingClient(failure);
    const poll = new TrustPoll(client, Date.now, 1);
    await assert.rejects(poll.fetchRevocations(), failure);
    await assert.rejects(poll.fetchRevocations(), failure);
    assert.deepEqual(client.calls, { trust: 2, bundle: 0, revocations: 0 });
  });
});
