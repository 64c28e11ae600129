// The masked Adam update alone (training/fused-adam.ts's JS loop vs training/adam-simd.ts's SIMD
// module), in one process, alternating, on tensors of the wasm backend's heap: LeNet-300-100's
// 266,200 weights and LeNet-5's 61,470 by default (half masked). Prints one JSON line per size:
// ns per element, the median CPU time (process.cpuUsage) of `--rounds` rounds of `--reps` updates.
//
//   node bench/compute/adam-update.mjs [--sizes 266200,61470] [--rounds 15] [--reps 20]
import { parseArgs } from "node:util";

const { values: args } = parseArgs({ options: { sizes: { type: "string", default: "266200,61470" }, rounds: { type: "string", default: "15" }, reps: { type: "string", default: "20" } } });
const w = await import("@prunesweep/worker");
const { tf } = await w.selectBackend("wasm");
const { jsAdam } = await import("../../worker/dist/training/fused-adam.js");
const { simdAdam } = await import("../../worker/dist/training/adam-simd.js");
const backend = tf.backend();
const simd = simdAdam(backend.wasm, {});
if (typeof simd !== "function") throw new Error(`the SIMD update does not run here: ${simd}`);
const view = (t) => new Float32Array(backend.wasm.HEAPU8.buffer, backend.dataIdMap.get(t.dataId).memoryOffset, t.size);
const [b1, b2, lr, t] = [0.9, 0.999, 0.001, 10];
const step = lr / (1 - b1 ** t);
const invC2 = 1 / (1 - b2 ** t);
const eps = 1e-7;
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const n of args.sizes.split(",").map(Number)) {
  const ts = tf.tidy(() => [
    tf.randomUniform([n], -1, 1, "float32", 1),
    tf.randomUniform([n], -0.1, 0.1, "float32", 2),
    tf.randomUniform([n], 0, 1e-2, "float32", 3),
    tf.randomUniform([n], -1, 1, "float32", 4),
    tf.cast(tf.greater(tf.randomUniform([n], 0, 1, "float32", 5), 0.5), "float32"),
  ]);
  const runs = {
    js: () => {
      const [W, M, V, G, K] = ts.map(view);
      jsAdam(W, M, V, G, K, b1, b2, step, invC2, eps);
    },
    simd: () => {
      const [W, M, V, G, K] = ts.map(view);
      simd(W.byteOffset, M.byteOffset, V.byteOffset, G.byteOffset, K.byteOffset, n, b1, 1 - b1, b2, 1 - b2, step, invC2, eps);
    },
  };
  const times = { js: [], simd: [] };
  for (let r = -2; r < Number(args.rounds); r++) {
    for (const kind of r % 2 === 0 ? ["js", "simd"] : ["simd", "js"]) {
      const t0 = cpuMs();
      for (let i = 0; i < Number(args.reps); i++) runs[kind]();
      if (r >= 0) times[kind].push((cpuMs() - t0) / Number(args.reps));
    }
  }
  const js = median(times.js);
  const si = median(times.simd);
  process.stdout.write(
    `${JSON.stringify({ elements: n, masked: true, jsMsPerUpdate: +js.toFixed(3), simdMsPerUpdate: +si.toFixed(3), jsNsPerElement: +((js * 1e6) / n).toFixed(2), simdNsPerElement: +((si * 1e6) / n).toFixed(2), speedup: +(js / si).toFixed(1) })}\n`,
  );
  tf.dispose(ts);
}
