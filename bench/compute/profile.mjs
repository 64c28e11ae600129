// Where a training step's time goes on the wasm backend: wraps every registered wasm kernel
// with a timer and prints, per kernel, ms and calls per step over masked Adam steps (half of
// every kernel masked, as in step.mjs). Times are the process's CPU time (process.cpuUsage:
// time this process was not scheduled on a loaded machine does not count), exclusive (a kernel
// that runs other kernels, as the stock filter gradient does, is charged only its own part),
// per kernel and input shapes the median call × calls per step. The step time is the median CPU
// time of the steps (and the median wall time); "outside" is the CPU time outside kernels
// (tfjs's per-op overhead, the tape, our own JS).
//
//   node bench/compute/profile.mjs [model] [--steps 20] [--batch 64] [--tfjs-adam] [--shapes]
// PRUNESWEEP_BLAS=off for the stock kernels; PRUNESWEEP_THREADS for the BLAS threads;
// --tfjs-adam for tf.train.adam with the masks as tensor ops (what the training loop did
// before MaskedAdam); --shapes also lists the top kernels per input shapes.
import { parseArgs } from "node:util";

const { values: args, positionals } = parseArgs({
  allowPositionals: true,
  options: { steps: { type: "string", default: "20" }, batch: { type: "string", default: "64" }, "tfjs-adam": { type: "boolean", default: false }, shapes: { type: "boolean", default: false } },
});
const w = await import("@prunesweep/worker");
const selected = await w.selectBackend("wasm");
const tf = selected.tf;
const model = positionals[0] ?? "lenet-300-100";
const batchSize = Number(args.batch);
const data = await w.loadDataset({ source: { kind: "builtin", name: "mnist" }, split: { train: 0.7, validation: 0.1, test: 0.2 }, seed: 0, maxTrainExamples: 0 });
const train = w.splitOf(data, "train");
const net = w.buildModel(model, {}, data.inputShape, data.numClasses, 0);
const masks = new Map(
  net
    .params()
    .filter((p) => p.role === "kernel")
    .map((p, i) => [p.name, tf.tidy(() => tf.cast(tf.greater(tf.randomUniform(p.shape, 0, 1, "float32", i + 1), 0.5), "float32"))]),
);
const optimizer = args["tfjs-adam"] ? tf.train.adam(0.001) : w.createOptimizer("adam", 0.001);
const rng = new w.Rng(1);
await w.trainEpoch(net, train, { optimizer, batchSize, rng, masks, maxBatches: 3 });

/** CPU time of this process so far, ms. */
function cpuMs() {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Per "kernel|input shapes": every call's exclusive ms. */
const calls = new Map();
const stack = [];
for (const k of tf.getKernelsForBackend("wasm")) {
  const f = k.kernelFunc;
  tf.unregisterKernel(k.kernelName, "wasm");
  tf.registerKernel({
    ...k,
    setupFunc: undefined,
    kernelFunc: (a) => {
      const frame = { children: 0 };
      stack.push(frame);
      const t = cpuMs();
      try {
        return f(a);
      } finally {
        const inclusive = cpuMs() - t;
        stack.pop();
        const parent = stack.at(-1);
        if (parent) parent.children += inclusive;
        const key = `${k.kernelName}|${Object.values(a.inputs ?? {})
          .map((i) => i?.shape?.join("x"))
          .join(",")}`;
        let list = calls.get(key);
        if (!list) calls.set(key, (list = []));
        list.push(inclusive - frame.children);
      }
    },
  });
}
const N = Number(args.steps);
const stepMs = [];
const wallMs = [];
for (let s = 0; s < N; s++) {
  const t0 = performance.now();
  const c0 = cpuMs();
  await w.trainEpoch(net, train, { optimizer, batchSize, rng, masks, maxBatches: 1 });
  stepMs.push(cpuMs() - c0);
  wallMs.push(performance.now() - t0);
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const byKernel = new Map();
const byShape = [];
for (const [key, list] of calls) {
  const name = key.split("|")[0];
  const ms = (median(list) * list.length) / N;
  const o = byKernel.get(name) ?? { ms: 0, calls: 0 };
  o.ms += ms;
  o.calls += list.length / N;
  byKernel.set(name, o);
  byShape.push([key, ms, list.length / N]);
}
const total = median(stepMs);
const wall = median(wallMs);
const ksum = [...byKernel.values()].reduce((s, o) => s + o.ms, 0);
const ncalls = [...byKernel.values()].reduce((s, o) => s + o.calls, 0);
console.log(
  `${model} b${batchSize} on ${selected.blas ? `${selected.blas.library} (${selected.blas.threads ?? "?"} thread(s))` : "stock kernels"}: ${total.toFixed(2)} ms CPU/step (median of ${N}; wall ${wall.toFixed(2)}), ${ksum.toFixed(2)} ms in kernels, ${(total - ksum).toFixed(2)} ms outside, ${ncalls.toFixed(0)} kernel calls/step`,
);
console.log("kernel\tms/step\tcalls/step");
for (const [k, o] of [...byKernel].sort((a, b) => b[1].ms - a[1].ms).slice(0, 25)) console.log(`${k}\t${o.ms.toFixed(2)}\t${o.calls.toFixed(1)}`);
if (args.shapes) {
  console.log("\nkernel|input shapes\tms/step\tcalls/step");
  for (const [k, ms, n] of byShape.sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(`${k}\t${ms.toFixed(2)}\t${n.toFixed(1)}`);
}
process.exit(0);
