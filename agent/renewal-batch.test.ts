import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { IssuerApiError, type X509SvidAsk, type X509SvidBatchResponse, type X509SvidResponse } from "./issuer-client.js";
import { alignRenewalAt, batchedRenewalAt, MAX_BATCH_ENTRIES, RENEWAL_JOIN_WINDOW_MS, X509SvidBatcher } from "./renewal-batch.js";

const svidFor = (ask: X509SvidAsk) => ({
  spiffe_id: ask.spiffeId,
  certificates: [`cert of ${ask.csr}`],
  serial_number: ask.csr,
  expires_at: "2030-01-01T00:00:00.000Z",
});

/** A client that records each call and answers every entry, refusing the SPIFFE IDs in `refuse`. */
function recordingClient(options: { refuse?: string[]; batchError?: IssuerApiError } = {}) {
  const calls: { route: "single" | "batch"; csrs: string[] }[] = [];
  const credentials: string[] = [];
  return {
    calls,
    credentials,
    async fetchX509Svid(credential: string, ask: X509SvidAsk): Promise<X509SvidResponse> {
      credentials.push(credential);
      calls.push({ route: "single", csrs: [ask.csr] });
      return { ...svidFor(ask), bundle: ["single bundle"] };
    },
    async fetchX509SvidBatch(credential: string, asks: X509SvidAsk[]): Promise<X509SvidBatchResponse> {
      credentials.push(credential);
      calls.push({ route: "batch", csrs: asks.map((a) => a.csr) });
      if (options.batchError) throw options.batchError;
      const results = asks.map((ask) =>
        options.refuse?.includes(ask.spiffeId) ? { error: { code: "ERR_SPIFFEID_NOT_ALLOWED", message: "no", status: 403 } } : svidFor(ask),
      );
      return { results, bundle: ["batch bundle"] };
    },
  };
}

/** A bot session stand-in: the current credential, and the refusals reported. */
function session() {
  const state = { current: "cred", refusals: [] as string[] };
  return Object.assign(state, {
    use: <T>(call: (credential: string) => Promise<T>): Promise<T> => call(state.current),
    refused: (_credential: string, code: string) => void state.refusals.push(code),
  });
}

const ask = (n: number, spiffeId = "spiffe://example.org/a"): X509SvidAsk => ({ csr: `csr-${n}`, spiffeId });

describe("X509SvidBatcher", () => {
  it("sends the requests made together as one batch, each caller getting its own SVID and the bundle", async () => {
    const client = recordingClient();
    const batcher = new X509SvidBatcher(client, session(), 5);
    const got = await Promise.all([1, 2, 3].map((n) => batcher.fetch(ask(n))));
    assert.deepEqual(client.calls, [{ route: "batch", csrs: ["csr-1", "csr-2", "csr-3"] }]);
    assert.deepEqual(
      got.map((g) => [g.serial_number, g.bundle[0]]),
      [
        ["csr-1", "batch bundle"],
        ["csr-2", "batch bundle"],
        ["csr-3", "batch bundle"],
      ],
    );
  });

  it("sends one request alone to the one-SVID route", async () => {
    const client = recordingClient();
    await new X509SvidBatcher(client, session(), 5).fetch(ask(1));
    assert.deepEqual(
      client.calls.map((c) => c.route),
      ["single"],
    );
  });

  it("reads the credential when it sends the batch, so a credential renewed during the wait is never sent again", async () => {
    const client = recordingClient();
    const creds = session();
    const batcher = new X509SvidBatcher(client, creds, 5);
    const asked = Promise.all([batcher.fetch(ask(1)), batcher.fetch(ask(2))]);
    creds.current = "renewed";
    await asked;
    assert.deepEqual(client.credentials, ["renewed"]);
  });

  it("rejects a refused entry with its code and status, and serves the others", async () => {
    const batcher = new X509SvidBatcher(recordingClient({ refuse: ["spiffe://example.org/no"] }), session(), 5);
    const [ok, refused] = await Promise.allSettled([batcher.fetch(ask(1)), batcher.fetch(ask(2, "spiffe://example.org/no"))]);
    assert.equal(ok.status, "fulfilled");
    assert.equal(refused.status, "rejected");
    const err = (refused as PromiseRejectedResult).reason as IssuerApiError;
    assert.ok(err instanceof IssuerApiError);
    assert.equal(err.code, "ERR_SPIFFEID_NOT_ALLOWED");
    assert.equal(err.status, 403);
  });

  it("rejects every caller with a refused batch's error (a bad credential)", async () => {
    const refusal = new IssuerApiError(401, "ERR_CREDENTIAL_INVALID", "bad");
    const batcher = new X509SvidBatcher(recordingClient({ batchError: refusal }), session(), 5);
    const settled = await Promise.allSettled([1, 2].map((n) => batcher.fetch(ask(n))));
    assert.deepEqual(
      settled.map((s) => (s.status === "rejected" ? s.reason : s.value)),
      [refusal, refusal],
    );
  });

  it("asks an issuer without the batch route (404) one SVID at a time, from then on", async () => {
    const client = recordingClient({ batchError: new IssuerApiError(404, "ERR_HTTP", "Not Found") });
    const batcher = new X509SvidBatcher(client, session(), 5);
    await Promise.all([1, 2].map((n) => batcher.fetch(ask(n))));
    await Promise.all([3, 4].map((n) => batcher.fetch(ask(n))));
    assert.deepEqual(
      client.calls.map((c) => c.route),
      ["batch", "single", "single", "single", "single"],
    );
  });

  it(`splits a round of more than ${MAX_BATCH_ENTRIES} requests into batches the issuer accepts`, async () => {
    const client = recordingClient();
    const batcher = new X509SvidBatcher(client, session(), 5);
    await Promise.all(Array.from({ length: MAX_BATCH_ENTRIES + 2 }, (_, n) => batcher.fetch(ask(n))));
    assert.deepEqual(
      client.calls.map((c) => c.csrs.length),
      [MAX_BATCH_ENTRIES, 2],
    );
  });
});

describe("alignRenewalAt", () => {
  const at = 1_000_000_000;
  const window = { earliest: at - 600_000, latest: at + 600_000 };
  it("joins the nearest renewal scheduled within the window", () => {
    assert.equal(alignRenewalAt(at, window, [at + 120_000, at - 60_000, at + RENEWAL_JOIN_WINDOW_MS * 3]), at - 60_000);
  });
  it("never joins a renewal after the latest time its own renewal may have", () => {
    assert.equal(alignRenewalAt(at, { ...window, latest: at + 30_000 }, [at + 60_000]), at);
  });
  it("never joins a renewal before the earliest time its own renewal may have (a short-lived SVID's)", () => {
    assert.equal(alignRenewalAt(at, { ...window, earliest: at - 30_000 }, [at - 60_000]), at);
  });
  it("keeps its own time when nothing is scheduled near it", () => {
    assert.equal(alignRenewalAt(at, window, [at + RENEWAL_JOIN_WINDOW_MS + 1, at - RENEWAL_JOIN_WINDOW_MS - 1]), at);
    assert.equal(alignRenewalAt(at, window, []), at);
  });
});

describe("batchedRenewalAt", () => {
  it("leaves a 1-hour SVID's renewal alone when the only other renewal is a 6-second SVID's, due in 3 s", () => {
    const now = 1_000_000_000;
    const at = batchedRenewalAt(now, now + 3_600_000, [{ timer: 1, renewAt: now + 3000 }]);
    assert.ok(at >= now + 0.4 * 3_600_000 && at <= now + 0.6 * 3_600_000, `renews at ${at - now} ms`);
  });
});
