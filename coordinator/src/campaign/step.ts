/**
 * The unit of change of a campaign. A step decides and applies its state change
 * synchronously and hands back the promise that its events are durable; the caller awaits
 * that promise afterwards.
 *
 * Why no mutex: JavaScript runs a synchronous function to completion, so two steps can never
 * interleave; their order is the call order. A promise-chain mutex around whole operations
 * would also serialise the durability waits and lose the pipelining of appends (one store
 * round trip per report instead of many in flight). The type keeps a step synchronous: an
 * `async` change returns a `Promise<Step>`, which {@link commit} does not accept.
 */
export interface Step<T> {
  /** What the change decided (an answer to a worker, the ids it touched, ...). */
  readonly value: T;
  /** Resolves once every event the change recorded (and every dispatch it caused) is durable. */
  readonly durable: Promise<unknown>;
}

const DONE: Promise<unknown> = Promise.resolve();

/** A step; `durable` defaults to already settled (nothing was recorded). */
export function step<T>(value: T, durable: Promise<unknown> = DONE): Step<T> {
  return { value, durable };
}

/** Runs `change` (synchronously), then waits until what it recorded is durable. */
export async function commit<T>(change: () => Step<T>): Promise<T> {
  const s = change();
  await s.durable;
  return s.value;
}
