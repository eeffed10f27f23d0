/** The Lambda context as a chain reads it: the request id and function name, and the time left. */
export interface LambdaContextLike {
  awsRequestId?: string;
  functionName?: string;
  getRemainingTimeInMillis?(): number;
}

/** One invocation as the middlewares see it: the event, the context, then the response or the error. */
export interface LambdaRequest<TEvent = unknown, TResult = unknown> {
  event: TEvent;
  context: LambdaContextLike;
  response: TResult | undefined;
  error: unknown;
}

/**
 * A step around a handler (middy's shape, which Powertools' middlewares also have): each `before` in
 * the order given, then the handler, then each `after` in reverse order; when any of them throws,
 * each `onError` in reverse order, which may answer by setting `request.response`.
 */
export interface Middleware<TEvent = unknown, TResult = unknown> {
  before?(request: LambdaRequest<TEvent, TResult>): void | Promise<void>;
  after?(request: LambdaRequest<TEvent, TResult>): void | Promise<void>;
  onError?(request: LambdaRequest<TEvent, TResult>): void | Promise<void>;
}

/** Time left when the chain stops waiting for its handler, so the error middlewares can still answer and log. */
export const TIMEOUT_EARLY_MS = 5;

function timeoutError(): Error {
  const err = new Error(`lambda: the handler did not finish ${TIMEOUT_EARLY_MS} ms before the function's timeout`);
  err.name = "TimeoutError";
  return err;
}

/** `work`, or a `TimeoutError` when the function's time runs out first (only when the context tells the time left). */
async function raceTimeout<T>(work: Promise<T>, context: LambdaContextLike): Promise<T> {
  const remaining = context.getRemainingTimeInMillis?.();
  if (remaining === undefined) return work;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timeoutError()), Math.max(remaining - TIMEOUT_EARLY_MS, 0));
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A Lambda handler: `handler` between `middlewares`. An error nothing answered is thrown, so the
 * invocation fails. Made without middy, whose module (and the stream modules it loads) every cold
 * start paid for; the order of the steps and the early timeout are middy's.
 */
export function createLambdaChain<TEvent, TResult>(
  middlewares: readonly Middleware<TEvent, TResult>[],
  handler: (event: TEvent, context: LambdaContextLike) => Promise<TResult>,
): (event: TEvent, context?: LambdaContextLike) => Promise<TResult> {
  const reversed = [...middlewares].reverse();
  return async (event, context = {}) => {
    const request: LambdaRequest<TEvent, TResult> = { event, context, response: undefined, error: undefined };
    try {
      for (const middleware of middlewares) await middleware.before?.(request);
      request.response = await raceTimeout(handler(event, context), context);
      for (const middleware of reversed) await middleware.after?.(request);
    } catch (err) {
      request.response = undefined;
      request.error = err;
      for (const middleware of reversed) await middleware.onError?.(request);
      if (request.response === undefined) throw err;
    }
    return request.response;
  };
}
