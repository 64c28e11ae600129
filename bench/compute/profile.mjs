// Where a training step's time goes on the wasm backend: wraps every registered wasm kernel
// with a timer and prints ms and calls per step, per kernel, over 10 masked Adam steps (half
// of every kernel masked, as in step.mjs).
//
//   node bench/compute/profile.mjs [model] [--tfjs-adam]
// PRUNESWEEP_BLAS=off for the stock kernels; --tfjs-adam for tf.train.adam with the masks as
// tensor ops (what the training loop did before MaskedAdam).
const w = await import("@prunesweep/worker");
const selected = await w.selectBackend("wasm");
const tf = selected.tf;
const model = process.argv.slice(2).find((a) => !a.startsWith("--")) ?? "lenet-300-100";
const data = await w.loadDataset({ source: { kind: "builtin", name: "mnist" }, split: { train: 0.7, validation: 0.1, test: 0.2 }, seed: 0, maxTrainExamples: 0 });
const train = w.splitOf(data, "train");
const net = w.buildModel(model, {}, data.inputShape, data.numClasses, 0);
const masks = new Map(
  net
    .params()
    .filter((p) => p.role === "kernel")
    .map((p, i) => [p.name, tf.tidy(() => tf.cast(tf.greater(tf.randomUniform(p.shape, 0, 1, "float32", i + 1), 0.5), "float32"))]),
);
const optimizer = process.argv.includes("--tfjs-adam") ? tf.train.adam(0.001) : w.createOptimizer("adam", 0.001);
const rng = new w.Rng(1);
await w.trainEpoch(net, train, { optimizer, batchSize: 64, rng, masks, maxBatches: 3 });
const times = new Map();
for (const k of tf.getKernelsForBackend("wasm")) {
  const f = k.kernelFunc;
  tf.unregisterKernel(k.kernelName, "wasm");
  tf.registerKernel({
    ...k,
    setupFunc: undefined,
    kernelFunc: (a) => {
      const t = performance.now();
      const r = f(a);
      const o = times.get(k.kernelName) ?? [0, 0];
      o[0] += performance.now() - t;
      o[1]++;
      times.set(k.kernelName, o);
      return r;
    },
  });
}
const N = 10;
const t0 = performance.now();
await w.trainEpoch(net, train, { optimizer, batchSize: 64, rng, masks, maxBatches: N });
const total = (performance.now() - t0) / N;
let ksum = 0;
let calls = 0;
const rows = [...times]
  .map(([k, [ms, n]]) => {
    ksum += ms;
    calls += n;
    return [k, (ms / N).toFixed(2), (n / N).toFixed(1)];
  })
  .sort((a, b) => b[1] - a[1]);
console.log(`${model} b64 on ${selected.blas?.library ?? "stock kernels"}: ${total.toFixed(2)} ms/step, ${(ksum / N).toFixed(2)} ms in kernels, ${(calls / N).toFixed(0)} kernel calls/step`);
console.log("kernel\tms/step\tcalls/step");
for (const r of rows.slice(0, 25)) console.log(r.join("\t"));
