/**
 * Adam with the weight masks folded in, as one pass per variable over the wasm heap: tfjs's
 * Adam issues ~14 ops per variable per step, and the masks two more (gradient and weight), each
 * paying the engine's per-op overhead, which dominates a small net's step once the matrix
 * products run on BLAS (bench/compute/profile.mjs). On the wasm backend this class updates the
 * weights and both moments in place (the same arithmetic as tf.train.adam, then W ← W ⊙ M);
 * elsewhere it runs tfjs's own Adam on the masked gradients and re-masks with tensor ops.
 *
 * It is a tf.AdamOptimizer: the moments are its `${variable}/m` and `${variable}/v` slot
 * variables, so getWeights/setWeights save and restore them as usual.
 */
import * as tf from "@tensorflow/tfjs";
import { rebindInPlace, view, type WasmBackend } from "../backend/blas/heap.js";
import { simdAdam, type WasmModuleMemory } from "./adam-simd.js";

/** The fields of tfjs's AdamOptimizer this class reads (private in its typings). */
interface AdamState {
  readonly learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly accBeta1: tf.Variable;
  readonly accBeta2: tf.Variable;
  readonly accumulatedFirstMoment: ({ originalName: string; variable: tf.Variable } | undefined)[];
  readonly accumulatedSecondMoment: ({ originalName: string; variable: tf.Variable } | undefined)[];
}

type HeapBackend = WasmBackend & { refCount(dataId: tf.DataId): number; readonly wasm: WasmModuleMemory };
type VariableGradients = Parameters<tf.AdamOptimizer["applyGradients"]>[0];

/** Whether `o` is a {@link MaskedAdam} (tfjs's Optimizer overrides `instanceof` to match any optimizer). */
export function isMaskedAdam(o: object): o is MaskedAdam {
  return typeof (o as Partial<MaskedAdam>).applyMasked === "function";
}

/**
 * The update in JS over the heap views, in float64 rounded on store: what runs where the SIMD
 * module of adam-simd.ts cannot (its doc comment says when).
 */
export function jsAdam(w: Float32Array, m: Float32Array, v: Float32Array, g: Float32Array, k: Float32Array | undefined, b1: number, b2: number, step: number, invC2: number, eps: number): void {
  for (let j = 0; j < w.length; j++) {
    const keep = k ? (k[j] ?? 0) : 1;
    const gj = (g[j] ?? 0) * keep;
    const mj = b1 * (m[j] ?? 0) + (1 - b1) * gj;
    const vj = b2 * (v[j] ?? 0) + (1 - b2) * gj * gj;
    m[j] = mj;
    v[j] = vj;
    w[j] = ((w[j] ?? 0) - (step * mj) / (Math.sqrt(vj * invC2) + eps)) * keep;
  }
}

export class MaskedAdam extends tf.AdamOptimizer {
  constructor(learningRate: number) {
    super(learningRate, 0.9, 0.999);
  }

  override applyGradients(variableGradients: VariableGradients): void {
    const map: tf.NamedTensorMap = Array.isArray(variableGradients) ? Object.fromEntries(variableGradients.map((g) => [g.name, g.tensor])) : variableGradients;
    this.applyMasked(map);
  }

  /**
   * One Adam step on the gradients, pruned entries' gradients zeroed and the weights re-masked
   * after the step (`masks` by variable name, each the variable's shape).
   */
  applyMasked(grads: tf.NamedTensorMap, masks: ReadonlyMap<string, tf.Tensor> = new Map()): void {
    const names = Object.keys(grads);
    const vars = names.map((n) => tf.engine().registeredVariables[n]);
    const fused =
      tf.getBackend() === "wasm" &&
      names.every((n, i) => {
        const g = grads[n];
        const v = vars[i];
        const m = masks.get(n);
        return g !== undefined && v !== undefined && g.dtype === "float32" && v.dtype === "float32" && g.size === v.size && (m === undefined || (m.dtype === "float32" && m.size === v.size));
      });
    if (!fused) {
      tf.tidy(() => {
        const masked: tf.NamedTensorMap = {};
        for (const n of names) {
          const g = grads[n] as tf.Tensor;
          const m = masks.get(n);
          masked[n] = m ? tf.mul(g, m) : g;
        }
        super.applyGradients(masked as VariableGradients);
        for (const [n, m] of masks) {
          const v = tf.engine().registeredVariables[n];
          if (v && n in grads) v.assign(tf.mul(v, m));
        }
      });
      return;
    }
    const s = this as unknown as AdamState;
    const backend = tf.backend() as unknown as HeapBackend;
    /** Makes `t`'s heap data its own before it is written in place. */
    const own = (t: tf.Variable): void => {
      if (backend.refCount(t.dataId) > 1) tf.tidy(() => t.assign(tf.mul(t, 1)));
    };
    own(s.accBeta1);
    own(s.accBeta2);
    const { beta1: b1, beta2: b2, learningRate: lr, epsilon: eps } = s;
    // β^t as tfjs's Adam keeps them, read before this step's update (as tfjs does).
    const c1 = 1 - (view(backend, s.accBeta1)[0] ?? 0);
    const c2 = 1 - (view(backend, s.accBeta2)[0] ?? 0);
    const step = lr / c1;
    const invC2 = 1 / c2;
    const simd = simdAdam(backend.wasm);
    names.forEach((name, i) => {
      const value = vars[i] as tf.Variable;
      s.accumulatedFirstMoment[i] ??= { originalName: `${name}/m`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
      s.accumulatedSecondMoment[i] ??= { originalName: `${name}/v`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
      // Written in place: the weights and moments must not share their data with another tensor
      // (setWeights, an identity, an assign from a tensor still in use).
      for (const t of [value, s.accumulatedFirstMoment[i].variable, s.accumulatedSecondMoment[i].variable]) own(t);
      const mask = masks.get(name);
      // Views last: an allocation above may have moved the heap.
      const w = view(backend, value);
      const m = view(backend, s.accumulatedFirstMoment[i].variable);
      const v = view(backend, s.accumulatedSecondMoment[i].variable);
      const g = view(backend, grads[name] as tf.Tensor);
      const k = mask ? view(backend, mask) : undefined;
      if (typeof simd === "function") simd(w.byteOffset, m.byteOffset, v.byteOffset, g.byteOffset, k?.byteOffset ?? 0, w.length, b1, 1 - b1, b2, 1 - b2, step, invC2, eps);
      else jsAdam(w, m, v, g, k, b1, b2, step, invC2, eps);
      // The wasm module's conv/matmul operators hold packed copies of the old weights.
      rebindInPlace(backend, value);
    });
    // In place too: two tensor ops and two assigns per step cost more than the update above.
    const acc1 = view(backend, s.accBeta1);
    const acc2 = view(backend, s.accBeta2);
    acc1[0] = (acc1[0] ?? 0) * b1;
    acc2[0] = (acc2[0] ?? 0) * b2;
    this.incrementIterations();
  }
}
