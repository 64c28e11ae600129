/**
 * The imprinting criterion of LayerPrune's companion paper (docs/methods.md §2.4, ICIP 2020): how
 * well a nearest-class-mean classifier does on each block's output.
 *
 * For the features after a block (and before it): conv maps are adaptively average-pooled to
 * s×s with s = round(√(target / C)) and flattened (about `target` features); flat features are
 * used as they are. Each class's mean feature over the training examples is L2-normalised
 * ("imprinted" weights); evaluation examples are classified by the largest dot product.
 * Block importance = acc(after block) − acc(before block): a block that adds little
 * separability is the first to go.
 */
import * as tf from "@tensorflow/tfjs";
import { sizeOf, type DataSplit } from "../data/types.js";
import type { Net, NetBlock } from "../models/net.js";

/** Options of {@link imprintBlockScores}. */
export interface ImprintOptions {
  /** Examples whose class means are imprinted. */
  readonly train: DataSplit;
  /** Examples classified with them. */
  readonly evaluate: DataSplit;
  /** Cap on the examples used from each split. */
  readonly maxExamples: number;
  /** Target features per map (512 in the paper). */
  readonly featureTarget: number;
  readonly batchSize: number;
}

/** Importance (accuracy gain) of each block, keyed by block name. */
export async function imprintBlockScores(net: Net, blocks: readonly NetBlock[], opts: ImprintOptions): Promise<Map<string, number>> {
  const points = [...new Set(blocks.flatMap((b) => [b.start - 1, b.end - 1]))].sort((a, b) => a - b);
  const means = await classMeans(net, points, opts);
  const acc = await imprintAccuracy(net, points, means, opts);
  for (const m of means.values()) m.dispose();
  const out = new Map<string, number>();
  for (const b of blocks) out.set(b.name, (acc.get(b.end - 1) ?? 0) - (acc.get(b.start - 1) ?? 0));
  return out;
}

/** Adaptive average pooling to s×s (PyTorch bins), flattened: `[B, H, W, C] → [B, s·s·C]`. */
function adaptivePoolFeatures(h: tf.Tensor, featureTarget: number): tf.Tensor2D {
  if (h.rank !== 4) return tf.reshape(h, [h.shape[0] ?? -1, -1]) as tf.Tensor2D;
  const [b = 0, H = 1, W = 1, C = 1] = h.shape;
  const s = Math.max(1, Math.min(H, W, Math.round(Math.sqrt(featureTarget / C))));
  const P = new Float32Array(H * W * s * s);
  const bins = (n: number): [number, number][] => Array.from({ length: s }, (_, i) => [Math.floor((i * n) / s), Math.ceil(((i + 1) * n) / s)]);
  const hb = bins(H);
  const wb = bins(W);
  hb.forEach(([h0, h1], i) =>
    wb.forEach(([w0, w1], j) => {
      const area = (h1 - h0) * (w1 - w0);
      for (let y = h0; y < h1; y++) for (let x = w0; x < w1; x++) P[(y * W + x) * s * s + i * s + j] = 1 / area;
    }),
  );
  const flat = tf.reshape(tf.transpose(tf.reshape(h, [b, H * W, C]), [0, 2, 1]), [b * C, H * W]);
  return tf.reshape(tf.matMul(flat as tf.Tensor2D, tf.tensor2d(P, [H * W, s * s])), [b, C * s * s]) as tf.Tensor2D;
}

function batchesOf(split: DataSplit, cap: number, size: number): { start: number; n: number }[] {
  const total = Math.min(split.count, cap);
  const out: { start: number; n: number }[] = [];
  for (let start = 0; start < total; start += size) out.push({ start, n: Math.min(size, total - start) });
  return out;
}

async function classMeans(net: Net, points: readonly number[], opts: ImprintOptions): Promise<Map<number, tf.Tensor2D>> {
  const d = sizeOf(net.inputShape);
  const sums = new Map<number, tf.Tensor2D>();
  for (const { start, n } of batchesOf(opts.train, opts.maxExamples, opts.batchSize)) {
    const next = tf.tidy(() => {
      const x = tf.tensor(opts.train.x.subarray(start * d, (start + n) * d), [n, ...net.inputShape], "float32");
      const y = tf.oneHot(tf.tensor1d(opts.train.y.subarray(start, start + n), "int32"), net.numClasses).toFloat();
      const taps = net.forwardTaps(x, { training: false }, points);
      return taps.map((t, i) => {
        const f = adaptivePoolFeatures(t, opts.featureTarget);
        const s = tf.matMul(y as tf.Tensor2D, f, true, false);
        const prev = sums.get(points[i] ?? 0);
        return prev ? tf.add(prev, s) : s;
      });
    });
    next.forEach((t, i) => {
      sums.get(points[i] ?? 0)?.dispose();
      sums.set(points[i] ?? 0, t as tf.Tensor2D);
    });
  }
  for (const [p, s] of sums) {
    const normed = tf.tidy(() => tf.div(s, tf.add(tf.norm(s, 2, 1, true), 1e-12)) as tf.Tensor2D);
    s.dispose();
    sums.set(p, normed);
  }
  return sums;
}

async function imprintAccuracy(net: Net, points: readonly number[], means: ReadonlyMap<number, tf.Tensor2D>, opts: ImprintOptions): Promise<Map<number, number>> {
  const d = sizeOf(net.inputShape);
  const correct = new Map(points.map((p) => [p, 0]));
  let total = 0;
  for (const { start, n } of batchesOf(opts.evaluate, opts.maxExamples, opts.batchSize)) {
    const preds = tf.tidy(() => {
      const x = tf.tensor(opts.evaluate.x.subarray(start * d, (start + n) * d), [n, ...net.inputShape], "float32");
      return net.forwardTaps(x, { training: false }, points).map((t, i) => tf.argMax(tf.matMul(adaptivePoolFeatures(t, opts.featureTarget), means.get(points[i] ?? 0) as tf.Tensor2D, false, true), 1));
    });
    for (let i = 0; i < points.length; i++) {
      const v = await (preds[i] as tf.Tensor).data();
      let c = 0;
      for (let j = 0; j < n; j++) if (v[j] === opts.evaluate.y[start + j]) c++;
      correct.set(points[i] ?? 0, (correct.get(points[i] ?? 0) ?? 0) + c);
    }
    tf.dispose(preds);
    total += n;
  }
  return new Map([...correct].map(([p, c]) => [p, total === 0 ? 0 : c / total]));
}
