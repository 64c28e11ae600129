// Where a training step's time goes on the wasm backend: wraps every registered wasm kernel
// with a timer and prints ms and calls per step, per kernel, for 10 masked-free Adam steps.
//
//   node bench/compute/profile.mjs [model]      (PRUNESWEEP_BLAS=off for the stock kernels)
const w = await import("@prunesweep/worker");
const selected = await w.selectBackend("wasm");
const tf = selected.tf;
const data = await w.loadDataset({ source: { kind: "builtin", name: "mnist" }, split: { train: 0.7, validation: 0.1, test: 0.2 }, seed: 0, maxTrainExamples: 0 });
const train = w.splitOf(data, "train");
const net = w.buildModel(process.argv[2] ?? "lenet-300-100", {}, data.inputShape, data.numClasses, 0);
const optimizer = w.createOptimizer("adam", 0.001);
const rng = new w.Rng(1);
await w.trainEpoch(net, train, { optimizer, batchSize: 64, rng, maxBatches: 3 });
const times = new Map();
for (const k of tf.getKernelsForBackend("wasm")) {
  const f = k.kernelFunc;
  tf.unregisterKernel(k.kernelName, "wasm");
  tf.registerKernel({ ...k, setupFunc: undefined, kernelFunc: (a) => { const t = performance.now(); const r = f(a); const d = performance.now() - t; const o = times.get(k.kernelName) ?? [0, 0]; o[0] += d; o[1]++; times.set(k.kernelName, o); return r; } });
}
const N = 10;
const t0 = performance.now();
await w.trainEpoch(net, train, { optimizer, batchSize: 64, rng, maxBatches: N });
const total = (performance.now() - t0) / N;
let ksum = 0;
const rows = [...times].map(([k, [ms, n]]) => { ksum += ms; return [k, (ms / N).toFixed(2), (n / N).toFixed(1)]; }).sort((a, b) => b[1] - a[1]);
console.log("ms/step", total.toFixed(2), "kernels", (ksum / N).toFixed(2));
for (const r of rows.slice(0, 25)) console.log(r.join("\t"));
