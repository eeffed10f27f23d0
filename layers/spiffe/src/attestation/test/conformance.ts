import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { FixedClock } from "../../clock.js";
import type { JoinRule, ReplayStore, Store } from "../../store/types.js";
import { createJoinRuleValidators } from "../create-join-rule-validators.js";
import type { AttestationContext, JoinVerifier } from "../types.js";

/** A refused proof and the code it must be refused with. */
export interface RefusedProof {
  name: string;
  proof: string;
  code: string;
}

/** What one verifier gives the conformance suite. */
export interface VerifierFixture {
  clock: FixedClock;
  /** A verifier with a cold cache each call, as another issuer instance would have. */
  newVerifier(): JoinVerifier;
  /** Rules, as given by an admin, that `validProof` matches. */
  rules: JoinRule[];
  /** Rules, as given by an admin, that `validProof` matches none of. */
  mismatchedRules: JoinRule[];
  /** Rules an admin must not be able to write. */
  invalidRules: { name: string; rule: JoinRule }[];
  /** A fresh valid proof (another token id each call). */
  validProof(): Promise<string>;
  /** Attributes every valid proof must establish (a subset of what it establishes). */
  expectedAttributes: Record<string, string>;
  /** Tampered, misdirected or forged proofs, each refused with its code. */
  refusedProofs(): Promise<RefusedProof[]>;
  close(): Promise<void>;
}

/** A replay store that records every claim it is asked for, over a real store. */
function recording(store: ReplayStore): { replay: ReplayStore; claims: unknown[][] } {
  const claims: unknown[][] = [];
  return {
    claims,
    replay: {
      claimOnce: (...args) => {
        claims.push(args);
        return store.claimOnce(...args);
      },
      isClaimed: (...args) => store.isClaimed(...args),
    },
  };
}

async function rejectsWithCode(promise: Promise<unknown>, code: string, label = ""): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.equal((err as { code?: unknown }).code, code, `${label}: ${String(err)}`);
    return true;
  });
}

/**
 * Register the `JoinVerifier` conformance suite for one verifier on one store: a valid proof joins
 * and is recorded once in the store; every refused proof carries its code and records nothing; rules
 * match and mismatch; rules are validated when written; replay state lives in the store (another
 * verifier instance over the same store refuses a used proof). The fixture gets the store for
 * state its proofs need there (join challenges).
 */
export function runJoinVerifierConformance(
  name: string,
  makeStore: () => Promise<Store>,
  makeFixture: (store: Store) => Promise<VerifierFixture>,
): void {
  describe(`${name} conforms to JoinVerifier`, () => {
    let store: Store;
    let fx: VerifierFixture;
    let verifier: JoinVerifier;
    let rules: JoinRule[];
    const context = (replay: ReplayStore = store): AttestationContext => ({ clock: fx.clock, replay });

    before(async () => {
      store = await makeStore();
      fx = await makeFixture(store);
      verifier = fx.newVerifier();
      rules = await Promise.all(fx.rules.map((rule) => verifier.validateRule(rule)));
    });
    after(async () => {
      await fx?.close();
      await store?.close();
    });

    it("joins with a valid proof, establishing its attributes, and records it once", async () => {
      const { replay, claims } = recording(store);
      const attestation = await verifier.attest({ token: await fx.validProof() }, rules, context(replay));
      for (const [key, value] of Object.entries(fx.expectedAttributes)) assert.equal(attestation.attributes[key], value, key);
      assert.match(attestation.proofHash, /^[0-9a-f]{64}$/);
      assert.equal(claims.length, 1);
    });

    it("refuses a used proof with ERR_REPLAY, from this instance and from another over the same store", async () => {
      const proof = await fx.validProof();
      await verifier.attest({ token: proof }, rules, context());
      await rejectsWithCode(verifier.attest({ token: proof }, rules, context()), "ERR_REPLAY");
      await rejectsWithCode(fx.newVerifier().attest({ token: proof }, rules, context()), "ERR_REPLAY");
    });

    it("refuses every tampered, misdirected or forged proof with its code, recording nothing", async () => {
      const refused = await fx.refusedProofs();
      assert.ok(refused.length > 0);
      for (const { name: label, proof, code } of refused) {
        const { replay, claims } = recording(store);
        await rejectsWithCode(verifier.attest({ token: proof }, rules, context(replay)), code, label);
        assert.equal(claims.length, 0, `${label} recorded a claim`);
      }
    });

    it("refuses proofs that are not tokens at all", async () => {
      for (const token of [undefined, null, 42, "", "a.b", "x".repeat(20_000), { token: "x" }]) {
        const { replay, claims } = recording(store);
        await rejectsWithCode(
          verifier.attest({ token }, rules, context(replay)),
          "ERR_JOIN_PROOF_INVALID",
          JSON.stringify(token)?.slice(0, 20),
        );
        assert.equal(claims.length, 0);
      }
    });

    it("refuses a valid proof that matches none of the rules with ERR_JOIN_RULE_MISMATCH, recording nothing", async () => {
      const mismatched = await Promise.all(fx.mismatchedRules.map((rule) => verifier.validateRule(rule)));
      const proof = await fx.validProof();
      const { replay, claims } = recording(store);
      await rejectsWithCode(verifier.attest({ token: proof }, mismatched, context(replay)), "ERR_JOIN_RULE_MISMATCH");
      assert.equal(claims.length, 0);
      // The refusal spent nothing: the same proof still joins under matching rules.
      await verifier.attest({ token: proof }, [...mismatched, ...rules], context());
    });

    it("validates rules when written: normalised rules validate to themselves, bad rules are ERR_POLICY_INVALID", async () => {
      for (const rule of rules) assert.deepEqual(await verifier.validateRule(rule), rule);
      for (const { name: label, rule } of fx.invalidRules) await rejectsWithCode(verifier.validateRule(rule), "ERR_POLICY_INVALID", label);
    });

    it("the admin's rule checks without the verifier (createJoinRuleValidators) decide as the verifier does", async () => {
      // The fixtures' issuers listen on loopback over http, as the verifiers they build allow.
      const validator = createJoinRuleValidators({ allowHttpLoopback: true })[verifier.method];
      for (const rule of fx.rules) assert.deepEqual(await validator.validateRule(rule), await verifier.validateRule(rule));
      for (const { name: label, rule } of fx.invalidRules) await rejectsWithCode(validator.validateRule(rule), "ERR_POLICY_INVALID", label);
    });
  });
}
