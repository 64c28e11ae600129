import { jetstream, type Consumer, type ConsumerMessages, type JsMsg } from "@nats-io/jetstream";
import { connect, credsAuthenticator, type NatsConnection } from "@nats-io/transport-node";
import { readFileSync } from "node:fs";
import { natsServers, TRIALS_CONSUMER, TRIALS_STREAM } from "@prunesweep/proto";
import type { Logger, NatsOptions } from "@prunesweep/proto";
import { UnreachableError } from "../errors.js";
import type { TrialLease, TrialSource } from "../trial-source.js";

/** How to reach and authenticate to NATS. */
export type WorkerNatsOptions = NatsOptions & { readonly connectTimeoutMs: number };

/**
 * Connects to one server or a cluster (`url` lists its servers, comma-separated) with unlimited
 * reconnects; the first connect fails within the timeout, naming the URL.
 */
export async function connectWorkerNats(o: WorkerNatsOptions): Promise<NatsConnection> {
  try {
    return await connect({
      servers: natsServers(o.url),
      name: o.name ?? "prunesweep-worker",
      maxReconnectAttempts: -1,
      reconnectTimeWait: 500,
      timeout: o.connectTimeoutMs,
      ...(o.user !== undefined && { user: o.user, pass: o.pass ?? "" }),
      ...(o.token !== undefined && { token: o.token }),
      ...(o.credsFile !== undefined && { authenticator: credsAuthenticator(readFileSync(o.credsFile)) }),
    });
  } catch (err) {
    throw new UnreachableError(`cannot reach NATS at ${o.url}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}

/**
 * Pulls assignments one at a time from the single shared durable consumer. `next()` waits
 * for the consumer to exist (the coordinator creates it) and long-polls for a message;
 * `close()` ends a pending long poll at once, so that a draining worker does not wait for it
 * to expire.
 */
export class NatsTrialSource implements TrialSource {
  private consumer: Consumer | undefined;
  private closed = false;
  /** The pull in progress, stopped by {@link close}. */
  private pull: ConsumerMessages | undefined;

  constructor(
    private readonly nc: NatsConnection,
    private readonly log: Logger,
  ) {}

  /** The next lease, or null when nothing arrived within `expiresMs` or the source is closed. */
  async next(expiresMs = 5_000): Promise<TrialLease | null> {
    if (this.closed) return null;
    try {
      const c = await this.getConsumer();
      if (!c || this.closed) return null;
      // A one-message fetch (what `Consumer.next` does), kept so that close() can stop it:
      // stopping unsubscribes its inbox, and the server drops a pull request nobody listens to.
      const pull = await c.fetch({ max_messages: 1, expires: expiresMs });
      this.pull = pull;
      if (this.closed) pull.stop();
      let m: JsMsg | null = null;
      try {
        for await (const msg of pull) {
          m = msg;
          break;
        }
      } finally {
        this.pull = undefined;
      }
      if (m && this.closed) {
        m.nak(0); // arrived as the pull was stopped: give it back for another worker at once
        return null;
      }
      return m ? toLease(m) : null;
    } catch (err) {
      if (this.closed) return null;
      // Heartbeats missed, reconnects, a deleted consumer: look the consumer up again.
      this.log.warn("pull failed; retrying", { error: err instanceof Error ? err.message : String(err) });
      this.consumer = undefined;
      await new Promise((r) => setTimeout(r, 1_000));
      return null;
    }
  }

  private async getConsumer(): Promise<Consumer | undefined> {
    if (this.consumer) return this.consumer;
    try {
      this.consumer = await jetstream(this.nc).consumers.get(TRIALS_STREAM, TRIALS_CONSUMER);
      return this.consumer;
    } catch {
      this.log.debug("trial queue not there yet; waiting for the coordinator to create it");
      await new Promise((r) => setTimeout(r, 1_000));
      return undefined;
    }
  }

  /** Stops pulling (a pending long poll ends now). In-flight leases stay valid until acked, nak'ed or expired. */
  close(): void {
    this.closed = true;
    this.pull?.stop();
  }
}

function toLease(m: JsMsg): TrialLease {
  return {
    data: m.data,
    deliveryCount: m.info.deliveryCount,
    streamSequence: m.seq,
    publishedAtMs: Number(m.info.timestampNanos) / 1e6,
    heartbeat: () => m.working(),
    ack: async () => {
      await m.ackAck({ timeout: 10_000 });
    },
    retryLater: (delayMs) => m.nak(delayMs),
    reject: () => m.term(),
  };
}
