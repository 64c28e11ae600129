import { connect, credsAuthenticator, type NatsConnection } from "@nats-io/transport-node";
import { readFileSync } from "node:fs";
import { natsServers, type NatsOptions } from "@prunesweep/proto";
import { ConfigError, UnreachableError } from "../errors.js";

export type { NatsOptions };

/** A JetStream refusal that the settings can fix (--nats-replicas): a ConfigError, exit code 2. */
export const jetStreamConfigError = (message: string, cause: unknown): Error => new ConfigError(message, { cause });

/**
 * Connects to one server or a cluster (`url` lists its servers, comma-separated) with unlimited
 * reconnects (a restarted server is reached again, or another server of the cluster), but
 * fails the first connection within `connectTimeoutMs` with an error that names the URL.
 */
export async function connectNats(o: NatsOptions): Promise<NatsConnection> {
  const timeout = o.connectTimeoutMs ?? 10_000;
  try {
    return await connect({
      servers: natsServers(o.url),
      name: o.name ?? "prunesweep",
      maxReconnectAttempts: -1,
      reconnectTimeWait: 500,
      timeout,
      ...(o.user !== undefined && { user: o.user, pass: o.pass ?? "" }),
      ...(o.token !== undefined && { token: o.token }),
      ...(o.credsFile !== undefined && { authenticator: credsAuthenticator(readFileSync(o.credsFile)) }),
    });
  } catch (err) {
    throw new UnreachableError(
      `cannot reach NATS at ${o.url} (${err instanceof Error ? err.message : String(err)}); start one with \`nats-server -js\` or pass --nats URL`,
      { cause: err },
    );
  }
}
