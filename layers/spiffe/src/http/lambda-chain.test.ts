import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createLambdaChain, type Middleware } from "./lambda-chain.js";

function recorder(steps: string[], name: string): Middleware<string, string> {
  return {
    before: () => void steps.push(`${name}.before`),
    after: () => void steps.push(`${name}.after`),
    onError: () => void steps.push(`${name}.onError`),
  };
}

describe("createLambdaChain", () => {
  it("runs before in order, the handler, then after in reverse", async () => {
    const steps: string[] = [];
    const chain = createLambdaChain([recorder(steps, "a"), recorder(steps, "b")], async (event) => {
      steps.push(`handler(${event})`);
      return "done";
    });
    assert.equal(await chain("e"), "done");
    assert.deepEqual(steps, ["a.before", "b.before", "handler(e)", "b.after", "a.after"]);
  });

  it("gives a failure to every onError in reverse order, and one of them may answer", async () => {
    const steps: string[] = [];
    const answer: Middleware<string, string> = {
      onError: (request) => {
        steps.push(`answer(${(request.error as Error).message})`);
        request.response = "refused";
      },
    };
    const chain = createLambdaChain([answer, recorder(steps, "metrics")], async () => {
      throw new Error("boom");
    });
    assert.equal(await chain("e"), "refused");
    assert.deepEqual(steps, ["metrics.before", "metrics.onError", "answer(boom)"]);
  });

  it("throws a failure that no onError answered, and one thrown by an after step goes through onError", async () => {
    const steps: string[] = [];
    const failingAfter: Middleware<string, string> = {
      after: () => {
        throw new Error("after failed");
      },
    };
    const chain = createLambdaChain([recorder(steps, "log"), failingAfter], async () => "done");
    await assert.rejects(chain("e"), /after failed/);
    assert.deepEqual(steps, ["log.before", "log.onError"]);
  });

  it("stops waiting shortly before the function's timeout, so onError can still answer", async () => {
    let seen: unknown;
    const chain = createLambdaChain<string, string>(
      [
        {
          onError: (request) => {
            seen = request.error;
            request.response = "timed out";
          },
        },
      ],
      () => new Promise(() => {}),
    );
    assert.equal(await chain("e", { getRemainingTimeInMillis: () => 30 }), "timed out");
    assert.equal((seen as Error).name, "TimeoutError");
  });

  it("waits for the handler when the context tells no time left (tests, tessera dev)", async () => {
    const chain = createLambdaChain<string, string>([], () => new Promise((resolve) => setTimeout(() => resolve("late"), 20)));
    assert.equal(await chain("e", {}), "late");
  });
});
