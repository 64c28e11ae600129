/** Domain types shared by the coordinator and the worker (not generated; not wire types). */

/** A dataset source (`task.dataset`, docs/campaign-spec.md#task). */
export type DatasetSource =
  | { readonly kind: "builtin"; readonly name: string }
  | { readonly kind: "idx"; readonly images: string; readonly labels: string }
  | { readonly kind: "cifar10"; readonly dir: string }
  | { readonly kind: "synthetic"; readonly samples: number; readonly features: number; readonly classes: number }
  | ImagesSource
  | { readonly kind: "npy"; readonly x: string; readonly y: string }
  | { readonly kind: "npz"; readonly file: string; readonly x: string; readonly y: string }
  | { readonly kind: "csv"; readonly file: string; readonly label: string };

/**
 * An image folder: one sub-folder per class (sorted names are the class indices), PNG and
 * JPEG files in them. `size` ([height, width]) resizes every image; `channels` converts to
 * grayscale (1) or RGB (3). Unset, they come from the model's input or, for the built-in
 * models, from the images themselves.
 */
export interface ImagesSource {
  readonly kind: "images";
  readonly dir: string;
  readonly size?: readonly [number, number];
  readonly channels?: 1 | 3;
}

/** The dataset kinds a test set (`task.test`) may take: files, not generated or built-in data. */
export type TestDatasetSource = Extract<DatasetSource, { readonly kind: "idx" | "images" | "npy" | "npz" | "csv" }>;

/**
 * Input normalisation (`task.normalize`): `x' = (x · scale − mean[c]) / std[c]` with `c` the
 * channel (the last axis of an example). `scale` unset: the source's own (1/255 for bytes,
 * 1 otherwise); `mean` and `std` have one value, or one per channel.
 */
export interface Normalization {
  readonly scale?: number;
  readonly mean: readonly number[];
  readonly std: readonly number[];
}

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
