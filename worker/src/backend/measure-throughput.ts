/**
 * One measuring process of `prunesweep run --workers auto` (coordinator/src/cli/local/worker-plan.ts):
 * the training throughput of this process on the engine a worker would use, with the BLAS
 * threads of its environment (PRUNESWEEP_THREADS). The planner starts w of these at once to
 * measure the split "w workers × t threads".
 *
 * Protocol (stdin/stdout lines): the process loads the backend, builds the model, warms up
 * with a few real training steps (training/train.ts, masked Adam as in a trial's fine-tuning),
 * prints `{"ready":true}` and waits for lines on stdin. Each `go` line (`go <threads>`: first
 * set the BLAS threads to that, and warm up one step on them) makes it train for `--ms`
 * milliseconds and print `{"samples":…,"ms":…,"samplesPerSec":…,"engine":…}`; it exits when
 * stdin ends. So one process measures several splits, loading TensorFlow.js once. On failure it
 * prints `{"error":"…"}` and exits 1.
 *
 *   node measure-throughput.js --model lenet-300-100 --options '{}' --input 28,28,1 --classes 10 --batch 64 --ms 500 --backend auto
 */
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { performance } from "node:perf_hooks";
import * as tf from "@tensorflow/tfjs";
import { BACKEND_NAMES, type BackendName } from "@prunesweep/proto";
import { buildModel } from "../models/registry.js";
import { Rng } from "../data/rng.js";
import { trainEpoch } from "../training/train.js";
import { createOptimizer } from "../training/optimizers.js";
import { engineName, selectBackend, setBlasThreads } from "./select-backend.js";

const WARMUP_STEPS = 2;
const EXAMPLES = 512;

async function measure(argv: readonly string[]): Promise<void> {
  const { values: a } = parseArgs({
    args: [...argv],
    options: {
      model: { type: "string", default: "lenet-300-100" },
      options: { type: "string", default: "{}" },
      input: { type: "string", default: "28,28,1" },
      classes: { type: "string", default: "10" },
      batch: { type: "string", default: "64" },
      ms: { type: "string", default: "500" },
      backend: { type: "string", default: "auto" },
    },
  });
  if (!(BACKEND_NAMES as readonly string[]).includes(a.backend)) throw new RangeError(`--backend ${a.backend}: expected one of ${BACKEND_NAMES.join(", ")}`);
  const inputShape = a.input.split(",").map(Number);
  const numClasses = Number(a.classes);
  const batchSize = Number(a.batch);
  const budgetMs = Number(a.ms);
  const sel = await selectBackend(a.backend as BackendName);
  const rng = new Rng(1);
  const per = inputShape.reduce((p, d) => p * d, 1);
  const x = new Float32Array(EXAMPLES * per).map(() => rng.next());
  const y = new Int32Array(EXAMPLES).map((_, i) => i % numClasses);
  const data = { x, y, count: EXAMPLES };
  const net = buildModel(a.model, JSON.parse(a.options) as Record<string, unknown>, inputShape, numClasses, 0);
  const masks = new Map(
    net
      .params()
      .filter((p) => p.role === "kernel")
      .map((p, i) => [p.name, tf.tidy(() => tf.cast(tf.greater(tf.randomUniform([...p.shape], 0, 1, "float32", i + 1), 0.5), "float32"))] as const),
  );
  const optimizer = createOptimizer("adam", 0.001);
  const steps = (n: number): Promise<unknown> => trainEpoch(net, data, { optimizer, batchSize, rng, masks, maxBatches: n });
  await steps(WARMUP_STEPS);
  process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
  let blas = sel.blas;
  for await (const line of createInterface({ input: process.stdin })) {
    const [word, threadsArg] = line.trim().split(/\s+/);
    if (word !== "go") throw new RangeError(`stdin: expected "go" or "go <threads>", got "${line}"`);
    if (threadsArg !== undefined) {
      const threads = Number(threadsArg);
      if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`stdin: go ${threadsArg}: threads must be an integer >= 1`);
      if (blas && blas.threads !== threads) {
        const now = setBlasThreads(threads);
        blas = { ...blas, ...(now !== undefined && { threads: now }) };
        await steps(1);
      }
    }
    const t0 = performance.now();
    let samples = 0;
    while (performance.now() - t0 < budgetMs) {
      await steps(1);
      samples += batchSize;
    }
    const ms = performance.now() - t0;
    process.stdout.write(`${JSON.stringify({ samples, ms, samplesPerSec: (samples / ms) * 1000, engine: engineName(blas ? { ...sel, blas } : sel) })}\n`);
  }
}

measure(process.argv.slice(2)).then(
  () => process.exit(0),
  (err: unknown) => {
    process.stdout.write(`${JSON.stringify({ error: err instanceof Error ? err.message : String(err) })}\n`, () => process.exit(1));
  },
);
