/**
 * NATS settings shared by the coordinator and the workers: the server list of a `--nats`
 * value, and the replica count of every JetStream stream, KV bucket and object store they
 * create (`--nats-replicas`). README, "Durability", says when to use 3.
 */

import { setSha256Backend } from "@nats-io/obj";
import type { NatsOptions } from "./shared-types.js";

/** Replicas when `--nats-replicas` is not given: a single nats-server. */
export const DEFAULT_NATS_REPLICAS = 1;

/** The server of the coordinator and workers when neither `--nats` nor NATS_URL names one. */
export const DEFAULT_NATS_URL = "nats://127.0.0.1:4222";

/** The NATS flags every command takes (`--nats`, `--nats-user`, ... `--nats-replicas`), as parsed. */
export interface NatsFlags {
  readonly nats?: string;
  readonly natsUser?: string;
  readonly natsPass?: string;
  readonly natsToken?: string;
  readonly natsCreds?: string;
  readonly natsReplicas?: string;
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * How to reach `url`: the credentials from the flags, else from NATS_USER / NATS_PASSWORD,
 * NATS_TOKEN and NATS_CREDS. Which URL applies is the caller's (a service falls back to
 * NATS_URL and {@link DEFAULT_NATS_URL}; `prunesweep run` starts its own server without `--nats`).
 */
export function natsOptionsFrom(url: string, flags: NatsFlags, env: Env, name: string): NatsOptions {
  const pick = (v: string | undefined) => (v === undefined || v === "" ? undefined : v);
  const user = pick(flags.natsUser ?? env["NATS_USER"]);
  const token = pick(flags.natsToken ?? env["NATS_TOKEN"]);
  const creds = pick(flags.natsCreds ?? env["NATS_CREDS"]);
  return {
    url,
    name,
    ...(user !== undefined && { user, pass: flags.natsPass ?? env["NATS_PASSWORD"] ?? "" }),
    ...(token !== undefined && { token }),
    ...(creds !== undefined && { credsFile: creds }),
  };
}

/**
 * `--nats-replicas`, else PRUNESWEEP_NATS_REPLICAS, else {@link DEFAULT_NATS_REPLICAS}.
 * @throws RangeError naming the value when it is not an integer >= 1.
 */
export function natsReplicasFrom(flags: NatsFlags, env: Env): number {
  const v = flags.natsReplicas ?? env["PRUNESWEEP_NATS_REPLICAS"];
  if (v === undefined || v === "") return DEFAULT_NATS_REPLICAS;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`--nats-replicas: must be an integer >= 1, got "${v}"`);
  return n;
}

/** The servers named by a `--nats` value: one URL, or the URLs of a cluster separated by commas. */
export function natsServers(url: string): string[] {
  return url
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

/**
 * Why JetStream refused to create `what` with `replicas` replicas, with the fix; undefined
 * when `serverMessage` is about something else. nats-server 2.9 answers "replicas > 1 not
 * supported in non-clustered mode" (10074) without a cluster and "no suitable peers for
 * placement" (10005) when fewer servers than replicas are up.
 */
export function replicasRefusal(what: string, replicas: number, serverMessage: string): string | undefined {
  const head = `--nats-replicas ${replicas}: cannot create ${what} (server: ${serverMessage})`;
  if (/non-clustered mode/i.test(serverMessage)) {
    return `${head}: the NATS server is not in a JetStream cluster; use --nats-replicas 1, or a cluster of at least ${replicas} servers`;
  }
  if (/no suitable peers|insufficient resources/i.test(serverMessage)) {
    return `${head}: the JetStream cluster has fewer than ${replicas} servers up; use at most as many replicas as servers, or start the missing servers`;
  }
  return undefined;
}

/**
 * Runs `create` (a stream, KV bucket or object store creation); a refusal to place the
 * replicas is rethrown as `toError(replicasRefusal(...))`, anything else as is.
 */
export async function createWithReplicas<T>(
  what: string,
  replicas: number,
  create: () => Promise<T>,
  toError: (message: string, cause: unknown) => Error,
): Promise<T> {
  try {
    return await create();
  } catch (err) {
    const why = replicasRefusal(what, replicas, err instanceof Error ? err.message : String(err));
    throw why === undefined ? err : toError(why, err);
  }
}

/**
 * Has this process's object stores compute and check their objects' SHA-256 with node:crypto
 * instead of pure JS (the default of @nats-io/obj): the same digest, at a fraction of the CPU
 * (a 10^6-trial snapshot, 21 MB: 335 -> 14 ms, bench/control-plane; a 3.2 MB checkpoint put:
 * about 90 -> 25 ms). Process-wide; called before an object store is opened.
 */
export function useNativeObjectStoreDigests(): void {
  setSha256Backend("native");
}
