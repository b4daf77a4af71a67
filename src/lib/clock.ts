/**
 * The one clock. `now()` is real time: leases, timeouts, when a row was written. `callingNow()` is the
 * instant calling hours and due times are judged at: the same as `now()` in production; the sandbox's
 * "pretend it is" control and tests that fix a weekday afternoon move it alone, so leases and timeouts
 * keep running on real time while calling law sees the pretended one.
 */
export interface Clock {
  now(): Date;
  callingNow(): Date;
}

export const systemClock: Clock = { now: () => new Date(), callingNow: () => new Date() };

/** A clock from two readings (the second defaults to the first). */
export function clockOf(now: () => Date, callingNow: () => Date = now): Clock {
  return { now, callingNow };
}
