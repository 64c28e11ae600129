/**
 * Supplies the one kernel that conv training lacks on the wasm backend:
 * `Conv2DBackpropFilter`: @tensorflow/tfjs-backend-wasm 4.22 registers Conv2DBackpropInput but
 * no Conv2DBackpropFilter (see its `dist/register_all_kernels.js`), so training a conv net
 * there fails with "Kernel 'Conv2DBackpropFilter' not registered for backend 'wasm'".
 * Everything else conv nets need (Conv2D with
 * dilations, Conv2DBackpropInput, MaxPoolGrad, AvgPoolGrad, pad, transpose, slice) exists there.
 *
 * The filter gradient is itself a convolution, so it runs on wasm's own Conv2D: with the
 * input padded as in the forward pass,
 *
 *   dW[kh, kw, ci, co] = Σ_{b,i,j} x[b, i·s + kh, j·s + kw, ci] · dy[b, i, j, co]
 *
 * is conv2d(x^T, dy^T) with the batch and channel axes swapped (x^T: [C_in, H, W, B], filter
 * dy^T: [OH, OW, B, C_out]), stride 1 and dilation s, cropped to kh×kw and transposed back.
 * Checked against the cpu backend in worker/test/pruning/structured-pruning.test.ts ("conv training on wasm").
 */
import * as tf from "@tensorflow/tfjs";

const KERNEL = "Conv2DBackpropFilter";

/** The kernel-function argument shape we rely on. */
interface KernelArgs {
  readonly inputs: { readonly x: tf.TensorInfo; readonly dy: tf.TensorInfo };
  readonly attrs: {
    readonly strides: [number, number] | number;
    readonly pad: "same" | "valid" | number;
    readonly dimRoundingMode?: "floor" | "round" | "ceil";
    readonly filterShape: [number, number, number, number];
  };
  readonly backend: { incRef(dataId: tf.DataId): void };
}

function conv2dBackpropFilterWasm(args: KernelArgs): tf.TensorInfo {
  const { inputs, attrs, backend } = args;
  const { x, dy } = inputs;
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    attrs.filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    "channelsLast",
  );
  const [kh, kw] = attrs.filterShape;
  const out = tf.tidy(() => {
    // Wrapping the inputs as tensors: take a reference so disposing the wrappers keeps the data.
    backend.incRef(x.dataId);
    backend.incRef(dy.dataId);
    const xt = tf.engine().makeTensorFromTensorInfo(x);
    const dyt = tf.engine().makeTensorFromTensorInfo(dy);
    const { top, bottom, left, right } = info.padInfo;
    const xp = tf.pad(xt, [
      [0, 0],
      [top, bottom],
      [left, right],
      [0, 0],
    ]);
    const xT = tf.transpose(xp, [3, 1, 2, 0]) as tf.Tensor4D;
    const f = tf.transpose(dyt, [1, 2, 0, 3]) as tf.Tensor4D;
    const r = tf.conv2d(xT, f, 1, "valid", "NHWC", [info.strideHeight, info.strideWidth]);
    return tf.transpose(tf.slice(r, [0, 0, 0, 0], [-1, kh, kw, -1]), [1, 2, 0, 3]);
  });
  // The engine wraps the returned data in its own tensor: keep a reference for it.
  backend.incRef(out.dataId);
  out.dispose();
  return { dataId: out.dataId, shape: out.shape, dtype: out.dtype };
}

/** Registers the wasm filter-gradient kernel once per process (no-op when already there). */
export function ensureWasmConvTraining(): void {
  if (tf.getKernel(KERNEL, "wasm")) return;
  tf.registerKernel({ kernelName: KERNEL, backendName: "wasm", kernelFunc: conv2dBackpropFilterWasm as unknown as tf.KernelFunc });
}
