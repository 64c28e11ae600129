/**
 * NATS settings shared by the coordinator and the workers: the server list of a `--nats`
 * value, and the replica count of every JetStream stream, KV bucket and object store they
 * create (`--nats-replicas`). README, "Durability", says when to use 3.
 */

/** Replicas when `--nats-replicas` is not given: a single nats-server. */
export const DEFAULT_NATS_REPLICAS = 1;

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
