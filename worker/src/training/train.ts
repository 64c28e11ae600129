/**
 * The training loop: shuffled mini-batches, softmax cross-entropy, `tf.variableGrads` and an
 * optimizer step (optimizers.ts: the optimizer factory, learning-rate schedule and weight decay),
 * with optional weight masks, label smoothing and image augmentation (augment.ts).
 *
 * With masks, the gradients of pruned entries are zeroed and, after every optimizer step,
 * `W ← W ⊙ M` is re-applied: Adam's moments would otherwise revive pruned weights (masking
 * the gradients alone is not enough with Adam; docs/methods.md §0.1). The loop yields a macrotask every few batches so that NATS heartbeats
 * and gRPC keepalives keep flowing on the same thread.
 */
import * as tf from "@tensorflow/tfjs";
import { softmaxCrossEntropy } from "../backend/blas/softmax-ce.js";
import { NonFiniteLossError, throwIfAborted } from "../errors.js";
import type { Rng } from "../data/rng.js";
import { sizeOf, type DataSplit } from "../data/types.js";
import type { Net } from "../models/net.js";
import { augmentBatch, type Augmentation } from "./augment.js";
import { isMaskedAdam } from "./fused-adam.js";
import type { Masks } from "./masks.js";
import { optimizerStep, type TrainingOptimizer } from "./optimizers.js";

/** A training loss: `(net, x, yOneHot) → scalar`. Runs inside the gradient tape. */
export type LossFn = (net: Net, x: tf.Tensor, yOneHot: tf.Tensor2D) => tf.Scalar;

/**
 * Mean softmax cross-entropy of the final exit; with early exits, the joint loss
 * Σ_k w_k · CE_k over every exit with the net's {@link Net.exitLossWeights} (docs/methods.md §4.3).
 * One fused kernel on wasm with the BLAS kernels (backend/blas/softmax-ce.ts).
 */
export const crossEntropyLoss: LossFn = (net, x, y) => {
  if (net.exits.length === 0) return softmaxCrossEntropy(y, net.forward(x, { training: true }) as tf.Tensor2D);
  return weightedExitLoss(net.forwardExits(x, { training: true }), y, net.exitLossWeights);
};

/** Σ_k w_k · CE(y, logits_k); exits with weight 0 are skipped. */
export function weightedExitLoss(logits: readonly tf.Tensor2D[], y: tf.Tensor2D, weights: readonly number[]): tf.Scalar {
  let total: tf.Scalar = tf.scalar(0);
  logits.forEach((z, k) => {
    const w = weights[k] ?? 0;
    if (w > 0) total = tf.add(total, tf.mul(softmaxCrossEntropy(y, z), w));
  });
  return total;
}

/** Options of {@link trainEpoch}. */
export interface TrainEpochOptions {
  /** Carries the learning rate (and, as a recipe, its schedule); reuse it across epochs to keep Adam's moments. */
  readonly optimizer: TrainingOptimizer;
  readonly batchSize: number;
  /** Shuffles the batches; pass a generator derived from the trial seed. */
  readonly rng: Rng;
  /** Pruning masks to enforce (gradients masked, weights re-masked after each step). */
  readonly masks?: Masks;
  /** Checked before every batch; aborting throws TrialAbortedError. */
  readonly signal?: AbortSignal;
  /** @default crossEntropyLoss */
  readonly loss?: LossFn;
  /** Yield to the event loop every N batches. @default 1 */
  readonly yieldEveryBatches?: number;
  /** Stop after this many batches (0 = whole epoch). @default 0 */
  readonly maxBatches?: number;
  /** Variables to train (the others stay frozen). @default net.trainableVariables() */
  readonly variables?: readonly tf.Variable[];
  /** Called after every optimizer step (and mask re-application), with the batch index. */
  readonly afterBatch?: (batch: number) => void;
  /** Label smoothing ε: one-hot targets become 1 − ε + ε/K and ε/K. @default 0 */
  readonly labelSmoothing?: number;
  /** Random crops and flips of every training batch (image examples `[H, W, C]` only). */
  readonly augment?: Augmentation;
}

/** What one epoch did. */
export interface EpochResult {
  /** Mean training loss over the epoch's examples. */
  readonly loss: number;
  readonly batches: number;
  readonly examples: number;
  readonly wallMs: number;
}

/** Yields a macrotask so timers and socket callbacks can run. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Trains `net` for one epoch over `data` (shuffled by `opts.rng`).
 * @throws NonFiniteLossError when the loss becomes NaN or infinite; TrialAbortedError on abort
 */
export async function trainEpoch(net: Net, data: DataSplit, opts: TrainEpochOptions): Promise<EpochResult> {
  const started = performance.now();
  const batchSize = Math.max(1, Math.floor(opts.batchSize));
  const lossFn = opts.loss ?? crossEntropyLoss;
  const yieldEvery = Math.max(1, opts.yieldEveryBatches ?? 1);
  const d = sizeOf(net.inputShape);
  const classes = net.numClasses;
  const smoothing = opts.labelSmoothing ?? 0;
  const vars = opts.variables ? [...opts.variables] : net.trainableVariables();
  const masked = [...(opts.masks ?? new Map<string, tf.Tensor>())].map(([name, mask]) => ({ variable: net.param(name).variable, mask }));
  const maskByVar = new Map(masked.map((m) => [m.variable.name, m.mask]));
  const order = opts.rng.permutation(data.count);
  let totalBatches = Math.ceil(data.count / batchSize);
  if (opts.maxBatches && opts.maxBatches > 0) totalBatches = Math.min(totalBatches, opts.maxBatches);

  let lossSum: tf.Tensor = tf.scalar(0);
  let examples = 0;
  try {
    for (let b = 0; b < totalBatches; b++) {
      throwIfAborted(opts.signal);
      const start = b * batchSize;
      const n = Math.min(batchSize, data.count - start);
      const xs = new Float32Array(n * d);
      const ys = new Float32Array(n * classes).fill(smoothing / classes);
      for (let i = 0; i < n; i++) {
        const row = order[start + i] ?? 0;
        xs.set(data.x.subarray(row * d, row * d + d), i * d);
        ys[i * classes + (data.y[row] ?? 0)] = 1 - smoothing + smoothing / classes;
      }
      if (opts.augment) augmentBatch(xs, n, net.inputShape, opts.augment);
      const xb = tf.tensor(xs, [n, ...net.inputShape], "float32");
      const yb = tf.tensor2d(ys, [n, classes], "float32");
      const { value, grads } = tf.variableGrads(() => tf.tidy(() => lossFn(net, xb, yb)), vars);
      if (isMaskedAdam(opts.optimizer)) {
        // tf.train.adam's arithmetic fused with the masks, in place on wasm (fused-adam.ts).
        opts.optimizer.applyMasked(grads, maskByVar);
      } else {
        tf.tidy(() => {
          // A new map (not an in-place edit of `grads`) so that every original gradient is disposed below.
          const g: tf.NamedTensorMap = {};
          for (const [k, grad] of Object.entries(grads)) {
            const m = maskByVar.get(k);
            g[k] = m ? tf.mul(grad, m) : grad;
          }
          optimizerStep(opts.optimizer, g, vars);
          for (const { variable, mask } of masked) variable.assign(tf.mul(variable, mask));
        });
      }
      const next = tf.tidy(() => tf.add(lossSum, tf.mul(value, n)));
      lossSum.dispose();
      lossSum = next;
      tf.dispose(grads);
      tf.dispose([value, xb, yb]);
      opts.afterBatch?.(b);
      examples += n;
      if ((b + 1) % yieldEvery === 0) await yieldToEventLoop();
    }
    const loss = examples === 0 ? 0 : ((await lossSum.data())[0] ?? Number.NaN) / examples;
    if (!Number.isFinite(loss)) throw new NonFiniteLossError(`training loss became ${loss} (diverged; lower the learning rate)`);
    return { loss, batches: totalBatches, examples, wallMs: performance.now() - started };
  } finally {
    lossSum.dispose();
  }
}
