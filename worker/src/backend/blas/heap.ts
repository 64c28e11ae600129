/**
 * Access to the tfjs wasm backend's memory: tensors live on the wasm heap at
 * `dataIdMap.get(dataId).memoryOffset` (see @tensorflow/tfjs-backend-wasm's backend_wasm.d.ts),
 * so BLAS reads and writes them in place through Float32Array views. A malloc may grow the heap
 * and detach earlier views: allocate every output first, then take views.
 */
import type * as tf from "@tensorflow/tfjs";

/** The parts of tfjs-backend-wasm's BackendWasm these kernels use. */
export interface WasmBackend {
  readonly wasm: {
    readonly HEAPU8: Uint8Array;
    readonly tfjs: { disposeData(id: number): void; registerTensor(id: number, size: number, memoryOffset: number): void };
  };
  readonly dataIdMap: { get(dataId: tf.DataId): { id: number; memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  disposeData(dataId: tf.DataId): boolean;
}

/** The arguments a kernel function receives. */
export interface KernelArgs<I, A> {
  readonly inputs: I;
  readonly attrs: A;
  readonly backend: WasmBackend;
}

export function size(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** A float32 view of a tensor on the heap (valid until the next allocation). */
export function view(backend: WasmBackend, t: tf.TensorInfo): Float32Array {
  const data = backend.dataIdMap.get(t.dataId);
  if (!data) throw new Error("tensor data is not on the wasm backend");
  return new Float32Array(backend.wasm.HEAPU8.buffer, data.memoryOffset, size(t.shape));
}

/**
 * Maps a flat index of `out` to the flat index of `inp` broadcast to it (numpy rules, shapes
 * aligned on the right).
 */
export function broadcastIndexer(out: readonly number[], inp: readonly number[]): (i: number) => number {
  const n = size(inp);
  if (n === size(out)) return (i) => i;
  if (n === 1) return () => 0;
  const last = inp[inp.length - 1] ?? 1;
  if (n === last && last === out[out.length - 1]) return (i) => i % last;
  const rank = out.length;
  const pad = rank - inp.length;
  const inStrides: number[] = new Array<number>(rank).fill(0);
  let s = 1;
  for (let d = rank - 1; d >= pad; d--) {
    const dim = inp[d - pad] ?? 1;
    inStrides[d] = dim === 1 ? 0 : s;
    s *= dim;
  }
  return (i) => {
    let j = 0;
    let rest = i;
    for (let d = rank - 1; d >= 0; d--) {
      const dim = out[d] ?? 1;
      j += (rest % dim) * (inStrides[d] ?? 0);
      rest = Math.floor(rest / dim);
    }
    return j;
  };
}

/**
 * After writing a tensor's heap memory in place: drops what the wasm module derived from the old
 * values. Its XNNPACK conv and matmul operators pack their weights once per tensor id and are
 * freed only with the id, so they would go on using the old weights. Re-registers the same
 * memory under the same id (nothing is copied; the next conv/matmul packs afresh).
 */
export function rebindInPlace(backend: WasmBackend, t: tf.TensorInfo): void {
  const data = backend.dataIdMap.get(t.dataId);
  if (!data) throw new Error("tensor data is not on the wasm backend");
  backend.wasm.tfjs.disposeData(data.id);
  backend.wasm.tfjs.registerTensor(data.id, size(t.shape), data.memoryOffset);
  for (const forget of onRebind) forget();
}

/** Called by {@link rebindInPlace}: kernels that keep something derived from a tensor's values drop it. */
const onRebind: (() => void)[] = [];

export function whenRebound(forget: () => void): void {
  if (!onRebind.includes(forget)) onRebind.push(forget);
}
