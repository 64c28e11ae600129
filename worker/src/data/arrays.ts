/**
 * Examples from arrays: NumPy `.npy` pairs and `.npz` archives (x: examples, y: class
 * indices), and the label checks every array-like source shares.
 */
import type { DatasetSource } from "@prunesweep/proto";
import { DatasetError } from "../errors.js";
import { localFiles, type DatasetFiles } from "./dataset-files.js";
import { parseNpy, parseNpz, type NpyArray } from "./npy.js";
import type { RawExamples } from "./types.js";

/**
 * Class indices from numeric labels: each must be an integer >= 0.
 * @param where names the file (and column) in errors
 */
export function classLabels(values: ArrayLike<number>, where: string): { y: Int32Array; numClasses: number } {
  const y = new Int32Array(values.length);
  let max = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] ?? Number.NaN;
    if (!Number.isInteger(v) || v < 0) throw new DatasetError(`${where}: label ${v} of example ${i} is out of range: labels must be class indices, integers >= 0`);
    y[i] = v;
    if (v > max) max = v;
  }
  return { y, numClasses: Math.max(2, max + 1) };
}

/** x (`[n, ...example shape]`) and y (`[n]` or `[n, 1]`) as examples; a 2-D example shape gets one channel. */
function examplesFromArrays(x: NpyArray, y: NpyArray, xWhere: string, yWhere: string, name: string): RawExamples {
  if (x.shape.length < 2) throw new DatasetError(`${xWhere}: x has shape (${x.shape.join(", ")}); expected (examples, features...) with at least 2 dimensions`);
  const n = x.shape[0] ?? 0;
  if (n === 0) throw new DatasetError(`${xWhere}: x holds no examples`);
  if (!(y.shape.length === 1 || (y.shape.length === 2 && y.shape[1] === 1))) {
    throw new DatasetError(`${yWhere}: y has shape (${y.shape.join(", ")}); expected (examples,) of class indices`);
  }
  if (y.shape[0] !== n) throw new DatasetError(`x/y length mismatch: ${xWhere} has ${n} examples, ${yWhere} has ${y.shape[0]} labels`);
  const rest = x.shape.slice(1);
  const inputShape = rest.length === 2 ? [...rest, 1] : rest;
  let xs: Float32Array | Uint8Array;
  if (x.data instanceof Uint8Array) xs = x.data;
  else {
    xs = Float32Array.from(x.data);
    const bad = xs.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new DatasetError(`${xWhere}: value ${xs[bad]} at flat index ${bad} (example ${Math.floor(bad / (xs.length / n))}) is not finite`);
  }
  const { y: labels, numClasses } = classLabels(y.data, yWhere);
  return { x: xs, scale: x.data instanceof Uint8Array ? 1 / 255 : 1, y: labels, count: n, inputShape, numClasses, name };
}

/** Loads `{npy: {x, y}}`. */
export async function loadNpyPair(source: Extract<DatasetSource, { kind: "npy" }>, files: DatasetFiles = localFiles): Promise<RawExamples> {
  const [xb, yb] = await Promise.all([files.read(source.x), files.read(source.y)]);
  const xWhere = `"${source.x}"`;
  const yWhere = `"${source.y}"`;
  return examplesFromArrays(parseNpy(xb, xWhere), parseNpy(yb, yWhere), xWhere, yWhere, source.x);
}

/** Loads `{npz: file, x, y}`: the arrays named `x` and `y` of the archive. */
export async function loadNpz(source: Extract<DatasetSource, { kind: "npz" }>, files: DatasetFiles = localFiles): Promise<RawExamples> {
  const arrays = parseNpz(await files.read(source.file), source.file);
  const get = (key: string): NpyArray => {
    const a = arrays.get(key);
    if (!a) throw new DatasetError(`"${source.file}" has no array "${key}"; it holds: ${[...arrays.keys()].join(", ") || "none"}`);
    return a;
  };
  return examplesFromArrays(get(source.x), get(source.y), `"${source.file}" array "${source.x}"`, `"${source.file}" array "${source.y}"`, source.file);
}
