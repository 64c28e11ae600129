/**
 * Identity for the wasm backend without a copy: the output shares the input's heap data (a
 * reference more on it), as the cpu backend and wasm's own Reshape do. The stock wasm kernel
 * copies, and a conv net's backward pass calls it for whole activation gradients (34 calls per
 * LeNet-5 step, bench/compute/profile.mjs). Code that writes a tensor's heap data in place must
 * first check that nothing shares it (training/fused-adam.ts does). Cast to the dtype a tensor
 * already has is the same no-op (tfjs's ReLU gradient casts its float32 step mask to float32,
 * and the stock wasm Cast copies: bench/compute/profile.mjs).
 */
import type * as tf from "@tensorflow/tfjs";
import type { KernelArgs } from "./heap.js";
import type { StockKernel } from "./matmul.js";

export function identityKernel(stock: StockKernel | undefined) {
  return (args: KernelArgs<{ x: tf.TensorInfo }, unknown> & { backend: { incRef(dataId: tf.DataId): void } }): tf.TensorInfo | tf.TensorInfo[] => {
    const { x } = args.inputs;
    if (x.dtype === "string" && stock) return stock(args);
    args.backend.incRef(x.dataId);
    return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
  };
}

export function castKernel(stock: StockKernel | undefined) {
  return (args: KernelArgs<{ x: tf.TensorInfo }, { dtype: tf.DataType }> & { backend: { incRef(dataId: tf.DataId): void } }): tf.TensorInfo | tf.TensorInfo[] => {
    const { x } = args.inputs;
    if (args.attrs.dtype !== x.dtype || x.dtype === "string") {
      if (stock) return stock(args);
      throw new Error(`Cast: no kernel from ${x.dtype} to ${args.attrs.dtype}`);
    }
    args.backend.incRef(x.dataId);
    return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
  };
}
