/**
 * Forward-pass latency on the active tfjs backend (docs/methods.md §0.4): warm up, then time single
 * passes of the final-exit path (exit heads are not evaluated) synchronised with
 * `await y.data()`, and report the median. A wall-clock cap keeps slow backends (conv nets on
 * the cpu backend) from stalling a trial: at least `minRuns` passes are always timed.
 */
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../data/rng.js";
import { sizeOf } from "../data/types.js";
import type { Net } from "../models/net.js";

/** Options of {@link measureLatency}. */
export interface LatencyOptions {
  /**
   * Untimed passes first. Fresh nets' first passes on wasm run 2-4x slower (bench/methods
   * measured trial latencies 3x off with 2 warm-up passes). @default 10
   */
  readonly warmup?: number;
  /** Timed passes wanted. @default 30 */
  readonly runs?: number;
  /** Timed passes always run, whatever the cap. @default 3 */
  readonly minRuns?: number;
  /** Stop timing after this much wall time. @default 3000 (3 s) */
  readonly maxMs?: number;
}

/** One latency measurement. */
export interface LatencyResult {
  readonly batchSize: number;
  /** Median over the timed passes. */
  readonly medianMs: number;
  readonly runs: number;
  readonly backend: string;
}

/** Median of a non-empty list. */
export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[m] ?? Number.NaN) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
}

/** Times `net.forward` on a seeded random batch of `batchSize` examples. */
export async function measureLatency(net: Net, batchSize: number, opts: LatencyOptions = {}): Promise<LatencyResult> {
  const warmup = opts.warmup ?? 10;
  const runs = opts.runs ?? 30;
  const minRuns = Math.min(runs, opts.minRuns ?? 3);
  const maxMs = opts.maxMs ?? 3000;
  const rng = new Rng(batchSize);
  const values = new Float32Array(batchSize * sizeOf(net.inputShape));
  for (let i = 0; i < values.length; i++) values[i] = rng.next();
  const x = tf.tensor(values, [batchSize, ...net.inputShape], "float32");
  const pass = async (): Promise<void> => {
    const y = tf.tidy(() => net.forward(x, { training: false }));
    await y.data();
    y.dispose();
  };
  try {
    for (let i = 0; i < warmup; i++) await pass();
    const times: number[] = [];
    const started = performance.now();
    while (times.length < runs && (times.length < minRuns || performance.now() - started < maxMs)) {
      const t0 = performance.now();
      await pass();
      times.push(performance.now() - t0);
    }
    return { batchSize, medianMs: median(times), runs: times.length, backend: tf.getBackend() };
  } finally {
    x.dispose();
  }
}
