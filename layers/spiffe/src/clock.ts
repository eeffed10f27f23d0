/** A source of the current time. Every time-dependent function takes one; tests freeze it. */
export interface Clock {
  now(): Date;
}

/** The wall clock. */
export const systemClock: Clock = { now: () => new Date() };

/** A clock that returns a fixed instant until moved; for tests and simulations. */
export class FixedClock implements Clock {
  #now: number;

  constructor(start: Date | number) {
    this.#now = typeof start === "number" ? start : start.getTime();
  }

  now(): Date {
    return new Date(this.#now);
  }

  /** Move the clock forward by `ms` milliseconds. */
  advance(ms: number): void {
    this.#now += ms;
  }

  /** Set the clock to an instant. */
  set(to: Date | number): void {
    this.#now = typeof to === "number" ? to : to.getTime();
  }
}
