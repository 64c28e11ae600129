/** Domain types shared by the coordinator and the worker (not generated; not wire types). */

/** A dataset source (`task.dataset`, docs/campaign-spec.md#task). */
export type DatasetSource =
  | { readonly kind: "builtin"; readonly name: string }
  | { readonly kind: "idx"; readonly images: string; readonly labels: string }
  | { readonly kind: "cifar10"; readonly dir: string }
  | { readonly kind: "synthetic"; readonly samples: number; readonly features: number; readonly classes: number };

/** How to reach and authenticate to NATS; passed through every command. */
export interface NatsOptions {
  /** One server URL, or a cluster's URLs separated by commas (see `natsServers`). */
  readonly url: string;
  readonly user?: string;
  readonly pass?: string;
  readonly token?: string;
  readonly credsFile?: string;
  readonly name?: string;
  /** Fail the first connect after this many milliseconds. @default 10000 */
  readonly connectTimeoutMs?: number;
}
